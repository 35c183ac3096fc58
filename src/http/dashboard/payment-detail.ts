// A payment's detail page: its facts, operations, callbacks and e-mails, its card for a card payment, and the
// forms its status allows — force an outcome while it is in progress, capture or cancel a hold, refund what was
// debited — as the payment's family's state machine says.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forcedDeclineCodes } from '../../domain/catalogue/methods.js';
import type { Payment } from '../../domain/model.js';
import type { ForceChoice } from '../../domain/payments/outcomes.js';
import { cardView } from './card-view.js';
import type { DashboardDeps } from './deps.js';
import type { DashboardPages } from './pages.js';
import { shownDates, whatWasDone, type PaymentView } from './payment-notice.js';

export const detailPath = (projectId: number, paymentId: string): string => `/dashboard/payments/${projectId}/${encodeURIComponent(paymentId)}`;

/** The outcomes the force form offers: the scenarios', and a card's own declines in place of the wallets'. */
export function forceChoicesOf({ scenarios, methods }: DashboardDeps, payment: Payment): ForceChoice[] {
  const method = methods.find(payment.method);
  return scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method, method === undefined ? [] : forcedDeclineCodes(method));
}

export type PaymentDetail = (request: FastifyRequest, reply: FastifyReply, payment: Payment, extra?: Record<string, unknown>, status?: number) => Promise<FastifyReply>;

export function paymentDetailOf(deps: DashboardDeps, pages: DashboardPages): PaymentDetail {
  const { lookup, currencies, methods, machine } = deps;
  return async (request, reply, payment, extra = {}, status = 200) => {
    const family = methods.find(payment.method)?.family ?? 'wallet';
    const report = await lookup.report(payment);
    const shown = report.payment as { card?: Parameters<typeof cardView>[1] };
    const canForce = machine.accepts(family, payment.status, 'force');
    return pages.page(reply, request, './dashboard/payment', {
      title: `Payment ${payment.paymentId}`,
      report: shownDates(report),
      mail: await lookup.mail({ projectId: payment.projectId, paymentId: payment.paymentId, limit: 50, offset: 0 }),
      canForce,
      amount: currencies.text(payment.sum, payment.sumConverted),
      // Each operation's own amount: a capture's or a refund's is not the payment's.
      operationAmounts: (report.operations as Array<{ sum_initial: { amount: number; currency: string } }>).map((o) => currencies.text(o.sum_initial)),
      choices: canForce ? forceChoicesOf(deps, payment) : [],
      card: shown.card === undefined ? undefined : cardView(payment, shown.card, deps),
      detailPath: detailPath(payment.projectId, payment.paymentId),
      notice: whatWasDone(request.query as Record<string, unknown>, report as unknown as PaymentView, deps.clock.now(payment.projectId)),
      form: {},
      ...extra,
    }, status);
  };
}
