// The dashboard's conformance page: run the merchant conformance kit for a project and read its kept reports.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { DashboardDeps } from './deps.js';
import { shownDate, type DashboardPages, type Form } from './pages.js';

export function conformanceRoutes(app: FastifyInstance, { tools, conformance, projects }: DashboardDeps, pages: DashboardPages): void {
  async function conformancePage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
    const own = pages.scope(request).projectId;
    const runs = (await conformance.list({ limit: 50, offset: 0, ...(own === undefined ? {} : { projectId: own }) })).map((run) => ({ ...run, created: shownDate(run.createdAt) }));
    return pages.page(reply, request, './dashboard/conformance', {
      title: 'Conformance',
      projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map((p) => ({ id: p.projectId, name: p.name, callbackUrl: p.callbackUrl ?? '' })),
      runs,
      form: {},
      ...extra,
    }, status);
  }

  app.get('/dashboard/conformance', async (request, reply) => conformancePage(request, reply));

  app.post<{ Body: Form }>('/dashboard/conformance', async (request, reply) => {
    const body = request.body ?? {};
    pages.checkCsrf(request, body.csrf);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const form = { project_id: text('project_id'), callback_url: text('callback_url'), probe_url: text('probe_url') };
    const projectId = Number(form.project_id);
    try {
      if (!Number.isSafeInteger(projectId) || projectId < 1) throw new Refusal('invalid-fields', [{ field: 'project_id', message: 'Choose a project' }]);
      const run = await tools.runConformance(pages.caller(request), {
        projectId,
        ...(form.callback_url === '' ? {} : { callbackUrl: form.callback_url }),
        ...(form.probe_url === '' ? {} : { probeUrl: form.probe_url }),
      });
      return reply.redirect(`/dashboard/conformance/${run.id}`, 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const problems = (error.fields.length > 0 ? error.fields : [{ field: '', message: error.message }]).map((f) => ({ ...f, message: `${error.code} ${f.message}` }));
      return conformancePage(request, reply, { form, runErrors: problems }, 400);
    }
  });

  app.get<{ Params: { id: string } }>('/dashboard/conformance/:id', async (request, reply) => {
    const run = await tools.conformanceRun(pages.caller(request), request.params.id);
    return pages.page(reply, request, './dashboard/conformance-run', { title: `Conformance report ${run.id}`, run, created: shownDate(run.createdAt) });
  });
}
