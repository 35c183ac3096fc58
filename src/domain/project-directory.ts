// Merchant projects: those of the config file (saved at every start) and those created at run time. Projects
// never change once created, so each instance keeps the ones it has seen and asks the database for the rest.
import type { Clock } from './clock.js';
import type { EgressPolicy } from './egress-policy.js';
import { Refusal } from './errors.js';
import type { CallbackOptions, FrequencyLimit, Project } from './model.js';
import type { Repositories, Storage } from './ports.js';

export interface NewProjectRequest {
  project_id?: number; secret_key: string; name?: string; callback_url?: string; frequency_limits?: FrequencyLimit[]; callbacks?: CallbackOptions;
}

/** Ids given to run-time projects that name none start here, above the usual config ids. */
export const FIRST_RUNTIME_PROJECT_ID = 1000;

export class ProjectDirectory {
  private readonly known = new Map<number, Project>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly callbackPolicy: EgressPolicy,
    /** Gives a new project its own manual clock, in the transaction that creates it. */
    private readonly onCreate: (tx: Repositories, projectId: number) => Promise<void>,
  ) {}

  /** Saves the config file's projects (replacing what an earlier start saved under the same ids). */
  async saveConfigured(projects: Project[]): Promise<void> {
    await this.storage.transact(async (tx) => {
      for (const project of projects) await tx.projects.save(project, this.clock.now());
    });
    for (const project of projects) this.known.set(project.projectId, project);
  }

  async find(projectId: number): Promise<Project | undefined> {
    const known = this.known.get(projectId);
    if (known !== undefined) return known;
    const stored = await this.storage.read.projects.find(projectId);
    if (stored !== undefined) this.known.set(projectId, stored);
    return stored;
  }

  all(): Promise<Project[]> {
    return this.storage.read.projects.all();
  }

  /** Creates a run-time project; an id already taken is refused, a missing one is the first free from 1000. */
  async create(request: NewProjectRequest): Promise<Project> {
    if (request.callback_url !== undefined) {
      const verdict = this.callbackPolicy.checkUrl(request.callback_url);
      if (!verdict.allowed) throw new Refusal('invalid-fields', [{ field: 'callback_url', message: `Callbacks may not go to this URL: ${verdict.reason}` }]);
    }
    for (;;) {
      const projectId = request.project_id ?? await this.storage.read.projects.freeId(FIRST_RUNTIME_PROJECT_ID);
      const project: Project = {
        projectId,
        secretKey: request.secret_key,
        name: request.name ?? '',
        callbackUrl: request.callback_url,
        origin: 'runtime',
        frequencyLimits: request.frequency_limits ?? [],
        callbackOptions: request.callbacks ?? {},
      };
      const created = await this.storage.transact(async (tx) => {
        if (!(await tx.projects.create(project, this.clock.now()))) return false;
        await this.onCreate(tx, projectId);
        return true;
      });
      if (created) {
        this.known.set(projectId, project);
        return project;
      }
      // Another instance took a free id at the same moment: try the next one.
      if (request.project_id !== undefined) {
        throw new Refusal('project-exists', [{ field: 'project_id', message: `Project ${projectId} already exists` }]);
      }
    }
  }
}
