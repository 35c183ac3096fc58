// Errors that stop a conformance run before it can judge anything: a bad option, or an endpoint that cannot be reached.

/** A bad option; `option` is its name in `ConformanceOptions` (the CLI puts its flag before `detail`). */
export class ConformanceOptionError extends Error {
  constructor(readonly option: string, readonly detail: string) {
    super(`${option} ${detail}`);
    this.name = 'ConformanceOptionError';
  }
}

/** No connection could be made to the callback URL or the probe URL at the start of the run. */
export class UnreachableEndpointError extends Error {
  constructor(readonly option: 'callbackUrl' | 'probeUrl', readonly url: string, readonly reason: string) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'UnreachableEndpointError';
  }
}
