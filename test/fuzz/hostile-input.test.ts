import t from 'tap';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, PROJECT_ID } from '../helpers/sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { matchCounted } from '../helpers/promises.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const GATE_PATHS = [
  '/v2/payment/wallet/paymaya/sale', '/v2/payment/wallet/paymaya/payout', '/v2/payment/wallet/paymaya/refund',
  '/v2/payment/refund', '/v2/payment/status', '/v2/payment/wallet/%F0%9F%92%A5/sale',
];
const JSON_SURFACES = [...GATE_PATHS, '/operations/get', '/v1/operations/get', '/_sandbox/clock/advance', '/_sandbox/clock', '/_sandbox/reset', '/_sandbox/projects', '/_sandbox/conformance', `/_sandbox/payments/${PROJECT_ID}/x/complete`];
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', ''];

const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'general', 'payment', 'signature', 'a:b', ''), fc.string(), fc.string({ unit: 'binary', maxLength: 8 }));
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, '', ' ', '0', '09171234567', 'PHP', '<script>alert(1)</script>'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A structurally plausible Gate body with random holes and wrong types, so validation is reached. */
const gateShaped = fc.record({
  general: fc.option(fc.record({ project_id: fc.oneof(fc.constant(PROJECT_ID), hostileValue), payment_id: hostileValue, signature: hostileValue }, { requiredKeys: [] }), { nil: undefined }),
  payment: fc.option(fc.record({ amount: hostileValue, currency: hostileValue, description: hostileValue }, { requiredKeys: [] }), { nil: undefined }),
  customer: fc.option(fc.dictionary(hostileKey, hostileValue, { maxKeys: 4 }), { nil: undefined }),
  account: fc.option(fc.dictionary(hostileKey, hostileValue, { maxKeys: 4 }), { nil: undefined }),
  callback: fc.option(fc.record({ delay: hostileValue, force_disable: hostileValue }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: [] });

function textOf(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

async function storedPayments(app: FastifyInstance): Promise<number> {
  const page = await app.inject({ url: '/dashboard/payments' });
  const count = /(\d+) payment\(s\)/.exec(page.body)?.[1];
  if (count === undefined) throw new Error(`the payments list shows no count: HTTP ${page.statusCode} ${page.body.slice(0, 300)}`);
  return Number(count);
}

interface Answer { statusCode: number; body: string; headers: Record<string, unknown> }

/** What a JSON surface answered, when it is ECommPay's error envelope; otherwise an error saying what it was. */
function envelopeOf(response: Answer, where: string): { code: string; message: string; errors: Array<Record<string, unknown>> } {
  if (response.statusCode >= 500) throw new Error(`${where}: HTTP ${response.statusCode} ${response.body.slice(0, 300)}`);
  const body = JSON.parse(response.body) as { status?: unknown; code?: unknown; message?: unknown; errors?: unknown };
  if (body.status !== 'error' || typeof body.code !== 'string' || typeof body.message !== 'string' || !Array.isArray(body.errors)) {
    throw new Error(`${where}: not the error envelope: HTTP ${response.statusCode} ${response.body.slice(0, 300)}`);
  }
  return body as { code: string; message: string; errors: Array<Record<string, unknown>> };
}

/** Any answer of a JSON surface to a random body: a success, or the error envelope; never a 500. */
function assertEnvelope(response: Answer, where: string): void {
  if (response.statusCode === 200 || response.statusCode === 201) return;
  envelopeOf(response, where);
}

/** The keys Fastify's JSON parser refuses as a whole body (2003, no field to name): the explicit-limits test covers them. */
const PROTOTYPE_KEY = /"(__proto__|constructor)":/;

/** A refusal of a wrong body: 4xx, the envelope, and errors that each name a field (a body-level 2003 only for a prototype key). */
function assertFieldRefusal(response: Answer, sent: string, where: string): void {
  if (response.statusCode < 400) throw new Error(`${where}: a wrong body was accepted (HTTP ${response.statusCode}): ${sent.slice(0, 300)} -> ${response.body.slice(0, 300)}`);
  const envelope = envelopeOf(response, where);
  if (envelope.errors.length === 0) throw new Error(`${where}: refused with no errors listed: ${response.body.slice(0, 300)}`);
  if (envelope.code === '2003' && PROTOTYPE_KEY.test(sent)) return;
  const unnamed = envelope.errors.filter((e) => typeof e.field !== 'string' || e.field === '' || typeof e.message !== 'string' || e.message === '');
  if (unnamed.length > 0) throw new Error(`${where}: an error names no field: ${JSON.stringify(unnamed)} for ${sent.slice(0, 300)}`);
}

t.test('JSON surfaces answer random and malformed bodies in their error format, never a 500, and store nothing', async (t) => {
  const { app } = await buildTestSandbox(t);
  const before = await storedPayments(app);
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...JSON_SURFACES),
    fc.oneof(hostileValue.map(textOf), gateShaped.map(textOf), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }),
      gateShaped.map((v) => textOf(v)).chain((text) => fc.nat({ max: text.length }).map((cut) => text.slice(0, cut)))),
    fc.constantFrom(...CONTENT_TYPES),
    async (url, payload, contentType) => {
      const response = await app.inject({ method: 'POST', url, payload, headers: contentType === '' ? {} : { 'content-type': contentType } });
      assertEnvelope(response, `${url} ${contentType}`);
    },
  ), { numRuns: RUNS });
  t.equal(await storedPayments(app), before, 'no refused request stored a payment');
});

t.test('signed but wrong Gate bodies are refused with field errors and nothing is stored', async (t) => {
  const { app } = await buildTestSandbox(t);
  let refused = 0;
  await fc.assert(fc.asyncProperty(gateShaped, fc.constantFrom(...GATE_PATHS.slice(0, 5)), async (shape, url) => {
    const body = { ...(shape as Record<string, unknown>), general: { project_id: PROJECT_ID, payment_id: 'fuzz', ...(shape.general as object | undefined) } };
    const payload = JSON.stringify(signed(body as { general: Record<string, unknown> }));
    const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
    assertFieldRefusal(response, payload, url);
    refused++;
  }), { numRuns: RUNS });
  t.equal(refused, RUNS, `each of the ${RUNS} bodies was refused with field errors`);
  t.equal(await storedPayments(app), 0, 'no payment was stored');
});

t.test('explicit limits: an oversized body is 413, deep nesting and prototype keys are 2003', async (t) => {
  const { app, sandbox } = await buildTestSandbox(t);
  const huge = JSON.stringify({ ...saleBody('big'), pad: 'x'.repeat(1024 * 1024 + 10) });
  const tooLarge = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: huge, headers: { 'content-type': 'application/json' } });
  t.equal(tooLarge.statusCode, 413);
  matchCounted(t, tooLarge.json(), { status: 'error', code: '702', errors: [{ message: /larger than the sandbox accepts/ }] });
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const nested = await app.inject({ method: 'POST', url: '/v2/payment/status', payload: deep, headers: { 'content-type': 'application/json' } });
  t.equal(nested.statusCode, 400);
  t.match(nested.json(), { code: '2003' });
  const deepObject = JSON.stringify(signed({ ...saleBody('deep'), extra: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }));
  matchCounted(t, (await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: deepObject, headers: { 'content-type': 'application/json' } })).json(), { code: '2003', errors: [{ message: /nested deeper than 32/ }] });
  for (const key of ['__proto__', 'constructor']) {
    const poisoned = `{"general":{"project_id":${PROJECT_ID},"payment_id":"p"},"${key}":{"prototype":{"polluted":true},"polluted":true}}`;
    const response = await app.inject({ method: 'POST', url: '/v2/payment/status', payload: poisoned, headers: { 'content-type': 'application/json' } });
    t.equal(response.statusCode, 400, key);
    t.match(response.json(), { code: '2003' });
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  const longId = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: signed(saleBody('x'.repeat(300))) });
  matchCounted(t, longId.json(), { code: '2004', errors: [{ field: 'general.payment_id' }] });
  t.equal(await sandbox.lookup.find(PROJECT_ID, 'big'), undefined);
});

/** The JSON tools among the paths the page fuzz visits: the SDK validators and the control API's lists. */
const JSON_TOOL = /^\/(v1\/)?params\/check$|^\/_sandbox\//;

/** A page answers with an HTML document, or sends the browser on (303) to one. */
async function assertHtmlPage(app: FastifyInstance, response: Answer, where: string): Promise<void> {
  if (response.statusCode >= 500) throw new Error(`${where}: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
  if (response.statusCode === 303) {
    const location = String(response.headers.location ?? '');
    if (!location.startsWith('/')) throw new Error(`${where}: 303 to ${location || 'nowhere'}`);
    return assertHtmlPage(app, await app.inject({ url: location }), `${where} -> ${location}`);
  }
  if (!/^text\/html\b/.test(String(response.headers['content-type'])) || !/^<!doctype html>/i.test(response.body) || !/<\/html>\s*$/.test(response.body)) {
    throw new Error(`${where}: HTTP ${response.statusCode} is not an HTML page (${String(response.headers['content-type'])}): ${response.body.slice(0, 200)}`);
  }
}

/** A JSON tool answers JSON: a success, or an error that lists what was wrong. */
function assertJsonAnswer(response: Answer, where: string): void {
  if (response.statusCode >= 500) throw new Error(`${where}: HTTP ${response.statusCode} ${response.body.slice(0, 200)}`);
  if (!/^application\/json\b/.test(String(response.headers['content-type']))) throw new Error(`${where}: HTTP ${response.statusCode} answered ${String(response.headers['content-type'])}: ${response.body.slice(0, 200)}`);
  if (response.statusCode === 200) return;
  const body = JSON.parse(response.body) as { status?: unknown; errors?: unknown };
  if (body.status !== 'error' || !Array.isArray(body.errors) || body.errors.length === 0) throw new Error(`${where}: an error without its list: ${response.body.slice(0, 200)}`);
}

t.test('pages answer random query strings and form bodies with an HTML page (the JSON tools among them with JSON), never a 500', async (t) => {
  const { app } = await buildTestSandbox(t);
  // Each part says whether its value goes raw (so `%`, `&` and `=` reach the parser) or encoded: drawn by
  // fast-check, so a failure replays from its seed.
  const queryPart = fc.tuple(fc.oneof(fc.constantFrom('project_id', 'payment_id', 'payment_amount', 'payment_currency', 'customer_id', 'customer_email', 'signature', 'best_before', 'force_payment_method', 'status', 'from', 'page', 'tokenid', 'q', '_x', 'frame_mode'), fc.string({ maxLength: 6 })), fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('445', '1', '-1', 'true', '%', '%zz', '2026-13-45')), fc.boolean());
  let pages = 0;
  let tools = 0;
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('/payment', '/params/check', '/v1/params/check', '/paymaya/checkout', '/paymaya/result', '/payment/result', '/dashboard/payments', '/dashboard/analytics', '/dashboard/conformance', '/_sandbox/callbacks', '/_sandbox/inbox', '/_sandbox/mail', '/_sandbox/conformance'),
    fc.array(queryPart, { maxLength: 8 }),
    async (path, parts) => {
      const query = parts.map(([k, v, raw]) => `${encodeURIComponent(k)}=${raw ? v : encodeURIComponent(v)}`).join('&');
      const response = await app.inject({ url: `${path}?${query}` });
      if (JSON_TOOL.test(path)) {
        assertJsonAnswer(response, `${path}?${query}`);
        tools++;
      } else {
        await assertHtmlPage(app, response, `${path}?${query}`);
        pages++;
      }
    },
  ), { numRuns: RUNS });
  await fc.assert(fc.asyncProperty(
    fc.constantFrom('/payment/submit', '/payment/retry', '/payment', '/paymaya/checkout', '/dashboard/login', '/dashboard/manual/payout', '/dashboard/clock/advance', '/dashboard/conformance'),
    fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.array(queryPart, { maxLength: 6 }).map((parts) => new URLSearchParams(parts.map(([k, v]) => [k, v])).toString())),
    fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
    async (path, payload, contentType) => {
      const response = await app.inject({ method: 'POST', url: path, payload, headers: { 'content-type': contentType } });
      await assertHtmlPage(app, response, `${path} ${contentType}`);
      pages++;
    },
  ), { numRuns: RUNS });
  t.equal(pages + tools, 2 * RUNS, 'every request was answered as its kind of surface answers');
  t.ok(pages > 0 && tools > 0, `${pages} page answers and ${tools} JSON tool answers checked`);
});

t.test('the NUL character is refused in any field of every surface, naming the field, and nothing is stored', async (t) => {
  const { app } = await buildTestSandbox(t);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['nul-\u0000-id', {}, 'general.payment_id'],
    ['nul-2', { payment: { amount: 5000, currency: 'PHP', description: 'a\u0000b' } }, 'payment.description'],
    ['nul-3', { customer: { id: 'c\u0000', ip_address: '203.0.113.7' } }, 'customer.id'],
  ];
  for (const [id, overrides, field] of cases) {
    const response = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: signed(saleBody(id, overrides)) });
    t.equal(response.statusCode, 400, field);
    matchCounted(t, response.json(), { status: 'error', code: '2004', errors: [{ field, message: /NUL character/ }] }, field);
  }
  t.equal(await storedPayments(app), 0, 'nothing stored');
  const control = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { secret_key: 's', name: 'x\u0000' } });
  matchCounted(t, control.json(), { code: '2004', errors: [{ field: 'name' }] });
  const page = await app.inject({ url: `/payment?project_id=${PROJECT_ID}&payment_id=p%00&payment_amount=100&payment_currency=PHP&customer_id=c&signature=x` });
  t.equal(page.statusCode, 400);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /payment_id/);
  for (const path of ['/params/check', '/v1/params/check']) {
    const validator = await app.inject({ url: `${path}?project_id=${PROJECT_ID}&payment_id=p%00&payment_amount=100&payment_currency=PHP&customer_id=c` });
    t.equal(validator.statusCode, 400, path);
    t.match(validator.headers['content-type'], /^application\/json/, `${path} answers in its own format, JSON`);
    matchCounted(t, validator.json(), { status: 'error', errors: [{ field: 'payment_id', message: /NUL character/ }] }, path);
  }
});
