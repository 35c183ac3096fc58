// The Payment Page's form and its checks, shared by its routes: a signed link's admission, the methods that fit the
// order's amount, the form's data, and refusal pages in the page's terms.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Refusal, renamedFields } from '../../domain/errors.js';
import type { PaymentMethod } from '../../domain/catalogue/methods.js';
import type { Project } from '../../domain/model.js';
import { inFrame, refusalEvent, type PageFrame } from '../page-frame.js';
import { views } from '../views.js';
import type { PaymentPageDeps } from './deps.js';
import { authenticatePaymentPage, checkParameters, type PaymentPageParams } from './params.js';

export const HTML = 'text/html; charset=utf-8';

export interface MethodChoice { method: PaymentMethod; fits: boolean; limits: string; checked: boolean }

export class CheckoutForm {
  constructor(private readonly deps: PaymentPageDeps) {}

  money(sum: { amount: number; currency: string }, php?: { amount: number; currency: string }): string {
    return this.deps.currencies.text(sum, php);
  }

  errorPage(reply: FastifyReply, found: Refusal, frame?: PageFrame): FastifyReply {
    const refusal = renamedFields(found, paymentPageField);
    return reply.code(refusal.httpStatus).type(HTML).send(views.render('./error', {
      code: refusal.code,
      message: refusal.message,
      errors: refusal.fields,
      signedString: refusal.facts.signed_string,
      frame: inFrame(reply, frame, [refusalEvent(refusal)]),
    }));
  }

  /** Everything a signed link must pass before the form shows; answers the refusal page itself when not. */
  async admit(params: PaymentPageParams, reply: FastifyReply, frame: PageFrame | undefined): Promise<Project | undefined> {
    try {
      checkParameters(params);
      const project = authenticatePaymentPage(params, await this.deps.projects.find(Number(params.project_id)));
      this.deps.requestRate.admit(project, 'project_id');
      this.deps.rules.convert({ amount: Number(params.payment_amount), currency: params.payment_currency as string });
      return project;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.errorPage(reply, error, frame);
      return undefined;
    }
  }

  saleMethods(): PaymentMethod[] {
    return this.deps.methods.all().filter((m) => m.operations.sale?.interfaces.includes('payment_page'));
  }

  /** The one method a link's `force_payment_method` names, when it names a Payment Page method. */
  forcedMethod(forcedCode: string | undefined): PaymentMethod | undefined {
    const forced = forcedCode === undefined ? undefined : this.deps.methods.findByPaymentPageCode(forcedCode);
    return forced !== undefined && this.saleMethods().includes(forced) ? forced : undefined;
  }

  /**
   * Each method the customer may choose, with whether the order's PHP amount fits its sale limits, and the limits.
   * A forced method is the only choice, as on the platform; an unknown code leaves the choice open.
   */
  methodChoices(amountPhp: number, forcedCode: string | undefined): MethodChoice[] {
    const { rules } = this.deps;
    const forced = this.forcedMethod(forcedCode);
    const list = (forced === undefined ? this.saleMethods() : [forced]).map((m) => {
      const sale = m.operations.sale as NonNullable<PaymentMethod['operations']['sale']>;
      return {
        method: m,
        fits: rules.amountFits(sale, amountPhp),
        limits: `${this.money({ amount: sale.min_amount, currency: 'PHP' })} to ${this.money({ amount: sale.max_amount, currency: 'PHP' })}`,
      };
    });
    const preferred = list.find((c) => c.fits);
    return list.map((c) => ({ ...c, checked: c.method.code === preferred?.method.code }));
  }

  formData(params: PaymentPageParams, query: string, projectName: string, error?: string): Record<string, unknown> {
    const sum = { amount: Number(params.payment_amount), currency: params.payment_currency as string };
    const converted = this.deps.rules.convert(sum);
    const choices = this.methodChoices(converted.amount, params.force_payment_method);
    return {
      lang: language(params),
      merchant: projectName,
      amount: this.money(sum),
      converted: sum.currency === 'PHP' ? undefined : this.money(converted),
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
}

export function language(params: PaymentPageParams): string {
  const code = (params.language_code ?? 'en').toLowerCase();
  return /^[a-z]{2}$/.test(code) ? code : 'en';
}

export function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

/** A field the domain names by its Gate path, as the Payment Page names its parameter (`general.payment_id` → `payment_id`). */
export function paymentPageField(field: string): string {
  if (field === 'scenario') return 'X-Sandbox-Scenario';
  const [section, member, ...rest] = field.split('.');
  if (member === undefined || rest.length > 0) return field;
  return section === 'general' ? member : `${section}_${member}`;
}
