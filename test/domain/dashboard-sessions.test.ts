// Dashboard sessions through the storage ports on a real database of each backend: the hash kept, not the id;
// the caller of a live session; none once it expires (on the real time the service is given) or is revoked.
import t from 'tap';
import { join } from 'node:path';
import type { Storage } from '../../src/domain/ports.js';
import { DashboardSessions, SESSION_HOURS } from '../../src/domain/tools/dashboard-sessions.js';
import { PgStorage } from '../../src/storage/postgres/pg-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';
import { freshPostgresDatabase, tempDir } from '../helpers/sandbox.js';

const silentLog = { info() {}, warn() {}, error() {} };
type Tap = Parameters<typeof tempDir>[0];
const backends: Array<{ name: string; skip: string | false; open: (t: Tap) => Promise<Storage> }> = [
  { name: 'SQLite', skip: false, open: async (t) => SqliteStorage.open(join(tempDir(t), 'sandbox.db')) },
  { name: 'PostgreSQL', skip: postgresSkipReason, open: async () => PgStorage.open(await freshPostgresDatabase(), 'sessions-test', silentLog) },
];

for (const backend of backends) {
  t.test(`${backend.name}: a session lives ${SESSION_HOURS} hours unless revoked, and only its hash is kept`, { skip: backend.skip }, async (t) => {
    const storage = await backend.open(t);
    t.teardown(() => storage.close());
    let now = Date.UTC(2026, 5, 1);
    const sessions = new DashboardSessions(storage, () => now);
    const { id, expiresAt } = await sessions.open({ kind: 'project', projectId: 445 });
    const admin = await sessions.open({ kind: 'admin', open: false });
    t.equal(expiresAt - now, SESSION_HOURS * 3600 * 1000);
    t.equal(await storage.read.sessions.find(id), undefined, 'the id is not a key of the table');
    t.same(await sessions.caller(id), { kind: 'project', projectId: 445 });
    t.same(await sessions.caller(admin.id), { kind: 'admin', open: false });
    t.equal(await sessions.caller('made-up'), undefined);
    now = expiresAt - 1;
    t.ok(await sessions.caller(id), 'a moment before it ends');
    await sessions.close(admin.id);
    t.equal(await sessions.caller(admin.id), undefined, 'revoked at log-out');
    now = expiresAt;
    t.equal(await sessions.caller(id), undefined, 'gone when it ends');
  });
}
