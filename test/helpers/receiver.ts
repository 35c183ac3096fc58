// A real HTTP server that receives callbacks, records them and answers with scripted statuses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackViolation } from './contract.js';

export interface Received { at: number; url: string; headers: IncomingMessage['headers']; body: string; json: Record<string, unknown> }

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer with, in order; once used up, 200. */
  script: number[];
  /** While true, requests are recorded as `held` and left without an answer. */
  holding: boolean;
  held: Received[];
  /** Resolves once `count` requests have been answered (held ones do not count). */
  whenReceived(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `count` requests are being held. */
  whenHeld(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Answers 200 to the held requests that `which` picks (their sender still waiting) and counts them as received;
   * without `which`, stops holding and answers every held request.
   */
  release(which?: (entry: Received) => boolean): number;
  close(): Promise<void>;
}

interface Tap { teardown(fn: () => unknown): void }

/**
 * A receiver of the sandbox's callbacks checks each body against the OpenAPI document's webhooks; the test fails at
 * its end naming each callback that drifted. `contract: false` for a receiver of bodies that are not callbacks.
 */
export async function startReceiver(t: Tap, script: number[] = [], options: { contract?: boolean } = {}): Promise<Receiver> {
  const violations: string[] = [];
  if (options.contract !== false) {
    t.teardown(() => {
      if (violations.length > 0) throw new Error(`callbacks that differ from the OpenAPI document:\n${[...new Set(violations)].join('\n')}`);
    });
  }
  const received: Received[] = [];
  const held: Received[] = [];
  const waiting: Array<() => void> = [];
  const state = { script: [...script], holding: false };
  const hanging = new Map<ServerResponse, Received>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = {};
      }
      const entry = { at: Date.now(), url: request.url ?? '', headers: request.headers, body, json };
      // Callbacks are POSTed; a shopper's browser also GETs the shop's return pages from a receiver.
      const violation = options.contract === false || request.method !== 'POST' ? undefined : callbackViolation(body);
      if (violation !== undefined) violations.push(`${violation} in ${body.slice(0, 300)}`);
      if (state.holding) {
        held.push(entry);
        hanging.set(response, entry);
      } else {
        received.push(entry);
        const status = state.script.shift() ?? 200;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status === 200 ? 'OK' : `failing with ${status}`);
      }
      for (const check of waiting.splice(0)) check();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const until = (done: () => boolean, what: string, timeoutMs: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const check = () => {
      if (done()) {
        clearTimeout(timer);
        resolve();
      } else {
        waiting.push(check);
      }
    };
    check();
  });
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    held,
    get script() {
      return state.script;
    },
    set script(value: number[]) {
      state.script = [...value];
    },
    get holding() {
      return state.holding;
    },
    set holding(value: boolean) {
      state.holding = value;
    },
    whenReceived: (count, timeoutMs = 30_000) => until(() => received.length >= count, `${count} callbacks`, timeoutMs),
    whenHeld: (count, timeoutMs = 30_000) => until(() => held.length >= count, `${count} held callbacks`, timeoutMs),
    release: (which) => {
      if (which === undefined) state.holding = false;
      let released = 0;
      for (const [response, entry] of hanging) {
        if ((which !== undefined && !which(entry)) || response.destroyed || response.socket === null || response.socket.destroyed) continue;
        hanging.delete(response);
        received.push(entry);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        released++;
      }
      for (const check of waiting.splice(0)) check();
      return released;
    },
    close: () => new Promise<void>((resolve) => {
      for (const response of hanging.keys()) response.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  t.teardown(() => receiver.close());
  return receiver;
}
