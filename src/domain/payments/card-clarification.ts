// Clarification (docs/card-protocol.md D20): when a scenario says the platform needs more data — here the AVS
// address — a card payment awaits it with a callback listing `clarification_fields`; the merchant's answer (or
// the customer's, on the Payment Page) lets it go on to 3-D Secure or its result; none by the limit time
// declines it (603).
import type { ScenarioPlan } from '../catalogue/scenarios.js';
import { Refusal } from '../errors.js';
import type { Payment, Project } from '../model.js';
import type { Repositories } from '../ports.js';
import { cardStateOf } from './card-state.js';
import type { CardSupport } from './card-support.js';
import type { CardThreeDs } from './card-threeds.js';
import type { Accepted } from './payment-lifecycle.js';
import type { StepContext } from './payment-steps.js';

export class CardClarification {
  constructor(private readonly support: CardSupport, private readonly threeds: CardThreeDs) {}

  /** Whether a scenario asks this payment for data it did not send. */
  asked(plan: ScenarioPlan, payment: Payment): boolean {
    return plan.clarification !== undefined && cardStateOf(payment).clarification === undefined && payment.extras.avs_data === undefined;
  }

  async ask(tx: Repositories, payment: Payment, context: StepContext, plan: ScenarioPlan): Promise<void> {
    const state = cardStateOf(payment);
    await this.support.saveState(tx, payment, { ...state, clarification: { fields: plan.clarification ?? [], answered: false } });
    await this.support.deps.steps.apply(tx, payment, 'ask-clarification', context, true);
  }

  /** The merchant's answer (Gate): every asked field, or 2004 naming the first one missing; then the payment goes on. */
  async answer(project: Project, paymentId: string, avsData: Record<string, unknown>): Promise<Accepted> {
    const found = await this.support.require(project, paymentId);
    return this.answerFor(found, avsData, 'additional_data.avs_data');
  }

  /** The customer's answer on the Payment Page. */
  async answerByToken(token: string, avsData: Record<string, unknown>): Promise<Payment> {
    const found = await this.support.byToken(token);
    await this.answerFor(found, avsData, 'avs_data');
    return (await this.support.deps.storage.read.payments.findByRowId(found.rowId)) as Payment;
  }

  private async answerFor(found: Payment, avsData: Record<string, unknown>, prefix: string): Promise<Accepted> {
    const { method, callbackUrl } = await this.support.context(found);
    const requestId = await this.support.deps.storage.transact(async (tx) => {
      const payment = await this.support.locked(tx, found.rowId);
      this.support.deps.steps.check(method, payment, 'clarify');
      const state = cardStateOf(payment);
      const fields = state.clarification?.fields ?? [];
      const missing = fields.filter((field) => typeof avsData[field] !== 'string' || (avsData[field] as string).trim() === '');
      if (missing.length > 0) throw new Refusal('invalid-fields', missing.map((field) => ({ field: `${prefix}.${field}`, message: 'Required field not provided' })));
      // A member the platform did not ask for is refused too (D20); an empty one (a form's blank field) is no answer.
      const unasked = Object.keys(avsData).filter((field) => !fields.includes(field) && !(typeof avsData[field] === 'string' && (avsData[field] as string).trim() === ''));
      if (unasked.length > 0) throw new Refusal('invalid-fields', unasked.map((field) => ({ field: `${prefix}.${field}`, message: `Not asked for: the platform asked for ${fields.join(', ')}` })));
      const operations = await tx.operations.ofPayment(payment.rowId);
      await this.support.saveState(tx, payment, { ...state, clarification: { fields, answered: true } });
      payment.extras = { ...payment.extras, avs_data: Object.fromEntries(fields.map((field) => [field, avsData[field]])) };
      await tx.payments.updateExtras(payment.rowId, payment.extras);
      const context = { method, callbackUrl, operations };
      await this.support.deps.steps.apply(tx, payment, 'clarify', context);
      await this.threeds.decideByCard(tx, payment, context);
      return (operations[0] as { requestId: string }).requestId;
    });
    return { requestId, projectId: found.projectId, paymentId: found.paymentId };
  }
}
