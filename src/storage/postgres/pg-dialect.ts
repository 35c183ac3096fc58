// PostgreSQL's side of the SQL that differs: row locks, an advisory lock per customer, a sequence for
// operation ids, and job leases taken with SKIP LOCKED so concurrent instances never claim the same row.
import type { Dialect, SqlExecutor } from '../sql/executor.js';

export function pgDialect(): Dialect {
  let seeded = false;
  return {
    forUpdate: ' FOR UPDATE',
    async holdPayment(db, rowId) {
      await db.get('SELECT 1 AS held FROM payments WHERE row_id = ? FOR UPDATE', [rowId]);
    },
    async lockCustomer(db, projectId, customerId) {
      await db.get('SELECT pg_advisory_xact_lock(hashtextextended(?, 0)) AS locked', [`customer:${projectId}:${customerId}`]);
    },
    async nextOperationId(db: SqlExecutor, base: number) {
      // The seed's base applies once to a fresh sequence; a sequence already past it is never moved back.
      if (!seeded) {
        await db.get('SELECT setval(\'operation_ids\', ?) AS v FROM operation_ids WHERE last_value < ?', [base, base]);
        seeded = true;
      }
      return (await db.get<{ id: number }>("SELECT nextval('operation_ids') AS id") as { id: number }).id;
    },
    skipLocked: ' FOR UPDATE OF w SKIP LOCKED',
  };
}
