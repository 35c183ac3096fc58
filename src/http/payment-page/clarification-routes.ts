// The Payment Page asks its customer for the data the platform wants before it goes on (docs/card-protocol.md
// D20), instead of the merchant: the card's billing address; then on to the bank's challenge or the result.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import type { Payment } from '../../domain/model.js';
import { frameOfPayment, inFrame } from '../page-frame.js';
import { statusWord } from '../payment-words.js';
import { views } from '../views.js';
import { nextPathOf } from './card-routes.js';
import { HTML, type CheckoutForm } from './checkout-form.js';
import type { PaymentPageDeps } from './deps.js';

const FIELDS: Readonly<Record<string, { label: string; autocomplete: string }>> = {
  avs_post_code: { label: 'Billing post code', autocomplete: 'billing postal-code' },
  avs_street_address: { label: 'Billing street address', autocomplete: 'billing street-address' },
};

export function clarificationRoutes(app: FastifyInstance, deps: PaymentPageDeps, form: CheckoutForm): void {
  const { lookup, links, cardParts, projects } = deps;

  async function page(reply: FastifyReply, payment: Payment, values: Record<string, string> = {}, problems: FieldProblem[] = []): Promise<FastifyReply> {
    const project = await projects.find(payment.projectId);
    const asked = (payment.extras.card as { clarification?: { fields: string[] } } | undefined)?.clarification?.fields ?? [];
    const invalid = new Set(problems.map((p) => p.field.split('.').pop()));
    return reply.code(problems.length === 0 ? 200 : 400).type(HTML).send(views.render('./payment-page/clarification', {
      lang: typeof payment.extras.language === 'string' ? payment.extras.language : 'en',
      merchant: project?.name || `Project ${payment.projectId}`,
      amount: form.money(payment.sum, payment.sumConverted),
      token: payment.checkoutToken,
      done: payment.status !== 'awaiting clarification',
      word: statusWord(payment.status),
      next: nextPathOf(links, payment),
      fields: asked.map((name) => ({ name, ...(FIELDS[name] ?? { label: name, autocomplete: 'off' }), value: values[name] ?? '', invalid: invalid.has(name) })),
      errors: problems.map((p) => ({ input: p.field.split('.').pop(), message: `${FIELDS[p.field.split('.').pop() ?? '']?.label ?? p.field}: required` })),
      frame: inFrame(reply, frameOfPayment(payment)),
    }));
  }

  const paymentOf = async (token: unknown): Promise<Payment> => {
    const payment = typeof token === 'string' && token !== '' ? await lookup.findByCheckoutToken(token) : undefined;
    if (payment === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
    return payment;
  };

  app.get<{ Querystring: { tokenid?: string } }>('/payment/clarification', async (request, reply) => page(reply, await paymentOf(request.query.tokenid)));

  app.post<{ Body: Record<string, unknown> }>('/payment/clarification', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const payment = await paymentOf(body.tokenid);
    const values = Object.fromEntries(Object.keys(FIELDS).map((name) => [name, typeof body[name] === 'string' ? (body[name] as string).trim() : '']));
    try {
      return reply.redirect(nextPathOf(links, await cardParts.clarification.answerByToken(payment.checkoutToken, values)), 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // Answered meanwhile, or declined at the limit time: the page says how it stands.
      if (error.kind === 'status-forbids-action') return page(reply, await paymentOf(payment.checkoutToken));
      return page(reply, payment, values, error.fields);
    }
  });
}
