// What a card payment keeps besides its row (in `extras.card`): what its card does, the amounts held, captured
// and refunded, its 3-D Secure progress and its refunds' merchant ids. Never the card number or CVV.
import type { CardProfile } from '../catalogue/cards.js';
import type { Money, Outcome, Payment } from '../model.js';
import type { Repositories } from '../ports.js';

/** The result of a 3-D Secure authentication, as `mpi_result` reports it (docs/card-protocol.md D14). */
export interface Authentication {
  /** `01` frictionless, `02` challenge. */
  flow: '01' | '02';
  /** `YYYYMMDDhhmm` on the sandbox clock. */
  timestamp: string;
  mpiOperationId: string;
  dsOperationId: string;
  acsOperationId: string;
}

/** What the customer does on the sandbox bank's 3-D Secure page. */
export type ChallengeAction = 'approve' | 'decline' | 'cancel';

/** Where a Gate payment's 3-D Secure 2 stands: the 3DS Method iframe, the challenge, or the ACS's answer. */
export interface ThreeDsSteps {
  step: 'method' | 'challenge' | 'answered';
  /** Extended workflow: the merchant's 3DS Method notification address; basic workflow: none. */
  notificationUrl?: string;
  /** Where the ACS sends the customer back with `cres`. */
  returnUrl?: string;
  methodUrl: string;
  challengeUrl: string;
  transId: string;
  methodLoaded: boolean;
  /** The customer's answer at the ACS, and the `cres` the merchant must send back in 3ds_result. */
  answer?: 'approve' | 'decline' | 'cancel' | 'failed';
  cres?: string;
}

export interface CardState {
  profile: CardProfile;
  /** ECI values of the card's brand: authenticated by 3-D Secure, or without it. */
  eci: { authenticated: string; none: string };
  /** The first operation: a one-step sale, the auth of a two-step payment, a COF debit, or a check of the card. */
  first: 'sale' | 'auth' | 'recurring' | 'account verification';
  /**
   * Minor units in the payment's currency: what is held (an auth's amount, less what a partial cancel released) and
   * what was debited (a capture); until an operation changes them, the payment's own amount.
   */
  held?: number;
  captured?: number;
  refunded: number;
  authentication?: Authentication;
  /** Wrong one-time codes typed on the ACS page so far. */
  wrongCodes: number;
  /** A card wallet's token (Apple Pay, Google Pay): authenticated on the device, so its ECI says so without mpi_result. */
  walletToken?: boolean;
  /** A Gate payment's 3-D Secure 2 steps (D14): where it stands, the addresses it hands out, the ACS's answer. */
  threeds?: ThreeDsSteps;
  /** The request asked to save the card for later debits (D17), and the registration once made. */
  register?: { type: string; expiry?: { month: number; year: number } };
  recurring?: { id: number; currency: string; validThru: number };
  /** A COF debit: the registration it charges. */
  debitOf?: number;
  /** The fields the platform asks for before it goes on (D20), and whether they were given. */
  clarification?: { fields: string[]; answered: boolean };
  /** The ACS's verdict on a Gate payment's challenge, applied when the merchant sends 3ds_result. */
  pending?: Outcome;
  /** The project's choice for a hold nobody captures or cancels (D8), as it was when the payment started. */
  hold?: { auto: 'capture' | 'cancel'; after_seconds: number };
  /** merchant_refund_id of each refund operation that had one, by the operation's index. */
  refundIds: Record<string, string>;
}

/** Keeps a card payment's new state, in the unit of work that changes it. */
export async function saveCardState(tx: Repositories, payment: Payment, state: CardState): Promise<void> {
  payment.extras = { ...payment.extras, card: state };
  await tx.payments.updateExtras(payment.rowId, payment.extras);
}

export function cardStateOf(payment: Payment): CardState {
  const state = payment.extras.card as CardState | undefined;
  if (state === undefined) throw new Error(`payment ${payment.paymentId} is not a card payment`);
  return state;
}

/**
 * `payment.sum` as callbacks and status answers report it (D5): the hold while it awaits capture or once released,
 * the captured amount after capture, the rest after refunds; the request's amount before any of that.
 */
export function reportedSum(payment: Payment, state: CardState): Money {
  const currency = payment.sum.currency;
  switch (payment.status) {
    case 'awaiting capture':
    case 'canceled': return { amount: state.held ?? payment.sum.amount, currency };
    case 'success':
    case 'partially refunded':
    case 'refunded': return { amount: refundableOf(payment, state), currency };
    default: return { ...payment.sum };
  }
}

/** What is left to refund: the debited amount less the refunds so far. */
export function refundableOf(payment: Payment, state: CardState): number {
  return (state.captured ?? payment.sum.amount) - state.refunded;
}

/** A UUID-shaped id from a checkout token (16 hex digits) and a part: repeatable, and apart for each part. */
export function uuidOf(token: string, part: string): string {
  const hex = `${token}${Buffer.from(part).toString('hex')}`.padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
