// The payment state machine: one engine for every method family. A family's statuses, how a payment starts,
// the actions each status accepts and what each action does — the operation it ends or opens, the status it
// leads to, the callback it sends — are data (families/*.ts). A refusal for an action the payment's status does
// not allow comes from that table, never from a check in an endpoint.
import { Refusal } from '../errors.js';
import type { OperationKind, Payment, PaymentStatus } from '../model.js';

/** What can happen to a payment once it exists. */
export type PaymentAction =
  /** The customer's choice at the wallet's checkout. */
  | 'customer'
  /** "Try again" on the Payment Page after the wallet declined an attempt. */
  | 'try-again'
  /** The platform decides: amount and frequency limits at the start, a scenario's timed outcome, the limit time. */
  | 'decide'
  /** A tool forces an outcome (control API, dashboard). */
  | 'force';

export type CallbackStep = 'prescriptive' | 'final' | 'none';

export interface Transition {
  /** The statuses that accept the action. */
  from: readonly PaymentStatus[];
  /** The status after it: a fixed one, or that of the outcome the action carries. */
  to: PaymentStatus | 'outcome';
  /** `end`: the action ends the payment's open operation; `open`: it opens a new operation of the payment's kind. */
  operation: 'end' | 'open';
  callback: CallbackStep;
}

export interface StatusRule {
  /** The payment's story has ended: no timer runs for it and no tool can force an outcome on it. */
  final: boolean;
  /** The last attempt has ended without ending the payment: what ends the payment now ends it as a further attempt. */
  betweenAttempts?: boolean;
}

export interface FamilyMachine {
  family: string;
  statuses: Readonly<Partial<Record<PaymentStatus, StatusRule>>>;
  /** How a payment of each kind starts: its first status and the callback the start sends. */
  starts: Readonly<Partial<Record<OperationKind, { status: PaymentStatus; callback: CallbackStep }>>>;
  transitions: Readonly<Partial<Record<PaymentAction, Transition>>>;
  /** The family's wallet e-mails its customer the result of a payment (the PayMaya method does). */
  mailsResult: boolean;
}

export class PaymentMachine {
  private readonly byFamily: ReadonlyMap<string, FamilyMachine>;

  constructor(families: readonly FamilyMachine[]) {
    this.byFamily = new Map(families.map((machine) => [machine.family, machine]));
    for (const machine of families) checkMachine(machine);
  }

  of(family: string): FamilyMachine {
    const machine = this.byFamily.get(family);
    if (machine === undefined) throw new Error(`no state machine for the ${family} family`);
    return machine;
  }

  isFinal(family: string, status: PaymentStatus): boolean {
    return this.rule(family, status).final;
  }

  betweenAttempts(family: string, status: PaymentStatus): boolean {
    return this.rule(family, status).betweenAttempts === true;
  }

  accepts(family: string, status: PaymentStatus, action: PaymentAction): boolean {
    return this.of(family).transitions[action]?.from.includes(status) === true;
  }

  /** The transition of `action` for the payment, or the 3060 refusal naming its status. */
  transition(family: string, payment: Payment, action: PaymentAction, reason?: string): Transition {
    const transition = this.of(family).transitions[action];
    if (transition !== undefined && transition.from.includes(payment.status)) return transition;
    const message = reason ?? (this.isFinal(family, payment.status)
      ? `The payment is already final (${payment.status})`
      : `A payment that is ${payment.status} does not take this action`);
    throw new Refusal('status-forbids-action', [{ field: 'payment.status', message }], { status: payment.status });
  }

  private rule(family: string, status: PaymentStatus): StatusRule {
    const rule = this.of(family).statuses[status];
    if (rule === undefined) throw new Error(`the ${family} family has no status "${status}"`);
    return rule;
  }
}

/** A table that names a status it does not define is a mistake in the code: it stops the start. */
function checkMachine(machine: FamilyMachine): void {
  const known = (status: PaymentStatus, where: string) => {
    if (machine.statuses[status] === undefined) throw new Error(`${machine.family} family: ${where} names the unknown status "${status}"`);
  };
  for (const [kind, start] of Object.entries(machine.starts)) if (start !== undefined) known(start.status, `starts.${kind}`);
  for (const [action, transition] of Object.entries(machine.transitions)) {
    if (transition === undefined) continue;
    for (const status of transition.from) known(status, `transitions.${action}.from`);
    if (transition.to !== 'outcome') known(transition.to, `transitions.${action}.to`);
  }
}
