// Due work as rows (callback attempts, limit-time timers, delayed outcomes), so nothing lives only in memory.
import type { SqliteDatabase } from './database.js';
import type { Job, JobKind } from '../domain/model.js';

interface JobRow { id: number; kind: JobKind; ref: number; due_at: number; payload: string; project_id: number }

function rowToJob(row: JobRow): Job {
  return { id: row.id, kind: row.kind, ref: row.ref, dueAt: row.due_at, payload: row.payload, projectId: row.project_id };
}

export class JobsStore {
  private readonly upsertStmt;
  private readonly removeStmt;
  private readonly dueStmt;
  private readonly nextDueStmt;
  private readonly ofStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.upsertStmt = db.prepare(`INSERT INTO jobs (kind, ref, due_at, payload, project_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload`);
    this.removeStmt = db.prepare('DELETE FROM jobs WHERE kind = ? AND ref = ?');
    this.dueStmt = db.prepare<[number, string, number], JobRow>(
      'SELECT * FROM jobs WHERE due_at <= ? AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY due_at, id LIMIT ?',
    );
    this.nextDueStmt = db.prepare<[], { due_at: number }>('SELECT due_at FROM jobs ORDER BY due_at LIMIT 1');
    this.ofStmt = db.prepare<[JobKind, number], JobRow>('SELECT * FROM jobs WHERE kind = ? AND ref = ?');
  }

  put(kind: JobKind, ref: number, dueAt: number, projectId: number, payload = ''): void {
    this.upsertStmt.run(kind, ref, dueAt, payload, projectId);
  }

  remove(kind: JobKind, ref: number): void {
    this.removeStmt.run(kind, ref);
  }

  find(kind: JobKind, ref: number): Job | undefined {
    const row = this.ofStmt.get(kind, ref);
    return row === undefined ? undefined : rowToJob(row);
  }

  /** Due rows other than those already claimed (running or queued in memory). */
  due(until: number, limit: number, claimed: Iterable<number> = []): Job[] {
    return this.dueStmt.all(until, JSON.stringify([...claimed]), limit).map(rowToJob);
  }

  nextDueAt(): number | undefined {
    return this.nextDueStmt.get()?.due_at;
  }

  deleteAll(projectId: number | undefined): void {
    if (projectId === undefined) this.db.prepare('DELETE FROM jobs').run();
    else this.db.prepare('DELETE FROM jobs WHERE project_id = ?').run(projectId);
  }
}
