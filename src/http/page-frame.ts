// Payment Page and wallet pages inside the checkout widget: who the shop is, the frame mode, the CSP nonce of the
// one messaging script, and the events each page announces to the shop (docs/protocol-notes.md §5.4).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FieldProblem, Refusal } from '../domain/errors.js';
import { resultOf, type Operation, type Payment } from '../domain/model.js';
import { contentSecurityPolicy } from './security-headers.js';

export const FRAME_MODES = ['popup', 'iframe', 'embedded'] as const;
export type FrameMode = (typeof FRAME_MODES)[number];

/** A page shown in a widget: its mode and the origin of the shop page that holds the frame. */
export interface PageFrame { mode: FrameMode; parentOrigin: string }

export interface FrameEvent { message: string; data?: Record<string, unknown> }

/** What the layout needs to load the messaging script: its nonce and the state it reads. */
export interface FrameView { mode: FrameMode; nonce: string; state: string }

// An origin goes into a CSP header and a postMessage target, so only plain scheme://host[:port] passes.
const WEB_ORIGIN = /^https?:\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function webOrigin(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const { origin } = new URL(value);
    return WEB_ORIGIN.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}

function frameMode(value: unknown): FrameMode | undefined {
  return FRAME_MODES.find((mode) => mode === value);
}

/**
 * The widget a Payment Page request comes from: `frame_mode` plus the shop page's address that merchant.js
 * adds as `_referrer`. Both are unsigned (docs/protocol-notes.md §1.4); without a usable `_referrer` the page is an ordinary,
 * script-free page, since there is no one to talk to.
 */
export function frameOfParams(params: Record<string, string | undefined>): PageFrame | undefined {
  const mode = frameMode(params.frame_mode);
  const parentOrigin = webOrigin(params._referrer);
  return mode === undefined || parentOrigin === undefined ? undefined : { mode, parentOrigin };
}

/** What a payment keeps so that the wallet checkout and the result page stay in the same widget. */
export function frameExtras(frame: PageFrame | undefined): Record<string, unknown> {
  return frame === undefined ? {} : { widget: { mode: frame.mode, parent_origin: frame.parentOrigin } };
}

export function frameOfPayment(payment: Payment): PageFrame | undefined {
  const widget = payment.extras.widget as { mode?: unknown; parent_origin?: unknown } | undefined;
  const mode = frameMode(widget?.mode);
  const parentOrigin = webOrigin(widget?.parent_origin);
  return mode === undefined || parentOrigin === undefined ? undefined : { mode, parentOrigin };
}

const framedReplies = new WeakMap<FastifyReply, { frame: PageFrame; nonce: string }>();
const scriptedReplies = new WeakMap<FastifyReply, string>();

/**
 * A nonce for a page's one script of its own (the sandbox bank's pages post a form onward at once, as an ACS does);
 * the page works without it, by a button.
 */
export function pageScript(reply: FastifyReply): string {
  const nonce = randomBytes(18).toString('base64');
  scriptedReplies.set(reply, nonce);
  return nonce;
}

/** Marks a reply as a page in a widget (its headers follow) and returns what the layout renders; undefined outside one. */
export function inFrame(reply: FastifyReply, frame: PageFrame | undefined, events: FrameEvent[] = []): FrameView | undefined {
  if (frame === undefined) return undefined;
  const nonce = randomBytes(18).toString('base64');
  framedReplies.set(reply, { frame, nonce });
  return { mode: frame.mode, nonce, state: JSON.stringify({ mode: frame.mode, parent_origin: frame.parentOrigin, events }) };
}

/**
 * Headers of the pages that may be framed (Payment Page, wallet checkout). In a widget: the messaging script
 * under a nonce and only the shop's origin as a frame ancestor. Opened directly: script-free, and any web page
 * may frame it, as shops that build their own iframe do. Registered inside those surfaces only, after the
 * app-wide hook, so everything else keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
 */
export function framablePages(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.startsWith('text/html')) return payload;
    const framed = framedReplies.get(reply);
    const scripted = scriptedReplies.get(reply);
    reply.header('content-security-policy', framed === undefined
      ? contentSecurityPolicy({ frameAncestors: 'http: https:', ...(scripted === undefined ? {} : { scriptNonce: scripted }) })
      : contentSecurityPolicy({ scriptNonce: framed.nonce, frameAncestors: framed.frame.parentOrigin }));
    reply.removeHeader('x-frame-options');
    return payload;
  });
}

function paymentSummary(payment: Payment): Record<string, unknown> {
  return { project_id: payment.projectId, payment_id: payment.paymentId, status: payment.status, amount: payment.sum.amount, currency: payment.sum.currency };
}

/** onValidationError: ECommPay's error shape, every problem with its code and field. */
export function validationErrorEvent(code: string, message: string, problems: FieldProblem[]): FrameEvent {
  return {
    message: 'epframe.validation_error',
    data: { code, message, errors: problems.map((p) => ({ code: p.code ?? code, field: p.field, message: p.message })) },
  };
}

export function refusalEvent(refusal: Refusal): FrameEvent {
  return validationErrorEvent(refusal.code, refusal.message, refusal.fields);
}

/** onPaymentSent: the sale exists and the customer is at the wallet. */
export function paymentSentEvent(payment: Payment): FrameEvent {
  return { message: 'epframe.payment.sent', data: paymentSummary(payment) };
}

/**
 * onPaymentSuccess / onPaymentFail once the payment is decided for the customer (a card's hold counts as paid),
 * with the code and message of its last operation.
 */
export function paymentResultEvents(payment: Payment, operations: Operation[]): FrameEvent[] {
  const result = resultOf(payment.status);
  if (result === 'pending') return [];
  const last = operations[operations.length - 1];
  const data = { ...paymentSummary(payment), code: last?.code ?? '', message: last?.message ?? '' };
  return [{ message: result === 'paid' ? 'epframe.payment.success' : 'epframe.payment.fail', data }];
}
