// What the Gate surface needs of the domain, built in the composition root (src/app.ts).
import type { CardCatalogue } from '../../domain/catalogue/cards.js';
import type { Clock } from '../../domain/clock/clock.js';
import type { CardParts, CardPayments } from '../../domain/payments/card-payments.js';
import type { MethodRules } from '../../domain/payments/method-rules.js';
import type { PaymentLifecycle } from '../../domain/payments/payment-lifecycle.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import type { RequestRate } from '../../domain/projects/request-rate.js';

export interface GateDeps {
  rules: MethodRules;
  lifecycle: PaymentLifecycle;
  cards: CardPayments;
  cardParts: CardParts;
  testCards: CardCatalogue;
  clock: Clock;
  lookup: PaymentLookup;
  projects: ProjectDirectory;
  requestRate: RequestRate;
}
