// SQLite's side of the SQL that differs: one writer holds the whole database for a transaction, so row and
// customer locks are implied; operation ids come from a counter row.
import type { Dialect } from '../sql/executor.js';
import type { JobRow } from '../sql/rows.js';

export const sqliteDialect: Dialect = {
  forUpdate: '',
  async holdPayment() {},
  async lockCustomer() {},
  async nextOperationId(db, base) {
    const row = await db.get<{ value: number }>(`UPDATE sequences SET value = max(value, ?) + 1 WHERE name = 'operation' RETURNING value`, [base]);
    return (row as { value: number }).value;
  },
  claimJobs(db, until, limit, lease, realNow) {
    return db.all<JobRow>(
      `UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id IN (
         SELECT id FROM jobs WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?)
       RETURNING id, kind, ref, due_at, payload, project_id`,
      [lease.owner, lease.until, until, realNow, limit],
    );
  },
};
