import t from 'tap';
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { fromRoot } from '../src/project-root.js';

const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(fromRoot('package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

t.test('every installed package supports every Node version the engines field allows (npm ci warns of none)', async (t) => {
  const ours = pkg.engines.node;
  t.ok(semver.validRange(ours), `engines.node "${ours}" is a range`);
  const disagreeing = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && typeof entry.engines?.node === 'string')
    .filter(([, entry]) => !semver.subset(ours, (entry.engines as { node: string }).node))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
  t.same(disagreeing, [], 'packages whose engines leave out part of ours');
  t.ok(semver.satisfies(process.version, ours), `this Node (${process.version}) is one the engines allow`);
});

t.test('the Dockerfile builds and runs on one Node line, the newest the engines allow, and .dockerignore keeps local trees out', async (t) => {
  const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8');
  const images = [...dockerfile.matchAll(/^FROM node:(\d+)-slim/gm)].map((m) => Number(m[1]));
  t.equal(images.length, 2, 'a build and a run stage');
  t.equal(new Set(images).size, 1, 'both on the same line');
  const lines = pkg.engines.node.split('||').map((part) => Number(/\^?(\d+)/.exec(part.trim())?.[1]));
  t.equal(images[0], Math.max(...lines), 'the newest line the engines name');
  t.equal((images[0] as number) % 2, 0, 'an even, long-term-support line');
  const ignored = readFileSync(fromRoot('.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
  for (const path of ['.git', 'node_modules', 'dist', '.sandbox', 'test-artifacts']) t.ok(ignored.includes(path), `${path} is ignored`);
});
