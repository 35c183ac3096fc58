// Data API surface: POST /operations/get and /v1/operations/get, JSON in, signed JSON out. The body is read as
// every signed request is (src/http/signed-request.ts), with the Data API token's secret.
import type { FastifyInstance } from 'fastify';
import type { DataApi, OperationsGetBody } from '../../domain/reports/data-api.js';
import { parseAnyBodyAsJson, useErrorEnvelope } from '../error-envelope.js';
import { checkedBody, checkSignature } from '../signed-request.js';

export async function dataApi(app: FastifyInstance, { dataApi: operations }: { dataApi: DataApi }): Promise<void> {
  parseAnyBodyAsJson(app);
  useErrorEnvelope(app);
  for (const path of ['/operations/get', '/v1/operations/get']) {
    app.post(path, async (request) => {
      const body = checkedBody<OperationsGetBody>('data-api/operations-get.json', request.body);
      const token = operations.token(body.token);
      const { signature, ...unsigned } = body;
      checkSignature(unsigned, signature, token.secret_key, 'signature');
      return operations.operationsGet(token, body);
    });
  }
}
