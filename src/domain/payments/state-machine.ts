// The payment state machine: one engine for every method family. A family's statuses, how a payment starts,
// the actions each status accepts and what each action does — the operation it ends or opens, the status it
// leads to, the callback it sends — are data (families/*.ts). A refusal for an action the payment's status does
// not allow comes from that table, never from a check in an endpoint.
import { Refusal } from '../errors.js';
import type { OperationKind, OperationType, Payment, PaymentStatus } from '../model.js';

/** What can happen to a payment once it exists. */
export type PaymentAction =
  /** The customer's choice at the wallet's checkout. */
  | 'customer'
  /** "Try again" on the Payment Page after the wallet declined an attempt. */
  | 'try-again'
  /** The platform decides: amount and frequency limits at the start, a scenario's timed outcome, the limit time. */
  | 'decide'
  /** A tool forces an outcome (control API, dashboard). */
  | 'force'
  /** The platform needs more data before it goes on (a prescriptive callback lists the fields), and gets it. */
  | 'ask-clarification'
  | 'clarify'
  /** 3-D Secure is needed: the payment waits for the customer's bank (a prescriptive callback says how to go on). */
  | 'ask-3ds'
  /** The result of 3-D Secure: the ACS page, or the merchant's `3ds_result`. */
  | 'authenticate'
  /** The second step of a two-step payment: debit the hold, or release it (all or part). */
  | 'capture'
  | 'cancel'
  /** A refund of what was debited. */
  | 'refund';

export type CallbackStep = 'prescriptive' | 'final' | 'none';

export interface Transition {
  /** The statuses that accept the action. */
  from: readonly PaymentStatus[];
  /**
   * The status after it: a fixed one, that of the outcome the action carries, or one the service `given` (a
   * refund leaves the payment partially refunded or refunded; a declined refund leaves it as it was).
   */
  to: PaymentStatus | 'outcome' | 'given';
  /**
   * `end`: the action ends the payment's open operation with its outcome; `open`: it opens a new operation of the
   * payment's kind (a new attempt); an operation type: a new operation of that type, ended with the outcome;
   * `keep`: the open operation goes on, in the payment's new status.
   */
  operation: 'end' | 'open' | 'keep' | { opens: OperationType };
  callback: CallbackStep;
}

export interface StatusRule {
  /** The payment's story has ended: no timer runs for it and no tool can force an outcome on it. */
  final: boolean;
  /** The last attempt has ended without ending the payment: what ends the payment now ends it as a further attempt. */
  betweenAttempts?: boolean;
  /** `false`: the payment is not final, yet its limit time no longer runs (a hold waits for its capture instead). */
  timed?: false;
}

export interface FamilyMachine {
  family: string;
  statuses: Readonly<Partial<Record<PaymentStatus, StatusRule>>>;
  /** How a payment of each kind starts: its first status and the callback the start sends. */
  starts: Readonly<Partial<Record<OperationKind, { status: PaymentStatus; callback: CallbackStep }>>>;
  transitions: Readonly<Partial<Record<PaymentAction, Transition>>>;
  /** The family's wallet e-mails its customer the result of a payment (the PayMaya method does). */
  mailsResult: boolean;
  /** An outcome's status as the payment's first operation makes it: an approved auth leaves a hold, not a sale. */
  outcomeStatus?: Readonly<Partial<Record<OperationType, Partial<Record<PaymentStatus, PaymentStatus>>>>>;
  /** The code of an operation still in progress (the wallet's `29999`, the card's `9999`: both "Awaiting processing"). */
  awaitingCode: string;
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

  /** Every status of every family, each once, in the families' order (the wallet's first). */
  statuses(): PaymentStatus[] {
    return [...new Set([...this.byFamily.values()].flatMap((machine) => Object.keys(machine.statuses) as PaymentStatus[]))];
  }

  isFinal(family: string, status: PaymentStatus): boolean {
    return this.rule(family, status).final;
  }

  /** Whether the payment's limit time still runs in this status. */
  isTimed(family: string, status: PaymentStatus): boolean {
    const rule = this.rule(family, status);
    return !rule.final && rule.timed !== false;
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
    if (transition.to !== 'outcome' && transition.to !== 'given') known(transition.to, `transitions.${action}.to`);
  }
}
