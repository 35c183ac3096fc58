// Results of attempts: a status with ECommPay's code and its message from the code table, and which codes fit
// which status.
import {
  CARD_ERROR_CODE_CLASS, ERROR_CODE_CLASS, EXTERNAL_ERROR_CODE, GENERAL_DECLINE_CODE, INTERNAL_ERROR_CODE, SUCCESS_CODE, type CodeTable,
} from '../catalogue/codes.js';
import { fieldRefusal } from '../errors.js';
import { FINAL_STATUSES, type FinalStatus, type Outcome, type PaymentStatus } from '../model.js';

/** The statuses a tool may force on a payment in progress (control API, dashboard). */
export const FORCEABLE_STATUSES: readonly FinalStatus[] = ['success', 'decline', 'external error', 'internal error'];

const DEFAULT_CODE: Readonly<Record<Outcome['status'], string>> = {
  success: SUCCESS_CODE,
  decline: GENERAL_DECLINE_CODE,
  'external error': EXTERNAL_ERROR_CODE,
  'internal error': INTERNAL_ERROR_CODE,
  'awaiting customer': GENERAL_DECLINE_CODE,
};

/** The status the attempt's operation ends in: a declined attempt leaves the payment awaiting the customer. */
export function operationStatusOf(outcome: Outcome): FinalStatus {
  return outcome.status === 'awaiting customer' ? 'decline' : outcome.status;
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

/** Outcomes built from the code table: every outcome's message is the table's message for its code. */
export class OutcomeRules {
  constructor(readonly codes: CodeTable) {}

  of(status: Outcome['status'], code?: string): Outcome {
    const resolved = code ?? DEFAULT_CODE[status];
    return { status, code: resolved, message: this.codes.message(resolved) };
  }

  /**
   * Why a known `code` cannot go with an error status (its class in the table is another), or undefined when it
   * can. `family`: whose payments it ends — a card's external error is the acquirer's.
   */
  errorCodeProblem(status: Outcome['status'], code: string, family: 'wallet' | 'card' = 'wallet'): string | undefined {
    if (status !== 'external error' && status !== 'internal error') return undefined;
    const wanted = (family === 'card' ? CARD_ERROR_CODE_CLASS : ERROR_CODE_CLASS)[status];
    const actual = this.codes.classOf(code);
    return actual === wanted ? undefined : `an ${status} carries a code of the table's "${wanted}" class; ${code} is "${actual ?? 'unknown'}"`;
  }

  /** An outcome asked for by a tool (control API): the code must be in ECommPay's table and fit the status. */
  requested(status: FinalStatus, code: string | undefined): Outcome {
    if (code !== undefined && !this.codes.isKnown(code)) throw fieldRefusal('code', `Code ${code} is not in ECommPay's code table`);
    if (status === 'success' && code !== undefined && code !== SUCCESS_CODE) throw fieldRefusal('code', 'A success carries code 0');
    const problem = code === undefined ? undefined : this.errorCodeProblem(status, code);
    if (problem !== undefined) throw fieldRefusal('code', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`);
    return this.of(status, code);
  }
}

/** The outcome of a force form's value, refused unless it is one of the payment's choices. */
export function chosenOutcome(choices: ForceChoice[], value: string): Outcome {
  const choice = choices.find((c) => c.value === value);
  if (choice === undefined) throw fieldRefusal('outcome', 'Choose one of the outcomes offered for this payment');
  return choice.outcome;
}
