// The SDK parameter validators: GET or POST /params/check (and /v1/params/check) judge a request's parameters as
// the page itself does, without a signature.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { refusalOfFrameworkError } from '../error-envelope.js';
import { rawQuery } from './checkout-form.js';
import { parameterProblems, parseQuery, type PaymentPageParams } from './params.js';

export function paramsCheckRoutes(app: FastifyInstance): void {
  const check = async (params: PaymentPageParams, reply: FastifyReply) => {
    const problems = parameterProblems(params);
    if (problems.length === 0) return reply.send({ status: 'success' });
    return reply.code(400).send({
      status: 'error',
      message: 'One or more payment params is not valid',
      errors: problems.map((p) => ({ code: p.code ?? '2004', field: p.field, message: p.message })),
    });
  };
  // The validators are JSON tools: a refusal before the handler (a NUL character, a malformed body) keeps their format.
  const checkErrors = (error: FastifyError | Refusal, request: FastifyRequest, reply: FastifyReply) => {
    const refusal = error instanceof Refusal ? error : refusalOfFrameworkError(error, request.headers['content-type']);
    if (refusal === undefined) throw error;
    return reply.code(refusal.httpStatus).send({
      status: 'error',
      message: 'One or more payment params is not valid',
      errors: refusal.fields.map((f) => ({ code: f.code ?? refusal.code, field: f.field, message: f.message })),
    });
  };
  for (const path of ['/params/check', '/v1/params/check']) {
    app.get(path, { errorHandler: checkErrors }, async (request, reply) => check(parseQuery(rawQuery(request)), reply));
    app.post(path, { errorHandler: checkErrors }, async (request, reply) => {
      const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
      return check(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])), reply);
    });
  }
}
