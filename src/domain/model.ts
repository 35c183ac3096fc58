// The domain's records: payments, their operations, callbacks with their attempts, and scheduled jobs.
import type { ConformanceReport } from './tools/conformance-report.js';

/** What a request asks of a method: a payment (sale) or a payout. */
export type OperationKind = 'sale' | 'payout';
/** `operation.type` in callbacks: the request that made the operation (docs/card-protocol.md §4). */
export type OperationType = OperationKind | 'auth' | 'capture' | 'cancel' | 'refund' | 'recurring' | 'account verification';
/** Where a payment was started: host-to-host through the Gate, on the Payment Page, or by a person in the dashboard. */
export type Interface = 'gate' | 'payment_page' | 'dashboard';

export type PaymentType = 'purchase' | 'payout' | 'recurring';
/** Where a payment ends (docs/protocol-notes.md §3.3); shops treat all but `success` as failures. */
export type FinalStatus = 'success' | 'decline' | 'external error' | 'internal error';
/** `awaiting customer`: the wallet declined an attempt and the customer may try again on the Payment Page. */
/**
 * A payment's status (docs/protocol-notes.md §3.3, docs/card-protocol.md §5.1). Card payments may await 3-D
 * Secure, clarification or the capture of a hold, and go on from success to refunds; a released hold is `canceled`.
 */
export type PaymentStatus =
  | 'processing' | 'awaiting redirect result' | 'awaiting customer' | FinalStatus
  | 'awaiting 3ds result' | 'awaiting clarification' | 'awaiting capture' | 'canceled' | 'partially refunded' | 'refunded';
/** Statuses in which the payment's story has ended for the customer and the shop's order (refunds may follow). */
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>([
  'success', 'decline', 'external error', 'internal error', 'canceled', 'partially refunded', 'refunded',
]);
/** How a status reads to the customer and the shop's order: paid (a hold counts), failed, or not known yet. */
export function resultOf(status: PaymentStatus): 'paid' | 'failed' | 'pending' {
  if (status === 'success' || status === 'awaiting capture' || status === 'partially refunded' || status === 'refunded') return 'paid';
  return FINAL_STATUSES.has(status) ? 'failed' : 'pending';
}

export interface Money { amount: number; currency: string }

/**
 * The result of an attempt: the payment's new status with ECommPay's code and its message. Every outcome ends
 * the attempt's operation; all but `awaiting customer` also end the payment.
 */
export interface Outcome { status: FinalStatus | 'awaiting customer'; code: string; message: string }

export interface Payment {
  rowId: number;
  projectId: number;
  paymentId: string;
  method: string;
  type: PaymentType;
  status: PaymentStatus;
  interface: Interface;
  sum: Money;
  sumConverted: Money;
  description: string;
  customer: Record<string, unknown>;
  account: Record<string, unknown>;
  returnUrl: Record<string, string>;
  callbackUrl: string | undefined;
  callbackDelaySeconds: number;
  callbacksDisabled: boolean;
  checkoutToken: string;
  providerPaymentId: string;
  createdAt: number;
  updatedAt: number;
  baseDueAt: number;
  limitDueAt: number;
  /** Fields the sandbox keeps for its pages (e.g. the Payment Page's merchant URLs); never sent as is. */
  extras: Record<string, unknown>;
}

export interface Operation {
  id: number;
  paymentRowId: number;
  index: number;
  type: OperationType;
  status: PaymentStatus;
  code: string;
  message: string;
  requestId: string;
  createdAt: number;
  updatedAt: number;
  sumInitial: Money;
  sumConverted: Money;
  providerDate: number | undefined;
  authCode: string;
}

export type CallbackState = 'queued' | 'scheduled' | 'delivered' | 'failed';
export type CallbackKind = 'prescriptive' | 'final' | 'replay';

export interface CallbackRecord {
  id: number;
  projectId: number;
  paymentId: string;
  paymentRowId: number;
  kind: CallbackKind;
  url: string | undefined;
  /** The JSON body; without its `signature` member while `signed` is false (signed when it is sent). */
  body: string;
  signed: boolean;
  state: CallbackState;
  attempts: number;
  createdAt: number;
  firstAttemptAt: number | undefined;
  nextAttemptAt: number | undefined;
  deliveredAt: number | undefined;
  replayOf: number | undefined;
  /** Misbehaviour chosen by a scenario (fail the first N deliveries, deliver twice, never deliver). */
  faults: CallbackFaults;
}

export interface CallbackAttempt {
  callbackId: number;
  number: number;
  at: number;
  url: string;
  httpStatus: number | undefined;
  error: string | undefined;
  latencyMs: number;
  responseExcerpt: string;
}

/** A listener (`ecommpay-sandbox listen`) connected to an instance: seen at `seenAt` (real ms), refreshed while connected. */
export interface ListenerPresence { id: string; projectId: number; instance: string; seenAt: number }

/** What a listener's shop answered to a forwarded callback (recorded as the delivery attempt). */
export interface ListenAnswer {
  httpStatus: number | undefined;
  error: string | undefined;
  latencyMs: number;
  responseExcerpt: string;
  /** Where the listener forwarded the callback. */
  url: string;
}

/**
 * A callback handed over to the project's listeners: offered by the instance making the attempt, taken by exactly
 * one listener, answered with what the shop said.
 */
export interface ListenHandoff {
  id: number;
  projectId: number;
  callbackId: number;
  paymentId: string;
  attempt: number;
  body: string;
  offeredAt: number;
  listenerId: string | undefined;
  answer: ListenAnswer | undefined;
}

export type JobKind = 'callback' | 'limit' | 'outcome' | 'batch' | 'hold';
/**
 * Kinds kept as rows of their own. A callback's next attempt and a payment's limit time are columns of their
 * rows instead: fewer rows and indexes per payment, and no timer to remove when the payment ends.
 */
export type RowJobKind = 'outcome' | 'batch' | 'hold';

/** Work due at a time: `ref` is the callback id for a callback, the payment's row for a limit or outcome, the batch id. */
export interface Job { kind: JobKind; ref: number; dueAt: number; payload: string; projectId: number }

/** Where a project's manual clock stands. */
export interface ProjectClock { projectId: number; at: number }

export interface FrequencyLimit { method?: string; operation?: 'sale' | 'payout'; max: number; window_seconds: number }

/**
 * How a project's callbacks are delivered. `order`: `strict` (default) — a payment's callbacks go out one after
 * the other; `any` — each on its own, so a later one may overtake an earlier one being retried, as ECommPay
 * allows. `repeat_redirect`: the redirect callback is sent that many times (default 1).
 */
export interface CallbackOptions { order?: 'strict' | 'any'; repeat_redirect?: number }

/** How a payment's callbacks misbehave: the scenario's choices over the project's delivery options. */
export interface CallbackFaults extends CallbackOptions {
  extra_delay?: number;
  fail_first?: { count: number; status?: number };
  duplicate?: boolean;
  never?: boolean;
}

/**
 * A project's options for card payments. `two_step`: a hold nobody captures or cancels is captured or cancelled
 * by the sandbox after that many seconds on the clock (docs/card-protocol.md D8); absent: holds wait.
 */
export interface CardOptions { two_step?: { auto: 'capture' | 'cancel'; after_seconds: number } }

/**
 * A saved card (a COF registration, docs/card-protocol.md D17): what its later debits need — the masked account,
 * what the card does, its currency and how long it is valid — never the card number.
 */
export interface RecurringRegistration {
  id: number;
  projectId: number;
  customerId: string;
  paymentRowId: number;
  paymentId: string;
  method: string;
  account: Record<string, unknown>;
  /** The card's profile and ECI values, as the registering payment kept them. */
  card: Record<string, unknown>;
  currency: string;
  /** C one-click, R regular, U auto-payment. */
  type: string;
  /** The end of the card's expiry month, epoch ms. */
  validThru: number;
  /** `active`; cancelled by the merchant, or by the customer at the issuer. */
  status: 'active' | 'cancelled' | 'issuer-cancelled';
  createdAt: number;
  updatedAt: number;
}

/** What one project may use of a shared sandbox; absent: no bound. */
export interface ProjectQuotas { requests_per_second?: number; stored_payments?: number }

export interface Project {
  projectId: number;
  secretKey: string;
  name: string;
  callbackUrl: string | undefined;
  origin: 'config' | 'runtime';
  frequencyLimits: FrequencyLimit[];
  callbackOptions: CallbackOptions;
  /** SHA-256 of the project's control token, when it has one (the token itself is never kept). */
  tokenHash: string | undefined;
  quotas: ProjectQuotas;
  cardOptions: CardOptions;
}

/** A dashboard session (real time): the admin's or one project's, until it expires or is revoked at log-out. */
export interface DashboardSession { idHash: string; actor: 'admin' | 'project'; projectId: number | undefined; createdAt: number; expiresAt: number; revokedAt: number | undefined }

/** A control action, for the audit log: who (`admin`, `project:N` or `anonymous`), what, when (real time). */
export interface AuditEntry { id: number; at: number; actor: string; projectId: number | undefined; action: string; details: Record<string, unknown> }

export interface AuditFilter { projectId?: number; limit: number; offset: number }

export interface Batch {
  id: number; projectId: number; fileName: string; createdAt: number; total: number; processed: number; status: 'processing' | 'done';
  success: number; decline: number; refused: number;
}

export interface PendingBatchRow { rowNumber: number; paymentId: string; request: string }

export interface RefusedBatchRow { rowNumber: number; paymentId: string; error: string }

export interface Mail { id: number; projectId: number; paymentId: string; sentAt: number; from: string; to: string; subject: string; body: string }

/** A run of the merchant conformance kit from a tool, kept with its report. */
export interface ConformanceRun {
  id: number;
  projectId: number;
  /** On the sandbox clock. */
  createdAt: number;
  callbackUrl: string;
  probeUrl: string | undefined;
  passed: number;
  failed: number;
  report: ConformanceReport;
}

export interface InboxEntry { id: number; callbackId: number; projectId: number; paymentId: string; receivedAt: number; body: unknown }

/** A page of a newest-first list, optionally narrowed to one project and payment. */
export interface ListFilter { projectId?: number; paymentId?: string; limit: number; offset: number }

export interface CallbackFilter extends ListFilter { state?: CallbackState }

export interface MailFilter extends ListFilter { to?: string }

/** Filters of the dashboard's payment list, its exports and analytics. */
export interface PaymentFilter {
  projectIds?: number[];
  method?: string;
  type?: string;
  status?: string;
  interface?: string;
  from?: number;
  to?: number;
  search?: string;
  /** The payouts of one mass-payout batch (its rows that became payments). */
  batchId?: number;
}

export interface PaymentListRow {
  project_id: number; payment_id: string; method: string; type: string; status: string; interface: string;
  amount: number; currency: string; converted_amount: number; converted_currency: string; description: string;
  customer_id: string; account: string; created_at: number; updated_at: number;
  operation_id: number | null; code: string | null; message: string | null;
}

export interface DailyTotal { day: string; status: string; n: number; amount: number }

/** How many payments of a method are in a status. */
export interface MethodStatusCount { method: string; status: string; n: number }

export interface OperationFilter { projectIds?: number[]; from: number; to: number; type?: string; limit: number; offset: number }

/** One operation with its payment's facts, as the Data API reports it. */
export interface OperationRow {
  project_id: number; operation_id: number; payment_id: string; operation_type: string; operation_status: string;
  method: string; account: string; customer: string; description: string; code: string; message: string;
  created_at: number; updated_at: number; provider_date: number | null;
  initial_amount: number; initial_currency: string; converted_amount: number; converted_currency: string;
}
