// Saved cards (COF registrations): what a later debit needs, by id or by customer.
import type { ListFilter, RecurringRegistration } from '../../domain/model.js';
import type { Recurrings } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';
import { deleteOfProject, newestFirst } from './list-query.js';

interface RecurringRow {
  id: number; project_id: number; customer_id: string; payment_row_id: number; payment_id: string; method: string; account: string; card: string;
  currency: string; type: string; valid_thru: number; status: RecurringRegistration['status']; created_at: number; updated_at: number;
}

const toRegistration = (row: RecurringRow): RecurringRegistration => ({
  id: row.id, projectId: row.project_id, customerId: row.customer_id, paymentRowId: row.payment_row_id, paymentId: row.payment_id,
  method: row.method, account: JSON.parse(row.account) as Record<string, unknown>, card: JSON.parse(row.card) as Record<string, unknown>,
  currency: row.currency, type: row.type, validThru: row.valid_thru, status: row.status, createdAt: row.created_at, updatedAt: row.updated_at,
});

export class SqlRecurring implements Recurrings {
  constructor(private readonly db: SqlExecutor) {}

  async insert(r: Omit<RecurringRegistration, 'id'>, id: number): Promise<void> {
    await this.db.run(
      `INSERT INTO recurring (id, project_id, customer_id, payment_row_id, payment_id, method, account, card, currency, type, valid_thru, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, r.projectId, r.customerId, r.paymentRowId, r.paymentId, r.method, JSON.stringify(r.account), JSON.stringify(r.card), r.currency, r.type, r.validThru, r.status, r.createdAt, r.updatedAt],
    );
  }

  async find(projectId: number, id: number): Promise<RecurringRegistration | undefined> {
    const row = await this.db.get<RecurringRow>('SELECT * FROM recurring WHERE project_id = ? AND id = ?', [projectId, id]);
    return row === undefined ? undefined : toRegistration(row);
  }

  async ofCustomer(projectId: number, customerId: string): Promise<RecurringRegistration[]> {
    return (await this.db.all<RecurringRow>('SELECT * FROM recurring WHERE project_id = ? AND customer_id = ? ORDER BY id', [projectId, customerId])).map(toRegistration);
  }

  async list(filter: ListFilter): Promise<RecurringRegistration[]> {
    return (await newestFirst<RecurringRow>(this.db, 'recurring', [['project_id', filter.projectId], ['payment_id', filter.paymentId]], filter.limit, filter.offset)).map(toRegistration);
  }

  async setStatus(id: number, status: RecurringRegistration['status'], at: number): Promise<void> {
    await this.db.run('UPDATE recurring SET status = ?, updated_at = ? WHERE id = ?', [status, at, id]);
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'recurring', projectId);
  }
}
