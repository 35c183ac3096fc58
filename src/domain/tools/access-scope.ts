// What a caller of a tool (control API, dashboard) may see and change: the admin everything, a project's token its project only.
import { Refusal } from '../errors.js';

/** Who acts through a tool: the admin (`open`: no admin token is set, for local use), or one project through its control token. */
export type Caller = { kind: 'admin'; open: boolean } | { kind: 'project'; projectId: number };

/** Who did it, for the audit log. */
export function actorOf(caller: Caller | undefined): string {
  if (caller === undefined) return 'anonymous';
  if (caller.kind === 'project') return `project:${caller.projectId}`;
  return caller.open ? 'open' : 'admin';
}


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
