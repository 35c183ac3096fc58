// What a caller of the control API or the dashboard may see and change: the admin everything, a project's token its project only.
import { Refusal } from '../domain/errors.js';
import type { Caller } from './callers.js';

export class Scope {
  constructor(readonly caller: Caller) {}

  get projectId(): number | undefined {
    return this.caller.kind === 'project' ? this.caller.projectId : undefined;
  }

  /** A resource of a project: another project's is refused. */
  own(projectId: number, field = 'project_id'): void {
    if (this.caller.kind === 'project' && projectId !== this.caller.projectId) {
      throw new Refusal('access-denied', [{ field, message: `This token is for project ${this.caller.projectId}, not project ${projectId}` }]);
    }
  }

  /**
   * The project a list shows: a project's token sees its own; asking it for another's answers as if that project
   * did not exist, so a token cannot learn which projects there are. The admin sees what it asks for.
   */
  listed(asked: number | undefined): number | undefined {
    if (this.caller.kind === 'admin') return asked;
    if (asked !== undefined && asked !== this.caller.projectId) {
      throw new Refusal('project-hidden', [{ field: 'project_id', message: `No project ${asked}` }]);
    }
    return this.caller.projectId;
  }

  /** An action on "one project or all of them": a project's token acts on its own project only. */
  target(asked: number | undefined): number | undefined {
    if (asked !== undefined) this.own(asked);
    return this.projectId ?? asked;
  }
}
