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

/** Reads every body as JSON whatever its content type, so a wrong header still gets 2003, not a 415. */
export function parseAnyBodyAsJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJson);
}
