// The merchant conformance kit run for a project from a tool (control API, dashboard): the project's secret
// signs the callbacks, its callback URL is the default target, the egress policy bounds where it may send, and
// every report is kept.
import { ConformanceOptionError, UnreachableEndpointError, type ConformanceReport } from './conformance-report.js';
import type { Clock } from '../clock/clock.js';
import type { EgressPolicy } from '../callbacks/egress-policy.js';
import { Refusal, fieldRefusal } from '../errors.js';
import type { ConformanceRun } from '../model.js';
import type { Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';

/** What the domain asks of a kit run (a part of the kit's own options, src/conformance/options.ts). */
export interface KitRunOptions {
  callbackUrl: string;
  projectId: number;
  secret: string;
  publicUrl: string;
  now: () => number;
  egressPolicy: EgressPolicy;
  probeUrl?: string;
  rejectStatus?: number;
  timeoutMs?: number;
  shop?: string;
  probePaymentStatus?: string;
  prepareUrl?: string;
  paymentIds?: string[];
  cases?: string[];
  skip?: string[];
  salesOnly?: boolean;
  strict?: boolean;
}

/** The kit's choices a tool passes on as they are (the kit checks them). */
export type KitChoices = Pick<KitRunOptions, 'shop' | 'probePaymentStatus' | 'prepareUrl' | 'paymentIds' | 'cases' | 'skip' | 'salesOnly' | 'strict'>;

/** Runs the kit; the composition root passes runConformance, so the domain sends no HTTP itself. */
export type ConformanceRunner = (options: KitRunOptions) => Promise<ConformanceReport>;

export interface ConformanceRequest extends KitChoices {
  projectId: number;
  /** Default: the project's callback URL. */
  callbackUrl?: string;
  probeUrl?: string;
  rejectStatus?: number;
  timeoutMs?: number;
}

const CHOICES = ['shop', 'probePaymentStatus', 'prepareUrl', 'paymentIds', 'cases', 'skip', 'salesOnly', 'strict'] as const;

/** The choices the request makes, without the ones it leaves out. */
function choicesOf(request: ConformanceRequest): KitChoices {
  return Object.fromEntries(CHOICES.filter((key) => request[key] !== undefined).map((key) => [key, request[key]])) as KitChoices;
}

export interface MerchantConformanceDeps {
  storage: Storage;
  projects: ProjectDirectory;
  clock: Clock;
  runner: ConformanceRunner;
  /** Base of the links in redirect callbacks: this sandbox's public URL. */
  publicUrl: string;
  /** Where callbacks may go (SANDBOX_CALLBACK_ALLOW / SANDBOX_CALLBACK_DENY): the kit's requests are callbacks too. */
  callbackPolicy: EgressPolicy;
}

/** The kit's option names as the tools' fields spell them. */
const FIELD_OF: Record<string, string> = {
  callbackUrl: 'callback_url', probeUrl: 'probe_url', rejectStatus: 'reject_status', timeoutMs: 'timeout_ms', projectId: 'project_id', secret: 'secret_key',
  shop: 'shop', probePaymentStatus: 'probe_payment_status', prepareUrl: 'prepare_url', paymentIds: 'payment_ids', cases: 'cases', skip: 'skip',
};

export class MerchantConformance {
  constructor(private readonly deps: MerchantConformanceDeps) {}

  /**
   * Runs every case against the merchant's endpoint and keeps the report (passed or not). Refused with 2004 for
   * an unknown project, no callback URL or a bad option, and with 602 when the endpoint cannot be reached.
   */
  async run(request: ConformanceRequest): Promise<ConformanceRun> {
    const { storage, projects, clock, runner, publicUrl } = this.deps;
    const project = await projects.find(request.projectId);
    if (project === undefined) throw fieldRefusal('project_id', `No project ${request.projectId} in this sandbox`);
    const callbackUrl = request.callbackUrl ?? project.callbackUrl;
    if (callbackUrl === undefined) throw fieldRefusal('callback_url', `Project ${project.projectId} has no callback URL; give the URL to test`);
    this.checkUrl('callback_url', callbackUrl);
    if (request.probeUrl !== undefined) this.checkUrl('probe_url', request.probeUrl.replaceAll('{payment_id}', 'x'));
    // The method before the URL, if any, is the kit's to check; the URL must be one the sandbox may send to.
    if (request.prepareUrl !== undefined) this.checkUrl('prepare_url', request.prepareUrl.trim().replace(/^(POST|PUT)\s+/i, ''));
    let report: ConformanceReport;
    try {
      report = await runner({
        callbackUrl,
        projectId: project.projectId,
        secret: project.secretKey,
        publicUrl,
        now: () => clock.now(project.projectId),
        egressPolicy: this.deps.callbackPolicy,
        ...(request.probeUrl === undefined ? {} : { probeUrl: request.probeUrl }),
        ...(request.rejectStatus === undefined ? {} : { rejectStatus: request.rejectStatus }),
        ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
        ...choicesOf(request),
      });
    } catch (error) {
      if (error instanceof ConformanceOptionError) throw fieldRefusal(FIELD_OF[error.option] ?? error.option, `${FIELD_OF[error.option] ?? error.option} ${error.detail}`);
      if (error instanceof UnreachableEndpointError) throw new Refusal('unreachable-endpoint', [{ field: FIELD_OF[error.option] as string, message: error.message }]);
      throw error;
    }
    const run: Omit<ConformanceRun, 'id'> = {
      projectId: project.projectId, createdAt: clock.now(project.projectId), callbackUrl, probeUrl: request.probeUrl, passed: report.passed, failed: report.failed, report,
    };
    const id = await storage.transact((tx) => tx.conformanceRuns.insert(run));
    return { id, ...run };
  }

  /** A URL the kit would call must be one the egress policy allows, as for any callback URL a request names. */
  private checkUrl(field: string, url: string): void {
    const verdict = this.deps.callbackPolicy.checkUrl(url);
    if (!verdict.allowed) throw fieldRefusal(field, `The sandbox may not send there: ${verdict.reason}`);
  }

  find(id: number): Promise<ConformanceRun | undefined> {
    return this.deps.storage.read.conformanceRuns.find(id);
  }

  /** A kept report by id, or the 3061 refusal naming it. */
  async require(idParam: string): Promise<ConformanceRun> {
    const id = Number(idParam);
    const run = Number.isSafeInteger(id) ? await this.find(id) : undefined;
    if (run === undefined) throw fieldRefusal('id', `No conformance report ${idParam}`, 'payment-not-found');
    return run;
  }

  list(filter: { projectId?: number; limit: number; offset: number }): Promise<ConformanceRun[]> {
    return this.deps.storage.read.conformanceRuns.list(filter);
  }
}
