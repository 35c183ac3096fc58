// Picks the backend from SANDBOX_DB: a postgres:// or postgresql:// URL, else a SQLite file (or :memory:).
import type { Logger, PeerChannel, Storage } from '../domain/ports.js';
import { PgStorage } from './postgres/pg-storage.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** `peers`: the other worker processes on the same SQLite file (PostgreSQL instances find each other through it). */
export async function openStorage(location: string, instanceId: string, log: Logger, peers?: PeerChannel): Promise<Storage> {
  if (isPostgresUrl(location)) return PgStorage.open(location, instanceId, log);
  return SqliteStorage.open(location, { peers, instanceId });
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
