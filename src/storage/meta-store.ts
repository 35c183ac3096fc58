// Small key/value facts the sandbox keeps across restarts (the manual clock's time).
import type { SqliteDatabase } from './database.js';

export class MetaStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: SqliteDatabase) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.putStmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  put(key: string, value: string): void {
    this.putStmt.run(key, value);
  }
}
