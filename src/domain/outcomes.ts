// Final results of payments: a status with ECommPay's code and its message, from the code table.
import { GENERAL_DECLINE_CODE, SUCCESS_CODE, codeMessage, isKnownCode } from './codes.js';
import { fieldRefusal } from './errors.js';
import { FINAL_STATUSES, type Outcome, type PaymentStatus } from './model.js';
import type { ScenarioCatalogue } from './scenarios.js';

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
