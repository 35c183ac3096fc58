// Judges one case from the endpoint's answers and the order probe: a verdict with expected, observed and why.
import type { ConformanceCase, Forgery } from './cases.js';
import type { ProbeResult } from './order-probe.js';
import type { Exchange } from './sender.js';
import type { CaseVerdict } from '../domain/tools/conformance-report.js';

export interface Verdict { passed: boolean; verdict: CaseVerdict; expected: string; observed: string; why: string }

export interface JudgeContext {
  rejectStatus: number | undefined;
  timeoutMs: number;
  /** A forged callback refused by crashing fails the case (otherwise a warning). */
  strict: boolean;
  /** The payment's statuses in the order the payment went through them (a late older callback in its place). */
  story: readonly string[];
}

/**
 * Added to the why-line of a failed `unknown-members` case: what its booleans are and what usually fails there
 * (docs/fidelity-notes.md, "Conformance kit").
 */
export const BOOLEAN_HINT = 'this case carries booleans (true/false), which ECommPay signs as 1 and 0 in the line "path:1" / "path:0"; '
  + 'a failure here usually means the shop\'s signer renders booleans another way (the WooCommerce plugin\'s signer turns the whole line into "1"), '
  + 'so a correctly signed callback fails its check';

const ACCEPTED_FORGERY: Record<Forgery, string> = {
  tampered: 'a body changed after signing was accepted',
  unsigned: 'a callback without a signature was accepted',
  'wrong-secret': 'a callback signed with another secret was accepted',
};

function statusText(answer: Exchange): string {
  if (answer.httpStatus !== undefined) return String(answer.httpStatus);
  return answer.error === 'timeout' ? 'timeout' : 'no answer';
}

function describeAnswer(answer: Exchange, context: JudgeContext): string {
  if (answer.httpStatus === undefined) return answer.error === 'timeout' ? `no answer within ${context.timeoutMs} ms` : `no answer (${answer.error ?? 'unknown error'})`;
  return answer.excerpt === '' ? `HTTP ${answer.httpStatus}` : `HTTP ${answer.httpStatus} ${JSON.stringify(answer.excerpt.slice(0, 80))}`;
}

function ordinal(index: number, count: number): string {
  return count === 1 ? 'the answer' : `answer ${index + 1} of ${count}`;
}

function judgeAnswers(testCase: ConformanceCase, answers: Exchange[], context: JudgeContext): string | undefined {
  if (testCase.expect === 'accept') {
    const index = answers.findIndex((answer) => answer.httpStatus !== 200);
    if (index === -1) return undefined;
    const problem = `${ordinal(index, answers.length)} was ${describeAnswer(answers[index] as Exchange, context)} where 200 was expected`;
    return testCase.variant === 'unknown-members' ? `${problem}; ${BOOLEAN_HINT}` : problem;
  }
  for (const answer of answers) {
    if (answer.httpStatus === 200) return `${ACCEPTED_FORGERY[testCase.forgery ?? 'tampered']} (HTTP 200)`;
    if (answer.httpStatus === undefined) return `${describeAnswer(answer, context)}: a refusal must still be an answer`;
    if (context.rejectStatus !== undefined && answer.httpStatus !== context.rejectStatus && !crashed(answer, context)) {
      return `refused with ${describeAnswer(answer, context)} where ${context.rejectStatus} was expected`;
    }
  }
  return undefined;
}

/** A server error to a forged callback, unless the run asked for exactly that status. */
function crashed(answer: Exchange, context: JudgeContext): boolean {
  return answer.httpStatus !== undefined && answer.httpStatus >= 500 && answer.httpStatus !== context.rejectStatus;
}

function crashText(testCase: ConformanceCase, answers: Exchange[], context: JudgeContext): string | undefined {
  if (testCase.expect !== 'reject') return undefined;
  const crash = answers.find((answer) => crashed(answer, context));
  if (crash === undefined) return undefined;
  return `refused by crashing: ${describeAnswer(crash, context)} is a server error, not a refusal; answer a forged callback with a 4xx such as 403`
    + (context.strict ? '' : ' (a warning; --strict fails it)');
}

/** A final status the shop stored, then replaced by one the payment had before it. */
function judgePaymentStatus(testCase: ConformanceCase, probe: ProbeResult, context: JudgeContext): string | undefined {
  const stored = probe.paymentStatus;
  const last = context.story.at(-1);
  if (testCase.expect !== 'accept' || stored === undefined || last === undefined || stored === last) return undefined;
  if (!context.story.includes(stored)) return undefined;
  return `status went backwards: the shop's stored payment status is ${JSON.stringify(stored)} after ${JSON.stringify(last)}, a later status replaced by an earlier one`;
}

function judgeProbe(testCase: ConformanceCase, probe: ProbeResult): string | undefined {
  if (probe.problem !== undefined) return `order probe: ${probe.problem}`;
  if (probe.state === testCase.order) return undefined;
  const shown = probe.status === undefined ? `HTTP ${probe.httpStatus ?? '?'}` : JSON.stringify(probe.status);
  return `the order is ${probe.state ?? '?'} (${shown}) after the case where ${testCase.order} was expected`;
}

function probeText(probe: ProbeResult): string {
  const payment = probe.paymentStatus === undefined ? '' : `, payment ${JSON.stringify(probe.paymentStatus)}`;
  if (probe.state === undefined) return `order ?${payment}`;
  return probe.httpStatus === 404 ? `order ${probe.state} (404)` : `order ${probe.state}${payment}`;
}

export function judgeCase(testCase: ConformanceCase, answers: Exchange[], probe: ProbeResult | undefined, context: JudgeContext): Verdict {
  const expectedAnswers = testCase.expect === 'accept' ? answers.map(() => '200').join(', ') : String(context.rejectStatus ?? 'not 200');
  const expected = probe === undefined ? expectedAnswers : `${expectedAnswers}; order ${testCase.order}`;
  const observedAnswers = answers.map(statusText).join(', ');
  const observed = probe === undefined ? observedAnswers : `${observedAnswers}; ${probeText(probe)}`;
  const problem = judgeAnswers(testCase, answers, context)
    ?? (probe === undefined ? undefined : judgeProbe(testCase, probe) ?? judgePaymentStatus(testCase, probe, context));
  if (problem !== undefined) return { passed: false, verdict: 'fail', expected, observed, why: problem };
  const crash = crashText(testCase, answers, context);
  if (crash !== undefined) return { passed: !context.strict, verdict: 'refused by crashing', expected, observed, why: crash };
  const answered = testCase.expect === 'accept'
    ? answers.length === 1 ? 'answered 200' : answers.length === 2 ? 'answered 200 twice' : `answered 200 to all ${answers.length}`
    : `refused with ${observedAnswers}`;
  return { passed: true, verdict: 'pass', expected, observed, why: probe === undefined ? answered : `${answered}; ${probeText(probe)}` };
}
