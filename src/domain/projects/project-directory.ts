// Merchant projects: those of the config file (saved at every start) and those created at run time. Projects
// never change once created, so each instance keeps the ones it has seen and asks the database for the rest.
import type { Clock } from '../clock/clock.js';
import type { EgressPolicy } from '../callbacks/egress-policy.js';
import { Refusal } from '../errors.js';
import { hashControlToken, newControlToken } from './control-tokens.js';
import type { CallbackOptions, CardOptions, FrequencyLimit, Project, ProjectQuotas } from '../model.js';
import { StorageFault, type Repositories, type Storage } from '../ports.js';

export interface NewProjectRequest {
  project_id?: number; secret_key: string; name?: string; callback_url?: string; frequency_limits?: FrequencyLimit[]; callbacks?: CallbackOptions;
  quotas?: ProjectQuotas; card?: CardOptions;
}

/** A project just created, with its control token: shown this once, kept only hashed. */
export interface CreatedProject { project: Project; controlToken: string }

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
    /** What a project may use when it does not ask for less (SANDBOX_QUOTA_*); an admin may give it more. */
    private readonly defaultQuotas: ProjectQuotas = {},
  ) {}

  private readonly byToken = new Map<string, number>();

  /**
   * Saves the config file's projects (replacing what an earlier start saved under the same ids). Resolves false
   * when the storage refuses writes (a start on a full disk): the projects are then known in memory only.
   */
  async saveConfigured(projects: Project[]): Promise<boolean> {
    let saved = true;
    try {
      await this.storage.transact(async (tx) => {
        for (const project of projects) {
          await tx.projects.save(project, this.clock.now());
          // A quota added in the config file counts what the project already stores.
          if (project.quotas.stored_payments !== undefined) await tx.projects.recountStoredPayments(project.projectId);
        }
      });
    } catch (error) {
      if (!(error instanceof StorageFault)) throw error;
      saved = false;
    }
    for (const project of projects) this.known.set(project.projectId, project);
    return saved;
  }

  /** The project a control token belongs to. */
  findByToken(token: string): Promise<Project | undefined> {
    return this.findByTokenHash(hashControlToken(token));
  }

  async findByTokenHash(hash: string): Promise<Project | undefined> {
    const known = this.byToken.get(hash);
    if (known !== undefined) return this.find(known);
    const stored = await this.storage.read.projects.findByTokenHash(hash);
    if (stored !== undefined) {
      this.byToken.set(hash, stored.projectId);
      this.known.set(stored.projectId, stored);
    }
    return stored;
  }

  /** A project's quotas: what it asks for within the defaults, unless an admin set them. */
  private quotasFor(requested: ProjectQuotas | undefined, byAdmin: boolean): ProjectQuotas {
    const quotas: ProjectQuotas = { ...this.defaultQuotas };
    for (const key of ['requests_per_second', 'stored_payments'] as const) {
      const asked = requested?.[key];
      const bound = this.defaultQuotas[key];
      if (asked !== undefined) quotas[key] = byAdmin || bound === undefined ? asked : Math.min(asked, bound);
    }
    return quotas;
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

  /**
   * Creates a run-time project with its own control token; an id already taken is refused, a missing one is the
   * first free from 1000. `byAdmin`: the admin may give quotas above the defaults.
   */
  async create(request: NewProjectRequest, byAdmin = false): Promise<CreatedProject> {
    const controlToken = newControlToken();
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
        tokenHash: hashControlToken(controlToken),
        quotas: this.quotasFor(request.quotas, byAdmin),
        cardOptions: request.card ?? {},
      };
      const created = await this.storage.transact(async (tx) => {
        if (!(await tx.projects.create(project, this.clock.now()))) return false;
        await this.onCreate(tx, projectId);
        return true;
      });
      if (created) {
        this.known.set(projectId, project);
        return { project, controlToken };
      }
      // Another instance took a free id at the same moment: try the next one.
      if (request.project_id !== undefined) {
        throw new Refusal('project-exists', [{ field: 'project_id', message: `Project ${projectId} already exists` }]);
      }
    }
  }
}
