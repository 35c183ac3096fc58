// The PostgreSQL backend, for several sandbox instances on one database: a transaction per unit of work on a
// pooled connection (retried on deadlock or serialization failure), named locks as advisory locks, and events
// between instances through LISTEN/NOTIFY.
import pg from 'pg';
import type { Logger, Repositories, Storage, StorageEvent, StorageTopic } from '../../domain/ports.js';
import type { Dialect } from '../sql/executor.js';
import { DueWork } from '../sql/due-work.js';
import { sqlRepositories } from '../sql/repositories.js';
import { SqlReports } from '../sql/reports.js';
import { MIGRATIONS } from './migrations.js';
import { pgDialect } from './pg-dialect.js';
import { PgExecutor } from './pg-executor.js';

const CHANNEL = 'ecommpay_sandbox';
const RETRIED_CODES = new Set(['40001', '40P01']);
const MAX_TRIES = 5;
const POOL_SIZE = 16;

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

  private constructor(private readonly pool: pg.Pool, private readonly url: string, private readonly instanceId: string, private readonly log: Logger) {
    const reader = new PgExecutor(pool);
    this.read = sqlRepositories(reader, this.dialect);
    this.reports = new SqlReports(reader, 'ILIKE');
  }

  static async open(url: string, instanceId: string, log: Logger): Promise<PgStorage> {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types });
    // An idle connection that breaks (a server restart) is dropped from the pool; the next query opens another.
    pool.on('error', (error) => log.warn({ err: error }, 'a PostgreSQL connection failed'));
    const storage = new PgStorage(pool, url, instanceId, log);
    try {
      await storage.migrate();
      await storage.listen();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return storage;
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

  /** A dedicated connection that LISTENs; if it breaks it is opened again, and the scheduler's own polling covers the gap. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      const [sender, topic, due, project] = (message.payload ?? '').split(':');
      if (sender === this.instanceId || (topic !== 'jobs' && topic !== 'clock' && topic !== 'listen')) return;
      const event: StorageEvent = { topic, ...(due === undefined || due === '' ? {} : { dueAt: Number(due) }), ...(project === undefined || project === '' ? {} : { projectId: Number(project) }) };
      for (const listener of this.listeners) listener(event);
    });
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'the PostgreSQL LISTEN connection failed; reconnecting');
      this.listener = undefined;
      if (!this.closed) setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async transact<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const dueWork = new DueWork();
        const value = await work(sqlRepositories(new PgExecutor(client), this.dialect, dueWork));
        await client.query('COMMIT');
        for (const event of dueWork.events()) this.publish(event);
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < MAX_TRIES && RETRIED_CODES.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        client.release();
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

  private async holdingAdvisoryLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const key = `ecommpay-sandbox:lock:${name}`;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      client.release();
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
            .catch((error: unknown) => this.log.warn({ err: error }, 'could not notify the other instances'));
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
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
