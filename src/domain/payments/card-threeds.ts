// 3-D Secure 2 of card payments (docs/card-protocol.md D10, D14, D15). A Gate payment follows the extended
// workflow when its request gave `acs_return_url.3ds_notification_url` — a callback with the 3DS Method iframe,
// the merchant's `3ds_check_iframe`, then the challenge (a callback with redirect data) or the result — and the
// basic workflow otherwise; the customer answers on the sandbox bank's page, which sends `cres` back to the
// merchant, and the merchant's `3ds_result` ends the step. A Payment Page payment's challenge ends on the page.
import type { ThreeDsFlow } from '../catalogue/cards.js';
import type { PaymentMethod } from '../catalogue/methods.js';
import { Refusal, fieldRefusal } from '../errors.js';
import type { Outcome, Payment, Project } from '../model.js';
import type { Repositories } from '../ports.js';
import { cardStateOf, type CardState, type ChallengeAction, type ThreeDsSteps } from './card-state.js';
import { uuidOf, type CardSupport } from './card-support.js';
import type { Accepted, PaymentRequest } from './payment-lifecycle.js';
import type { StepContext } from './payment-steps.js';

/** The ACS's verdict on an answer: an outcome, or (a wrong code with tries left) how many tries are left. */
export interface Verdict { outcome?: Outcome; triesLeft?: number; state: CardState; authenticated: boolean }

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export class CardThreeDs {
  constructor(private readonly support: CardSupport) {}

  /** The steps of a Gate payment about to start: the addresses it will hand out, from its (seeded) checkout token. */
  stepsFor(request: PaymentRequest, acsReturn: { returnUrl?: string; notificationUrl?: string }): ThreeDsSteps {
    const { ids, links } = this.support.deps;
    const token = ids.forPayment(request.project.projectId, request.paymentId).checkoutToken;
    return {
      step: acsReturn.notificationUrl === undefined ? 'challenge' : 'method',
      ...(acsReturn.notificationUrl === undefined ? {} : { notificationUrl: acsReturn.notificationUrl }),
      ...(acsReturn.returnUrl === undefined ? {} : { returnUrl: acsReturn.returnUrl }),
      methodUrl: links.acsMethodUrl(token),
      challengeUrl: links.acsChallengeUrl(token),
      transId: uuidOf(token, 'ds'),
      methodLoaded: false,
    };
  }

  /**
   * The card decides: at once, after frictionless 3-D Secure, or once the customer has met the challenge — on the
   * Payment Page's ACS page, or for a Gate payment through the merchant (Method iframe, redirect, 3ds_result).
   */
  async decideByCard(tx: Repositories, payment: Payment, context: StepContext, fresh = false): Promise<void> {
    const state = cardStateOf(payment);
    const { steps } = this.support.deps;
    if (state.threeds !== undefined && flowOf(payment) !== 'none') {
      await this.begin(tx, payment, context, fresh);
      return;
    }
    if (flowOf(payment) === 'challenge') {
      await steps.apply(tx, payment, 'ask-3ds', context, fresh);
      return;
    }
    if (flowOf(payment) === 'frictionless') await this.support.saveState(tx, payment, { ...state, authentication: this.support.authentication(payment, '01') });
    await steps.apply(tx, payment, 'decide', { ...context, outcome: this.support.cardOutcome(payment) }, fresh);
  }

  /** A Gate payment's 3-D Secure begins: the Method iframe first (extended), else the challenge or, frictionless, the result. */
  private async begin(tx: Repositories, payment: Payment, context: StepContext, fresh: boolean): Promise<void> {
    const state = cardStateOf(payment);
    const threeds = state.threeds as ThreeDsSteps;
    if (threeds.step === 'method' || flowOf(payment) === 'challenge') {
      await this.support.deps.steps.apply(tx, payment, 'ask-3ds', context, fresh);
      return;
    }
    await this.support.saveState(tx, payment, { ...state, authentication: this.support.authentication(payment, '01') });
    await this.support.deps.steps.apply(tx, payment, 'decide', { ...context, outcome: this.support.cardOutcome(payment) }, fresh);
  }

  /** The ACS's verdict (D10): Cancel 104, Decline 10114, the right code the card's result, a third wrong code 10104. */
  verdict(payment: Payment, method: PaymentMethod, action: ChallengeAction, code: string): Verdict {
    const { cards, outcomes, steps } = this.support.deps;
    steps.check(method, payment, 'authenticate');
    const state = cardStateOf(payment);
    if (action === 'cancel') return { outcome: outcomes.of('decline', method.decline_codes.customer_cancel), state, authenticated: false };
    if (action === 'decline') return { outcome: outcomes.of('decline', method.decline_codes.customer_decline), state, authenticated: false };
    if (code.trim() === cards.challenge.code) {
      return { outcome: this.support.cardOutcome(payment), state: { ...state, authentication: this.support.authentication(payment, '02') }, authenticated: true };
    }
    const wrongCodes = state.wrongCodes + 1;
    if (wrongCodes < cards.challenge.wrong_codes_allowed) return { triesLeft: cards.challenge.wrong_codes_allowed - wrongCodes, state: { ...state, wrongCodes }, authenticated: false };
    return { outcome: outcomes.of('decline', method.card_codes?.threeds_failed ?? '10104'), state: { ...state, wrongCodes }, authenticated: false };
  }

  /**
   * A Gate payment's customer answers at the ACS: the answer and the `cres` the merchant must send back are kept;
   * the payment still awaits the merchant's 3ds_result.
   */
  async answer(found: Payment, action: ChallengeAction, code: string): Promise<{ payment: Payment; triesLeft: number | undefined }> {
    const { method } = await this.support.context(found);
    return this.support.deps.storage.transact(async (tx) => {
      const payment = await this.support.locked(tx, found.rowId);
      const threeds = cardStateOf(payment).threeds;
      if (threeds?.step !== 'challenge') throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: 'The challenge is already answered' }], { status: payment.status });
      const verdict = this.verdict(payment, method, action, code);
      if (verdict.triesLeft !== undefined) {
        await this.support.saveState(tx, payment, verdict.state);
        return { payment, triesLeft: verdict.triesLeft };
      }
      const cres = base64url({ threeDSServerTransID: threeds.transId, acsTransID: uuidOf(payment.checkoutToken, 'acs'), messageType: 'CRes', messageVersion: '2.2.0', transStatus: verdict.authenticated ? 'Y' : 'N' });
      const answered: ThreeDsSteps = { ...threeds, step: 'answered', answer: verdict.authenticated ? 'approve' : action === 'approve' ? 'failed' : action, cres };
      await this.support.saveState(tx, payment, { ...verdict.state, threeds: answered, pending: verdict.outcome });
      return { payment, triesLeft: undefined };
    });
  }

  /** The merchant's hidden iframe loaded the 3DS Method page: kept, so a check can say so. */
  async methodLoaded(token: string): Promise<Payment> {
    const found = await this.support.byToken(token);
    return this.support.deps.storage.transact(async (tx) => {
      const payment = await this.support.locked(tx, found.rowId);
      const state = cardStateOf(payment);
      if (state.threeds !== undefined && !state.threeds.methodLoaded) await this.support.saveState(tx, payment, { ...state, threeds: { ...state.threeds, methodLoaded: true } });
      return payment;
    });
  }

  /**
   * `3ds_check_iframe` (D15): the Method step is over, whatever the indicator says; a frictionless card then has
   * its result, a challenge card asks for the challenge. Refused with 3060 unless the payment waits for it.
   */
  checkIframe(project: Project, paymentId: string): Promise<Accepted> {
    return this.step(project, paymentId, 'method', async (tx, payment, context) => {
      const state = cardStateOf(payment);
      const threeds = state.threeds as ThreeDsSteps;
      if (flowOf(payment) === 'challenge') {
        await this.support.saveState(tx, payment, { ...state, threeds: { ...threeds, step: 'challenge' } });
        await this.support.deps.steps.apply(tx, payment, 'ask-3ds', context);
        return;
      }
      await this.support.saveState(tx, payment, { ...state, authentication: this.support.authentication(payment, '01') });
      await this.support.deps.steps.apply(tx, payment, 'authenticate', { ...context, outcome: this.support.cardOutcome(payment) });
    });
  }

  /** `3ds_result` (D15): the `cres` the ACS gave the customer ends the challenge with the customer's answer. */
  threeDsResult(project: Project, paymentId: string, cres: string): Promise<Accepted> {
    return this.step(project, paymentId, 'answered', async (tx, payment, context) => {
      const state = cardStateOf(payment);
      if (state.threeds?.cres !== cres) throw fieldRefusal('cres', 'This cres was not issued for this payment');
      const { pending, ...rest } = state;
      await this.support.saveState(tx, payment, rest);
      await this.support.deps.steps.apply(tx, payment, 'authenticate', { ...context, outcome: pending as Outcome });
    });
  }

  /** A merchant's 3-D Secure request, answered with the payment's first request id once its step is done. */
  private async step(
    project: Project, paymentId: string, expected: ThreeDsSteps['step'], work: (tx: Repositories, payment: Payment, context: StepContext) => Promise<void>,
  ): Promise<Accepted> {
    const found = await this.support.require(project, paymentId);
    const { method, callbackUrl } = await this.support.context(found);
    const requestId = await this.support.deps.storage.transact(async (tx) => {
      const payment = await this.support.locked(tx, found.rowId);
      this.support.deps.steps.check(method, payment, 'authenticate');
      if (cardStateOf(payment).threeds?.step !== expected) {
        const waiting = expected === 'method' ? '3ds_check_iframe' : 'a 3ds_result (the customer has not answered the challenge)';
        throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `The payment is not waiting for ${waiting}` }], { status: payment.status });
      }
      const operations = await tx.operations.ofPayment(payment.rowId);
      await work(tx, payment, { method, callbackUrl, operations });
      return (operations[0] as { requestId: string }).requestId;
    });
    return { requestId, projectId: found.projectId, paymentId: found.paymentId };
  }
}

/** The card's 3-D Secure flow, or the one a scenario chose for every card (`card_flow`); the card still decides the result. */
function flowOf(payment: Payment): ThreeDsFlow {
  return (payment.extras.card_flow as ThreeDsFlow | undefined) ?? cardStateOf(payment).profile.flow;
}
