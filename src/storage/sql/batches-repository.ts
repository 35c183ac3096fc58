// Mass-payout batches and their rows: the valid ones turned into payouts, and the refused ones kept with them.
import type { Batch, PendingBatchRow, RefusedBatchRow } from '../../domain/model.js';
import type { Batches } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';
import { deleteOfProject } from './list-query.js';
import { rowToBatch, type BatchRow } from './rows.js';

const BATCH_COLUMNS = `b.*,
  (SELECT count(*) FROM batch_rows r JOIN payments p ON p.project_id = b.project_id AND p.payment_id = r.payment_id
     WHERE r.batch_id = b.id AND r.error IS NULL AND p.status = 'success') AS success,
  (SELECT count(*) FROM batch_rows r JOIN payments p ON p.project_id = b.project_id AND p.payment_id = r.payment_id
     WHERE r.batch_id = b.id AND r.error IS NULL AND p.status = 'decline') AS decline,
  (SELECT count(*) FROM batch_rows r WHERE r.batch_id = b.id AND r.error IS NOT NULL) AS refused`;

export class SqlBatches implements Batches {
  constructor(private readonly db: SqlExecutor) {}

  async create(projectId: number, fileName: string, createdAt: number, rows: PendingBatchRow[], refused: RefusedBatchRow[]): Promise<number> {
    const created = await this.db.get<{ id: number }>(
      `INSERT INTO batches (project_id, file_name, created_at, total, status) VALUES (?, ?, ?, ?, 'processing') RETURNING id`,
      [projectId, fileName, createdAt, rows.length + refused.length],
    );
    const id = (created as { id: number }).id;
    for (const row of rows) {
      await this.db.run('INSERT INTO batch_rows (batch_id, row_number, payment_id, request) VALUES (?, ?, ?, ?)', [id, row.rowNumber, row.paymentId, row.request]);
    }
    for (const row of refused) {
      await this.db.run(`INSERT INTO batch_rows (batch_id, row_number, payment_id, request, error) VALUES (?, ?, ?, '', ?)`, [id, row.rowNumber, row.paymentId, row.error]);
    }
    return id;
  }

  async find(id: number): Promise<Batch | undefined> {
    const row = await this.db.get<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches b WHERE b.id = ?`, [id]);
    return row === undefined ? undefined : rowToBatch(row);
  }

  async list(limit: number, projectId?: number): Promise<Batch[]> {
    const rows = projectId === undefined
      ? await this.db.all<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches b ORDER BY b.id DESC LIMIT ?`, [limit])
      : await this.db.all<BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches b WHERE b.project_id = ? ORDER BY b.id DESC LIMIT ?`, [projectId, limit]);
    return rows.map(rowToBatch);
  }

  async nextRows(batchId: number, afterRow: number, limit: number): Promise<PendingBatchRow[]> {
    const rows = await this.db.all<{ row_number: number; payment_id: string; request: string }>(
      'SELECT row_number, payment_id, request FROM batch_rows WHERE batch_id = ? AND row_number > ? AND error IS NULL ORDER BY row_number LIMIT ?',
      [batchId, afterRow, limit],
    );
    return rows.map((r) => ({ rowNumber: r.row_number, paymentId: r.payment_id, request: r.request }));
  }

  async refusedRows(batchId: number): Promise<RefusedBatchRow[]> {
    const rows = await this.db.all<{ row_number: number; payment_id: string; error: string }>(
      'SELECT row_number, payment_id, error FROM batch_rows WHERE batch_id = ? AND error IS NOT NULL ORDER BY row_number',
      [batchId],
    );
    return rows.map((r) => ({ rowNumber: r.row_number, paymentId: r.payment_id, error: r.error }));
  }

  async markRowRefused(batchId: number, rowNumber: number, error: string): Promise<void> {
    await this.db.run('UPDATE batch_rows SET error = ? WHERE batch_id = ? AND row_number = ?', [error, batchId, rowNumber]);
  }

  async progress(batchId: number, processed: number, done: boolean): Promise<void> {
    await this.db.run('UPDATE batches SET processed = ?, status = ? WHERE id = ?', [processed, done ? 'done' : 'processing', batchId]);
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'batches', projectId);
  }
}
