// How the customer pages speak of a payment's state: one word per status, a heading for a result, and the decline's
// code and message, shared by the Payment Page and the wallet's pages.
import type { PaymentMethod } from '../domain/methods.js';
import type { Operation, Payment, PaymentStatus } from '../domain/model.js';

const WORDS: Record<PaymentStatus, string> = {
  success: 'paid',
  decline: 'declined',
  'awaiting redirect result': 'waiting for the customer',
  processing: 'processing',
};

/** `paid`, `declined`, …: reads after "This payment is …". */
export function statusWord(status: PaymentStatus): string {
  return WORDS[status];
}

export interface PaymentResult {
  heading: string;
  word: string;
  /** The decline's code and message, for every decline. */
  reason: { code: string; message: string } | undefined;
}

export function paymentResult(payment: Payment, operations: Operation[], method: PaymentMethod | undefined): PaymentResult {
  const last = operations[operations.length - 1];
  if (payment.status === 'success') return { heading: 'Payment successful', word: statusWord(payment.status), reason: undefined };
  if (payment.status !== 'decline') return { heading: 'Waiting for the payment', word: statusWord(payment.status), reason: undefined };
  const reason = last === undefined ? undefined : { code: last.code, message: last.message };
  const cancelled = reason !== undefined && reason.code === method?.decline_codes.customer_cancel;
  return { heading: cancelled ? 'Payment cancelled' : 'Payment declined', word: cancelled ? 'cancelled' : statusWord(payment.status), reason };
}
