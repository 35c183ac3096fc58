// HMAC-SHA512 signatures over the canonical string, and verification that also accepts the JS SDK's form.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalString, jsSdkString, type Signable } from './canonical-string.js';

export function hmacBase64(signedString: string, secret: string): string {
  return createHmac('sha512', secret).update(signedString, 'utf8').digest('base64');
}

export function sign(input: Signable, secret: string): string {
  return hmacBase64(canonicalString(input), secret);
}

/** Returns a copy of `body` carrying its signature at the top level, as callbacks and status answers do. */
export function withSignature<T extends Signable>(body: T, secret: string): T & { signature: string } {
  return { ...body, signature: sign(body, secret) };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Adds the signature to a JSON object's text: the same bytes as `JSON.stringify(withSignature(body, secret))`,
 * signed only when the body is sent rather than when it is committed.
 */
export function appendSignature(unsignedJson: string, secret: string): string {
  const signature = sign(JSON.parse(unsignedJson) as Signable, secret);
  return `${unsignedJson.slice(0, -1)}${unsignedJson === '{}' ? '' : ','}"signature":${JSON.stringify(signature)}}`;
}

export type Verification =
  | { valid: true; form: 'canonical' | 'js-sdk' }
  | { valid: false; signedString: string; jsSdkSignedString: string };

/** Checks `signature` against the unsigned input in the canonical form, then in the JS SDK form (docs/protocol-notes.md §1.3). */
export function verify(unsigned: Signable, signature: string, secret: string): Verification {
  const signedString = canonicalString(unsigned);
  if (sameText(hmacBase64(signedString, secret), signature)) return { valid: true, form: 'canonical' };
  const jsSdkSignedString = jsSdkString(unsigned);
  if (jsSdkSignedString !== signedString && sameText(hmacBase64(jsSdkSignedString, secret), signature)) {
    return { valid: true, form: 'js-sdk' };
  }
  return { valid: false, signedString, jsSdkSignedString };
}
