// The caller of a control API request, as its auth hook found it.
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../../domain/tools/access-scope.js';

export function callerOf(request: FastifyRequest): Caller {
  return request.sandboxCaller ?? { kind: 'admin', open: true };
}
