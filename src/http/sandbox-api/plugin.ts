// Sandbox control API (/_sandbox): clock, payments, forced outcomes, callbacks, replay, inbox, reset, projects,
// and the merchant conformance kit with its kept reports. Each tool action is the domain's (SandboxTools); this
// surface reads JSON in and writes JSON out.
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { callerOf as resolveCaller } from '../callers.js';
import { describeRefusal, toGateError, useErrorEnvelope } from '../error-envelope.js';
import { clockRoutes } from './clock-routes.js';
import { conformanceRoutes } from './conformance-routes.js';
import { listenRoutes } from './listen-routes.js';
import type { SandboxApiDeps } from './deps.js';
import { paymentRoutes } from './payment-routes.js';
import { projectRoutes } from './project-routes.js';
import { recurringRoutes } from './recurring-routes.js';

export type { SandboxApiDeps };

/** Open to anyone: container probes, and self-service projects (each gets its own token). */
const OPEN_ROUTES = new Set(['GET /_sandbox/health', 'POST /_sandbox/projects']);

export async function sandboxApi(app: FastifyInstance, deps: SandboxApiDeps): Promise<void> {
  // A person logged in to the dashboard may follow the control API's links in the same browser.
  await app.register(cookie);
  useErrorEnvelope(app, { describe: true });
  // JSON in and out: a text body is refused with 415 rather than read as a string.
  app.removeContentTypeParser('text/plain');

  // The admin token (or none set) opens everything; a project's token its own project; health and self-service
  // projects are open to all.
  app.addHook('onRequest', async (request, reply) => {
    const caller = await resolveCaller(request, deps);
    const route = `${request.method} ${request.url.split('?')[0]}`;
    if (caller !== undefined && caller !== 'refused') {
      request.sandboxCaller = caller;
      const project = caller.kind === 'project' ? await deps.projects.find(caller.projectId) : undefined;
      if (project !== undefined) deps.requestRate.admit(project, 'authorization');
      return;
    }
    if (caller === undefined && OPEN_ROUTES.has(route)) return;
    const message = caller === 'refused' ? 'The token matches no project and is not the admin token' : 'Send Authorization: Bearer <SANDBOX_ADMIN_TOKEN, or a project\'s control token>';
    const refusal = new Refusal('not-authenticated', [{ field: 'authorization', message }]);
    return reply.code(refusal.httpStatus).send({ ...toGateError(refusal, {}), message: describeRefusal(refusal) });
  });

  clockRoutes(app, deps);
  paymentRoutes(app, deps);
  projectRoutes(app, deps);
  conformanceRoutes(app, deps);
  recurringRoutes(app, deps);
  listenRoutes(app, deps);
}
