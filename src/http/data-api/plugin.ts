// Data API surface: POST /operations/get and /v1/operations/get, JSON in, signed JSON out.
import type { FastifyInstance } from 'fastify';
import type { Sandbox } from '../../sandbox.js';
import { parseAnyBodyAsJson, useErrorEnvelope } from '../error-envelope.js';

export async function dataApi(app: FastifyInstance, { sandbox }: { sandbox: Sandbox }): Promise<void> {
  parseAnyBodyAsJson(app);
  useErrorEnvelope(app);
  for (const path of ['/operations/get', '/v1/operations/get']) {
    app.post(path, async (request) => sandbox.dataApi.operationsGet(request.body));
  }
}
