// The scenario engine: rules from scenarios/*.json (files in name order, rules in file order, first match
// wins) choose a payment's outcome, its timing and how its callbacks misbehave. A rule can also be picked by
// name (header X-Sandbox-Scenario, control API). Without a match the PayMaya method's default applies
// (docs/protocol-notes.md "PayMaya method"). The files are read and schema-checked at the edge
// (src/catalogue-loader.ts); this module checks what a schema cannot and answers the lifecycle's questions.
// Card payments get rules of their own where a wallet's code would be wrong for them: a rule for the card
// methods placed before the method-less one with the same conditions wins for cards and leaves wallets alone.
import type { ThreeDsFlow } from './cards.js';
import { SUCCESS_CODE } from './codes.js';
import type { MethodCatalogue, PaymentMethod } from './methods.js';
import { fieldRefusal } from '../errors.js';
import { FORCEABLE_STATUSES, type ForceChoice, type OutcomeRules } from '../payments/outcomes.js';
import type { CallbackFaults, FinalStatus, Interface, OperationKind, Outcome } from '../model.js';

type TextMatcher = string | { pattern: string };

/**
 * What a scenario makes of a payment: a final status (at once or after its delay), `awaiting customer` (the
 * wallet declines the customer's first Pay on the Payment Page, who may try again), `no_answer` until the limit
 * time, or `customer` (the customer decides at the checkout).
 */
export type PlannedOutcome = FinalStatus | 'awaiting customer' | 'no_answer' | 'customer';

/** Outcomes that carry a code: the final statuses, and the decline of an attempt. */
const WITH_CODE = new Set<PlannedOutcome>(['success', 'decline', 'external error', 'internal error', 'awaiting customer']);

/** A scenario file as the loader read it: its name and its schema-checked content. */
export interface ScenarioFile {
  file: string;
  data: { description?: string; rules: RuleData[] };
}

export interface RuleData {
  name: string;
  description?: string;
  magic?: string;
  catalogue_only?: boolean;
  match?: {
    method?: string | string[];
    operation?: OperationKind;
    interface?: Interface;
    amount?: { min?: number; max?: number };
    currency?: string;
    customer_id?: TextMatcher;
    customer_email?: TextMatcher;
    account_number?: TextMatcher;
    payment_id?: TextMatcher;
    description?: TextMatcher;
  };
  outcome: { status: PlannedOutcome; code?: string; declined_attempts?: number };
  /** Card payments: the platform asks for these fields before it goes on (docs/card-protocol.md D20). */
  clarification?: string[];
  delay?: number | 'base_time';
  callbacks?: CallbackFaults;
  /** Card payments only: the 3-D Secure flow every card of the rule's payments goes through, whatever the card. */
  card_flow?: Exclude<ThreeDsFlow, 'none'>;
}

export interface ScenarioContext {
  method: string;
  operation: OperationKind;
  interface: Interface;
  amountPhp: number;
  currency: string;
  customerId: string;
  customerEmail: string;
  accountNumber: string;
  paymentId: string;
  description: string;
}

export interface ScenarioPlan {
  name: string;
  outcome: PlannedOutcome;
  code: string | undefined;
  /** For `awaiting customer`: how many of the customer's Pay attempts the wallet declines. */
  declinedAttempts: number;
  message: string | undefined;
  delay: number | 'base_time';
  callbacks: CallbackFaults;
  /** Card payments: the fields the platform asks for before it goes on. */
  clarification?: string[];
  /** A card's 3-D Secure flow chosen by the scenario instead of by the card (the card still decides the result). */
  cardFlow?: Exclude<ThreeDsFlow, 'none'>;
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

interface Rule extends RuleData {
  file: string;
  test: (context: ScenarioContext) => boolean;
}

function textTest(matcher: TextMatcher | undefined, pick: (c: ScenarioContext) => string): ((c: ScenarioContext) => boolean) | undefined {
  if (matcher === undefined) return undefined;
  if (typeof matcher === 'string') return (c) => pick(c) === matcher;
  const pattern = new RegExp(matcher.pattern);
  return (c) => pattern.test(pick(c));
}

function compile(rule: RuleData): (context: ScenarioContext) => boolean {
  const match = rule.match ?? {};
  const tests: Array<(c: ScenarioContext) => boolean> = [];
  if (match.method !== undefined) {
    const methods = new Set(Array.isArray(match.method) ? match.method : [match.method]);
    tests.push((c) => methods.has(c.method));
  }
  if (match.operation !== undefined) tests.push((c) => c.operation === match.operation);
  if (match.interface !== undefined) tests.push((c) => c.interface === match.interface);
  if (match.amount?.min !== undefined) tests.push((c) => c.amountPhp >= (match.amount?.min as number));
  if (match.amount?.max !== undefined) tests.push((c) => c.amountPhp <= (match.amount?.max as number));
  if (match.currency !== undefined) tests.push((c) => c.currency === match.currency);
  const texts = [
    textTest(match.customer_id, (c) => c.customerId),
    textTest(match.customer_email, (c) => c.customerEmail),
    textTest(match.account_number, (c) => c.accountNumber),
    textTest(match.payment_id, (c) => c.paymentId),
    textTest(match.description, (c) => c.description),
  ];
  for (const test of texts) if (test !== undefined) tests.push(test);
  return (c) => tests.every((test) => test(c));
}

export class ScenarioCatalogue {
  private readonly byName = new Map<string, Rule>();

  constructor(private readonly rules: Rule[], private readonly outcomes: OutcomeRules) {
    for (const rule of rules) this.byName.set(rule.name, rule);
  }

  /** The rule named `forced`, else the first rule that matches, else the method card's default (docs/protocol-notes.md "PayMaya method"). */
  choose(context: ScenarioContext, forced?: string): ScenarioPlan {
    if (forced !== undefined) {
      const rule = this.byName.get(forced);
      if (rule === undefined) throw new ScenarioError(`No scenario named "${forced}"; see GET /_sandbox/scenarios`);
      const methods = rule.match?.method === undefined ? undefined : [rule.match.method].flat();
      if (methods !== undefined && !methods.includes(context.method)) {
        throw new ScenarioError(`Scenario "${forced}" is for payments by ${methods.join(', ')}, not ${context.method}`);
      }
      return this.toPlan(rule);
    }
    const rule = this.rules.find((r) => r.catalogue_only !== true && r.test(context));
    if (rule !== undefined) return this.toPlan(rule);
    return context.operation === 'sale'
      ? { name: 'default', outcome: 'customer', code: undefined, declinedAttempts: 0, message: undefined, delay: 0, callbacks: {} }
      : { name: 'default', outcome: 'success', code: SUCCESS_CODE, declinedAttempts: 0, message: this.outcomes.codes.message(SUCCESS_CODE), delay: 0, callbacks: {} };
  }

  find(name: string): ScenarioPlan | undefined {
    const rule = this.byName.get(name);
    return rule === undefined ? undefined : this.toPlan(rule);
  }

  /** A catalogue scenario's final outcome by name, for forcing one from the control API or the dashboard. */
  finalOutcome(name: string): Outcome {
    const plan = this.find(name);
    if (plan === undefined) throw fieldRefusal('scenario', `No scenario named "${name}"; see GET /_sandbox/scenarios`);
    const status = plan.outcome;
    if (!(FORCEABLE_STATUSES as readonly string[]).includes(status)) {
      throw fieldRefusal('scenario', `Scenario "${name}" has no final outcome (${status})`);
    }
    return this.outcomes.of(status as FinalStatus, plan.code);
  }

  /**
   * The final outcomes a tool may force on a payment: success once, then each decline or error code that a
   * catalogue scenario for this operation and method ends with, once (a payout's scenarios are not offered on a
   * purchase, nor a rule that an earlier rule with the same conditions always wins over for this method).
   */
  forceChoices(operation: OperationKind, method: string): ForceChoice[] {
    const choices = new Map<string, ForceChoice>([['success', { value: 'success', outcome: this.outcomes.of('success'), scenarios: [] }]]);
    const conditionsSeen = new Set<string>();
    for (const rule of this.rules) {
      const match = rule.match ?? {};
      const status = rule.outcome.status;
      if (match.operation !== undefined && match.operation !== operation) continue;
      if (match.method !== undefined && ![match.method].flat().includes(method)) continue;
      if (rule.catalogue_only !== true) {
        const conditions = conditionsOf(rule);
        if (conditionsSeen.has(conditions)) continue;
        conditionsSeen.add(conditions);
      }
      if (!(FORCEABLE_STATUSES as readonly string[]).includes(status)) continue;
      const forced = this.outcomes.of(status as FinalStatus, rule.outcome.code);
      const value = forced.status === 'success' ? 'success' : `${forced.status}:${forced.code}`;
      const choice = choices.get(value) ?? { value, outcome: forced, scenarios: [] };
      choice.scenarios.push(rule.name);
      choices.set(value, choice);
    }
    return [...choices.values()];
  }

  list(): Array<Record<string, unknown>> {
    return this.rules.map((rule) => ({ plan: this.toPlan(rule), rule })).map(({ plan, rule }) => ({
      name: rule.name,
      description: rule.description ?? '',
      magic: rule.magic ?? '',
      file: rule.file,
      catalogue_only: rule.catalogue_only === true,
      match: rule.match ?? {},
      outcome: {
        ...rule.outcome,
        ...(plan.code === undefined ? {} : { code: plan.code, message: plan.message }),
        ...(plan.outcome === 'awaiting customer' ? { declined_attempts: plan.declinedAttempts } : {}),
      },
      delay: rule.delay ?? 0,
      callbacks: rule.callbacks ?? {},
      ...(rule.card_flow === undefined ? {} : { card_flow: rule.card_flow }),
      ...(rule.clarification === undefined ? {} : { clarification: rule.clarification }),
    }));
  }

  private toPlan(rule: RuleData): ScenarioPlan {
    const status = rule.outcome.status;
    const code = WITH_CODE.has(status) ? this.outcomes.of(status as FinalStatus | 'awaiting customer', rule.outcome.code).code : undefined;
    return {
      name: rule.name,
      outcome: status,
      code,
      declinedAttempts: status === 'awaiting customer' ? rule.outcome.declined_attempts ?? 1 : 0,
      message: code === undefined ? undefined : this.outcomes.codes.message(code),
      delay: rule.delay ?? 0,
      callbacks: rule.callbacks ?? {},
      ...(rule.clarification === undefined ? {} : { clarification: rule.clarification }),
      ...(rule.card_flow === undefined ? {} : { cardFlow: rule.card_flow }),
    };
  }
}

/** A rule's conditions besides its methods, keys sorted: equal for two rules alike but for the methods they name. */
function conditionsOf(rule: RuleData): string {
  const { method: _methods, ...conditions } = rule.match ?? {};
  const sorted = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, child]) => [key, sorted(child)]));
  };
  return JSON.stringify(sorted(conditions));
}

/**
 * Builds the catalogue from schema-checked files (in name order), refusing what a schema cannot see: a name
 * defined twice, a method not in data/methods/, a code not in the table or not fitting its status (an error's
 * code by the class of the family the rule's methods belong to), a card-only option on a rule that can match
 * another method.
 */
export function buildScenarioCatalogue(files: ScenarioFile[], outcomes: OutcomeRules, methods: MethodCatalogue): ScenarioCatalogue {
  const rules: Rule[] = [];
  const names = new Map<string, string>();
  for (const { file, data } of files) {
    data.rules.forEach((rule, index) => {
      const where = `scenarios/${file}: rules.${index}`;
      const earlier = names.get(rule.name);
      if (earlier !== undefined) throw new ScenarioError(`${where}.name: "${rule.name}" is already defined in ${earlier}`);
      names.set(rule.name, file);
      const family = familyOf(rule, methods, where);
      checkCode(rule, where, outcomes, family);
      checkAwaitingCustomer(rule, where);
      checkCardFlow(rule, where, methods);
      rules.push({ ...rule, file, test: compile(rule) });
    });
  }
  return new ScenarioCatalogue(rules, outcomes);
}

/** The family of the methods a rule names: `card` when all are card methods; otherwise (or for every method) `wallet`. */
function familyOf(rule: RuleData, methods: MethodCatalogue, where: string): PaymentMethod['family'] {
  if (rule.match?.method === undefined) return 'wallet';
  const families = [rule.match.method].flat().map((code) => {
    const method = methods.find(code);
    if (method === undefined) throw new ScenarioError(`${where}.match.method: no method "${code}" in data/methods/`);
    return method.family;
  });
  return families.every((family) => family === 'card') ? 'card' : 'wallet';
}

function checkCode(rule: RuleData, where: string, outcomes: OutcomeRules, family: PaymentMethod['family']): void {
  const { status, code } = rule.outcome;
  if (code !== undefined && !outcomes.codes.isKnown(code)) throw new ScenarioError(`${where}.outcome.code: ${code} is not in ECommPay's code table`);
  if (status === 'success' && code !== undefined && code !== SUCCESS_CODE) throw new ScenarioError(`${where}.outcome.code: a success carries code 0`);
  if (!WITH_CODE.has(status) && code !== undefined) throw new ScenarioError(`${where}.outcome.code: no_answer and customer carry no code`);
  // An error's default code is a wallet's: a card rule names its own.
  const checked = code ?? (status === 'external error' || status === 'internal error' ? outcomes.of(status).code : undefined);
  const problem = checked === undefined ? undefined : outcomes.errorCodeProblem(status as FinalStatus, checked, family);
  if (problem !== undefined) throw new ScenarioError(`${where}.outcome.code: ${problem}`);
}

/** Methods whose card the customer types, so that 3-D Secure runs: not a card wallet's token (D13). */
function takesCardNumber(method: PaymentMethod | undefined): boolean {
  return method?.family === 'card' && method.wallet_sheet === undefined;
}

/** `card_flow` acts on cards typed by the customer: the rule must name only such methods, and leave the result to the card. */
function checkCardFlow(rule: RuleData, where: string, methods: MethodCatalogue): void {
  if (rule.card_flow === undefined) return;
  const allowed = methods.all().filter(takesCardNumber).map((method) => method.code).join(', ');
  const listed = rule.match?.method === undefined ? undefined : [rule.match.method].flat();
  if (listed === undefined) {
    throw new ScenarioError(`${where}.card_flow: a card-only option; the rule needs match.method naming only ${allowed}, else it matches wallet methods too`);
  }
  const others = listed.filter((code) => !takesCardNumber(methods.find(code)));
  if (others.length > 0) {
    throw new ScenarioError(`${where}.card_flow: a card-only option; match.method may name only ${allowed} (a typed card that 3-D Secure checks), not ${others.join(', ')}`);
  }
  if (rule.outcome.status !== 'customer') {
    throw new ScenarioError(`${where}.outcome.status: with card_flow the card decides after 3-D Secure: use "customer", not "${rule.outcome.status}"`);
  }
}

/** `awaiting customer` needs the Payment Page's "try again": a rule that matches requests must match only its sales. */
function checkAwaitingCustomer(rule: RuleData, where: string): void {
  if (rule.outcome.status !== 'awaiting customer') {
    if (rule.outcome.declined_attempts !== undefined) throw new ScenarioError(`${where}.outcome.declined_attempts: only awaiting customer declines attempts`);
    return;
  }
  if (rule.outcome.code === SUCCESS_CODE) throw new ScenarioError(`${where}.outcome.code: a declined attempt cannot carry code 0`);
  if (rule.match?.operation === 'payout') throw new ScenarioError(`${where}.match.operation: awaiting customer is for sales on the Payment Page`);
  if (rule.catalogue_only !== true && rule.match?.interface !== 'payment_page') {
    throw new ScenarioError(`${where}.match.interface: awaiting customer needs "payment_page", where the customer can try again`);
  }
}
