// Who is calling an admin surface (/_sandbox, /dashboard): the admin (SANDBOX_ADMIN_TOKEN, or anyone when none is
// set, for local use), or one project through its own control token. A bearer header, or the dashboard's session
// cookie; a token that matches nothing is refused, never taken as no token.
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { hashControlToken } from '../domain/projects/control-tokens.js';
import type { ProjectDirectory } from '../domain/projects/project-directory.js';
import { bearerToken, sameSecret, SESSION_COOKIE, sessionValue } from './admin-access.js';
import type { Caller } from '../domain/tools/access-scope.js';

export type { Caller };

declare module 'fastify' {
  interface FastifyRequest { sandboxCaller?: Caller }
}

export const PROJECT_SESSION_COOKIE = 'sandbox_project';


/** undefined: no credentials while an admin token is set; 'refused': credentials that match no one. */
export type CallerResolution = Caller | undefined | 'refused';

export async function callerOf(request: FastifyRequest, adminToken: string | undefined, projects: ProjectDirectory): Promise<CallerResolution> {
  const bearer = bearerToken(request);
  if (bearer !== undefined) {
    if (adminToken !== undefined && sameSecret(bearer, adminToken)) return { kind: 'admin', open: false };
    const project = await projects.findByToken(bearer);
    return project === undefined ? 'refused' : { kind: 'project', projectId: project.projectId };
  }
  const cookies = (request.cookies ?? {}) as Record<string, string | undefined>;
  const adminSession = cookies[SESSION_COOKIE];
  if (adminToken !== undefined && adminSession !== undefined && sameSecret(adminSession, sessionValue(adminToken))) return { kind: 'admin', open: false };
  const projectSession = cookies[PROJECT_SESSION_COOKIE];
  if (projectSession !== undefined) {
    const project = await projects.findByTokenHash(projectSession);
    if (project !== undefined) return { kind: 'project', projectId: project.projectId };
  }
  return adminToken === undefined ? { kind: 'admin', open: true } : undefined;
}

/** The dashboard's session cookie for a project's token: its hash, as stored, never the token. */
export function projectSessionValue(token: string): string {
  return hashControlToken(token);
}
