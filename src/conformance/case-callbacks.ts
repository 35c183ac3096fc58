// Builds the signed callback bodies of a conformance case with the sandbox's own callback builder and signer,
// so they match real sandbox callbacks byte for byte; then adds the case's extra members or forgery.
import { buildCallbackBody, type RedirectData } from '../domain/callbacks/callback-body.js';
import type { CardCatalogue } from '../domain/catalogue/cards.js';
import { AWAITING_CODE, type CodeTable } from '../domain/catalogue/codes.js';
import { IdSource } from '../domain/payments/id-source.js';
import type { PaymentMethod } from '../domain/catalogue/methods.js';
import type { Operation, Payment, PaymentStatus } from '../domain/model.js';
import { withSignature } from '../signature/signer.js';
import { isCardCase, type CallbackStep, type CardEvent, type ConformanceCase } from './cases.js';
import { addUnknownMembers, longUnicodeText } from './body-variants.js';
import { cardStory, type CardStoryContext } from './card-story.js';

export interface CaseContext {
  projectId: number;
  secret: string;
  paymentId: string;
  /** When the case's final callback happens (epoch ms); earlier steps are dated from the case's age. */
  now: number;
  publicUrl: string;
  /** The wallet method of the wallet cases (PayMaya). */
  method: PaymentMethod;
  /** The card method of the card cases, and the test cards their card comes from. */
  cardMethod: PaymentMethod;
  cards: CardCatalogue;
  codes: CodeTable;
  ids: IdSource;
  /** The id of the case's first operation; a card case's later operations take the next ones (operationCount). */
  operationId: number;
}

const SALE_AMOUNT = 50000;
const PAYOUT_AMOUNT = 10000;
// The sandbox's test wallet number (README.md, "Point a shop at the sandbox"): a customer who paid at the checkout, or a payout's account.
const WALLET_NUMBER = '09171234567';

function amountOf(testCase: ConformanceCase, method: PaymentMethod): number {
  // The 20101 case is what the sandbox sends for an amount over the method's limit.
  if (testCase.steps.some((step) => step.kind === 'final' && step.code === method.decline_codes.limit_decline)) {
    return (method.operations.sale?.max_amount ?? SALE_AMOUNT) + 100;
  }
  return testCase.operation === 'sale' ? SALE_AMOUNT : PAYOUT_AMOUNT;
}

function startedAt(testCase: ConformanceCase, context: CaseContext): number {
  const rules = (isCardCase(testCase) ? context.cardMethod : context.method).operations[testCase.operation];
  const seconds = testCase.age === 'limit-time' ? rules?.limit_seconds ?? 0 : testCase.age;
  return context.now - seconds * 1000;
}

/** The payment and its one operation as the sandbox holds them when it sends wallet `step`. */
function stateAt(testCase: ConformanceCase, step: CallbackStep, context: CaseContext): { payment: Payment; operation: Operation } {
  const ids = context.ids.forPayment(context.projectId, context.paymentId);
  const rules = context.method.operations[testCase.operation];
  const created = startedAt(testCase, context);
  const final = step.kind === 'final';
  const updated = final ? context.now : created;
  const status: PaymentStatus = final ? step.status : 'awaiting redirect result';
  const code = final ? step.code : AWAITING_CODE;
  const sum = { amount: amountOf(testCase, context.method), currency: 'PHP' };
  const payment: Payment = {
    rowId: 0,
    projectId: context.projectId,
    paymentId: context.paymentId,
    method: context.method.code,
    type: testCase.operation === 'sale' ? 'purchase' : 'payout',
    status,
    interface: 'gate',
    sum,
    sumConverted: { ...sum },
    description: testCase.variant === 'long-unicode' ? longUnicodeText() : `Conformance ${testCase.name}`,
    customer: { id: `${context.paymentId}-customer` },
    // A sale learns the wallet number when the customer pays; a payout carries it from the request.
    account: testCase.account && (final || testCase.operation === 'payout') ? { number: WALLET_NUMBER } : {},
    returnUrl: {},
    callbackUrl: undefined,
    callbackDelaySeconds: 0,
    callbacksDisabled: false,
    checkoutToken: ids.checkoutToken,
    providerPaymentId: ids.providerPaymentId,
    createdAt: created,
    updatedAt: updated,
    baseDueAt: created + (rules?.base_seconds ?? 0) * 1000,
    limitDueAt: created + (rules?.limit_seconds ?? 0) * 1000,
    extras: {},
  };
  const operation: Operation = {
    id: context.operationId,
    paymentRowId: 0,
    index: 0,
    type: testCase.operation,
    status,
    code,
    message: context.codes.message(code),
    requestId: IdSource.requestId(ids.requestHex, 0),
    createdAt: created,
    updatedAt: updated,
    sumInitial: { ...sum },
    sumConverted: { ...sum },
    providerDate: final ? context.now : undefined,
    authCode: '',
  };
  return { payment, operation };
}

function redirectData(payment: Payment, context: CaseContext): RedirectData {
  // Same link as the sandbox's PaymentService.redirectDataFor.
  return { method: 'GET', url: `${context.publicUrl}/paymaya/checkout?tokenid=${payment.checkoutToken}`, body: {} };
}

/** The unsigned body of one wallet step. */
function walletBody(testCase: ConformanceCase, step: CallbackStep, context: CaseContext): Record<string, unknown> {
  const { payment, operation } = stateAt(testCase, step, context);
  return buildCallbackBody(payment, operation, context.method, step.kind === 'redirect' ? { redirect_data: redirectData(payment, context) } : undefined);
}

/** The unsigned bodies of the case's steps, in order, with the case's variant applied. */
export function unsignedBodies(testCase: ConformanceCase, context: CaseContext): Array<Record<string, unknown>> {
  const bodies = isCardCase(testCase)
    // A card payment on the Payment Page, where the platform runs 3-D Secure: no prescription for the shop.
    ? cardStory(cardEvents(testCase), cardContext(testCase, context)).map(({ payment, operation }) => buildCallbackBody(payment, operation, context.cardMethod, undefined))
    : testCase.steps.map((step) => walletBody(testCase, step, context));
  return testCase.variant === 'unknown-members' ? bodies.map(addUnknownMembers) : bodies;
}

function cardEvents(testCase: ConformanceCase): CardEvent[] {
  return testCase.steps.flatMap((step) => (step.kind === 'card' ? [step.event] : []));
}

function cardContext(testCase: ConformanceCase, context: CaseContext): CardStoryContext {
  const { projectId, paymentId, now, cardMethod: method, cards, codes, ids, operationId } = context;
  return { projectId, paymentId, description: `Conformance ${testCase.name}`, createdAt: startedAt(testCase, context), now, method, cards, codes, ids, operationId };
}

/** How many operations the case's payment has: one, and for a card each capture, cancel or refund one more. */
export function operationCount(testCase: ConformanceCase): number {
  return 1 + testCase.steps.filter((step) => step.kind === 'card' && !['awaiting-3ds', 'sale', 'auth'].includes(step.event)).length;
}

function signedText(testCase: ConformanceCase, body: Record<string, unknown>, secret: string): string {
  switch (testCase.forgery) {
    case undefined:
      return JSON.stringify(withSignature(body, secret));
    case 'unsigned':
      return JSON.stringify(body);
    case 'wrong-secret':
      return JSON.stringify(withSignature(body, `not-${secret}`));
    case 'tampered': {
      const signed: Record<string, unknown> = withSignature(body, secret);
      const payment = signed.payment as Record<string, unknown>;
      signed.payment = { ...payment, status: payment.status === 'success' ? 'decline' : 'success' };
      return JSON.stringify(signed);
    }
  }
}

/** The JSON texts the case sends, in order. */
export function caseBodies(testCase: ConformanceCase, context: CaseContext): string[] {
  return unsignedBodies(testCase, context).map((body) => signedText(testCase, body, context.secret));
}
