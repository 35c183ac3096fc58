// Sandbox control API (/_sandbox): clock, payments, forced outcomes, callbacks, replay, inbox, reset, projects,
// and the merchant conformance kit with its kept reports.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { ConformanceRequest } from '../../domain/merchant-conformance.js';
import type { CallbackState, ConformanceRun, FinalStatus, Payment, Project } from '../../domain/model.js';
import { catalogueOutcome, requestedOutcome } from '../../domain/outcomes.js';
import { callbackReport, deliveryOf } from '../../domain/payment-report.js';
import type { NewProjectRequest } from '../../domain/project-directory.js';
import type { Sandbox } from '../../sandbox.js';
import { describeRefusal, useErrorEnvelope } from '../error-envelope.js';
import { isAdmin } from '../admin-access.js';
import { toGateError } from '../gate-api/gate-error.js';
import { validateControlBody, listQuery, queryText } from './control-request.js';

const CALLBACK_STATES = new Set<CallbackState>(['queued', 'scheduled', 'delivered', 'failed']);

function projectReport(project: Project): Record<string, unknown> {
  return {
    project_id: project.projectId, name: project.name, callback_url: project.callbackUrl ?? null, origin: project.origin,
    frequency_limits: project.frequencyLimits, callbacks: deliveryOf(project.callbackOptions),
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

  // Health stays open for container probes; everything else needs the admin token when one is set.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/_sandbox/health' || isAdmin(request, sandbox.config.adminToken)) return;
    const refusal = new Refusal('access-denied', [{ field: 'authorization', message: 'Send Authorization: Bearer <SANDBOX_ADMIN_TOKEN>' }]);
    return reply.code(401).send({ ...toGateError(refusal, {}), message: describeRefusal(refusal) });
  });

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

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/clock', async (request) => clockControl.report(await clockProject(listQuery(request.query).projectId)));

  app.get('/_sandbox/scenarios', async () => ({ scenarios: sandbox.scenarios.list() }));

  app.post('/_sandbox/clock', async (request) => {
    const body = validateControlBody<{ to: string; project_id?: number }>('sandbox/clock-set.json', request.body);
    const projectId = await clockProject(body.project_id);
    await clockControl.advanceTo(Date.parse(body.to), projectId);
    return clockControl.report(projectId);
  });

  app.post('/_sandbox/clock/advance', async (request) => {
    const body = validateControlBody<{ seconds: number; project_id?: number }>('sandbox/advance.json', request.body);
    const projectId = await clockProject(body.project_id);
    await clockControl.advanceBy(body.seconds, projectId);
    return clockControl.report(projectId);
  });

  app.get<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId', async (request) => {
    return lookup.report(await lookup.require(request.params.projectId, request.params.paymentId));
  });

  app.post<{ Params: { projectId: string; paymentId: string } }>('/_sandbox/payments/:projectId/:paymentId/complete', async (request) => {
    const body = validateControlBody<{ status?: FinalStatus; code?: string; scenario?: string }>('sandbox/complete.json', request.body ?? {});
    if (body.scenario !== undefined && (body.status !== undefined || body.code !== undefined)) {
      throw new Refusal('invalid-fields', [{ field: 'scenario', message: 'Give either a scenario or a status and code' }]);
    }
    const payment = await lookup.require(request.params.projectId, request.params.paymentId);
    const outcome = body.scenario === undefined ? requestedOutcome(body.status ?? 'success', body.code) : catalogueOutcome(sandbox.scenarios, body.scenario);
    const completed = await lifecycle.complete(payment.rowId, outcome);
    await settled(completed);
    return lookup.report(completed);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/callbacks', async (request) => {
    const query = listQuery(request.query);
    const state = queryText(request.query, 'state');
    if (state !== undefined && !CALLBACK_STATES.has(state as CallbackState)) {
      throw new Refusal('invalid-fields', [{ field: 'state', message: 'Expected queued, scheduled, delivered or failed' }]);
    }
    const list = await callbacks.list({ ...query, state: state as CallbackState | undefined });
    return { callbacks: await Promise.all(list.map(async (c) => callbackReport(c, await callbacks.attemptsOf(c.id)))) };
  });

  app.post<{ Params: { id: string } }>('/_sandbox/callbacks/:id/replay', async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id)) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${request.params.id}` }]);
    const replay = await callbacks.replay(id);
    if (clock.mode === 'manual') await sandbox.scheduler.runDue(clock.now(replay.projectId), { paymentRowId: replay.paymentRowId });
    const current = await callbacks.find(replay.id);
    return { callback: current === undefined ? null : callbackReport(current, await callbacks.attemptsOf(replay.id)) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/inbox', async (request) => {
    const entries = (await callbacks.inbox(listQuery(request.query))).map((entry) => ({
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
    const mails = (await lookup.mail({ ...query, to: queryText(request.query, 'to') })).map((m) => ({
      id: m.id, project_id: m.projectId, payment_id: m.paymentId, sent_at: new Date(m.sentAt).toISOString(),
      from: m.from, to: m.to, subject: m.subject, body: m.body,
    }));
    return { mail: mails };
  });

  app.post('/_sandbox/reset', async (request) => {
    const body = validateControlBody<{ project_id?: number }>('sandbox/reset.json', request.body ?? {});
    await control.reset(body.project_id);
    return { status: 'ok', reset: body.project_id ?? 'all' };
  });

  app.post('/_sandbox/projects', async (request, reply) => {
    const body = validateControlBody<NewProjectRequest>('sandbox/project.json', request.body);
    const project = await projects.create(body);
    const { origin: _origin, ...shown } = projectReport(project);
    return reply.code(201).send(shown);
  });

  app.get('/_sandbox/projects', async () => ({ projects: (await projects.all()).map(projectReport) }));

  app.post('/_sandbox/conformance', async (request) => {
    const body = validateControlBody<{ project_id: number; callback_url?: string; probe_url?: string; reject_status?: number; timeout_ms?: number }>(
      'sandbox/conformance.json', request.body,
    );
    const asked: ConformanceRequest = {
      projectId: body.project_id,
      ...(body.callback_url === undefined ? {} : { callbackUrl: body.callback_url }),
      ...(body.probe_url === undefined ? {} : { probeUrl: body.probe_url }),
      ...(body.reject_status === undefined ? {} : { rejectStatus: body.reject_status }),
      ...(body.timeout_ms === undefined ? {} : { timeoutMs: body.timeout_ms }),
    };
    return conformanceAnswer(await sandbox.conformance.run(asked));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/conformance', async (request) => {
    const { projectId, limit, offset } = listQuery(request.query);
    return { runs: (await sandbox.conformance.list({ ...(projectId === undefined ? {} : { projectId }), limit, offset })).map(conformanceSummary) };
  });

  app.get<{ Params: { id: string } }>('/_sandbox/conformance/:id', async (request) => conformanceAnswer(await sandbox.conformance.require(request.params.id)));
}
