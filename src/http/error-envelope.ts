// One error handler for the JSON surfaces (Gate, Data API, control API): refusals and framework errors become
// ECommPay's envelope {status, code, message, errors[{code, field, message}]}; nothing a client sent is a 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asRefusal, Refusal, renamedFields } from '../domain/errors.js';

export interface GateErrorBody {
  status: 'error';
  code: string;
  message: string;
  errors: Array<{ code: string; field: string; message: string }>;
  project_id?: number;
  payment_id?: string;
  sandbox?: Record<string, unknown>;
}

export function toGateError(refusal: Refusal, echo: { project_id?: number; payment_id?: string }): GateErrorBody {
  const body: GateErrorBody = {
    status: 'error',
    code: refusal.code,
    message: refusal.message,
    errors: (refusal.fields.length > 0 ? refusal.fields : [{ field: '', message: refusal.message }]).map((f) => ({
      code: f.code ?? refusal.code,
      field: f.field,
      message: f.message,
    })),
  };
  if (echo.project_id !== undefined) body.project_id = echo.project_id;
  if (echo.payment_id !== undefined) body.payment_id = echo.payment_id;
  if (Object.keys(refusal.facts).length > 0) body.sandbox = refusal.facts;
  return body;
}

/** `expected` says what the surface reads, for a body of another content type. */
export function refusalOfFrameworkError(error: FastifyError, contentType?: string, expected = 'JSON with Content-Type: application/json'): Refusal | undefined {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const given = contentType === undefined || contentType === '' ? 'none was given' : `got ${contentType.split(';')[0]}`;
    return new Refusal('unsupported-media-type', [{ field: 'content-type', message: `Send the body as ${expected} (${given})` }]);
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new Refusal('body-too-large', [{ field: '', message: 'The request body is larger than the sandbox accepts' }]);
  }
  if (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError || error.statusCode === 400 || error.statusCode === 415) {
    return new Refusal('malformed-request', [{ field: '', message: `Invalid JSON string: ${withoutSource(error.message)}` }]);
  }
  return undefined;
}

/**
 * A JSON parser's message without the piece of the body it quotes (`Unexpected token 'x', "…" is not valid JSON`):
 * a body may carry a card number, which no answer may echo.
 */
function withoutSource(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, ' is not valid JSON');
}

/** What went wrong, in one line: each field's problem, named by its field. */
export function describeRefusal(refusal: Refusal): string {
  if (refusal.fields.length === 0) return refusal.message;
  // A message that already names its field reads best alone.
  const named = (f: { field: string; message: string }) => f.field === '' || f.message.toLowerCase().includes(f.field.toLowerCase());
  return refusal.fields.map((f) => (named(f) ? f.message : `${f.field}: ${f.message}`)).join('; ');
}

export interface EnvelopeOptions {
  echo?: (body: unknown) => { project_id?: number; payment_id?: string };
  /**
   * The top-level message says what went wrong rather than the code's text. The sandbox's own control API does;
   * Gate and the Data API keep the code's text there, as ECommPay does.
   */
  describe?: boolean;
  /** How the surface names a field the domain names by its Gate path. */
  fieldName?: (field: string) => string;
}

export function useErrorEnvelope(app: FastifyInstance, { echo = () => ({}), describe = false, fieldName }: EnvelopeOptions = {}): void {
  app.setErrorHandler((error: FastifyError | Refusal, request: FastifyRequest, reply: FastifyReply) => {
    const found = asRefusal(error) ?? refusalOfFrameworkError(error as FastifyError, request.headers['content-type']);
    const refusal = found === undefined || fieldName === undefined ? found : renamedFields(found, fieldName);
    if (refusal === undefined) {
      request.log.error({ err: error }, 'unexpected error');
      return reply.code(500).send({ status: 'error', code: '501', message: 'Internal error', errors: [] });
    }
    const body = toGateError(refusal, echo(request.body));
    return reply.code(refusal.httpStatus).send(describe ? { ...body, message: describeRefusal(refusal) } : body);
  });
}

export const MAX_JSON_DEPTH = 32;

/** How deeply a parsed JSON value nests, counted without recursion so no input can exhaust the stack. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Reads every body as JSON whatever its content type, so a wrong header still gets 2003, not a 415.
 * `__proto__`/`constructor` keys are refused by Fastify's parser; nesting is capped before any signing walk.
 */
export function parseAnyBodyAsJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    try {
      parseJson(request, body as string, (error, value) => {
        if (error !== null && error !== undefined) return done(error, undefined);
        if (depthOf(value) > MAX_JSON_DEPTH) {
          return done(new Refusal('malformed-request', [{ field: '', message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` }]), undefined);
        }
        done(null, value);
      });
    } catch (error) {
      done(new Refusal('malformed-request', [{ field: '', message: `Invalid JSON string: ${withoutSource((error as Error).message)}` }]), undefined);
    }
  });
}
