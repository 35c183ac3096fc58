// Requests per second per project (a project's quota): a token bucket per project, kept by each instance for the
// requests it serves. Rate is about real load, so it runs on real time, not the sandbox clock.
import { Refusal } from '../errors.js';
import type { Project } from '../model.js';

export class RequestRate {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(private readonly realNow: () => number = Date.now) {}

  /** Takes one request from the project's bucket of `perSecond`; false when the bucket is empty. */
  take(projectId: number, perSecond: number): boolean {
    const now = this.realNow();
    const bucket = this.buckets.get(projectId) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(projectId, bucket);
    return allowed;
  }

  /** Lets a request of the project through, or refuses it (601, try again) when it is over its quota. */
  admit(project: Project, field: string): void {
    const perSecond = project.quotas.requests_per_second;
    if (perSecond !== undefined && !this.take(project.projectId, perSecond)) {
      throw new Refusal('rate-limited', [{ field, message: `Project ${project.projectId} may make ${perSecond} requests per second; try again shortly` }]);
    }
  }
}
