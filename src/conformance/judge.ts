// Judges one case from the endpoint's answers and the order probe: a verdict with expected, observed and why.
import type { ConformanceCase, Forgery } from './cases.js';
import type { ProbeResult } from './order-probe.js';
import type { Exchange } from './sender.js';

export interface Verdict { passed: boolean; expected: string; observed: string; why: string }

export interface JudgeContext { rejectStatus: number | undefined; timeoutMs: number }

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
    return `${ordinal(index, answers.length)} was ${describeAnswer(answers[index] as Exchange, context)} where 200 was expected`;
  }
  for (const answer of answers) {
    if (answer.httpStatus === 200) return `${ACCEPTED_FORGERY[testCase.forgery ?? 'tampered']} (HTTP 200)`;
    if (answer.httpStatus === undefined) return `${describeAnswer(answer, context)}: a refusal must still be an answer`;
    if (context.rejectStatus !== undefined && answer.httpStatus !== context.rejectStatus) {
      return `refused with ${describeAnswer(answer, context)} where ${context.rejectStatus} was expected`;
    }
  }
  return undefined;
}

function judgeProbe(testCase: ConformanceCase, probe: ProbeResult): string | undefined {
  if (probe.problem !== undefined) return `order probe: ${probe.problem}`;
  if (probe.state === testCase.order) return undefined;
  const shown = probe.status === undefined ? `HTTP ${probe.httpStatus ?? '?'}` : JSON.stringify(probe.status);
  return `the order is ${probe.state ?? '?'} (${shown}) after the case where ${testCase.order} was expected`;
}

function probeText(probe: ProbeResult): string {
  if (probe.state === undefined) return 'order ?';
  return probe.httpStatus === 404 ? `order ${probe.state} (404)` : `order ${probe.state}`;
}

export function judgeCase(testCase: ConformanceCase, answers: Exchange[], probe: ProbeResult | undefined, context: JudgeContext): Verdict {
  const expectedAnswers = testCase.expect === 'accept' ? answers.map(() => '200').join(', ') : String(context.rejectStatus ?? 'not 200');
  const expected = probe === undefined ? expectedAnswers : `${expectedAnswers}; order ${testCase.order}`;
  const observedAnswers = answers.map(statusText).join(', ');
  const observed = probe === undefined ? observedAnswers : `${observedAnswers}; ${probeText(probe)}`;
  const problem = judgeAnswers(testCase, answers, context) ?? (probe === undefined ? undefined : judgeProbe(testCase, probe));
  if (problem !== undefined) return { passed: false, expected, observed, why: problem };
  const answered = testCase.expect === 'accept'
    ? answers.length === 1 ? 'answered 200' : answers.length === 2 ? 'answered 200 twice' : `answered 200 to all ${answers.length}`
    : `refused with ${observedAnswers}`;
  return { passed: true, expected, observed, why: probe === undefined ? answered : `${answered}; ${probeText(probe)}` };
}
