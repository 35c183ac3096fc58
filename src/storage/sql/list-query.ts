// Newest-first pages of a table filtered by equality on some columns (delivery log, inbox, mailbox).
import type { SqlExecutor, SqlValue } from './executor.js';

export type Equalities = Array<[column: string, value: string | number | undefined]>;

export function newestFirst<Row>(db: SqlExecutor, table: string, equalities: Equalities, limit: number, offset: number): Promise<Row[]> {
  const given = equalities.filter((pair): pair is [string, string | number] => pair[1] !== undefined);
  const where = given.length === 0 ? '' : `WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`;
  const params: SqlValue[] = [...given.map(([, value]) => value), limit, offset];
  return db.all<Row>(`SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, params);
}

/** `DELETE FROM table`, of every project or of one. */
export function deleteOfProject(db: SqlExecutor, table: string, projectId: number | undefined): Promise<number> {
  return projectId === undefined ? db.run(`DELETE FROM ${table}`) : db.run(`DELETE FROM ${table} WHERE project_id = ?`, [projectId]);
}
