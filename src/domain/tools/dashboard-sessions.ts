// Dashboard log-ins as server-side sessions (docs/dashboard.md): a random id for the cookie, kept only as its
// hash, with an expiry, revoked at log-out. Real time, not the sandbox clock: a session is a person's.
import { createHash, randomBytes } from 'node:crypto';
import type { Storage } from '../ports.js';
import type { Caller } from './access-scope.js';

/** How long a dashboard session lasts. */
export const SESSION_HOURS = 12;

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

export class DashboardSessions {
  constructor(private readonly storage: Storage, private readonly realNow: () => number = Date.now) {}

  /** A new session of `caller`; the id goes in the cookie and nowhere else. */
  async open(caller: Caller): Promise<{ id: string; expiresAt: number }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.realNow();
    const expiresAt = now + SESSION_HOURS * 3600 * 1000;
    await this.storage.transact(async (tx) => {
      await tx.sessions.deleteEnded(now);
      await tx.sessions.insert({
        idHash: hashOf(id), actor: caller.kind, projectId: caller.kind === 'project' ? caller.projectId : undefined, createdAt: now, expiresAt, revokedAt: undefined,
      });
    });
    return { id, expiresAt };
  }

  /** Who a live session is for; undefined for an unknown, expired or revoked one. */
  async caller(id: string): Promise<Caller | undefined> {
    const session = await this.storage.read.sessions.find(hashOf(id));
    if (session === undefined || session.revokedAt !== undefined || session.expiresAt <= this.realNow()) return undefined;
    return session.actor === 'admin' ? { kind: 'admin', open: false } : { kind: 'project', projectId: session.projectId as number };
  }

  async close(id: string): Promise<void> {
    const at = this.realNow();
    await this.storage.transact((tx) => tx.sessions.revoke(hashOf(id), at));
  }
}
