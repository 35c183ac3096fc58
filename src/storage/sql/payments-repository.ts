// Payments, with rows mapped to domain records at this edge.
import type { PaymentStatus, PaymentType, Payment } from '../../domain/model.js';
import type { NewPayment, Payments } from '../../domain/ports.js';
import type { Dialect, SqlExecutor, SqlValue } from './executor.js';
import type { DueWork } from './due-work.js';
import { deleteOfProject } from './list-query.js';
import { rowToPayment, type PaymentRow } from './rows.js';

const INSERT = `INSERT INTO payments (project_id, payment_id, method, type, status, interface, amount, currency, converted_amount,
  converted_currency, description, customer_id, customer, account, return_url, callback_url, callback_delay, callbacks_disabled,
  checkout_token, provider_payment_id, created_at, updated_at, base_due_at, limit_due_at, limit_timer_at, extras)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING RETURNING row_id`;

// Any unique key counts: two instances inserting the same payment at once collide on its checkout token (derived
// from the project and payment id) as surely as on (project_id, payment_id).
export class SqlPayments implements Payments {
  constructor(private readonly db: SqlExecutor, private readonly dialect: Dialect, private readonly dueWork?: DueWork) {}

  private async one(sql: string, params: SqlValue[]): Promise<Payment | undefined> {
    const row = await this.db.get<PaymentRow>(sql, params);
    return row === undefined ? undefined : rowToPayment(row);
  }

  find(projectId: number, paymentId: string): Promise<Payment | undefined> {
    return this.one('SELECT * FROM payments WHERE project_id = ? AND payment_id = ?', [projectId, paymentId]);
  }

  findByRowId(rowId: number): Promise<Payment | undefined> {
    return this.one('SELECT * FROM payments WHERE row_id = ?', [rowId]);
  }

  findByCheckoutToken(token: string): Promise<Payment | undefined> {
    return this.one('SELECT * FROM payments WHERE checkout_token = ?', [token]);
  }

  lock(rowId: number): Promise<Payment | undefined> {
    return this.one(`SELECT * FROM payments WHERE row_id = ?${this.dialect.forUpdate}`, [rowId]);
  }

  hold(rowId: number): Promise<void> {
    return this.dialect.holdPayment(this.db, rowId);
  }

  lockCustomer(projectId: number, customerId: string): Promise<void> {
    return this.dialect.lockCustomer(this.db, projectId, customerId);
  }

  async insert(payment: NewPayment): Promise<Payment | undefined> {
    const customerId = typeof payment.customer.id === 'string' ? payment.customer.id : '';
    const row = await this.db.get<{ row_id: number }>(INSERT, [
      payment.projectId, payment.paymentId, payment.method, payment.type, payment.status, payment.interface, payment.sum.amount,
      payment.sum.currency, payment.sumConverted.amount, payment.sumConverted.currency, payment.description, customerId,
      JSON.stringify(payment.customer), JSON.stringify(payment.account), JSON.stringify(payment.returnUrl), payment.callbackUrl ?? null,
      payment.callbackDelaySeconds, payment.callbacksDisabled ? 1 : 0, payment.checkoutToken, payment.providerPaymentId, payment.createdAt,
      payment.updatedAt, payment.baseDueAt, payment.limitDueAt, payment.limitDueAt, JSON.stringify(payment.extras),
    ]);
    if (row === undefined) return undefined;
    // Its limit time is due work from now on.
    this.dueWork?.add(payment.projectId, payment.limitDueAt);
    return { ...payment, rowId: row.row_id };
  }

  async updateAccount(rowId: number, account: Record<string, unknown>): Promise<void> {
    await this.db.run('UPDATE payments SET account = ? WHERE row_id = ?', [JSON.stringify(account), rowId]);
  }

  async updateExtras(rowId: number, extras: Record<string, unknown>): Promise<void> {
    await this.db.run('UPDATE payments SET extras = ? WHERE row_id = ?', [JSON.stringify(extras), rowId]);
  }

  async countStored(projectId: number, max: number): Promise<boolean> {
    return (await this.db.run('UPDATE projects SET stored_payments = stored_payments + 1 WHERE project_id = ? AND stored_payments < ?', [projectId, max])) === 1;
  }

  async finish(rowId: number, status: PaymentStatus, at: number): Promise<void> {
    await this.db.run('UPDATE payments SET status = ?, updated_at = ?, limit_timer_at = NULL, lease_owner = NULL, lease_until = NULL WHERE row_id = ?', [status, at, rowId]);
  }

  async setStatus(rowId: number, status: PaymentStatus, at: number): Promise<void> {
    await this.db.run('UPDATE payments SET status = ?, updated_at = ? WHERE row_id = ?', [status, at, rowId]);
  }

  async hasSuccessfulPurchase(projectId: number, customerId: string, methods: readonly string[]): Promise<boolean> {
    if (methods.length === 0) return false;
    const row = await this.db.get<{ found: number }>(
      `SELECT 1 AS found FROM payments WHERE project_id = ? AND customer_id = ? AND type = 'purchase' AND status = 'success'
        AND method IN (${methods.map(() => '?').join(', ')}) LIMIT 1`,
      [projectId, customerId, ...methods],
    );
    return row !== undefined;
  }

  async countRecent(projectId: number, customerId: string, since: number, method?: string, type?: PaymentType): Promise<number> {
    let sql = 'SELECT count(*) AS n FROM payments WHERE project_id = ? AND customer_id = ? AND created_at > ?';
    const params: SqlValue[] = [projectId, customerId, since];
    if (method !== undefined) { sql += ' AND method = ?'; params.push(method); }
    if (type !== undefined) { sql += ' AND type = ?'; params.push(type); }
    return (await this.db.get<{ n: number }>(sql, params))?.n ?? 0;
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    // Operations go with their payment (ON DELETE CASCADE).
    await deleteOfProject(this.db, 'payments', projectId);
  }
}
