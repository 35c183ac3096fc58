// One set of repositories over an executor: a transaction's connection, or the backend's reader.
import type { Repositories } from '../../domain/ports.js';
import { SqlAudit } from './audit-repository.js';
import { SqlBatches } from './batches-repository.js';
import { SqlCallbacks } from './callbacks-repository.js';
import { SqlClocks } from './clocks-repository.js';
import { SqlConformanceRuns } from './conformance-runs-repository.js';
import type { DueWork } from './due-work.js';
import type { Dialect, SqlExecutor } from './executor.js';
import { SqlJobs } from './jobs-repository.js';
import { SqlListens } from './listens-repository.js';
import { SqlMail } from './mail-repository.js';
import { SqlMeta } from './meta-repository.js';
import { SqlOperations } from './operations-repository.js';
import { SqlPayments } from './payments-repository.js';
import { SqlProjects } from './projects-repository.js';
import { SqlRecurring } from './recurring-repository.js';
import { SqlSessions } from './sessions-repository.js';

/** `dueWork`: where a unit of work's repositories note the work they add, for the storage to announce after commit. */
export function sqlRepositories(db: SqlExecutor, dialect: Dialect, dueWork?: DueWork): Repositories {
  return {
    payments: new SqlPayments(db, dialect, dueWork),
    operations: new SqlOperations(db, dialect),
    callbacks: new SqlCallbacks(db, dueWork),
    jobs: new SqlJobs(db, dialect, dueWork),
    projects: new SqlProjects(db),
    mail: new SqlMail(db),
    batches: new SqlBatches(db),
    conformanceRuns: new SqlConformanceRuns(db),
    clocks: new SqlClocks(db),
    audit: new SqlAudit(db),
    meta: new SqlMeta(db),
    recurring: new SqlRecurring(db),
    sessions: new SqlSessions(db),
    listens: new SqlListens(db, dialect),
  };
}
