// Security headers for every HTML page: a CSP without any script, no framing, no MIME sniffing, no referrer leaks.
import type { FastifyInstance } from 'fastify';

/**
 * The one CSP of the sandbox's pages. Forms post to the sandbox itself; after a checkout the browser is
 * redirected to the merchant's URL, which Chromium checks against form-action, so http(s) targets stay allowed.
 * Pages are script-free unless a nonce is given (the checkout widget's messaging script, and nothing else).
 */
export function contentSecurityPolicy({ scriptNonce, frameAncestors }: { scriptNonce?: string; frameAncestors: string }): string {
  const scripts = scriptNonce === undefined ? "'none'" : `'nonce-${scriptNonce}'`;
  return `default-src 'none'; script-src ${scripts}; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; base-uri 'none'; frame-ancestors ${frameAncestors}`;
}

// Only the Payment Page and the wallet checkout may be framed (they widen this themselves); nothing else.
const CSP = contentSecurityPolicy({ frameAncestors: "'none'" });

export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      reply.header('content-security-policy', CSP);
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
      // Pages show live state (a checkout form, a payment's status): Back must ask again, not show a stale copy.
      reply.header('cache-control', 'no-store');
    }
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
