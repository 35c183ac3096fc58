// Access to the admin surfaces (/_sandbox, /dashboard) when SANDBOX_ADMIN_TOKEN is set: a bearer header, or the
// dashboard's session cookie (a random id of a server-side session). Comparisons are constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';

/** The dashboard's session cookie: a random session id, kept on the server only as its hash. */
export const SESSION_COOKIE = 'sandbox_session';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}
