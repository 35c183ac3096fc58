// Builds callback and status bodies in ECommPay's standard "last operation" format (docs/protocol-notes.md §3.2, §2.6).
// No value is ever null: the official JS SDK cannot verify a callback holding one (empty strings instead).
import { formatGateDate } from './gate-date.js';
import type { PaymentMethod } from '../catalogue/methods.js';
import type { Operation, Payment } from '../model.js';

export interface RedirectData { method: 'GET' | 'POST'; url: string; body: Record<string, string> }

function paymentSection(payment: Payment, method: PaymentMethod): Record<string, unknown> {
  return {
    id: payment.paymentId,
    type: payment.type,
    status: payment.status,
    date: formatGateDate(payment.updatedAt),
    method: method.title,
    sum: { ...payment.sum },
    description: payment.description,
  };
}

function operationSection(operation: Operation, payment: Payment, method: PaymentMethod): Record<string, unknown> {
  const facts = method.providers[operation.type] ?? { id: 0, endpoint_id: '' };
  // Wallet callbacks in the method card (docs/protocol-notes.md "PayMaya method") carry an empty auth_code and the provider's reference once it answered.
  const provider: Record<string, unknown> = {
    id: facts.id,
    payment_id: operation.providerDate === undefined ? '' : payment.providerPaymentId,
    auth_code: '',
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
    provider,
  };
}

function customerSection(payment: Payment): Record<string, unknown> {
  const customer: Record<string, unknown> = { id: String(payment.customer.id ?? '') };
  const phone = payment.account.number ?? payment.customer.phone;
  if (typeof phone === 'string' && phone !== '') customer.phone = phone;
  return customer;
}

function accountSection(payment: Payment): Record<string, unknown> | undefined {
  return typeof payment.account.number === 'string' ? { number: payment.account.number } : undefined;
}

export function buildCallbackBody(
  payment: Payment,
  operation: Operation,
  method: PaymentMethod,
  redirect: RedirectData | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { project_id: payment.projectId, payment: paymentSection(payment, method) };
  const account = accountSection(payment);
  if (account !== undefined) body.account = account;
  body.customer = customerSection(payment);
  body.operation = operationSection(operation, payment, method);
  if (redirect !== undefined) body.redirect_data = redirect;
  return body;
}

export function buildStatusBody(
  payment: Payment,
  operations: Operation[],
  method: PaymentMethod,
  redirect: RedirectData | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { project_id: payment.projectId, payment: paymentSection(payment, method) };
  const account = accountSection(payment);
  if (account !== undefined) body.account = account;
  body.customer = customerSection(payment);
  body.operations = operations.map((operation) => operationSection(operation, payment, method));
  if (redirect !== undefined) body.redirect_data = redirect;
  return body;
}
