// The dashboard's conformance page: run the merchant conformance kit for a project and read its kept reports.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadShopPresets } from '../../catalogue-loader.js';
import { Refusal } from '../../domain/errors.js';
import type { ConformanceRequest } from '../../domain/tools/merchant-conformance.js';
import type { DashboardDeps } from './deps.js';
import { shownDate, type DashboardPages, type Form } from './pages.js';

const names = (value: string): string[] => value.split(/[\s,]+/).filter((name) => name !== '');

/** The form's kit options; an empty field leaves the kit's default. */
function kitRequest(form: Record<string, string | boolean>): Omit<ConformanceRequest, 'projectId'> {
  const given = (name: string): string | undefined => (form[name] === '' ? undefined : form[name] as string);
  const request: Omit<ConformanceRequest, 'projectId'> = {
    callbackUrl: given('callback_url'), probeUrl: given('probe_url'), shop: given('shop'), prepareUrl: given('prepare_url'),
    probePaymentStatus: given('probe_payment_status'), cases: form.cases === '' ? undefined : names(form.cases as string),
    skip: form.skip === '' ? undefined : names(form.skip as string), salesOnly: form.sales_only === true, strict: form.strict === true,
  };
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined));
}

export function conformanceRoutes(app: FastifyInstance, { tools, conformance, projects }: DashboardDeps, pages: DashboardPages): void {
  async function conformancePage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
    const own = pages.scope(request).projectId;
    const runs = (await conformance.list({ limit: 50, offset: 0, ...(own === undefined ? {} : { projectId: own }) })).map((run) => ({ ...run, created: shownDate(run.createdAt) }));
    return pages.page(reply, request, './dashboard/conformance', {
      title: 'Conformance',
      projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map((p) => ({ id: p.projectId, name: p.name, callbackUrl: p.callbackUrl ?? '' })),
      runs,
      shops: Object.entries(loadShopPresets()).map(([name, preset]) => ({ name, description: preset.description })),
      form: {},
      ...extra,
    }, status);
  }

  app.get('/dashboard/conformance', async (request, reply) => conformancePage(request, reply));

  app.post<{ Body: Form }>('/dashboard/conformance', async (request, reply) => {
    const body = request.body ?? {};
    pages.checkCsrf(request, body.csrf);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const form = {
      project_id: text('project_id'), callback_url: text('callback_url'), probe_url: text('probe_url'), shop: text('shop'), prepare_url: text('prepare_url'),
      probe_payment_status: text('probe_payment_status'), cases: text('cases'), skip: text('skip'), sales_only: text('sales_only') !== '', strict: text('strict') !== '',
    };
    const projectId = Number(form.project_id);
    try {
      if (!Number.isSafeInteger(projectId) || projectId < 1) throw new Refusal('invalid-fields', [{ field: 'project_id', message: 'Choose a project' }]);
      const run = await tools.runConformance(pages.caller(request), { projectId, ...kitRequest(form) });
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
