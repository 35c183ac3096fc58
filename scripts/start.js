// `npm start`: builds only when a source is newer than the last build, then runs the compiled server in this
// process, so an unchanged tree starts in about the time of `node dist/src/server.js` alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The build's last output: written after tsc succeeded, so its time is the time of the whole build.
const stamp = join(root, 'dist', 'schemas', 'validators.js');
const entry = join(root, 'dist', 'src', 'server.js');
// What the build reads; views, data and scenarios are read at run time and need no build.
const inputs = ['src', 'bench', 'schemas', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

// Folders under the inputs that the build does not read (benchmark results, the peers' own install).
const skipped = new Set(['results', 'node_modules']);

/**
 * The newest modification time of the files under `path` (a file or a folder), 0 when there are none.
 * @param {string} path
 * @returns {number}
 */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).filter((name) => !skipped.has(name)).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

/** @returns {boolean} */
function stale() {
  if (!existsSync(stamp) || !existsSync(entry)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newest(join(root, input)) > built);
}

if (stale()) {
  process.stdout.write('ecommpay-sandbox: building (sources changed since the last build)…\n');
  // npm sets npm_execpath to its own CLI; run the same `npm run build` a developer would.
  const npm = process.env.npm_execpath;
  const build = npm === undefined
    ? spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
    : spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(pathToFileURL(entry).href);
