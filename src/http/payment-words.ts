// How the customer pages speak of a payment's state: one word per status, a heading for a result, and the code and
// message of a decline or error, shared by the Payment Page and the wallet's pages.
import type { PaymentMethod } from '../domain/catalogue/methods.js';
import type { Operation, Payment, PaymentStatus } from '../domain/model.js';

const WORDS: Record<PaymentStatus, string> = {
  success: 'paid',
  decline: 'declined',
  'external error': 'failed',
  'internal error': 'failed',
  'awaiting redirect result': 'waiting for the customer',
  'awaiting customer': 'not completed',
  processing: 'processing',
  'awaiting 3ds result': 'waiting for the bank\'s check',
  'awaiting clarification': 'waiting for more details',
  'awaiting capture': 'authorised',
  canceled: 'cancelled',
  'partially refunded': 'partly refunded',
  refunded: 'refunded',
};

/** `paid`, `declined`, `failed`, …: reads after "This payment is …". */
export function statusWord(status: PaymentStatus): string {
  return WORDS[status];
}

export interface PaymentResult {
  heading: string;
  word: string;
  /** The code and message of a decline, an error, or a declined attempt the customer may try again. */
  reason: { code: string; message: string } | undefined;
}

export function paymentResult(payment: Payment, operations: Operation[], method: PaymentMethod | undefined): PaymentResult {
  const last = operations[operations.length - 1];
  const reason = last === undefined ? undefined : { code: last.code, message: last.message };
  switch (payment.status) {
    case 'success': return { heading: 'Payment successful', word: statusWord(payment.status), reason: undefined };
    case 'decline': {
      const cancelled = reason !== undefined && reason.code === method?.decline_codes.customer_cancel;
      return { heading: cancelled ? 'Payment cancelled' : 'Payment declined', word: cancelled ? 'cancelled' : statusWord(payment.status), reason };
    }
    case 'external error':
    case 'internal error': return { heading: 'Payment failed', word: statusWord(payment.status), reason };
    case 'awaiting customer': return { heading: 'Payment not completed', word: statusWord(payment.status), reason };
    case 'awaiting capture': return { heading: 'Payment authorised', word: statusWord(payment.status), reason: undefined };
    case 'canceled': return { heading: 'Payment cancelled', word: statusWord(payment.status), reason: undefined };
    case 'partially refunded':
    case 'refunded': return { heading: 'Payment refunded', word: statusWord(payment.status), reason: undefined };
    default: return { heading: 'Waiting for the payment', word: statusWord(payment.status), reason: undefined };
  }
}
