// The embedded SQLite backend. Transactions asked for in the same turn of the event loop share one
// `BEGIN IMMEDIATE … COMMIT` (group commit), each in its own savepoint, and every caller is answered only after
// that commit: one commit per batch instead of per request is what lets a durable sandbox keep up with load.
// Several worker processes may share the file (`--workers`): then they lease work and lock by rows, and tell
// each other of changes through a peer channel.
import type { PeerChannel, Repositories, Storage, StorageEvent } from '../../domain/ports.js';
import { DueWork } from '../sql/due-work.js';
import { sqlRepositories } from '../sql/repositories.js';
import { SqlReports } from '../sql/reports.js';
import { openSqlite, type SqliteDatabase } from './database.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { SqliteExecutor } from './sqlite-executor.js';

interface Pending { work: (tx: Repositories) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

export interface SqliteOptions {
  /** The other processes on this file; without it this process is the file's only user. */
  peers?: PeerChannel;
  /** This process's name in locks it takes. */
  instanceId?: string;
}

/** A named lock held by a process lasts this long unless renewed: a process that dies frees it within that time. */
const LOCK_MS = 15_000;
const LOCK_POLL_MS = 10;
const BUSY_RETRY_MS = 1;

type Outcome = { ok: true; value: unknown; dueWork: DueWork } | { ok: false; error: unknown };

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly shared: boolean;
  readonly read: Repositories;
  readonly reports: SqlReports;
  private readonly executor: SqliteExecutor;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: Array<(event: StorageEvent) => void> = [];

  constructor(private readonly db: SqliteDatabase, private readonly options: SqliteOptions = {}) {
    this.executor = new SqliteExecutor(db);
    this.shared = options.peers !== undefined;
    // Reads and the transactions' writes use the same connection: SQLite has one writer, and a read that runs
    // while a batch is open sees that batch's rows.
    this.read = sqlRepositories(this.executor, sqliteDialect);
    this.reports = new SqlReports(this.executor, 'LIKE');
    // Alone on the file, leases and locks left by an earlier run that died are void. With peers, the process that
    // started them cleared them before they opened the file (clearStaleClaims).
    if (!this.shared) SqliteStorage.clearStaleClaims(db);
    // With peers, a busy write lock is waited for by retrying the batch (flush), never by blocking in SQLite.
    else db.pragma('busy_timeout = 0');
    options.peers?.onEvent((event) => {
      for (const listener of this.listeners) listener(event);
    });
  }

  static open(path: string, options: SqliteOptions = {}): SqliteStorage {
    return new SqliteStorage(openSqlite(path), options);
  }

  /** Frees every lease and lock: only for a process that is about to be the file's first user. */
  static clearStaleClaims(db: SqliteDatabase): void {
    for (const table of ['jobs', 'callbacks', 'payments']) {
      db.prepare(`UPDATE ${table} SET lease_owner = NULL, lease_until = NULL WHERE lease_until IS NOT NULL`).run();
    }
    db.prepare('DELETE FROM locks').run();
  }

  transact<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(delayMs = 0): void {
    if (this.flushScheduled || this.flushing !== undefined) return;
    this.flushScheduled = true;
    const flushNow = () => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.scheduleFlush(this.busy ? BUSY_RETRY_MS : 0);
      });
    };
    if (delayMs > 0) setTimeout(flushNow, delayMs);
    else setImmediate(flushNow);
  }

  /** Whether the last flush found another process writing (with peers only). */
  private busy = false;

  private async flush(): Promise<void> {
    const statement = (sql: string) => this.executor.statement(sql);
    this.busy = false;
    try {
      statement('BEGIN IMMEDIATE').run();
    } catch (error) {
      // Another worker holds the write lock: rather than block this process's event loop while it waits, try
      // again shortly; meanwhile requests keep being read, and the next batch is larger.
      if (this.shared && (error as { code?: string }).code === 'SQLITE_BUSY') {
        this.busy = true;
        return;
      }
      const failed = this.queue;
      this.queue = [];
      for (const pending of failed) pending.reject(error);
      return;
    }
    const batch = this.queue;
    this.queue = [];
    const outcomes: Outcome[] = [];
    try {
      for (const pending of batch) {
        statement('SAVEPOINT unit').run();
        const dueWork = new DueWork();
        try {
          outcomes.push({ ok: true, value: await pending.work(sqlRepositories(this.executor, sqliteDialect, dueWork)), dueWork });
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
      if (!outcome.ok) return pending.reject(outcome.error);
      for (const event of outcome.dueWork.events()) this.publish(event);
      pending.resolve(outcome.value);
    });
  }

  /**
   * Callers in this process queue here first; with peers, the holder also takes a lock row, renewed while it
   * works, so one process at a time holds the name.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const guarded = this.shared ? () => this.holdingLockRow(name, work) : work;
    const run = previous.then(guarded, guarded);
    this.locks.set(name, run.catch(() => undefined));
    return run;
  }

  private async holdingLockRow<T>(name: string, work: () => Promise<T>): Promise<T> {
    const owner = this.options.instanceId ?? String(process.pid);
    const take = () => this.transact(async () => this.executor.run(
      'INSERT INTO locks (name, owner, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE locks.until <= ?',
      [name, owner, Date.now() + LOCK_MS, Date.now()],
    ));
    while ((await take()) === 0) await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    const renew = setInterval(() => {
      void this.transact(async () => this.executor.run('UPDATE locks SET until = ? WHERE name = ? AND owner = ?', [Date.now() + LOCK_MS, name, owner]));
    }, LOCK_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.transact(async () => this.executor.run('DELETE FROM locks WHERE name = ? AND owner = ?', [name, owner]));
    }
  }

  publish(event: StorageEvent): void {
    for (const listener of this.listeners) queueMicrotask(() => listener(event));
    this.options.peers?.send(event);
  }

  subscribe(listener: (event: StorageEvent) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    while (this.flushing !== undefined || this.flushScheduled) await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
    if (this.db.open) this.db.close();
  }
}
