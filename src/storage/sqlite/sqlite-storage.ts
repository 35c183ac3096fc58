// The embedded SQLite backend. Transactions asked for in the same turn of the event loop share one
// `BEGIN IMMEDIATE … COMMIT` (group commit), each in its own savepoint, and every caller is answered only after
// that commit: one commit per batch instead of per request is what lets a durable sandbox keep up with load.
// Reads run on a connection of their own, so they see only what is committed. A full disk refuses writes
// (StorageFault) while reads go on; a probe write notices when space is back. Several worker processes may share
// the file (`--workers`): then they lease work and lock by rows, and tell each other of changes through a peer
// channel.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageFault, type Logger, type PeerChannel, type Repositories, type Storage, type StorageEvent, type StorageState } from '../../domain/ports.js';
import { DueWork } from '../sql/due-work.js';
import { sqlRepositories } from '../sql/repositories.js';
import { SqlReports } from '../sql/reports.js';
import { openSqlite, openSqliteReader, type SqliteDatabase } from './database.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { SqliteExecutor } from './sqlite-executor.js';

interface Pending { work: (tx: Repositories) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

export interface SqliteOptions {
  /** The other processes on this file; without it this process is the file's only user. */
  peers?: PeerChannel;
  /** This process's name in locks it takes. */
  instanceId?: string;
  /** Where a change of the storage's state is told, once per change. */
  log?: Logger;
  /** The connection reads run on (a file's second connection); without it reads share the writer's. */
  reader?: SqliteDatabase;
  /** The database file, whose filesystem's free space tells when a full disk has room again. */
  path?: string;
}

/** A named lock held by a process lasts this long unless renewed: a process that dies frees it within that time. */
const LOCK_MS = 15_000;
const LOCK_POLL_MS = 10;
const BUSY_RETRY_MS = 1;
/** While writes are refused, a probe write looks this often (real ms) whether they are taken again. */
const PROBE_MS = 500;
/** Writes paused this long (real ms): the WAL is moved into the database file and emptied. */
const IDLE_CHECKPOINT_MS = 1_000;
/**
 * A full disk counts as having room again only with this much free: a write that fits in what a failed commit
 * left allocated proves little, and the state would flap with every request.
 */
const ROOM_AGAIN_BYTES = 1024 * 1024;

const quiet: Logger = { info() {}, warn() {}, error() {} };

type Outcome = { ok: true; value: unknown; dueWork: DueWork } | { ok: false; error: unknown };

/** SQLite's refusals that are the disk's, not the statement's: no space left, or the disk failing. */
export function sqliteFault(error: unknown): StorageFault | undefined {
  if (error instanceof StorageFault) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL') return new StorageFault('full', 'no space left for the database');
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return new StorageFault('unavailable', `the database file cannot be written (${code})`);
  }
  return undefined;
}

export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly shared: boolean;
  readonly read: Repositories;
  readonly reports: SqlReports;
  private readonly executor: SqliteExecutor;
  private readonly log: Logger;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly listeners: Array<(event: StorageEvent) => void> = [];
  private current: StorageState = 'ok';
  private probeTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** Leases of an earlier run that could not be cleared at open (a full disk): cleared with the first write. */
  private staleClaims = false;
  private closed = false;

  constructor(private readonly db: SqliteDatabase, private readonly options: SqliteOptions = {}) {
    this.executor = new SqliteExecutor(db);
    this.log = options.log ?? quiet;
    this.shared = options.peers !== undefined;
    const reader = options.reader === undefined ? this.executor : new SqliteExecutor(options.reader);
    this.read = sqlRepositories(reader, sqliteDialect);
    this.reports = new SqlReports(reader, 'LIKE');
    // Alone on the file, leases and locks left by an earlier run that died are void. With peers, the process that
    // started them cleared them before they opened the file (clearStaleClaims). A start on a full disk cannot
    // clear them: it serves reads all the same, and clears them once it can write.
    if (!this.shared) {
      try {
        SqliteStorage.clearStaleClaims(db);
      } catch (error) {
        const fault = sqliteFault(error);
        if (fault === undefined) throw error;
        this.staleClaims = true;
        this.noteFault(fault);
      }
    } else db.pragma('busy_timeout = 0'); // with peers, a busy write lock is waited for by retrying the batch (flush)
    options.peers?.onEvent((event) => {
      for (const listener of this.listeners) listener(event);
    });
  }

  static open(path: string, options: SqliteOptions = {}): SqliteStorage {
    const db = openSqlite(path);
    // `:memory:` is one connection's own database: there reads share the writer's connection.
    const reader = path === ':memory:' ? undefined : openSqliteReader(path);
    return new SqliteStorage(db, { ...options, ...(reader === undefined ? {} : { reader, path }) });
  }

  /** Frees every lease and lock (but `keepOwner`'s): only for a process that is the file's first user. */
  static clearStaleClaims(db: SqliteDatabase, keepOwner?: string): void {
    db.transaction(() => {
      const others = keepOwner === undefined ? '' : ' AND lease_owner IS NOT ?';
      const params = keepOwner === undefined ? [] : [keepOwner];
      for (const table of ['jobs', 'callbacks', 'payments']) {
        db.prepare(`UPDATE ${table} SET lease_owner = NULL, lease_until = NULL WHERE lease_until IS NOT NULL${others}`).run(...params);
      }
      db.prepare(`DELETE FROM locks${keepOwner === undefined ? '' : ' WHERE owner IS NOT ?'}`).run(...params);
    }).immediate();
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
        else this.checkpointWhenIdle();
      });
    };
    if (delayMs > 0) setTimeout(flushNow, delayMs);
    else setImmediate(flushNow);
  }

  /** Whether the last flush found another process writing (with peers only). */
  private busy = false;

  private changes(): number {
    return (this.executor.statement('SELECT total_changes() AS n').get() as { n: number }).n;
  }

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
      const refusal = this.refusalOf(error);
      for (const pending of failed) pending.reject(refusal);
      return;
    }
    const batch = this.queue;
    this.queue = [];
    const outcomes: Outcome[] = [];
    const changesBefore = this.changes();
    try {
      for (const pending of batch) {
        statement('SAVEPOINT unit').run();
        const dueWork = new DueWork();
        try {
          outcomes.push({ ok: true, value: await pending.work(sqlRepositories(this.executor, sqliteDialect, dueWork)), dueWork });
          statement('RELEASE unit').run();
        } catch (error) {
          // The disk's refusal ends the whole batch: SQLite may have rolled the transaction back already.
          const fault = sqliteFault(error);
          if (fault !== undefined) throw fault;
          // A refusal thrown by one request's work rolls back that work alone.
          statement('ROLLBACK TO unit').run();
          statement('RELEASE unit').run();
          outcomes.push({ ok: false, error });
        }
      }
      const wrote = this.changes() > changesBefore;
      statement('COMMIT').run();
      // A commit that wrote pages proves the disk takes writes again (one that changed nothing writes nothing).
      if (wrote) this.noteWritable();
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // Nothing was committed either way.
      }
      const refusal = this.refusalOf(error);
      for (const pending of batch) pending.reject(refusal);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index] as Outcome;
      if (!outcome.ok) return pending.reject(outcome.error);
      for (const event of outcome.dueWork.events()) this.publish(event);
      pending.resolve(outcome.value);
    });
  }

  /** What a caller is told of an error of the batch: the storage's fault as such (noted), else the error itself. */
  private refusalOf(error: unknown): unknown {
    const fault = sqliteFault(error);
    if (fault === undefined) return error;
    this.noteFault(fault);
    return fault;
  }

  private noteFault(fault: StorageFault): void {
    if (this.current === fault.state || this.closed) return;
    this.current = fault.state;
    this.log.error({ storage: fault.state }, `${fault.message}: writes are refused (code 601, HTTP 503) and reads go on; a probe write every ${PROBE_MS} ms looks for space`);
    this.probeTimer ??= setInterval(() => void this.checkState(), PROBE_MS);
    this.probeTimer.unref();
  }

  /** Whether the database's filesystem has room again (unknown: taken as yes). */
  private hasRoom(): boolean {
    if (this.options.path === undefined) return true;
    try {
      const stats = statfsSync(dirname(this.options.path));
      return stats.bavail * stats.bsize >= ROOM_AGAIN_BYTES;
    } catch {
      return true;
    }
  }

  private noteWritable(): void {
    if (this.current === 'ok' || (this.current === 'full' && !this.hasRoom())) return;
    this.current = 'ok';
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.log.warn({ storage: 'ok' }, 'storage writable again: writes are taken');
    if (this.staleClaims) {
      // Alone on the file, every lease but this process's own is an earlier run's.
      try {
        SqliteStorage.clearStaleClaims(this.db, this.options.instanceId);
        this.staleClaims = false;
      } catch {
        // Left to lapse by time.
      }
    }
    // Work that waited for the disk (callbacks, timers) is looked at again now.
    this.publish({ topic: 'jobs' });
  }

  /** Moves the WAL into the database file and empties it once writes pause, giving its space back to the disk. */
  private checkpointWhenIdle(): void {
    if (this.closed || this.options.reader === undefined) return;
    if (this.checkpointTimer !== undefined) {
      this.checkpointTimer.refresh();
      return;
    }
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      if (this.closed || this.flushing !== undefined || this.flushScheduled || this.queue.length > 0) return;
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // A full disk cannot take the WAL's pages into the file: they stay in the WAL, as committed as before.
      }
    }, IDLE_CHECKPOINT_MS);
    this.checkpointTimer.unref();
  }

  state(): StorageState {
    return this.current;
  }

  async checkState(): Promise<StorageState> {
    if (this.current === 'ok' || this.closed) return this.current;
    // A write that needs a page of its own: it is taken only when the disk has room again.
    await this.transact((tx) => tx.meta.put('storage_probe', String(Date.now()))).catch(() => undefined);
    return this.current;
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
      void this.transact(async () => this.executor.run('UPDATE locks SET until = ? WHERE name = ? AND owner = ?', [Date.now() + LOCK_MS, name, owner]))
        .catch(() => undefined);
    }, LOCK_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.transact(async () => this.executor.run('DELETE FROM locks WHERE name = ? AND owner = ?', [name, owner])).catch(() => undefined);
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
    this.closed = true;
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    if (this.checkpointTimer !== undefined) clearTimeout(this.checkpointTimer);
    if (this.options.reader?.open === true) this.options.reader.close();
    if (this.db.open) this.db.close();
  }
}
