// Payment Page surface: the signed GET /payment link, the method form, its submit, the result view, and the
// SDK parameter validators (/params/check). Payments start through the same domain flow as a Gate sale.
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { useHtmlErrors } from '../html-errors.js';
import { framablePages } from '../page-frame.js';
import { CardForm } from './card-form.js';
import { cardRoutes } from './card-routes.js';
import { CheckoutForm } from './checkout-form.js';
import { clarificationRoutes } from './clarification-routes.js';
import type { PaymentPageDeps } from './deps.js';
import { formRoutes } from './form-routes.js';
import { paramsCheckRoutes } from './params-check-routes.js';
import { resultRoutes } from './result-routes.js';

export type { PaymentPageDeps };

export async function paymentPage(app: FastifyInstance, deps: PaymentPageDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  useHtmlErrors(app);
  framablePages(app);
  const form = new CheckoutForm(deps);
  const cardForm = new CardForm(deps, form);
  formRoutes(app, deps, form, cardForm);
  cardRoutes(app, deps, form, cardForm);
  clarificationRoutes(app, deps, form);
  resultRoutes(app, deps, form);
  paramsCheckRoutes(app);
}
