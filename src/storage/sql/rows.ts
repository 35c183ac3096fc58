// Table rows as both backends return them, and their mapping to domain records at this edge.
import type { Interface, OperationKind, OperationType } from '../../domain/model.js';
import type {
  Batch, CallbackAttempt, CallbackKind, CallbackRecord, CallbackState, Money, Operation, Payment, PaymentStatus, PaymentType,
  Project,
} from '../../domain/model.js';

export interface PaymentRow {
  row_id: number; project_id: number; payment_id: string; method: string; type: PaymentType; status: PaymentStatus;
  interface: Interface; amount: number; currency: string; converted_amount: number; converted_currency: string;
  description: string; customer_id: string; customer: string; account: string; return_url: string; callback_url: string | null;
  callback_delay: number; callbacks_disabled: number; checkout_token: string; provider_payment_id: string;
  created_at: number; updated_at: number; base_due_at: number; limit_due_at: number; extras: string;
}

export interface OperationRow {
  id: number; payment_row_id: number; idx: number; type: OperationType; status: PaymentStatus; code: string; message: string;
  request_id: string; created_at: number; updated_at: number; initial_amount: number; initial_currency: string;
  converted_amount: number; converted_currency: string; provider_date: number | null; auth_code: string;
}

export interface CallbackRow {
  id: number; project_id: number; payment_id: string; payment_row_id: number; kind: CallbackKind; url: string | null; body: string;
  state: CallbackState; attempts: number; created_at: number; first_attempt_at: number | null; next_attempt_at: number | null;
  delivered_at: number | null; replay_of: number | null; faults: string; signed: number;
}

export interface AttemptRow {
  callback_id: number; number: number; at: number; url: string; http_status: number | null; error: string | null;
  latency_ms: number; response_excerpt: string;
}

export interface ProjectRow {
  project_id: number; secret_key: string; name: string; callback_url: string | null; origin: 'config' | 'runtime'; frequency_limits: string;
  callback_options: string; token_hash: string | null; quotas: string; card_options: string;
}

export interface BatchRow {
  id: number; project_id: number; file_name: string; created_at: number; total: number; processed: number; status: 'processing' | 'done';
  success: number; decline: number; refused: number;
}

const money = (amount: number, currency: string): Money => ({ amount, currency });

export function rowToPayment(row: PaymentRow): Payment {
  return {
    rowId: row.row_id,
    projectId: row.project_id,
    paymentId: row.payment_id,
    method: row.method,
    type: row.type,
    status: row.status,
    interface: row.interface,
    sum: money(row.amount, row.currency),
    sumConverted: money(row.converted_amount, row.converted_currency),
    description: row.description,
    customer: JSON.parse(row.customer) as Record<string, unknown>,
    account: JSON.parse(row.account) as Record<string, unknown>,
    returnUrl: JSON.parse(row.return_url) as Record<string, string>,
    callbackUrl: row.callback_url ?? undefined,
    callbackDelaySeconds: row.callback_delay,
    callbacksDisabled: row.callbacks_disabled === 1,
    checkoutToken: row.checkout_token,
    providerPaymentId: row.provider_payment_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    baseDueAt: row.base_due_at,
    limitDueAt: row.limit_due_at,
    extras: JSON.parse(row.extras) as Record<string, unknown>,
  };
}

export function rowToOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    paymentRowId: row.payment_row_id,
    index: row.idx,
    type: row.type,
    status: row.status,
    code: row.code,
    message: row.message,
    requestId: row.request_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sumInitial: money(row.initial_amount, row.initial_currency),
    sumConverted: money(row.converted_amount, row.converted_currency),
    providerDate: row.provider_date ?? undefined,
    authCode: row.auth_code,
  };
}

export function rowToCallback(row: CallbackRow): CallbackRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    paymentId: row.payment_id,
    paymentRowId: row.payment_row_id,
    kind: row.kind,
    url: row.url ?? undefined,
    body: row.body,
    signed: row.signed === 1,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
    firstAttemptAt: row.first_attempt_at ?? undefined,
    nextAttemptAt: row.next_attempt_at ?? undefined,
    deliveredAt: row.delivered_at ?? undefined,
    replayOf: row.replay_of ?? undefined,
    faults: JSON.parse(row.faults) as CallbackRecord['faults'],
  };
}

export function rowToAttempt(row: AttemptRow): CallbackAttempt {
  return {
    callbackId: row.callback_id,
    number: row.number,
    at: row.at,
    url: row.url,
    httpStatus: row.http_status ?? undefined,
    error: row.error ?? undefined,
    latencyMs: row.latency_ms,
    responseExcerpt: row.response_excerpt,
  };
}

export function rowToProject(row: ProjectRow): Project {
  return {
    projectId: row.project_id,
    secretKey: row.secret_key,
    name: row.name,
    callbackUrl: row.callback_url ?? undefined,
    origin: row.origin,
    frequencyLimits: JSON.parse(row.frequency_limits) as Project['frequencyLimits'],
    callbackOptions: JSON.parse(row.callback_options) as Project['callbackOptions'],
    tokenHash: row.token_hash ?? undefined,
    quotas: JSON.parse(row.quotas) as Project['quotas'],
    cardOptions: JSON.parse(row.card_options) as Project['cardOptions'],
  };
}

export function rowToBatch(row: BatchRow): Batch {
  return {
    id: row.id, projectId: row.project_id, fileName: row.file_name, createdAt: row.created_at, total: row.total, processed: row.processed,
    status: row.status, success: row.success, decline: row.decline, refused: row.refused,
  };
}
