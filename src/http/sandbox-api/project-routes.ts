// The control API's sandbox-wide routes: health, the scenario catalogue, reset, projects and the audit log.
import type { FastifyInstance } from 'fastify';
import type { NewProjectRequest } from '../../domain/projects/project-directory.js';
import { callerOf } from './caller.js';
import { listQuery, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';
import { projectReport } from './reports.js';

export function projectRoutes(app: FastifyInstance, { tools, projects, scenarios, audit, health }: SandboxApiDeps): void {
  // While the storage refuses writes (a full disk, a lost database) the sandbox is not healthy: 503, and why.
  app.get('/_sandbox/health', async (_request, reply) => {
    const report = await health();
    if (report.storage_state === 'ok') return { status: 'ok', ...report };
    return reply.code(503).send({ status: 'error', ...report, message: `storage ${report.storage_state}: writes are refused until it recovers; reads go on` });
  });

  app.get('/_sandbox/scenarios', async () => ({ scenarios: scenarios.list() }));

  app.post('/_sandbox/reset', async (request) => {
    const body = validateControlBody<{ project_id?: number }>('sandbox/reset.json', request.body ?? {});
    const projectId = await tools.reset(callerOf(request), body.project_id);
    return { status: 'ok', reset: projectId ?? 'all' };
  });

  app.post('/_sandbox/projects', async (request, reply) => {
    const body = validateControlBody<NewProjectRequest>('sandbox/project.json', request.body);
    const { project, controlToken } = await tools.createProject(request.sandboxCaller, body);
    const { origin: _origin, control_token: _set, ...shown } = projectReport(project);
    // The only time the token is shown: it is kept hashed.
    return reply.code(201).send({ ...shown, control_token: controlToken });
  });

  app.get('/_sandbox/projects', async (request) => {
    const own = tools.scope(callerOf(request)).projectId;
    return { projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map(projectReport) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/audit', async (request) => {
    const query = listQuery(request.query);
    const projectId = tools.scope(callerOf(request)).listed(query.projectId);
    const entries = await audit.list({ limit: query.limit, offset: query.offset, ...(projectId === undefined ? {} : { projectId }) });
    return {
      audit: entries.map((e) => ({ id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, project_id: e.projectId ?? null, action: e.action, details: e.details })),
    };
  });
}
