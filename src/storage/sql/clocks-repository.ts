// The manual clock of each project (SANDBOX_CLOCK=manual): one row per project, shared by every instance.
import type { ProjectClock } from '../../domain/model.js';
import type { Clocks } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';

export class SqlClocks implements Clocks {
  constructor(private readonly db: SqlExecutor) {}

  async all(): Promise<ProjectClock[]> {
    return (await this.db.all<{ project_id: number; at: number }>('SELECT project_id, at FROM clocks ORDER BY project_id')).map((r) => ({ projectId: r.project_id, at: r.at }));
  }

  async put(projectId: number, at: number): Promise<void> {
    await this.db.run('INSERT INTO clocks (project_id, at) VALUES (?, ?) ON CONFLICT (project_id) DO UPDATE SET at = excluded.at', [projectId, at]);
  }

  async createIfMissing(projectId: number, at: number): Promise<void> {
    await this.db.run('INSERT INTO clocks (project_id, at) VALUES (?, ?) ON CONFLICT (project_id) DO NOTHING', [projectId, at]);
  }
}
