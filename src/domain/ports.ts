// What the domain needs from the outside world: storage (repositories and one unit of work), callback
// delivery, logging. Implemented in src/storage/{sqlite,postgres} and src/outbound; the domain sees only these.
import type {
  Batch, CallbackAttempt, CallbackFilter, CallbackRecord, CallbackState, ConformanceRun, DailyTotal, InboxEntry, Job, JobKind, ListFilter, Mail,
  RowJobKind,
  MailFilter, MethodStatusCount, Operation, OperationFilter, OperationRow, Payment, PaymentFilter, PaymentListRow, PaymentStatus, PaymentType,
  AuditEntry, AuditFilter, DashboardSession, ListenAnswer, ListenerPresence, ListenHandoff, PendingBatchRow, Project, ProjectClock, RecurringRegistration, RefusedBatchRow,
} from './model.js';

export interface DeliveryResult {
  httpStatus: number | undefined;
  error: string | undefined;
  latencyMs: number;
  responseExcerpt: string;
}

export interface CallbackTransport {
  post(url: string, body: string, timeoutMs: number): Promise<DeliveryResult>;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type NewPayment = Omit<Payment, 'rowId'>;
export type NewCallback = Omit<CallbackRecord, 'id' | 'attempts' | 'firstAttemptAt' | 'deliveredAt'>;

export interface PaymentsReader {
  find(projectId: number, paymentId: string): Promise<Payment | undefined>;
  findByRowId(rowId: number): Promise<Payment | undefined>;
  findByCheckoutToken(token: string): Promise<Payment | undefined>;
  /** Whether the customer has a successful purchase in the project through one of `methods`. */
  hasSuccessfulPurchase(projectId: number, customerId: string, methods: readonly string[]): Promise<boolean>;
  /** Payments of a customer created after `since`, optionally of one method and type (frequency limits). */
  countRecent(projectId: number, customerId: string, since: number, method?: string, type?: PaymentType): Promise<number>;
}

export interface Payments extends PaymentsReader {
  /** Inserts the payment unless its project already has that payment id; resolves undefined when it has. */
  insert(payment: NewPayment): Promise<Payment | undefined>;
  /** Reads the payment and holds it until the transaction ends, so no other instance changes it meanwhile. */
  lock(rowId: number): Promise<Payment | undefined>;
  /** Holds the payment until the transaction ends without reading it. */
  hold(rowId: number): Promise<void>;
  /** Serialises the transactions about one customer of a project (frequency limits stay exact across instances). */
  lockCustomer(projectId: number, customerId: string): Promise<void>;
  /** Counts the payment just inserted against the project's quota of `max` stored payments; false when full. */
  countStored(projectId: number, max: number): Promise<boolean>;
  /** Gives a payment its final status; its limit-time timer ends with it. */
  finish(rowId: number, status: PaymentStatus, at: number): Promise<void>;
  /** Moves a payment between statuses in progress (an attempt declined, a new attempt); its limit-time timer runs on. */
  setStatus(rowId: number, status: PaymentStatus, at: number): Promise<void>;
  updateAccount(rowId: number, account: Record<string, unknown>): Promise<void>;
  /** Replaces what the sandbox keeps with the payment for itself (a card payment's amounts and 3-D Secure progress). */
  updateExtras(rowId: number, extras: Record<string, unknown>): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface OperationsReader {
  ofPayment(paymentRowId: number): Promise<Operation[]>;
  /** The payment whose operation carries this request id (every accepted request's answer names one). */
  paymentOfRequest(projectId: number, requestId: string): Promise<number | undefined>;
}

export interface Operations extends OperationsReader {
  /** The next platform operation id: counts up from `base` and is never handed out twice, across instances and resets. */
  nextId(base: number): Promise<number>;
  insert(operation: Operation): Promise<void>;
  update(operation: Operation): Promise<void>;
}

export interface CallbacksReader {
  find(id: number): Promise<CallbackRecord | undefined>;
  ofPayment(paymentRowId: number): Promise<CallbackRecord[]>;
  attemptsOf(callbackId: number): Promise<CallbackAttempt[]>;
  list(filter: CallbackFilter): Promise<CallbackRecord[]>;
  inbox(filter: ListFilter): Promise<InboxEntry[]>;
  /** Whether an earlier callback of the payment is still waiting for delivery, so a new one must queue behind it. */
  hasPending(paymentRowId: number): Promise<boolean>;
  nextQueued(paymentRowId: number): Promise<CallbackRecord | undefined>;
}

export interface AttemptOutcome { state: CallbackState; nextAttemptAt: number | undefined; deliveredAt: number | undefined }

export interface Callbacks extends CallbacksReader {
  insert(record: NewCallback): Promise<number>;
  schedule(id: number, at: number, projectId: number): Promise<void>;
  recordAttempt(attempt: CallbackAttempt, outcome: AttemptOutcome): Promise<void>;
  addToInbox(callback: CallbackRecord, signedBody: string, at: number): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

/** Who runs a job and until when (real epoch ms): a lease that outlives its holder lets another instance take over. */
export interface Lease { owner: string; until: number }

export interface NewJob { kind: RowJobKind; ref: number; dueAt: number; projectId: number; paymentRowId?: number; payload?: string }

/** Work is due at or before a time, or (manual clocks, one per project) at or before its own project's time. */
export type DueBound = number | 'project-clocks';

/** Work other instances may pick up, and when: due times on the sandbox clock, lease ends in real time. */
export interface DueSummary { dueAt: number | undefined; leaseEndsAt: number | undefined }

/**
 * Due work of every kind: the rows of the jobs table, the scheduled callbacks (their next attempt) and the
 * payments in progress (their limit time).
 */
export interface JobsReader {
  find(kind: JobKind, ref: number): Promise<Job | undefined>;
  /** The earliest due time of work no live lease holds, and the earliest end of a live lease (real ms). */
  nextDue(realNow: number): Promise<DueSummary>;
  /** The earliest due time of any work, held or not, optionally of one project. */
  earliestDueAt(projectId?: number): Promise<number | undefined>;
  /** Whether any work is due at or before `until`, running or not, optionally of one project or one payment. */
  anyDue(until: number, scope?: { projectId?: number; paymentRowId?: number }): Promise<boolean>;
}

export interface Jobs extends JobsReader {
  /** Adds the job, or moves the existing one of the same kind and ref (and frees it of any lease). */
  put(job: NewJob): Promise<void>;
  remove(kind: RowJobKind, ref: number): Promise<void>;
  /** Leases up to `limit` pieces of work due at or before `until` that no live lease holds, earliest first. */
  claim(until: DueBound, limit: number, lease: Lease, realNow: number): Promise<Job[]>;
  /** Keeps work that failed away from every instance until the lease given ends, without moving its due time. */
  holdOff(kind: JobKind, ref: number, lease: Lease): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface ProjectsReader {
  find(projectId: number): Promise<Project | undefined>;
  all(): Promise<Project[]>;
  /** The lowest unused id at or above `from`. */
  freeId(from: number): Promise<number>;
  findByTokenHash(tokenHash: string): Promise<Project | undefined>;
}

export interface Projects extends ProjectsReader {
  /** Inserts or replaces (the config file's projects, refreshed at every start). */
  save(project: Project, createdAt: number): Promise<void>;
  /** Inserts a new project; resolves false when the id (or the token) is taken. */
  create(project: Project, createdAt: number): Promise<boolean>;
  /** Sets the count of stored payments to what is stored (after a reset). */
  recountStoredPayments(projectId: number | undefined): Promise<void>;
}

export interface RecurringReader {
  find(projectId: number, id: number): Promise<RecurringRegistration | undefined>;
  ofCustomer(projectId: number, customerId: string): Promise<RecurringRegistration[]>;
  list(filter: ListFilter): Promise<RecurringRegistration[]>;
}

export interface Recurrings extends RecurringReader {
  /** A new registration: its id comes from the operations' counter, so it is unique across projects and resets. */
  insert(registration: Omit<RecurringRegistration, 'id'>, id: number): Promise<void>;
  setStatus(id: number, status: RecurringRegistration['status'], at: number): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface ListensReader {
  /** Listeners of the project seen at or after `since` (real ms). */
  live(projectId: number, since: number): Promise<ListenerPresence[]>;
  /** The handoffs among `ids` that have an answer. */
  answered(ids: readonly number[]): Promise<ListenHandoff[]>;
}

export interface Listens extends ListensReader {
  /** Adds the listener, or marks it seen. */
  present(listener: ListenerPresence): Promise<void>;
  /** Marks the listeners seen at `at`. */
  seen(ids: readonly string[], at: number): Promise<void>;
  gone(id: string): Promise<void>;
  offer(handoff: Omit<ListenHandoff, 'id' | 'listenerId' | 'answer'>): Promise<number>;
  /** Gives up to `limit` handoffs of the project that nobody took to this listener; each goes to one listener only. */
  take(projectId: number, listenerId: string, limit: number): Promise<ListenHandoff[]>;
  /** Sets the answer of a handoff this listener took and nobody answered yet; false when there is none such. */
  answer(id: number, projectId: number, listenerId: string | undefined, answer: ListenAnswer): Promise<boolean>;
  /** Answers every handoff the listener took and left unanswered (it went away); resolves their projects. */
  abandon(listenerId: string, answer: ListenAnswer): Promise<number[]>;
  /** Deletes a handoff once its attempt is recorded. */
  remove(id: number): Promise<void>;
}

export interface SessionsReader {
  find(idHash: string): Promise<DashboardSession | undefined>;
}

export interface Sessions extends SessionsReader {
  insert(session: DashboardSession): Promise<void>;
  revoke(idHash: string, at: number): Promise<void>;
  /** Drops sessions that ended before `before` (expired or revoked). */
  deleteEnded(before: number): Promise<void>;
}

export interface AuditReader {
  list(filter: AuditFilter): Promise<AuditEntry[]>;
}

export interface AuditLog extends AuditReader {
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
}

export interface MailReader {
  list(filter: MailFilter): Promise<Mail[]>;
}

export interface MailStore extends MailReader {
  insert(mail: Omit<Mail, 'id'>): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface BatchesReader {
  find(id: number): Promise<Batch | undefined>;
  list(limit: number, projectId?: number): Promise<Batch[]>;
  /** Rows not yet turned into payouts, in file order. */
  nextRows(batchId: number, afterRow: number, limit: number): Promise<PendingBatchRow[]>;
  refusedRows(batchId: number): Promise<RefusedBatchRow[]>;
}

export interface Batches extends BatchesReader {
  /** A batch of valid rows, plus the rows refused when the file was checked (kept and counted with it). */
  create(projectId: number, fileName: string, createdAt: number, rows: PendingBatchRow[], refused: RefusedBatchRow[]): Promise<number>;
  markRowRefused(batchId: number, rowNumber: number, error: string): Promise<void>;
  progress(batchId: number, processed: number, done: boolean): Promise<void>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface ConformanceRunsReader {
  find(id: number): Promise<ConformanceRun | undefined>;
  /** Newest first, of every project or one. */
  list(filter: { projectId?: number; limit: number; offset: number }): Promise<ConformanceRun[]>;
}

export interface ConformanceRuns extends ConformanceRunsReader {
  insert(run: Omit<ConformanceRun, 'id'>): Promise<number>;
  deleteAll(projectId: number | undefined): Promise<void>;
}

export interface ClocksReader {
  all(): Promise<ProjectClock[]>;
}

export interface Clocks extends ClocksReader {
  put(projectId: number, at: number): Promise<void>;
  createIfMissing(projectId: number, at: number): Promise<void>;
}

export interface MetaReader {
  get(key: string): Promise<string | undefined>;
}

export interface Meta extends MetaReader {
  put(key: string, value: string): Promise<void>;
}

/** Read-side queries over payments and operations: the dashboard's list, exports, analytics and the Data API. */
export interface Reports {
  count(filter: PaymentFilter): Promise<number>;
  page(filter: PaymentFilter, limit: number, offset: number): Promise<PaymentListRow[]>;
  /** Every matching payment in pages, so a large export never holds the whole list in memory. */
  stream(filter: PaymentFilter, pageSize?: number): AsyncGenerator<PaymentListRow>;
  dailyTotals(filter: PaymentFilter): Promise<DailyTotal[]>;
  /** Payments per method and status, for success rates. */
  methodStatuses(filter: PaymentFilter): Promise<MethodStatusCount[]>;
  operations(filter: OperationFilter): Promise<OperationRow[]>;
}

export interface ReadRepositories {
  payments: PaymentsReader;
  operations: OperationsReader;
  callbacks: CallbacksReader;
  jobs: JobsReader;
  projects: ProjectsReader;
  mail: MailReader;
  batches: BatchesReader;
  conformanceRuns: ConformanceRunsReader;
  clocks: ClocksReader;
  audit: AuditReader;
  meta: MetaReader;
  recurring: RecurringReader;
  listens: ListensReader;
  sessions: SessionsReader;
}

export interface Repositories extends ReadRepositories {
  payments: Payments;
  operations: Operations;
  callbacks: Callbacks;
  jobs: Jobs;
  projects: Projects;
  mail: MailStore;
  batches: Batches;
  conformanceRuns: ConformanceRuns;
  clocks: Clocks;
  audit: AuditLog;
  meta: Meta;
  recurring: Recurrings;
  listens: Listens;
  sessions: Sessions;
}

/** What changed, for the instances sharing a database: due work, the manual clock, or callbacks handed to listeners. */
export type StorageTopic = 'jobs' | 'clock' | 'listen';

/** A change: with `dueAt` (sandbox ms, of `projectId`'s clock), new due work that falls due no earlier than then. */
export interface StorageEvent { topic: StorageTopic; dueAt?: number; projectId?: number }

/** How the processes sharing one SQLite file tell each other of changes (PostgreSQL has LISTEN/NOTIFY). */
export interface PeerChannel {
  send(event: StorageEvent): void;
  onEvent(listener: (event: StorageEvent) => void): void;
}

/**
 * Whether the storage takes writes: `full` (its disk has no room left), `unavailable` (the database cannot be
 * reached, or its disk fails). Both are temporary: writes resume once space or the server is back.
 */
export type StorageState = 'ok' | 'full' | 'unavailable';

/** A statement the storage itself refused (a full disk, a lost database): temporary, never the caller's fault. */
export class StorageFault extends Error {
  constructor(readonly state: Exclude<StorageState, 'ok'>, readonly detail: string) {
    super(state === 'full' ? `storage full: ${detail}` : `storage unavailable: ${detail}`);
    this.name = 'StorageFault';
  }
}

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /** Whether other instances may share this database, so their work and their clock moves must be expected. */
  readonly shared: boolean;
  /** Reads outside a transaction; every write goes through `transact`. */
  readonly read: ReadRepositories;
  readonly reports: Reports;
  /**
   * Runs `work` as one transaction: committed when it resolves, rolled back when it throws. The work must only
   * await its repositories (never the network, never another `transact`).
   */
  transact<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Runs `work` while holding a lock of that name shared by every instance on the database. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Tells every instance, this one included, that something changed. */
  publish(event: StorageEvent): void;
  subscribe(listener: (event: StorageEvent) => void): void;
  /** What the last statement found (no I/O): `ok` until a write is refused for lack of space or of the server. */
  state(): StorageState;
  /** Looks now (a probe write where the disk was full, a round trip to the server) and resolves what it found. */
  checkState(): Promise<StorageState>;
  close(): Promise<void>;
}
