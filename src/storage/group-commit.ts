// Group commit: writes of requests that arrive in the same turn of the event loop share one SQLite
// transaction (each in its own savepoint), and every caller is answered only after that commit. One commit
// per batch instead of per request is what lets a durable sandbox keep up with a load test.
import type { SqliteDatabase } from './database.js';

interface Pending { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }

export class GroupCommitter {
  private queue: Pending[] = [];
  private readonly inSavepoint: (work: () => unknown) => unknown;

  constructor(private readonly db: SqliteDatabase) {
    // A transaction function called inside another transaction runs in a savepoint: a refusal thrown by one
    // request's work rolls back that work alone.
    this.inSavepoint = db.transaction((work: () => unknown) => work());
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const pending of batch) {
          try {
            outcomes.push({ ok: true, value: this.inSavepoint(pending.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
