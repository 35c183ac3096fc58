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
import { CASES, type ConformanceCase } from './cases.js';
import { UnreachableEndpointError } from '../domain/tools/conformance-report.js';
import { judgeCase } from './judge.js';
import { resolveOptions, type ConformanceOptions, type ResolvedOptions } from './options.js';
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
  return { url: probe.url, httpStatus: probe.httpStatus ?? null, status: probe.status ?? null, state: probe.state ?? null, problem: probe.problem ?? null };
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
}

async function runCase(run: Run, testCase: ConformanceCase): Promise<CaseResult> {
  const { options } = run;
  const paymentId = conformancePaymentId(options.runId, testCase.name);
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
  const answers: Exchange[] = [];
  // One after the other: order is the point of the duplicate and reordered cases.
  for (const body of bodies) {
    const answer = await run.sender.post(options.callbackUrl, body);
    if (!run.reachedCallback && answer.unreachable) throw new UnreachableEndpointError('callbackUrl', options.callbackUrl, answer.error ?? 'no connection');
    run.reachedCallback = true;
    answers.push(answer);
  }
  let probe: ProbeResult | undefined;
  if (options.probeUrl !== undefined) {
    probe = await probeOrder(run.sender, probeUrlFor(options.probeUrl, paymentId), run.lookup);
    if (!run.reachedProbe && probe.exchange.unreachable) throw new UnreachableEndpointError('probeUrl', probe.url, probe.exchange.error ?? 'no connection');
    run.reachedProbe = true;
  }
  const verdict = judgeCase(testCase, answers, probe, { rejectStatus: options.rejectStatus, timeoutMs: options.timeoutMs });
  return {
    name: testCase.name,
    description: testCase.description,
    paymentId,
    ...verdict,
    latencyMs: Math.max(...answers.map((answer) => answer.latencyMs)),
    answers: answers.map(answerRecord),
    probe: probe === undefined ? null : probeRecord(probe),
  };
}

/**
 * Runs every case of the catalogue against `callbackUrl`, one after the other, with fresh payment ids.
 * Throws ConformanceOptionError for a bad option and UnreachableEndpointError when the first callback (or
 * the first probe) finds no server; every other failure is a failed case in the report.
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
    lookup: stateLookup(options.probeMapping),
    reachedCallback: false,
    reachedProbe: false,
  };
  const startedAt = Date.now();
  const cases: CaseResult[] = [];
  try {
    for (const testCase of CASES) cases.push(await runCase(run, testCase));
  } finally {
    await run.sender.close();
  }
  const passed = cases.filter((result) => result.passed).length;
  return {
    passed,
    failed: cases.length - passed,
    runId: options.runId,
    callbackUrl: options.callbackUrl,
    probeUrl: options.probeUrl ?? null,
    rejectStatus: options.rejectStatus ?? null,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    cases,
  };
}
