// Read-side queries over payments and operations: the dashboard list, exports, analytics and the Data API.
import type { SqliteDatabase } from './database.js';

export interface PaymentFilter {
  projectIds?: number[];
  method?: string;
  type?: string;
  status?: string;
  interface?: string;
  from?: number;
  to?: number;
  search?: string;
}

export interface PaymentListRow {
  project_id: number; payment_id: string; method: string; type: string; status: string; interface: string;
  amount: number; currency: string; converted_amount: number; converted_currency: string; description: string;
  customer_id: string; account: string; created_at: number; updated_at: number;
  operation_id: number | null; code: string | null; message: string | null;
}

export interface OperationFilter { projectIds?: number[]; from: number; to: number; type?: string; limit: number; offset: number }

export interface OperationRow {
  project_id: number; operation_id: number; payment_id: string; operation_type: string; operation_status: string;
  method: string; account: string; customer: string; description: string; code: string; message: string;
  created_at: number; updated_at: number; provider_date: number | null;
  initial_amount: number; initial_currency: string; converted_amount: number; converted_currency: string;
}

function where(filter: PaymentFilter): { sql: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  if (filter.projectIds !== undefined && filter.projectIds.length > 0) {
    clauses.push(`p.project_id IN (${filter.projectIds.map(() => '?').join(', ')})`);
    params.push(...filter.projectIds);
  }
  for (const [column, value] of [['method', filter.method], ['type', filter.type], ['status', filter.status], ['interface', filter.interface]] as const) {
    if (value !== undefined) { clauses.push(`p.${column} = ?`); params.push(value); }
  }
  if (filter.from !== undefined) { clauses.push('p.created_at >= ?'); params.push(filter.from); }
  if (filter.to !== undefined) { clauses.push('p.created_at < ?'); params.push(filter.to); }
  if (filter.search !== undefined && filter.search !== '') {
    clauses.push('(p.payment_id = ? OR p.customer_id = ? OR p.payment_id LIKE ? ESCAPE \'\\\')');
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(filter.search, filter.search, like);
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

const LIST_COLUMNS = `p.project_id, p.payment_id, p.method, p.type, p.status, p.interface, p.amount, p.currency, p.converted_amount,
  p.converted_currency, p.description, p.customer_id, p.account, p.created_at, p.updated_at,
  (SELECT o.id FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS operation_id,
  (SELECT o.code FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS code,
  (SELECT o.message FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS message`;

export class PaymentQueries {
  constructor(private readonly db: SqliteDatabase) {}

  count(filter: PaymentFilter): number {
    const { sql, params } = where(filter);
    return this.db.prepare<Array<string | number>, { n: number }>(`SELECT count(*) AS n FROM payments p ${sql}`).get(...params)?.n ?? 0;
  }

  page(filter: PaymentFilter, limit: number, offset: number): PaymentListRow[] {
    const { sql, params } = where(filter);
    return this.db
      .prepare<Array<string | number>, PaymentListRow>(`SELECT ${LIST_COLUMNS} FROM payments p ${sql} ORDER BY p.created_at DESC, p.row_id DESC LIMIT ? OFFSET ?`)
      .all(...params, limit, offset);
  }

  /** Every matching payment in pages, so a large export never holds the whole list in memory. */
  async *stream(filter: PaymentFilter, pageSize = 1000): AsyncGenerator<PaymentListRow> {
    for (let offset = 0; ; offset += pageSize) {
      const rows = this.page(filter, pageSize, offset);
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  dailyTotals(filter: PaymentFilter): Array<{ day: string; status: string; n: number; amount: number }> {
    const { sql, params } = where(filter);
    return this.db.prepare<Array<string | number>, { day: string; status: string; n: number; amount: number }>(
      `SELECT strftime('%Y-%m-%d', p.created_at / 1000, 'unixepoch') AS day, p.status, count(*) AS n, sum(p.converted_amount) AS amount
       FROM payments p ${sql} GROUP BY day, p.status ORDER BY day`,
    ).all(...params);
  }

  methodRates(filter: PaymentFilter): Array<{ method: string; total: number; success: number; decline: number }> {
    const { sql, params } = where(filter);
    return this.db.prepare<Array<string | number>, { method: string; total: number; success: number; decline: number }>(
      `SELECT p.method, count(*) AS total, sum(p.status = 'success') AS success, sum(p.status = 'decline') AS decline
       FROM payments p ${sql} GROUP BY p.method ORDER BY p.method`,
    ).all(...params);
  }

  operations(filter: OperationFilter): OperationRow[] {
    const clauses = ['o.created_at >= ?', 'o.created_at <= ?'];
    const params: Array<string | number> = [filter.from, filter.to];
    if (filter.projectIds !== undefined) {
      clauses.push(`p.project_id IN (${filter.projectIds.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...filter.projectIds);
    }
    if (filter.type !== undefined) { clauses.push('o.type = ?'); params.push(filter.type); }
    return this.db.prepare<Array<string | number>, OperationRow>(
      `SELECT p.project_id, o.id AS operation_id, p.payment_id, o.type AS operation_type, o.status AS operation_status, p.method,
         p.account, p.customer, p.description, o.code, o.message, o.created_at, o.updated_at, o.provider_date,
         o.initial_amount, o.initial_currency, o.converted_amount, o.converted_currency
       FROM operations o JOIN payments p ON p.row_id = o.payment_row_id
       WHERE ${clauses.join(' AND ')} ORDER BY o.created_at, p.row_id, o.idx LIMIT ? OFFSET ?`,
    ).all(...params, filter.limit, filter.offset);
  }
}
