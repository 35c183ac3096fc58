// Security headers for every HTML page: a CSP without any script, no MIME sniffing, no referrer leaks.
import type { FastifyInstance } from 'fastify';

// Forms post to the sandbox itself; after a checkout the browser is redirected to the merchant's URL, which
// Chromium checks against form-action, so http(s) targets stay allowed.
const CSP = "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; base-uri 'none'";

export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      reply.header('content-security-policy', CSP);
      reply.header('referrer-policy', 'no-referrer');
    }
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}
