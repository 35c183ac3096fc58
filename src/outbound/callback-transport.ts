// Delivers callback bodies over HTTP with undici (faster than global fetch at many callbacks in flight). Every
// delivery resolves the host itself, checks the addresses against the egress policy, and connects only to those
// (no second resolution in between, so a name cannot be re-pointed); redirects are never followed.
import { lookup as resolveHost, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { Agent } from 'undici';
import type { EgressPolicy } from '../domain/egress-policy.js';
import type { CallbackTransport, DeliveryResult } from '../domain/ports.js';

const EXCERPT_BYTES = 1024;

type Undici = typeof import('undici');

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => resolveHost(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

export class UndiciCallbackTransport implements CallbackTransport {
  private client: Promise<{ undici: Undici; agent: Agent }> | undefined;
  /** The checked addresses of each host, which the agent's connections use instead of resolving again. */
  private readonly checked = new Map<string, LookupAddress[]>();

  constructor(private readonly userAgent: string, private readonly connections = 64, private readonly policy?: EgressPolicy) {}

  /** Connections go only to addresses this transport checked (a host nobody checked fails to connect). */
  private lookup = (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void): void => {
    const addresses = this.checked.get(hostname);
    if (addresses === undefined || addresses.length === 0) {
      callback(Object.assign(new Error(`${hostname} was not checked against the egress policy`), { code: 'ENOTFOUND' }));
      return;
    }
    if (options.all === true) callback(null, addresses);
    else callback(null, addresses[0]?.address, addresses[0]?.family);
  };

  /** undici loads on the first delivery, keeping it off the start path. */
  private connect(): Promise<{ undici: Undici; agent: Agent }> {
    this.client ??= import('undici').then((undici) => ({
      undici,
      agent: new undici.Agent({
        connections: this.connections, keepAliveTimeout: 4_000, pipelining: 1,
        connect: { timeout: 10_000, ...(this.policy === undefined ? {} : { lookup: this.lookup }) },
      }),
    }));
    return this.client;
  }

  /** Resolves the URL's host and checks every address; undefined when the policy lets the delivery go. */
  private async refusal(url: string): Promise<string | undefined> {
    if (this.policy === undefined) return undefined;
    const { hostname, port, protocol } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) === 0 ? await resolveAll(host) : [{ address: host, family: isIP(host) }];
    const verdict = this.policy.checkResolved(host, port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port), addresses.map((a) => a.address));
    if (!verdict.allowed) return `refused by the callback egress policy: ${verdict.reason}`;
    this.checked.set(hostname, addresses);
    return undefined;
  }

  async post(url: string, body: string, timeoutMs: number): Promise<DeliveryResult> {
    const { undici, agent } = await this.connect();
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const refused = await this.refusal(url);
      if (refused !== undefined) return { httpStatus: undefined, error: refused, latencyMs: elapsed(), responseExcerpt: '' };
      const response = await undici.request(url, {
        method: 'POST',
        body,
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'user-agent': this.userAgent, accept: '*/*' },
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
