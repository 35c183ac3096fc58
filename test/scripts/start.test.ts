import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../src/project-root.js';
import { tempDir } from '../helpers/sandbox.js';

// A tree shaped like the package: the real start script, a stand-in server and a build that leaves a mark.
function fakeTree(t: Parameters<typeof tempDir>[0]): string {
  const root = tempDir(t);
  for (const folder of ['scripts', 'src', 'dist/src', 'dist/schemas', 'schemas']) mkdirSync(join(root, folder), { recursive: true });
  copyFileSync(fromRoot('scripts', 'start.js'), join(root, 'scripts', 'start.js'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({
    type: 'module',
    scripts: { build: 'node -e "require(\'fs\').writeFileSync(\'built\', \'yes\'); require(\'fs\').writeFileSync(\'dist/schemas/validators.js\', \'\')"' },
  }));
  writeFileSync(join(root, 'src', 'server.ts'), '');
  writeFileSync(join(root, 'dist', 'src', 'server.js'), 'console.log("server started", process.argv.slice(2).join(" "));\n');
  writeFileSync(join(root, 'dist', 'schemas', 'validators.js'), '');
  return root;
}

function at(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

function start(root: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.js'), '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

t.test('npm start runs the compiled server without building when nothing changed since the last build (benchmark results do not count)', async (t) => {
  const root = fakeTree(t);
  for (const path of ['src', 'src/server.ts', 'schemas', 'package.json']) at(join(root, path), 1_000);
  at(join(root, 'dist/schemas/validators.js'), 2_000);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'bench-1.json'), '{}');
  at(join(root, 'bench', 'results', 'bench-1.json'), 3_000);
  const run = await start(root);
  t.equal(run.code, 0);
  t.equal(run.stdout, 'server started --port 0\n', 'the flags reach the server');
  t.notOk(existsSync(join(root, 'built')), 'no build ran');
});

t.test('npm start builds first when a source is newer than the last build, or when nothing was built', async (t) => {
  const root = fakeTree(t);
  for (const path of ['src', 'schemas', 'package.json']) at(join(root, path), 1_000);
  at(join(root, 'dist/schemas/validators.js'), 2_000);
  at(join(root, 'src/server.ts'), 3_000);
  const run = await start(root);
  t.equal(run.code, 0);
  t.match(run.stdout, /building \(sources changed since the last build\)[\s\S]*server started --port 0/);
  t.ok(existsSync(join(root, 'built')), 'the build ran');

  const fresh = fakeTree(t);
  rmSync(join(fresh, 'dist/schemas/validators.js'));
  t.match((await start(fresh)).stdout, /building/);
  t.ok(existsSync(join(fresh, 'built')));
});
