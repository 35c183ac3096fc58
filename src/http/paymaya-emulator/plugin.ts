// The wallet's hosted checkout that `redirect_data.url` points to: the customer pays, declines or cancels.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Payment } from '../../domain/model.js';
import type { Currencies } from '../../domain/catalogue/currencies.js';
import type { MethodCatalogue } from '../../domain/catalogue/methods.js';
import type { PageLinks } from '../../domain/payments/page-links.js';
import type { CustomerAction, PaymentLifecycle } from '../../domain/payments/payment-lifecycle.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import { useHtmlErrors } from '../html-errors.js';
import { views } from '../views.js';
import { paymentResult } from '../payment-words.js';
import { framablePages, frameOfPayment, inFrame, paymentSentEvent, validationErrorEvent } from '../page-frame.js';

const MOBILE_NUMBER = /^09\d{9}$/;
const ACTIONS = new Set<CustomerAction>(['pay', 'decline', 'cancel']);

export interface PaymayaDeps {
  lifecycle: PaymentLifecycle;
  lookup: PaymentLookup;
  links: PageLinks;
  methods: MethodCatalogue;
  projects: ProjectDirectory;
  currencies: Currencies;
}

export async function paymayaEmulator(app: FastifyInstance, deps: PaymayaDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  useHtmlErrors(app);
  framablePages(app);
  const { lifecycle, lookup, links, methods, projects, currencies } = deps;
  const moneyText = currencies.text.bind(currencies);

  async function pageData(payment: Payment): Promise<Record<string, unknown>> {
    const method = methods.find(payment.method);
    const project = await projects.find(payment.projectId);
    return {
      wallet: method?.wallet_name ?? 'PayMaya',
      merchant: project?.name || `Project ${payment.projectId}`,
      // The wallet charges in PHP; the shop's own currency shows beside it.
      amount: moneyText(payment.sumConverted),
      orderAmount: payment.sum.currency === 'PHP' ? undefined : moneyText(payment.sum, payment.sumConverted),
      result: paymentResult(payment, await lookup.operationsOf(payment), method),
      description: payment.description,
      paymentId: payment.paymentId,
      token: payment.checkoutToken,
      status: payment.status,
    };
  }

  function errorPage(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
    return reply.code(status).type('text/html; charset=utf-8').send(views.render('./error', { code, message, errors: [] }));
  }

  /**
   * Where a customer goes who is at the wallet for a payment it no longer waits for (decided meanwhile, or a page
   * kept open): a Payment Page payment's result view, which tells the shop and leads on; else the wallet's result.
   */
  function resultPathOf(payment: Payment): string {
    if (payment.interface === 'payment_page') return links.paymentPageResultPath(payment);
    return `/paymaya/result?tokenid=${encodeURIComponent(payment.checkoutToken)}`;
  }

  app.get<{ Querystring: { tokenid?: string } }>('/paymaya/checkout', async (request, reply) => {
    const payment = typeof request.query.tokenid === 'string' ? await lookup.findByCheckoutToken(request.query.tokenid) : undefined;
    if (payment === undefined) return errorPage(reply, 404, '3061', 'Transaction not found');
    if (payment.status !== 'awaiting redirect result') return reply.redirect(resultPathOf(payment), 303);
    const frame = inFrame(reply, frameOfPayment(payment), [paymentSentEvent(payment)]);
    return reply.type('text/html; charset=utf-8').send(views.render('./paymaya/checkout', { ...(await pageData(payment)), frame }));
  });

  app.post<{ Body: Record<string, unknown> }>('/paymaya/checkout', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const token = typeof body.tokenid === 'string' ? body.tokenid : '';
    const action = body.action as CustomerAction;
    const payment = await lookup.findByCheckoutToken(token);
    if (payment === undefined) return errorPage(reply, 404, '3061', 'Transaction not found');
    if (!ACTIONS.has(action)) return errorPage(reply, 400, '2004', 'Choose Pay, Decline or Cancel');
    const mobile = typeof body.mobile === 'string' ? body.mobile.trim() : '';
    if (action === 'pay' && !MOBILE_NUMBER.test(mobile)) {
      const error = 'Enter your 11-digit mobile number starting with 09.';
      const frame = inFrame(reply, frameOfPayment(payment), [validationErrorEvent('2004', error, [{ field: 'mobile', message: error }])]);
      return reply.code(400).type('text/html; charset=utf-8').send(views.render('./paymaya/checkout', { ...(await pageData(payment)), error, mobile, frame }));
    }
    let completed: Payment;
    try {
      completed = await lifecycle.customerAction(token, action, action === 'pay' ? mobile : undefined);
    } catch (error) {
      // A form kept open (Back, a second tab) for a payment that has moved on: its result says how it stands.
      if (error instanceof Refusal && error.kind === 'status-forbids-action') return reply.redirect(resultPathOf(payment), 303);
      throw error;
    }
    const target = links.returnUrlFor(completed);
    return reply.redirect(target ?? `/paymaya/result?tokenid=${encodeURIComponent(token)}`, 303);
  });

  app.get<{ Querystring: { tokenid?: string } }>('/paymaya/result', async (request, reply) => {
    const payment = typeof request.query.tokenid === 'string' ? await lookup.findByCheckoutToken(request.query.tokenid) : undefined;
    if (payment === undefined) return errorPage(reply, 404, '3061', 'Transaction not found');
    const data = { ...(await pageData(payment)), returnUrl: links.returnUrlFor(payment), sandboxLinks: true };
    return reply.type('text/html; charset=utf-8').send(views.render('./paymaya/result', data));
  });
}
