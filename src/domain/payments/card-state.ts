// What a card payment keeps besides its row (in `extras.card`): what its card does, the amounts held, captured
// and refunded, its 3-D Secure progress and its refunds' merchant ids. Never the card number or CVV.
import type { CardProfile } from '../catalogue/cards.js';
import type { Money, Payment } from '../model.js';

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

export interface CardState {
  profile: CardProfile;
  /** ECI values of the card's brand: authenticated by 3-D Secure, or without it. */
  eci: { authenticated: string; none: string };
  /** The first operation: a one-step sale, or the auth of a two-step payment. */
  first: 'sale' | 'auth';
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
  /** The project's choice for a hold nobody captures or cancels (D8), as it was when the payment started. */
  hold?: { auto: 'capture' | 'cancel'; after_seconds: number };
  /** merchant_refund_id of each refund operation that had one, by the operation's index. */
  refundIds: Record<string, string>;
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
