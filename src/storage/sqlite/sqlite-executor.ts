// Runs SQL on the one better-sqlite3 connection, each distinct statement prepared once.
import type { Statement } from 'better-sqlite3';
import type { SqlExecutor, SqlValue } from '../sql/executor.js';
import type { SqliteDatabase } from './database.js';

const MAX_CACHED_STATEMENTS = 500;

export class SqliteExecutor implements SqlExecutor {
  private readonly statements = new Map<string, Statement<SqlValue[]>>();

  constructor(private readonly db: SqliteDatabase) {}

  statement(sql: string): Statement<SqlValue[]> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      // Filters build statements from their parts; the cache stays bounded whatever the variety.
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.statement(sql).all(...params) as R[];
  }

  async get<R>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return this.statement(sql).get(...params) as R | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.statement(sql).run(...params).changes;
  }
}
