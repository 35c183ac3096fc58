// Maps refusals to ECommPay's Gate error envelope and HTTP status (docs/fidelity-notes.md lists them).
import type { Refusal, RefusalKind } from '../../domain/errors.js';

export const HTTP_STATUS_BY_KIND: Record<RefusalKind, number> = {
  'malformed-request': 400,
  'invalid-fields': 400,
  'invalid-currency': 400,
  'currency-not-convertible': 400,
  'operation-not-supported': 400,
  'status-forbids-action': 400,
  'empty-signature': 401,
  'invalid-signature': 401,
  'unknown-project': 401,
  'unknown-method': 404,
  'payment-not-found': 404,
  'duplicate-payment': 409,
  'body-too-large': 413,
  'invalid-token': 401,
  'access-denied': 403,
  'project-exists': 409,
  // The URL a tool named answers nothing: the tool's input is at fault, not the sandbox.
  'unreachable-endpoint': 400,
  // Another project's list: answered as if there were none, so a token cannot learn which projects exist.
  'project-hidden': 404,
  'quota-exceeded': 403,
  'rate-limited': 429,
  'unsupported-media-type': 415,
};

export interface GateErrorBody {
  status: 'error';
  code: string;
  message: string;
  errors: Array<{ code: string; field: string; message: string }>;
  project_id?: number;
  payment_id?: string;
  sandbox?: Record<string, unknown>;
}

export function toGateError(refusal: Refusal, echo: { project_id?: number; payment_id?: string }): GateErrorBody {
  const body: GateErrorBody = {
    status: 'error',
    code: refusal.code,
    message: refusal.message,
    errors: (refusal.fields.length > 0 ? refusal.fields : [{ field: '', message: refusal.message }]).map((f) => ({
      code: f.code ?? refusal.code,
      field: f.field,
      message: f.message,
    })),
  };
  if (echo.project_id !== undefined) body.project_id = echo.project_id;
  if (echo.payment_id !== undefined) body.payment_id = echo.payment_id;
  if (Object.keys(refusal.facts).length > 0) body.sandbox = refusal.facts;
  return body;
}
