// Sends callbacks to the merchant and reads the order probe over HTTP with undici, timing each exchange.
import { Agent, request } from 'undici';
import type { EgressPolicy } from '../domain/callbacks/egress-policy.js';
import { CheckedResolver } from '../outbound/checked-resolver.js';

export interface Exchange {
  httpStatus: number | undefined;
  /** Why there was no answer: `timeout`, or the network error's code and message. */
  error: string | undefined;
  /** No connection could be made at all (refused, unknown host, unreachable, connect time-out). */
  unreachable: boolean;
  latencyMs: number;
  /** The start of the answer's body, for the report. */
  excerpt: string;
  body: string;
}

const EXCERPT_CHARS = 200;
const MAX_BODY_BYTES = 64 * 1024;
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class Sender {
  private readonly agent: Agent;
  private readonly resolver: CheckedResolver | undefined;

  /** With an egress policy, each request goes only to addresses its host resolved to and the policy allows. */
  constructor(private readonly userAgent: string, private readonly timeoutMs: number, policy?: EgressPolicy) {
    this.resolver = policy === undefined ? undefined : new CheckedResolver(policy);
    this.agent = new Agent({
      connections: 4, keepAliveTimeout: 4_000,
      connect: { timeout: timeoutMs, ...(this.resolver === undefined ? {} : { lookup: this.resolver.lookup }) },
    });
  }

  /** POSTs a callback body as the sandbox's callback transport does. */
  post(url: string, body: string): Promise<Exchange> {
    return this.exchange(url, 'POST', body, { 'content-type': 'application/json', 'user-agent': this.userAgent, accept: '*/*' });
  }

  /** Sends a JSON request of the run's own (the prepare request), not a callback. */
  sendJson(method: 'POST' | 'PUT', url: string, body: string): Promise<Exchange> {
    return this.exchange(url, method, body, { 'content-type': 'application/json', 'user-agent': this.userAgent, accept: 'application/json' });
  }

  get(url: string): Promise<Exchange> {
    return this.exchange(url, 'GET', undefined, { 'user-agent': this.userAgent, accept: 'application/json' });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async exchange(url: string, method: 'GET' | 'POST' | 'PUT', body: string | undefined, headers: Record<string, string>): Promise<Exchange> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const refused = await this.resolver?.refusal(url);
      // Refused by the policy: no connection may be made there, as for a host that does not exist.
      if (refused !== undefined) return { httpStatus: undefined, error: refused, unreachable: true, latencyMs: elapsed(), excerpt: '', body: '' };
      const response = await request(url, {
        method,
        body,
        headers,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await readText(response.body);
      return { httpStatus: response.statusCode, error: undefined, unreachable: false, latencyMs: elapsed(), excerpt: oneLine(text).slice(0, EXCERPT_CHARS), body: text };
    } catch (error) {
      const code = errorCode(error);
      return {
        httpStatus: undefined,
        error: code !== undefined && TIMEOUT_ERRORS.has(code) ? 'timeout' : describe(error, code),
        unreachable: code !== undefined && CONNECT_ERRORS.has(code),
        latencyMs: elapsed(),
        excerpt: '',
        body: '',
      };
    }
  }
}

async function readText(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Control characters, line breaks and XML's forbidden U+FFFE/U+FFFF become spaces: one report line, valid in XML. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]+/g, ' ').trim();
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof cause === 'string') return cause;
  // A failed DNS lookup or connect may come wrapped in an AggregateError (one per address tried).
  const inner = (error as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : errorCode(inner);
}

function describe(error: unknown, code: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  return oneLine(code === undefined || message.includes(code) ? message : `${code}: ${message}`);
}
