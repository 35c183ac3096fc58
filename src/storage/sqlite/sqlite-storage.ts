// The embedded SQLite backend. Transactions asked for in the same turn of the event loop share one
// `BEGIN IMMEDIATE … COMMIT` (group commit), each in its own savepoint, and every caller is answered only after
// that commit: one commit per batch instead of per request is what lets a durable sandbox keep up with load.
import type { Repositories, Storage, StorageEvent } from '../../domain/ports.js';
import { sqlRepositories } from '../sql/repositories.js';
import { SqlReports } from '../sql/reports.js';
import { openSqlite, type SqliteDatabase } from './database.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { SqliteExecutor } from './sqlite-executor.js';

interface Pending { work: (tx: Repositories) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly shared = false;
  readonly read: Repositories;
  readonly reports: SqlReports;
  private readonly executor: SqliteExecutor;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: Array<(event: StorageEvent) => void> = [];

  constructor(private readonly db: SqliteDatabase) {
    this.executor = new SqliteExecutor(db);
    // Reads and the transactions' writes use the same connection: SQLite has one writer, and a read that runs
    // while a batch is open sees that batch's rows.
    this.read = sqlRepositories(this.executor, sqliteDialect);
    this.reports = new SqlReports(this.executor, 'LIKE');
    // One process owns the file: leases left by an earlier run that died are void.
    for (const table of ['jobs', 'callbacks', 'payments']) {
      db.prepare(`UPDATE ${table} SET lease_owner = NULL, lease_until = NULL WHERE lease_until IS NOT NULL`).run();
    }
  }

  static open(path: string): SqliteStorage {
    return new SqliteStorage(openSqlite(path));
  }

  transact<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing !== undefined) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.scheduleFlush();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const statement = (sql: string) => this.executor.statement(sql);
    const outcomes: Outcome[] = [];
    try {
      statement('BEGIN IMMEDIATE').run();
      for (const pending of batch) {
        statement('SAVEPOINT unit').run();
        try {
          outcomes.push({ ok: true, value: await pending.work(this.read) });
          statement('RELEASE unit').run();
        } catch (error) {
          // A refusal thrown by one request's work rolls back that work alone.
          statement('ROLLBACK TO unit').run();
          statement('RELEASE unit').run();
          outcomes.push({ ok: false, error });
        }
      }
      statement('COMMIT').run();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  /** One process owns a SQLite file, so a lock within this process is a lock for every user of the database. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.locks.set(name, run.catch(() => undefined));
    return run;
  }

  publish(event: StorageEvent): void {
    for (const listener of this.listeners) queueMicrotask(() => listener(event));
  }

  subscribe(listener: (event: StorageEvent) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    while (this.flushing !== undefined || this.flushScheduled) await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
    if (this.db.open) this.db.close();
  }
}
