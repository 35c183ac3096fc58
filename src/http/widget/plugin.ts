// Checkout widget surface: merchant.js and merchant.css for shop pages, and the messaging script of framed pages.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../project-root.js';

const ASSETS = [
  { path: '/shared/merchant.js', file: 'merchant.js', type: 'text/javascript; charset=utf-8' },
  { path: '/shared/merchant.css', file: 'merchant.css', type: 'text/css; charset=utf-8' },
  { path: '/shared/payment-frame.js', file: 'payment-frame.js', type: 'text/javascript; charset=utf-8' },
] as const;

export async function checkoutWidget(app: FastifyInstance): Promise<void> {
  for (const asset of ASSETS) {
    const body = readFileSync(fromRoot('views', 'widget', asset.file));
    app.get(asset.path, async (_request, reply: FastifyReply) => reply
      .type(asset.type)
      .header('cache-control', 'max-age=300')
      // Shop pages on any origin load these, some with crossorigin/SRI or under COEP.
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(body));
  }
}
