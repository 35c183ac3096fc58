// Refuses text holding the NUL character (U+0000) anywhere in a request: PostgreSQL cannot store it, and the
// real platform has no use for it; the refusal names the field in the surface's own error format.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../domain/errors.js';

/** The path of the first string or key holding U+0000, found without recursion so no input can exhaust the stack. */
export function fieldWithNul(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path;
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key.includes('\u0000')) return childPath;
      stack.push([child, childPath]);
    }
  }
  return undefined;
}

export function refuseNul(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const field = fieldWithNul(request.query) ?? fieldWithNul(request.body);
    if (field !== undefined) {
      throw new Refusal('invalid-fields', [{ field, message: `${field || 'The request'} contains the NUL character (U+0000), which is not accepted` }]);
    }
  });
}
