// Final results of payments: a status with ECommPay's code and its message, from the code table.
import { GENERAL_DECLINE_CODE, SUCCESS_CODE, codeMessage, isKnownCode } from './codes.js';
import { fieldRefusal } from './errors.js';
import { FINAL_STATUSES, type Outcome, type PaymentStatus } from './model.js';
import type { ScenarioCatalogue } from './scenarios.js';
import type { OperationKind } from './methods.js';

export function outcomeOf(status: 'success' | 'decline', code?: string): Outcome {
  const resolved = code ?? (status === 'success' ? SUCCESS_CODE : GENERAL_DECLINE_CODE);
  return { status, code: resolved, message: codeMessage(resolved) };
}

/** An outcome asked for by a tool (control API): the code must be in ECommPay's table and fit the status. */
export function requestedOutcome(status: 'success' | 'decline', code: string | undefined): Outcome {
  if (code !== undefined && !isKnownCode(code)) throw fieldRefusal('code', `Code ${code} is not in ECommPay's code table`);
  if (status === 'success' && code !== undefined && code !== SUCCESS_CODE) throw fieldRefusal('code', 'A success carries code 0');
  return outcomeOf(status, code);
}

/** A catalogue scenario's final outcome by name, for forcing one from the control API or the dashboard. */
export function catalogueOutcome(scenarios: ScenarioCatalogue, name: string): Outcome {
  const plan = scenarios.find(name);
  if (plan === undefined) throw fieldRefusal('scenario', `No scenario named "${name}"; see GET /_sandbox/scenarios`);
  if (plan.outcome !== 'success' && plan.outcome !== 'decline') {
    throw fieldRefusal('scenario', `Scenario "${name}" has no final outcome (${plan.outcome})`);
  }
  return plan.outcome === 'success' ? outcomeOf('success') : outcomeOf('decline', plan.code);
}

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export interface ForceChoice {
  /** The form value: `success`, or `decline:<code>`. */
  value: string;
  outcome: Outcome;
  /** The catalogue scenarios that end this way, for the label. */
  scenarios: string[];
}

/**
 * The final outcomes a tool may force on a payment: success once, then each decline code that a catalogue
 * scenario for this operation and method ends with, once (a payout's scenarios are not offered on a purchase).
 */
export function forceChoices(scenarios: ScenarioCatalogue, operation: OperationKind, method: string): ForceChoice[] {
  const choices = new Map<string, ForceChoice>([['success', { value: 'success', outcome: outcomeOf('success'), scenarios: [] }]]);
  for (const scenario of scenarios.list()) {
    const match = scenario.match as { operation?: string; method?: string | string[] };
    const outcome = scenario.outcome as { status: string; code?: string };
    if (match.operation !== undefined && match.operation !== operation) continue;
    if (match.method !== undefined && ![match.method].flat().includes(method)) continue;
    if (outcome.status !== 'success' && outcome.status !== 'decline') continue;
    const forced = outcome.status === 'success' ? outcomeOf('success') : outcomeOf('decline', outcome.code);
    const value = forced.status === 'success' ? 'success' : `decline:${forced.code}`;
    const choice = choices.get(value) ?? { value, outcome: forced, scenarios: [] };
    choice.scenarios.push(String(scenario.name));
    choices.set(value, choice);
  }
  return [...choices.values()];
}

/** The outcome of a force form's value, refused unless it is one of the payment's choices. */
export function chosenOutcome(choices: ForceChoice[], value: string): Outcome {
  const choice = choices.find((c) => c.value === value);
  if (choice === undefined) throw fieldRefusal('outcome', 'Choose one of the outcomes offered for this payment');
  return choice.outcome;
}
