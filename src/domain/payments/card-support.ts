// What every card operation needs: the payment's method and callback URL (found before the unit of work), the
// payment under its lock, the card's own result, a 3-D Secure result's ids, and the card state saved back.
import type { CardCatalogue } from '../catalogue/cards.js';
import type { MethodCatalogue, PaymentMethod } from '../catalogue/methods.js';
import type { Clock } from '../clock/clock.js';
import { Refusal, fieldRefusal } from '../errors.js';
import type { Outcome, Payment, Project } from '../model.js';
import type { Repositories, Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import { cardStateOf, saveCardState, uuidOf, type Authentication, type CardState } from './card-state.js';

export { uuidOf };
import type { IdSource } from './id-source.js';
import type { OutcomeRules } from './outcomes.js';
import type { PageLinks } from './page-links.js';
import type { PaymentLifecycle } from './payment-lifecycle.js';
import type { PaymentSteps } from './payment-steps.js';

export interface CardSupportDeps {
  storage: Storage;
  clock: Clock;
  methods: MethodCatalogue;
  cards: CardCatalogue;
  outcomes: OutcomeRules;
  steps: PaymentSteps;
  lifecycle: PaymentLifecycle;
  projects: ProjectDirectory;
  ids: IdSource;
  links: PageLinks;
}

export class CardSupport {
  constructor(readonly deps: CardSupportDeps) {}

  /** A card payment's method and where its callbacks go; anything but a card payment is refused with 3060. */
  async context(payment: Payment): Promise<{ method: PaymentMethod; callbackUrl: string | undefined }> {
    const method = this.deps.methods.find(payment.method);
    if (method === undefined || method.family !== 'card') {
      throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `Payment ${payment.paymentId} is not a card payment` }], { status: payment.status });
    }
    return { method, callbackUrl: payment.callbackUrl ?? (await this.deps.projects.find(payment.projectId))?.callbackUrl };
  }

  async locked(tx: Repositories, rowId: number): Promise<Payment> {
    const payment = await tx.payments.lock(rowId);
    if (payment === undefined) throw new Refusal('payment-not-found');
    return payment;
  }

  async require(project: Project, paymentId: string): Promise<Payment> {
    const payment = await this.deps.storage.read.payments.find(project.projectId, paymentId);
    if (payment === undefined) throw fieldRefusal('general.payment_id', `No payment "${paymentId}" in project ${project.projectId}`, 'payment-not-found');
    return payment;
  }

  async byToken(token: string): Promise<Payment> {
    const payment = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (payment === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
    return payment;
  }

  saveState(tx: Repositories, payment: Payment, state: CardState): Promise<void> {
    return saveCardState(tx, payment, state);
  }

  /** The card's own result: success, or its decline code. */
  cardOutcome(payment: Payment): Outcome {
    const { profile } = cardStateOf(payment);
    return profile.result === 'success' ? this.deps.outcomes.of('success') : this.deps.outcomes.of('decline', profile.code);
  }

  /** A UUID-shaped id of the payment's 3-D Secure, one per `part`, the same on every run with the same seed. */
  transactionId(payment: Payment, part: string): string {
    return uuidOf(payment.checkoutToken, part);
  }

  authentication(payment: Payment, flow: '01' | '02'): Authentication {
    const stamp = new Date(this.deps.clock.now(payment.projectId)).toISOString();
    return {
      flow,
      timestamp: `${stamp.slice(0, 4)}${stamp.slice(5, 7)}${stamp.slice(8, 10)}${stamp.slice(11, 13)}${stamp.slice(14, 16)}`,
      mpiOperationId: this.transactionId(payment, '1'),
      dsOperationId: this.transactionId(payment, '2'),
      acsOperationId: this.transactionId(payment, '3'),
    };
  }
}
