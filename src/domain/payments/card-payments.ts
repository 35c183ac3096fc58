// Card payments (docs/card-protocol.md): a sale, an auth, a COF debit or a check of the card is decided by its
// card — at once, after frictionless 3-D Secure, or after the customer's challenge — perhaps after the platform
// asked for more data; a hold is then captured or cancelled, whole or in part, and what was debited is refunded
// in parts up to the whole. Every step goes through the card family's state machine (families/card.ts), so an
// operation the payment's status does not allow is refused with 3060 from its table; amounts are checked here,
// with the platform's codes (D4, D5). 3-D Secure for Gate payments is card-threeds.ts; saved cards
// card-recurring.ts; clarification card-clarification.ts.
import type { ScenarioPlan } from '../catalogue/scenarios.js';
import { Refusal, fieldRefusal } from '../errors.js';
import type { Job, Money, Operation, Outcome, Payment, Project } from '../model.js';
import type { Repositories } from '../ports.js';
import type { CardClarification } from './card-clarification.js';
import type { CardDetails } from './card-details.js';
import { saveCardOnSuccess, type CardRecurring } from './card-recurring.js';
import type { IdSource } from './id-source.js';
import { cardStateOf, refundableOf, type CardState, type ChallengeAction } from './card-state.js';
import type { CardSupport } from './card-support.js';
import type { CardThreeDs } from './card-threeds.js';
import type { Accepted, PaymentRequest } from './payment-lifecycle.js';
import type { StatusEntered, StepContext } from './payment-steps.js';
import type { PaymentAction } from './state-machine.js';

/** What a capture, cancel or refund request asks: an amount, or (capture, cancel) none for the whole hold. */
export interface AmountRequest { amount?: number; currency?: string }

export interface RefundRequest extends AmountRequest { description?: string; merchantRefundId?: string }

export type { ChallengeAction };

/** How a card payment starts besides its card. */
export interface CardStart {
  first: 'sale' | 'auth' | 'account verification';
  /** The card came from a card wallet (Apple Pay, Google Pay), authenticated on the device (D13). */
  walletToken?: boolean;
  /** A Gate payment's `acs_return_url` (D14): the customer's way back, and the 3DS Method notification address. */
  acsReturn?: { returnUrl?: string; notificationUrl?: string };
  /** Save the card for later debits (D17), valid to the end of the card's expiry month or of `expiry`. */
  register?: { type: string; expiry?: { month: number; year: number } };
}

export interface CardParts { threeds: CardThreeDs; recurring: CardRecurring; clarification: CardClarification }

export class CardPayments {
  constructor(private readonly support: CardSupport, private readonly parts: CardParts) {}

  /** Starts a card payment: it keeps the masked card and what the card does, never the number. */
  start(request: PaymentRequest, start: CardStart, card: CardDetails): Promise<Accepted> {
    const method = this.support.deps.methods.find(request.methodCode);
    const first = start.first === 'auth' && method?.two_step !== true ? 'sale' : start.first;
    const state: CardState = {
      profile: card.profile,
      eci: card.brand.eci,
      first,
      refunded: 0,
      wrongCodes: 0,
      refundIds: {},
      ...(start.walletToken === true ? { walletToken: true } : {}),
      ...(start.register === undefined ? {} : { register: start.register }),
      ...(request.project.cardOptions.two_step === undefined ? {} : { hold: request.project.cardOptions.two_step }),
    };
    const threeds = start.acsReturn === undefined ? undefined : this.parts.threeds.stepsFor(request, start.acsReturn);
    return this.support.deps.lifecycle.startSale({
      ...request,
      account: { ...card.account },
      extras: { ...request.extras, card: threeds === undefined ? state : { ...state, threeds } },
      ...(first === 'account verification' ? { skipAmountLimits: true } : {}),
    });
  }

  /**
   * What decides a card payment that no limit or scenario decided: a COF debit by its registration; otherwise,
   * after the data a scenario asks for, its card — at once, or through 3-D Secure.
   */
  readonly begin = async (tx: Repositories, payment: Payment, context: StepContext, plan: ScenarioPlan): Promise<void> => {
    const state = cardStateOf(payment);
    if (state.first === 'recurring') {
      await this.support.deps.steps.apply(tx, payment, 'decide', { ...context, outcome: await this.parts.recurring.debitOutcome(tx, payment) }, true);
      return;
    }
    if (this.parts.clarification.asked(plan, payment)) {
      await this.parts.clarification.ask(tx, payment, context, plan);
      return;
    }
    await this.parts.threeds.decideByCard(tx, payment, context, true);
  };

  /**
   * The customer's answer on the ACS page to a Payment Page payment: the right code approves (the card's own
   * result follows), a wrong code counts against the allowed tries, Decline and Cancel fail the authentication.
   * A Gate payment's answer goes back to the merchant instead (card-threeds.ts).
   */
  async challenge(token: string, action: ChallengeAction, code: string): Promise<{ payment: Payment; triesLeft: number | undefined }> {
    const found = await this.support.byToken(token);
    if (cardStateOf(found).threeds !== undefined) return this.parts.threeds.answer(found, action, code);
    const { method, callbackUrl } = await this.support.context(found);
    return this.support.deps.storage.transact(async (tx) => {
      const payment = await this.support.locked(tx, found.rowId);
      const verdict = this.parts.threeds.verdict(payment, method, action, code);
      if (verdict.triesLeft !== undefined) {
        await this.support.saveState(tx, payment, verdict.state);
        return { payment, triesLeft: verdict.triesLeft };
      }
      await this.support.saveState(tx, payment, verdict.state);
      await this.support.deps.steps.apply(tx, payment, 'authenticate', { method, callbackUrl, outcome: verdict.outcome as Outcome });
      return { payment, triesLeft: undefined };
    });
  }

  /**
   * One operation of a card payment under its lock: `plan` checks the request against the payment as it is then
   * and says what the operation does; the state machine refuses it first if the payment's status does not allow it.
   */
  private async operate(
    project: Project, paymentId: string, action: PaymentAction,
    plan: (payment: Payment, state: CardState, index: number) => { outcome: Outcome; status: Payment['status']; sum: Money; state: CardState },
  ): Promise<Accepted> {
    const { support } = this;
    const found = await support.require(project, paymentId);
    const { method, callbackUrl } = await support.context(found);
    const operation = await support.deps.storage.transact(async (tx) => {
      const payment = await support.locked(tx, found.rowId);
      support.deps.steps.check(method, payment, action);
      const operations = await tx.operations.ofPayment(payment.rowId);
      const decided = plan(payment, cardStateOf(payment), operations.length);
      await support.saveState(tx, payment, decided.state);
      const context: StepContext = { method, callbackUrl, operations, outcome: decided.outcome, status: decided.status, operationSum: decided.sum };
      return support.deps.steps.apply(tx, payment, action, context);
    });
    return accepted(found, operation);
  }

  /** A hold's timer (D8): the whole hold is captured or cancelled, unless the shop did something first. */
  readonly runHoldTimer = async (job: Job): Promise<void> => {
    const { storage, projects } = this.support.deps;
    const payment = await storage.read.payments.findByRowId(job.ref);
    const project = payment === undefined ? undefined : await projects.find(payment.projectId);
    if (payment === undefined || project === undefined || payment.status !== 'awaiting capture') {
      await storage.transact((tx) => tx.jobs.remove('hold', job.ref));
      return;
    }
    if (job.payload === 'capture') await this.capture(project, payment.paymentId, {});
    else await this.cancel(project, payment.paymentId, {});
  };

  /** Debits a hold: all of it, or part (the rest is released at once, D5). */
  capture(project: Project, paymentId: string, request: AmountRequest): Promise<Accepted> {
    return this.operate(project, paymentId, 'capture', (payment, state) => {
      const held = state.held ?? payment.sum.amount;
      const amount = this.amountWithin(payment, request, held);
      return { outcome: this.support.deps.outcomes.of('success'), status: 'success', sum: { amount, currency: payment.sum.currency }, state: { ...state, captured: amount } };
    });
  }

  /** Releases a hold: all of it (`canceled`), or part, which lowers the hold (D5). */
  cancel(project: Project, paymentId: string, request: AmountRequest): Promise<Accepted> {
    return this.operate(project, paymentId, 'cancel', (payment, state) => {
      const held = state.held ?? payment.sum.amount;
      const amount = this.amountWithin(payment, request, held);
      const whole = amount === held;
      return {
        outcome: this.support.deps.outcomes.of('success'),
        status: whole ? 'canceled' : 'awaiting capture',
        sum: { amount, currency: payment.sum.currency },
        state: whole ? state : { ...state, held: held - amount },
      };
    });
  }

  /** An amount of a capture or cancel: none asks for the whole hold; more than is held is refused with 2642. */
  private amountWithin(payment: Payment, request: AmountRequest, held: number): number {
    if (request.amount === undefined) return held;
    if (request.currency !== undefined && request.currency !== payment.sum.currency) {
      throw new Refusal('invalid-currency', [{ field: 'payment.currency', message: `The payment is in ${payment.sum.currency}` }]);
    }
    if (request.amount <= 0) throw fieldRefusal('payment.amount', 'The amount must be more than 0');
    if (request.amount > held) throw new Refusal('amount-above-hold', [{ field: 'payment.amount', message: `${request.amount} is more than the ${held} held` }]);
    return request.amount;
  }

  /**
   * Refunds part or all of what was debited (D4): more than was ever debited is refused (3283); more than is left
   * is accepted and then declined (903), leaving the payment as it was.
   */
  async refund(project: Project, paymentId: string, request: RefundRequest): Promise<Accepted> {
    checkRefundFields(request);
    const { outcomes, methods } = this.support.deps;
    return this.operate(project, paymentId, 'refund', (payment, state, index) => {
      const amount = request.amount as number;
      if (request.currency !== payment.sum.currency) {
        throw new Refusal('refund-currency-mismatch', [{ field: 'payment.currency', message: `The payment is in ${payment.sum.currency}` }]);
      }
      const debited = state.captured ?? payment.sum.amount;
      if (amount > debited) throw new Refusal('refund-above-debited', [{ field: 'payment.amount', message: `${amount} is more than the ${debited} debited` }]);
      const refundId = request.merchantRefundId;
      if (refundId !== undefined && Object.values(state.refundIds).includes(refundId)) {
        throw new Refusal('duplicate-refund', [{ field: 'payment.merchant_refund_id', message: `A refund "${refundId}" of this payment exists` }]);
      }
      const sum = { amount, currency: payment.sum.currency };
      // Kept by the refund operation's index, so its callback can say it.
      const next = { ...state, refundIds: refundId === undefined ? state.refundIds : { ...state.refundIds, [String(index)]: refundId } };
      if (amount > refundableOf(payment, state)) {
        return { outcome: outcomes.of('decline', methods.find(payment.method)?.card_codes?.refund_exceeds_balance ?? '903'), status: payment.status, sum, state: next };
      }
      const refunded = state.refunded + amount;
      return { outcome: outcomes.of('success'), status: refunded === debited ? 'refunded' : 'partially refunded', sum, state: { ...next, refunded } };
    });
  }
}

/** Entering a status: a hold the project wants settled gets its timer (D8); a success saves the card when asked (D17). */
export function cardStatusHooks(ids: IdSource): StatusEntered {
  return async (tx, payment, before, now) => {
    const state = payment.extras.card as CardState | undefined;
    if (state === undefined) return;
    if (state.hold !== undefined && payment.status === 'awaiting capture') {
      await tx.jobs.put({ kind: 'hold', ref: payment.rowId, dueAt: now + state.hold.after_seconds * 1000, projectId: payment.projectId, paymentRowId: payment.rowId, payload: state.hold.auto });
    } else if (state.hold !== undefined && before === 'awaiting capture') {
      await tx.jobs.remove('hold', payment.rowId);
    }
    await saveCardOnSuccess(tx, payment, now, ids);
  };
}

function accepted(payment: Payment, operation: Operation): Accepted {
  return { requestId: operation.requestId, projectId: payment.projectId, paymentId: payment.paymentId };
}

/** A refund names its amount and currency together (D4): neither 2004, only one 3286 / 3287; 0 is no amount. */
function checkRefundFields(request: RefundRequest): void {
  const { amount, currency } = request;
  if (amount === undefined && currency === undefined) throw fieldRefusal('payment.amount', 'Required field not provided');
  if (amount === undefined) throw new Refusal('amount-required', [{ field: 'payment.amount', message: 'A refund names its amount' }]);
  if (currency === undefined) throw new Refusal('currency-required', [{ field: 'payment.currency', message: 'A refund names its currency' }]);
  if (amount <= 0) throw fieldRefusal('payment.amount', 'The amount must be more than 0');
}
