// A card payment's 3-D Secure as a list of steps for tools (docs/card-protocol.md D10, D14, D15): what was handed
// out, what the shop and the customer did, and how it ended, each with the time of the callback that marks it where
// one does. Read from the payment's card state, its first operation and its callbacks; never the card number.
import type { CallbackRecord, Operation, Payment } from '../model.js';
import type { CardState, ThreeDsSteps } from '../payments/card-state.js';

/** `done` happened, `waiting` is where the payment stands now, `later` comes after it, `skipped` never came (the payment ended first). */
export interface ThreeDsStep { step: string; state: 'done' | 'waiting' | 'later' | 'skipped'; at: string | null; detail: string }

interface Facts { payment: Payment; state: CardState; first: Operation | undefined; callbacks: CallbackRecord[] }

const WAITING = 'awaiting 3ds result';
/** Statuses before 3-D Secure begins (a scenario's clarification comes first): its steps are still to come. */
const BEFORE = new Set(['processing', 'awaiting clarification']);
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The first original callback (not a replay) whose body matches `test`, by its creation time. */
function callbackAt(callbacks: CallbackRecord[], test: (body: Record<string, any>) => boolean): string | null {
  const found = callbacks.find((c) => c.replayOf === undefined && test(JSON.parse(c.body) as Record<string, any>));
  return iso(found?.createdAt);
}

/** The flow the payment went through: the card's, or the one a scenario forced (`card_flow`). */
function flowOf(payment: Payment, state: CardState): string {
  return (payment.extras.card_flow as string | undefined) ?? state.profile.flow;
}

/** How the authentication ended: authenticated (with its flow), or the first operation's decline once it ended. */
function resultStep({ payment, state, first }: Facts, challenged: boolean): ThreeDsStep {
  const auth = state.authentication;
  if (payment.status === WAITING || BEFORE.has(payment.status)) {
    // A Gate payment's bank may have authenticated the customer already; the result waits for the shop's 3ds_result.
    const detail = state.pending !== undefined ? `The bank's verdict is kept until the shop's 3ds_result${auth === undefined ? '' : ` (authentication_flow ${auth.flow})`}`
      : challenged ? 'Not decided yet: the customer has not met the challenge' : 'Not decided yet';
    return { step: 'Authentication', state: 'waiting', at: null, detail };
  }
  if (auth !== undefined) {
    const how = auth.flow === '01' ? 'frictionless' : 'challenge';
    return { step: 'Authentication', state: 'done', at: iso(first?.updatedAt), detail: `Authenticated (authentication_flow ${auth.flow}, ${how}); MPI operation ${auth.mpiOperationId}` };
  }
  const reason = first === undefined ? '' : `: ${first.code} ${first.message}`;
  return { step: 'Authentication', state: 'done', at: iso(first?.updatedAt), detail: `Not authenticated${reason}` };
}

/** The customer on the sandbox bank's page: the wrong codes typed so far and the answer. */
function customerStep({ payment, state }: Facts, answer: ThreeDsSteps['answer'] | undefined, reached: boolean): ThreeDsStep {
  const wrong = state.wrongCodes === 0 ? 'no wrong code' : `${state.wrongCodes} wrong code${state.wrongCodes === 1 ? '' : 's'}`;
  if (!reached) return { step: 'The customer at the bank', state: 'skipped', at: null, detail: 'The payment ended before the customer reached the bank\'s page' };
  if (answer !== undefined) {
    const words = { approve: 'approved with the right code', decline: 'declined', cancel: 'cancelled', failed: 'failed: too many wrong codes' }[answer];
    return { step: 'The customer at the bank', state: 'done', at: null, detail: `The customer ${words} (${wrong})` };
  }
  if (payment.status === WAITING) return { step: 'The customer at the bank', state: 'waiting', at: null, detail: `Waiting for the customer's answer (${wrong} so far)` };
  const ended = state.authentication !== undefined ? 'approved with the right code' : 'did not authenticate';
  return { step: 'The customer at the bank', state: 'done', at: null, detail: `The customer ${ended} (${wrong})` };
}

/** A Gate payment (D14, D15): the Method iframe and 3ds_check_iframe (extended workflow), the redirect, the ACS, 3ds_result. */
function gateSteps(facts: Facts, threeds: ThreeDsSteps): ThreeDsStep[] {
  const { payment, callbacks } = facts;
  const ended = payment.status !== WAITING;
  if (BEFORE.has(payment.status) && threeds.step !== 'answered' && !threeds.methodLoaded && callbackAt(callbacks, (b) => b.threeds2 !== undefined) === null) {
    return [{ step: '3-D Secure', state: 'later', at: null, detail: 'Not begun: the shop gets its first 3-D Secure callback once it begins' }, resultStep(facts, false)];
  }
  const steps: ThreeDsStep[] = [];
  if (threeds.notificationUrl !== undefined) {
    const past = threeds.step !== 'method';
    steps.push({
      step: '3DS Method iframe', state: 'done', at: callbackAt(callbacks, (b) => b.threeds2?.iframe !== undefined),
      detail: `${threeds.methodUrl} handed to the shop in a callback; the shop's hidden iframe ${threeds.methodLoaded ? 'loaded it' : 'has not loaded it'}`,
    });
    steps.push({
      step: '3ds_check_iframe', state: past ? 'done' : ended ? 'skipped' : 'waiting', at: null,
      detail: past ? 'The shop said the Method step is over' : ended ? 'Never sent: the payment ended first' : `Waiting for the shop's 3ds_check_iframe (notification address ${threeds.notificationUrl})`,
    });
    if (!past) return [...steps, resultStep(facts, false)];
  }
  if (flowOf(payment, facts.state) !== 'challenge') return [...steps, resultStep(facts, false)];
  const redirectAt = callbackAt(callbacks, (b) => b.threeds2?.redirect !== undefined);
  steps.push({ step: 'Challenge redirect', state: 'done', at: redirectAt, detail: `The customer sent to ${threeds.challengeUrl} through the shop${threeds.returnUrl === undefined ? '' : `, back to ${threeds.returnUrl}`}` });
  steps.push(customerStep(facts, threeds.answer, true));
  const resultSent = threeds.step === 'answered' && facts.state.pending === undefined;
  const waitsResult = threeds.step === 'answered' && !ended;
  const resultState = resultSent && ended ? 'done' : waitsResult ? 'waiting' : ended ? 'skipped' : 'later';
  const resultDetail = { done: 'The shop sent back the cres the bank gave the customer', waiting: 'Waiting for the shop\'s 3ds_result with the cres', skipped: 'Never sent: the payment ended first', later: 'Once the customer answers, the shop sends 3ds_result with the cres' }[resultState];
  steps.push({ step: '3ds_result', state: resultState, at: null, detail: resultDetail });
  return [...steps, resultStep(facts, true)];
}

/** A Payment Page payment: the bank's page in the customer's browser, or frictionless authentication. */
function pageSteps(facts: Facts): ThreeDsStep[] {
  const { payment, callbacks } = facts;
  if (flowOf(payment, facts.state) !== 'challenge') return [resultStep(facts, false)];
  const at = callbackAt(callbacks, (b) => b.payment?.status === WAITING);
  const reached = at !== null || payment.status === WAITING;
  if (!reached && BEFORE.has(payment.status)) return [{ step: 'Challenge', state: 'later', at: null, detail: 'The customer goes to the sandbox bank\'s page once 3-D Secure begins' }, resultStep(facts, true)];
  return [
    { step: 'Challenge', state: reached ? 'done' : 'skipped', at, detail: reached ? 'The customer sent to the sandbox bank\'s page' : 'Never asked: the payment ended first' },
    customerStep(facts, undefined, reached),
    resultStep(facts, true),
  ];
}

/**
 * The 3-D Secure steps of a card payment, in order; none for a card without 3-D Secure, a card wallet's token
 * (authenticated on the device) or a debit of a saved card (no customer).
 */
export function threeDsSteps(payment: Payment, operations: Operation[], callbacks: CallbackRecord[]): ThreeDsStep[] {
  const state = payment.extras.card as CardState | undefined;
  if (state === undefined || state.walletToken === true || state.first === 'recurring' || flowOf(payment, state) === 'none') return [];
  const facts: Facts = { payment, state, first: operations[0], callbacks };
  return state.threeds === undefined ? pageSteps(facts) : gateSteps(facts, state.threeds);
}
