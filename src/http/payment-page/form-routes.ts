// The Payment Page's signed link (GET, or POST as some shop bundles send it) and its method form's submit.
// Payments start through the same domain flow as a Gate sale.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { PaymentMethod } from '../../domain/catalogue/methods.js';
import type { Payment, Project } from '../../domain/model.js';
import { isFinal } from '../../domain/payments/outcomes.js';
import { frameExtras, frameOfParams, inFrame, validationErrorEvent } from '../page-frame.js';
import { views } from '../views.js';
import type { CardForm } from './card-form.js';
import { CheckoutForm, HTML, language, rawQuery } from './checkout-form.js';
import type { PaymentPageDeps } from './deps.js';
import { formQuery } from './form-query.js';
import { parameterProblems, parseQuery, type PaymentPageParams } from './params.js';
import { customerOf, merchantUrls, scenarioHeader } from './sale-request.js';

export function formRoutes(app: FastifyInstance, deps: PaymentPageDeps, form: CheckoutForm, cardForm: CardForm): void {
  const { lookup, links, clock } = deps;

  // Some shop bundles (and EPayWidget.run(config, 'POST')) post the signed parameters as a form: same checks.
  app.route({ method: ['GET', 'POST'], url: '/payment', handler: async (request, reply) => {
    const query = request.method === 'POST' ? formQuery(request.body) : rawQuery(request);
    const params = parseQuery(query);
    const project = await form.admit(params, reply, frameOfParams(params));
    if (project === undefined) return reply;
    const existing = await lookup.find(project.projectId, params.payment_id as string);
    if (existing !== undefined) return reply.redirect(links.paymentPageResultPath(existing), 303);
    if (params.best_before !== undefined && params.best_before !== '' && Date.parse(params.best_before) < clock.now(project.projectId)) {
      return reply.type(HTML).send(views.render('./payment-page/expired', { lang: language(params), paymentId: params.payment_id, frame: inFrame(reply, frameOfParams(params)) }));
    }
    // A link that forces a card-family method opens its card form (or wallet sheet) at once.
    const forced = params.force_payment_method === undefined ? undefined : deps.methods.findByPaymentPageCode(params.force_payment_method);
    if (forced?.family === 'card') return cardForm.show(reply, { params, query, project, method: forced, email: params.customer_email ?? '' });
    return reply.type(HTML).send(views.render('./payment-page/form', { ...form.formData(params, query, projectName(project)), frame: inFrame(reply, frameOfParams(params)) }));
  } });

  app.post<{ Body: Record<string, unknown> }>('/payment/submit', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const query = typeof body.request === 'string' ? body.request : '';
    const params = parseQuery(query);
    const project = await form.admit(params, reply, frameOfParams(params));
    if (project === undefined) return reply;
    const email = typeof body.customer_email === 'string' ? body.customer_email.trim() : '';
    const method = typeof body.method === 'string' ? deps.methods.findByPaymentPageCode(body.method) : undefined;
    const problem = submitProblem(form, deps, params, method, email);
    if (problem !== undefined) {
      return reply.code(400).type(HTML).send(views.render('./payment-page/form', {
        ...form.formData({ ...params, customer_email: email }, query, projectName(project), problem.message),
        frame: inFrame(reply, frameOfParams(params), [validationErrorEvent(problem.code, problem.message, [{ field: problem.field, message: problem.message }])]),
      }));
    }
    // A card-family method asks for the card next; the payment starts when the card is given.
    if (method?.family === 'card') return cardForm.show(reply, { params, query, project, method, email });
    return startSale(request, reply, { deps, form, project, params, method: method as PaymentMethod, email });
  });
}

function projectName(project: Project): string {
  return project.name || `Project ${project.projectId}`;
}

/** What the customer must correct on the form before a payment starts, in the page's words. */
function submitProblem(
  form: CheckoutForm, deps: PaymentPageDeps, params: PaymentPageParams, method: PaymentMethod | undefined, email: string,
): { message: string; field: string; code: string } | undefined {
  if (method === undefined || method.operations.sale?.interfaces.includes('payment_page') !== true) return { message: 'Choose a payment method.', field: 'method', code: '2004' };
  const amountPhp = deps.rules.convert({ amount: Number(params.payment_amount), currency: params.payment_currency as string }).amount;
  const choice = form.methodChoices(amountPhp, params.force_payment_method).find((c) => c.method.code === method.code);
  if (choice === undefined) return { message: 'Choose a payment method.', field: 'method', code: '2004' };
  if (!choice.fits) {
    return { message: `${method.wallet_name} accepts ${choice.limits} per payment; choose another method.`, field: 'method', code: '20101' };
  }
  // The wallet e-mails its customer the result; a card payment does without an e-mail.
  if (method.family === 'card' && email === '') return undefined;
  if (parameterProblems({ ...params, customer_email: email }).some((p) => p.field === 'customer_email') || email === '') {
    return { message: 'Enter a valid e-mail address.', field: 'customer_email', code: email === '' ? '2004' : '2426' };
  }
  return undefined;
}

interface Submitted { deps: PaymentPageDeps; form: CheckoutForm; project: Project; params: PaymentPageParams; method: PaymentMethod; email: string }

/** Starts the sale the form asks for and sends the customer on: to the wallet, or to the result of a payment already ended. */
async function startSale(request: FastifyRequest, reply: FastifyReply, { deps, form, project, params, method, email }: Submitted): Promise<FastifyReply> {
  const { lookup, links, lifecycle } = deps;
  const paymentId = params.payment_id as string;
  const existing = await lookup.find(project.projectId, paymentId);
  if (existing !== undefined) return reply.redirect(links.paymentPageResultPath(existing), 303);
  try {
    await lifecycle.startSale({
      project,
      paymentId,
      methodCode: method.code,
      interface: 'payment_page',
      sum: { amount: Number(params.payment_amount), currency: params.payment_currency as string },
      description: params.payment_description ?? '',
      customer: customerOf(params, email, request.ip),
      account: {},
      returnUrl: {},
      callbackUrl: params.merchant_callback_url || undefined,
      callbackDelaySeconds: 0,
      callbacksDisabled: false,
      extras: { payment_page: merchantUrls(params), language: language(params), ...frameExtras(frameOfParams(params)) },
      ...scenarioHeader(request),
    });
  } catch (error) {
    if (error instanceof Refusal) return form.errorPage(reply, error, frameOfParams(params));
    throw error;
  }
  const payment = await lookup.find(project.projectId, paymentId) as Payment;
  if (isFinal(payment.status)) return reply.redirect(links.paymentPageResultPath(payment), 303);
  return reply.redirect(links.checkoutPath(payment), 303);
}
