// Opens the SQLite database (WAL) and brings its schema up to date.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** 256 pages (1 MiB): measured against the sale benchmark (docs/benchmarks.md); 2000 left a 6 MiB disk all WAL. */
export const WAL_AUTOCHECKPOINT_PAGES = 256;

export function openSqlite(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a killed process (the risk is only an OS crash or power loss).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A larger page cache keeps the hot index pages of a busy sandbox in memory (8 MiB at most).
  db.pragma('cache_size = -8192');
  // The WAL is moved into the database file every WAL_AUTOCHECKPOINT_PAGES, inside some request's commit, and
  // emptied when writes pause (SqliteStorage): so it cannot outgrow a small disk. journal_size_limit gives back
  // what a large batch grew it by.
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_AUTOCHECKPOINT_PAGES * 4096}`);
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return db;
}

/**
 * A second connection on the same file that only reads: in WAL mode it sees the last commit, never a batch that
 * is still open on the writer (nor one whose commit then fails). It writes nothing, so it opens on a full disk.
 */
export function openSqliteReader(path: string): SqliteDatabase {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('query_only = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -8192');
  return db;
}
