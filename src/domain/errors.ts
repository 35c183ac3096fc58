// The one catalogue of refusals. The domain throws these with facts; each surface maps them to its format.
import { codeMessage } from './catalogue/codes.js';

export interface FieldProblem { field: string; message: string; code?: string }

export type RefusalKind =
  | 'malformed-request'
  | 'invalid-fields'
  | 'empty-signature'
  | 'invalid-signature'
  | 'unknown-project'
  | 'unknown-method'
  | 'duplicate-payment'
  | 'payment-not-found'
  | 'operation-not-supported'
  | 'invalid-currency'
  | 'currency-not-convertible'
  | 'status-forbids-action'
  | 'body-too-large'
  | 'invalid-token'
  | 'access-denied'
  | 'project-exists'
  | 'unreachable-endpoint'
  | 'project-hidden'
  | 'quota-exceeded'
  | 'rate-limited'
  | 'unsupported-media-type';

const CODE_BY_KIND: Record<RefusalKind, string> = {
  'malformed-request': '2003',
  'invalid-fields': '2004',
  'empty-signature': '3262',
  'invalid-signature': '3261',
  'unknown-project': '2442',
  'unknown-method': '2541',
  'duplicate-payment': '3041',
  'payment-not-found': '3061',
  'operation-not-supported': '3610',
  'invalid-currency': '3121',
  'currency-not-convertible': '3023',
  'status-forbids-action': '3060',
  'body-too-large': '702',
  'invalid-token': '3123',
  'access-denied': '303',
  'project-exists': '2004',
  'unreachable-endpoint': '602',
  'project-hidden': '2442',
  'quota-exceeded': '310',
  'rate-limited': '601',
  'unsupported-media-type': '2003',
};

export class Refusal extends Error {
  readonly code: string;
  constructor(
    readonly kind: RefusalKind,
    readonly fields: FieldProblem[] = [],
    readonly facts: Record<string, unknown> = {},
  ) {
    super(codeMessage(CODE_BY_KIND[kind]));
    this.name = 'Refusal';
    this.code = CODE_BY_KIND[kind];
  }
}

export function fieldRefusal(field: string, message: string, kind: RefusalKind = 'invalid-fields'): Refusal {
  return new Refusal(kind, [{ field, message }]);
}
