import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { sale, SdkCallback, sdkSigner } from '../helpers/gate-client.js';
import { DATA_API_FIELDS } from '../../src/domain/reports/data-api.js';
import { matchCounted } from '../helpers/promises.js';

const TOKEN = 'WKiarERJ5pcceNerpM9R5TNnyPTQMl';
const TOKEN_SECRET = 'secret';

function signedBody(body: Record<string, unknown>, secret = TOKEN_SECRET): Record<string, unknown> {
  return { ...body, signature: sdkSigner(body, secret) };
}

async function setup(t: Parameters<typeof buildTestSandbox>[0]) {
  const built = await buildTestSandbox(t, { config: { dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET, project_ids: [PROJECT_ID, 183] }] } });
  await sale(built.app, 'dapi-1');
  await built.app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/dapi-1/complete`, payload: { status: 'success' } });
  await sale(built.app, 'dapi-2');
  await flush(built.app);
  return built;
}

t.test('the documented Data API request example (E3) is accepted and answered with a signed list', async (t) => {
  const { app } = await setup(t);
  const e3 = { interval: { from: '2020-01-01 14:53:55', to: '2020-01-30 13:53:59' }, limit: 3, offset: 0, project_id: [183], token: TOKEN, tz: 'Asia/Singapore' };
  const response = await app.inject({ method: 'POST', url: '/operations/get', payload: { ...e3, signature: 'Ini3aKje6aZskajTuRS761YOzVqierlVRafZdxIz48wmVnL7yxgy9vDsp7T2/LGPGHJ/DHoKOgP7VqObJALrUA==' } });
  t.equal(response.statusCode, 200);
  const body = response.json() as { operations: unknown[]; signature: string };
  t.same(body.operations, []);
  t.ok(new SdkCallback(TOKEN_SECRET, body), 'the answer is signed with the token secret');
});

t.test('operations come back with the required fields by default, dates in the requested time zone', async (t) => {
  const { app } = await setup(t);
  for (const path of ['/operations/get', '/v1/operations/get']) {
    const body = signedBody({ token: TOKEN, project_id: [PROJECT_ID], interval: { from: '2026-01-01 08:00:00', to: '2026-01-01 09:00:00' }, tz: 'Asia/Manila' });
    const response = await app.inject({ method: 'POST', url: path, payload: body });
    t.equal(response.statusCode, 200, path);
    const { operations } = response.json() as { operations: Array<Record<string, unknown>> };
    t.equal(operations.length, 2);
    t.same(Object.keys(operations[0]!), ['project_id', 'operation_id', 'payment_id', 'operation_created_at', 'operation_completed_at']);
    t.match(operations[0], { project_id: PROJECT_ID, payment_id: 'dapi-1', operation_created_at: '2026-01-01 08:00:00', operation_completed_at: '2026-01-01 08:00:00' });
    t.match(operations[1], { payment_id: 'dapi-2', operation_completed_at: '' });
  }
});

t.test('fields, type, limit and offset select what comes back', async (t) => {
  const { app } = await setup(t);
  const body = signedBody({ token: TOKEN, interval: { from: '2026-01-01 00:00:00', to: '2026-01-02 00:00:00' }, fields: ['operation_status', 'payment_id', 'code', 'sum_converted_amount', 'payment_method_name'], type: 'sale', limit: 1, offset: 1 });
  const { operations } = (await app.inject({ method: 'POST', url: '/operations/get', payload: body })).json() as { operations: Array<Record<string, unknown>> };
  t.same(operations, [{ payment_id: 'dapi-2', operation_status: 'awaiting redirect result', payment_method_name: 'PayMaya wallet', sum_converted_amount: 50000, code: '29999' }]);
  t.ok(DATA_API_FIELDS.length >= 15);
});

t.test('bad token, signature or filter answer a clear error', async (t) => {
  const { app } = await setup(t);
  const cases: Array<[Record<string, unknown>, number, string, string]> = [
    [signedBody({ token: 'nope' }), 401, '3123', 'token'],
    [{ token: TOKEN }, 401, '3262', 'signature'],
    [signedBody({ token: TOKEN }, 'wrong'), 401, '3261', 'signature'],
    [signedBody({ token: TOKEN, limit: 1001 }), 400, '2004', 'limit'],
    [signedBody({ token: TOKEN, tz: 'Mars/Olympus' }), 400, '2004', 'tz'],
    [signedBody({ token: TOKEN, interval: { from: '2026-01-01', to: '2026-01-02 00:00:00' } }), 400, '2004', 'interval.from'],
    [signedBody({ token: TOKEN, interval: { from: '2026-01-02 00:00:00', to: '2026-01-01 00:00:00' } }), 400, '2004', 'interval'],
    [signedBody({ token: TOKEN, fields: ['colour'] }), 400, '2004', 'fields'],
    [signedBody({ token: TOKEN, type: 'teleport' }), 400, '2004', 'type'],
    [signedBody({ token: TOKEN, project_id: [999] }), 403, '303', 'project_id'],
    [signedBody({ token: TOKEN, colour: 'red' }), 400, '2004', 'colour'],
  ];
  for (const [payload, status, code, field] of cases) {
    const response = await app.inject({ method: 'POST', url: '/operations/get', payload });
    t.equal(response.statusCode, status, `${code} ${field}`);
    matchCounted(t, response.json(), { status: 'error', code, errors: [{ field }] }, `${code} ${field}`);
  }
  const malformed = await app.inject({ method: 'POST', url: '/operations/get', payload: '{"token":', headers: { 'content-type': 'application/json' } });
  t.match(malformed.json(), { code: '2003' });
});
