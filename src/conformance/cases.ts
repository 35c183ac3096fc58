// The conformance case catalogue: what each case sends to the merchant's callback endpoint and what it expects.
import type { OrderState } from '../domain/tools/conformance-report.js';

/**
 * A step of a card payment made on the Payment Page (docs/card-protocol.md §5.2), each sending its callback:
 * the sale waits for the customer's 3-D Secure challenge (T3); the first operation succeeds — a one-step sale
 * (T1) or an auth that places a hold (A1); the whole hold is captured (A2) or released (A4); part of what was
 * debited is refunded (R1), or all of it.
 */
export type CardEvent = 'awaiting-3ds' | 'sale' | 'auth' | 'capture' | 'cancel' | 'refund-part' | 'refund-all';

/** A callback of the payment's story: the wallet's prescriptive redirect callback, a wallet's final result, or a card's step. */
export type CallbackStep =
  | { kind: 'redirect' }
  | { kind: 'final'; status: 'success' | 'decline'; code: string }
  | { kind: 'card'; event: CardEvent };

/** How a callback is spoiled before sending, so that a correct endpoint must refuse it. */
export type Forgery = 'tampered' | 'unsigned' | 'wrong-secret';

/** Shapes of a valid body beyond the sandbox's usual ones. */
export type Variant = 'unknown-members' | 'long-unicode';

/** The order state a shop should report after the case (`pending` also allows "no such order"). */
export type { OrderState };

export interface ConformanceCase {
  name: string;
  /** One line: what is sent and why. */
  description: string;
  operation: 'sale' | 'payout';
  /** Whether the customer's wallet number is known by the final callback (paid at the checkout, or a payout); a card is always known. */
  account: boolean;
  /** How long before the final callback the payment started: seconds, or the method's limit time. */
  age: number | 'limit-time';
  /** Sent in this order; a repeated step is the same body byte for byte. Card steps only in a card case, wallet steps otherwise. */
  steps: CallbackStep[];
  variant?: Variant;
  forgery?: Forgery;
  expect: 'accept' | 'reject';
  order: OrderState;
}

const redirect: CallbackStep = { kind: 'redirect' };
const success: CallbackStep = { kind: 'final', status: 'success', code: '0' };
const decline = (code: string): CallbackStep => ({ kind: 'final', status: 'decline', code });
const card = (event: CardEvent): CallbackStep => ({ kind: 'card', event });

/** A case of a card payment: its steps are card steps. */
export function isCardCase(testCase: ConformanceCase): boolean {
  return testCase.steps.length > 0 && testCase.steps.every((step) => step.kind === 'card');
}

export const CASES: readonly ConformanceCase[] = [
  { name: 'sale-success', description: 'final success callback of a sale', operation: 'sale', account: true, age: 60, steps: [success], expect: 'accept', order: 'paid' },
  { name: 'sale-decline-20000', description: 'sale declined by the customer: 20000 General decline', operation: 'sale', account: false, age: 60, steps: [decline('20000')], expect: 'accept', order: 'failed' },
  { name: 'sale-decline-20101', description: 'sale declined at once by the amount or frequency limit: 20101', operation: 'sale', account: false, age: 0, steps: [decline('20101')], expect: 'accept', order: 'failed' },
  { name: 'sale-decline-20602', description: 'sale declined automatically at the limit time: 20602 Time-out', operation: 'sale', account: false, age: 'limit-time', steps: [decline('20602')], expect: 'accept', order: 'failed' },
  { name: 'payout-success', description: 'final success callback of a payout', operation: 'payout', account: true, age: 0, steps: [success], expect: 'accept', order: 'paid' },
  { name: 'payout-decline', description: 'payout declined: 20000 General decline', operation: 'payout', account: true, age: 0, steps: [decline('20000')], expect: 'accept', order: 'failed' },
  { name: 'redirect-twice', description: '"awaiting redirect result" callback with redirect_data, sent twice', operation: 'sale', account: false, age: 0, steps: [redirect, redirect], expect: 'accept', order: 'pending' },
  { name: 'final-twice', description: 'the same final success callback sent twice', operation: 'sale', account: true, age: 60, steps: [success, success], expect: 'accept', order: 'paid' },
  { name: 'reordered', description: 'final success, then the older redirect callback arriving late', operation: 'sale', account: true, age: 60, steps: [success, redirect], expect: 'accept', order: 'paid' },
  { name: 'unknown-members', description: 'success with unknown members at every level (top, payment, sums, operation, provider, customer, account), booleans among them, still correctly signed', operation: 'sale', account: true, age: 60, steps: [success], variant: 'unknown-members', expect: 'accept', order: 'paid' },
  { name: 'long-unicode', description: 'success whose description is several KB of emoji, Filipino and CJK text', operation: 'sale', account: true, age: 60, steps: [success], variant: 'long-unicode', expect: 'accept', order: 'paid' },
  { name: 'card-3ds-pending', description: 'card sale waiting for the customer\'s 3-D Secure challenge: "awaiting 3ds result", 9999', operation: 'sale', account: true, age: 0, steps: [card('awaiting-3ds')], expect: 'accept', order: 'pending' },
  { name: 'card-auth-hold', description: 'card auth approved: the hold is placed, "awaiting capture" (the money is held for the shop)', operation: 'sale', account: true, age: 0, steps: [card('auth')], expect: 'accept', order: 'paid' },
  { name: 'card-capture', description: 'card auth, then the whole hold captured an hour later: success', operation: 'sale', account: true, age: 3600, steps: [card('auth'), card('capture')], expect: 'accept', order: 'paid' },
  { name: 'card-cancel', description: 'card auth, then the whole hold released an hour later: "canceled"', operation: 'sale', account: true, age: 3600, steps: [card('auth'), card('cancel')], expect: 'accept', order: 'failed' },
  { name: 'card-refund-partial', description: 'card sale, then part of it refunded a day later: "partially refunded", payment.sum the rest', operation: 'sale', account: true, age: 86400, steps: [card('sale'), card('refund-part')], expect: 'accept', order: 'paid' },
  { name: 'card-refund-full', description: 'card sale, then all of it refunded a day later: "refunded", payment.sum 0', operation: 'sale', account: true, age: 86400, steps: [card('sale'), card('refund-all')], expect: 'accept', order: 'failed' },
  { name: 'tampered', description: 'a decline signed, then payment.status changed to "success"', operation: 'sale', account: false, age: 60, steps: [decline('20000')], forgery: 'tampered', expect: 'reject', order: 'pending' },
  { name: 'unsigned', description: 'a success callback without its signature member', operation: 'sale', account: true, age: 60, steps: [success], forgery: 'unsigned', expect: 'reject', order: 'pending' },
  { name: 'wrong-secret', description: 'a success callback signed with another secret', operation: 'sale', account: true, age: 60, steps: [success], forgery: 'wrong-secret', expect: 'reject', order: 'pending' },
];
