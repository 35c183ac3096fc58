// A real HTTP server that receives callbacks, records them and answers with scripted statuses.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { at: number; headers: IncomingMessage['headers']; body: string; json: Record<string, unknown> }

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer with, in order; once used up, 200. */
  script: number[];
  close(): Promise<void>;
}

interface Tap { teardown(fn: () => unknown): void }

export async function startReceiver(t: Tap, script: number[] = []): Promise<Receiver> {
  const received: Received[] = [];
  const state = { script: [...script] };
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
      received.push({ at: Date.now(), headers: request.headers, body, json });
      const status = state.script.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'OK' : `failing with ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    get script() {
      return state.script;
    },
    set script(value: number[]) {
      state.script = [...value];
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  t.teardown(() => receiver.close());
  return receiver;
}
