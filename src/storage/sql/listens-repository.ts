// Listeners (`ecommpay-sandbox listen`) and the callbacks handed over to them. A handoff is offered by the
// instance making a delivery attempt, taken by one listener in one statement (SKIP LOCKED on PostgreSQL, the one
// writer on SQLite), and answered once; the offering instance records the answer as the attempt.
import type { ListenAnswer, ListenerPresence, ListenHandoff } from '../../domain/model.js';
import type { Listens } from '../../domain/ports.js';
import type { Dialect, SqlExecutor } from './executor.js';

interface HandoffRow {
  id: number; project_id: number; callback_id: number; payment_id: string; attempt: number; body: string; offered_at: number;
  listener_id: string | null; answer: string | null;
}

function handoffOf(row: HandoffRow): ListenHandoff {
  return {
    id: Number(row.id), projectId: Number(row.project_id), callbackId: Number(row.callback_id), paymentId: row.payment_id, attempt: Number(row.attempt),
    body: row.body, offeredAt: Number(row.offered_at), listenerId: row.listener_id ?? undefined,
    answer: row.answer === null ? undefined : (JSON.parse(row.answer) as ListenAnswer),
  };
}

export class SqlListens implements Listens {
  constructor(private readonly db: SqlExecutor, private readonly dialect: Dialect) {}

  async live(projectId: number, since: number): Promise<ListenerPresence[]> {
    const rows = await this.db.all<{ id: string; project_id: number; instance: string; seen_at: number }>(
      'SELECT id, project_id, instance, seen_at FROM listeners WHERE project_id = ? AND seen_at >= ? ORDER BY id', [projectId, since]);
    return rows.map((r) => ({ id: r.id, projectId: Number(r.project_id), instance: r.instance, seenAt: Number(r.seen_at) }));
  }

  async answered(ids: readonly number[]): Promise<ListenHandoff[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<HandoffRow>(`SELECT * FROM listen_handoffs WHERE answer IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`, ids);
    return rows.map(handoffOf);
  }

  async present(listener: ListenerPresence): Promise<void> {
    await this.db.run(
      'INSERT INTO listeners (id, project_id, instance, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at',
      [listener.id, listener.projectId, listener.instance, listener.seenAt],
    );
  }

  async seen(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(`UPDATE listeners SET seen_at = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [at, ...ids]);
  }

  async gone(id: string): Promise<void> {
    await this.db.run('DELETE FROM listeners WHERE id = ?', [id]);
  }

  async offer(handoff: Omit<ListenHandoff, 'id' | 'listenerId' | 'answer'>): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      'INSERT INTO listen_handoffs (project_id, callback_id, payment_id, attempt, body, offered_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [handoff.projectId, handoff.callbackId, handoff.paymentId, handoff.attempt, handoff.body, handoff.offeredAt],
    );
    return Number((row as { id: number }).id);
  }

  async take(projectId: number, listenerId: string, limit: number): Promise<ListenHandoff[]> {
    const rows = await this.db.all<HandoffRow>(
      `UPDATE listen_handoffs SET listener_id = ? WHERE id IN (
        SELECT w.id FROM listen_handoffs w WHERE w.project_id = ? AND w.listener_id IS NULL AND w.answer IS NULL ORDER BY w.id LIMIT ?${this.dialect.skipLocked}
      ) AND listener_id IS NULL RETURNING *`,
      [listenerId, projectId, limit],
    );
    return rows.map(handoffOf).sort((a, b) => a.id - b.id);
  }

  async answer(id: number, projectId: number, listenerId: string | undefined, answer: ListenAnswer): Promise<boolean> {
    const changed = listenerId === undefined
      ? await this.db.run('UPDATE listen_handoffs SET answer = ? WHERE id = ? AND project_id = ? AND answer IS NULL', [JSON.stringify(answer), id, projectId])
      : await this.db.run('UPDATE listen_handoffs SET answer = ? WHERE id = ? AND project_id = ? AND listener_id = ? AND answer IS NULL',
        [JSON.stringify(answer), id, projectId, listenerId]);
    return changed > 0;
  }

  async abandon(listenerId: string, answer: ListenAnswer): Promise<number[]> {
    const rows = await this.db.all<{ project_id: number }>(
      'UPDATE listen_handoffs SET answer = ? WHERE listener_id = ? AND answer IS NULL RETURNING project_id', [JSON.stringify(answer), listenerId]);
    return [...new Set(rows.map((r) => Number(r.project_id)))];
  }

  async remove(id: number): Promise<void> {
    await this.db.run('DELETE FROM listen_handoffs WHERE id = ?', [id]);
  }
}
