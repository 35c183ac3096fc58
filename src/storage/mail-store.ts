// The e-mails the wallet "sends" customers, kept so tests and people can read them.
import type { SqliteDatabase } from './database.js';
import { newestFirst, type Equalities } from './list-query.js';

export interface Mail { id: number; projectId: number; paymentId: string; sentAt: number; from: string; to: string; subject: string; body: string }

interface MailRow { id: number; project_id: number; payment_id: string; sent_at: number; sender: string; recipient: string; subject: string; body: string }

export class MailStore {
  private readonly insertStmt;

  constructor(private readonly db: SqliteDatabase) {
    this.insertStmt = db.prepare(`INSERT INTO mail (project_id, payment_id, sent_at, sender, recipient, subject, body)
      VALUES (@projectId, @paymentId, @sentAt, @from, @to, @subject, @body)`);
  }

  insert(mail: Omit<Mail, 'id'>): void {
    this.insertStmt.run(mail);
  }

  list(filter: { projectId?: number; paymentId?: string; to?: string; limit: number; offset: number }): Mail[] {
    const equalities: Equalities = [['project_id', filter.projectId], ['payment_id', filter.paymentId], ['recipient', filter.to]];
    return newestFirst<MailRow>(this.db, 'mail', equalities, filter.limit, filter.offset).map((row) => ({
      id: row.id, projectId: row.project_id, paymentId: row.payment_id, sentAt: row.sent_at, from: row.sender, to: row.recipient,
      subject: row.subject, body: row.body,
    }));
  }

  deleteAll(projectId: number | undefined): void {
    if (projectId === undefined) this.db.prepare('DELETE FROM mail').run();
    else this.db.prepare('DELETE FROM mail WHERE project_id = ?').run(projectId);
  }
}
