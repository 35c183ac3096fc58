// Due work as rows (callback attempts, limit-time timers, delayed outcomes, batch chunks), leased to the
// instance that runs them so that each attempt is made once even when several instances share the database.
import type { Job, JobKind } from '../../domain/model.js';
import type { DueSummary, Jobs, Lease, NewJob } from '../../domain/ports.js';
import type { Dialect, SqlExecutor, SqlValue } from './executor.js';
import { deleteOfProject } from './list-query.js';
import { rowToJob, type JobRow } from './rows.js';

const FREE = '(lease_until IS NULL OR lease_until <= ?)';

export class SqlJobs implements Jobs {
  constructor(private readonly db: SqlExecutor, private readonly dialect: Dialect) {}

  async put(job: NewJob): Promise<void> {
    await this.db.run(
      `INSERT INTO jobs (kind, ref, due_at, payload, project_id, payment_row_id) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, lease_owner = NULL, lease_until = NULL`,
      [job.kind, job.ref, job.dueAt, job.payload ?? '', job.projectId, job.paymentRowId ?? null],
    );
  }

  async remove(kind: JobKind, ref: number): Promise<void> {
    await this.db.run('DELETE FROM jobs WHERE kind = ? AND ref = ?', [kind, ref]);
  }

  async find(kind: JobKind, ref: number): Promise<Job | undefined> {
    const row = await this.db.get<JobRow>('SELECT * FROM jobs WHERE kind = ? AND ref = ?', [kind, ref]);
    return row === undefined ? undefined : rowToJob(row);
  }

  async claim(until: number, limit: number, lease: Lease, realNow: number): Promise<Job[]> {
    const rows = await this.dialect.claimJobs(this.db, until, limit, lease, realNow);
    return rows.sort((a, b) => a.due_at - b.due_at || a.id - b.id).map(rowToJob);
  }

  async postpone(id: number, dueAt: number): Promise<void> {
    await this.db.run('UPDATE jobs SET due_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?', [dueAt, id]);
  }

  async nextDue(realNow: number): Promise<DueSummary> {
    const due = await this.db.get<{ due_at: number }>(`SELECT due_at FROM jobs WHERE ${FREE} ORDER BY due_at LIMIT 1`, [realNow]);
    const lease = await this.db.get<{ lease_until: number }>(
      'SELECT lease_until FROM jobs WHERE lease_until IS NOT NULL AND lease_until > ? ORDER BY lease_until LIMIT 1',
      [realNow],
    );
    return { dueAt: due?.due_at, leaseEndsAt: lease?.lease_until };
  }

  async earliestDueAt(): Promise<number | undefined> {
    return (await this.db.get<{ due_at: number }>('SELECT due_at FROM jobs ORDER BY due_at LIMIT 1'))?.due_at;
  }

  async anyDue(until: number, scope: { projectId?: number; paymentRowId?: number } = {}): Promise<boolean> {
    let sql = 'SELECT 1 AS due FROM jobs WHERE due_at <= ?';
    const params: SqlValue[] = [until];
    if (scope.projectId !== undefined) { sql += ' AND project_id = ?'; params.push(scope.projectId); }
    if (scope.paymentRowId !== undefined) { sql += ' AND payment_row_id = ?'; params.push(scope.paymentRowId); }
    return (await this.db.get(`${sql} LIMIT 1`, params)) !== undefined;
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'jobs', projectId);
  }
}
