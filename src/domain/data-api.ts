// The Data API's /operations/get (docs/protocol-notes.md §6): token + signature with the token's secret, filters, and a
// signed list of operations whose dates are `YYYY-MM-DD hh:mm:ss` in the requested time zone.
import type { DataApiToken } from '../config.js';
import type { Clock } from './clock.js';
import { Refusal } from './errors.js';
import type { MethodCatalogue } from './methods.js';
import type { OperationRow } from './model.js';
import type { Reports } from './ports.js';
import { fieldOf, validatorFor } from '../schema-registry.js';
import { verify, withSignature } from '../signature/signer.js';
import { formatInZone, isTimeZone, parseInZone } from './zoned-time.js';

interface OperationsGetBody {
  token: string; signature?: string; project_id?: number[]; interval?: { from: string; to: string }; tz?: string; type?: string;
  limit?: number; offset?: number; fields?: string[];
}

type FieldRenderer = (row: OperationRow, zone: string, methods: MethodCatalogue) => string | number;

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** Every field an operation item can carry, in the fixed order answers use. */
const FIELDS: Record<string, FieldRenderer> = {
  project_id: (r) => r.project_id,
  operation_id: (r) => r.operation_id,
  payment_id: (r) => r.payment_id,
  operation_created_at: (r, zone) => formatInZone(r.created_at, zone),
  operation_completed_at: (r, zone) => (r.provider_date === null ? '' : formatInZone(r.updated_at, zone)),
  operation_type: (r) => r.operation_type,
  operation_status: (r) => r.operation_status,
  payment_method_name: (r, _zone, methods) => methods.find(r.method)?.title ?? r.method,
  payment_method_type: () => 'ewallet',
  payment_instrument: (r) => String(json(r.account).number ?? ''),
  customer_id: (r) => String(json(r.customer).id ?? ''),
  customer_ip: (r) => String(json(r.customer).ip_address ?? ''),
  payment_description: (r) => r.description,
  provider_completed_at: (r, zone) => (r.provider_date === null ? '' : formatInZone(r.provider_date, zone)),
  sum_initial_amount: (r) => r.initial_amount,
  sum_initial_currency: (r) => r.initial_currency,
  sum_converted_amount: (r) => r.converted_amount,
  sum_converted_currency: (r) => r.converted_currency,
  code: (r) => r.code,
  message: (r) => r.message,
};
export const DATA_API_FIELDS = Object.keys(FIELDS);
const REQUIRED_FIELDS = ['project_id', 'operation_id', 'payment_id', 'operation_created_at', 'operation_completed_at'];
const OPERATION_TYPES = new Set(['sale', 'payout', 'refund']);

export class DataApi {
  private readonly tokens: Map<string, DataApiToken>;

  constructor(tokens: DataApiToken[], private readonly reports: Reports, private readonly methods: MethodCatalogue, private readonly clock: Clock) {
    this.tokens = new Map(tokens.map((t) => [t.token, t]));
  }

  async operationsGet(raw: unknown): Promise<Record<string, unknown>> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Refusal('malformed-request', [{ field: '', message: 'The body must be a JSON object' }]);
    const validate = validatorFor<OperationsGetBody>('data-api/operations-get.json');
    if (!validate(raw)) {
      const fields = (validate.errors ?? []).map((e) => ({ field: fieldOf(e), message: e.keyword === 'additionalProperties' ? 'Unknown parameter' : e.keyword === 'required' ? 'Required field not provided' : `${fieldOf(e)} ${e.message ?? ''}` }));
      throw new Refusal('invalid-fields', fields);
    }
    const body = raw;
    const token = this.tokens.get(body.token);
    if (token === undefined) throw new Refusal('invalid-token', [{ field: 'token', message: 'Unknown or deactivated Data API token' }]);
    if (body.signature === undefined || body.signature === '') throw new Refusal('empty-signature', [{ field: 'signature', message: 'Empty signature' }]);
    const { signature, ...unsigned } = body;
    const check = verify(unsigned, signature, token.secret_key);
    if (!check.valid) {
      throw new Refusal('invalid-signature', [{ field: 'signature', message: 'Invalid signature' }], { signed_string: check.signedString, js_sdk_signed_string: check.jsSdkSignedString });
    }
    const zone = body.tz ?? 'UTC';
    if (!isTimeZone(zone)) throw new Refusal('invalid-fields', [{ field: 'tz', message: `Unknown time zone "${zone}"` }]);
    if (body.type !== undefined && !OPERATION_TYPES.has(body.type)) throw new Refusal('invalid-fields', [{ field: 'type', message: 'Expected sale, payout or refund' }]);
    const fields = body.fields ?? REQUIRED_FIELDS;
    const unknown = fields.find((f) => FIELDS[f] === undefined);
    if (unknown !== undefined) throw new Refusal('invalid-fields', [{ field: 'fields', message: `Unknown field "${unknown}"; known: ${DATA_API_FIELDS.join(', ')}` }]);
    const wanted = DATA_API_FIELDS.filter((f) => fields.includes(f));
    const allowed = token.project_ids;
    let projectIds = body.project_id ?? allowed;
    if (allowed !== undefined && projectIds !== undefined) {
      const denied = projectIds.find((id) => !allowed.includes(id));
      if (denied !== undefined) throw new Refusal('access-denied', [{ field: 'project_id', message: `The token may not read project ${denied}` }]);
    }
    if (projectIds !== undefined && projectIds.length === 0) projectIds = allowed;
    const now = this.clock.now();
    const from = body.interval === undefined ? now - 24 * 3600 * 1000 : parseInZone(body.interval.from, zone);
    const to = body.interval === undefined ? now : parseInZone(body.interval.to, zone);
    if (from === undefined) throw new Refusal('invalid-fields', [{ field: 'interval.from', message: 'Expected YYYY-MM-DD hh:mm:ss' }]);
    if (to === undefined) throw new Refusal('invalid-fields', [{ field: 'interval.to', message: 'Expected YYYY-MM-DD hh:mm:ss' }]);
    if (to < from) throw new Refusal('invalid-fields', [{ field: 'interval', message: '"to" is before "from"' }]);
    const rows = await this.reports.operations({ projectIds, from, to, type: body.type, limit: body.limit ?? 1000, offset: body.offset ?? 0 });
    const operations = rows.map((row) => Object.fromEntries(wanted.map((f) => [f, (FIELDS[f] as FieldRenderer)(row, zone, this.methods)])));
    return withSignature({ operations }, token.secret_key);
  }
}
