// Builds callback and status bodies in ECommPay's standard "last operation" format (docs/protocol-notes.md §3.2,
// §2.6). Each method family shapes its own parts (family-shapes.ts): the wallet's account and customer, or the
// card's masked account, balance, ECI and 3-D Secure result. No value is ever null: the official JS SDK cannot
// verify a callback holding one (empty strings instead).
import type { PaymentMethod } from '../catalogue/methods.js';
import type { Operation, Payment } from '../model.js';
import { shapeOf } from './family-shapes.js';
import { formatGateDate } from './gate-date.js';

export interface RedirectData { method: 'GET' | 'POST'; url: string; body: Record<string, string> }

/** Members a prescriptive callback adds so the merchant or customer can go on: `redirect_data`, `threeds2`, `acs`. */
export type Prescription = Record<string, unknown>;

function paymentSection(payment: Payment, operation: Operation | undefined, method: PaymentMethod): Record<string, unknown> {
  const shape = shapeOf(method.family);
  const section: Record<string, unknown> = {
    id: payment.paymentId,
    type: payment.type,
    status: payment.status,
    date: formatGateDate(payment.updatedAt),
    method: method.callback_method ?? method.title,
    sum: shape.sum(payment),
    description: payment.description,
  };
  return { ...section, ...(operation === undefined ? {} : shape.paymentExtras(payment, operation)) };
}

function operationSection(operation: Operation, payment: Payment, method: PaymentMethod): Record<string, unknown> {
  const shape = shapeOf(method.family);
  const facts = method.providers[operation.type as 'sale' | 'payout'] ?? method.providers.sale ?? { id: 0, endpoint_id: '' };
  const provider: Record<string, unknown> = {
    id: facts.id,
    payment_id: operation.providerDate === undefined ? '' : shape.providerPaymentId(payment, operation),
    auth_code: shape.authCode(operation),
    endpoint_id: facts.endpoint_id,
  };
  if (operation.providerDate !== undefined) provider.date = formatGateDate(operation.providerDate);
  return {
    id: operation.id,
    type: operation.type,
    status: operation.status,
    date: formatGateDate(operation.updatedAt),
    created_date: formatGateDate(operation.createdAt),
    request_id: operation.requestId,
    sum_initial: { ...operation.sumInitial },
    sum_converted: { ...operation.sumConverted },
    code: operation.code,
    message: operation.message,
    ...shape.operationExtras(payment, operation),
    provider,
  };
}

function head(payment: Payment, operation: Operation | undefined, method: PaymentMethod): Record<string, unknown> {
  const shape = shapeOf(method.family);
  const body: Record<string, unknown> = { project_id: payment.projectId, payment: paymentSection(payment, operation, method) };
  const account = shape.account(payment);
  if (account !== undefined) body.account = account;
  body.customer = shape.customer(payment);
  return body;
}

export function buildCallbackBody(payment: Payment, operation: Operation, method: PaymentMethod, prescription: Prescription | undefined): Record<string, unknown> {
  const body = head(payment, operation, method);
  body.operation = operationSection(operation, payment, method);
  return { ...body, ...shapeOf(method.family).tail(payment, operation), ...prescription };
}

export function buildStatusBody(payment: Payment, operations: Operation[], method: PaymentMethod, prescription: Prescription | undefined): Record<string, unknown> {
  const last = operations[operations.length - 1];
  const body = head(payment, last, method);
  body.operations = operations.map((operation) => operationSection(operation, payment, method));
  return { ...body, ...(last === undefined ? {} : shapeOf(method.family).tail(payment, last)), ...prescription };
}
