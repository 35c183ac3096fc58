// The control API's clock: read it, set it to a date, or advance it (of one project, or of all).
import type { FastifyInstance } from 'fastify';
import { callerOf } from './caller.js';
import { listQuery, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';

export function clockRoutes(app: FastifyInstance, { tools, clockControl }: SandboxApiDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/clock', async (request) =>
    clockControl.report(await tools.clockProject(callerOf(request), listQuery(request.query).projectId)));

  app.post('/_sandbox/clock', async (request) => {
    const body = validateControlBody<{ to: string; project_id?: number }>('sandbox/clock-set.json', request.body);
    return tools.moveClock(callerOf(request), { to: Date.parse(body.to), ...(body.project_id === undefined ? {} : { projectId: body.project_id }) });
  });

  app.post('/_sandbox/clock/advance', async (request) => {
    const body = validateControlBody<{ seconds: number; project_id?: number }>('sandbox/advance.json', request.body);
    return tools.moveClock(callerOf(request), { seconds: body.seconds, ...(body.project_id === undefined ? {} : { projectId: body.project_id }) });
  });
}
