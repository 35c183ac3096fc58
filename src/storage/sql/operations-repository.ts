// Operations of payments; ids come from the backend's own counter so no two instances hand out the same one.
import type { Operation } from '../../domain/model.js';
import type { Operations } from '../../domain/ports.js';
import type { Dialect, SqlExecutor } from './executor.js';
import { rowToOperation, type OperationRow } from './rows.js';

export class SqlOperations implements Operations {
  constructor(private readonly db: SqlExecutor, private readonly dialect: Dialect) {}

  nextId(base: number): Promise<number> {
    return this.dialect.nextOperationId(this.db, base);
  }

  async insert(operation: Operation): Promise<void> {
    await this.db.run(
      `INSERT INTO operations (id, payment_row_id, idx, type, status, code, message, request_id, created_at, updated_at, initial_amount,
        initial_currency, converted_amount, converted_currency, provider_date, auth_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        operation.id, operation.paymentRowId, operation.index, operation.type, operation.status, operation.code, operation.message,
        operation.requestId, operation.createdAt, operation.updatedAt, operation.sumInitial.amount, operation.sumInitial.currency,
        operation.sumConverted.amount, operation.sumConverted.currency, operation.providerDate ?? null, operation.authCode,
      ],
    );
  }

  async update(operation: Operation): Promise<void> {
    await this.db.run('UPDATE operations SET status = ?, code = ?, message = ?, updated_at = ?, provider_date = ? WHERE id = ?', [
      operation.status, operation.code, operation.message, operation.updatedAt, operation.providerDate ?? null, operation.id,
    ]);
  }

  async paymentOfRequest(projectId: number, requestId: string): Promise<number | undefined> {
    const row = await this.db.get<{ row_id: number }>(
      'SELECT p.row_id FROM operations o JOIN payments p ON p.row_id = o.payment_row_id WHERE o.request_id = ? AND p.project_id = ? LIMIT 1',
      [requestId, projectId],
    );
    return row?.row_id;
  }

  async ofPayment(paymentRowId: number): Promise<Operation[]> {
    return (await this.db.all<OperationRow>('SELECT * FROM operations WHERE payment_row_id = ? ORDER BY idx', [paymentRowId])).map(rowToOperation);
  }
}
