import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, parseClockSetting } from '../src/config.js';
import { tempDir } from './helpers/sandbox.js';

function configFile(t: Parameters<typeof tempDir>[0], content: unknown): string {
  const path = join(tempDir(t), 'sandbox.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

t.test('without a config file the default project is used', async (t) => {
  const config = loadConfig({});
  t.same(config.projects, [{ project_id: 1, secret_key: 'sandbox-secret', name: 'Default sandbox project' }]);
  t.equal(config.port, 8080);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.publicUrl, 'http://127.0.0.1:8080');
});

t.test('an unknown key in the config file stops the start and names the key', async (t) => {
  const path = configFile(t, { projects: [{ project_id: 5, secret_key: 's', colour: 'red' }] });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: path }), { name: 'ConfigError', message: /unknown key "projects\.0\.colour"/ });
});

t.test('a bad value in the config file names the field', async (t) => {
  const path = configFile(t, { projects: [{ project_id: 'five', secret_key: 's' }] });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: path }), { message: /"projects\.0\.project_id" must be integer/ });
  const rates = configFile(t, { currency_rates: { usd: 1 } });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: rates }), ConfigError);
});

t.test('a config file that is not JSON, missing, or lists a project twice is refused', async (t) => {
  t.throws(() => loadConfig({ SANDBOX_CONFIG: configFile(t, '{nope') }), { message: /not valid JSON/ });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: '/nonexistent/sandbox.json' }), { message: /cannot read/ });
  const twice = configFile(t, { projects: [{ project_id: 5, secret_key: 'a' }, { project_id: 5, secret_key: 'b' }] });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: twice }), { message: /project_id 5 is listed twice/ });
});

t.test('environment values are checked', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { message: /PORT/ });
  t.throws(() => loadConfig({ SANDBOX_CLOCK: 'fast' }), { message: /SANDBOX_CLOCK/ });
  t.throws(() => loadConfig({ SANDBOX_CLOCK: 'manual', SANDBOX_CLOCK_START: 'soon' }), { message: /SANDBOX_CLOCK_START/ });
  t.throws(() => loadConfig({ SANDBOX_PUBLIC_URL: 'ftp://x' }), { message: /SANDBOX_PUBLIC_URL/ });
  t.same(parseClockSetting('scale:60', undefined), { mode: 'scale', factor: 60 });
  t.same(parseClockSetting('manual', '2030-01-01T00:00:00Z'), { mode: 'manual', startAt: Date.UTC(2030, 0, 1) });
});

t.test('the server refuses to start on a bad config file, naming the key, with exit code 2', async (t) => {
  const path = configFile(t, { projects: [{ project_id: 5, secret_key: 's' }], colour: 'red' });
  const loaders = process.execArgv.filter((arg) => arg.includes('typescript'));
  const child = spawn(process.execPath, [...loaders, fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: { ...process.env, SANDBOX_CONFIG: path, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 2);
  t.match(stderr, /unknown key "colour"/);
});
