// The PostgreSQL backend, for several sandbox instances on one database: a transaction per unit of work on a
// pooled connection (retried on deadlock or serialization failure, and on a connection lost before COMMIT),
// named locks as advisory locks, and events between instances through LISTEN/NOTIFY. A server that cannot be
// reached turns every statement into a StorageFault (code 601, HTTP 503), told once in the log; connections are
// opened again as soon as it answers.
import pg from 'pg';
import { StorageFault, type Logger, type Repositories, type Storage, type StorageEvent, type StorageState, type StorageTopic } from '../../domain/ports.js';
import type { Dialect } from '../sql/executor.js';
import { DueWork } from '../sql/due-work.js';
import { sqlRepositories } from '../sql/repositories.js';
import { SqlReports } from '../sql/reports.js';
import { MIGRATIONS } from './migrations.js';
import { pgDialect } from './pg-dialect.js';
import { PgExecutor, type FaultWatch } from './pg-executor.js';

const CHANNEL = 'ecommpay_sandbox';
const RETRIED_CODES = new Set(['40001', '40P01']);
const MAX_TRIES = 5;
/** A unit of work whose connection was lost before its COMMIT is tried again this many times on a new one. */
const LOST_CONNECTION_TRIES = 2;
const POOL_SIZE = 16;
/**
 * A new connection to a server that does not answer is given up after this long (real ms). A wait for a pooled
 * connection has no such limit: a busy pool is no lost server, and its callers are answered in turn.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/** While the server is lost, a probe looks this often (real ms) whether it answers again. */
const PROBE_MS = 500;
/** The longest pause between tries at a server that refuses connections (start, LISTEN). */
const MAX_BACKOFF_MS = 2_000;
/** How long a start waits for a server that refuses connections, unless told (SANDBOX_DB_WAIT_S). */
export const DEFAULT_WAIT_MS = 30_000;

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|not queryable|timeout expired|Connection ended|connection is closed/i;

/**
 * The server's refusals that are the database's state, not the statement's: a lost or refused connection, a
 * server shutting down or starting (57P01–57P03, class 08), a full disk (53100).
 */
export function pgFault(error: unknown): StorageFault | undefined {
  if (error instanceof StorageFault) return error;
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  if (code === '53100') return new StorageFault('full', 'the PostgreSQL server has no space left');
  if (typeof code === 'string' && (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300')) {
    return new StorageFault('unavailable', `the PostgreSQL server cannot be reached (${code})`);
  }
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return new StorageFault('unavailable', 'the connection to the PostgreSQL server was lost');
  return undefined;
}

/** The pool's connections: each gives up connecting after CONNECT_TIMEOUT_MS (the pool's own option would also limit the wait for a free one). */
class TimedClient extends pg.Client {
  constructor(config: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Epoch milliseconds, operation ids and counts are 64-bit in the schema and well inside a double's integers.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export class PgStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly shared = true;
  readonly read: Repositories;
  readonly reports: SqlReports;
  private readonly dialect: Dialect = pgDialect();
  private readonly listeners: Array<(event: StorageEvent) => void> = [];
  private readonly locks = new Map<string, Promise<unknown>>();
  private listener: pg.Client | undefined;
  /** What to announce this turn, by topic and project: the earliest due time (undefined: due at any time). */
  private pending = new Map<string, { topic: StorageTopic; projectId: number | undefined; dueAt: number | undefined }>();
  private closed = false;
  private current: StorageState = 'ok';
  /**
   * When the server was last found lost (real ms): only a statement sent after it proves it back, not one that
   * was answered while the server was going down.
   */
  private faultAt = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  /** Statements' outcomes tell the storage's state: a lost connection makes it unavailable, an answer ok again. */
  private readonly watch: FaultWatch = {
    failed: (error) => this.refusalOf(error),
    succeeded: (startedAt) => {
      if (this.current === 'unavailable' && startedAt > this.faultAt) this.noteState('ok');
    },
  };

  private constructor(private readonly pool: pg.Pool, private readonly url: string, private readonly instanceId: string, private readonly log: Logger) {
    const reader = new PgExecutor(pool, this.watch);
    this.read = sqlRepositories(reader, this.dialect);
    this.reports = new SqlReports(reader, 'ILIKE');
  }

  /** Opens the database, waiting up to `waitMs` (with backoff, said once in the log) for a server that refuses connections. */
  static async open(url: string, instanceId: string, log: Logger, waitMs = DEFAULT_WAIT_MS): Promise<PgStorage> {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types, Client: TimedClient as unknown as new () => pg.ClientBase });
    const storage = new PgStorage(pool, url, instanceId, log);
    // An idle connection that breaks (a server restart) is dropped from the pool; the next query opens another.
    pool.on('error', (error) => storage.refusalOf(error));
    const started = Date.now();
    try {
      for (let backoff = 250, told = false; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
        try {
          await storage.migrate();
          break;
        } catch (error) {
          const waited = Date.now() - started;
          if (pgFault(error)?.state !== 'unavailable' || waited + backoff > waitMs) throw error;
          if (!told) log.warn({ err: error }, `the PostgreSQL server refuses connections; trying again for up to ${Math.round(waitMs / 1000)} s (SANDBOX_DB_WAIT_S)`);
          told = true;
          await pause(backoff);
        }
      }
      if (Date.now() - started > 1_000) log.warn({ waitedMs: Date.now() - started }, 'the PostgreSQL server answers: starting');
      await storage.listen();
    } catch (error) {
      storage.closed = true;
      await pool.end();
      throw error;
    }
    return storage;
  }

  /** What a caller is told of an error: the server's state as a StorageFault (noted), else the error itself. */
  private refusalOf(error: unknown): unknown {
    const fault = pgFault(error);
    if (fault === undefined) return error;
    this.faultAt = Date.now();
    this.noteState(fault.state);
    return fault;
  }

  private noteState(state: StorageState): void {
    if (this.current === state || this.closed) return;
    const before = this.current;
    this.current = state;
    if (state === 'ok') {
      if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.log.warn({ storage: 'ok' }, 'the PostgreSQL server answers again: writes are taken');
      // Work that waited for the server (callbacks, timers) is looked at again now.
      for (const listener of this.listeners) queueMicrotask(() => listener({ topic: 'jobs' }));
      return;
    }
    this.log.error({ storage: state, before }, `storage ${state}: requests are refused (code 601, HTTP 503) until the PostgreSQL server answers`);
    this.probeTimer ??= setInterval(() => void this.checkState(), PROBE_MS);
    this.probeTimer.unref();
  }

  state(): StorageState {
    return this.current;
  }

  async checkState(): Promise<StorageState> {
    if (this.current === 'ok' || this.closed) return this.current;
    // Unavailable: one round trip; full: a write that must find room.
    if (this.current === 'unavailable') await this.read.meta.get('storage_probe').catch(() => undefined);
    else await this.transact((tx) => tx.meta.put('storage_probe', String(Date.now()))).catch(() => undefined);
    return this.current;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('ecommpay-sandbox:migrations', 0))");
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const applied = Number((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0].v);
      for (let version = applied; version < MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version] as string);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A dedicated connection that LISTENs; if it breaks it is opened again (tried until the server answers), and the
   * scheduler's own polling covers the gap.
   */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('notification', (message) => {
      const [sender, topic, due, project] = (message.payload ?? '').split(':');
      if (sender === this.instanceId || (topic !== 'jobs' && topic !== 'clock' && topic !== 'listen')) return;
      const event: StorageEvent = { topic, ...(due === undefined || due === '' ? {} : { dueAt: Number(due) }), ...(project === undefined || project === '' ? {} : { projectId: Number(project) }) };
      for (const listener of this.listeners) listener(event);
    });
    let lost = false;
    const reconnect = (error: unknown) => {
      if (lost) return;
      lost = true;
      this.refusalOf(error);
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.closed) void this.listenAgain();
    };
    client.on('error', reconnect);
    client.on('end', () => reconnect(new Error('Connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private async listenAgain(): Promise<void> {
    for (let backoff = 250; !this.closed; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      await pause(backoff);
      if (this.closed) return;
      try {
        await this.listen();
        // Notifications sent while it was away are lost: look at the due work now.
        for (const listener of this.listeners) queueMicrotask(() => listener({ topic: 'jobs' }));
        return;
      } catch {
        // The server is still away; try again.
      }
    }
  }

  /** Connections already listened to for errors: one lost while checked out but between statements must not throw. */
  private readonly watched = new WeakSet<pg.PoolClient>();

  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.refusalOf(error);
    }
    if (!this.watched.has(client)) {
      this.watched.add(client);
      client.on('error', (error) => this.refusalOf(error));
    }
    return client;
  }

  async transact<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1, lostTries = 0; ; attempt++) {
      const client = await this.connect();
      let committing = false;
      let broken: unknown;
      const startedAt = Date.now();
      try {
        await client.query('BEGIN');
        const dueWork = new DueWork();
        const value = await work(sqlRepositories(new PgExecutor(client, this.watch), this.dialect, dueWork));
        committing = true;
        await client.query('COMMIT');
        if (this.current !== 'ok' && startedAt > this.faultAt) this.noteState('ok');
        for (const event of dueWork.events()) this.publish(event);
        return value;
      } catch (caught) {
        const error = this.refusalOf(caught);
        if (error instanceof StorageFault) broken = error;
        else await client.query('ROLLBACK').catch((rollback: unknown) => (broken = rollback));
        if (attempt < MAX_TRIES && RETRIED_CODES.has((error as { code?: string }).code ?? '')) continue;
        // A connection lost before COMMIT left nothing behind: the unit runs again on a new one (a pooled
        // connection may have died with a server restart). Lost during COMMIT, its outcome is unknown: refused.
        if (error instanceof StorageFault && error.state === 'unavailable' && !committing && ++lostTries < LOST_CONNECTION_TRIES) continue;
        throw error;
      } finally {
        // A broken connection is dropped from the pool rather than handed to the next caller.
        client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
      }
    }
  }

  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    // Callers in this process queue here first, so only one of them holds a connection while it waits.
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.then(() => this.holdingAdvisoryLock(name, work), () => this.holdingAdvisoryLock(name, work));
    this.locks.set(name, run.catch(() => undefined));
    return run;
  }

  /** The lock lives as long as its connection: a connection lost (or killed) frees it on the server. */
  private async holdingAdvisoryLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const client = await this.connect();
    const key = `ecommpay-sandbox:lock:${name}`;
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]).catch((error: unknown) => {
        throw this.refusalOf(error);
      });
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((error: unknown) => {
          broken = error as Error;
          throw this.refusalOf(error);
        });
      }
    } finally {
      client.release(broken);
    }
  }

  publish(event: StorageEvent): void {
    for (const listener of this.listeners) queueMicrotask(() => listener(event));
    // Notifications of one turn of the event loop go out together, one per topic, with the earliest due time.
    if (this.pending.size === 0) {
      setImmediate(() => {
        const pending = [...this.pending];
        this.pending = new Map();
        if (this.closed) return;
        for (const [, { topic, projectId, dueAt }] of pending) {
          this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, `${this.instanceId}:${topic}:${dueAt ?? ''}:${projectId ?? ''}`])
            .catch((error: unknown) => {
              if (pgFault(error) === undefined) this.log.warn({ err: error }, 'could not notify the other instances');
            });
        }
      });
    }
    const key = `${event.topic}:${event.projectId ?? ''}`;
    const known = this.pending.get(key);
    const dueAt = known === undefined ? event.dueAt : known.dueAt === undefined || event.dueAt === undefined ? undefined : Math.min(known.dueAt, event.dueAt);
    this.pending.set(key, { topic: event.topic, projectId: event.projectId, dueAt });
  }

  subscribe(listener: (event: StorageEvent) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
