// Everything the sandbox knows as data, handed to the domain as values by the loader at the edge
// (src/catalogue-loader.ts): ECommPay's code table, card brands and test cards, currencies, payment methods and
// the scenario catalogue.
import type { CardCatalogue } from './cards.js';
import type { CodeTable } from './codes.js';
import type { Currencies } from './currencies.js';
import type { MethodCatalogue } from './methods.js';
import type { ScenarioCatalogue } from './scenarios.js';

export interface Catalogue {
  codes: CodeTable;
  cards: CardCatalogue;
  currencies: Currencies;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
}
