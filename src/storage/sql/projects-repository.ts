// Merchant projects: those of the config file (refreshed at every start) and those created at run time.
import type { Project } from '../../domain/model.js';
import type { Projects } from '../../domain/ports.js';
import type { SqlExecutor, SqlValue } from './executor.js';
import { rowToProject, type ProjectRow } from './rows.js';

const COLUMNS = 'project_id, secret_key, name, callback_url, origin, created_at, frequency_limits, callback_options, token_hash, quotas, card_options';
const PLACEHOLDERS = COLUMNS.split(',').map(() => '?').join(', ');

function values(project: Project, createdAt: number): SqlValue[] {
  return [
    project.projectId, project.secretKey, project.name, project.callbackUrl ?? null, project.origin, createdAt, JSON.stringify(project.frequencyLimits),
    JSON.stringify(project.callbackOptions), project.tokenHash ?? null, JSON.stringify(project.quotas), JSON.stringify(project.cardOptions),
  ];
}

export class SqlProjects implements Projects {
  constructor(private readonly db: SqlExecutor) {}

  async save(project: Project, createdAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO projects (${COLUMNS}) VALUES (${PLACEHOLDERS})
        ON CONFLICT (project_id) DO UPDATE SET secret_key = excluded.secret_key, name = excluded.name, callback_url = excluded.callback_url,
        origin = excluded.origin, frequency_limits = excluded.frequency_limits, callback_options = excluded.callback_options,
        token_hash = excluded.token_hash, quotas = excluded.quotas, card_options = excluded.card_options`,
      values(project, createdAt),
    );
  }

  async create(project: Project, createdAt: number): Promise<boolean> {
    return (await this.db.run(`INSERT INTO projects (${COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT DO NOTHING`, values(project, createdAt))) === 1;
  }

  async freeId(from: number): Promise<number> {
    const taken = await this.db.all<{ project_id: number }>('SELECT project_id FROM projects WHERE project_id >= ? ORDER BY project_id', [from]);
    let id = from;
    for (const row of taken) {
      if (row.project_id !== id) break;
      id++;
    }
    return id;
  }

  async find(projectId: number): Promise<Project | undefined> {
    const row = await this.db.get<ProjectRow>('SELECT * FROM projects WHERE project_id = ?', [projectId]);
    return row === undefined ? undefined : rowToProject(row);
  }

  async findByTokenHash(tokenHash: string): Promise<Project | undefined> {
    const row = await this.db.get<ProjectRow>('SELECT * FROM projects WHERE token_hash = ?', [tokenHash]);
    return row === undefined ? undefined : rowToProject(row);
  }

  async recountStoredPayments(projectId: number | undefined): Promise<void> {
    const count = '(SELECT count(*) FROM payments p WHERE p.project_id = projects.project_id)';
    if (projectId === undefined) await this.db.run(`UPDATE projects SET stored_payments = ${count}`);
    else await this.db.run(`UPDATE projects SET stored_payments = ${count} WHERE project_id = ?`, [projectId]);
  }

  async all(): Promise<Project[]> {
    return (await this.db.all<ProjectRow>('SELECT * FROM projects ORDER BY project_id')).map(rowToProject);
  }
}
