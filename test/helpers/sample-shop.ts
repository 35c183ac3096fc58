// Sample merchant callback endpoints for the conformance kit: a correct shop (verifies with the official SDK's
// Callback, idempotent, keeps order state, shows it at GET /orders/{payment_id}) and shops with one fault each.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SdkCallback } from './gate-client.js';

export type ShopFault =
  /** Takes every callback as it comes, signature or not. */
  | 'accepts-forged'
  /** Answers 500 to a callback it has already processed. */
  | 'fails-on-duplicate'
  /** Applies an older non-final callback over a final state, so a paid order turns pending again. */
  | 'flips-back-on-older'
  /** Knows only the wallet's final statuses: a card hold, a released hold and refunds leave its order as it was. */
  | 'wallet-statuses-only';

export interface ShopOptions {
  secret: string;
  fault?: ShopFault;
  /** The status a forged callback gets (default 403). */
  rejectStatus?: number;
  /** The shop's own names for its order states (default paid / failed / pending). */
  statusNames?: { paid: string; failed: string; pending: string };
  /** Never answers callbacks of the payments it matches (the connection stays open). */
  silentFor?: (paymentId: string) => boolean;
}

export interface SampleShop {
  callbackUrl: string;
  probeUrl: string;
  /** Every callback body received, in order, with the status answered. */
  received: Array<{ body: string; status: number }>;
  orders: Map<string, 'paid' | 'failed' | 'pending'>;
}

interface Tap { teardown(fn: () => unknown): void }

/**
 * As the official plugins read `payment.status`: errors fail an order like a decline; a card hold is paid for the
 * shop until it is released, a partial refund leaves it paid, a released hold or a full refund leaves it without
 * the money; everything else leaves it pending.
 */
const WALLET_FINAL: Partial<Record<string, 'paid' | 'failed'>> = { success: 'paid', decline: 'failed', 'external error': 'failed', 'internal error': 'failed' };
const FINAL: Partial<Record<string, 'paid' | 'failed'>> = {
  ...WALLET_FINAL, 'awaiting capture': 'paid', canceled: 'failed', 'partially refunded': 'paid', refunded: 'failed',
};

export async function startSampleShop(t: Tap, options: ShopOptions): Promise<SampleShop> {
  const names = options.statusNames ?? { paid: 'paid', failed: 'failed', pending: 'pending' };
  const orders = new Map<string, 'paid' | 'failed' | 'pending'>();
  const processed = new Set<string>();
  const received: SampleShop['received'] = [];

  function handleCallback(text: string): number {
    let data: Record<string, any>;
    try {
      data = options.fault === 'accepts-forged' ? JSON.parse(text) : new SdkCallback(options.secret, text).callback;
    } catch {
      return options.rejectStatus ?? 403;
    }
    if (processed.has(text)) return options.fault === 'fails-on-duplicate' ? 500 : 200;
    processed.add(text);
    const paymentId = String(data.payment.id);
    const next = (options.fault === 'wallet-statuses-only' ? WALLET_FINAL : FINAL)[String(data.payment.status)] ?? 'pending';
    const current = orders.get(paymentId);
    const keepsFinal = current !== undefined && current !== 'pending' && next === 'pending' && options.fault !== 'flips-back-on-older';
    if (!keepsFinal) orders.set(paymentId, next);
    return 200;
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://shop');
      if (request.method === 'POST' && url.pathname === '/callback') {
        const body = Buffer.concat(chunks).toString('utf8');
        if (options.silentFor !== undefined && options.silentFor(String((JSON.parse(body) as { payment: { id: unknown } }).payment.id))) return;
        const status = handleCallback(body);
        received.push({ body, status });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK' : `refused (${status})`);
        return;
      }
      const order = /^\/orders\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && order !== null) {
        const state = orders.get(decodeURIComponent(order[1]!));
        response.writeHead(state === undefined ? 404 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(state === undefined ? { error: 'no such order' } : { status: names[state] }));
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { callbackUrl: `${base}/callback`, probeUrl: `${base}/orders/{payment_id}`, received, orders };
}
