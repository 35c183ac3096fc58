// The audit log of control actions (who, what, when), written after each action and read by tools.
import type { AuditEntry, AuditFilter } from '../model.js';
import type { Storage } from '../ports.js';

export class AuditTrail {
  /** Entries are dated in real time: when a person or a pipeline acted, whatever the sandbox clock says. */
  constructor(private readonly storage: Storage, private readonly realNow: () => number = Date.now) {}

  async record(actor: string, action: string, projectId: number | undefined, details: Record<string, unknown> = {}): Promise<void> {
    await this.storage.transact((tx) => tx.audit.record({ at: this.realNow(), actor, projectId, action, details }));
  }

  list(filter: AuditFilter): Promise<AuditEntry[]> {
    return this.storage.read.audit.list(filter);
  }
}
