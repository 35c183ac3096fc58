import t from 'tap';
import { buildTestSandbox, PROJECT_ID } from '../helpers/sandbox.js';
import { sale } from '../helpers/gate-client.js';
import { matchCounted } from '../helpers/promises.js';

t.test('the control API\'s message says what went wrong: a real-clock advance, an unknown scenario, a duplicate project, a bad or missing field', async (t) => {
  const real = await buildTestSandbox(t, { env: { SANDBOX_CLOCK: 'real' } });
  const advance = await real.app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 60 } });
  t.equal(advance.statusCode, 400);
  t.same(advance.json(), {
    status: 'error', code: '2004',
    message: 'seconds: The clock is real; start the sandbox with SANDBOX_CLOCK=manual to move it',
    errors: [{ code: '2004', field: 'seconds', message: 'The clock is real; start the sandbox with SANDBOX_CLOCK=manual to move it' }],
  });

  const { app } = await buildTestSandbox(t);
  await sale(app, 'ctl-1');
  const scenario = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-1/complete`, payload: { scenario: 'nope' } });
  t.equal(scenario.statusCode, 400);
  t.equal(scenario.json().message, 'No scenario named "nope"; see GET /_sandbox/scenarios');
  const duplicate = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: PROJECT_ID, secret_key: 's' } });
  t.equal(duplicate.statusCode, 409);
  t.equal(duplicate.json().message, `project_id: Project ${PROJECT_ID} already exists`);
  const wrongType = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 'soon' } });
  matchCounted(t, wrongType.json(), { code: '2004', message: 'seconds must be a number', errors: [{ field: 'seconds', message: 'seconds must be a number' }] });
  const missing = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { name: 'x', colour: 'red' } });
  t.equal(missing.json().message, 'secret_key is required; colour is not a field this request takes');
  const notFound = await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/nope` });
  t.equal(notFound.statusCode, 404);
  t.not(notFound.json().message, 'Transaction not found', 'names the payment, not only the code');
});

t.test('a control request whose body is not JSON gets a clear 415 in the error envelope', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const [contentType, given] of [['text/plain', 'got text/plain'], ['application/x-www-form-urlencoded; charset=utf-8', 'got application/x-www-form-urlencoded']] as const) {
    const response = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: 'seconds=60', headers: { 'content-type': contentType } });
    t.equal(response.statusCode, 415, contentType);
    t.same(response.json(), {
      status: 'error', code: '2003',
      message: `Send the body as JSON with Content-Type: application/json (${given})`,
      errors: [{ code: '2003', field: 'content-type', message: `Send the body as JSON with Content-Type: application/json (${given})` }],
    });
  }
});

t.test('Gate and the Data API keep the code\'s text as the top-level message, as ECommPay does', async (t) => {
  const { app } = await buildTestSandbox(t);
  const gate = await app.inject({ method: 'POST', url: '/v2/payment/status', payload: { general: { project_id: PROJECT_ID } } });
  t.match(gate.json(), { code: '2004', message: 'Required field not provided' });
  const data = await app.inject({ method: 'POST', url: '/operations/get', payload: { token: 'unknown', signature: 'x' } });
  t.match(data.json(), { code: '3123' });
  t.notMatch(data.json().message, /token:/);
});
