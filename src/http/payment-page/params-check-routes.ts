// The SDK parameter validators: GET or POST /params/check (and /v1/params/check) judge a request's parameters as
// the page itself does, without a signature.
import type { FastifyInstance, FastifyReply } from 'fastify';
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
  for (const path of ['/params/check', '/v1/params/check']) {
    app.get(path, async (request, reply) => check(parseQuery(rawQuery(request)), reply));
    app.post(path, async (request, reply) => {
      const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
      return check(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])), reply);
    });
  }
}
