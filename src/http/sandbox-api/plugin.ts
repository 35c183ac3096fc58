// Sandbox control API (/_sandbox): clock, payments, forced outcomes, callbacks, replay, inbox, reset, projects.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { CallbackState } from '../../domain/model.js';
import { requestedOutcome } from '../../domain/payment-service.js';
import { callbackReport, paymentReport } from '../../domain/payment-report.js';
import type { Sandbox } from '../../sandbox.js';
import type { FrequencyLimit } from '../../storage/projects-store.js';
import { useErrorEnvelope } from '../error-envelope.js';
import { isAdmin } from '../admin-access.js';
import { toGateError } from '../gate-api/gate-error.js';
import { validateControlBody, listQuery, queryText } from './control-request.js';

const CALLBACK_STATES = new Set<CallbackState>(['queued', 'scheduled', 'delivered', 'failed']);

export async function sandboxApi(app: FastifyInstance, { sandbox }: { sandbox: Sandbox }): Promise<void> {
  const { clock, scheduler, paymentService, callbacks, jobs, projects, dispatcher } = sandbox;

  useErrorEnvelope(app);

  // Health stays open for container probes; everything else needs the admin token when one is set.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/_sandbox/health' || isAdmin(request, sandbox.config.adminToken)) return;
    return reply.code(401).send(toGateError(new Refusal('access-denied', [{ field: 'authorization', message: 'Send Authorization: Bearer <SANDBOX_ADMIN_TOKEN>' }]), {}));
  });

  const clockReport = (): Record<string, unknown> => {
    const now = clock.now();
    const nextDue = jobs.nextDueAt();
    return {
      mode: clock.mode,
      now: new Date(now).toISOString(),
      epoch_ms: now,
      scale: clock.mode === 'scale' ? clock.scale : clock.mode === 'real' ? 1 : 0,
      next_due_at: nextDue === undefined ? null : new Date(nextDue).toISOString(),
    };
  };

  function requireManual(field: string): void {
    if (clock.mode !== 'manual') {
      throw new Refusal('invalid-fields', [{ field, message: `The clock is ${clock.mode}; start the sandbox with SANDBOX_CLOCK=manual to move it` }]);
    }
  }

  app.get('/_sandbox/health', async () => ({ status: 'ok', clock: clock.mode, now: new Date(clock.now()).toISOString() }));

  app.get('/_sandbox/clock', async () => clockReport());

  app.get('/_sandbox/scenarios', async () => ({ scenarios: sandbox.scenarios.list() }));

  app.post('/_sandbox/clock', async (request) => {
    const body = validateControlBody<{ to: string }>('sandbox/clock-set.json', request.body);
    requireManual('to');
    const target = Date.parse(body.to);
    if (target < clock.now()) throw new Refusal('invalid-fields', [{ field: 'to', message: 'A manual clock only moves forward' }]);
    await scheduler.advanceTo(target);
    return clockReport();
  });

  app.post('/_sandbox/clock/advance', async (request) => {
    const body = validateControlBody<{ seconds: number }>('sandbox/advance.json', request.body);
    requireManual('seconds');
    await scheduler.advanceTo(clock.now() + Math.round(body.seconds * 1000));
    return clockReport();
  });

  app.get<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId', async (request) => {
    const payment = paymentService.requirePayment(request.params.projectId, request.params.paymentId);
    return paymentReport(payment, paymentService.operationsOf(payment), callbacks, jobs);
  });

  app.post<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId/complete', async (request) => {
    const body = validateControlBody<{ status?: 'success' | 'decline'; code?: string; scenario?: string }>('sandbox/complete.json', request.body ?? {});
    if (body.scenario !== undefined && (body.status !== undefined || body.code !== undefined)) {
      throw new Refusal('invalid-fields', [{ field: 'scenario', message: 'Give either a scenario or a status and code' }]);
    }
    const payment = paymentService.requirePayment(request.params.projectId, request.params.paymentId);
    const outcome = body.scenario === undefined ? requestedOutcome(body.status ?? 'success', body.code) : paymentService.catalogueOutcome(body.scenario);
    const completed = paymentService.complete(payment, outcome);
    await scheduler.settle();
    return paymentReport(completed, paymentService.operationsOf(completed), callbacks, jobs);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/callbacks', async (request) => {
    const query = listQuery(request.query);
    const state = queryText(request.query, 'state');
    if (state !== undefined && !CALLBACK_STATES.has(state as CallbackState)) {
      throw new Refusal('invalid-fields', [{ field: 'state', message: 'Expected queued, scheduled, delivered or failed' }]);
    }
    const list = callbacks.list({ ...query, state: state as CallbackState | undefined });
    return { callbacks: list.map((c) => callbackReport(c, callbacks.attemptsOf(c.id))) };
  });

  app.post<{ Params: { id: string } }>('/_sandbox/callbacks/:id/replay', async (request) => {
    const id = Number(request.params.id);
    const original = Number.isSafeInteger(id) ? callbacks.find(id) : undefined;
    if (original === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${request.params.id}` }]);
    const replayId = dispatcher.replay(original);
    scheduler.wake();
    await scheduler.settle();
    const replay = callbacks.find(replayId);
    return { callback: replay === undefined ? null : callbackReport(replay, callbacks.attemptsOf(replayId)) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/inbox', async (request) => {
    const query = listQuery(request.query);
    const entries = callbacks.inbox(query).map((entry) => ({
      id: entry.id,
      callback_id: entry.callbackId,
      project_id: entry.projectId,
      payment_id: entry.paymentId,
      received_at: new Date(entry.receivedAt).toISOString(),
      body: entry.body,
    }));
    return { inbox: entries };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/mail', async (request) => {
    const query = listQuery(request.query);
    const to = queryText(request.query, 'to');
    const mails = sandbox.mail.list({ ...query, to }).map((m) => ({
      id: m.id, project_id: m.projectId, payment_id: m.paymentId, sent_at: new Date(m.sentAt).toISOString(),
      from: m.from, to: m.to, subject: m.subject, body: m.body,
    }));
    return { mail: mails };
  });

  app.post('/_sandbox/reset', async (request) => {
    const body = validateControlBody<{ project_id?: number }>('sandbox/reset.json', request.body ?? {});
    sandbox.reset(body.project_id);
    return { status: 'ok', reset: body.project_id ?? 'all' };
  });

  app.post('/_sandbox/projects', async (request, reply) => {
    const body = validateControlBody<{ project_id?: number; secret_key: string; name?: string; callback_url?: string; frequency_limits?: FrequencyLimit[] }>(
      'sandbox/project.json',
      request.body,
    );
    const taken = new Set(projects.all().map((p) => p.projectId));
    let projectId = body.project_id;
    if (projectId !== undefined && taken.has(projectId)) {
      throw new Refusal('invalid-fields', [{ field: 'project_id', message: `Project ${projectId} already exists` }]);
    }
    if (projectId === undefined) for (projectId = 1000; taken.has(projectId); projectId++);
    const frequencyLimits = body.frequency_limits ?? [];
    projects.save({ projectId, secretKey: body.secret_key, name: body.name ?? '', callbackUrl: body.callback_url, origin: 'runtime', frequencyLimits }, clock.now());
    return reply.code(201).send({ project_id: projectId, name: body.name ?? '', callback_url: body.callback_url ?? null, frequency_limits: frequencyLimits });
  });

  app.get('/_sandbox/projects', async () => ({
    projects: projects.all().map((p) => ({
      project_id: p.projectId, name: p.name, callback_url: p.callbackUrl ?? null, origin: p.origin, frequency_limits: p.frequencyLimits,
    })),
  }));

}
