// A merchant callback endpoint that behaves as the official WooCommerce plugin's callback path does (docs/conformance-kit.md,
// "Shop presets"): orders exist before their callbacks (a test endpoint creates them), an unknown order gets 404
// "Order not found", WooCommerce order statuses (processing = paid, on-hold = an authorised hold, failed, cancelled,
// refunded), a payout callback acknowledged with 200 and nothing changed, and the ECommPay payment status stored
// beside the order. Variants carry one fault each.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SdkCallback } from './gate-client.js';

export type WooVariant =
  /** Overwrites its stored payment status with every callback's, so a late older callback takes a final status back. */
  | 'overwrites-payment-status'
  /** Answers a callback whose signature does not verify with 500 (an exception), not a refusal. */
  | 'crashes-on-forged'
  /** Refuses every callback holding a boolean, as a signer that renders booleans wrongly does. */
  | 'renders-booleans-wrongly';

export interface WooShopOptions { secret: string; variant?: WooVariant }

export interface WooOrder { status: string; paymentStatus: string | undefined; amount: number; currency: string }

export interface WooShop {
  callbackUrl: string;
  probeUrl: string;
  /** `POST <url>` with {payment_id, amount, currency} creates an order (the kit's --prepare-url). */
  prepareUrl: string;
  orders: Map<string, WooOrder>;
  received: Array<{ body: string; status: number; answer: string }>;
  createOrder(paymentId: string, amount?: number, currency?: string): void;
}

interface Tap { teardown(fn: () => unknown): void }

/** ECommPay statuses a payment has before its result; a correct shop never stores one over a later status. */
const EARLIER = new Set(['awaiting redirect result', 'awaiting 3ds result', 'processing', 'awaiting customer', 'awaiting clarification', 'external processing']);
const FAILED = new Set(['decline', 'expired', 'internal error', 'external error']);
const HANDLED = new Set(['sale', 'auth', 'capture', 'cancel', 'refund', 'reversal']);

function hasBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasBoolean);
}

/** The order's next WooCommerce status after a verified callback of a handled operation. */
function nextStatus(order: WooOrder, operation: { type: string; status: string }, paymentStatus: string): string {
  const paid = ['processing', 'completed', 'on-hold'].includes(order.status);
  switch (operation.type) {
    case 'sale':
      if (operation.status === 'success') return 'processing';
      return FAILED.has(operation.status) && !paid ? 'failed' : order.status;
    case 'auth':
      if (operation.status === 'success') return 'on-hold';
      return FAILED.has(operation.status) ? 'failed' : order.status;
    case 'capture':
      return operation.status === 'success' ? 'processing' : order.status;
    case 'cancel':
      return operation.status === 'success' ? 'cancelled' : order.status;
    default:
      return operation.status === 'success' && paymentStatus === 'refunded' ? 'refunded' : order.status;
  }
}

export async function startWooShop(t: Tap, options: WooShopOptions): Promise<WooShop> {
  const orders = new Map<string, WooOrder>();
  const received: WooShop['received'] = [];
  const createOrder = (paymentId: string, amount = 50000, currency = 'PHP'): void => {
    if (!orders.has(paymentId)) orders.set(paymentId, { status: 'pending', paymentStatus: undefined, amount, currency });
  };

  function handleCallback(text: string): [number, string] {
    let data: Record<string, any>;
    try {
      data = new SdkCallback(options.secret, text).callback;
    } catch {
      return options.variant === 'crashes-on-forged' ? [500, 'Fatal error: Uncaught Exception: Invalid signature'] : [400, 'Invalid signature'];
    }
    if (options.variant === 'renders-booleans-wrongly' && hasBoolean(data)) return [400, 'Invalid signature'];
    const order = orders.get(String(data.payment.id));
    if (order === undefined) return [404, 'Order not found'];
    const operation = { type: String(data.operation?.type), status: String(data.operation?.status) };
    if (!HANDLED.has(operation.type)) return [200, `Not supported operation type: ${operation.type}`];
    const paymentStatus = String(data.payment.status);
    order.status = nextStatus(order, operation, paymentStatus);
    const keeps = order.paymentStatus !== undefined && !EARLIER.has(order.paymentStatus) && EARLIER.has(paymentStatus);
    if (options.variant === 'overwrites-payment-status' || !keeps) order.paymentStatus = paymentStatus;
    return [200, 'OK'];
  }

  function createFromRequest(text: string): [number, string] {
    let body: { payment_id?: unknown; amount?: unknown; currency?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return [400, '{"error":"not JSON"}'];
    }
    if (typeof body.payment_id !== 'string' || typeof body.amount !== 'number' || typeof body.currency !== 'string') return [400, '{"error":"payment_id, amount and currency are required"}'];
    createOrder(body.payment_id, body.amount, body.currency);
    return [201, JSON.stringify({ id: body.payment_id, status: 'pending' })];
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://shop');
      const text = Buffer.concat(chunks).toString('utf8');
      if (request.method === 'POST' && url.pathname === '/callback') {
        const [status, answer] = handleCallback(text);
        received.push({ body: text, status, answer });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
        return;
      }
      if (request.method === 'POST' && url.pathname === '/test/orders') {
        const [status, answer] = createFromRequest(text);
        response.writeHead(status, { 'content-type': 'application/json' }).end(answer);
        return;
      }
      const match = /^\/orders\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && match !== null) {
        const order = orders.get(decodeURIComponent(match[1]!));
        response.writeHead(order === undefined ? 404 : 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(order === undefined ? { error: 'Order not found' } : { status: order.status, payment_status: order.paymentStatus ?? null }));
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
  return { callbackUrl: `${base}/callback`, probeUrl: `${base}/orders/{payment_id}`, prepareUrl: `${base}/test/orders`, orders, received, createOrder };
}
