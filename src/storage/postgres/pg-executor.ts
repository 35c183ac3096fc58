// Runs the shared `?`-parameter SQL on a pg pool or client: placeholders become $n, and each distinct statement
// is a named prepared statement, parsed once per connection. A lost server is reported through `faults`.
import type { Pool, PoolClient } from 'pg';
import type { SqlExecutor, SqlValue } from '../sql/executor.js';

interface Prepared { name: string; text: string }

const prepared = new Map<string, Prepared>();

function prepare(sql: string): Prepared {
  let statement = prepared.get(sql);
  if (statement === undefined) {
    let index = 0;
    statement = { name: `s${prepared.size + 1}`, text: sql.replace(/\?/g, () => `$${++index}`) };
    prepared.set(sql, statement);
  }
  return statement;
}

/** How the storage hears of a statement's outcome: an error becomes what the caller is told. */
export interface FaultWatch {
  failed(error: unknown): unknown;
  /** `startedAt`: when the statement was sent (real ms). */
  succeeded(startedAt: number): void;
}

export class PgExecutor implements SqlExecutor {
  constructor(private readonly db: Pool | PoolClient, private readonly watch?: FaultWatch) {}

  private async query(sql: string, params: readonly SqlValue[]) {
    const { name, text } = prepare(sql);
    const startedAt = this.watch === undefined ? 0 : Date.now();
    try {
      const result = await this.db.query({ name, text, values: params as SqlValue[] });
      this.watch?.succeeded(startedAt);
      return result;
    } catch (error) {
      throw this.watch === undefined ? error : this.watch.failed(error);
    }
  }

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return (await this.query(sql, params)).rows as R[];
  }

  async get<R>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }
}
