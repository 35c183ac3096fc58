// Small key/value facts the sandbox keeps across restarts and shares between instances (the manual clock).
import type { Meta } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';

export class SqlMeta implements Meta {
  constructor(private readonly db: SqlExecutor) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }

  async put(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
