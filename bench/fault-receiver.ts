// A callback receiver that fails a share of deliveries (HTTP 500), for the load-with-faults run.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const failShare = Number(process.env.FAIL_SHARE ?? 0.2);
let received = 0;
let failed = 0;

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    received++;
    const fail = Math.random() < failShare;
    if (fail) failed++;
    response.writeHead(fail ? 500 : 200).end(fail ? 'flaky' : 'OK');
  });
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'count') process.send?.({ type: 'count', received, failed });
  if (message.type === 'stop') server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
