// Callbacks (the durable outbox), every delivery attempt, and the built-in inbox.
import type { CallbackAttempt, CallbackFilter, CallbackRecord, InboxEntry, ListFilter } from '../../domain/model.js';
import type { AttemptOutcome, Callbacks, NewCallback } from '../../domain/ports.js';
import type { DueWork } from './due-work.js';
import type { SqlExecutor } from './executor.js';
import { deleteOfProject, newestFirst } from './list-query.js';
import { rowToAttempt, rowToCallback, type AttemptRow, type CallbackRow } from './rows.js';

interface InboxRow { id: number; callback_id: number; project_id: number; payment_id: string; received_at: number; body: string }

export class SqlCallbacks implements Callbacks {
  constructor(private readonly db: SqlExecutor, private readonly dueWork?: DueWork) {}

  async insert(record: NewCallback): Promise<number> {
    if (record.state === 'scheduled') this.dueWork?.add(record.projectId, record.nextAttemptAt);
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO callbacks (project_id, payment_id, payment_row_id, kind, url, body, signed, state, created_at, next_attempt_at, replay_of, faults)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        record.projectId, record.paymentId, record.paymentRowId, record.kind, record.url ?? null, record.body, record.signed ? 1 : 0, record.state,
        record.createdAt, record.nextAttemptAt ?? null, record.replayOf ?? null, JSON.stringify(record.faults),
      ],
    );
    return (row as { id: number }).id;
  }

  async find(id: number): Promise<CallbackRecord | undefined> {
    const row = await this.db.get<CallbackRow>('SELECT * FROM callbacks WHERE id = ?', [id]);
    return row === undefined ? undefined : rowToCallback(row);
  }

  async ofPayment(paymentRowId: number): Promise<CallbackRecord[]> {
    return (await this.db.all<CallbackRow>('SELECT * FROM callbacks WHERE payment_row_id = ? ORDER BY id', [paymentRowId])).map(rowToCallback);
  }

  async hasPending(paymentRowId: number): Promise<boolean> {
    const row = await this.db.get(
      `SELECT 1 AS pending FROM callbacks WHERE payment_row_id = ? AND kind <> 'replay' AND state IN ('queued', 'scheduled') LIMIT 1`,
      [paymentRowId],
    );
    return row !== undefined;
  }

  async nextQueued(paymentRowId: number): Promise<CallbackRecord | undefined> {
    const row = await this.db.get<CallbackRow>(`SELECT * FROM callbacks WHERE payment_row_id = ? AND state = 'queued' ORDER BY id LIMIT 1`, [paymentRowId]);
    return row === undefined ? undefined : rowToCallback(row);
  }

  async schedule(id: number, at: number, projectId: number): Promise<void> {
    this.dueWork?.add(projectId, at);
    await this.db.run(`UPDATE callbacks SET state = 'scheduled', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`, [at, id]);
  }

  async recordAttempt(attempt: CallbackAttempt, outcome: AttemptOutcome): Promise<void> {
    // The callback's project is not at hand here: a retry is announced as work to look at now.
    if (outcome.nextAttemptAt !== undefined) this.dueWork?.add(undefined, undefined);
    await this.db.run(
      `INSERT INTO callback_attempts (callback_id, number, at, url, http_status, error, latency_ms, response_excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [attempt.callbackId, attempt.number, attempt.at, attempt.url, attempt.httpStatus ?? null, attempt.error ?? null, attempt.latencyMs, attempt.responseExcerpt],
    );
    await this.db.run(
      `UPDATE callbacks SET state = ?, attempts = ?, first_attempt_at = coalesce(first_attempt_at, ?), next_attempt_at = ?, delivered_at = ?,
        lease_owner = NULL, lease_until = NULL WHERE id = ?`,
      [outcome.state, attempt.number, attempt.at, outcome.nextAttemptAt ?? null, outcome.deliveredAt ?? null, attempt.callbackId],
    );
  }

  async attemptsOf(callbackId: number): Promise<CallbackAttempt[]> {
    return (await this.db.all<AttemptRow>('SELECT * FROM callback_attempts WHERE callback_id = ? ORDER BY number', [callbackId])).map(rowToAttempt);
  }

  async list(filter: CallbackFilter): Promise<CallbackRecord[]> {
    const rows = await newestFirst<CallbackRow>(this.db, 'callbacks', [['project_id', filter.projectId], ['payment_id', filter.paymentId], ['state', filter.state]], filter.limit, filter.offset);
    return rows.map(rowToCallback);
  }

  async addToInbox(callback: CallbackRecord, signedBody: string, at: number): Promise<void> {
    await this.db.run('INSERT INTO inbox (callback_id, project_id, payment_id, received_at, body) VALUES (?, ?, ?, ?, ?)', [
      callback.id, callback.projectId, callback.paymentId, at, signedBody,
    ]);
  }

  async inbox(filter: ListFilter): Promise<InboxEntry[]> {
    const rows = await newestFirst<InboxRow>(this.db, 'inbox', [['project_id', filter.projectId], ['payment_id', filter.paymentId]], filter.limit, filter.offset);
    return rows.map((row) => ({
      id: row.id, callbackId: row.callback_id, projectId: row.project_id, paymentId: row.payment_id, receivedAt: row.received_at,
      body: JSON.parse(row.body) as unknown,
    }));
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    if (projectId === undefined) await this.db.run('DELETE FROM callback_attempts');
    else await this.db.run('DELETE FROM callback_attempts WHERE callback_id IN (SELECT id FROM callbacks WHERE project_id = ?)', [projectId]);
    await deleteOfProject(this.db, 'callbacks', projectId);
    await deleteOfProject(this.db, 'inbox', projectId);
  }
}
