// Card payments (docs/card-protocol.md): a sale or an auth is decided by its card — at once, after frictionless
// 3-D Secure, or after the customer's challenge on the sandbox's ACS page — and a hold is then captured or
// cancelled, whole or in part; what was debited is refunded, in parts up to the whole. Every step goes through the
// card family's state machine (families/card.ts), so an operation the payment's status does not allow is refused
// with 3060 from its table; amounts are checked here, with the platform's codes (D4, D5).
import type { CardCatalogue, ThreeDsFlow } from '../catalogue/cards.js';
import type { MethodCatalogue, PaymentMethod } from '../catalogue/methods.js';
import type { Clock } from '../clock/clock.js';
import { Refusal, fieldRefusal } from '../errors.js';
import type { Job, Money, Operation, Outcome, Payment, Project } from '../model.js';
import type { Repositories, Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { CardDetails } from './card-details.js';
import { cardStateOf, refundableOf, type Authentication, type CardState } from './card-state.js';
import type { Accepted, PaymentLifecycle, PaymentRequest } from './payment-lifecycle.js';
import type { OutcomeRules } from './outcomes.js';
import type { PaymentSteps, StatusEntered, StepContext } from './payment-steps.js';
import type { PaymentAction } from './state-machine.js';

export interface CardPaymentsDeps {
  storage: Storage;
  clock: Clock;
  methods: MethodCatalogue;
  cards: CardCatalogue;
  outcomes: OutcomeRules;
  steps: PaymentSteps;
  lifecycle: PaymentLifecycle;
  projects: ProjectDirectory;
}

/** What a capture, cancel or refund request asks: an amount, or (capture, cancel) none for the whole hold. */
export interface AmountRequest { amount?: number; currency?: string }

export interface RefundRequest extends AmountRequest { description?: string; merchantRefundId?: string }

/** What the customer does on the ACS page. */
export type ChallengeAction = 'approve' | 'decline' | 'cancel';

export class CardPayments {
  constructor(private readonly deps: CardPaymentsDeps) {}

  /**
   * Starts a card sale or auth: the payment keeps the masked card and what the card does, never the number.
   * `walletToken`: the card came from a card wallet (Apple Pay, Google Pay), authenticated on the device (D13).
   */
  start(request: PaymentRequest, first: 'sale' | 'auth', card: CardDetails, walletToken = false): Promise<Accepted> {
    const method = this.deps.methods.find(request.methodCode);
    const state: CardState = {
      profile: card.profile,
      eci: card.brand.eci,
      first: first === 'auth' && method?.two_step === true ? 'auth' : 'sale',
      refunded: 0,
      wrongCodes: 0,
      refundIds: {},
      ...(walletToken ? { walletToken } : {}),
      ...(request.project.cardOptions.two_step === undefined ? {} : { hold: request.project.cardOptions.two_step }),
    };
    return this.deps.lifecycle.startSale({ ...request, account: { ...card.account }, extras: { ...request.extras, card: state } });
  }

  /**
   * What the card decides when nothing else does (no limit, no scenario): without 3-D Secure or frictionless, its
   * result at once; with a challenge, the payment waits for the customer at the ACS page. A scenario may choose
   * the flow instead of the card (`card_flow`); the result is still the card's.
   */
  readonly begin = async (tx: Repositories, payment: Payment, context: StepContext): Promise<void> => {
    const state = cardStateOf(payment);
    const flow = (payment.extras.card_flow as ThreeDsFlow | undefined) ?? state.profile.flow;
    if (flow === 'challenge') {
      await this.deps.steps.apply(tx, payment, 'ask-3ds', context, true);
      return;
    }
    if (flow === 'frictionless') await this.saveState(tx, payment, { ...state, authentication: this.authentication(payment, '01') });
    await this.deps.steps.apply(tx, payment, 'decide', { ...context, outcome: this.cardOutcome(payment) }, true);
  };

  /** The card's own result: success, or its decline code. */
  private cardOutcome(payment: Payment): Outcome {
    const { profile } = cardStateOf(payment);
    return profile.result === 'success' ? this.deps.outcomes.of('success') : this.deps.outcomes.of('decline', profile.code);
  }

  private authentication(payment: Payment, flow: '01' | '02'): Authentication {
    const stamp = new Date(this.deps.clock.now(payment.projectId)).toISOString();
    const id = (part: string) => `${payment.checkoutToken.slice(0, 8)}-${part}-4${payment.checkoutToken.slice(8, 11)}-8${payment.checkoutToken.slice(11, 14)}-${payment.providerPaymentId.toLowerCase().padEnd(12, '0').slice(0, 12)}`;
    return {
      flow,
      timestamp: `${stamp.slice(0, 4)}${stamp.slice(5, 7)}${stamp.slice(8, 10)}${stamp.slice(11, 13)}${stamp.slice(14, 16)}`,
      mpiOperationId: id('0001'),
      dsOperationId: id('0002'),
      acsOperationId: id('0003'),
    };
  }

  private async saveState(tx: Repositories, payment: Payment, state: CardState): Promise<void> {
    payment.extras = { ...payment.extras, card: state };
    await tx.payments.updateExtras(payment.rowId, payment.extras);
  }

  /**
   * The customer's answer on the ACS page: the right code approves (the card's own result follows), a wrong code
   * counts against the allowed tries, Decline and Cancel fail the authentication (D10).
   */
  async challenge(token: string, action: ChallengeAction, code: string): Promise<{ payment: Payment; triesLeft: number | undefined }> {
    const found = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (found === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
    const { method, callbackUrl } = await this.context(found);
    const { cards, outcomes } = this.deps;
    return this.deps.storage.transact(async (tx) => {
      const payment = await this.locked(tx, found.rowId);
      const state = cardStateOf(payment);
      let outcome: Outcome;
      if (action === 'cancel') outcome = outcomes.of('decline', method.decline_codes.customer_cancel);
      else if (action === 'decline') outcome = outcomes.of('decline', method.decline_codes.customer_decline);
      else if (code.trim() === cards.challenge.code) outcome = this.cardOutcome(payment);
      else if (state.wrongCodes + 1 < cards.challenge.wrong_codes_allowed) {
        // A wrong code keeps the customer on the page, as long as the payment still waits for the answer.
        this.deps.steps.check(method, payment, 'authenticate');
        await this.saveState(tx, payment, { ...state, wrongCodes: state.wrongCodes + 1 });
        return { payment, triesLeft: cards.challenge.wrong_codes_allowed - state.wrongCodes - 1 };
      } else outcome = outcomes.of('decline', method.card_codes?.threeds_failed ?? '10104');
      const authenticated = action === 'approve' && code.trim() === cards.challenge.code;
      if (authenticated) await this.saveState(tx, payment, { ...state, authentication: this.authentication(payment, '02') });
      await this.deps.steps.apply(tx, payment, 'authenticate', { method, callbackUrl, outcome });
      return { payment, triesLeft: undefined };
    });
  }

  private async context(payment: Payment): Promise<{ method: PaymentMethod; callbackUrl: string | undefined }> {
    const method = this.deps.methods.find(payment.method);
    if (method === undefined || method.family !== 'card') {
      throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `Payment ${payment.paymentId} is not a card payment` }], { status: payment.status });
    }
    return { method, callbackUrl: payment.callbackUrl ?? (await this.deps.projects.find(payment.projectId))?.callbackUrl };
  }

  private async locked(tx: Repositories, rowId: number): Promise<Payment> {
    const payment = await tx.payments.lock(rowId);
    if (payment === undefined) throw new Refusal('payment-not-found');
    return payment;
  }

  private async require(project: Project, paymentId: string): Promise<Payment> {
    const payment = await this.deps.storage.read.payments.find(project.projectId, paymentId);
    if (payment === undefined) throw fieldRefusal('general.payment_id', `No payment "${paymentId}" in project ${project.projectId}`, 'payment-not-found');
    return payment;
  }

  /**
   * One operation of a card payment under its lock: `plan` checks the request against the payment as it is then
   * and says what the operation does; the state machine refuses it first if the payment's status does not allow it.
   */
  private async operate(
    project: Project, paymentId: string, action: PaymentAction,
    plan: (payment: Payment, state: CardState, index: number) => { outcome: Outcome; status: Payment['status']; sum: Money; state: CardState },
  ): Promise<Accepted> {
    const found = await this.require(project, paymentId);
    const { method, callbackUrl } = await this.context(found);
    const operation = await this.deps.storage.transact(async (tx) => {
      const payment = await this.locked(tx, found.rowId);
      this.deps.steps.check(method, payment, action);
      const operations = await tx.operations.ofPayment(payment.rowId);
      const decided = plan(payment, cardStateOf(payment), operations.length);
      await this.saveState(tx, payment, decided.state);
      const context: StepContext = { method, callbackUrl, operations, outcome: decided.outcome, status: decided.status, operationSum: decided.sum };
      return this.deps.steps.apply(tx, payment, action, context);
    });
    return accepted(found, operation);
  }

  /** A hold's timer (D8): the whole hold is captured or cancelled, unless the shop did something first. */
  readonly runHoldTimer = async (job: Job): Promise<void> => {
    const payment = await this.deps.storage.read.payments.findByRowId(job.ref);
    const project = payment === undefined ? undefined : await this.deps.projects.find(payment.projectId);
    if (payment === undefined || project === undefined || payment.status !== 'awaiting capture') {
      await this.deps.storage.transact((tx) => tx.jobs.remove('hold', job.ref));
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
      return { outcome: this.deps.outcomes.of('success'), status: 'success', sum: { amount, currency: payment.sum.currency }, state: { ...state, captured: amount } };
    });
  }

  /** Releases a hold: all of it (`canceled`), or part, which lowers the hold (D5). */
  cancel(project: Project, paymentId: string, request: AmountRequest): Promise<Accepted> {
    return this.operate(project, paymentId, 'cancel', (payment, state) => {
      const held = state.held ?? payment.sum.amount;
      const amount = this.amountWithin(payment, request, held);
      const whole = amount === held;
      return {
        outcome: this.deps.outcomes.of('success'),
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
        const method = this.deps.methods.find(payment.method);
        return { outcome: this.deps.outcomes.of('decline', method?.card_codes?.refund_exceeds_balance ?? '903'), status: payment.status, sum, state: next };
      }
      const refunded = state.refunded + amount;
      return { outcome: this.deps.outcomes.of('success'), status: refunded === debited ? 'refunded' : 'partially refunded', sum, state: { ...next, refunded } };
    });
  }
}

/**
 * A hold the project asked the sandbox to settle (D8) gets its timer when the payment enters `awaiting capture`,
 * and loses it when the payment leaves that status by any other way.
 */
export const holdTimer: StatusEntered = async (tx, payment, before, now) => {
  const hold = (payment.extras.card as CardState | undefined)?.hold;
  if (hold === undefined) return;
  if (payment.status === 'awaiting capture') {
    await tx.jobs.put({ kind: 'hold', ref: payment.rowId, dueAt: now + hold.after_seconds * 1000, projectId: payment.projectId, paymentRowId: payment.rowId, payload: hold.auto });
  } else if (before === 'awaiting capture') {
    await tx.jobs.remove('hold', payment.rowId);
  }
};

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
