// `npm run bench:pg-drivers`: the two PostgreSQL drivers on npm (pg and postgres) on the sandbox's own shape
// of work — a sale's transaction of six statements, and a status read — so the choice rests on a measurement.
// Needs SANDBOX_BENCH_PG (a postgres:// URL of a throwaway database) or starts a server itself.
import pg from 'pg';
import postgres from 'postgres';
import { startPostgres } from '../test/helpers/postgres-server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 50;
const POOL = 10;

const SCHEMA = `
  DROP TABLE IF EXISTS drv_payments, drv_operations, drv_jobs; DROP SEQUENCE IF EXISTS drv_ids;
  CREATE TABLE drv_payments (row_id bigserial PRIMARY KEY, project_id bigint NOT NULL, payment_id text NOT NULL, body text NOT NULL,
    UNIQUE (project_id, payment_id));
  CREATE TABLE drv_operations (id bigint PRIMARY KEY, payment_row_id bigint NOT NULL, body text NOT NULL);
  CREATE TABLE drv_jobs (id bigserial PRIMARY KEY, kind text NOT NULL, ref bigint NOT NULL, due_at bigint NOT NULL, UNIQUE (kind, ref));
  CREATE SEQUENCE drv_ids;`;

const JOB_UPSERT = 'INSERT INTO drv_jobs (kind, ref, due_at) VALUES ($1, $2, $3) ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at';

interface Driver {
  name: string;
  sale(n: number): Promise<void>;
  status(n: number): Promise<void>;
  close(): Promise<void>;
}

function pgDriver(url: string): Driver {
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  return {
    name: 'pg (node-postgres) 8',
    async sale(n) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inserted = await client.query({ name: 'ins-pay', text: 'INSERT INTO drv_payments (project_id, payment_id, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING row_id', values: [1, `pg-${n}`, 'x'.repeat(600)] });
        const rowId = inserted.rows[0].row_id as string;
        const id = (await client.query({ name: 'next-id', text: "SELECT nextval('drv_ids') AS id" })).rows[0].id as string;
        await client.query({ name: 'ins-op', text: 'INSERT INTO drv_operations (id, payment_row_id, body) VALUES ($1, $2, $3)', values: [id, rowId, 'y'.repeat(300)] });
        for (const kind of ['callback', 'limit', 'outcome']) {
          await client.query({ name: 'ins-job', text: JOB_UPSERT, values: [kind, rowId, n] });
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    async status(n) {
      await pool.query({ name: 'find', text: 'SELECT * FROM drv_payments WHERE project_id = $1 AND payment_id = $2', values: [1, `pg-${n % 1000}`] });
    },
    close: () => pool.end(),
  };
}

function postgresDriver(url: string): Driver {
  const sql = postgres(url, { max: POOL, onnotice: () => {} });
  return {
    name: 'postgres (Postgres.js) 3',
    async sale(n) {
      await sql.begin(async (tx) => {
        const [row] = await tx`INSERT INTO drv_payments (project_id, payment_id, body) VALUES (${1}, ${`js-${n}`}, ${'x'.repeat(600)}) ON CONFLICT DO NOTHING RETURNING row_id`;
        const [{ id }] = await tx`SELECT nextval('drv_ids') AS id`;
        await tx`INSERT INTO drv_operations (id, payment_row_id, body) VALUES (${id}, ${row!.row_id}, ${'y'.repeat(300)})`;
        for (const kind of ['callback', 'limit', 'outcome']) {
          await tx`INSERT INTO drv_jobs (kind, ref, due_at) VALUES (${kind}, ${row!.row_id}, ${n}) ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at`;
        }
      });
    },
    async status(n) {
      await sql`SELECT * FROM drv_payments WHERE project_id = ${1} AND payment_id = ${`js-${n % 1000}`}`;
    },
    close: () => sql.end(),
  };
}

let next = 0;

async function drive(work: (n: number) => Promise<void>): Promise<{ perSecond: number; p99: number }> {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      await work(next++);
      latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(latencies.length / SECONDS), p99: Math.round((latencies[Math.floor(latencies.length * 0.99)] ?? 0) * 10) / 10 };
}

const server = process.env.SANDBOX_BENCH_PG === undefined ? await startPostgres() : undefined;
const url = process.env.SANDBOX_BENCH_PG ?? (server as NonNullable<typeof server>).url;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const rows: Array<Record<string, string | number>> = [];
for (const make of [pgDriver, postgresDriver]) {
  await admin.query(SCHEMA);
  const driver = make(url);
  await drive(driver.sale);
  const sale = await drive(driver.sale);
  const status = await drive(driver.status);
  rows.push({ driver: driver.name, 'sale transactions/s': sale.perSecond, 'sale p99 ms': sale.p99, 'status reads/s': status.perSecond, 'status p99 ms': status.p99 });
  await driver.close();
}
await admin.query('DROP TABLE drv_payments, drv_operations, drv_jobs; DROP SEQUENCE drv_ids');
await admin.end();
await server?.stop();
console.table(rows);
console.log(`${new Date().toISOString()}, ${CONCURRENCY} concurrent, pool of ${POOL}, ${SECONDS} s each after a warm-up`);
