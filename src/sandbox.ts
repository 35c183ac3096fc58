// Wires configuration, storage, the clock, the scheduler and the domain services (no HTTP here). Surfaces get
// the services; only this file sees the storage.
import { hostname } from 'node:os';
import { nanoid } from 'nanoid';
import type { SandboxConfig } from './config.js';
import { CallbackDispatcher } from './domain/callbacks/callback-dispatcher.js';
import { ClockControl, loadClock } from './domain/clock/clock-control.js';
import type { Clock } from './domain/clock/clock.js';
import { AuditTrail } from './domain/tools/audit-trail.js';
import { hashControlToken } from './domain/projects/control-tokens.js';
import { RequestRate } from './domain/projects/request-rate.js';
import { CurrencyConverter } from './domain/catalogue/currencies.js';
import type { Catalogue } from './domain/catalogue/catalogue.js';
import { loadCatalogue } from './catalogue-loader.js';
import { OutcomeRules } from './domain/payments/outcomes.js';
import { fieldOf, plainProblem, validatorFor } from './schema-registry.js';
import { DataApi } from './domain/reports/data-api.js';
import { IdSource } from './domain/payments/id-source.js';
import { MerchantConformance } from './domain/tools/merchant-conformance.js';
import { MethodRules } from './domain/payments/method-rules.js';
import type { MethodCatalogue } from './domain/catalogue/methods.js';
import { PageLinks } from './domain/payments/page-links.js';
import { PaymentLifecycle } from './domain/payments/payment-lifecycle.js';
import { PaymentSteps } from './domain/payments/payment-steps.js';
import { PaymentMachine } from './domain/payments/state-machine.js';
import { WALLET_FAMILY } from './domain/payments/families/wallet.js';
import { PaymentListing } from './domain/reports/payment-listing.js';
import { PaymentLookup } from './domain/payments/payment-lookup.js';
import { PayoutBatches } from './domain/payments/payout-batches.js';
import type { CallbackTransport, Logger, PeerChannel, Storage } from './domain/ports.js';
import { ProjectDirectory } from './domain/projects/project-directory.js';
import { SandboxControl } from './domain/tools/sandbox-control.js';
import { Scheduler } from './domain/clock/scheduler.js';
import type { ScenarioCatalogue } from './domain/catalogue/scenarios.js';
import { UndiciCallbackTransport } from './outbound/callback-transport.js';
import { openStorage } from './storage/open-storage.js';

export interface Sandbox {
  config: SandboxConfig;
  /** This process among the instances that share a database. */
  instanceId: string;
  storageKind: Storage['kind'];
  clock: Clock;
  clockControl: ClockControl;
  catalogue: Catalogue;
  outcomes: OutcomeRules;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
  projects: ProjectDirectory;
  rules: MethodRules;
  links: PageLinks;
  lifecycle: PaymentLifecycle;
  lookup: PaymentLookup;
  callbacks: CallbackDispatcher;
  listing: PaymentListing;
  batches: PayoutBatches;
  dataApi: DataApi;
  control: SandboxControl;
  conformance: MerchantConformance;
  scheduler: Scheduler;
  audit: AuditTrail;
  requestRate: RequestRate;
  close(): Promise<void>;
}

/** Real milliseconds an instance keeps a job it claimed: longer than a delivery can take, short enough for a quick takeover. */
export function leaseMsFor(callbackTimeoutMs: number): number {
  return Math.max(15_000, callbackTimeoutMs + 10_000);
}

export interface SandboxOptions {
  transport?: CallbackTransport;
  /** The other worker processes on the same SQLite file. */
  peers?: PeerChannel;
}

export async function createSandbox(config: SandboxConfig, log: Logger, options: SandboxOptions = {}): Promise<Sandbox> {
  const instanceId = `${hostname()}-${process.pid}-${nanoid(6)}`;
  const storage = await openStorage(config.databasePath, instanceId, log, options.peers);
  try {
    return await wire(storage, instanceId, config, log, options.transport);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function wire(storage: Storage, instanceId: string, config: SandboxConfig, log: Logger, transport?: CallbackTransport): Promise<Sandbox> {
  const catalogue = loadCatalogue({ scenariosDir: config.scenariosDir, methodOverrides: config.methodOverrides });
  const { methods, scenarios, currencies } = catalogue;
  const outcomes = new OutcomeRules(catalogue.codes);
  const clock = await loadClock(storage, config.clock);
  let scheduler: Scheduler | undefined;
  const currentScheduler = (): Scheduler => scheduler as Scheduler;
  const clockControl = new ClockControl(storage, clock, currentScheduler);
  const projects = new ProjectDirectory(storage, clock, config.callbackPolicy, (tx, projectId) => clockControl.addProject(tx, projectId), config.defaultQuotas);
  await projects.saveConfigured(config.projects.map((p) => ({
    projectId: p.project_id,
    secretKey: p.secret_key,
    name: p.name ?? '',
    callbackUrl: p.callback_url,
    origin: 'config' as const,
    frequencyLimits: p.frequency_limits ?? [],
    callbackOptions: p.callbacks ?? {},
    tokenHash: p.control_token === undefined ? undefined : hashControlToken(p.control_token),
    quotas: { ...config.defaultQuotas, ...p.quotas },
  })));
  await clockControl.start(config.projects.map((p) => p.project_id));
  const outbound = transport ?? new UndiciCallbackTransport(config.callbacks.userAgent, config.callbacks.maxInFlight, config.callbackPolicy);
  const rules = new MethodRules(methods, new CurrencyConverter(currencies, config.currencyRates));
  const links = new PageLinks(config.publicUrl);
  const dispatcher = new CallbackDispatcher({ storage, clock, transport: outbound, projects, timeoutMs: config.callbacks.timeoutMs });
  const ids = new IdSource(config.seed);
  const machine = new PaymentMachine([WALLET_FAMILY]);
  const steps = new PaymentSteps({ machine, outcomes, dispatcher, ids, clock, currencies });
  const lifecycle = new PaymentLifecycle({
    storage, rules, methods, scenarios, outcomes, machine, steps, ids, clock, links, projects, callbackPolicy: config.callbackPolicy,
  });
  const batches = new PayoutBatches({ storage, rules, lifecycle, projects, clock, currencies, checkPayoutBody });
  scheduler = new Scheduler({
    storage,
    clock,
    handlers: { callback: dispatcher.deliver, limit: lifecycle.runLimitTimer, outcome: lifecycle.runOutcome, batch: batches.runBatch },
    maxInFlight: config.callbacks.maxInFlight,
    log,
    instanceId,
    leaseMs: leaseMsFor(config.callbacks.timeoutMs),
    syncClock: clockControl.sync,
    pollMs: config.pollMs,
  });
  const activeScheduler = scheduler;
  let closed = false;
  return {
    config,
    instanceId,
    storageKind: storage.kind,
    clock,
    clockControl,
    catalogue,
    outcomes,
    methods,
    scenarios,
    projects,
    rules,
    links,
    lifecycle,
    lookup: new PaymentLookup({ storage, rules, links, dispatcher }),
    callbacks: dispatcher,
    listing: new PaymentListing(storage.reports),
    batches,
    dataApi: new DataApi(config.dataApiTokens, storage.reports, methods, clock),
    control: new SandboxControl(storage, clock, currentScheduler),
    // The kit (and undici with it) loads at its first run, keeping it off the start path.
    conformance: new MerchantConformance({
      storage, projects, clock, publicUrl: config.publicUrl, callbackPolicy: config.callbackPolicy,
      runner: async (...args) => (await import('./conformance/run-conformance.js')).runConformance(...args),
    }),
    scheduler: activeScheduler,
    audit: new AuditTrail(storage),
    requestRate: new RequestRate(),
    async close() {
      if (closed) return;
      closed = true;
      await activeScheduler.stop();
      if (outbound instanceof UndiciCallbackTransport) await outbound.close();
      await storage.close();
    },
  };
}

/** The Gate payout schema's problems of a payout built from a form or a CSV row, in plain words. */
function checkPayoutBody(body: unknown, label: (field: string) => string): Array<{ field: string; message: string }> {
  const validate = validatorFor('gate/payout.json');
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => ({ field: fieldOf(error), message: plainProblem(error, label(fieldOf(error))) }));
}
