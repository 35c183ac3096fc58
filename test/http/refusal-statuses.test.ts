// Each surface answers each refusal it can meet with the HTTP status of the one refusal table
// (src/domain/errors.ts), in its own format: the JSON envelope with the code, or an HTML page naming it.
import t from 'tap';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { REFUSAL_TABLE, type RefusalKind } from '../../src/domain/errors.js';
import { payoutBody, post, sale, saleBody, signed, sdkSigner } from '../helpers/gate-client.js';
import { paymentPageUrl, submitPaymentPage } from '../helpers/payment-page-client.js';
import { buildTestSandbox, PROJECT_ID, SECRET } from '../helpers/sandbox.js';

const ADMIN = 'admin-token-of-the-refusal-table-test';
const LIMITED = { project_id: 4601, secret_key: 'secret-4601', name: 'One request a second', quotas: { requests_per_second: 1 } };
const FULL = { project_id: 4602, secret_key: 'secret-4602', name: 'Room for one payment', quotas: { stored_payments: 1 } };
const DATA_TOKEN = { token: 'data-token', secret_key: 'data-secret', project_ids: [PROJECT_ID] };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

type Ask = (app: FastifyInstance) => Promise<LightMyRequestResponse>;
interface Case { surface: string; kind: RefusalKind; what: string; ask: Ask; html?: boolean }

const json = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}): Ask =>
  (app) => app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const gate = (url: string, payload: unknown) => json('POST', url, payload);
const admin = (method: 'GET' | 'POST', url: string, payload?: unknown) => json(method, url, payload, { authorization: `Bearer ${ADMIN}` });
const page = (params: Record<string, unknown>, secret = SECRET, projectId = PROJECT_ID): Ask => (app) => app.inject({ method: 'GET', url: paymentPageUrl(params, secret, projectId), headers: { accept: 'text/html' } });
const pageParams = (paymentId: string, extra: Record<string, unknown> = {}) => ({ payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'c-1', ...extra });
const dataApi = (body: Record<string, unknown>, secret = DATA_TOKEN.secret_key) => json('POST', '/operations/get', { ...body, signature: sdkSigner(body, secret) });

/** Repeats a request until the refusal comes: a requests-per-second quota refuses the second within a second. */
const twice = (ask: Ask): Ask => async (app) => {
  await ask(app);
  return ask(app);
};

const CASES: Case[] = [
  { surface: 'Gate', kind: 'malformed-request', what: 'a body that is not JSON', ask: (app) => app.inject({ method: 'POST', url: '/v2/payment/status', payload: '{"general":', headers: { 'content-type': 'application/json' } }) },
  { surface: 'Gate', kind: 'invalid-fields', what: 'a sale without payment', ask: gate('/v2/payment/wallet/paymaya/sale', signed({ general: { project_id: PROJECT_ID, payment_id: 'g-1' } })) },
  { surface: 'Gate', kind: 'invalid-currency', what: 'a currency that is no ISO code', ask: gate('/v2/payment/wallet/paymaya/sale', signed(saleBody('g-2', { payment: { amount: 50000, currency: 'P1P' } }))) },
  { surface: 'Gate', kind: 'currency-not-convertible', what: 'a currency without a rate', ask: gate('/v2/payment/wallet/paymaya/sale', signed(saleBody('g-3', { payment: { amount: 50000, currency: 'CHF' } }))) },
  { surface: 'Gate', kind: 'operation-not-supported', what: 'a refund of a wallet sale', ask: gate('/v2/payment/wallet/paymaya/refund', signed({ general: { project_id: PROJECT_ID, payment_id: 'g-4' }, payment: { amount: 100, currency: 'PHP' } })) },
  { surface: 'Gate', kind: 'empty-signature', what: 'no signature', ask: gate('/v2/payment/status', { general: { project_id: PROJECT_ID, payment_id: 'g-5' } }) },
  { surface: 'Gate', kind: 'invalid-signature', what: 'a wrong signature', ask: gate('/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'g-6' } }, 'not-the-secret')) },
  { surface: 'Gate', kind: 'unknown-project', what: 'a project the sandbox does not have', ask: gate('/v2/payment/status', signed({ general: { project_id: 999_999, payment_id: 'g-7' } })) },
  { surface: 'Gate', kind: 'unknown-method', what: 'a method the sandbox does not have', ask: gate('/v2/payment/wallet/nowallet/sale', signed(saleBody('g-8'))) },
  { surface: 'Gate', kind: 'payment-not-found', what: 'the status of an unknown payment', ask: gate('/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'never-made' } })) },
  { surface: 'Gate', kind: 'duplicate-payment', what: 'a payment id used twice', ask: async (app) => { await sale(app, 'g-dup'); return app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: signed(saleBody('g-dup')) }); } },
  { surface: 'Gate', kind: 'body-too-large', what: 'a body over the limit', ask: gate('/v2/payment/status', { general: { project_id: PROJECT_ID, payment_id: 'x'.repeat(1_100_000) } }) },
  { surface: 'Gate', kind: 'rate-limited', what: 'a second request within a second of a one-a-second project', ask: twice(gate('/v2/payment/status', signed({ general: { project_id: LIMITED.project_id, payment_id: 'g-9' } }, LIMITED.secret_key))) },
  { surface: 'Gate', kind: 'quota-exceeded', what: 'a second payment of a project with room for one', ask: async (app) => {
    for (const id of ['g-full-1', 'g-full-2']) {
      const response = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/payout', payload: signed(payoutBody(id, { general: { project_id: FULL.project_id, payment_id: id } }), FULL.secret_key) });
      if (id === 'g-full-2') return response;
    }
    throw new Error('unreachable');
  } },

  { surface: 'Payment Page', kind: 'invalid-fields', what: 'a link without customer_id', html: true, ask: page({ payment_id: 'p-1', payment_amount: 50000, payment_currency: 'PHP' }) },
  { surface: 'Payment Page', kind: 'invalid-currency', what: 'a currency that is no ISO code', html: true, ask: page(pageParams('p-2', { payment_currency: 'php' })) },
  { surface: 'Payment Page', kind: 'currency-not-convertible', what: 'a currency without a rate', html: true, ask: page(pageParams('p-3', { payment_currency: 'CHF' })) },
  { surface: 'Payment Page', kind: 'invalid-signature', what: 'a link signed with another secret', html: true, ask: page(pageParams('p-4'), 'not-the-secret') },
  { surface: 'Payment Page', kind: 'empty-signature', what: 'a link without its signature', html: true, ask: (app) => app.inject({ method: 'GET', url: `/payment?${new URLSearchParams({ project_id: String(PROJECT_ID), ...pageParams('p-5'), payment_amount: '50000' }).toString()}` }) },
  { surface: 'Payment Page', kind: 'unknown-project', what: 'a project the sandbox does not have', html: true, ask: page(pageParams('p-6'), SECRET, 999_999) },
  { surface: 'Payment Page', kind: 'rate-limited', what: 'a second link within a second of a one-a-second project', html: true, ask: twice(page(pageParams('p-7'), LIMITED.secret_key, LIMITED.project_id)) },
  { surface: 'Payment Page', kind: 'quota-exceeded', what: 'a second payment of a project with room for one', html: true, ask: async (app) => {
    await submitPaymentPage(app, paymentPageUrl(pageParams('p-full-1'), FULL.secret_key, FULL.project_id), { method: 'gcash-wallet', customer_email: 'juan@example.ph' });
    return submitPaymentPage(app, paymentPageUrl(pageParams('p-full-2'), FULL.secret_key, FULL.project_id), { method: 'gcash-wallet', customer_email: 'juan@example.ph' });
  } },
  { surface: 'Payment Page', kind: 'payment-not-found', what: 'the result of an unknown checkout', html: true, ask: json('GET', '/payment/result?tokenid=nothing-here') },
  { surface: 'Payment Page', kind: 'body-too-large', what: 'a form over the limit', html: true, ask: (app) => app.inject({ method: 'POST', url: '/payment/submit', payload: `request=${'x'.repeat(70_000)}`, headers: FORM }) },
  { surface: 'Payment Page', kind: 'unsupported-media-type', what: 'a form sent as XML', html: true, ask: (app) => app.inject({ method: 'POST', url: '/payment/submit', payload: '<form/>', headers: { 'content-type': 'application/xml' } }) },

  { surface: 'PayMaya page', kind: 'payment-not-found', what: 'an unknown checkout', html: true, ask: json('GET', '/paymaya/checkout?tokenid=nothing-here') },
  { surface: 'PayMaya page', kind: 'unsupported-media-type', what: 'an action sent as XML', html: true, ask: (app) => app.inject({ method: 'POST', url: '/paymaya/checkout', payload: '<form/>', headers: { 'content-type': 'application/xml' } }) },

  { surface: 'Data API', kind: 'malformed-request', what: 'a body that is not JSON', ask: (app) => app.inject({ method: 'POST', url: '/operations/get', payload: 'not json', headers: { 'content-type': 'application/json' } }) },
  { surface: 'Data API', kind: 'invalid-fields', what: 'a body without a token', ask: json('POST', '/operations/get', { signature: 'x' }) },
  { surface: 'Data API', kind: 'invalid-token', what: 'an unknown token', ask: dataApi({ token: 'no-such-token' }) },
  { surface: 'Data API', kind: 'empty-signature', what: 'no signature', ask: json('POST', '/operations/get', { token: DATA_TOKEN.token }) },
  { surface: 'Data API', kind: 'invalid-signature', what: 'a wrong signature', ask: dataApi({ token: DATA_TOKEN.token }, 'not-the-secret') },
  { surface: 'Data API', kind: 'access-denied', what: 'a project the token may not read', ask: dataApi({ token: DATA_TOKEN.token, project_id: [LIMITED.project_id] }) },

  { surface: 'control API', kind: 'not-authenticated', what: 'no token', ask: json('GET', '/_sandbox/callbacks') },
  { surface: 'control API', kind: 'invalid-fields', what: 'an advance without seconds', ask: admin('POST', '/_sandbox/clock/advance', {}) },
  { surface: 'control API', kind: 'unknown-project', what: 'the clock of a project the sandbox does not have', ask: admin('GET', '/_sandbox/clock?project_id=999999') },
  { surface: 'control API', kind: 'payment-not-found', what: 'an unknown payment', ask: admin('GET', `/_sandbox/payments/${PROJECT_ID}/never-made`) },
  { surface: 'control API', kind: 'status-forbids-action', what: 'completing a finished payment', ask: async (app) => {
    await sale(app, 'c-done');
    await admin('POST', `/_sandbox/payments/${PROJECT_ID}/c-done/complete`, { status: 'success' })(app);
    return admin('POST', `/_sandbox/payments/${PROJECT_ID}/c-done/complete`, { status: 'success' })(app);
  } },
  { surface: 'control API', kind: 'project-exists', what: 'a project id that is taken', ask: admin('POST', '/_sandbox/projects', { project_id: PROJECT_ID, secret_key: 's' }) },
  { surface: 'control API', kind: 'unsupported-media-type', what: 'a text body', ask: (app) => app.inject({ method: 'POST', url: '/_sandbox/reset', payload: 'all', headers: { 'content-type': 'text/plain', authorization: `Bearer ${ADMIN}` } }) },
  { surface: 'control API', kind: 'rate-limited', what: 'a second request within a second of a one-a-second project', ask: async (app) => {
    const created = await admin('POST', '/_sandbox/projects', { project_id: 4603, secret_key: 's', quotas: { requests_per_second: 1 } })(app);
    const token = (created.json() as { control_token: string }).control_token;
    return twice(json('GET', '/_sandbox/callbacks', undefined, { authorization: `Bearer ${token}` }))(app);
  } },
  { surface: 'control API', kind: 'access-denied', what: 'a project token asking for another project\'s payment', ask: async (app) => {
    const created = await admin('POST', '/_sandbox/projects', { project_id: 4604, secret_key: 's' })(app);
    const token = (created.json() as { control_token: string }).control_token;
    return json('GET', `/_sandbox/payments/${PROJECT_ID}/anything`, undefined, { authorization: `Bearer ${token}` })(app);
  } },
  { surface: 'control API', kind: 'project-hidden', what: 'a project token listing another project', ask: async (app) => {
    const created = await admin('POST', '/_sandbox/projects', { project_id: 4605, secret_key: 's' })(app);
    const token = (created.json() as { control_token: string }).control_token;
    return json('GET', `/_sandbox/callbacks?project_id=${PROJECT_ID}`, undefined, { authorization: `Bearer ${token}` })(app);
  } },

  { surface: 'dashboard', kind: 'not-authenticated', what: 'a form posted without logging in', html: true, ask: (app) => app.inject({ method: 'POST', url: '/dashboard/clock/advance', payload: 'seconds=1', headers: FORM }) },
  { surface: 'dashboard', kind: 'payment-not-found', what: 'an unknown payment', html: true, ask: json('GET', `/dashboard/payments/${PROJECT_ID}/never-made`, undefined, { authorization: `Bearer ${ADMIN}` }) },
  { surface: 'dashboard', kind: 'access-denied', what: 'a project token opening another project\'s payment', html: true, ask: async (app) => {
    const created = await admin('POST', '/_sandbox/projects', { project_id: 4606, secret_key: 's' })(app);
    const token = (created.json() as { control_token: string }).control_token;
    await sale(app, 'd-other');
    return json('GET', `/dashboard/payments/${PROJECT_ID}/d-other`, undefined, { authorization: `Bearer ${token}` })(app);
  } },
  { surface: 'dashboard', kind: 'project-hidden', what: 'a project token listing another project', html: true, ask: async (app) => {
    const created = await admin('POST', '/_sandbox/projects', { project_id: 4607, secret_key: 's' })(app);
    const token = (created.json() as { control_token: string }).control_token;
    return json('GET', `/dashboard/payments?project_id=${PROJECT_ID}`, undefined, { authorization: `Bearer ${token}` })(app);
  } },
];

t.test('every surface answers each refusal it meets with the status of the refusal table, in its own format', async (t) => {
  const { app } = await buildTestSandbox(t, {
    config: {
      adminToken: ADMIN,
      dataApiTokens: [DATA_TOKEN],
      projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop' }, LIMITED, FULL],
    },
  });
  t.equal(CASES.length, 47, 'the table of cases is whole');
  const surfaces = new Set(CASES.map((c) => c.surface));
  t.same([...surfaces], ['Gate', 'Payment Page', 'PayMaya page', 'Data API', 'control API', 'dashboard'], 'six surfaces');
  for (const testCase of CASES) {
    const rule = REFUSAL_TABLE[testCase.kind];
    const response = await testCase.ask(app);
    const label = `${testCase.surface}, ${testCase.what}: ${testCase.kind}`;
    t.equal(response.statusCode, rule.httpStatus, `${label} answers ${rule.httpStatus}`);
    if (testCase.html === true) {
      t.match(response.headers['content-type'], /^text\/html/, `${label} is a page`);
      t.match(response.body, `Error ${rule.code}`, `${label} names code ${rule.code}`);
    } else {
      t.match(response.json(), { status: 'error', code: rule.code }, `${label} carries code ${rule.code}`);
    }
  }
});

t.test('a Gate refusal echoes the request\'s project id only when it is a whole number, as the document promises', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const projectId of [1.5, 1e300, -0.25]) {
    const answer = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: { general: { project_id: projectId, payment_id: 'odd-id', signature: 'x' } } });
    t.equal(answer.statusCode, 400, String(projectId));
    t.notOk('project_id' in (answer.json() as object), `${projectId} is not echoed`);
    const refusal = answer.json() as { status: string; payment_id: string; errors: Array<{ field: string }> };
    t.match(refusal, { status: 'error', payment_id: 'odd-id' });
    t.ok(refusal.errors.some((e) => e.field === 'general.project_id'), 'the refusal names general.project_id');
  }
  const whole = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: { general: { project_id: 999_999, payment_id: 'whole-id', signature: 'x' } } });
  t.match(whole.json(), { status: 'error', project_id: 999_999, payment_id: 'whole-id' }, 'a whole number is echoed');
});
