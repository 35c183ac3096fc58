// What a unit of work added that will fall due, noted by the repositories as they write it, so the storage can
// announce it once the unit commits (and not before, nor when it rolls back): the scheduler here and the other
// instances learn of new work without the domain telling them.
import type { StorageEvent } from '../../domain/ports.js';

export class DueWork {
  /** The earliest due time per project; undefined: due at a time the writer did not know (look at once). */
  private readonly earliest = new Map<number | undefined, number | undefined>();

  add(projectId: number | undefined, dueAt: number | undefined): void {
    const known = this.earliest.get(projectId);
    const soonest = !this.earliest.has(projectId) ? dueAt : known === undefined || dueAt === undefined ? undefined : Math.min(known, dueAt);
    this.earliest.set(projectId, soonest);
  }

  /** One event per project the unit touched, with its earliest due time. */
  events(): StorageEvent[] {
    return [...this.earliest].map(([projectId, dueAt]) => ({
      topic: 'jobs', ...(dueAt === undefined ? {} : { dueAt }), ...(projectId === undefined ? {} : { projectId }),
    }));
  }
}
