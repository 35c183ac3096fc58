// The composition root of the domain: configuration, the catalogue, storage, the clock, the scheduler and the
// domain services (no HTTP here). Surfaces get narrow sets of services (src/app.ts); only this file sees the storage.
import { hostname } from 'node:os';
import { nanoid } from 'nanoid';
import { loadCatalogue } from './catalogue-loader.js';
import type { SandboxConfig } from './config.js';
import { CallbackDispatcher } from './domain/callbacks/callback-dispatcher.js';
import { ListenRelay } from './domain/callbacks/listen-relay.js';
import type { Catalogue } from './domain/catalogue/catalogue.js';
import { CurrencyConverter } from './domain/catalogue/currencies.js';
import { ClockControl } from './domain/clock/clock-control.js';
import type { Clock } from './domain/clock/clock.js';
import { Scheduler } from './domain/clock/scheduler.js';
import { loadClock, SharedClock } from './domain/clock/shared-clock.js';
import type { FieldProblem } from './domain/errors.js';
import type { CallbackTransport, Logger, PeerChannel, Storage, StorageState } from './domain/ports.js';
import { WALLET_FAMILY } from './domain/payments/families/wallet.js';
import { IdSource } from './domain/payments/id-source.js';
import { MethodRules } from './domain/payments/method-rules.js';
import { OutcomeRules } from './domain/payments/outcomes.js';
import { PageLinks } from './domain/payments/page-links.js';
import { PaymentLifecycle, type Beginning } from './domain/payments/payment-lifecycle.js';
import { PaymentLookup } from './domain/payments/payment-lookup.js';
import { PaymentSteps } from './domain/payments/payment-steps.js';
import { PayoutBatches } from './domain/payments/payout-batches.js';
import { PaymentMachine } from './domain/payments/state-machine.js';
import { CARD_FAMILY } from './domain/payments/families/card.js';
import { CardClarification } from './domain/payments/card-clarification.js';
import { CardPayments, cardStatusHooks, type CardParts } from './domain/payments/card-payments.js';
import { CardRecurring } from './domain/payments/card-recurring.js';
import { CardSupport } from './domain/payments/card-support.js';
import { CardThreeDs } from './domain/payments/card-threeds.js';
import { hashControlToken } from './domain/projects/control-tokens.js';
import { ProjectDirectory } from './domain/projects/project-directory.js';
import { RequestRate } from './domain/projects/request-rate.js';
import { DataApi } from './domain/reports/data-api.js';
import { PaymentListing } from './domain/reports/payment-listing.js';
import { AuditTrail } from './domain/tools/audit-trail.js';
import { MerchantConformance } from './domain/tools/merchant-conformance.js';
import { SandboxTools } from './domain/tools/sandbox-tools.js';
import { DashboardSessions } from './domain/tools/dashboard-sessions.js';
import { UndiciCallbackTransport } from './outbound/callback-transport.js';
import { fieldOf, plainProblem, validatorFor } from './schema-registry.js';
import { openStorage } from './storage/open-storage.js';

export interface Sandbox {
  config: SandboxConfig;
  /** This process among the instances that share a database. */
  instanceId: string;
  storageKind: Storage['kind'];
  /** Whether the storage takes writes now (looked at afresh: a probe where it did not). */
  storageState(): Promise<StorageState>;
  clock: Clock;
  sharedClock: SharedClock;
  clockControl: ClockControl;
  catalogue: Catalogue;
  outcomes: OutcomeRules;
  machine: PaymentMachine;
  projects: ProjectDirectory;
  rules: MethodRules;
  links: PageLinks;
  lifecycle: PaymentLifecycle;
  cards: CardPayments;
  cardParts: CardParts;
  lookup: PaymentLookup;
  callbacks: CallbackDispatcher;
  /** Listeners (`ecommpay-sandbox listen`) and the callbacks handed to them. */
  listen: ListenRelay;
  listing: PaymentListing;
  batches: PayoutBatches;
  dataApi: DataApi;
  conformance: MerchantConformance;
  scheduler: Scheduler;
  audit: AuditTrail;
  requestRate: RequestRate;
  tools: SandboxTools;
  sessions: DashboardSessions;
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
  /** Storage opened by the caller (closed with the sandbox); by default the sandbox opens `config.databasePath`. */
  storage?: Storage;
}

export async function createSandbox(config: SandboxConfig, log: Logger, options: SandboxOptions = {}): Promise<Sandbox> {
  const instanceId = `${hostname()}-${process.pid}-${nanoid(6)}`;
  const storage = options.storage ?? await openStorage(config.databasePath, instanceId, log, { peers: options.peers, waitMs: config.dbWaitMs });
  try {
    return await wire(storage, instanceId, config, log, options.transport);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** The config file's projects, saved at every start, with their own clocks on a manual clock. */
async function configuredProjects(config: SandboxConfig, storage: Storage, sharedClock: SharedClock, log: Logger): Promise<ProjectDirectory> {
  const projects = new ProjectDirectory(storage, sharedClock.clock, config.callbackPolicy, sharedClock.addProject, config.defaultQuotas);
  const saved = await projects.saveConfigured(config.projects.map((p) => ({
    projectId: p.project_id,
    secretKey: p.secret_key,
    name: p.name ?? '',
    callbackUrl: p.callback_url,
    origin: 'config' as const,
    frequencyLimits: p.frequency_limits ?? [],
    callbackOptions: p.callbacks ?? {},
    tokenHash: p.control_token === undefined ? undefined : hashControlToken(p.control_token),
    quotas: { ...config.defaultQuotas, ...p.quotas },
    cardOptions: p.card ?? {},
  })));
  // A start on a full disk serves what is stored; the config's projects are kept in memory until the next start.
  if (!saved) log.warn({ storage: storage.state() }, 'the storage refuses writes: starting read-only; the config file\'s projects are not saved this time');
  await sharedClock.start(config.projects.map((p) => p.project_id));
  return projects;
}

/** The services that make and move payments, and the callbacks they send. */
function paymentServices(storage: Storage, config: SandboxConfig, catalogue: Catalogue, clock: Clock, projects: ProjectDirectory, transport: CallbackTransport, listen: ListenRelay) {
  const outcomes = new OutcomeRules(catalogue.codes);
  const rules = new MethodRules(catalogue.methods, new CurrencyConverter(catalogue.currencies, config.currencyRates));
  const links = new PageLinks(config.publicUrl);
  const callbacks = new CallbackDispatcher({ storage, clock, transport, projects, timeoutMs: config.callbacks.timeoutMs, listen });
  const ids = new IdSource(config.seed);
  const machine = new PaymentMachine([WALLET_FAMILY, CARD_FAMILY]);
  const steps = new PaymentSteps({ machine, outcomes, dispatcher: callbacks, ids, clock, currencies: catalogue.currencies, entered: cardStatusHooks(ids) });
  const beginnings: Record<string, Beginning> = {};
  const lifecycle = new PaymentLifecycle({
    storage, rules, methods: catalogue.methods, scenarios: catalogue.scenarios, outcomes, machine, steps, ids, clock, links, projects, callbackPolicy: config.callbackPolicy, beginnings,
  });
  const support = new CardSupport({ storage, clock, methods: catalogue.methods, cards: catalogue.cards, outcomes, steps, lifecycle, projects, ids, links });
  const threeds = new CardThreeDs(support);
  const cardParts = { threeds, recurring: new CardRecurring(support), clarification: new CardClarification(support, threeds) };
  const cards = new CardPayments(support, cardParts);
  beginnings.card = cards.begin;
  const batches = new PayoutBatches({ storage, rules, lifecycle, projects, clock, currencies: catalogue.currencies, checkPayoutBody });
  const lookup = new PaymentLookup({ storage, rules, links, dispatcher: callbacks });
  return { outcomes, machine, rules, links, callbacks, lifecycle, batches, lookup, cards, cardParts };
}

async function wire(storage: Storage, instanceId: string, config: SandboxConfig, log: Logger, transport?: CallbackTransport): Promise<Sandbox> {
  const catalogue = loadCatalogue({ scenariosDir: config.scenariosDir, methodOverrides: config.methodOverrides });
  const sharedClock = new SharedClock(storage, await loadClock(storage, config.clock));
  const { clock } = sharedClock;
  const projects = await configuredProjects(config, storage, sharedClock, log);
  const outbound = transport ?? new UndiciCallbackTransport(config.callbacks.userAgent, config.callbacks.maxInFlight, config.callbackPolicy);
  const listen = new ListenRelay({ storage, instanceId, log });
  const payments = paymentServices(storage, config, catalogue, clock, projects, outbound, listen);
  const { lifecycle, callbacks, batches } = payments;
  const scheduler = new Scheduler({
    storage,
    clock,
    handlers: { callback: callbacks.deliver, limit: lifecycle.runLimitTimer, outcome: lifecycle.runOutcome, batch: batches.runBatch, hold: payments.cards.runHoldTimer },
    maxInFlight: config.callbacks.maxInFlight,
    log,
    instanceId,
    leaseMs: leaseMsFor(config.callbacks.timeoutMs),
    syncClock: sharedClock.sync,
    pollMs: config.pollMs,
  });
  const clockControl = new ClockControl(storage, sharedClock, scheduler);
  const audit = new AuditTrail(storage);
  // The kit (and undici with it) loads at its first run, keeping it off the start path.
  const conformance = new MerchantConformance({
    storage, projects, clock, publicUrl: config.publicUrl, callbackPolicy: config.callbackPolicy,
    runner: async (...args) => (await import('./conformance/run-conformance.js')).runConformance(...args),
  });
  const tools = new SandboxTools({
    storage, clock, clockControl, scheduler, lifecycle, cards: payments.cards, lookup: payments.lookup, callbacks, projects, batches, conformance, audit, recurring: payments.cardParts.recurring,
  });
  let closed = false;
  return {
    config, instanceId, storageKind: storage.kind, storageState: () => storage.checkState(), clock, sharedClock, clockControl, catalogue, projects, scheduler, audit, conformance, tools, listen,
    ...payments,
    listing: new PaymentListing(storage.reports),
    sessions: new DashboardSessions(storage),
    dataApi: new DataApi(config.dataApiTokens, storage.reports, catalogue.methods, clock),
    requestRate: new RequestRate(),
    async close() {
      if (closed) return;
      closed = true;
      // Listeners end first: a delivery waiting on one of them is answered, so the scheduler's stop is not held up.
      await listen.close();
      callbacks.stop();
      await scheduler.stop();
      if (outbound instanceof UndiciCallbackTransport) await outbound.close();
      await storage.close();
    },
  };
}

/** The Gate payout schema's problems of a payout built from a form or a CSV row, in plain words. */
function checkPayoutBody(body: unknown, label: (field: string) => string): FieldProblem[] {
  const validate = validatorFor('gate/payout.json');
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => ({ field: fieldOf(error), message: plainProblem(error, label(fieldOf(error))) }));
}
