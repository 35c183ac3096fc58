// Validation of control API bodies and list queries, answered with field errors.
import { Refusal } from '../../domain/errors.js';
import { fieldOf, plainProblem, validatorFor } from '../../schema-registry.js';

export function validateControlBody<T>(schemaId: string, body: unknown): T {
  const validate = validatorFor<T>(schemaId);
  if (validate(body)) return body;
  const problems = (validate.errors ?? []).map((error) => {
    const field = fieldOf(error);
    return { field, message: plainProblem(error, field === '' ? 'The body' : field) };
  });
  throw new Refusal('invalid-fields', problems);
}

export interface ListQuery { projectId?: number; paymentId?: string; limit: number; offset: number }

function integerParam(raw: string | undefined, field: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Refusal('invalid-fields', [{ field, message: `Expected an integer from ${min} to ${max}` }]);
  }
  return value;
}

/** One text value of a query parameter; a repeated parameter counts by its first value. */
export function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const raw = query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function listQuery(raw: Record<string, unknown>): ListQuery {
  const query = Object.fromEntries(['project_id', 'payment_id', 'limit', 'offset'].map((name) => [name, queryText(raw, name)]));
  return {
    projectId: integerParam(query.project_id, 'project_id', 1, Number.MAX_SAFE_INTEGER),
    paymentId: query.payment_id,
    limit: integerParam(query.limit, 'limit', 1, 1000) ?? 100,
    offset: integerParam(query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}
