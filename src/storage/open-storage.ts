// Picks the backend from SANDBOX_DB: a postgres:// or postgresql:// URL, else a SQLite file (or :memory:).
import type { Logger, PeerChannel, Storage } from '../domain/ports.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** `waitMs`: how long a start waits for a PostgreSQL server that refuses connections. `peers`: the other worker processes on the same SQLite file (PostgreSQL instances find each other through it). */
export async function openStorage(location: string, instanceId: string, log: Logger, options: { peers?: PeerChannel; waitMs?: number } = {}): Promise<Storage> {
  // pg loads only for a PostgreSQL URL, keeping it off the start path of the SQLite default.
  if (isPostgresUrl(location)) return (await import('./postgres/pg-storage.js')).PgStorage.open(location, instanceId, log, options.waitMs);
  return SqliteStorage.open(location, { peers: options.peers, instanceId, log });
}

/** The location as it may be printed: a URL's password is masked. */
export function describeLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== '') url.password = '****';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}
