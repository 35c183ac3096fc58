// The contract check of the test harness: every Gate, Data API and control API answer a test sandbox gives
// (test/helpers/sandbox.ts hooks it in) and every callback a test receiver gets (test/helpers/receiver.ts) is
// validated against the OpenAPI document, with Ajv in strict mode on JSON Schema 2020-12 (OpenAPI 3.1's dialect).
// A drift between what the sandbox sends and what it promises fails the test that saw it.
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { openApiDocument } from '../../src/openapi.js';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020.js') as { default: new (options: object) => { addSchema(schema: object): void; getSchema(ref: string): ValidateFunction | undefined } };
const addFormats = require('ajv-formats') as { default: (ajv: unknown) => void };

type Json = Record<string, any>;

const document = openApiDocument() as Json;

/** The document's components as one JSON Schema: `#/components/schemas/X` becomes `#/$defs/X`. */
function asOneSchema(): Json {
  const text = JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/');
  return { $id: 'https://ecommpay-sandbox.invalid/openapi', $defs: JSON.parse(text) as Json };
}

const ajv = new Ajv2020.default({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addSchema(asOneSchema());

const validators = new Map<string, ValidateFunction>();

/** The validator of a schema of the document, given as `#/components/schemas/X` or inline. */
export function validatorOf(schema: Json): ValidateFunction {
  const key = typeof schema.$ref === 'string' ? schema.$ref as string : JSON.stringify(schema);
  let validate = validators.get(key);
  if (validate === undefined) {
    const target = typeof schema.$ref === 'string' ? `https://ecommpay-sandbox.invalid/openapi${(schema.$ref as string).replace('#/components/schemas/', '#/$defs/')}` : undefined;
    validate = target === undefined ? undefined : ajv.getSchema(target);
    if (validate === undefined) throw new Error(`the document has no schema ${key}`);
    validators.set(key, validate);
  }
  return validate;
}

/** Compiles every component: a schema that does not compile in strict mode fails here, not silently later. */
export function compileEveryComponent(): string[] {
  return Object.keys(document.components.schemas as Json).map((name) => {
    validatorOf({ $ref: `#/components/schemas/${name}` });
    return name;
  });
}

interface Route { method: string; pattern: RegExp; template: string; responses: Json }

const routes: Route[] = Object.entries(document.paths as Json).flatMap(([template, item]) => Object.entries(item as Json).map(([method, operation]) => ({
  method: method.toUpperCase(),
  template,
  // Literal segments win over templated ones: /v2/payment/card/sale is not /v2/payment/{method}/…
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  responses: (operation as Json).responses as Json,
}))).sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));

/** Answers checked: the Gate, the Data API and the control API. */
const CHECKED = /^(\/v2\/|\/v1\/operations\/get$|\/operations\/get$|\/_sandbox\/)/;

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`).join('; ');
}

/** What is wrong with an answer by the document, or undefined when it is as promised (or not one this check reads). */
export function answerViolation(method: string, url: string, status: number, contentType: string | undefined, body: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  if (!CHECKED.test(path)) return undefined;
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  const where = `${method} ${path} → ${status}`;
  if (route === undefined) {
    // An unknown route on a checked surface still answers with the error envelope.
    if (status !== 404) return `${where}: not in the document`;
    return check(validatorOf({ $ref: '#/components/schemas/answers.error' }), body, where);
  }
  const response = route.responses[String(status)] as Json | undefined;
  if (response === undefined) return `${where}: status ${status} is not documented for ${method} ${route.template}`;
  const content = response.content as Json | undefined;
  if (content === undefined) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
  const media = content[type] as Json | undefined;
  if (media === undefined) return `${where}: ${type || 'no content type'} is not documented (${Object.keys(content).join(', ')})`;
  if (type !== 'application/json') return undefined;
  return check(validatorOf(media.schema as Json), body, where);
}

function check(validate: ValidateFunction, body: string, where: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${where}: the body is not JSON`;
  }
  return validate(parsed) ? undefined : `${where}: ${describe(validate.errors)}`;
}

/** What is wrong with a callback body by the document's webhooks, or undefined. */
export function callbackViolation(body: string): string | undefined {
  const schema = (document.webhooks as Json).paymentCallback.post.requestBody.content['application/json'].schema as Json;
  return check(validatorOf(schema), body, 'callback');
}

export { document as contractDocument };
