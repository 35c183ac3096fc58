// The contract as an OpenAPI 3.1 document, generated from schemas/ (one source): every Gate endpoint, the Data
// API, the control API, the Payment Page's parameters, and the callbacks as webhooks. Each schema file becomes a
// component (its `$id` dropped, its references rewritten to point inside the document); this file adds only what
// a schema cannot say: paths, statuses, descriptions and the ECommPay fields the sandbox knows but does not act on.
// Served at GET /openapi.json and kept in the repository as openapi.json (npm run openapi writes it).
import { packageVersion } from './config.js';
import { schemaFiles } from './schema-registry.js';

type Json = Record<string, unknown>;

/** The component a schema file becomes (`gate/sale.json` → `gate.sale`), or one of its `$defs` (`gate.defs.general`). */
export function componentName(schemaId: string, def?: string): string {
  const file = schemaId.replace(/\.json$/, '').replaceAll('/', '.');
  return def === undefined ? file : `${file}.${def}`;
}

const ref = (schemaId: string, def?: string): Json => ({ $ref: `#/components/schemas/${componentName(schemaId, def)}` });

/** A reference of a schema file, made absolute inside the document: `defs.json#/$defs/x/…` → `#/components/schemas/gate.defs.x/…`. */
function rewriteRef(value: string, fromId: string): string {
  const [path, fragment = ''] = value.split('#') as [string, string?];
  const targetId = path === '' ? fromId : new URL(path, `https://schemas.invalid/${fromId}`).pathname.slice(1);
  const def = /^\/\$defs\/([^/]+)(.*)$/.exec(fragment);
  return def === null ? `#/components/schemas/${componentName(targetId)}${fragment}` : `#/components/schemas/${componentName(targetId, def[1])}${def[2]}`;
}

function rewrite(node: unknown, fromId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, fromId));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = rewriteRef(value, fromId);
    else if (key === 'properties' && typeof value === 'object' && value !== null) {
      // Property names are data, not keywords: a property called `$ref` or `$id` stays as it is.
      out.properties = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, rewrite(schema, fromId)]));
    } else out[key] = rewrite(value, fromId);
  }
  return out;
}

/** Every schema file and each of its `$defs` as components (a file of `$defs` only gives its definitions). */
export function allComponents(): Record<string, Json> {
  const components: Record<string, Json> = {};
  for (const file of schemaFiles()) {
    const { $id: _id, $defs: defs, ...schema } = JSON.parse(file.text) as Json;
    for (const [name, def] of Object.entries((defs ?? {}) as Record<string, unknown>)) components[componentName(file.id, name)] = rewrite(def, file.id) as Json;
    if (Object.keys(schema).some((key) => key !== 'title' && key !== 'description')) components[componentName(file.id)] = rewrite(schema, file.id) as Json;
  }
  return components;
}

/** The components `roots` reach through their references, and those they reach in turn. */
function reachable(roots: unknown, components: Record<string, Json>): Record<string, Json> {
  const kept: Record<string, Json> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
          const name = value.slice('#/components/schemas/'.length).split('/')[0] as string;
          if (kept[name] === undefined && components[name] !== undefined) {
            kept[name] = components[name];
            visit(components[name]);
          }
        } else visit(value);
      }
    }
  };
  visit(roots);
  return Object.fromEntries(Object.keys(kept).sort().map((name) => [name, kept[name] as Json]));
}

const ERROR = ref('answers/error.json');
const json = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });

const ERROR_WORDS: Record<string, string> = {
  400: 'Refused: a field is missing or wrong (2004 naming the field), bad JSON (2003), or the payment\'s state forbids it (3060, …)',
  401: 'Refused: an empty or wrong signature (3262, 3261), an unknown project (2442), a bad token (303, 3123)',
  403: 'Refused: the token is not of this project (303), or a quota is full (310)',
  404: 'Refused: no such payment (3061), method (2541) or project (2442)',
  409: 'Refused: the payment id (3041) or refund id (3230) is already used',
  413: 'Refused: the body is larger than the sandbox accepts (702)',
  415: 'Refused: the body is not JSON (2003)',
  429: 'Refused: over the project\'s requests per second (601 Try again)',
};

function errors(statuses: number[]): Json {
  return Object.fromEntries(statuses.map((status) => [String(status), json(ERROR, ERROR_WORDS[status] ?? 'Refused')]));
}

const GATE_ERRORS = [400, 401, 403, 404, 409, 413, 429];

/** ECommPay fields of Gate requests that the sandbox accepts and signs but does not act on. */
const GATE_NOT_ACTED_ON = [
  'interface_type', 'receipt_data', 'addendum', 'merchant', 'authentication_data', 'customer.first_name', 'customer.last_name', 'customer.country',
  'customer.city', 'customer.state', 'customer.street', 'customer.address', 'customer.zip', 'customer.day_of_birth', 'customer.identify',
  'customer.billing', 'customer.browser', 'customer.accept_header', 'customer.language', 'customer.screen_res', 'customer.js_enabled',
  'customer.java_enabled', 'customer.color_depth', 'customer.timezone_offset', 'customer.account', 'customer.shipping', 'customer.mpi_result',
  'recurring.period', 'recurring.interval', 'recurring.time', 'recurring.start_date', 'card.save',
];

interface GateOperation { path: string; id: string; summary: string; request: string; answer: 'accepted' | 'status' | 'refusal'; method?: boolean }

const GATE: GateOperation[] = [
  { path: '/v2/payment/wallet/{method}/sale', id: 'walletSale', summary: 'A wallet purchase (the customer is redirected to the wallet)', request: 'gate/sale.json', answer: 'accepted', method: true },
  { path: '/v2/payment/wallet/{method}/payout', id: 'walletPayout', summary: 'A payout to a wallet account', request: 'gate/payout.json', answer: 'accepted', method: true },
  { path: '/v2/payment/wallet/{method}/refund', id: 'walletRefund', summary: 'A wallet refund: refused as the platform refuses it (3610)', request: 'gate/refund.json', answer: 'refusal', method: true },
  { path: '/v2/payment/card/sale', id: 'cardSale', summary: 'A host-to-host card purchase (3-D Secure as the card asks)', request: 'gate/card-payment.json', answer: 'accepted' },
  { path: '/v2/payment/card/auth', id: 'cardAuth', summary: 'A host-to-host card hold, captured or cancelled later', request: 'gate/card-payment.json', answer: 'accepted' },
  { path: '/v2/payment/card/account_verification', id: 'cardAccountVerification', summary: 'A card account verification (amount 0)', request: 'gate/card-payment.json', answer: 'accepted' },
  { path: '/v2/payment/card/3ds_check_iframe', id: 'card3dsCheckIframe', summary: 'Whether the 3DS Method iframe completed', request: 'gate/threeds.json', answer: 'accepted' },
  { path: '/v2/payment/card/3ds_result', id: 'card3dsResult', summary: 'The ACS\'s cres (or PaRes) back to the platform', request: 'gate/threeds.json', answer: 'accepted' },
  { path: '/v2/payment/{method}/capture', id: 'capture', summary: 'Captures a hold (card, applepay, googlepay)', request: 'gate/capture.json', answer: 'accepted', method: true },
  { path: '/v2/payment/{method}/cancel', id: 'cancel', summary: 'Cancels a hold (card, applepay, googlepay)', request: 'gate/capture.json', answer: 'accepted', method: true },
  { path: '/v2/payment/{method}/refund', id: 'cardRefund', summary: 'Refunds a card-family payment in whole or in part', request: 'gate/refund.json', answer: 'accepted', method: true },
  { path: '/v2/payment/{method}/recurring', id: 'recurringDebit', summary: 'Debits a saved card (COF)', request: 'gate/recurring.json', answer: 'accepted', method: true },
  { path: '/v2/payment/refund', id: 'refund', summary: 'Refunds a payment by its id (card payments; a wallet payment is refused with 3610)', request: 'gate/refund.json', answer: 'accepted' },
  { path: '/v2/payment/clarification', id: 'clarification', summary: 'The data a payment awaiting clarification asked for (AVS)', request: 'gate/clarification.json', answer: 'accepted' },
  { path: '/v2/payment/status', id: 'status', summary: 'The payment and all its operations, signed', request: 'gate/status.json', answer: 'status' },
  { path: '/v2/payment/status/request', id: 'statusByRequest', summary: 'The payment of a request id, signed (signed at the top level)', request: 'gate/status-request.json', answer: 'status' },
];

function gatePaths(): Json {
  return Object.fromEntries(GATE.map((op) => {
    const answer = op.answer === 'status'
      ? { 200: json(ref('answers/gate-status.json'), 'The payment and its operations, signed with the project\'s secret') }
      : op.answer === 'accepted' ? { 200: json(ref('answers/gate-accepted.json'), 'Accepted; callbacks tell how the payment goes on') }
        : { 200: json(ref('answers/gate-accepted.json'), 'Accepted where a method refunds; no wallet method of the sandbox\'s catalogue does, so each refuses with 3610') };
    return [op.path, {
      post: {
        operationId: op.id, summary: op.summary, tags: ['Gate'], security: [],
        ...(op.method === true ? { parameters: [{ name: 'method', in: 'path', required: true, description: 'The method\'s Gate code: paymaya, gcash, …; card, applepay or googlepay', schema: { type: 'string' } }] } : {}),
        requestBody: { required: true, description: 'Signed with the project\'s secret in `general.signature`', content: { 'application/json': { schema: ref(op.request) } } },
        responses: { ...answer, ...errors(GATE_ERRORS) },
        'x-sandbox-not-acted-on': GATE_NOT_ACTED_ON,
      },
    }];
  }));
}

function dataApiPaths(): Json {
  const operation = (id: string) => ({
    post: {
      operationId: id, summary: 'Operations of a period, by the Data API token\'s projects', tags: ['Data API'], security: [],
      requestBody: { required: true, description: 'Signed with the token\'s secret in `signature`', content: { 'application/json': { schema: ref('data-api/operations-get.json') } } },
      responses: { 200: json(ref('answers/data-api-operations.json'), 'The operations, signed with the token\'s secret'), ...errors([400, 401, 403, 413]) },
    },
  });
  return { '/operations/get': operation('dataApiOperationsGet'), '/v1/operations/get': operation('dataApiOperationsGetV1') };
}

function paymentPagePaths(): Json {
  const params = (JSON.parse(schemaFiles().find((f) => f.id === 'payment-page/params.json')?.text ?? '{}') as { properties: Record<string, Json>; required: string[] });
  const parameters = Object.entries(params.properties).map(([name, schema]) => ({
    name, in: 'query', required: params.required.includes(name), description: String(schema.description ?? name), schema: (({ description: _d, ...rest }) => rest)(schema),
  }));
  const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
  return {
    '/payment': {
      get: {
        operationId: 'paymentPage', summary: 'Opens the Payment Page for a payment', tags: ['Payment Page'], security: [], parameters,
        description: 'The same parameters may be POSTed as a form. Those marked "not acted on" are accepted and signed as they are.',
        responses: { 200: html('The page: the method list, or the method forced'), 400: html('A page naming the parameters at fault'), 401: html('A page naming a wrong signature') },
        'x-sandbox-not-acted-on': Object.entries(params.properties).filter(([, s]) => String(s.description ?? '').includes('not acted on')).map(([name]) => name),
      },
    },
  };
}

interface ControlOperation { method: 'get' | 'post'; path: string; id: string; summary: string; body?: string; answer: string | 'stream'; status?: number; open?: boolean; query?: string[] }

const CONTROL: ControlOperation[] = [
  { method: 'get', path: '/_sandbox/health', id: 'health', summary: 'Whether the instance answers; its storage and instance id', answer: 'health', open: true },
  { method: 'get', path: '/_sandbox/scenarios', id: 'scenarios', summary: 'The scenario catalogue', answer: 'scenarios' },
  { method: 'post', path: '/_sandbox/reset', id: 'reset', summary: 'Deletes a project\'s payments (or all)', body: 'sandbox/reset.json', answer: 'reset' },
  { method: 'post', path: '/_sandbox/projects', id: 'createProject', summary: 'A self-service project with its own control token', body: 'sandbox/project.json', answer: 'projectCreated', status: 201, open: true },
  { method: 'get', path: '/_sandbox/projects', id: 'projects', summary: 'The projects the token sees', answer: 'projects' },
  { method: 'get', path: '/_sandbox/audit', id: 'audit', summary: 'The audit log', answer: 'audit', query: ['project_id', 'limit', 'offset'] },
  { method: 'get', path: '/_sandbox/clock', id: 'clock', summary: 'The clock (of a project)', answer: 'clock', query: ['project_id'] },
  { method: 'post', path: '/_sandbox/clock', id: 'setClock', summary: 'Sets the manual clock to a date', body: 'sandbox/clock-set.json', answer: 'clock' },
  { method: 'post', path: '/_sandbox/clock/advance', id: 'advanceClock', summary: 'Advances the manual clock and runs what fell due', body: 'sandbox/advance.json', answer: 'clock' },
  { method: 'get', path: '/_sandbox/payments/{projectId}/{paymentId}', id: 'paymentReport', summary: 'A payment with its operations, callbacks and timers', answer: 'paymentReport' },
  { method: 'post', path: '/_sandbox/payments/{projectId}/{paymentId}/complete', id: 'completePayment', summary: 'Forces a payment\'s outcome', body: 'sandbox/complete.json', answer: 'paymentReport' },
  { method: 'post', path: '/_sandbox/payments/{projectId}/{paymentId}/capture', id: 'capturePayment', summary: 'Debits a card payment\'s hold, all of it or part (the rest released)', body: 'sandbox/capture.json', answer: 'paymentReport' },
  { method: 'post', path: '/_sandbox/payments/{projectId}/{paymentId}/cancel', id: 'cancelPayment', summary: 'Releases a card payment\'s hold, all of it or part', body: 'sandbox/capture.json', answer: 'paymentReport' },
  { method: 'post', path: '/_sandbox/payments/{projectId}/{paymentId}/refund', id: 'refundPayment', summary: 'Refunds part or all of what a card payment debited', body: 'sandbox/refund.json', answer: 'paymentReport' },
  { method: 'get', path: '/_sandbox/callbacks', id: 'callbacks', summary: 'The callback log with every attempt', answer: 'callbacks', query: ['project_id', 'payment_id', 'state', 'limit', 'offset'] },
  { method: 'post', path: '/_sandbox/callbacks/{id}/replay', id: 'replayCallback', summary: 'Sends a callback again as a new delivery', answer: 'replay' },
  { method: 'get', path: '/_sandbox/inbox', id: 'inbox', summary: 'Callbacks of payments without a callback URL', answer: 'inbox', query: ['project_id', 'limit', 'offset'] },
  { method: 'get', path: '/_sandbox/mail', id: 'mail', summary: 'The e-mails the sandbox sent customers', answer: 'mail', query: ['project_id', 'to', 'limit', 'offset'] },
  { method: 'post', path: '/_sandbox/conformance', id: 'runConformance', summary: 'Runs the merchant conformance kit against a callback URL', body: 'sandbox/conformance.json', answer: 'conformanceRun' },
  { method: 'get', path: '/_sandbox/conformance', id: 'conformanceRuns', summary: 'The kept conformance reports', answer: 'conformanceRuns', query: ['project_id', 'limit', 'offset'] },
  { method: 'get', path: '/_sandbox/conformance/{id}', id: 'conformanceRun', summary: 'One kept conformance report', answer: 'conformanceRun' },
  { method: 'get', path: '/_sandbox/recurring', id: 'savedCards', summary: 'Saved cards (COF registrations)', answer: 'recurringList', query: ['project_id', 'customer_id', 'limit', 'offset'] },
  { method: 'post', path: '/_sandbox/recurring/{projectId}/{id}/cancel', id: 'cancelSavedCard', summary: 'Cancels a saved card as the merchant or the issuer', body: 'sandbox/recurring-cancel.json', answer: 'recurringOne' },
  { method: 'get', path: '/_sandbox/listen', id: 'listen', summary: 'A listener\'s stream of its project\'s callbacks (server-sent events; ecommpay-sandbox listen)', answer: 'stream', query: ['project_id'] },
  { method: 'post', path: '/_sandbox/listen/answers', id: 'listenAnswer', summary: 'What the shop answered to a forwarded callback: the delivery attempt', body: 'sandbox/listen-answer.json', answer: 'ok' },
  { method: 'get', path: '/_sandbox/listen/status', id: 'listenStatus', summary: 'Whether the project is listened to, and by how many listeners', answer: 'listenStatus', query: ['project_id'] },
  { method: 'post', path: '/_sandbox/listen/release', id: 'listenRelease', summary: 'Hands the project\'s callbacks back to their URLs', body: 'sandbox/listen-release.json', answer: 'listenStatus' },
];

const QUERY: Record<string, Json> = {
  project_id: { type: 'integer', minimum: 1 }, payment_id: { type: 'string' }, customer_id: { type: 'string' }, to: { type: 'string' },
  state: { enum: ['queued', 'scheduled', 'delivered', 'failed'] }, limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 },
};

const LISTEN_STREAM = [
  'Server-sent events: `ready` {listener_id, project_id, instance} once connected, then one `callback` event per delivery attempt',
  '{handoff_id, callback_id, payment_id, attempt, headers, body, timeout_ms}, and a `: ping` comment every 15 s. The listener POSTs',
  'the shop\'s answer to /_sandbox/listen/answers; a listener that drops leaves its unanswered callbacks to the retry ladder.',
].join(' ');

function controlPaths(): Json {
  const paths: Record<string, Json> = {};
  for (const op of CONTROL) {
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = (op.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: QUERY[name] }));
    const success = op.answer === 'stream'
      ? { description: LISTEN_STREAM, content: { 'text/event-stream': { schema: { type: 'string' } } } }
      : json(ref('answers/control.json', op.answer), op.summary);
    const isOpen = op.open === true;
    // Open routes refuse only a token that matches nobody.
    const refusals = op.path === '/_sandbox/health' ? [401] : [400, 401, 403, 404, 409, 413, 415, 429].filter((s) => s !== 409 || op.method === 'post');
    paths[op.path] ??= {};
    (paths[op.path] as Json)[op.method] = {
      operationId: op.id, summary: op.summary, tags: ['Control API'],
      security: isOpen ? [{}, { controlToken: [] }] : [{ controlToken: [] }],
      ...(pathParams.length + query.length > 0 ? { parameters: [...pathParams, ...query] } : {}),
      ...(op.body === undefined ? {} : { requestBody: { required: op.method === 'post' && !['sandbox/reset.json', 'sandbox/complete.json', 'sandbox/capture.json', 'sandbox/recurring-cancel.json', 'sandbox/listen-release.json'].includes(op.body), content: { 'application/json': { schema: ref(op.body) } } } }),
      responses: { [String(op.status ?? 200)]: success, ...errors(refusals) },
    };
  }
  return paths;
}

const SIGNATURE = `## Signatures

Gate requests, status answers, Data API bodies and callbacks are signed the same way: every member but \`signature\`
is flattened into \`path:value\` strings (nested objects as \`parent:child:value\`, arrays by index, booleans as 1
or 0, null as an empty string), the strings are sorted and joined with \`;\`, and the signature is the Base64 of the
HMAC-SHA512 of that text keyed with the project's secret key (the Data API: the token's secret). A Gate request
carries it in \`general.signature\`; answers, callbacks and Data API bodies at the top level (\`signature\`). The
Payment Page signs its parameters alike (sorted \`name:value\`, \`frame_mode\` and \`_…\` parameters left out).
ECommPay callbacks are signed inside the body, so a callback cannot be re-signed by anyone without the secret:
forward it byte for byte.`;

const DESCRIPTION = `The contract of ecommpay-sandbox, a local stand-in for the ECommPay payment platform: the Gate
(host-to-host requests), the Data API, the Payment Page's parameters, the sandbox's own control API (/_sandbox), and
every callback (webhooks). Generated from the JSON Schemas in the sandbox's schemas/ folder; the test suite checks
every answer and callback it sees against this document.

${SIGNATURE}

## Fields known but not acted on

Operations list in \`x-sandbox-not-acted-on\` the ECommPay fields the sandbox accepts (and signs as sent) but does
not act on; the Payment Page's parameters say so in their descriptions. Where this document differs from ECommPay's
published specification: docs/fidelity-notes.md.`;

const CALLBACK_WEBHOOK = (summary: string, description: string): Json => ({
  post: {
    operationId: `callback${summary.replace(/\W/g, '')}`, summary, description: `${description}\n\n${SIGNATURE}`, tags: ['Callbacks'], security: [],
    requestBody: { required: true, content: { 'application/json': { schema: ref('callbacks/callback.json') } } },
    responses: {
      200: { description: 'Delivered: the only answer that counts as delivered. Any other status, a time-out or no connection is retried on ECommPay\'s schedule (10 s apart, then longer, for up to 11 days).' },
      400: { description: 'Not delivered (a receiver refusing a forged signature answers so); retried' },
    },
  },
});

export function openApiDocument(): Json {
  const paths = { ...gatePaths(), ...dataApiPaths(), ...paymentPagePaths(), ...controlPaths() };
  const webhooks = {
    paymentCallback: CALLBACK_WEBHOOK('Payment', 'A payment\'s final (or refund, capture, cancel) callback: the payment and its last operation.'),
    prescriptiveCallback: CALLBACK_WEBHOOK('Prescriptive', 'A waiting payment\'s callback telling the merchant what to do next: `redirect_data` (send the customer to the wallet), `threeds2` (the 3DS Method iframe or the challenge) or `clarification_fields`.'),
  };
  return {
    openapi: '3.1.0',
    info: { title: 'ecommpay-sandbox', version: packageVersion, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'A sandbox started with the defaults' }],
    tags: [
      { name: 'Gate', description: 'Signed host-to-host requests under /v2/payment (ECommPay\'s Gate)' },
      { name: 'Data API', description: 'Operations by period, signed with a Data API token\'s secret' },
      { name: 'Payment Page', description: 'The hosted page\'s parameters' },
      { name: 'Control API', description: 'The sandbox\'s own tools: clock, forced outcomes, callbacks, projects, listeners' },
      { name: 'Callbacks', description: 'What the sandbox POSTs to a payment\'s callback URL' },
    ],
    paths,
    webhooks,
    components: {
      schemas: reachable({ paths, webhooks }, allComponents()),
      securitySchemes: { controlToken: { type: 'http', scheme: 'bearer', description: 'SANDBOX_ADMIN_TOKEN, or a project\'s control token (sbx_…). Without an admin token set, everything is open.' } },
    },
  };
}
