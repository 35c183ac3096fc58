// Sandbox control API (/_sandbox): clock, payments, forced outcomes, callbacks, replay, inbox, reset, projects,
// and the merchant conformance kit with its kept reports.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { ConformanceRequest } from '../../domain/tools/merchant-conformance.js';
import type { CallbackState, ConformanceRun, FinalStatus, Payment, Project } from '../../domain/model.js';
import { callbackReport, deliveryOf } from '../../domain/reports/payment-report.js';
import type { NewProjectRequest } from '../../domain/projects/project-directory.js';
import type { Sandbox } from '../../sandbox.js';
import { describeRefusal, toGateError, useErrorEnvelope } from '../error-envelope.js';
import { actorOf, callerOf, type Caller } from '../callers.js';
import { validateControlBody, listQuery, queryText } from './control-request.js';
import { Scope } from '../access-scope.js';

/** Open to anyone: container probes, and self-service projects (each gets its own token). */
const OPEN_ROUTES = new Set(['GET /_sandbox/health', 'POST /_sandbox/projects']);

const CALLBACK_STATES = new Set<CallbackState>(['queued', 'scheduled', 'delivered', 'failed']);

function projectReport(project: Project): Record<string, unknown> {
  return {
    project_id: project.projectId, name: project.name, callback_url: project.callbackUrl ?? null, origin: project.origin,
    frequency_limits: project.frequencyLimits, callbacks: deliveryOf(project.callbackOptions), quotas: project.quotas,
    control_token: project.tokenHash === undefined ? 'none' : 'set',
  };
}

function conformanceSummary(run: ConformanceRun): Record<string, unknown> {
  return {
    id: run.id, project_id: run.projectId, created_at: new Date(run.createdAt).toISOString(), callback_url: run.callbackUrl,
    probe_url: run.probeUrl ?? null, passed: run.passed, failed: run.failed,
  };
}

/** A kept run: its id and project, then the report exactly as the kit's --json writes it. */
function conformanceAnswer(run: ConformanceRun): Record<string, unknown> {
  return { id: run.id, project_id: run.projectId, created_at: new Date(run.createdAt).toISOString(), ...run.report };
}

export async function sandboxApi(app: FastifyInstance, { sandbox }: { sandbox: Sandbox }): Promise<void> {
  const { clock, clockControl, lookup, lifecycle, callbacks, projects, control } = sandbox;

  useErrorEnvelope(app, { describe: true });
  // JSON in and out: a text body is refused with 415 rather than read as a string.
  app.removeContentTypeParser('text/plain');

  // The admin token (or none set) opens everything; a project's token its own project; health and self-service
  // projects are open to all.
  app.addHook('onRequest', async (request, reply) => {
    const caller = await callerOf(request, sandbox.config.adminToken, projects);
    const route = `${request.method} ${request.url.split('?')[0]}`;
    if (caller !== undefined && caller !== 'refused') {
      request.sandboxCaller = caller;
      const project = caller.kind === 'project' ? await projects.find(caller.projectId) : undefined;
      if (project !== undefined) sandbox.requestRate.admit(project, 'authorization');
      return;
    }
    if (caller === undefined && OPEN_ROUTES.has(route)) return;
    const message = caller === 'refused' ? 'The token matches no project and is not the admin token' : 'Send Authorization: Bearer <SANDBOX_ADMIN_TOKEN, or a project\'s control token>';
    const refusal = new Refusal('not-authenticated', [{ field: 'authorization', message }]);
    return reply.code(refusal.httpStatus).send({ ...toGateError(refusal, {}), message: describeRefusal(refusal) });
  });

  const scopeOf = (request: FastifyRequest): Scope => new Scope(request.sandboxCaller ?? { kind: 'admin', open: true });
  const audit = (request: FastifyRequest, action: string, projectId: number | undefined, details: Record<string, unknown> = {}) =>
    sandbox.audit.record(actorOf(request.sandboxCaller), action, projectId, details);

  /** On a manual clock a tool's action answers once the payment's work that fell due has run (its callbacks included). */
  async function settled(payment: Payment): Promise<void> {
    if (clock.mode === 'manual') await control.settlePayment(payment);
  }

  app.get('/_sandbox/health', async () => ({
    status: 'ok', clock: clock.mode, now: new Date(clock.now()).toISOString(), storage: sandbox.storageKind, instance: sandbox.instanceId,
  }));

  /** A project a tool names for its clock: it must exist (its clock is created with it). */
  async function clockProject(projectId: number | undefined): Promise<number | undefined> {
    if (projectId !== undefined && (await projects.find(projectId)) === undefined) {
      throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${projectId} is not configured in this sandbox` }]);
    }
    return projectId;
  }

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/clock', async (request) => {
    return clockControl.report(await clockProject(scopeOf(request).target(listQuery(request.query).projectId)));
  });

  app.get('/_sandbox/scenarios', async () => ({ scenarios: sandbox.scenarios.list() }));

  app.post('/_sandbox/clock', async (request) => {
    const body = validateControlBody<{ to: string; project_id?: number }>('sandbox/clock-set.json', request.body);
    const projectId = await clockProject(scopeOf(request).target(body.project_id));
    await clockControl.advanceTo(Date.parse(body.to), projectId);
    await audit(request, 'clock.set', projectId, { to: body.to });
    return clockControl.report(projectId);
  });

  app.post('/_sandbox/clock/advance', async (request) => {
    const body = validateControlBody<{ seconds: number; project_id?: number }>('sandbox/advance.json', request.body);
    const projectId = await clockProject(scopeOf(request).target(body.project_id));
    await clockControl.advanceBy(body.seconds, projectId);
    await audit(request, 'clock.advance', projectId, { seconds: body.seconds });
    return clockControl.report(projectId);
  });

  /** A payment named by a tool's URL, of the caller's own project. */
  async function paymentOf(request: FastifyRequest<{ Params: { projectId: string; paymentId: string } }>): Promise<Payment> {
    // The scope first: another project's payment is refused the same way whether it exists or not.
    scopeOf(request).own(Number(request.params.projectId));
    return lookup.require(request.params.projectId, request.params.paymentId);
  }

  app.get<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId', async (request) => lookup.report(await paymentOf(request)));

  app.post<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId/complete', async (request) => {
    const body = validateControlBody<{ status?: FinalStatus; code?: string; scenario?: string }>('sandbox/complete.json', request.body ?? {});
    if (body.scenario !== undefined && (body.status !== undefined || body.code !== undefined)) {
      throw new Refusal('invalid-fields', [{ field: 'scenario', message: 'Give either a scenario or a status and code' }]);
    }
    const payment = await paymentOf(request);
    const outcome = body.scenario === undefined ? sandbox.outcomes.requested(body.status ?? 'success', body.code) : sandbox.scenarios.finalOutcome(body.scenario);
    const completed = await lifecycle.complete(payment.rowId, outcome);
    await audit(request, 'payment.complete', payment.projectId, { payment_id: payment.paymentId, status: outcome.status, code: outcome.code });
    await settled(completed);
    return lookup.report(completed);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/callbacks', async (request) => {
    const query = listQuery(request.query);
    const state = queryText(request.query, 'state');
    if (state !== undefined && !CALLBACK_STATES.has(state as CallbackState)) {
      throw new Refusal('invalid-fields', [{ field: 'state', message: 'Expected queued, scheduled, delivered or failed' }]);
    }
    const list = await callbacks.list({ ...query, projectId: scopeOf(request).listed(query.projectId), state: state as CallbackState | undefined });
    return { callbacks: await Promise.all(list.map(async (c) => callbackReport(c, await callbacks.attemptsOf(c.id)))) };
  });

  app.post<{ Params: { id: string } }>('/_sandbox/callbacks/:id/replay', async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id)) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${request.params.id}` }]);
    const original = await callbacks.find(id);
    if (original === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${request.params.id}` }]);
    scopeOf(request).own(original.projectId, 'id');
    const replay = await callbacks.replay(id);
    await audit(request, 'callback.replay', original.projectId, { callback_id: id, payment_id: original.paymentId, replay_id: replay.id });
    if (clock.mode === 'manual') await sandbox.scheduler.runDue(clock.now(replay.projectId), { paymentRowId: replay.paymentRowId });
    const current = await callbacks.find(replay.id);
    return { callback: current === undefined ? null : callbackReport(current, await callbacks.attemptsOf(replay.id)) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/inbox', async (request) => {
    const query = listQuery(request.query);
    const entries = (await callbacks.inbox({ ...query, projectId: scopeOf(request).listed(query.projectId) })).map((entry) => ({
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
    const mails = (await lookup.mail({ ...query, projectId: scopeOf(request).listed(query.projectId), to: queryText(request.query, 'to') })).map((m) => ({
      id: m.id, project_id: m.projectId, payment_id: m.paymentId, sent_at: new Date(m.sentAt).toISOString(),
      from: m.from, to: m.to, subject: m.subject, body: m.body,
    }));
    return { mail: mails };
  });

  app.post('/_sandbox/reset', async (request) => {
    const body = validateControlBody<{ project_id?: number }>('sandbox/reset.json', request.body ?? {});
    const projectId = scopeOf(request).target(body.project_id);
    await control.reset(projectId);
    await audit(request, 'reset', projectId);
    return { status: 'ok', reset: projectId ?? 'all' };
  });

  app.post('/_sandbox/projects', async (request, reply) => {
    const body = validateControlBody<NewProjectRequest>('sandbox/project.json', request.body);
    const { project, controlToken } = await projects.create(body, request.sandboxCaller?.kind === 'admin');
    await audit(request, 'project.create', project.projectId);
    const { origin: _origin, control_token: _set, ...shown } = projectReport(project);
    // The only time the token is shown: it is kept hashed.
    return reply.code(201).send({ ...shown, control_token: controlToken });
  });

  app.get('/_sandbox/projects', async (request) => {
    const own = scopeOf(request).projectId;
    return { projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map(projectReport) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/audit', async (request) => {
    const query = listQuery(request.query);
    const projectId = scopeOf(request).listed(query.projectId);
    const entries = await sandbox.audit.list({ limit: query.limit, offset: query.offset, ...(projectId === undefined ? {} : { projectId }) });
    return {
      audit: entries.map((e) => ({ id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, project_id: e.projectId ?? null, action: e.action, details: e.details })),
    };
  });

  app.post('/_sandbox/conformance', async (request) => {
    const body = validateControlBody<{ project_id: number; callback_url?: string; probe_url?: string; reject_status?: number; timeout_ms?: number }>(
      'sandbox/conformance.json', request.body,
    );
    scopeOf(request).own(body.project_id);
    const asked: ConformanceRequest = {
      projectId: body.project_id,
      ...(body.callback_url === undefined ? {} : { callbackUrl: body.callback_url }),
      ...(body.probe_url === undefined ? {} : { probeUrl: body.probe_url }),
      ...(body.reject_status === undefined ? {} : { rejectStatus: body.reject_status }),
      ...(body.timeout_ms === undefined ? {} : { timeoutMs: body.timeout_ms }),
    };
    const run = await sandbox.conformance.run(asked);
    await audit(request, 'conformance.run', run.projectId, { run_id: run.id, passed: run.passed, failed: run.failed });
    return conformanceAnswer(run);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/conformance', async (request) => {
    const { projectId: asked, limit, offset } = listQuery(request.query);
    const projectId = scopeOf(request).listed(asked);
    return { runs: (await sandbox.conformance.list({ ...(projectId === undefined ? {} : { projectId }), limit, offset })).map(conformanceSummary) };
  });

  app.get<{ Params: { id: string } }>('/_sandbox/conformance/:id', async (request) => {
    const run = await sandbox.conformance.require(request.params.id);
    scopeOf(request).own(run.projectId, 'id');
    return conformanceAnswer(run);
  });
}
