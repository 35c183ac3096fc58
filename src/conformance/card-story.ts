// The card cases' payment at each step of its story, held as the sandbox holds a card payment made on the Payment
// Page (docs/card-protocol.md §5.2, D4, D5, D9): the card read as the card form reads it, its state in
// `extras.card`, one operation per sale or auth, capture, cancel and refund, with the card family's codes.
// The callback builder turns each step into the body the sandbox would send.
import type { CardCatalogue } from '../domain/catalogue/cards.js';
import type { CodeTable } from '../domain/catalogue/codes.js';
import type { PaymentMethod } from '../domain/catalogue/methods.js';
import type { Money, Operation, OperationType, Payment, PaymentStatus } from '../domain/model.js';
import { readCard } from '../domain/payments/card-details.js';
import { refundableOf, type CardState } from '../domain/payments/card-state.js';
import { CARD_FAMILY } from '../domain/payments/families/card.js';
import { IdSource } from '../domain/payments/id-source.js';
import type { CardEvent } from './cases.js';

export interface CardStoryContext {
  projectId: number;
  paymentId: string;
  description: string;
  /** When the payment started: its first step is dated then, every later step `now`. */
  createdAt: number;
  now: number;
  /** The card method (data/methods/card.json) and the test cards. */
  method: PaymentMethod;
  cards: CardCatalogue;
  codes: CodeTable;
  ids: IdSource;
  /** The id of the first operation; each later operation takes the next. */
  operationId: number;
}

/** The payment and the operation a step's callback reports. */
export interface CardSnapshot { payment: Payment; operation: Operation }

// ECommPay's test cards (data/cards/test-cards.json): a Visa paid without 3-D Secure, and a Visa that asks for the challenge.
const PLAIN_CARD = '4000000000000077';
const CHALLENGE_CARD = '4314220000000056';
const HOLDER = 'JUAN DELA CRUZ';
const AMOUNT = 50000;
const PART_REFUND = 20000;

interface Story {
  context: CardStoryContext;
  payment: Payment;
  state: CardState;
  operations: Operation[];
}

/** The payment and operation as the sandbox holds them when it sends each step's callback, in order. */
export function cardStory(events: readonly CardEvent[], context: CardStoryContext): CardSnapshot[] {
  const pan = events.includes('awaiting-3ds') ? CHALLENGE_CARD : PLAIN_CARD;
  const card = readCard({ pan, month: 12, year: new Date(context.now).getUTCFullYear() + 3, cvv: '123', holder: HOLDER }, context.cards, context.now);
  const state: CardState = { profile: card.profile, eci: card.brand.eci, first: events.includes('auth') ? 'auth' : 'sale', refunded: 0, wrongCodes: 0, refundIds: {} };
  const story: Story = { context, payment: startedPayment(context, { ...card.account }), state, operations: [] };
  return events.map((event, index) => {
    const at = index === 0 ? context.createdAt : context.now;
    const operation = step(story, event, at);
    story.payment.updatedAt = at;
    story.payment.extras = { card: structuredClone(story.state) };
    return { payment: structuredClone(story.payment), operation: structuredClone(operation) };
  });
}

function startedPayment(context: CardStoryContext, account: Record<string, unknown>): Payment {
  const ids = context.ids.forPayment(context.projectId, context.paymentId);
  const rules = context.method.operations.sale;
  const sum = { amount: AMOUNT, currency: 'PHP' };
  return {
    rowId: 0,
    projectId: context.projectId,
    paymentId: context.paymentId,
    method: context.method.code,
    type: 'purchase',
    status: CARD_FAMILY.starts.sale?.status ?? 'processing',
    interface: 'payment_page',
    sum,
    sumConverted: { ...sum },
    description: context.description,
    customer: { id: `${context.paymentId}-customer` },
    account,
    returnUrl: {},
    callbackUrl: undefined,
    callbackDelaySeconds: 0,
    callbacksDisabled: false,
    checkoutToken: ids.checkoutToken,
    providerPaymentId: ids.providerPaymentId,
    createdAt: context.createdAt,
    updatedAt: context.createdAt,
    baseDueAt: context.createdAt + (rules?.base_seconds ?? 0) * 1000,
    limitDueAt: context.createdAt + (rules?.limit_seconds ?? 0) * 1000,
    extras: {},
  };
}

/** Moves the story one step on: the payment's new status and state, and the operation whose callback goes. */
function step(story: Story, event: CardEvent, at: number): Operation {
  const { payment, state } = story;
  switch (event) {
    case 'awaiting-3ds': {
      // The sale's operation goes on, awaiting the customer's answer at the ACS page.
      const operation = openOperation(story, state.first, payment.sum, payment.createdAt);
      Object.assign(operation, { status: 'awaiting 3ds result', updatedAt: at });
      payment.status = 'awaiting 3ds result';
      return operation;
    }
    case 'sale':
    case 'auth': {
      const operation = story.operations[0] ?? openOperation(story, state.first, payment.sum, payment.createdAt);
      payment.status = CARD_FAMILY.outcomeStatus?.[state.first]?.success ?? 'success';
      return endOperation(story, operation, at);
    }
    case 'capture':
    case 'cancel': {
      const held = state.held ?? payment.sum.amount;
      if (event === 'capture') state.captured = held;
      payment.status = event === 'capture' ? 'success' : 'canceled';
      return endOperation(story, openOperation(story, event, { amount: held, currency: payment.sum.currency }, at), at);
    }
    case 'refund-part':
    case 'refund-all': {
      const amount = event === 'refund-part' ? PART_REFUND : refundableOf(payment, state);
      const operation = openOperation(story, 'refund', { amount, currency: payment.sum.currency }, at);
      // A refund request names its merchant_refund_id, as the shops' plugins send one (docs/card-protocol.md §3.2).
      state.refundIds[String(operation.index)] = `${payment.paymentId}-refund-${operation.index}`;
      state.refunded += amount;
      payment.status = refundableOf(payment, state) === 0 ? 'refunded' : 'partially refunded';
      return endOperation(story, operation, at);
    }
  }
}

/** A new operation, awaiting processing, as the sandbox opens one (PaymentSteps.newOperation). */
function openOperation(story: Story, type: OperationType, sum: Money, at: number): Operation {
  const { context, payment, operations } = story;
  const index = operations.length;
  const code = CARD_FAMILY.awaitingCode;
  const operation: Operation = {
    id: context.operationId + index,
    paymentRowId: 0,
    index,
    type,
    status: 'processing' satisfies PaymentStatus,
    code,
    message: context.codes.message(code),
    requestId: IdSource.requestId(context.ids.forPayment(context.projectId, context.paymentId).requestHex, index),
    createdAt: at,
    updatedAt: at,
    sumInitial: { ...sum },
    sumConverted: { amount: Math.round((sum.amount * payment.sumConverted.amount) / payment.sum.amount), currency: payment.sumConverted.currency },
    providerDate: undefined,
    authCode: '',
  };
  operations.push(operation);
  return operation;
}

/** Ends an operation with success, code 0, dated `at` by the provider too. */
function endOperation(story: Story, operation: Operation, at: number): Operation {
  Object.assign(operation, { status: 'success', code: '0', message: story.context.codes.message('0'), updatedAt: at, providerDate: at });
  return operation;
}
