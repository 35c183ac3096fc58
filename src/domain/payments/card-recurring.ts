// Saved cards and COF debits (docs/card-protocol.md D17, D18): a successful sale, auth or check of the card that
// asked for it saves the card as a registration — its id in the callback, never the card number — and later
// debits of that registration charge it without the customer, each a payment of its own with its own callbacks,
// limits and scenarios; an expired or cancelled registration, or a card whose debits fail, declines them.
import { Refusal } from '../errors.js';
import type { ListFilter, Outcome, Payment, Project, RecurringRegistration } from '../model.js';
import type { Repositories } from '../ports.js';
import { cardStateOf, saveCardState, type CardState } from './card-state.js';
import type { IdSource } from './id-source.js';
import type { CardSupport } from './card-support.js';
import type { Accepted, PaymentRequest } from './payment-lifecycle.js';

/** Statuses after which a payment that asked to save its card has it saved. */
const SAVES_ON = new Set(['success', 'awaiting capture']);

/** On entering success (or a hold), saves the card of a payment that asked for it, once; its id comes from `ids`. */
export async function saveCardOnSuccess(tx: Repositories, payment: Payment, now: number, ids: IdSource): Promise<void> {
  const state = payment.extras.card as CardState | undefined;
  if (state?.register === undefined || state.recurring !== undefined || !SAVES_ON.has(payment.status)) return;
  const id = await tx.operations.nextId(ids.operationIdBase());
  const validThru = endOfExpiryMonth(payment, state.register.expiry);
  await tx.recurring.insert({
    projectId: payment.projectId, customerId: String(payment.customer.id ?? ''), paymentRowId: payment.rowId, paymentId: payment.paymentId,
    method: payment.method, account: payment.account, card: { profile: state.profile, eci: state.eci }, currency: payment.sum.currency,
    type: state.register.type, validThru, status: 'active', createdAt: now, updatedAt: now,
  }, id);
  await saveCardState(tx, payment, { ...state, recurring: { id, currency: payment.sum.currency, validThru } });
}

export class CardRecurring {
  constructor(private readonly support: CardSupport) {}

  /**
   * A COF debit (D18): a new payment of the registration's card, refused at once for an unknown registration
   * (3181) or another currency (3121); declined later by its registration's state or its card.
   */
  async debit(request: PaymentRequest, recurringId: number): Promise<Accepted> {
    const registration = await this.support.deps.storage.read.recurring.find(request.project.projectId, recurringId);
    if (registration === undefined) throw new Refusal('recurring-not-found', [{ field: 'recurring.id', message: `No saved card ${recurringId} in project ${request.project.projectId}` }]);
    if (registration.currency !== request.sum.currency) {
      throw new Refusal('invalid-currency', [{ field: 'payment.currency', message: `Saved card ${recurringId} is in ${registration.currency}` }]);
    }
    const card = registration.card as Pick<CardState, 'profile' | 'eci'>;
    const state: CardState = { profile: card.profile, eci: card.eci, first: 'recurring', refunded: 0, wrongCodes: 0, refundIds: {}, debitOf: registration.id };
    return this.support.deps.lifecycle.startSale({
      ...request, methodCode: registration.method, paymentType: 'recurring', account: { ...registration.account }, extras: { ...request.extras, card: state },
    });
  }

  /** What a debit comes to, from its registration as it is now and the card it saved (D18). */
  async debitOutcome(tx: Repositories, payment: Payment): Promise<Outcome> {
    const { outcomes, methods, clock } = this.support.deps;
    const state = cardStateOf(payment);
    const registration = await tx.recurring.find(payment.projectId, state.debitOf as number);
    const codes = methods.find(payment.method)?.card_codes;
    if (registration === undefined || registration.status === 'cancelled') return outcomes.of('decline', codes?.recurring_cancelled ?? '3184');
    if (registration.status === 'issuer-cancelled') return outcomes.of('decline', codes?.recurring_issuer_cancelled ?? '10110');
    if (registration.validThru < clock.now(payment.projectId)) return outcomes.of('decline', codes?.recurring_expired ?? '3301');
    if (state.profile.recurring_decline !== undefined) return outcomes.of('decline', state.profile.recurring_decline);
    return outcomes.of('success');
  }

  /** The merchant (or, through a tool, the customer at the issuer) cancels a saved card; its later debits decline. */
  async cancel(project: Project, recurringId: number, by: 'merchant' | 'issuer'): Promise<RecurringRegistration> {
    const { storage, clock } = this.support.deps;
    return storage.transact(async (tx) => {
      const registration = await tx.recurring.find(project.projectId, recurringId);
      if (registration === undefined) throw new Refusal('recurring-not-found', [{ field: 'recurring.id', message: `No saved card ${recurringId} in project ${project.projectId}` }]);
      const status = by === 'merchant' ? 'cancelled' : 'issuer-cancelled';
      await tx.recurring.setStatus(recurringId, status, clock.now(project.projectId));
      return { ...registration, status };
    });
  }

  ofCustomer(projectId: number, customerId: string): Promise<RecurringRegistration[]> {
    return this.support.deps.storage.read.recurring.ofCustomer(projectId, customerId);
  }

  list(filter: ListFilter): Promise<RecurringRegistration[]> {
    return this.support.deps.storage.read.recurring.list(filter);
  }
}

/** The last millisecond of the card's expiry month, or of the month the request named: a registration is valid through it (D17). */
function endOfExpiryMonth(payment: Payment, asked: { month: number; year: number } | undefined): number {
  const month = asked?.month ?? Number(payment.account.expiry_month);
  const year = asked?.year ?? Number(payment.account.expiry_year);
  return Date.UTC(year, month, 1) - 1;
}
