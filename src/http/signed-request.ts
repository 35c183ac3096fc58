// One way to read a signed request, for every signed surface (Gate, Payment Page GET and POST, Data API): the
// body's shape against its schema, each problem named by its field, then the signature over the unsigned part,
// checked in the canonical form and in the JS SDK's (docs/protocol-notes.md §1.1, §1.3).
import { maskPan } from '../domain/catalogue/cards.js';
import { Refusal, type FieldProblem } from '../domain/errors.js';
import { fieldOf, validatorFor } from '../schema-registry.js';
import { canonicalString, jsSdkString, type Signable } from '../signature/canonical-string.js';
import { verify } from '../signature/signer.js';

/** The body, when it is a JSON object that its schema accepts; else every field's first problem (2003 / 2004). */
export function checkedBody<T>(schemaId: string, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Refusal('malformed-request', [{ field: '', message: 'The request body must be a JSON object' }]);
  }
  const validate = validatorFor<T>(schemaId);
  if (validate(body)) return body;
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of validate.errors ?? []) {
    const field = fieldOf(error);
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, message: problemText(error.keyword, field, error.message) });
  }
  throw new Refusal('invalid-fields', problems);
}

function problemText(keyword: string, field: string, message: string | undefined): string {
  if (keyword === 'required') return 'Required field not provided';
  if (keyword === 'additionalProperties') return 'Unknown parameter';
  return `${field} ${message ?? 'is invalid'}`;
}

/** The signed string as shown: a card number or CVV it holds is masked, since no answer may echo either. */
function hide(text: string, hidden: string[]): string {
  return hidden.filter((value) => value.length >= 3).reduce((shown, value) => shown.split(value).join('*'.repeat(value.length)), text);
}

/**
 * A request's card as the strings a refused signature shows may carry it (D12: the number and CVV are never
 * echoed): the number as its mask — all stars when too short to have one — and the CVV as three stars.
 */
function withCardMasked(unsigned: Signable): Signable | undefined {
  const card = unsigned.card;
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return undefined;
  const { pan, cvv } = card as Record<string, unknown>;
  if (pan === undefined && cvv === undefined) return undefined;
  const digits = pan === undefined || pan === null ? '' : String(pan);
  const masked = digits.length >= 12 ? maskPan(digits) : '*'.repeat(digits.length);
  return { ...unsigned, card: { ...card, ...(pan === undefined ? {} : { pan: masked }), ...(cvv === undefined ? {} : { cvv: '***' }) } };
}

/**
 * Refuses an empty signature (3262) or one that matches neither form (3261), naming `field`; a mismatch also
 * shows the strings the sandbox signed (never the secret, nor the `hidden` values: a card's number and CVV), so a
 * developer can diff them against their own.
 */
export function checkSignature(unsigned: Signable, signature: unknown, secret: string, field: string, hidden: string[] = []): void {
  if (typeof signature !== 'string' || signature === '') throw new Refusal('empty-signature', [{ field, message: 'Empty signature' }]);
  const result = verify(unsigned, signature, secret);
  if (result.valid) return;
  const masked = withCardMasked(unsigned);
  throw new Refusal('invalid-signature', [{ field, message: 'Invalid signature' }], {
    signed_string: hide(masked === undefined ? result.signedString : canonicalString(masked), hidden),
    js_sdk_signed_string: hide(masked === undefined ? result.jsSdkSignedString : jsSdkString(masked), hidden),
    hint: 'The sandbox signed the strings above with the secret (HMAC-SHA512, Base64); diff them with yours.',
  });
}
