// Payment Page surface: the signed GET /payment link, the method form, its submit, the result view, and the
// SDK parameter validators (/params/check). Payments start through the same domain flow as a Gate sale.
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Payment, Project } from '../../domain/model.js';
import { isFinal } from '../../domain/outcomes.js';
import {
  authenticatePaymentPage, checkParameters, parameterProblems, parseQuery, type PaymentPageParams,
} from '../../domain/payment-page-params.js';
import type { Sandbox } from '../../sandbox.js';
import { refusalOfFrameworkError } from '../error-envelope.js';
import { HTTP_STATUS_BY_KIND } from '../gate-api/gate-error.js';
import { useHtmlErrors } from '../html-errors.js';
import { views } from '../views.js';
import { moneyText } from '../../domain/money-text.js';
import type { PaymentMethod } from '../../domain/methods.js';
import { paymentResult } from '../payment-words.js';
import {
  framablePages, frameExtras, frameOfParams, frameOfPayment, inFrame, paymentResultEvents, refusalEvent, validationErrorEvent, type PageFrame,
} from '../widget/page-frame.js';
import { formQuery } from './form-query.js';

const HTML = 'text/html; charset=utf-8';

export async function paymentPage(app: FastifyInstance, { sandbox }: { sandbox: Sandbox }): Promise<void> {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  useHtmlErrors(app);
  framablePages(app);
  const { rules, lifecycle, lookup, links, projects, methods, clock } = sandbox;
  const saleMethods = () => methods.all().filter((m) => m.operations.sale?.interfaces.includes('payment_page'));

  function rawQuery(request: FastifyRequest): string {
    const index = request.url.indexOf('?');
    return index === -1 ? '' : request.url.slice(index + 1);
  }

  function errorPage(reply: FastifyReply, refusal: Refusal, frame?: PageFrame): FastifyReply {
    const status = refusal.kind === 'unknown-project' || refusal.kind.endsWith('signature') ? 401 : refusal.kind === 'payment-not-found' ? 404 : 400;
    return reply.code(status).type(HTML).send(views.render('./error', {
      code: refusal.code,
      message: refusal.message,
      errors: refusal.fields,
      signedString: refusal.facts.signed_string,
      frame: inFrame(reply, frame, [refusalEvent(refusal)]),
    }));
  }

  function language(params: PaymentPageParams): string {
    const code = (params.language_code ?? 'en').toLowerCase();
    return /^[a-z]{2}$/.test(code) ? code : 'en';
  }

  /** Everything a signed link must pass before the form shows; answers the refusal page itself when not. */
  async function admit(params: PaymentPageParams, reply: FastifyReply): Promise<{ project: Project } | undefined> {
    try {
      checkParameters(params);
      const project = authenticatePaymentPage(params, await projects.find(Number(params.project_id)));
      sandbox.requestRate.admit(project, 'project_id');
      rules.convert({ amount: Number(params.payment_amount), currency: params.payment_currency as string });
      return { project };
    } catch (error) {
      if (error instanceof Refusal) {
        errorPage(reply, error, frameOfParams(params));
        return undefined;
      }
      throw error;
    }
  }

  /** Each Payment Page method with whether the order's PHP amount fits its sale limits, and the limits. */
  function methodChoices(amountPhp: number, forcedCode: string | undefined) {
    const list = saleMethods().map((m) => {
      const sale = m.operations.sale as NonNullable<PaymentMethod['operations']['sale']>;
      return {
        method: m,
        fits: rules.amountFits(sale, amountPhp),
        limits: `${moneyText({ amount: sale.min_amount, currency: 'PHP' })} to ${moneyText({ amount: sale.max_amount, currency: 'PHP' })}`,
      };
    });
    const forced = forcedCode === undefined ? undefined : methods.findByPaymentPageCode(forcedCode);
    const preferred = list.find((c) => c.fits && c.method.code === forced?.code) ?? list.find((c) => c.fits);
    return list.map((c) => ({ ...c, checked: c.method.code === preferred?.method.code }));
  }

  function formData(params: PaymentPageParams, query: string, projectName: string, error?: string): Record<string, unknown> {
    const sum = { amount: Number(params.payment_amount), currency: params.payment_currency as string };
    const converted = rules.convert(sum);
    const choices = methodChoices(converted.amount, params.force_payment_method);
    return {
      lang: language(params),
      merchant: projectName,
      amount: moneyText(sum),
      converted: sum.currency === 'PHP' ? undefined : moneyText(converted),
      description: params.payment_description ?? '',
      paymentId: params.payment_id,
      request: query,
      email: params.customer_email ?? '',
      emailGiven: (params.customer_email ?? '') !== '',
      methods: choices.map((c) => ({ code: c.method.payment_page_code, title: c.method.wallet_name, checked: c.checked, disabled: !c.fits, limits: c.limits })),
      noMethodFits: choices.every((c) => !c.fits),
      error,
    };
  }

  // Some shop bundles (and EPayWidget.run(config, 'POST')) post the signed parameters as a form: same checks.
  app.route({ method: ['GET', 'POST'], url: '/payment', handler: async (request, reply) => {
    const query = request.method === 'POST' ? formQuery(request.body) : rawQuery(request);
    const params = parseQuery(query);
    const admitted = await admit(params, reply);
    if (admitted === undefined) return reply;
    const existing = await lookup.find(admitted.project.projectId, params.payment_id as string);
    if (existing !== undefined) return reply.redirect(links.paymentPageResultPath(existing), 303);
    if (params.best_before !== undefined && params.best_before !== '' && Date.parse(params.best_before) < clock.now(admitted.project.projectId)) {
      return reply.type(HTML).send(views.render('./payment-page/expired', { lang: language(params), paymentId: params.payment_id, frame: inFrame(reply, frameOfParams(params)) }));
    }
    const name = admitted.project.name || `Project ${admitted.project.projectId}`;
    return reply.type(HTML).send(views.render('./payment-page/form', { ...formData(params, query, name), frame: inFrame(reply, frameOfParams(params)) }));
  } });

  app.post<{ Body: Record<string, unknown> }>('/payment/submit', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const query = typeof body.request === 'string' ? body.request : '';
    const params = parseQuery(query);
    const admitted = await admit(params, reply);
    if (admitted === undefined) return reply;
    const { project } = admitted;
    const name = project.name || `Project ${project.projectId}`;
    const email = typeof body.customer_email === 'string' ? body.customer_email.trim() : '';
    const method = typeof body.method === 'string' ? methods.findByPaymentPageCode(body.method) : undefined;
    const again = (message: string, field: string, code: string) => reply.code(400).type(HTML).send(views.render('./payment-page/form', {
      ...formData({ ...params, customer_email: email }, query, name, message),
      frame: inFrame(reply, frameOfParams(params), [validationErrorEvent(code, message, [{ field, message }])]),
    }));
    if (method === undefined || method.operations.sale?.interfaces.includes('payment_page') !== true) return again('Choose a payment method.', 'method', '2004');
    const choice = methodChoices(rules.convert({ amount: Number(params.payment_amount), currency: params.payment_currency as string }).amount, undefined)
      .find((c) => c.method.code === method.code);
    if (choice !== undefined && !choice.fits) {
      return again(`${method.wallet_name} accepts ${choice.limits} per payment; choose another method.`, 'method', '20101');
    }
    if (parameterProblems({ ...params, customer_email: email }).some((p) => p.field === 'customer_email') || email === '') {
      return again('Enter a valid e-mail address.', 'customer_email', email === '' ? '2004' : '2426');
    }
    const existing = await lookup.find(project.projectId, params.payment_id as string);
    if (existing !== undefined) return reply.redirect(links.paymentPageResultPath(existing), 303);
    try {
      await lifecycle.startSale({
        project,
        paymentId: params.payment_id as string,
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
      if (error instanceof Refusal) return errorPage(reply, error, frameOfParams(params));
      throw error;
    }
    const payment = await lookup.find(project.projectId, params.payment_id as string) as Payment;
    if (isFinal(payment.status)) return reply.redirect(links.paymentPageResultPath(payment), 303);
    return reply.redirect(links.checkoutPath(payment), 303);
  });

  app.get<{ Querystring: { tokenid?: string } }>('/payment/result', async (request, reply) => {
    const payment = typeof request.query.tokenid === 'string' ? await lookup.findByCheckoutToken(request.query.tokenid) : undefined;
    if (payment === undefined) return errorPage(reply, new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]));
    const urls = (payment.extras.payment_page ?? {}) as Record<string, string | undefined>;
    const next = payment.status === 'success'
      ? urls.redirect_success_url ?? urls.merchant_success_url ?? urls.merchant_return_url
      : isFinal(payment.status)
        ? urls.redirect_fail_url ?? urls.merchant_fail_url ?? urls.merchant_return_url
        : undefined;
    const operations = await lookup.operationsOf(payment);
    const result = paymentResult(payment, operations, methods.find(payment.method));
    const awaitingCustomer = payment.status === 'awaiting customer';
    return reply.type(HTML).send(views.render('./payment-page/result', {
      lang: typeof payment.extras.language === 'string' ? payment.extras.language : 'en',
      status: payment.status,
      result,
      final: isFinal(payment.status),
      paymentId: payment.paymentId,
      amount: moneyText(payment.sum, payment.sumConverted),
      next,
      checkoutUrl: payment.status === 'awaiting redirect result' ? links.checkoutPath(payment) : undefined,
      retry: awaitingCustomer ? { token: payment.checkoutToken, code: result.reason?.code ?? '', message: result.reason?.message ?? '' } : undefined,
      frame: inFrame(reply, frameOfPayment(payment), paymentResultEvents(payment, operations)),
    }));
  });

  // "Try again" after the wallet declined an attempt: a new attempt on the same payment, back to the wallet.
  app.post<{ Body: Record<string, unknown> }>('/payment/retry', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const token = typeof body.tokenid === 'string' ? body.tokenid : '';
    try {
      return reply.redirect(links.checkoutPath(await lifecycle.tryAgain(token)), 303);
    } catch (error) {
      // Ended meanwhile (the limit time, a tool): the result view says how.
      if (!(error instanceof Refusal) || error.kind !== 'status-forbids-action') throw error;
      const payment = await lookup.findByCheckoutToken(token) as Payment;
      return reply.redirect(links.paymentPageResultPath(payment), 303);
    }
  });

  const check = async (params: PaymentPageParams, reply: FastifyReply) => {
    const problems = parameterProblems(params);
    if (problems.length === 0) return reply.send({ status: 'success' });
    return reply.code(400).send({
      status: 'error',
      message: 'One or more payment params is not valid',
      errors: problems.map((p) => ({ code: p.code ?? '2004', field: p.field, message: p.message })),
    });
  };
  // The validators are JSON tools: a refusal before the handler (a NUL character, a malformed body) keeps their format.
  const checkErrors = (error: FastifyError | Refusal, request: FastifyRequest, reply: FastifyReply) => {
    const refusal = error instanceof Refusal ? error : refusalOfFrameworkError(error, request.headers['content-type']);
    if (refusal === undefined) throw error;
    return reply.code(HTTP_STATUS_BY_KIND[refusal.kind]).send({
      status: 'error',
      message: 'One or more payment params is not valid',
      errors: refusal.fields.map((f) => ({ code: f.code ?? refusal.code, field: f.field, message: f.message })),
    });
  };
  for (const path of ['/params/check', '/v1/params/check']) {
    app.get(path, { errorHandler: checkErrors }, async (request, reply) => check(parseQuery(rawQuery(request)), reply));
    app.post(path, { errorHandler: checkErrors }, async (request, reply) => {
      const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
      return check(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])), reply);
    });
  }
}

/** A catalogue scenario picked by name for this sale (tests and tools; a browser sends no such header). */
function scenarioHeader(request: FastifyRequest): { scenario?: string } {
  const value = request.headers['x-sandbox-scenario'];
  return typeof value === 'string' && value !== '' ? { scenario: value } : {};
}

function customerOf(params: PaymentPageParams, email: string, ip: string): Record<string, unknown> {
  const customer: Record<string, unknown> = { id: params.customer_id, email, ip_address: ip };
  for (const name of ['first_name', 'last_name', 'phone', 'country', 'city']) {
    const value = params[`customer_${name}`];
    if (value !== undefined && value !== '') customer[name] = value;
  }
  return customer;
}

function merchantUrls(params: PaymentPageParams): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of ['merchant_success_url', 'merchant_fail_url', 'merchant_return_url', 'redirect_success_url', 'redirect_fail_url']) {
    const value = params[name];
    if (value !== undefined && value !== '') urls[name] = value;
  }
  return urls;
}
