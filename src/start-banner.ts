// What the process prints once listening: where every surface is, the default project's credentials when the
// built-in project is in use, a signed demo link, and how to see request logs. Logs go to stderr, never here.
import { DEFAULT_PROJECT, type SandboxConfig } from './config.js';
import type { Project } from './domain/model.js';
import { describeLocation } from './storage/open-storage.js';
import { demoPaymentPageLink, SURFACES } from './surface-directory.js';

export interface BannerFacts {
  config: SandboxConfig;
  storageKind: string;
  clockMode: string;
  projects: Project[];
  /** The port actually bound (PORT=0 picks one). */
  port: number;
  version: string;
}

/** The public base URL with the bound port when PORT=0 asked for any free one. */
export function publicBase(config: SandboxConfig, port: number): string {
  return config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
}

/** Whether the sandbox runs with its built-in project (no config file): only then is a secret printed or shown. */
export function builtInProjectInUse(config: SandboxConfig): boolean {
  return config.configFile === undefined;
}

function requestLogLine(config: SandboxConfig): string {
  const levels = ['trace', 'debug', 'info'];
  if (levels.includes(config.logLevel)) return `Request logs: on (${config.logFormat}, on stderr)`;
  return 'Request logs: off (--log-level info shows one line per request; --log-format json for JSON lines)';
}

export function startBanner({ config, storageKind, clockMode, projects, port, version }: BannerFacts): string {
  const base = publicBase(config, port);
  const pad = (label: string) => label.padEnd(17);
  const surfaceLines = SURFACES.map((surface) => {
    const [first, ...others] = surface.links.map((link) => `${link.method === 'POST' ? 'POST ' : ''}${link.path}`);
    const main = (first ?? '').replace(/^(POST )?/, (method) => `${method}${base}`);
    return `  ${pad(surface.name)}${main}${others.length > 0 ? `  (also ${others.join(', ')})` : ''}`;
  });
  const builtIn = builtInProjectInUse(config);
  const projectLines = projects.map((p) => {
    // Only the built-in default project's secret is printed; secrets from a config file stay out of output.
    const secret = builtIn && p.projectId === DEFAULT_PROJECT.project_id ? `   secret_key ${p.secretKey}` : '';
    return `  ${pad(builtIn ? 'Default project' : 'Project')}project_id ${p.projectId}${secret}   callbacks → ${p.callbackUrl ?? `built-in inbox (${base}/_sandbox/inbox)`}`;
  });
  const lines = [
    '',
    `ecommpay-sandbox ${version} is listening on http://${config.host}:${port}${base === `http://${config.host}:${port}` ? '' : ` (public URL ${base})`}`,
    `  database: ${describeLocation(config.databasePath)} (${storageKind})   clock: ${clockMode}${config.seed === undefined ? '' : `   seed: ${config.seed}`}${config.workers > 1 ? `   workers: ${config.workers}` : ''}`,
    '',
    `  ${pad('Home page')}${base}/   (links to every surface and its docs)`,
    ...surfaceLines,
    `  ${pad('Docs')}${base}/docs`,
    '',
    ...projectLines,
    ...(builtIn ? [`  ${pad('Try it')}${demoPaymentPageLink(base, DEFAULT_PROJECT.project_id, DEFAULT_PROJECT.secret_key)}`] : []),
    '',
    `  ${requestLogLine(config)}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
