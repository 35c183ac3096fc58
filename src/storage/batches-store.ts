// Mass-payout batches and their rows.
import type { SqliteDatabase } from './database.js';

export interface Batch {
  id: number; projectId: number; fileName: string; createdAt: number; total: number; processed: number; status: 'processing' | 'done';
  success: number; decline: number; refused: number;
}

interface BatchRow { id: number; project_id: number; file_name: string; created_at: number; total: number; processed: number; status: 'processing' | 'done'; success: number; decline: number; refused: number }

export interface PendingBatchRow { rowNumber: number; paymentId: string; request: string }

const BATCH_COLUMNS = `b.*,
  (SELECT count(*) FROM batch_rows r JOIN payments p ON p.project_id = b.project_id AND p.payment_id = r.payment_id
     WHERE r.batch_id = b.id AND r.error IS NULL AND p.status = 'success') AS success,
  (SELECT count(*) FROM batch_rows r JOIN payments p ON p.project_id = b.project_id AND p.payment_id = r.payment_id
     WHERE r.batch_id = b.id AND r.error IS NULL AND p.status = 'decline') AS decline,
  (SELECT count(*) FROM batch_rows r WHERE r.batch_id = b.id AND r.error IS NOT NULL) AS refused`;

function rowToBatch(row: BatchRow): Batch {
  return {
    id: row.id, projectId: row.project_id, fileName: row.file_name, createdAt: row.created_at, total: row.total, processed: row.processed,
    status: row.status, success: row.success, decline: row.decline, refused: row.refused,
  };
}

export class BatchesStore {
  private readonly insertRowStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.insertRowStmt = db.prepare('INSERT INTO batch_rows (batch_id, row_number, payment_id, request) VALUES (?, ?, ?, ?)');
  }

  create(projectId: number, fileName: string, createdAt: number, rows: PendingBatchRow[]): number {
    const info = this.db.prepare(`INSERT INTO batches (project_id, file_name, created_at, total, status) VALUES (?, ?, ?, ?, 'processing')`)
      .run(projectId, fileName, createdAt, rows.length);
    const id = Number(info.lastInsertRowid);
    for (const row of rows) this.insertRowStmt.run(id, row.rowNumber, row.paymentId, row.request);
    return id;
  }

  find(id: number): Batch | undefined {
    const row = this.db.prepare<[number], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches b WHERE b.id = ?`).get(id);
    return row === undefined ? undefined : rowToBatch(row);
  }

  list(limit = 100): Batch[] {
    return this.db.prepare<[number], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches b ORDER BY b.id DESC LIMIT ?`).all(limit).map(rowToBatch);
  }

  /** Rows not yet turned into payouts, in file order. */
  nextRows(batchId: number, afterRow: number, limit: number): PendingBatchRow[] {
    return this.db.prepare<[number, number, number], { row_number: number; payment_id: string; request: string }>(
      'SELECT row_number, payment_id, request FROM batch_rows WHERE batch_id = ? AND row_number > ? ORDER BY row_number LIMIT ?',
    ).all(batchId, afterRow, limit).map((r) => ({ rowNumber: r.row_number, paymentId: r.payment_id, request: r.request }));
  }

  rowErrors(batchId: number): Array<{ rowNumber: number; paymentId: string; error: string }> {
    return this.db.prepare<[number], { row_number: number; payment_id: string; error: string }>(
      'SELECT row_number, payment_id, error FROM batch_rows WHERE batch_id = ? AND error IS NOT NULL ORDER BY row_number',
    ).all(batchId).map((r) => ({ rowNumber: r.row_number, paymentId: r.payment_id, error: r.error }));
  }

  markRowRefused(batchId: number, rowNumber: number, error: string): void {
    this.db.prepare('UPDATE batch_rows SET error = ? WHERE batch_id = ? AND row_number = ?').run(error, batchId, rowNumber);
  }

  progress(batchId: number, processed: number, done: boolean): void {
    this.db.prepare('UPDATE batches SET processed = ?, status = ? WHERE id = ?').run(processed, done ? 'done' : 'processing', batchId);
  }

  deleteAll(projectId: number | undefined): void {
    if (projectId === undefined) this.db.prepare('DELETE FROM batches').run();
    else this.db.prepare('DELETE FROM batches WHERE project_id = ?').run(projectId);
  }
}
