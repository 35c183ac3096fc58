// Newest-first pages of a table filtered by equality on some columns (delivery log, inbox, mailbox).
import type { SqliteDatabase } from './database.js';

export type Equalities = Array<[column: string, value: string | number | undefined]>;

export function newestFirst<Row>(db: SqliteDatabase, table: string, equalities: Equalities, limit: number, offset: number): Row[] {
  const given = equalities.filter((pair): pair is [string, string | number] => pair[1] !== undefined);
  const where = given.length === 0 ? '' : `WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`;
  const sql = `SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT ? OFFSET ?`;
  return db.prepare<Array<string | number>, Row>(sql).all(...given.map(([, value]) => value), limit, offset);
}
