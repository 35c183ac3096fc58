// The control API's side of `ecommpay-sandbox listen`: a listener's stream of callbacks (server-sent events), the
// shop's answers posted back, and handing a project's callbacks back to their URLs. Only a token of the project
// (or the admin token) may listen to it, and a listener is sent nothing of another project.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { ListenHandoff } from '../../domain/model.js';
import { callerOf } from './caller.js';
import { listQuery, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';

/** A comment line every so often keeps proxies and load balancers from closing a quiet stream, and finds a dead one. */
const PING_MS = 15_000;

interface AnswerBody {
  project_id: number; listener_id: string; handoff_id: number; http_status?: number; error?: string; latency_ms: number; response_excerpt?: string; url?: string;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function listenRoutes(app: FastifyInstance, { tools, listen, projects, callbackHeaders, callbackTimeoutMs, instanceId }: SandboxApiDeps): void {
  const streams = new Set<FastifyReply>();
  // A closing server ends its streams, so it is not held open by them; the listeners reconnect elsewhere.
  app.addHook('preClose', async () => {
    for (const reply of streams) reply.raw.end();
  });

  /** The project a caller listens to or acts on: a project's token its own, the admin the one it names. */
  const projectOf = async (caller: ReturnType<typeof callerOf>, asked: number | undefined): Promise<number> => {
    const projectId = tools.scope(caller).target(asked);
    if (projectId === undefined) throw new Refusal('invalid-fields', [{ field: 'project_id', message: 'Name the project to listen to (project_id), or use its control token' }]);
    if (await projects.find(projectId) === undefined) throw new Refusal('project-hidden', [{ field: 'project_id', message: `No project ${projectId}` }]);
    return projectId;
  };

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/listen', async (request, reply) => {
    const projectId = await projectOf(callerOf(request), listQuery(request.query).projectId);
    const id = randomUUID();
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no',
    });
    streams.add(reply);
    const push = (handoff: ListenHandoff) => {
      raw.write(event('callback', {
        handoff_id: handoff.id, callback_id: handoff.callbackId, payment_id: handoff.paymentId, attempt: handoff.attempt,
        headers: callbackHeaders, body: handoff.body, timeout_ms: callbackTimeoutMs,
      }));
    };
    const ping = setInterval(() => raw.write(': ping\n\n'), PING_MS);
    let session: Awaited<ReturnType<typeof listen.connect>> | undefined;
    let gone = false;
    raw.on('close', () => {
      gone = true;
      clearInterval(ping);
      streams.delete(reply);
      void session?.close().catch((error: unknown) => request.log.warn({ err: error }, 'could not end a listener'));
    });
    raw.write(event('ready', { listener_id: id, project_id: projectId, instance: instanceId }));
    session = await listen.connect(id, projectId, push);
    if (gone) await session.close();
  });

  app.post('/_sandbox/listen/answers', async (request) => {
    const body = validateControlBody<AnswerBody>('sandbox/listen-answer.json', request.body);
    const projectId = await projectOf(callerOf(request), body.project_id);
    await listen.answer(projectId, body.handoff_id, body.listener_id, {
      httpStatus: body.http_status, error: body.error, latencyMs: body.latency_ms, responseExcerpt: (body.response_excerpt ?? '').slice(0, 1024), url: body.url ?? '',
    });
    return { status: 'ok' };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/listen/status', async (request) => {
    const projectId = await projectOf(callerOf(request), listQuery(request.query).projectId);
    return { project_id: projectId, listened: await listen.listened(projectId), listeners: await listen.listeners(projectId) };
  });

  app.post('/_sandbox/listen/release', async (request) => {
    const body = validateControlBody<{ project_id?: number }>('sandbox/listen-release.json', request.body ?? {});
    const projectId = await projectOf(callerOf(request), body.project_id);
    await listen.release(projectId);
    return { project_id: projectId, listened: false, listeners: await listen.listeners(projectId) };
  });
}
