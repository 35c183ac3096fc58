// The domain's records: payments, their operations, callbacks with their attempts, and scheduled jobs.
import type { Interface, OperationKind } from './methods.js';
import type { CallbackFaults } from './scenarios.js';

export type PaymentType = 'purchase' | 'payout';
export type PaymentStatus = 'processing' | 'awaiting redirect result' | 'success' | 'decline';
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set(['success', 'decline']);

export interface Money { amount: number; currency: string }

/** A final result of a payment: status with ECommPay's code and its message. */
export interface Outcome { status: 'success' | 'decline'; code: string; message: string }

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
  type: OperationKind;
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
  body: string;
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

export type JobKind = 'callback' | 'limit' | 'outcome' | 'batch';

export interface Job { id: number; kind: JobKind; ref: number; dueAt: number; payload: string; projectId: number }
