// Delivers callback bodies over HTTP with undici (faster than global fetch at many callbacks in flight). With an
// egress policy, every delivery resolves the host itself, checks the addresses, and connects only to those
// (CheckedResolver); redirects are never followed.
import type { Agent } from 'undici';
import type { EgressPolicy } from '../domain/callbacks/egress-policy.js';
import type { CallbackTransport, DeliveryResult } from '../domain/ports.js';
import { CheckedResolver } from './checked-resolver.js';

const EXCERPT_BYTES = 1024;

type Undici = typeof import('undici');

/** The headers every callback is POSTed with (a listener forwards the same ones). */
export function callbackHeaders(userAgent: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': userAgent, accept: '*/*' };
}

export class UndiciCallbackTransport implements CallbackTransport {
  private client: Promise<{ undici: Undici; agent: Agent }> | undefined;
  private readonly resolver: CheckedResolver | undefined;

  constructor(private readonly userAgent: string, private readonly connections = 64, policy?: EgressPolicy) {
    this.resolver = policy === undefined ? undefined : new CheckedResolver(policy);
  }

  /** undici loads on the first delivery, keeping it off the start path. */
  private connect(): Promise<{ undici: Undici; agent: Agent }> {
    this.client ??= import('undici').then((undici) => ({
      undici,
      agent: new undici.Agent({
        connections: this.connections, keepAliveTimeout: 4_000, pipelining: 1,
        connect: { timeout: 10_000, ...(this.resolver === undefined ? {} : { lookup: this.resolver.lookup }) },
      }),
    }));
    return this.client;
  }

  async post(url: string, body: string, timeoutMs: number): Promise<DeliveryResult> {
    const { undici, agent } = await this.connect();
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const refused = await this.resolver?.refusal(url);
      if (refused !== undefined) return { httpStatus: undefined, error: refused, latencyMs: elapsed(), responseExcerpt: '' };
      const response = await undici.request(url, {
        method: 'POST',
        body,
        dispatcher: agent,
        headers: callbackHeaders(this.userAgent),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const excerpt = await readExcerpt(response.body);
      return { httpStatus: response.statusCode, error: undefined, latencyMs: elapsed(), responseExcerpt: excerpt };
    } catch (error) {
      return { httpStatus: undefined, error: describe(error), latencyMs: elapsed(), responseExcerpt: '' };
    }
  }

  async close(): Promise<void> {
    if (this.client !== undefined) await (await this.client).agent.close();
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
    return code === undefined ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}
