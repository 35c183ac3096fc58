// Merchant projects: those of the config file (refreshed at every start) and those created at run time.
import type { SqliteDatabase } from './database.js';

export interface FrequencyLimit { method?: string; operation?: 'sale' | 'payout'; max: number; window_seconds: number }

export interface Project {
  projectId: number;
  secretKey: string;
  name: string;
  callbackUrl: string | undefined;
  origin: 'config' | 'runtime';
  frequencyLimits: FrequencyLimit[];
}

interface ProjectRow { project_id: number; secret_key: string; name: string; callback_url: string | null; origin: 'config' | 'runtime'; frequency_limits: string }

function rowToProject(row: ProjectRow): Project {
  return {
    projectId: row.project_id,
    secretKey: row.secret_key,
    name: row.name,
    callbackUrl: row.callback_url ?? undefined,
    origin: row.origin,
    frequencyLimits: JSON.parse(row.frequency_limits) as FrequencyLimit[],
  };
}

export class ProjectsStore {
  private readonly cache = new Map<number, Project>();
  private readonly upsertStmt;
  private readonly allStmt;

  constructor(db: SqliteDatabase) {
    this.upsertStmt = db.prepare(`INSERT INTO projects (project_id, secret_key, name, callback_url, origin, created_at, frequency_limits)
      VALUES (@projectId, @secretKey, @name, @callbackUrl, @origin, @createdAt, @frequencyLimits)
      ON CONFLICT (project_id) DO UPDATE SET secret_key = excluded.secret_key, name = excluded.name,
        callback_url = excluded.callback_url, origin = excluded.origin, frequency_limits = excluded.frequency_limits`);
    this.allStmt = db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY project_id');
    for (const row of this.allStmt.all()) this.cache.set(row.project_id, rowToProject(row));
  }

  save(project: Project, createdAt: number): void {
    this.upsertStmt.run({ ...project, callbackUrl: project.callbackUrl ?? null, createdAt, frequencyLimits: JSON.stringify(project.frequencyLimits) });
    this.cache.set(project.projectId, project);
  }

  find(projectId: number): Project | undefined {
    return this.cache.get(projectId);
  }

  all(): Project[] {
    return [...this.cache.values()].sort((a, b) => a.projectId - b.projectId);
  }
}
