// `npm run bench`: runs the benchmarks against the built sandbox and prints their figures (also as JSON).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchCallbacks } from './callbacks.js';

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length };
results.callbacks = await benchCallbacks();
console.table(results.callbacks);
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/bench-${Date.now()}.json`;
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`results written to ${file}`);
