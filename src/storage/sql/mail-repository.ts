// The e-mails the wallet "sends" customers, kept so tests and people can read them.
import type { Mail, MailFilter } from '../../domain/model.js';
import type { MailStore } from '../../domain/ports.js';
import type { SqlExecutor } from './executor.js';
import { deleteOfProject, newestFirst } from './list-query.js';

interface MailRow { id: number; project_id: number; payment_id: string; sent_at: number; sender: string; recipient: string; subject: string; body: string }

export class SqlMail implements MailStore {
  constructor(private readonly db: SqlExecutor) {}

  async insert(mail: Omit<Mail, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO mail (project_id, payment_id, sent_at, sender, recipient, subject, body) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      mail.projectId, mail.paymentId, mail.sentAt, mail.from, mail.to, mail.subject, mail.body,
    ]);
  }

  async list(filter: MailFilter): Promise<Mail[]> {
    const rows = await newestFirst<MailRow>(this.db, 'mail', [['project_id', filter.projectId], ['payment_id', filter.paymentId], ['recipient', filter.to]], filter.limit, filter.offset);
    return rows.map((row) => ({
      id: row.id, projectId: row.project_id, paymentId: row.payment_id, sentAt: row.sent_at, from: row.sender, to: row.recipient,
      subject: row.subject, body: row.body,
    }));
  }

  async deleteAll(projectId: number | undefined): Promise<void> {
    await deleteOfProject(this.db, 'mail', projectId);
  }
}
