// Runs one load in the worker process and returns its figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadSpec } from './load-worker.js';

export interface LoadResult { requestsPerSecond: number; p50: number; p99: number; total: number; errors: number; non2xx: number; accepted?: string[] }

// autocannon stops by itself after the duration; this margin bounds a worker that never reports (a hung server).
const REPORT_MARGIN_MS = 30_000;

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const worker = fork(fileURLToPath(new URL('./load-worker.js', import.meta.url)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.kill('SIGKILL');
      reject(new Error(`load on ${spec.url} gave no figures within ${spec.durationSeconds} s + ${REPORT_MARGIN_MS / 1000} s`));
    }, spec.durationSeconds * 1000 + REPORT_MARGIN_MS);
    worker.once('message', (result: LoadResult) => { clearTimeout(timer); resolve(result); });
    worker.once('error', (error) => { clearTimeout(timer); reject(error); });
    worker.once('exit', (code) => {
      if (code === 0) return;
      clearTimeout(timer);
      reject(new Error(`load worker exited (${code}) without figures`));
    });
    worker.send(spec);
  });
}
