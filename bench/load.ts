// Runs one load in the worker process and returns its figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadSpec } from './load-worker.js';

export interface LoadResult { requestsPerSecond: number; p50: number; p99: number; total: number; errors: number; non2xx: number }

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const worker = fork(fileURLToPath(new URL('./load-worker.js', import.meta.url)));
  return new Promise((resolve, reject) => {
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.send(spec);
  });
}
