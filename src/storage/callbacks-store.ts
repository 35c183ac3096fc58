// Callbacks (the durable outbox), every delivery attempt, and the built-in inbox.
import type { SqliteDatabase } from './database.js';
import { newestFirst, type Equalities } from './list-query.js';
import type { CallbackAttempt, CallbackKind, CallbackRecord, CallbackState } from '../domain/model.js';

interface CallbackRow {
  id: number; project_id: number; payment_id: string; payment_row_id: number; kind: CallbackKind; url: string | null; body: string;
  state: CallbackState; attempts: number; created_at: number; first_attempt_at: number | null; next_attempt_at: number | null;
  delivered_at: number | null; replay_of: number | null; faults: string;
}

interface AttemptRow {
  callback_id: number; number: number; at: number; url: string; http_status: number | null; error: string | null;
  latency_ms: number; response_excerpt: string;
}

export interface InboxEntry { id: number; callbackId: number; projectId: number; paymentId: string; receivedAt: number; body: unknown }

function rowToCallback(row: CallbackRow): CallbackRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    paymentId: row.payment_id,
    paymentRowId: row.payment_row_id,
    kind: row.kind,
    url: row.url ?? undefined,
    body: row.body,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
    firstAttemptAt: row.first_attempt_at ?? undefined,
    nextAttemptAt: row.next_attempt_at ?? undefined,
    deliveredAt: row.delivered_at ?? undefined,
    replayOf: row.replay_of ?? undefined,
    faults: JSON.parse(row.faults) as CallbackRecord['faults'],
  };
}

function rowToAttempt(row: AttemptRow): CallbackAttempt {
  return {
    callbackId: row.callback_id,
    number: row.number,
    at: row.at,
    url: row.url,
    httpStatus: row.http_status ?? undefined,
    error: row.error ?? undefined,
    latencyMs: row.latency_ms,
    responseExcerpt: row.response_excerpt,
  };
}

export interface CallbackFilter { projectId?: number; paymentId?: string; state?: CallbackState; limit: number; offset: number }

export class CallbacksStore {
  private readonly insertStmt;
  private readonly findStmt;
  private readonly ofPaymentStmt;
  private readonly pendingBeforeStmt;
  private readonly nextQueuedStmt;
  private readonly recordAttemptStmt;
  private readonly updateAfterAttemptStmt;
  private readonly scheduleStmt;
  private readonly attemptsStmt;
  private readonly insertInboxStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.insertStmt = db.prepare(`INSERT INTO callbacks (project_id, payment_id, payment_row_id, kind, url, body, state, created_at,
      next_attempt_at, replay_of, faults) VALUES (@projectId, @paymentId, @paymentRowId, @kind, @url, @body, @state, @createdAt, @nextAttemptAt,
      @replayOf, @faults)`);
    this.findStmt = db.prepare<[number], CallbackRow>('SELECT * FROM callbacks WHERE id = ?');
    this.ofPaymentStmt = db.prepare<[number], CallbackRow>('SELECT * FROM callbacks WHERE payment_row_id = ? ORDER BY id');
    this.pendingBeforeStmt = db.prepare<[number], { n: number }>(
      `SELECT count(*) AS n FROM callbacks WHERE payment_row_id = ? AND kind != 'replay' AND state IN ('queued', 'scheduled')`,
    );
    this.nextQueuedStmt = db.prepare<[number], CallbackRow>(
      `SELECT * FROM callbacks WHERE payment_row_id = ? AND state = 'queued' ORDER BY id LIMIT 1`,
    );
    this.recordAttemptStmt = db.prepare(`INSERT INTO callback_attempts (callback_id, number, at, url, http_status, error, latency_ms,
      response_excerpt) VALUES (@callbackId, @number, @at, @url, @httpStatus, @error, @latencyMs, @responseExcerpt)`);
    this.updateAfterAttemptStmt = db.prepare(`UPDATE callbacks SET state = @state, attempts = @attempts,
      first_attempt_at = coalesce(first_attempt_at, @at), next_attempt_at = @nextAttemptAt, delivered_at = @deliveredAt WHERE id = @id`);
    this.scheduleStmt = db.prepare(`UPDATE callbacks SET state = 'scheduled', next_attempt_at = ? WHERE id = ?`);
    this.attemptsStmt = db.prepare<[number], AttemptRow>('SELECT * FROM callback_attempts WHERE callback_id = ? ORDER BY number');
    this.insertInboxStmt = db.prepare(`INSERT INTO inbox (callback_id, project_id, payment_id, received_at, body) VALUES (?, ?, ?, ?, ?)`);
  }

  insert(record: Omit<CallbackRecord, 'id' | 'attempts' | 'firstAttemptAt' | 'deliveredAt'>): number {
    const info = this.insertStmt.run({
      ...record,
      url: record.url ?? null,
      nextAttemptAt: record.nextAttemptAt ?? null,
      replayOf: record.replayOf ?? null,
      faults: JSON.stringify(record.faults),
    });
    return Number(info.lastInsertRowid);
  }

  find(id: number): CallbackRecord | undefined {
    const row = this.findStmt.get(id);
    return row === undefined ? undefined : rowToCallback(row);
  }

  ofPayment(paymentRowId: number): CallbackRecord[] {
    return this.ofPaymentStmt.all(paymentRowId).map(rowToCallback);
  }

  /** Whether an earlier callback of the payment is still waiting for delivery, so a new one must queue behind it. */
  hasPending(paymentRowId: number): boolean {
    return (this.pendingBeforeStmt.get(paymentRowId)?.n ?? 0) > 0;
  }

  nextQueued(paymentRowId: number): CallbackRecord | undefined {
    const row = this.nextQueuedStmt.get(paymentRowId);
    return row === undefined ? undefined : rowToCallback(row);
  }

  schedule(id: number, at: number): void {
    this.scheduleStmt.run(at, id);
  }

  recordAttempt(attempt: CallbackAttempt, outcome: { state: CallbackState; nextAttemptAt: number | undefined; deliveredAt: number | undefined }): void {
    this.recordAttemptStmt.run({ ...attempt, httpStatus: attempt.httpStatus ?? null, error: attempt.error ?? null });
    this.updateAfterAttemptStmt.run({
      id: attempt.callbackId,
      state: outcome.state,
      attempts: attempt.number,
      at: attempt.at,
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      deliveredAt: outcome.deliveredAt ?? null,
    });
  }

  attemptsOf(callbackId: number): CallbackAttempt[] {
    return this.attemptsStmt.all(callbackId).map(rowToAttempt);
  }

  list(filter: CallbackFilter): CallbackRecord[] {
    const equalities: Equalities = [['project_id', filter.projectId], ['payment_id', filter.paymentId], ['state', filter.state]];
    return newestFirst<CallbackRow>(this.db, 'callbacks', equalities, filter.limit, filter.offset).map(rowToCallback);
  }

  addToInbox(callback: CallbackRecord, at: number): void {
    this.insertInboxStmt.run(callback.id, callback.projectId, callback.paymentId, at, callback.body);
  }

  inbox(filter: { projectId?: number; paymentId?: string; limit: number; offset: number }): InboxEntry[] {
    type Row = { id: number; callback_id: number; project_id: number; payment_id: string; received_at: number; body: string };
    const equalities: Equalities = [['project_id', filter.projectId], ['payment_id', filter.paymentId]];
    return newestFirst<Row>(this.db, 'inbox', equalities, filter.limit, filter.offset).map((row) => ({
      id: row.id, callbackId: row.callback_id, projectId: row.project_id, paymentId: row.payment_id, receivedAt: row.received_at,
      body: JSON.parse(row.body) as unknown,
    }));
  }

  deleteAll(projectId: number | undefined): void {
    const scope = projectId === undefined ? '' : ' WHERE project_id = ?';
    const args = projectId === undefined ? [] : [projectId];
    this.db.prepare(`DELETE FROM callback_attempts WHERE callback_id IN (SELECT id FROM callbacks${scope})`).run(...args);
    this.db.prepare(`DELETE FROM callbacks${scope}`).run(...args);
    this.db.prepare(`DELETE FROM inbox${scope}`).run(...args);
  }
}
