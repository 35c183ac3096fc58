// What a card payment's page shows of its card (masked number, brand, holder, expiry), of 3-D Secure (flow,
// ECI) and of its amounts, in words; and the order actions (capture, cancel, refund) its status allows.
import type { CardCatalogue } from '../../domain/catalogue/cards.js';
import type { Currencies } from '../../domain/catalogue/currencies.js';
import type { Payment } from '../../domain/model.js';
import type { PaymentMachine } from '../../domain/payments/state-machine.js';
import type { ThreeDsStep } from '../../domain/reports/card-threeds-steps.js';

export const CARD_ACTIONS = ['capture', 'cancel', 'refund'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

/** The `card` member of a payment's report (src/domain/reports/payment-report.ts). */
interface CardReport {
  operation: 'sale' | 'auth' | 'recurring' | 'account verification';
  threeds: { flow: string; authentication_flow: string | null; eci: string | null; steps: ThreeDsStep[] };
  currency: string;
  hold: number | null;
  debited: number | null;
  refunded: number;
  refundable: number | null;
  recurring_id: number | null;
  debit_of: number | null;
}

export interface CardView {
  number: string;
  brand: string;
  holder: string;
  expiry: string;
  operation: string;
  threeds: string;
  eci: string;
  /** The 3-D Secure steps in order, each with its state in words (none without 3-D Secure). */
  steps: Array<ThreeDsStep & { stateText: string }>;
  /** The saved card this payment registered, or the one a debit charged. */
  savedCard: { id: number; text: string } | undefined;
  /** Amounts as a person reads them, each with its label; only those that apply to the payment's status. */
  amounts: Array<{ label: string; text: string; id: string }>;
  currency: string;
  /** How an amount is typed in the payment's currency (`100.50`). */
  example: string;
  /** What the forms offer by default: the hold, or what is left to refund, in major units. */
  holdTyped: string;
  refundableTyped: string;
  /** The actions the payment's status allows, as the card family's state machine says. */
  actions: Record<CardAction, boolean>;
}

const OPERATIONS: Record<CardReport['operation'], string> = {
  sale: 'sale (one step)',
  auth: 'auth (two-step: a hold, then capture or cancel)',
  recurring: 'recurring (a debit of a saved card)',
  'account verification': 'account verification (a check of the card)',
};

const FLOWS: Record<string, string> = {
  none: 'Not used (the card has no 3-D Secure)',
  frictionless: 'Frictionless',
  challenge: 'Challenge',
  device: 'Authenticated on the device (card wallet token)',
};

function threedsText(payment: Payment, threeds: CardReport['threeds']): string {
  const flow = FLOWS[threeds.flow] ?? threeds.flow;
  if (threeds.authentication_flow !== null) return `${flow} (authentication_flow ${threeds.authentication_flow})`;
  if (threeds.flow === 'none' || threeds.flow === 'device') return flow;
  if (payment.status === 'awaiting 3ds result') return `${flow}: waiting for the customer at the bank's page`;
  return payment.status === 'processing' ? flow : `${flow}: not authenticated`;
}

const STEP_STATES: Record<ThreeDsStep['state'], string> = { done: 'Done', waiting: 'Waiting', later: 'Not yet', skipped: 'Did not happen' };

function savedCardOf(report: CardReport): CardView['savedCard'] {
  if (report.recurring_id !== null) return { id: report.recurring_id, text: `Saved card ${report.recurring_id}, registered by this payment` };
  if (report.debit_of !== null) return { id: report.debit_of, text: `A debit of saved card ${report.debit_of}` };
  return undefined;
}

function typed(amount: number, currency: string, currencies: Currencies): string {
  return (amount / 10 ** currencies.exponent(currency)).toFixed(currencies.exponent(currency));
}

export function cardView(payment: Payment, report: CardReport, deps: { cards: CardCatalogue; currencies: Currencies; machine: PaymentMachine }): CardView {
  const { currencies } = deps;
  const account = payment.account as Record<string, string | undefined>;
  const money = (amount: number) => currencies.text({ amount, currency: report.currency });
  const amounts: CardView['amounts'] = [];
  if (report.hold !== null) amounts.push({ label: payment.status === 'canceled' ? 'Released hold' : 'Held', text: money(report.hold), id: 'card-hold' });
  if (report.debited !== null) amounts.push({ label: 'Debited', text: money(report.debited), id: 'card-debited' });
  if (report.refunded > 0) amounts.push({ label: 'Refunded', text: money(report.refunded), id: 'card-refunded' });
  if (report.refundable !== null) amounts.push({ label: 'Left to refund', text: money(report.refundable), id: 'card-refundable' });
  const type = account.type ?? '';
  return {
    number: account.number ?? '—',
    brand: deps.cards.brand(type)?.title ?? type,
    holder: account.card_holder ?? '—',
    expiry: `${account.expiry_month ?? '??'}/${account.expiry_year ?? '????'}`,
    operation: OPERATIONS[report.operation] ?? report.operation,
    threeds: threedsText(payment, report.threeds),
    eci: report.threeds.eci ?? '—',
    steps: report.threeds.steps.map((step) => ({ ...step, stateText: STEP_STATES[step.state] })),
    savedCard: savedCardOf(report),
    amounts,
    currency: report.currency,
    example: currencies.typedExample(report.currency),
    holdTyped: report.hold === null ? '' : typed(report.hold, report.currency, currencies),
    refundableTyped: report.refundable === null ? '' : typed(report.refundable, report.currency, currencies),
    actions: Object.fromEntries(CARD_ACTIONS.map((action) => [action, deps.machine.accepts('card', payment.status, action)])) as Record<CardAction, boolean>,
  };
}
