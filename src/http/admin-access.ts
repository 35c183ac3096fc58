// Access to the admin surfaces (/_sandbox, /dashboard) when SANDBOX_ADMIN_TOKEN is set: a bearer header, or
// for the dashboard a session cookie set by its login form. Comparisons are constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';

export const SESSION_COOKIE = 'sandbox_admin';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cookie value of a logged-in session: derived from the token, never the token itself. */
export function sessionValue(adminToken: string): string {
  return createHash('sha256').update(`ecommpay-sandbox session\u0000${adminToken}`).digest('base64url');
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export function isAdmin(request: FastifyRequest, adminToken: string | undefined): boolean {
  if (adminToken === undefined) return true;
  const bearer = bearerToken(request);
  if (bearer !== undefined && sameSecret(bearer, adminToken)) return true;
  const cookie = (request.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  return cookie !== undefined && sameSecret(cookie, sessionValue(adminToken));
}
