// How each method family fills its parts of a callback or status body: the wallet's (the PayMaya method's
// examples, docs/protocol-notes.md "PayMaya method") and the card's (docs/card-protocol.md §4, §12, D9).
import { cardStateOf, reportedSum, uuidOf, type CardState } from '../payments/card-state.js';
import type { Money, Operation, Payment } from '../model.js';
import { formatGateDate } from './gate-date.js';

export interface FamilyShape {
  sum(payment: Payment): Money;
  account(payment: Payment): Record<string, unknown> | undefined;
  customer(payment: Payment): Record<string, unknown>;
  providerPaymentId(payment: Payment, operation: Operation): string;
  authCode(operation: Operation): string;
  /** Members of `payment` that belong to one operation (a refund's merchant id). */
  paymentExtras(payment: Payment, operation: Operation): Record<string, unknown>;
  /** Members of `operation` beyond the common ones (the ECI). */
  operationExtras(payment: Payment, operation: Operation): Record<string, unknown>;
  /** Top-level members after `operation` (the 3-D Secure result). */
  tail(payment: Payment, operation: Operation): Record<string, unknown>;
}

const none = (): Record<string, unknown> => ({});

const WALLET: FamilyShape = {
  sum: (payment) => ({ ...payment.sum }),
  account: (payment) => (typeof payment.account.number === 'string' ? { number: payment.account.number } : undefined),
  customer: (payment) => {
    const customer: Record<string, unknown> = { id: String(payment.customer.id ?? '') };
    const phone = payment.account.number ?? payment.customer.phone;
    if (typeof phone === 'string' && phone !== '') customer.phone = phone;
    return customer;
  },
  providerPaymentId: (payment) => payment.providerPaymentId,
  authCode: (operation) => operation.authCode,
  paymentExtras: none,
  operationExtras: none,
  tail: none,
};

/** Operations that authenticate the card and so carry an ECI. */
const WITH_ECI = new Set(['sale', 'auth', 'account verification', 'recurring']);

const CARD: FamilyShape = {
  sum: (payment) => reportedSum(payment, cardStateOf(payment)),
  account: (payment) => {
    const { number, type, card_holder: holder, expiry_month: month, expiry_year: year } = payment.account as Record<string, string>;
    return { number, type, card_holder: holder, expiry_month: month, expiry_year: year };
  },
  customer: (payment) => ({ id: String(payment.customer.id ?? '') }),
  // A card acquirer's reference: 14 digits, one per operation.
  providerPaymentId: (_payment, operation) => String(operation.id).slice(-14).padStart(14, '0'),
  // The issuer's approval code: six digits on an approved sale or auth, none on anything else (D9).
  authCode: (operation) => (WITH_ECI.has(operation.type) && operation.status === 'success' ? String(operation.id % 1_000_000).padStart(6, '0') : ''),
  paymentExtras: (payment, operation) => {
    const refundId = cardStateOf(payment).refundIds[String(operation.index)];
    return refundId === undefined ? {} : { merchant_refund_id: refundId };
  },
  operationExtras: (payment, operation) => {
    if (!WITH_ECI.has(operation.type) || operation.status === 'decline') return {};
    const state = cardStateOf(payment);
    return { eci: state.authentication === undefined && state.walletToken !== true ? state.eci.none : state.eci.authenticated };
  },
  tail: (payment, operation) => ({ ...cardPrescription(payment, operation), ...recurringOf(cardStateOf(payment)), ...mpiResultOf(payment, operation) }),
};

/** What a waiting card payment's callback or status answer tells the merchant to do next (D14, D20). */
function cardPrescription(payment: Payment, operation: Operation): Record<string, unknown> {
  const state = cardStateOf(payment);
  if (payment.status === 'awaiting clarification' && state.clarification !== undefined) return { clarification_fields: clarificationFields(state.clarification.fields) };
  const threeds = state.threeds;
  if (payment.status !== 'awaiting 3ds result' || threeds === undefined) return {};
  if (threeds.step === 'method') {
    const methodData = base64url({ threeDSServerTransID: threeds.transId, threeDSMethodNotificationURL: threeds.notificationUrl ?? '' });
    return { threeds2: { iframe: { url: threeds.methodUrl, params: { '3DSMethodData': methodData, threeDSMethodData: methodData } } } };
  }
  const creq = base64url({ threeDSServerTransID: threeds.transId, acsTransID: uuidOf(payment.checkoutToken, 'acs'), challengeWindowSize: '05', messageType: 'CReq', messageVersion: '2.2.0' });
  return { threeds2: { redirect: { url: threeds.challengeUrl, params: { creq, threeDSSessionData: String(operation.id) } } } };
}

/** The saved card of a payment that registered one (D17). */
function recurringOf(state: CardState): Record<string, unknown> {
  if (state.recurring === undefined) return {};
  return { recurring: { id: state.recurring.id, currency: state.recurring.currency, valid_thru: formatGateDate(state.recurring.validThru) } };
}

function mpiResultOf(payment: Payment, operation: Operation): Record<string, unknown> {
  const authentication = cardStateOf(payment).authentication;
  if (authentication === undefined || !WITH_ECI.has(operation.type) || operation.status === 'awaiting 3ds result') return {};
  return {
    mpi_result: {
      mpi_operation_id: authentication.mpiOperationId,
      ds_operation_id: authentication.dsOperationId,
      acs_operation_id: authentication.acsOperationId,
      mpi_timestamp: authentication.timestamp,
      cardholder_info: '',
      authentication_flow: authentication.flow,
    },
  };
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const SHAPES: Readonly<Record<string, FamilyShape>> = { wallet: WALLET, card: CARD };

export function shapeOf(family: string): FamilyShape {
  const shape = SHAPES[family];
  if (shape === undefined) throw new Error(`no callback shape for the ${family} family`);
  return shape;
}

export { formatGateDate };

/** Words for each field the sandbox may ask, in the schema form's descriptions. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  avs_post_code: 'The post code of the card holder\'s billing address',
  avs_street_address: 'The street address of the card holder\'s billing address',
};

/** `clarification_fields` in the schema form (D20): what the merchant must send in `additional_data`. */
export function clarificationFields(fields: string[]): Record<string, unknown> {
  return {
    avs_data: {
      type: 'object',
      properties: Object.fromEntries(fields.map((field) => [field, { type: 'string', description: DESCRIPTIONS[field] ?? field }])),
      required: fields,
    },
  };
}
