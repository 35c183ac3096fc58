// Due work, leased to the instance that runs it so that each attempt is made once even when several instances
// share the database. Three places hold it: the jobs table (delayed outcomes, batch chunks), the scheduled
// callbacks (their next attempt) and the payments in progress (their limit time), each with a partial index.
import type { Job, JobKind, RowJobKind } from '../../domain/model.js';
import type { DueBound, DueSummary, Jobs, Lease, NewJob } from '../../domain/ports.js';
import type { Dialect, SqlExecutor, SqlValue } from './executor.js';
import { deleteOfProject } from './list-query.js';
import type { DueWork } from './due-work.js';

interface Place {
  table: string;
  key: string;
  due: string;
  /** Which rows are due work at all (matches the partial index). */
  pending: string;
  /** The job's kind and payload as columns of the SELECT. */
  kind: string;
  payload: string;
  /** The column naming the payment, for a wait on one payment's work. */
  payment: string;
}

const PLACES: Record<'jobs' | 'callbacks' | 'limits', Place> = {
  jobs: { table: 'jobs', key: 'id', due: 'due_at', pending: 'TRUE', kind: 'kind', payload: 'payload', payment: 'payment_row_id' },
  callbacks: { table: 'callbacks', key: 'id', due: 'next_attempt_at', pending: `state = 'scheduled'`, kind: `'callback'`, payload: `''`, payment: 'payment_row_id' },
  limits: { table: 'payments', key: 'row_id', due: 'limit_timer_at', pending: 'limit_timer_at IS NOT NULL', kind: `'limit'`, payload: `''`, payment: 'row_id' },
};

const FREE = '(lease_until IS NULL OR lease_until <= ?)';

function placeOf(kind: JobKind): Place {
  return kind === 'callback' ? PLACES.callbacks : kind === 'limit' ? PLACES.limits : PLACES.jobs;
}

function refOf(place: Place): string {
  return place === PLACES.jobs ? 'ref' : place.key;
}

function selectJob(place: Place): string {
  return `${place.kind} AS kind, ${refOf(place)} AS ref, ${place.due} AS due_at, ${place.payload} AS payload, project_id`;
}

interface JobRow { kind: JobKind; ref: number; due_at: number; payload: string; project_id: number }

const rowToJob = (row: JobRow): Job => ({ kind: row.kind, ref: row.ref, dueAt: row.due_at, payload: row.payload, projectId: row.project_id });

/** `WHERE` of one place's row for a job: the table's own key, or kind and ref in the jobs table. */
function whereJob(kind: JobKind, ref: number): { place: Place; sql: string; params: SqlValue[] } {
  const place = placeOf(kind);
  return place === PLACES.jobs
    ? { place, sql: 'kind = ? AND ref = ?', params: [kind, ref] }
    : { place, sql: `${place.key} = ? AND ${place.pending}`, params: [ref] };
}

export class SqlJobs implements Jobs {
  constructor(private readonly db: SqlExecutor, private readonly dialect: Dialect, private readonly dueWork?: DueWork) {}

  async put(job: NewJob): Promise<void> {
    this.dueWork?.add(job.projectId, job.dueAt);
    await this.db.run(
      `INSERT INTO jobs (kind, ref, due_at, payload, project_id, payment_row_id) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, lease_owner = NULL, lease_until = NULL`,
      [job.kind, job.ref, job.dueAt, job.payload ?? '', job.projectId, job.paymentRowId ?? null],
    );
  }

  async remove(kind: RowJobKind, ref: number): Promise<void> {
    await this.db.run('DELETE FROM jobs WHERE kind = ? AND ref = ?', [kind, ref]);
  }

  async find(kind: JobKind, ref: number): Promise<Job | undefined> {
    const { place, sql, params } = whereJob(kind, ref);
    const row = await this.db.get<JobRow>(`SELECT ${selectJob(place)} FROM ${place.table} WHERE ${sql}`, params);
    return row === undefined ? undefined : rowToJob(row);
  }

  async claim(until: DueBound, limit: number, lease: Lease, realNow: number): Promise<Job[]> {
    const claimed: JobRow[] = [];
    // With a clock per project, work is due by its own project's time; the latest of those bounds the scan.
    const due = (place: Place) => until === 'project-clocks'
      ? { join: ' JOIN clocks k ON k.project_id = w.project_id', test: `${place.due} <= k.at AND ${place.due} <= (SELECT max(at) FROM clocks)`, params: [] }
      : { join: '', test: `${place.due} <= ?`, params: [until] };
    for (const place of [PLACES.callbacks, PLACES.limits, PLACES.jobs]) {
      const left = limit - claimed.length;
      if (left <= 0) break;
      const bound = due(place);
      claimed.push(...await this.db.all<JobRow>(
        `UPDATE ${place.table} SET lease_owner = ?, lease_until = ? WHERE ${place.key} IN (
           SELECT w.${place.key} FROM ${place.table} w${bound.join} WHERE ${place.pending} AND ${bound.test} AND ${FREE}
           ORDER BY ${place.due}, w.${place.key} LIMIT ?${this.dialect.skipLocked})
         RETURNING ${selectJob(place)}`,
        [lease.owner, lease.until, ...bound.params, realNow, left],
      ));
    }
    return claimed.sort((a, b) => a.due_at - b.due_at || a.ref - b.ref).map(rowToJob);
  }

  async holdOff(kind: JobKind, ref: number, lease: Lease): Promise<void> {
    const { place, sql, params } = whereJob(kind, ref);
    await this.db.run(`UPDATE ${place.table} SET lease_owner = ?, lease_until = ? WHERE ${sql}`, [lease.owner, lease.until, ...params]);
  }

  async nextDue(realNow: number): Promise<DueSummary> {
    const places = Object.values(PLACES);
    const due = places.map((p) => `(SELECT ${p.due} FROM ${p.table} WHERE ${p.pending} AND ${FREE} ORDER BY ${p.due} LIMIT 1)`);
    const leases = places.map((p) => `(SELECT min(lease_until) FROM ${p.table} WHERE lease_until IS NOT NULL AND lease_until > ?)`);
    const row = await this.db.get<Record<string, number | null>>(
      `SELECT ${[...due.map((sql, n) => `${sql} AS d${n}`), ...leases.map((sql, n) => `${sql} AS l${n}`)].join(', ')}`,
      [...places.map(() => realNow), ...places.map(() => realNow)],
    );
    const earliest = (prefix: string) => {
      const values = places.map((_, n) => row?.[`${prefix}${n}`]).filter((v): v is number => v !== null && v !== undefined);
      return values.length === 0 ? undefined : Math.min(...values);
    };
    return { dueAt: earliest('d'), leaseEndsAt: earliest('l') };
  }

  async earliestDueAt(projectId?: number): Promise<number | undefined> {
    const places = Object.values(PLACES);
    const scope = projectId === undefined ? '' : ' AND project_id = ?';
    const row = await this.db.get<Record<string, number | null>>(
      `SELECT ${places.map((p, n) => `(SELECT ${p.due} FROM ${p.table} WHERE ${p.pending}${scope} ORDER BY ${p.due} LIMIT 1) AS d${n}`).join(', ')}`,
      projectId === undefined ? [] : places.map(() => projectId),
    );
    const values = places.map((_, n) => row?.[`d${n}`]).filter((v): v is number => v !== null && v !== undefined);
    return values.length === 0 ? undefined : Math.min(...values);
  }

  async anyDue(until: number, scope: { projectId?: number; paymentRowId?: number } = {}): Promise<boolean> {
    const params: SqlValue[] = [];
    const checks = Object.values(PLACES).map((p) => {
      let sql = `SELECT 1 FROM ${p.table} WHERE ${p.pending} AND ${p.due} <= ?`;
      params.push(until);
      if (scope.projectId !== undefined) { sql += ' AND project_id = ?'; params.push(scope.projectId); }
      if (scope.paymentRowId !== undefined) { sql += ` AND ${p.payment} = ?`; params.push(scope.paymentRowId); }
      return `EXISTS (${sql})`;
    });
    return ((await this.db.get<{ due: number }>(`SELECT CASE WHEN ${checks.join(' OR ')} THEN 1 ELSE 0 END AS due`, params))?.due ?? 0) === 1;
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'jobs', projectId);
  }
}
