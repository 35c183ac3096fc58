// Verifies a signed body the way ECommPay's SDKs verify callbacks (docs/protocol-notes.md §1.2): the signature sits at
// the top level or in `general`; every `signature` key is removed before re-signing.
import { verify, type Verification } from './signer.js';
import type { Signable } from './canonical-string.js';

function withoutSignatures(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSignatures);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'signature') copy[key] = withoutSignatures(value);
  }
  return copy;
}

export function findSignature(body: Signable): string | undefined {
  if (typeof body.signature === 'string') return body.signature;
  const general = body.general;
  if (typeof general === 'object' && general !== null) {
    const nested = (general as Record<string, unknown>).signature;
    if (typeof nested === 'string') return nested;
  }
  return undefined;
}

export function verifySignedBody(body: Signable, secret: string): Verification | { valid: false; missing: true } {
  const signature = findSignature(body);
  if (signature === undefined || signature === '') return { valid: false, missing: true };
  return verify(withoutSignatures(body) as Signable, signature, secret);
}
