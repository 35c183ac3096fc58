// The little each backend must provide for the shared SQL repositories: run a statement with `?` parameters,
// and the few operations whose SQL differs between SQLite and PostgreSQL.
export type SqlValue = string | number | null;

export interface SqlExecutor {
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** Resolves the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Dialect {
  /** Appended to a SELECT whose rows must stay unchanged by others until the transaction ends. */
  readonly forUpdate: string;
  holdPayment(db: SqlExecutor, rowId: number): Promise<void>;
  lockCustomer(db: SqlExecutor, projectId: number, customerId: string): Promise<void>;
  nextOperationId(db: SqlExecutor, base: number): Promise<number>;
  /** Appended to the SELECT that picks work to lease, so concurrent instances pass over each other's rows. */
  readonly skipLocked: string;
}
