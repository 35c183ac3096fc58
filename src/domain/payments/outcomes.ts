// Results of attempts: a status with ECommPay's code and its message from the code table, and which codes fit which status.
import {
  ERROR_CODE_CLASS, EXTERNAL_ERROR_CODE, GENERAL_DECLINE_CODE, INTERNAL_ERROR_CODE, SUCCESS_CODE, codeClass, codeMessage, isKnownCode,
} from '../catalogue/codes.js';
import { fieldRefusal } from '../errors.js';
import { FINAL_STATUSES, type FinalStatus, type Outcome, type PaymentStatus } from '../model.js';
import type { ScenarioCatalogue } from '../catalogue/scenarios.js';
import type { OperationKind } from '../catalogue/methods.js';

/** The statuses a tool may force on a payment in progress (control API, dashboard). */
export const FORCEABLE_STATUSES: readonly FinalStatus[] = ['success', 'decline', 'external error', 'internal error'];

const DEFAULT_CODE: Readonly<Record<Outcome['status'], string>> = {
  success: SUCCESS_CODE,
  decline: GENERAL_DECLINE_CODE,
  'external error': EXTERNAL_ERROR_CODE,
  'internal error': INTERNAL_ERROR_CODE,
  'awaiting customer': GENERAL_DECLINE_CODE,
};

export function outcomeOf(status: Outcome['status'], code?: string): Outcome {
  const resolved = code ?? DEFAULT_CODE[status];
  return { status, code: resolved, message: codeMessage(resolved) };
}

/** The status the attempt's operation ends in: a declined attempt leaves the payment awaiting the customer. */
export function operationStatusOf(outcome: Outcome): FinalStatus {
  return outcome.status === 'awaiting customer' ? 'decline' : outcome.status;
}

/** Why a known `code` cannot go with an error status (its class in the table is another), or undefined when it can. */
export function errorCodeProblem(status: Outcome['status'], code: string): string | undefined {
  if (status !== 'external error' && status !== 'internal error') return undefined;
  const wanted = ERROR_CODE_CLASS[status];
  const actual = codeClass(code);
  return actual === wanted ? undefined : `an ${status} carries a code of the table's "${wanted}" class; ${code} is "${actual ?? 'unknown'}"`;
}

/** An outcome asked for by a tool (control API): the code must be in ECommPay's table and fit the status. */
export function requestedOutcome(status: FinalStatus, code: string | undefined): Outcome {
  if (code !== undefined && !isKnownCode(code)) throw fieldRefusal('code', `Code ${code} is not in ECommPay's code table`);
  if (status === 'success' && code !== undefined && code !== SUCCESS_CODE) throw fieldRefusal('code', 'A success carries code 0');
  const problem = code === undefined ? undefined : errorCodeProblem(status, code);
  if (problem !== undefined) throw fieldRefusal('code', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`);
  return outcomeOf(status, code);
}

/** A catalogue scenario's final outcome by name, for forcing one from the control API or the dashboard. */
export function catalogueOutcome(scenarios: ScenarioCatalogue, name: string): Outcome {
  const plan = scenarios.find(name);
  if (plan === undefined) throw fieldRefusal('scenario', `No scenario named "${name}"; see GET /_sandbox/scenarios`);
  const status = plan.outcome;
  if (!(FORCEABLE_STATUSES as readonly string[]).includes(status)) {
    throw fieldRefusal('scenario', `Scenario "${name}" has no final outcome (${status})`);
  }
  return outcomeOf(status as FinalStatus, plan.code);
}

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export interface ForceChoice {
  /** The form value: `success`, or `<status>:<code>` (`decline:20000`, `external error:20100`). */
  value: string;
  outcome: Outcome;
  /** The catalogue scenarios that end this way, for the label. */
  scenarios: string[];
}

/**
 * The final outcomes a tool may force on a payment: success once, then each decline or error code that a catalogue
 * scenario for this operation and method ends with, once (a payout's scenarios are not offered on a purchase).
 */
export function forceChoices(scenarios: ScenarioCatalogue, operation: OperationKind, method: string): ForceChoice[] {
  const choices = new Map<string, ForceChoice>([['success', { value: 'success', outcome: outcomeOf('success'), scenarios: [] }]]);
  for (const scenario of scenarios.list()) {
    const match = scenario.match as { operation?: string; method?: string | string[] };
    const outcome = scenario.outcome as { status: string; code?: string };
    if (match.operation !== undefined && match.operation !== operation) continue;
    if (match.method !== undefined && ![match.method].flat().includes(method)) continue;
    if (!(FORCEABLE_STATUSES as readonly string[]).includes(outcome.status)) continue;
    const forced = outcomeOf(outcome.status as FinalStatus, outcome.code);
    const value = forced.status === 'success' ? 'success' : `${forced.status}:${forced.code}`;
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
