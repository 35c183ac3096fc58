// Reads the Payments list filters from a query string; a bad value is a field error, not a 500.
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import type { PaymentFilter } from '../../domain/model.js';
import type { DashboardDeps } from './deps.js';

export const TYPES = ['purchase', 'payout', 'recurring'];
export const INTERFACES = ['gate', 'payment_page', 'dashboard'];

export interface ListQuery { filter: PaymentFilter; page: number; values: Record<string, string> }

/** What the method and status filters offer: every method of the catalogue, every status of the state machine's families. */
export interface ListChoices { methods: Array<{ code: string; title: string }>; statuses: string[] }

export function listChoices({ methods, machine }: Pick<DashboardDeps, 'methods' | 'machine'>): ListChoices {
  return { methods: methods.all().map((m) => ({ code: m.code, title: m.title })), statuses: machine.statuses() };
}

function day(value: string, field: string, problems: FieldProblem[]): number | undefined {
  if (value === '') return undefined;
  const match = /^\d{4}-\d{2}-\d{2}$/.exec(value);
  const at = match === null ? Number.NaN : Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(at)) problems.push({ field, message: 'Expected a date as YYYY-MM-DD' });
  return Number.isNaN(at) ? undefined : at;
}

/** The filters as typed, so a form refused for one of them shows them all again. */
export function listValues(query: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of ['project_id', 'method', 'type', 'status', 'interface', 'from', 'to', 'q', 'batch', 'page']) {
    const raw = query[key];
    values[key] = typeof raw === 'string' ? raw.trim() : '';
  }
  return values;
}

export function readListQuery(query: Record<string, unknown>, choices: ListChoices): ListQuery {
  const values = listValues(query);
  const problems: FieldProblem[] = [];
  const filter: PaymentFilter = {};
  if (values.project_id !== '') {
    if (/^[1-9]\d{0,9}$/.test(values.project_id as string)) filter.projectIds = [Number(values.project_id)];
    else problems.push({ field: 'project_id', message: 'A project id is a whole number, such as 1' });
  }
  const choose = (key: 'method' | 'type' | 'status' | 'interface', allowed: string[]) => {
    const value = values[key] as string;
    if (value === '') return;
    if (allowed.includes(value)) filter[key] = value;
    else problems.push({ field: key, message: `Expected one of ${allowed.join(', ')}` });
  };
  choose('method', choices.methods.map((m) => m.code));
  choose('type', TYPES);
  choose('status', choices.statuses);
  choose('interface', INTERFACES);
  filter.from = day(values.from as string, 'from', problems);
  const to = day(values.to as string, 'to', problems);
  filter.to = to === undefined ? undefined : to + 24 * 3600 * 1000;
  if (values.batch !== '') {
    if (/^[1-9]\d{0,9}$/.test(values.batch as string)) filter.batchId = Number(values.batch);
    else problems.push({ field: 'batch', message: 'A batch number is a whole number, such as 1' });
  }
  if (values.q !== '') filter.search = (values.q as string).slice(0, 255);
  let page = 1;
  if (values.page !== '') {
    if (/^[1-9]\d{0,6}$/.test(values.page as string)) page = Number(values.page);
    else problems.push({ field: 'page', message: 'Expected a page number' });
  }
  if (problems.length > 0) throw new Refusal('invalid-fields', problems);
  return { filter, page, values };
}

export function queryString(values: Record<string, string>, overrides: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...overrides })) if (value !== '' && key !== 'page') params.set(key, value);
  if (overrides.page !== undefined && overrides.page !== '1') params.set('page', overrides.page);
  return params.toString();
}
