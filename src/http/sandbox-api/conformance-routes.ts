// The control API's merchant conformance kit: run it for a project, list the kept reports, read one.
import type { FastifyInstance } from 'fastify';
import { callerOf } from './caller.js';
import { listQuery, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';
import { conformanceAnswer, conformanceSummary } from './reports.js';

interface ConformanceBody {
  project_id: number; callback_url?: string; probe_url?: string; reject_status?: number; timeout_ms?: number;
  shop?: string; probe_payment_status?: string; prepare_url?: string; payment_ids?: string[]; cases?: string[]; skip?: string[]; sales_only?: boolean; strict?: boolean;
}

export function conformanceRoutes(app: FastifyInstance, { tools, conformance }: SandboxApiDeps): void {
  app.post('/_sandbox/conformance', async (request) => {
    const body = validateControlBody<ConformanceBody>('sandbox/conformance.json', request.body);
    const run = await tools.runConformance(callerOf(request), {
      projectId: body.project_id,
      ...(body.callback_url === undefined ? {} : { callbackUrl: body.callback_url }),
      ...(body.probe_url === undefined ? {} : { probeUrl: body.probe_url }),
      ...(body.reject_status === undefined ? {} : { rejectStatus: body.reject_status }),
      ...(body.timeout_ms === undefined ? {} : { timeoutMs: body.timeout_ms }),
      ...(body.shop === undefined ? {} : { shop: body.shop }),
      ...(body.probe_payment_status === undefined ? {} : { probePaymentStatus: body.probe_payment_status }),
      ...(body.prepare_url === undefined ? {} : { prepareUrl: body.prepare_url }),
      ...(body.payment_ids === undefined ? {} : { paymentIds: body.payment_ids }),
      ...(body.cases === undefined ? {} : { cases: body.cases }),
      ...(body.skip === undefined ? {} : { skip: body.skip }),
      ...(body.sales_only === undefined ? {} : { salesOnly: body.sales_only }),
      ...(body.strict === undefined ? {} : { strict: body.strict }),
    });
    return conformanceAnswer(run);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/conformance', async (request) => {
    const { projectId: asked, limit, offset } = listQuery(request.query);
    const projectId = tools.scope(callerOf(request)).listed(asked);
    return { runs: (await conformance.list({ ...(projectId === undefined ? {} : { projectId }), limit, offset })).map(conformanceSummary) };
  });

  app.get<{ Params: { id: string } }>('/_sandbox/conformance/:id', async (request) => conformanceAnswer(await tools.conformanceRun(callerOf(request), request.params.id)));
}
