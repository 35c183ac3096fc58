// Capture, cancel and refund of a card payment from its page: an amount in major units (empty: the whole hold
// for capture and cancel), checked and done by the domain's tools as the Gate would; a refusal is shown on the
// payment's page with the platform's code, the form keeping what was typed.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Payment } from '../../domain/model.js';
import type { RefundRequest } from '../../domain/payments/card-payments.js';
import { CARD_ACTIONS, type CardAction } from './card-view.js';
import type { DashboardDeps } from './deps.js';
import { detailPath, paymentDetailOf } from './payment-detail.js';
import type { DashboardPages, Form } from './pages.js';

type PaymentParams = { Params: { projectId: string; paymentId: string } };

/** How the page names the fields the domain names by their Gate paths. */
const LABELS: Record<string, string> = {
  'payment.amount': 'Amount', amount: 'Amount', 'payment.currency': 'Currency', 'payment.merchant_refund_id': 'Merchant refund id', 'payment.status': 'Status',
};

/** The card service's amounts are minor units, as the Gate's; the page says them as the form takes them (`₱600.00`). */
function inMajorUnits({ currencies }: DashboardDeps, message: string, currency: string): string {
  return message.replace(/\b\d+\b/g, (digits) => currencies.text({ amount: Number(digits), currency }));
}

/** The request of a form: its amount in the payment's minor units, or none (the whole hold) for capture and cancel. */
function requestOf(deps: DashboardDeps, action: CardAction, payment: Payment, form: { amount: string; merchant_refund_id: string }): RefundRequest {
  const { currency } = payment.sum;
  if (form.amount === '' && action !== 'refund') return {};
  const amount = deps.currencies.minorOf(form.amount, currency);
  if (amount === undefined) {
    const example = deps.currencies.typedExample(currency);
    throw new Refusal('invalid-fields', [{ field: 'amount', message: `Amount must be a number such as ${example} (${currency})` }]);
  }
  return { amount, currency, ...(action === 'refund' && form.merchant_refund_id !== '' ? { merchantRefundId: form.merchant_refund_id } : {}) };
}

export function cardActionRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { tools } = deps;
  const detailPage = paymentDetailOf(deps, pages);

  for (const action of CARD_ACTIONS) {
    app.post<PaymentParams & { Body: Form }>(`/dashboard/payments/:projectId/:paymentId/${action}`, async (request, reply) => {
      const body = request.body ?? {};
      pages.checkCsrf(request, body.csrf);
      const { projectId, paymentId } = request.params;
      const caller = pages.caller(request);
      // Another project's payment, or none: refused as a page before anything is read from the form.
      const payment = await tools.payment(caller, projectId, paymentId);
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
      const form = { action, amount: text('amount'), merchant_refund_id: text('merchant_refund_id') };
      try {
        await tools[action](caller, projectId, paymentId, requestOf(deps, action, payment, form));
        return reply.redirect(detailPath(payment.projectId, payment.paymentId), 303);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        const problems = (error.fields.length > 0 ? error.fields : [{ field: '', message: error.message }])
          .map((f) => ({ label: LABELS[f.field] ?? f.field, message: f.field === 'payment.amount' ? inMajorUnits(deps, f.message, payment.sum.currency) : f.message }));
        const refusal = { action, code: error.code, text: error.message, problems };
        return detailPage(request, reply, await tools.payment(caller, projectId, paymentId), { refusal, form }, error.httpStatus);
      }
    });
  }
}
