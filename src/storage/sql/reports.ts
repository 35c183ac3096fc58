// Read-side queries over payments and operations: the dashboard list, exports, analytics and the Data API.
import type { DailyTotal, MethodStatusCount, OperationFilter, OperationRow, PaymentFilter, PaymentListRow } from '../../domain/model.js';
import type { Reports } from '../../domain/ports.js';
import type { SqlExecutor, SqlValue } from './executor.js';

const DAY_MS = 24 * 3600 * 1000;

function where(filter: PaymentFilter, like: string): { sql: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (filter.projectIds !== undefined && filter.projectIds.length > 0) {
    clauses.push(`p.project_id IN (${filter.projectIds.map(() => '?').join(', ')})`);
    params.push(...filter.projectIds);
  }
  for (const [column, value] of [['method', filter.method], ['type', filter.type], ['status', filter.status], ['interface', filter.interface]] as const) {
    if (value !== undefined) { clauses.push(`p.${column} = ?`); params.push(value); }
  }
  if (filter.from !== undefined) { clauses.push('p.created_at >= ?'); params.push(filter.from); }
  if (filter.to !== undefined) { clauses.push('p.created_at < ?'); params.push(filter.to); }
  if (filter.batchId !== undefined) {
    clauses.push(`EXISTS (SELECT 1 FROM batch_rows r JOIN batches b ON b.id = r.batch_id
      WHERE r.batch_id = ? AND r.error IS NULL AND b.project_id = p.project_id AND r.payment_id = p.payment_id)`);
    params.push(filter.batchId);
  }
  if (filter.search !== undefined && filter.search !== '') {
    clauses.push(`(p.payment_id = ? OR p.customer_id = ? OR p.payment_id ${like} ? ESCAPE '\\')`);
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(filter.search, filter.search, pattern);
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

const LIST_COLUMNS = `p.project_id, p.payment_id, p.method, p.type, p.status, p.interface, p.amount, p.currency, p.converted_amount,
  p.converted_currency, p.description, p.customer_id, p.account, p.created_at, p.updated_at,
  (SELECT o.id FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS operation_id,
  (SELECT o.code FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS code,
  (SELECT o.message FROM operations o WHERE o.payment_row_id = p.row_id ORDER BY o.idx DESC LIMIT 1) AS message`;

export class SqlReports implements Reports {
  /** `like` is the backend's case-insensitive LIKE, so a search finds the same payments on either. */
  constructor(private readonly db: SqlExecutor, private readonly like: string) {}

  async count(filter: PaymentFilter): Promise<number> {
    const { sql, params } = where(filter, this.like);
    return (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM payments p ${sql}`, params))?.n ?? 0;
  }

  page(filter: PaymentFilter, limit: number, offset: number): Promise<PaymentListRow[]> {
    const { sql, params } = where(filter, this.like);
    return this.db.all<PaymentListRow>(`SELECT ${LIST_COLUMNS} FROM payments p ${sql} ORDER BY p.row_id DESC LIMIT ? OFFSET ?`, [...params, limit, offset]);
  }

  async *stream(filter: PaymentFilter, pageSize = 1000): AsyncGenerator<PaymentListRow> {
    for (let offset = 0; ; offset += pageSize) {
      const rows = await this.page(filter, pageSize, offset);
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async dailyTotals(filter: PaymentFilter): Promise<DailyTotal[]> {
    const { sql, params } = where(filter, this.like);
    // Days are counted as whole UTC days since the epoch, which both backends compute the same way.
    const rows = await this.db.all<{ day: number; status: string; n: number; amount: number }>(
      `SELECT p.created_at / ${DAY_MS} AS day, p.status, count(*) AS n, sum(p.converted_amount) AS amount
       FROM payments p ${sql} GROUP BY p.created_at / ${DAY_MS}, p.status ORDER BY day, p.status`,
      params,
    );
    return rows.map((r) => ({ day: new Date(r.day * DAY_MS).toISOString().slice(0, 10), status: r.status, n: r.n, amount: r.amount }));
  }

  methodStatuses(filter: PaymentFilter): Promise<MethodStatusCount[]> {
    const { sql, params } = where(filter, this.like);
    return this.db.all<MethodStatusCount>(
      `SELECT p.method, p.status, count(*) AS n FROM payments p ${sql} GROUP BY p.method, p.status ORDER BY p.method, p.status`,
      params,
    );
  }

  operations(filter: OperationFilter): Promise<OperationRow[]> {
    const clauses = ['o.created_at >= ?', 'o.created_at <= ?'];
    const params: SqlValue[] = [filter.from, filter.to];
    if (filter.projectIds !== undefined) {
      clauses.push(filter.projectIds.length === 0 ? 'FALSE' : `p.project_id IN (${filter.projectIds.map(() => '?').join(', ')})`);
      params.push(...filter.projectIds);
    }
    if (filter.type !== undefined) { clauses.push('o.type = ?'); params.push(filter.type); }
    return this.db.all<OperationRow>(
      `SELECT p.project_id, o.id AS operation_id, p.payment_id, o.type AS operation_type, o.status AS operation_status, p.method,
         p.account, p.customer, p.description, o.code, o.message, o.created_at, o.updated_at, o.provider_date,
         o.initial_amount, o.initial_currency, o.converted_amount, o.converted_currency
       FROM operations o JOIN payments p ON p.row_id = o.payment_row_id
       WHERE ${clauses.join(' AND ')} ORDER BY o.created_at, p.row_id, o.idx LIMIT ? OFFSET ?`,
      [...params, filter.limit, filter.offset],
    );
  }
}
