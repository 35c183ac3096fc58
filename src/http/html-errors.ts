// Error pages for the browser surfaces (Payment Page, wallet checkout): whatever goes wrong, an HTML page
// naming the code, never a stack trace and never a 500 for something the browser sent.
import type { FastifyError, FastifyInstance } from 'fastify';
import { asRefusal, type Refusal } from '../domain/errors.js';
import { refusalOfFrameworkError } from './error-envelope.js';
import { views } from './views.js';

export function useHtmlErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Refusal, request, reply) => {
    const refusal = asRefusal(error) ?? refusalOfFrameworkError(error as FastifyError, request.headers['content-type'], 'a form (application/x-www-form-urlencoded)');
    if (refusal === undefined) request.log.error({ err: error }, 'unexpected error on a page');
    const status = refusal?.httpStatus ?? 500;
    return reply.code(status).type('text/html; charset=utf-8').send(views.render('./error', {
      code: refusal?.code ?? '501',
      message: refusal?.message ?? 'Internal error',
      errors: refusal?.fields ?? [],
    }));
  });
}
