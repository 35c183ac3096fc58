// How the control API shows projects and kept conformance runs.
import type { ConformanceRun, Project } from '../../domain/model.js';
import { deliveryOf } from '../../domain/reports/payment-report.js';

export function projectReport(project: Project): Record<string, unknown> {
  return {
    project_id: project.projectId, name: project.name, callback_url: project.callbackUrl ?? null, origin: project.origin,
    frequency_limits: project.frequencyLimits, callbacks: deliveryOf(project.callbackOptions), quotas: project.quotas,
    control_token: project.tokenHash === undefined ? 'none' : 'set',
  };
}

export function conformanceSummary(run: ConformanceRun): Record<string, unknown> {
  return {
    id: run.id, project_id: run.projectId, created_at: new Date(run.createdAt).toISOString(), callback_url: run.callbackUrl,
    probe_url: run.probeUrl ?? null, passed: run.passed, failed: run.failed,
  };
}

/** A kept run: its id and project, then the report exactly as the kit's --json writes it. */
export function conformanceAnswer(run: ConformanceRun): Record<string, unknown> {
  return { id: run.id, project_id: run.projectId, created_at: new Date(run.createdAt).toISOString(), ...run.report };
}
