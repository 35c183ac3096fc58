// Payment Page parameters (docs/protocol-notes.md §1.4, §5): what is signed, what is required, and how each is checked.
// Shared by the page itself and the SDK validators (/params/check), so both judge a request the same way.
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import { checkSignature } from '../signed-request.js';
import type { Project } from '../../domain/model.js';

export type PaymentPageParams = Record<string, string>;

export const REQUIRED_PARAMS = ['project_id', 'payment_id', 'payment_currency', 'payment_amount', 'customer_id'] as const;

const BOOLEAN_TEXT: Record<string, string> = { true: '1', True: '1', false: '0', False: '0' };

/** Reads a query string (`+` is a space) keeping the first value of a repeated name. */
export function parseQuery(rawQuery: string): PaymentPageParams {
  const params: PaymentPageParams = Object.create(null) as PaymentPageParams;
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    if (!(key in params)) params[key] = value;
  }
  return params;
}

/**
 * The object the platform re-signs: every parameter but `signature`, `frame_mode` and top-level `_…` ones
 * (plugins add those after signing), with boolean words normalised to 1/0 as the SDKs sign them.
 */
export function signedPart(params: PaymentPageParams): Record<string, string> {
  const part: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'signature' || key === 'frame_mode' || key.startsWith('_')) continue;
    part[key] = BOOLEAN_TEXT[value] ?? value;
  }
  return part;
}

const EMAIL = /^[^\s@;]+@[^\s@;]+\.[^\s@;]+$/;
const URL_PARAMS = ['merchant_success_url', 'merchant_fail_url', 'merchant_return_url', 'redirect_success_url', 'redirect_fail_url', 'redirect_return_url', 'merchant_callback_url'];

/** Field problems of the parameters themselves (no signature): what /params/check reports. */
export function parameterProblems(params: PaymentPageParams): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const name of REQUIRED_PARAMS) {
    if (params[name] === undefined || params[name] === '') problems.push({ field: name, message: 'Required field not provided', code: '2004' });
  }
  const add = (field: string, message: string, code = '2004') => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message, code });
  };
  if (params.project_id !== undefined && params.project_id !== '' && !/^[1-9]\d{0,9}$/.test(params.project_id)) add('project_id', 'Must be a positive integer');
  // A check of the card (mode=card_verify) may be of 0 (docs/card-protocol.md D21).
  const amountPattern = params.mode === 'card_verify' ? /^(0|[1-9]\d{0,11})$/ : /^[1-9]\d{0,11}$/;
  if (params.payment_amount !== undefined && params.payment_amount !== '' && !amountPattern.test(params.payment_amount)) {
    add('payment_amount', params.mode === 'card_verify' ? 'Must be an integer in minor units, 0 or more' : 'Must be a positive integer in minor units');
  }
  if (params.payment_currency !== undefined && params.payment_currency !== '' && !/^[A-Z]{3}$/.test(params.payment_currency)) {
    add('payment_currency', 'Invalid currency: expected an ISO 4217 code such as PHP', '3121');
  }
  if (params.payment_id !== undefined && params.payment_id.length > 255) add('payment_id', 'At most 255 characters');
  if (params.customer_email !== undefined && params.customer_email !== '' && !EMAIL.test(params.customer_email)) add('customer_email', 'Invalid Email', '2426');
  for (const name of URL_PARAMS) {
    const value = params[name];
    if (value !== undefined && value !== '' && !/^https?:\/\/\S+$/.test(value)) add(name, 'Must be an http(s) URL');
  }
  if (params.best_before !== undefined && params.best_before !== '' && Number.isNaN(Date.parse(params.best_before))) add('best_before', 'Must be an ISO 8601 date');
  for (const name of ['operation_type', 'card_operation_type']) {
    const value = params[name];
    if (value !== undefined && value !== '' && value !== 'sale' && value !== 'auth') add(name, 'Must be sale or auth');
  }
  for (const [key, value] of Object.entries(params)) {
    if (value.includes(';')) add(key, 'The character ";" is not allowed in Payment Page parameters');
  }
  return problems;
}

/** What stops the page itself; a malformed e-mail does not: the form shows it for correction. */
export function checkParameters(params: PaymentPageParams): void {
  const problems = parameterProblems(params).filter((p) => p.field !== 'customer_email');
  if (problems.length > 0) throw new Refusal(problems[0]?.code === '3121' ? 'invalid-currency' : 'invalid-fields', problems);
}

/** Finds the project and checks the `signature` parameter; refusals name the code, field and signed string. */
export function authenticatePaymentPage(params: PaymentPageParams, project: Project | undefined): Project {
  if (project === undefined) {
    throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${params.project_id} is not configured in this sandbox` }]);
  }
  checkSignature(signedPart(params), params.signature, project.secretKey, 'signature');
  return project;
}

/**
 * The first operation of a card payment the link asks for (docs/card-protocol.md D1): `operation_type`, or its
 * older name `card_operation_type`; a sale when neither is given.
 */
export function cardOperationOf(params: PaymentPageParams): 'sale' | 'auth' | 'account verification' {
  if (params.mode === 'card_verify') return 'account verification';
  const asked = params.operation_type || params.card_operation_type;
  return asked === 'auth' ? 'auth' : 'sale';
}

/** Whether the link asks to save the card for later debits (D17): `recurring_register=1`, the type from `recurring`. */
export function cardRegisterOf(params: PaymentPageParams): { type: string } | undefined {
  if (params.recurring_register !== '1') return undefined;
  let type = 'C';
  try {
    const recurring = JSON.parse(params.recurring ?? '{}') as { type?: unknown };
    if (recurring.type === 'R' || recurring.type === 'U') type = recurring.type;
  } catch {
    type = 'C';
  }
  return { type };
}
