// The control API's merchant conformance kit: run it for a project, list the kept reports, read one.
import type { FastifyInstance } from 'fastify';
import { callerOf } from './caller.js';
import { listQuery, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';
import { conformanceAnswer, conformanceSummary } from './reports.js';

interface ConformanceBody { project_id: number; callback_url?: string; probe_url?: string; reject_status?: number; timeout_ms?: number }

export function conformanceRoutes(app: FastifyInstance, { tools, conformance }: SandboxApiDeps): void {
  app.post('/_sandbox/conformance', async (request) => {
    const body = validateControlBody<ConformanceBody>('sandbox/conformance.json', request.body);
    const run = await tools.runConformance(callerOf(request), {
      projectId: body.project_id,
      ...(body.callback_url === undefined ? {} : { callbackUrl: body.callback_url }),
      ...(body.probe_url === undefined ? {} : { probeUrl: body.probe_url }),
      ...(body.reject_status === undefined ? {} : { rejectStatus: body.reject_status }),
      ...(body.timeout_ms === undefined ? {} : { timeoutMs: body.timeout_ms }),
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
