// Wires configuration, storage, the clock, the scheduler and the domain services (no HTTP here).
import type { SandboxConfig } from './config.js';
import { CallbackDispatcher } from './domain/callback-dispatcher.js';
import { createClock, type Clock } from './domain/clock.js';
import { CurrencyConverter } from './domain/currency-converter.js';
import { IdSource } from './domain/id-source.js';
import { loadMethods, type MethodCatalogue } from './domain/methods.js';
import { PaymentService } from './domain/payment-service.js';
import type { CallbackTransport, Logger } from './domain/ports.js';
import { Scheduler } from './domain/scheduler.js';
import { loadScenarios, type ScenarioCatalogue } from './domain/scenarios.js';
import { UndiciCallbackTransport } from './outbound/callback-transport.js';
import { CallbacksStore } from './storage/callbacks-store.js';
import { openDatabase, type SqliteDatabase } from './storage/database.js';
import { GroupCommitter } from './storage/group-commit.js';
import { JobsStore } from './storage/jobs-store.js';
import { MetaStore } from './storage/meta-store.js';
import { MailStore } from './storage/mail-store.js';
import { BatchesStore } from './storage/batches-store.js';
import { PaymentQueries } from './storage/payment-queries.js';
import { PayoutBatches } from './domain/payout-batches.js';
import { DataApi } from './domain/data-api.js';
import { PaymentsStore } from './storage/payments-store.js';
import { ProjectsStore, type Project } from './storage/projects-store.js';

const MANUAL_CLOCK_KEY = 'manual_clock_at';

export interface Sandbox {
  config: SandboxConfig;
  db: SqliteDatabase;
  clock: Clock;
  ids: IdSource;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
  projects: ProjectsStore;
  payments: PaymentsStore;
  callbacks: CallbacksStore;
  jobs: JobsStore;
  mail: MailStore;
  dispatcher: CallbackDispatcher;
  paymentService: PaymentService;
  batches: BatchesStore;
  payoutBatches: PayoutBatches;
  queries: PaymentQueries;
  dataApi: DataApi;
  scheduler: Scheduler;
  transaction<T>(work: () => T): T;
  /** Clears payments, callbacks, inbox and timers, of every project or of one. */
  reset(projectId: number | undefined): void;
  close(): Promise<void>;
}

export function createSandbox(config: SandboxConfig, log: Logger, transport?: CallbackTransport): Sandbox {
  const db = openDatabase(config.databasePath);
  const meta = new MetaStore(db);
  const saved = meta.get(MANUAL_CLOCK_KEY);
  const clock = createClock(config.clock, saved === undefined || config.clock.mode !== 'manual' ? undefined : Number(saved), (at) =>
    meta.put(MANUAL_CLOCK_KEY, String(at)),
  );
  if (config.clock.mode === 'manual') meta.put(MANUAL_CLOCK_KEY, String(clock.now()));
  const transaction = <T>(work: () => T): T => db.transaction(work)();
  const groupCommit = new GroupCommitter(db);
  const projects = new ProjectsStore(db);
  for (const project of config.projects) {
    projects.save(
      {
        projectId: project.project_id,
        secretKey: project.secret_key,
        name: project.name ?? '',
        callbackUrl: project.callback_url,
        origin: 'config',
        frequencyLimits: project.frequency_limits ?? [],
      },
      clock.now(),
    );
  }
  const payments = new PaymentsStore(db);
  const callbacks = new CallbacksStore(db);
  const jobs = new JobsStore(db);
  const mail = new MailStore(db);
  const ids = new IdSource(config.seed);
  const methods = loadMethods(config.methodOverrides);
  const scenarios = loadScenarios(config.scenariosDir);
  const outbound = transport ?? new UndiciCallbackTransport(config.callbacks.userAgent, config.callbacks.maxInFlight);
  const dispatcher = new CallbackDispatcher(callbacks, jobs, clock, outbound, {
    timeoutMs: config.callbacks.timeoutMs,
    resolveProjectUrl: (projectId) => projects.find(projectId)?.callbackUrl,
  }, transaction);
  let scheduler: Scheduler | undefined;
  const paymentService = new PaymentService(
    payments, jobs, dispatcher, methods, new CurrencyConverter(config.currencyRates), ids, clock, config.publicUrl, scenarios, mail,
    (projectId) => projects.find(projectId), transaction, (work) => groupCommit.run(work), () => scheduler?.wake(),
  );
  const batches = new BatchesStore(db);
  const payoutBatches = new PayoutBatches(batches, jobs, paymentService, clock, transaction, () => scheduler?.wake());
  const queries = new PaymentQueries(db);
  const dataApi = new DataApi(config.dataApiTokens, queries, methods, clock);
  scheduler = new Scheduler(jobs, clock, {
    callback: dispatcher.deliver,
    limit: paymentService.runLimitTimer,
    outcome: paymentService.runOutcome,
    batch: payoutBatches.runBatch,
  }, config.callbacks.maxInFlight, log);
  const activeScheduler = scheduler;
  return {
    config, db, clock, ids, methods, scenarios, projects, payments, callbacks, jobs, mail, dispatcher, paymentService, batches, payoutBatches, queries, dataApi, scheduler: activeScheduler, transaction,
    reset(projectId) {
      transaction(() => {
        jobs.deleteAll(projectId);
        callbacks.deleteAll(projectId);
        mail.deleteAll(projectId);
        batches.deleteAll(projectId);
        payments.deleteAll(projectId);
      });
    },
    async close() {
      if (!db.open) return;
      await activeScheduler.stop();
      if (outbound instanceof UndiciCallbackTransport) await outbound.close();
      db.close();
    },
  };
}

export type { Project };
