// The reference: bare Fastify answering a small JSON POST, the limit for a Node HTTP server on this machine.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/', async () => ({ status: 'success' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}\n`);
