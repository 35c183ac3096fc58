// SQLite's side of the SQL that differs: one writer holds the whole database for a transaction, so row and
// customer locks are implied; operation ids come from a counter row.
import type { Dialect } from '../sql/executor.js';

export const sqliteDialect: Dialect = {
  forUpdate: '',
  async holdPayment() {},
  async lockCustomer() {},
  async nextOperationId(db, base) {
    const row = await db.get<{ value: number }>(`UPDATE sequences SET value = max(value, ?) + 1 WHERE name = 'operation' RETURNING value`, [base]);
    return (row as { value: number }).value;
  },
  skipLocked: '',
};
