// A callback receiver in its own process: answers 200 and reports to its parent when `expected` have arrived.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let expected = Number.POSITIVE_INFINITY;
let count = 0;
let firstAt = 0;

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('OK');
    if (count === 0) firstAt = performance.now();
    count++;
    if (count === expected) process.send?.({ type: 'done', count, ms: performance.now() - firstAt });
  });
});

process.on('message', (message: { type: string; expected?: number }) => {
  if (message.type === 'expect') {
    expected = message.expected ?? expected;
    count = 0;
  }
  if (message.type === 'stop') server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
