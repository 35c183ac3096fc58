// The conformance case catalogue: what each case sends to the merchant's callback endpoint and what it expects.
import type { OrderState } from '../domain/tools/conformance-report.js';

/** A callback of the payment's story: the prescriptive redirect callback, or a final result. */
export type CallbackStep =
  | { kind: 'redirect' }
  | { kind: 'final'; status: 'success' | 'decline'; code: string };

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
  /** Whether the customer's wallet number is known by the final callback (paid at the checkout, or a payout). */
  account: boolean;
  /** How long before the final callback the payment started: seconds, or the method's limit time. */
  age: number | 'limit-time';
  /** Sent in this order; a repeated step is the same body byte for byte. */
  steps: CallbackStep[];
  variant?: Variant;
  forgery?: Forgery;
  expect: 'accept' | 'reject';
  order: OrderState;
}

const redirect: CallbackStep = { kind: 'redirect' };
const success: CallbackStep = { kind: 'final', status: 'success', code: '0' };
const decline = (code: string): CallbackStep => ({ kind: 'final', status: 'decline', code });

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
  { name: 'unknown-members', description: 'success with unknown members at every level (top, payment, sums, operation, provider, customer, account), still correctly signed', operation: 'sale', account: true, age: 60, steps: [success], variant: 'unknown-members', expect: 'accept', order: 'paid' },
  { name: 'long-unicode', description: 'success whose description is several KB of emoji, Filipino and CJK text', operation: 'sale', account: true, age: 60, steps: [success], variant: 'long-unicode', expect: 'accept', order: 'paid' },
  { name: 'tampered', description: 'a decline signed, then payment.status changed to "success"', operation: 'sale', account: false, age: 60, steps: [decline('20000')], forgery: 'tampered', expect: 'reject', order: 'pending' },
  { name: 'unsigned', description: 'a success callback without its signature member', operation: 'sale', account: true, age: 60, steps: [success], forgery: 'unsigned', expect: 'reject', order: 'pending' },
  { name: 'wrong-secret', description: 'a success callback signed with another secret', operation: 'sale', account: true, age: 60, steps: [success], forgery: 'wrong-secret', expect: 'reject', order: 'pending' },
];
