// What the Payment Page surface needs of the domain, built in the composition root (src/app.ts).
import type { CardCatalogue } from '../../domain/catalogue/cards.js';
import type { Currencies } from '../../domain/catalogue/currencies.js';
import type { CardParts, CardPayments } from '../../domain/payments/card-payments.js';
import type { MethodCatalogue } from '../../domain/catalogue/methods.js';
import type { Clock } from '../../domain/clock/clock.js';
import type { MethodRules } from '../../domain/payments/method-rules.js';
import type { PageLinks } from '../../domain/payments/page-links.js';
import type { PaymentLifecycle } from '../../domain/payments/payment-lifecycle.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import type { RequestRate } from '../../domain/projects/request-rate.js';

export interface PaymentPageDeps {
  rules: MethodRules;
  lifecycle: PaymentLifecycle;
  cardPayments: CardPayments;
  cardParts: CardParts;
  testCards: CardCatalogue;
  lookup: PaymentLookup;
  links: PageLinks;
  projects: ProjectDirectory;
  methods: MethodCatalogue;
  clock: Clock;
  requestRate: RequestRate;
  currencies: Currencies;
}
