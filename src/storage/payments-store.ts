// Payments and their operations, with rows mapped to domain records at this edge.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import type { Money, Operation, Payment, PaymentStatus, PaymentType } from '../domain/model.js';
import type { Interface, OperationKind } from '../domain/methods.js';

interface PaymentRow {
  row_id: number; project_id: number; payment_id: string; method: string; type: PaymentType; status: PaymentStatus;
  interface: Interface; amount: number; currency: string; converted_amount: number; converted_currency: string;
  description: string; customer_id: string; customer: string; account: string; return_url: string; callback_url: string | null;
  callback_delay: number; callbacks_disabled: number; checkout_token: string; provider_payment_id: string;
  created_at: number; updated_at: number; base_due_at: number; limit_due_at: number; extras: string;
}

interface OperationRow {
  id: number; payment_row_id: number; idx: number; type: OperationKind; status: PaymentStatus; code: string; message: string;
  request_id: string; created_at: number; updated_at: number; initial_amount: number; initial_currency: string;
  converted_amount: number; converted_currency: string; provider_date: number | null; auth_code: string;
}

function rowToPayment(row: PaymentRow): Payment {
  return {
    rowId: row.row_id,
    projectId: row.project_id,
    paymentId: row.payment_id,
    method: row.method,
    type: row.type,
    status: row.status,
    interface: row.interface,
    sum: { amount: row.amount, currency: row.currency },
    sumConverted: { amount: row.converted_amount, currency: row.converted_currency },
    description: row.description,
    customer: JSON.parse(row.customer) as Record<string, unknown>,
    account: JSON.parse(row.account) as Record<string, unknown>,
    returnUrl: JSON.parse(row.return_url) as Record<string, string>,
    callbackUrl: row.callback_url ?? undefined,
    callbackDelaySeconds: row.callback_delay,
    callbacksDisabled: row.callbacks_disabled === 1,
    checkoutToken: row.checkout_token,
    providerPaymentId: row.provider_payment_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    baseDueAt: row.base_due_at,
    limitDueAt: row.limit_due_at,
    extras: JSON.parse(row.extras) as Record<string, unknown>,
  };
}

function money(amount: number, currency: string): Money {
  return { amount, currency };
}

function rowToOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    paymentRowId: row.payment_row_id,
    index: row.idx,
    type: row.type,
    status: row.status,
    code: row.code,
    message: row.message,
    requestId: row.request_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sumInitial: money(row.initial_amount, row.initial_currency),
    sumConverted: money(row.converted_amount, row.converted_currency),
    providerDate: row.provider_date ?? undefined,
    authCode: row.auth_code,
  };
}

export type NewPayment = Omit<Payment, 'rowId'>;
export type NewOperation = Omit<Operation, never>;

export class PaymentsStore {
  private readonly insertPaymentStmt;
  private readonly findStmt;
  private readonly findByRowStmt;
  private readonly findByTokenStmt;
  private readonly updateStatusStmt;
  private readonly insertOperationStmt;
  private readonly updateOperationStmt;
  private readonly operationsStmt;
  private readonly purchaseCountStmt;
  private readonly updateAccountStmt;
  private readonly countStatements = new Map<string, Statement<Array<string | number>, { n: number }>>();

  constructor(private readonly db: SqliteDatabase) {
    this.insertPaymentStmt = db.prepare(`INSERT INTO payments (project_id, payment_id, method, type, status, interface, amount,
      currency, converted_amount, converted_currency, description, customer_id, customer, account, return_url, callback_url,
      callback_delay, callbacks_disabled, checkout_token, provider_payment_id, created_at, updated_at, base_due_at, limit_due_at, extras)
      VALUES (@projectId, @paymentId, @method, @type, @status, @interface, @amount, @currency, @convertedAmount, @convertedCurrency,
      @description, @customerId, @customer, @account, @returnUrl, @callbackUrl, @callbackDelay, @callbacksDisabled, @checkoutToken,
      @providerPaymentId, @createdAt, @updatedAt, @baseDueAt, @limitDueAt, @extras)`);
    this.findStmt = db.prepare<[number, string], PaymentRow>('SELECT * FROM payments WHERE project_id = ? AND payment_id = ?');
    this.findByRowStmt = db.prepare<[number], PaymentRow>('SELECT * FROM payments WHERE row_id = ?');
    this.findByTokenStmt = db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE checkout_token = ?');
    this.updateAccountStmt = db.prepare('UPDATE payments SET account = ? WHERE row_id = ?');
    this.updateStatusStmt = db.prepare('UPDATE payments SET status = ?, updated_at = ? WHERE row_id = ?');
    this.insertOperationStmt = db.prepare(`INSERT INTO operations (id, payment_row_id, idx, type, status, code, message, request_id,
      created_at, updated_at, initial_amount, initial_currency, converted_amount, converted_currency, provider_date, auth_code)
      VALUES (@id, @paymentRowId, @index, @type, @status, @code, @message, @requestId, @createdAt, @updatedAt, @initialAmount,
      @initialCurrency, @convertedAmount, @convertedCurrency, @providerDate, @authCode)`);
    this.updateOperationStmt = db.prepare(`UPDATE operations SET status = @status, code = @code, message = @message,
      updated_at = @updatedAt, provider_date = @providerDate WHERE id = @id`);
    this.operationsStmt = db.prepare<[number], OperationRow>('SELECT * FROM operations WHERE payment_row_id = ? ORDER BY idx');
    this.purchaseCountStmt = db.prepare<[number, string], { n: number; method: string }>(
      `SELECT count(*) AS n, method FROM payments WHERE project_id = ? AND customer_id = ? AND type = 'purchase' AND status = 'success' GROUP BY method`,
    );
  }

  insert(payment: NewPayment): Payment {
    const customerId = typeof payment.customer.id === 'string' ? payment.customer.id : '';
    const info = this.insertPaymentStmt.run({
      ...payment,
      amount: payment.sum.amount,
      currency: payment.sum.currency,
      convertedAmount: payment.sumConverted.amount,
      convertedCurrency: payment.sumConverted.currency,
      customerId,
      customer: JSON.stringify(payment.customer),
      account: JSON.stringify(payment.account),
      returnUrl: JSON.stringify(payment.returnUrl),
      callbackUrl: payment.callbackUrl ?? null,
      callbackDelay: payment.callbackDelaySeconds,
      callbacksDisabled: payment.callbacksDisabled ? 1 : 0,
      extras: JSON.stringify(payment.extras),
    });
    return { ...payment, rowId: Number(info.lastInsertRowid) };
  }

  find(projectId: number, paymentId: string): Payment | undefined {
    const row = this.findStmt.get(projectId, paymentId);
    return row === undefined ? undefined : rowToPayment(row);
  }

  findByRowId(rowId: number): Payment | undefined {
    const row = this.findByRowStmt.get(rowId);
    return row === undefined ? undefined : rowToPayment(row);
  }

  findByCheckoutToken(token: string): Payment | undefined {
    const row = this.findByTokenStmt.get(token);
    return row === undefined ? undefined : rowToPayment(row);
  }

  updateAccount(rowId: number, account: Record<string, unknown>): void {
    this.updateAccountStmt.run(JSON.stringify(account), rowId);
  }

  updateStatus(rowId: number, status: PaymentStatus, at: number): void {
    this.updateStatusStmt.run(status, at, rowId);
  }

  insertOperation(operation: Operation): void {
    this.insertOperationStmt.run({
      ...operation,
      initialAmount: operation.sumInitial.amount,
      initialCurrency: operation.sumInitial.currency,
      convertedAmount: operation.sumConverted.amount,
      convertedCurrency: operation.sumConverted.currency,
      providerDate: operation.providerDate ?? null,
    });
  }

  updateOperation(operation: Operation): void {
    this.updateOperationStmt.run({
      id: operation.id,
      status: operation.status,
      code: operation.code,
      message: operation.message,
      updatedAt: operation.updatedAt,
      providerDate: operation.providerDate ?? null,
    });
  }

  maxOperationId(): number | undefined {
    return this.db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM operations').get()?.id ?? undefined;
  }

  operationsOf(paymentRowId: number): Operation[] {
    return this.operationsStmt.all(paymentRowId).map(rowToOperation);
  }

  /** Whether the customer has a successful purchase in the project through one of `methods`. */
  hasSuccessfulPurchase(projectId: number, customerId: string, methods: readonly string[]): boolean {
    return this.purchaseCountStmt.all(projectId, customerId).some((row) => row.n > 0 && methods.includes(row.method));
  }

  /** Payments of a customer created since `since`, optionally of one method and type (frequency limits). */
  countRecent(projectId: number, customerId: string, since: number, method?: string, type?: PaymentType): number {
    let sql = 'SELECT count(*) AS n FROM payments WHERE project_id = ? AND customer_id = ? AND created_at > ?';
    const params: Array<string | number> = [projectId, customerId, since];
    if (method !== undefined) { sql += ' AND method = ?'; params.push(method); }
    if (type !== undefined) { sql += ' AND type = ?'; params.push(type); }
    let statement = this.countStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<Array<string | number>, { n: number }>(sql);
      this.countStatements.set(sql, statement);
    }
    return statement.get(...params)?.n ?? 0;
  }

  deleteAll(projectId: number | undefined): void {
    if (projectId === undefined) this.db.prepare('DELETE FROM payments').run();
    else this.db.prepare('DELETE FROM payments WHERE project_id = ?').run(projectId);
  }
}
