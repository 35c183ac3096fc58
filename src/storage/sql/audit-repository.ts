// The audit log of control actions: who (admin, a project's token, or anyone when the sandbox is open), what, when.
import type { AuditEntry, AuditFilter } from '../../domain/model.js';
import type { AuditLog } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';
import { newestFirst } from './list-query.js';

interface AuditRow { id: number; at: number; actor: string; project_id: number | null; action: string; details: string }

export class SqlAudit implements AuditLog {
  constructor(private readonly db: SqlExecutor) {}

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO audit (at, actor, project_id, action, details) VALUES (?, ?, ?, ?, ?)', [
      entry.at, entry.actor, entry.projectId ?? null, entry.action, JSON.stringify(entry.details),
    ]);
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const rows = await newestFirst<AuditRow>(this.db, 'audit', [['project_id', filter.projectId]], filter.limit, filter.offset);
    return rows.map((row) => ({
      id: row.id, at: row.at, actor: row.actor, projectId: row.project_id ?? undefined, action: row.action, details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
