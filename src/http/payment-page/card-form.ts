// The Payment Page's card form and the card wallets' sheet: what each page shows, how the form's fields map to
// the card a request carries, and how a refused card is shown (never the number or CVV typed).
import type { FastifyReply } from 'fastify';
import { maskPan } from '../../domain/catalogue/cards.js';
import type { PaymentMethod } from '../../domain/catalogue/methods.js';
import type { FieldProblem } from '../../domain/errors.js';
import type { CardInput } from '../../domain/payments/card-details.js';
import type { Project } from '../../domain/model.js';
import { frameOfParams, inFrame, validationErrorEvent } from '../page-frame.js';
import { views } from '../views.js';
import { HTML, language, type CheckoutForm } from './checkout-form.js';
import type { PaymentPageDeps } from './deps.js';
import { cardOperationOf, type PaymentPageParams } from './params.js';

/** The input of the card form each field of a card refusal names. */
const INPUT_OF: Record<string, string> = { 'card.pan': 'pan', 'card.month': 'expiry', 'card.year': 'expiry', 'card.cvv': 'cvv', 'card.card_holder': 'card_holder' };

/** `MM/YY`, `MM/YYYY`, `MMYY`: the month and the four-digit year, or what was typed when it is none of those. */
export function expiryOf(text: string): { month: unknown; year: unknown } {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (match === null) return { month: text, year: text };
  const year = (match[2] as string).length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return { month: Number(match[1]), year };
}

export function cardInputOf(body: Record<string, unknown>): CardInput {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] as string : '');
  return { pan: text('pan'), ...expiryOf(text('expiry')), cvv: text('cvv'), holder: text('card_holder').toUpperCase() };
}

export interface CardPage {
  params: PaymentPageParams;
  query: string;
  project: Project;
  method: PaymentMethod;
  email: string;
}

export class CardForm {
  constructor(private readonly deps: PaymentPageDeps, private readonly form: CheckoutForm) {}

  private common(page: CardPage): Record<string, unknown> {
    const { params, project, method } = page;
    const sum = { amount: Number(params.payment_amount), currency: params.payment_currency as string };
    const converted = this.deps.rules.convert(sum);
    return {
      lang: language(params),
      merchant: project.name || `Project ${project.projectId}`,
      amount: this.form.money(sum),
      converted: sum.currency === 'PHP' ? undefined : this.form.money(converted),
      description: params.payment_description ?? '',
      paymentId: params.payment_id,
      request: page.query,
      method: method.payment_page_code,
      email: page.email,
      hold: cardOperationOf(params) === 'auth' && method.two_step === true,
    };
  }

  /** A returning customer's saved cards (active, of this method), shown masked to pay with again. */
  async savedCards(page: CardPage): Promise<Array<{ id: number; label: string }>> {
    const customerId = page.params.customer_id;
    if (customerId === undefined || customerId === '' || page.method.wallet_sheet !== undefined) return [];
    const saved = await this.deps.cardParts.recurring.ofCustomer(page.project.projectId, customerId);
    return saved.filter((r) => r.status === 'active' && r.method === page.method.code).map((r) => ({
      id: r.id, label: `${String(r.account.number)} (${String(r.account.type)}, ${String(r.account.expiry_month)}/${String(r.account.expiry_year)})`,
    }));
  }

  /**
   * The wallet sheet's cards: one test card for each thing a card does in a wallet, which has no 3-D Secure (D13),
   * so a challenge card there is only its result. `index` is the card's place in the test cards' list.
   */
  private sheetCards(): Array<{ index: number; masked: string; label: string }> {
    const seen = new Set<string>();
    const cards: Array<{ index: number; masked: string; label: string }> = [];
    this.deps.testCards.list().forEach((card, index) => {
      const brand = this.deps.testCards.brandOf(card.pan)?.title ?? 'Card';
      const result = card.result === 'success' ? 'approved' : `declined, code ${card.code}`;
      const later = card.recurring_decline === undefined ? '' : `; later COF debits declined, code ${card.recurring_decline}`;
      const label = `${brand}: ${result}${later}`;
      if (seen.has(label)) return;
      seen.add(label);
      cards.push({ index, masked: maskPan(card.pan), label });
    });
    return cards;
  }

  /** The card form, or the wallet sheet of a card wallet; with the problems of a refused card, each at its input. */
  async show(reply: FastifyReply, page: CardPage, refused: { problems: FieldProblem[]; values: Record<string, string> } = { problems: [], values: {} }): Promise<FastifyReply> {
    const frame = frameOfParams(page.params);
    if (page.method.wallet_sheet !== undefined) {
      return reply.type(HTML).send(views.render('./payment-page/wallet-sheet', { ...this.common(page), wallet: page.method.wallet_name, cards: this.sheetCards(), frame: inFrame(reply, frame) }));
    }
    const errors = refused.problems.map((p) => ({ input: INPUT_OF[p.field] ?? 'pan', message: p.message }));
    const events = errors.length === 0 ? [] : [validationErrorEvent(refused.problems[0]?.code ?? '2004', 'Check the card details', refused.problems.map((p) => ({ ...p, field: INPUT_OF[p.field] ?? p.field })))];
    // Each input's problems, shown under it (the expiry's month and year share one input).
    const invalid: Record<string, string> = {};
    for (const e of errors) invalid[e.input] = invalid[e.input] === undefined ? e.message : `${invalid[e.input]}; ${e.message}`;
    return reply.code(errors.length === 0 ? 200 : 400).type(HTML).send(views.render('./payment-page/card', {
      ...this.common(page),
      errors,
      invalid,
      values: { expiry: refused.values.expiry ?? '', card_holder: refused.values.card_holder ?? '' },
      saved: await this.savedCards(page),
      frame: inFrame(reply, frame, events),
    }));
  }
}
