// The one table of refusals: each kind carries its ECommPay code (and the code table's message for it) and
// the HTTP status every surface answers it with. The domain throws refusals with facts; each surface renders
// them in its own format (a JSON envelope or an HTML page) but takes the status from here.

import { StorageFault } from './ports.js';

export interface FieldProblem { field: string; message: string; code?: string }

interface RefusalRule {
  code: string;
  /** data/codes.json's message for the code (test/domain/refusal-table.test.ts keeps them equal). */
  message: string;
  httpStatus: number;
}

export const REFUSAL_TABLE = {
  'malformed-request': { code: '2003', message: 'Invalid JSON string', httpStatus: 400 },
  'invalid-fields': { code: '2004', message: 'Required field not provided', httpStatus: 400 },
  'invalid-currency': { code: '3121', message: 'Invalid currency', httpStatus: 400 },
  'currency-not-convertible': { code: '3023', message: 'Provided currency disabled for Project ID', httpStatus: 400 },
  'operation-not-supported': { code: '3610', message: 'Refund unavailable for the current operation', httpStatus: 400 },
  'status-forbids-action': { code: '3060', message: 'Current payment or operation status does not allow this action', httpStatus: 400 },
  'card-expired': { code: '3021', message: 'Card expired', httpStatus: 400 },
  'cvv-required': { code: '3141', message: 'CVV is required', httpStatus: 400 },
  'cardholder-required': { code: '3162', message: 'Cardholder is required', httpStatus: 400 },
  'amount-above-hold': { code: '2642', message: 'Operation amount is greater than limit', httpStatus: 400 },
  'refund-above-debited': { code: '3283', message: 'Refund amount more than init amount', httpStatus: 400 },
  'refund-currency-mismatch': { code: '3284', message: 'Refund currency mismatched or empty', httpStatus: 400 },
  'amount-required': { code: '3286', message: 'The property amount is required', httpStatus: 400 },
  'currency-required': { code: '3287', message: 'The property currency is required', httpStatus: 400 },
  'empty-signature': { code: '3262', message: 'Empty signature', httpStatus: 401 },
  'invalid-signature': { code: '3261', message: 'Invalid signature', httpStatus: 401 },
  'unknown-project': { code: '2442', message: 'Project ID not found', httpStatus: 401 },
  'invalid-token': { code: '3123', message: 'Invalid API Key', httpStatus: 401 },
  /** No credentials (or none that match) where the admin surfaces need them. */
  'not-authenticated': { code: '303', message: 'Access denied', httpStatus: 401 },
  /** Credentials that are valid but not for this project. */
  'access-denied': { code: '303', message: 'Access denied', httpStatus: 403 },
  'quota-exceeded': { code: '310', message: 'This operation is not allowed by project settings', httpStatus: 403 },
  'unknown-method': { code: '2541', message: 'Unknown Payment Method', httpStatus: 404 },
  'payment-not-found': { code: '3061', message: 'Transaction not found', httpStatus: 404 },
  // Another project's list: answered as if there were none, so a token cannot learn which projects exist.
  'project-hidden': { code: '2442', message: 'Project ID not found', httpStatus: 404 },
  'duplicate-payment': { code: '3041', message: 'Payment ID already exists', httpStatus: 409 },
  'recurring-not-found': { code: '3181', message: 'COF purchase registration ID not found', httpStatus: 404 },
  'duplicate-refund': { code: '3230', message: 'The operation with such merchant_refund_id already exists', httpStatus: 409 },
  'project-exists': { code: '2004', message: 'Required field not provided', httpStatus: 409 },
  'body-too-large': { code: '702', message: 'Malformed request', httpStatus: 413 },
  'unsupported-media-type': { code: '2003', message: 'Invalid JSON string', httpStatus: 415 },
  'rate-limited': { code: '601', message: 'Try again', httpStatus: 429 },
  // The sandbox's own storage refuses writes for now (a full disk, a lost database): the platform's code for a
  // temporary failure, "Resend the request".
  'storage-unavailable': { code: '601', message: 'Try again', httpStatus: 503 },
  // The URL a tool named answers nothing: the tool's input is at fault, not the sandbox.
  'unreachable-endpoint': { code: '602', message: 'Network error', httpStatus: 400 },
} as const satisfies Record<string, RefusalRule>;

export type RefusalKind = keyof typeof REFUSAL_TABLE;

export class Refusal extends Error {
  readonly code: string;
  readonly httpStatus: number;
  constructor(
    readonly kind: RefusalKind,
    readonly fields: FieldProblem[] = [],
    readonly facts: Record<string, unknown> = {},
  ) {
    const rule: RefusalRule = REFUSAL_TABLE[kind];
    super(rule.message);
    this.name = 'Refusal';
    this.code = rule.code;
    this.httpStatus = rule.httpStatus;
  }
}

const STORAGE_WORDS: Record<StorageFault['state'], string> = {
  full: 'storage full: the sandbox keeps what it stored and answers reads, and takes writes again once space is freed',
  unavailable: 'storage unavailable: the sandbox cannot reach its database; resend the request shortly',
};

/** The refusal a storage fault is answered with (code 601, HTTP 503), naming its cause. */
export function storageRefusal(fault: StorageFault): Refusal {
  return new Refusal('storage-unavailable', [{ field: '', message: STORAGE_WORDS[fault.state] }], { storage: fault.state });
}

/** A refusal as thrown, or the refusal of a storage fault; anything else is no refusal. */
export function asRefusal(error: unknown): Refusal | undefined {
  if (error instanceof Refusal) return error;
  if (error instanceof StorageFault) return storageRefusal(error);
  return undefined;
}

export function fieldRefusal(field: string, message: string, kind: RefusalKind = 'invalid-fields'): Refusal {
  return new Refusal(kind, [{ field, message }]);
}

/** The same refusal with each field named as a surface names it (the domain names Gate's request paths). */
export function renamedFields(refusal: Refusal, rename: (field: string) => string): Refusal {
  if (!refusal.fields.some((f) => rename(f.field) !== f.field)) return refusal;
  return new Refusal(refusal.kind, refusal.fields.map((f) => ({ ...f, field: rename(f.field) })), refusal.facts);
}
