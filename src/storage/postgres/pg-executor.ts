// Runs the shared `?`-parameter SQL on a pg pool or client: placeholders become $n, and each distinct statement
// is a named prepared statement, parsed once per connection.
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

export class PgExecutor implements SqlExecutor {
  constructor(private readonly db: Pool | PoolClient) {}

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    const { name, text } = prepare(sql);
    return (await this.db.query({ name, text, values: params as SqlValue[] })).rows as R[];
  }

  async get<R>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const { name, text } = prepare(sql);
    return (await this.db.query({ name, text, values: params as SqlValue[] })).rowCount ?? 0;
  }
}
