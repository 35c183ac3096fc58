// Who is calling an admin surface (/_sandbox, /dashboard): the admin (SANDBOX_ADMIN_TOKEN, or anyone when none is
// set, for local use), or one project through its own control token. A bearer header, or the dashboard's session
// cookie (a server-side session); a token that matches nothing is refused, never taken as no token.
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { ProjectDirectory } from '../domain/projects/project-directory.js';
import type { Caller } from '../domain/tools/access-scope.js';
import type { DashboardSessions } from '../domain/tools/dashboard-sessions.js';
import { bearerToken, sameSecret, SESSION_COOKIE } from './admin-access.js';

export type { Caller };

declare module 'fastify' {
  interface FastifyRequest { sandboxCaller?: Caller }
}

/** What tells callers apart: the admin token, the projects' tokens, and the dashboard's sessions. */
export interface CallerSources { adminToken: string | undefined; projects: ProjectDirectory; sessions: DashboardSessions }

/** undefined: no credentials while an admin token is set; 'refused': credentials that match no one. */
export type CallerResolution = Caller | undefined | 'refused';

export async function callerOf(request: FastifyRequest, { adminToken, projects, sessions }: CallerSources): Promise<CallerResolution> {
  const bearer = bearerToken(request);
  if (bearer !== undefined) {
    if (adminToken !== undefined && sameSecret(bearer, adminToken)) return { kind: 'admin', open: false };
    const project = await projects.findByToken(bearer);
    return project === undefined ? 'refused' : { kind: 'project', projectId: project.projectId };
  }
  const session = ((request.cookies ?? {}) as Record<string, string | undefined>)[SESSION_COOKIE];
  const sessionCaller = session === undefined || session === '' ? undefined : await sessions.caller(session);
  if (sessionCaller !== undefined) return sessionCaller;
  return adminToken === undefined ? { kind: 'admin', open: true } : undefined;
}
