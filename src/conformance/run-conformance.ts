// Entry of the merchant conformance kit: sends every case's callbacks to the merchant and returns the report.
// Free of Fastify and of the sandbox's storage, so the CLI, the control API and the dashboard can all call it.
import { readFileSync } from 'node:fs';
import { IdSource } from '../domain/payments/id-source.js';
import { loadCards, loadCodes, loadMethods } from '../catalogue-loader.js';
import type { CardCatalogue } from '../domain/catalogue/cards.js';
import type { CodeTable } from '../domain/catalogue/codes.js';
import type { PaymentMethod } from '../domain/catalogue/methods.js';
import { fromRoot } from '../project-root.js';
import { caseBodies, operationCount } from './case-callbacks.js';
import { isCardCase, type ConformanceCase } from './cases.js';
import { UnreachableEndpointError } from '../domain/tools/conformance-report.js';
import { judgeCase } from './judge.js';
import { resolveOptions, type ConformanceOptions, type PrepareRequest, type ResolvedOptions } from './options.js';
import { probeOrder, probeUrlFor, stateLookup, type ProbeResult } from './order-probe.js';
import type { AnswerRecord, CaseResult, ConformanceReport, ProbeRecord } from '../domain/tools/conformance-report.js';
import { Sender, type Exchange } from './sender.js';

export type { ConformanceOptions } from './options.js';
export type { CaseResult, ConformanceReport } from '../domain/tools/conformance-report.js';
export { ConformanceOptionError, UnreachableEndpointError } from '../domain/tools/conformance-report.js';
export { CASES } from './cases.js';

const METHOD_CODE = 'paymaya';
const CARD_METHOD_CODE = 'card';
const VERSION = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

export function conformancePaymentId(runId: string, caseName: string): string {
  return `conf-${runId}-${caseName}`;
}

function answerRecord(exchange: Exchange): AnswerRecord {
  return { httpStatus: exchange.httpStatus ?? null, error: exchange.error ?? null, latencyMs: exchange.latencyMs, excerpt: exchange.excerpt };
}

function probeRecord(probe: ProbeResult): ProbeRecord {
  return {
    url: probe.url, httpStatus: probe.httpStatus ?? null, status: probe.status ?? null, state: probe.state ?? null, problem: probe.problem ?? null,
    ...(probe.paymentStatus === undefined ? {} : { paymentStatus: probe.paymentStatus }),
  };
}

interface Run {
  options: ResolvedOptions;
  sender: Sender;
  method: PaymentMethod;
  cardMethod: PaymentMethod;
  cards: CardCatalogue;
  codes: CodeTable;
  ids: IdSource;
  /** The id of the next case's first operation: every operation of the run has its own. */
  nextOperationId: number;
  lookup: ReturnType<typeof stateLookup>;
  /** Until the first exchange with an endpoint, a failed connection means a wrong URL rather than a failing case. */
  reachedCallback: boolean;
  reachedProbe: boolean;
  reachedPrepare: boolean;
}

/** The payment's statuses in the order the payment went through them: a late older redirect callback goes before the final one. */
function storyOf(testCase: ConformanceCase, bodies: string[]): string[] {
  const statuses = bodies.map((body) => String((JSON.parse(body) as { payment: { status: unknown } }).payment.status));
  if (isCardCase(testCase)) return statuses;
  const early = (status: string): boolean => status === 'awaiting redirect result';
  return [...statuses.filter(early), ...statuses.filter((status) => !early(status))];
}

/** Asks the shop to create the case's order; the answer, or why the case cannot go on. */
async function prepareOrder(run: Run, paymentId: string, firstBody: string): Promise<{ answer: Exchange; problem: string | undefined }> {
  const prepare = run.options.prepare as PrepareRequest;
  const sum = (JSON.parse(firstBody) as { payment: { sum: { amount: number; currency: string } } }).payment.sum;
  const answer = await run.sender.sendJson(prepare.method, prepare.url, JSON.stringify({ payment_id: paymentId, amount: sum.amount, currency: sum.currency }));
  if (!run.reachedPrepare && answer.unreachable) throw new UnreachableEndpointError('prepareUrl', prepare.url, answer.error ?? 'no connection');
  run.reachedPrepare = true;
  if (answer.httpStatus !== undefined && answer.httpStatus >= 200 && answer.httpStatus < 300) return { answer, problem: undefined };
  const seen = answer.httpStatus === undefined ? `no answer (${answer.error ?? 'unknown error'})` : `HTTP ${answer.httpStatus}${answer.excerpt === '' ? '' : ` ${JSON.stringify(answer.excerpt.slice(0, 80))}`}`;
  return { answer, problem: `the prepare request (${prepare.method} ${prepare.url}) got ${seen}, so no order was created and no callback was sent` };
}

async function sendBodies(run: Run, bodies: string[]): Promise<Exchange[]> {
  const answers: Exchange[] = [];
  // One after the other: order is the point of the duplicate and reordered cases.
  for (const body of bodies) {
    const answer = await run.sender.post(run.options.callbackUrl, body);
    if (!run.reachedCallback && answer.unreachable) throw new UnreachableEndpointError('callbackUrl', run.options.callbackUrl, answer.error ?? 'no connection');
    run.reachedCallback = true;
    answers.push(answer);
  }
  return answers;
}

async function probeCase(run: Run, paymentId: string): Promise<ProbeResult | undefined> {
  const { probeUrl, probePaymentStatus } = run.options;
  if (probeUrl === undefined) return undefined;
  const probe = await probeOrder(run.sender, probeUrlFor(probeUrl, paymentId), run.lookup, probePaymentStatus);
  if (!run.reachedProbe && probe.exchange.unreachable) throw new UnreachableEndpointError('probeUrl', probe.url, probe.exchange.error ?? 'no connection');
  run.reachedProbe = true;
  return probe;
}

async function runCase(run: Run, testCase: ConformanceCase, index: number): Promise<CaseResult> {
  const { options } = run;
  const paymentId = options.paymentIds?.[index] ?? conformancePaymentId(options.runId, testCase.name);
  const bodies = caseBodies(testCase, {
    projectId: options.projectId,
    secret: options.secret,
    paymentId,
    now: options.now(),
    publicUrl: options.publicUrl,
    method: run.method,
    cardMethod: run.cardMethod,
    cards: run.cards,
    codes: run.codes,
    ids: run.ids,
    operationId: run.nextOperationId,
  });
  run.nextOperationId += operationCount(testCase);
  const base = { name: testCase.name, description: testCase.description, paymentId };
  const prepared = options.prepare === undefined ? undefined : await prepareOrder(run, paymentId, bodies[0] as string);
  if (prepared?.problem !== undefined) {
    const expected = testCase.expect === 'accept' ? bodies.map(() => '200').join(', ') : String(options.rejectStatus ?? 'not 200');
    return {
      ...base, passed: false, verdict: 'fail', expected, observed: 'not sent', why: prepared.problem,
      latencyMs: prepared.answer.latencyMs, answers: [], probe: null, prepare: answerRecord(prepared.answer),
    };
  }
  const answers = await sendBodies(run, bodies);
  const probe = await probeCase(run, paymentId);
  const context = { rejectStatus: options.rejectStatus, timeoutMs: options.timeoutMs, strict: options.strict, story: storyOf(testCase, bodies) };
  return {
    ...base,
    ...judgeCase(testCase, answers, probe, context),
    latencyMs: Math.max(...answers.map((answer) => answer.latencyMs)),
    answers: answers.map(answerRecord),
    probe: probe === undefined ? null : probeRecord(probe),
    prepare: prepared === undefined ? null : answerRecord(prepared.answer),
  };
}

/**
 * Runs the chosen cases of the catalogue against `callbackUrl`, one after the other, with fresh payment ids
 * (or the given ones). Throws ConformanceOptionError for a bad option and UnreachableEndpointError when the
 * first callback (or the first probe or prepare request) finds no server; every other failure is a failed case in the report.
 */
export async function runConformance(input: ConformanceOptions): Promise<ConformanceReport> {
  const options = resolveOptions(input);
  const methods = loadMethods();
  const method = methods.find(METHOD_CODE);
  const cardMethod = methods.find(CARD_METHOD_CODE);
  const codes = loadCodes();
  if (method === undefined) throw new Error(`data/methods has no ${METHOD_CODE}`);
  if (cardMethod === undefined) throw new Error(`data/methods has no ${CARD_METHOD_CODE}`);
  const ids = new IdSource(`conformance-${options.runId}`);
  const run: Run = {
    options,
    sender: new Sender(`ecommpay-sandbox/${VERSION}`, options.timeoutMs, input.egressPolicy),
    method,
    cardMethod,
    cards: loadCards(),
    codes,
    ids,
    nextOperationId: ids.operationIdBase() + 1,
    lookup: stateLookup(options.statusNames),
    reachedCallback: false,
    reachedProbe: false,
    reachedPrepare: false,
  };
  const startedAt = Date.now();
  const cases: CaseResult[] = [];
  try {
    for (const [index, testCase] of options.cases.entries()) cases.push(await runCase(run, testCase, index));
  } finally {
    await run.sender.close();
  }
  const passed = cases.filter((result) => result.passed).length;
  return {
    passed,
    failed: cases.length - passed,
    warned: cases.filter((result) => result.passed && result.verdict === 'refused by crashing').length,
    strict: options.strict,
    shop: options.shop,
    prepareUrl: options.prepare === undefined ? null : `${options.prepare.method} ${options.prepare.url}`,
    runId: options.runId,
    callbackUrl: options.callbackUrl,
    probeUrl: options.probeUrl ?? null,
    rejectStatus: options.rejectStatus ?? null,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    cases,
  };
}
