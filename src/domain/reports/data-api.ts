// The Data API's /operations/get (docs/protocol-notes.md §6): a token's filters over the operations, and a signed
// list of them whose dates are `YYYY-MM-DD hh:mm:ss` in the requested time zone. The surface checks the body's
// shape and its signature with the token's secret (src/http/data-api/plugin.ts).
import type { Clock } from '../clock/clock.js';
import { Refusal } from '../errors.js';
import type { MethodCatalogue, PaymentMethod } from '../catalogue/methods.js';
import type { OperationRow, OperationType } from '../model.js';
import type { Reports } from '../ports.js';
import { withSignature } from '../../signature/signer.js';
import { formatInZone, isTimeZone, parseInZone } from '../clock/zoned-time.js';

/** A Data API token of the config file: its secret signs requests and answers; `project_ids` bounds what it reads. */
export interface DataApiToken { token: string; secret_key: string; project_ids?: number[] }

/** A request of /operations/get, its shape checked by the surface (schemas/data-api/operations-get.json). */
export interface OperationsGetBody {
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
  payment_method_type: (r, _zone, methods) => METHOD_TYPES[methods.find(r.method)?.family ?? 'wallet'],
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
/** `payment_method_type` of each method family: the platform's words for an e-wallet and a card (Apple Pay and Google Pay pay by card too). */
const METHOD_TYPES: Record<PaymentMethod['family'], string> = { wallet: 'ewallet', card: 'card' };
/** The operation types a `type` filter may name: the wallet's and the card family's (docs/card-protocol.md §4). */
const OPERATION_TYPES: readonly OperationType[] = ['sale', 'payout', 'auth', 'capture', 'cancel', 'refund', 'recurring', 'account verification'];

export class DataApi {
  private readonly tokens: Map<string, DataApiToken>;

  constructor(tokens: DataApiToken[], private readonly reports: Reports, private readonly methods: MethodCatalogue, private readonly clock: Clock) {
    this.tokens = new Map(tokens.map((t) => [t.token, t]));
  }

  /** The token a request names, or the 3123 refusal. */
  token(value: string): DataApiToken {
    const token = this.tokens.get(value);
    if (token === undefined) throw new Refusal('invalid-token', [{ field: 'token', message: 'Unknown or deactivated Data API token' }]);
    return token;
  }

  /** The operations a request asks for, signed with the token's secret; the request's own signature is already checked. */
  async operationsGet(token: DataApiToken, body: OperationsGetBody): Promise<Record<string, unknown>> {
    const zone = body.tz ?? 'UTC';
    if (!isTimeZone(zone)) throw new Refusal('invalid-fields', [{ field: 'tz', message: `Unknown time zone "${zone}"` }]);
    if (body.type !== undefined && !(OPERATION_TYPES as readonly string[]).includes(body.type)) {
      throw new Refusal('invalid-fields', [{ field: 'type', message: `Expected one of ${OPERATION_TYPES.join(', ')}` }]);
    }
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
