// Reports of the merchant conformance kit run from the control API or the dashboard, kept newest first.
import type { ConformanceRun } from '../../domain/model.js';
import type { ConformanceRuns } from '../../domain/ports.js';
import type { ConformanceReport } from '../../domain/tools/conformance-report.js';
import type { SqlExecutor } from './executor.js';
import { deleteOfProject, newestFirst } from './list-query.js';

interface ConformanceRunRow {
  id: number; project_id: number; created_at: number; callback_url: string; probe_url: string | null; passed: number; failed: number; report: string;
}

function rowToConformanceRun(row: ConformanceRunRow): ConformanceRun {
  return {
    id: row.id,
    projectId: row.project_id,
    createdAt: row.created_at,
    callbackUrl: row.callback_url,
    probeUrl: row.probe_url ?? undefined,
    passed: row.passed,
    failed: row.failed,
    report: JSON.parse(row.report) as ConformanceReport,
  };
}

export class SqlConformanceRuns implements ConformanceRuns {
  constructor(private readonly db: SqlExecutor) {}

  async insert(run: Omit<ConformanceRun, 'id'>): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO conformance_runs (project_id, created_at, callback_url, probe_url, passed, failed, report) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [run.projectId, run.createdAt, run.callbackUrl, run.probeUrl ?? null, run.passed, run.failed, JSON.stringify(run.report)],
    );
    return (row as { id: number }).id;
  }

  async find(id: number): Promise<ConformanceRun | undefined> {
    const row = await this.db.get<ConformanceRunRow>('SELECT * FROM conformance_runs WHERE id = ?', [id]);
    return row === undefined ? undefined : rowToConformanceRun(row);
  }

  async list(filter: { projectId?: number; limit: number; offset: number }): Promise<ConformanceRun[]> {
    const rows = await newestFirst<ConformanceRunRow>(this.db, 'conformance_runs', [['project_id', filter.projectId]], filter.limit, filter.offset);
    return rows.map(rowToConformanceRun);
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'conformance_runs', projectId);
  }
}
