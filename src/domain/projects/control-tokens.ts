// Project control tokens: handed out once, kept only as a SHA-256 hash, compared in constant time.
import { createHash, randomBytes } from 'node:crypto';

export function newControlToken(): string {
  return `sbx_${randomBytes(24).toString('base64url')}`;
}

export function hashControlToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
