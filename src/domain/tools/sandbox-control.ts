// What a tool does to the sandbox as a whole: clear a project (or all), and wait for one payment's due work.
import type { Clock } from '../clock/clock.js';
import type { Payment } from '../model.js';
import type { Storage } from '../ports.js';
import type { Scheduler } from '../clock/scheduler.js';

export class SandboxControl {
  constructor(private readonly storage: Storage, private readonly clock: Clock, private readonly scheduler: () => Scheduler) {}

  /** Clears payments, callbacks, inbox, mail, batches, conformance reports and timers, of every project or of one. */
  async reset(projectId: number | undefined): Promise<void> {
    await this.storage.transact(async (tx) => {
      await tx.jobs.deleteAll(projectId);
      await tx.callbacks.deleteAll(projectId);
      await tx.mail.deleteAll(projectId);
      await tx.batches.deleteAll(projectId);
      await tx.conformanceRuns.deleteAll(projectId);
      await tx.payments.deleteAll(projectId);
      await tx.projects.recountStoredPayments(projectId);
    });
  }

  /** Resolves once the work of this payment that is due now has run (its callbacks' attempts, its timers). */
  settlePayment(payment: Payment): Promise<void> {
    return this.scheduler().runDue(this.clock.now(payment.projectId), { paymentRowId: payment.rowId });
  }
}
