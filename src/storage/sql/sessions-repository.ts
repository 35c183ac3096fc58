// Dashboard sessions: only the hash of a session's id is kept, so nothing stored works as a cookie.
import type { DashboardSession } from '../../domain/model.js';
import type { Sessions } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';

interface SessionRow { id_hash: string; actor: 'admin' | 'project'; project_id: number | null; created_at: number; expires_at: number; revoked_at: number | null }

export class SqlSessions implements Sessions {
  constructor(private readonly db: SqlExecutor) {}

  async insert(session: DashboardSession): Promise<void> {
    await this.db.run('INSERT INTO sessions (id_hash, actor, project_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)', [
      session.idHash, session.actor, session.projectId ?? null, session.createdAt, session.expiresAt, session.revokedAt ?? null,
    ]);
  }

  async find(idHash: string): Promise<DashboardSession | undefined> {
    const row = await this.db.get<SessionRow>('SELECT * FROM sessions WHERE id_hash = ?', [idHash]);
    return row === undefined ? undefined : {
      idHash: row.id_hash, actor: row.actor, projectId: row.project_id ?? undefined, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at ?? undefined,
    };
  }

  async revoke(idHash: string, at: number): Promise<void> {
    await this.db.run('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL', [at, idHash]);
  }

  async deleteEnded(before: number): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?', [before, before]);
  }
}
