import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromRoot } from '../../src/project-root.js';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { compileEveryComponent, contractDocument } from '../helpers/contract.js';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as { default: new (options: object) => { compile(schema: object): unknown } };

t.test('GET /openapi.json serves the document generated from schemas/, and openapi.json in the repository is that document', async (t) => {
  const { app } = await buildTestSandbox(t);
  const response = await app.inject({ url: '/openapi.json' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json/);
  const served = response.json() as Record<string, any>;
  t.equal(served.openapi, '3.1.0');
  t.same(served, contractDocument, 'served as generated');
  t.same(JSON.parse(readFileSync(fromRoot('openapi.json'), 'utf8')), served, 'openapi.json is up to date (npm run openapi writes it)');
});

t.test('every Gate, Data API and control API route is in the document, and every path of the document is a route', async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.ready();
  // printRoutes draws a tree: a child line names the rest of its parent's path.
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at === -1) continue;
    const depth = Math.round((at - 1) / 4);
    const match = /^(\S*)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3).trim());
    if (match === null) continue;
    const path = `${depth === 0 ? '' : stack[depth - 1] ?? ''}${match[1] as string}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[2] ?? '').split(', ')) if (method === 'GET' || method === 'POST') routes.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  const api = [...routes].filter((r) => /^(GET|POST) (\/v2\/|\/v1\/operations|\/operations|\/_sandbox\/)/.test(r));
  t.ok(api.length > 40, `${api.length} API routes found`);
  const documented = new Set(Object.entries(contractDocument.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)));
  // The document names the path parameter by what it is; the routes by their own names.
  const normal = (route: string) => route.replace(/\{[^}]+\}/g, '{}');
  const documentedNormal = new Set([...documented].map(normal));
  t.same(api.filter((r) => !documentedNormal.has(normal(r))), [], 'no route left out');
  const routeNormal = new Set([...routes].map(normal));
  t.same([...documented].filter((d) => !routeNormal.has(normal(d))), [], 'no path that is not a route');
  for (const card of ['/v2/payment/card/sale', '/v2/payment/card/auth', '/v2/payment/card/account_verification', '/v2/payment/card/3ds_check_iframe',
    '/v2/payment/card/3ds_result', '/v2/payment/{method}/capture', '/v2/payment/{method}/cancel', '/v2/payment/{method}/refund',
    '/v2/payment/{method}/recurring', '/v2/payment/status/request', '/v2/payment/clarification']) {
    t.ok(documented.has(`POST ${card}`), `the card endpoint ${card} is documented`);
  }
});

t.test('the document describes callbacks as webhooks with the signature, errors with their envelope, and the fields not acted on', async (t) => {
  const doc = contractDocument as Record<string, any>;
  t.same(Object.keys(doc.webhooks).sort(), ['paymentCallback', 'prescriptiveCallback']);
  t.match(doc.webhooks.paymentCallback.post.description, /HMAC-SHA512/);
  t.match(doc.info.description, /HMAC-SHA512 .* keyed with the project's secret key/s);
  t.same(doc.paths['/v2/payment/card/sale'].post.responses['400'].content['application/json'].schema, { $ref: '#/components/schemas/answers.error' });
  t.same(doc.components.schemas['gate.defs.general'].properties.signature.type, 'string', 'the Gate signature is a field of general');
  t.ok(doc.components.schemas['answers.gate-status'].required.includes('signature'), 'a status answer carries its signature');
  t.ok(doc.paths['/v2/payment/wallet/{method}/sale'].post['x-sandbox-not-acted-on'].includes('interface_type'));
  t.ok(doc.paths['/payment'].get['x-sandbox-not-acted-on'].includes('receipt_data'));
  t.ok(doc.paths['/payment'].get.parameters.some((p: { name: string; required: boolean }) => p.name === 'payment_amount' && p.required), 'the Payment Page\'s parameters');
});

t.test('Ajv compiles every schema of the document in strict mode, so a broken schema cannot pass silently', async (t) => {
  const names = compileEveryComponent();
  t.ok(names.length > 30, `${names.length} schemas compiled`);
  const strict = new Ajv2020.default({ strict: true });
  t.throws(() => strict.compile({ type: 'object', required: ['id'], properties: { name: { type: 'string' } } }), /strict mode: required property "id" is not defined/, 'a required member without its schema is refused');
  t.throws(() => strict.compile({ type: 'object', properties: { id: { typ: 'string' } } }), /strict mode: unknown keyword: "typ"/, 'a misspelt keyword is refused');
});
