// One error handler for the JSON surfaces (Gate, Data API, control API): refusals and framework errors become
// ECommPay's envelope {status, code, message, errors[{code, field, message}]}; nothing a client sent is a 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../domain/errors.js';
import { HTTP_STATUS_BY_KIND, toGateError } from './gate-api/gate-error.js';

export function refusalOfFrameworkError(error: FastifyError): Refusal | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new Refusal('body-too-large', [{ field: '', message: 'The request body is larger than the sandbox accepts' }]);
  }
  if (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError || error.statusCode === 400 || error.statusCode === 415) {
    return new Refusal('malformed-request', [{ field: '', message: `Invalid JSON string: ${error.message}` }]);
  }
  return undefined;
}

export function useErrorEnvelope(app: FastifyInstance, echo: (body: unknown) => { project_id?: number; payment_id?: string } = () => ({})): void {
  app.setErrorHandler((error: FastifyError | Refusal, request: FastifyRequest, reply: FastifyReply) => {
    const refusal = error instanceof Refusal ? error : refusalOfFrameworkError(error);
    if (refusal === undefined) {
      request.log.error({ err: error }, 'unexpected error');
      return reply.code(500).send({ status: 'error', code: '501', message: 'Internal error', errors: [] });
    }
    return reply.code(HTTP_STATUS_BY_KIND[refusal.kind]).send(toGateError(refusal, echo(request.body)));
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
      done(new Refusal('malformed-request', [{ field: '', message: `Invalid JSON string: ${(error as Error).message}` }]), undefined);
    }
  });
}
