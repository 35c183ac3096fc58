import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { Ajv, ValidateFunction } from 'ajv';
import { projectRoot } from '../src/project-root.js';
import { buildAjv, compiledValidatorsSource, loadAjv, loadCompiled, schemaDigest, schemaFiles } from '../src/schema-registry.js';
import { atLeast } from './helpers/promises.js';

const standaloneCode = (standaloneModule as unknown as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;

t.test('the validators compiled by the build judge every body as Ajv does at run time, and carry the digest of their schemas', async (t) => {
  const files = schemaFiles();
  // Inside the package, so the generated module finds ajv and ajv-formats as the built one does.
  const dir = mkdtempSync(join(projectRoot, '.schema-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'validators.js');
  writeFileSync(path, await compiledValidatorsSource(files, standaloneCode));
  const compiled = (await import(pathToFileURL(path).href)) as { digest: string; ids: string[] } & Record<string, ValidateFunction>;
  t.equal(compiled.digest, schemaDigest(files));
  t.same(compiled.ids, files.map((f) => f.id));
  const runtime = buildAjv(await loadAjv(), files);
  const samples: Record<string, unknown[]> = {
    'gate/sale.json': [
      { general: { project_id: 1, payment_id: 'a', signature: 's' }, payment: { amount: 100, currency: 'PHP' }, customer: { id: 'c', ip_address: '203.0.113.7', email: 'not an e-mail' } },
      { general: { project_id: 1, payment_id: 'a', signature: 's' }, payment: { amount: 100, currency: 'PHP' }, customer: { id: 'c', ip_address: '203.0.113.7' } },
      { general: {} },
    ],
    'sandbox/clock-set.json': [{ to: '2026-01-02T00:00:00Z' }, { to: 'tomorrow' }],
    'config/sandbox-config.json': [{ projects: [{ project_id: 1, secret_key: 'k', callback_url: 'http://127.0.0.1/cb' }] }, { projects: [{ project_id: 1, secret_key: 'k', callback_url: 'nope' }] }],
    'scenario/scenario-file.json': [{ rules: [{ name: 'x', match: { payment_id: { pattern: '(' } }, outcome: { status: 'success' } }] }],
  };
  for (const [id, bodies] of Object.entries(samples)) {
    const fromBuild = compiled[`v${compiled.ids.indexOf(id)}`] as ValidateFunction;
    const atRunTime = runtime.getSchema(id) as ValidateFunction;
    for (const body of atLeast(t, bodies, 1, `${id}: samples`)) {
      t.equal(fromBuild(body), atRunTime(body), `${id}: ${JSON.stringify(body).slice(0, 60)}`);
      t.same(fromBuild.errors ?? null, atRunTime.errors ?? null);
    }
  }
});

t.test('a schema whose $id does not match its path stops the build', async (t) => {
  const loaded = await loadAjv();
  t.throws(() => buildAjv(loaded, [{ id: 'gate/x.json', path: 'schemas/gate/x.json', text: '{"$id":"gate/y.json","type":"object"}' }]), /must have \$id "gate\/x.json"/);
});

t.test('a start uses compiled validators only when they were made from the schema files it finds', async (t) => {
  const files = schemaFiles();
  const dir = mkdtempSync(join(projectRoot, '.schema-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const current = join(dir, 'current.js');
  writeFileSync(current, await compiledValidatorsSource(files, standaloneCode));
  const loaded = await loadCompiled(current, files);
  t.same([...(loaded?.keys() ?? [])], files.map((f) => f.id), 'every schema, by its $id');
  t.equal(typeof loaded?.get('gate/sale.json'), 'function');
  const edited = files.map((f) => (f.id === 'gate/sale.json' ? { ...f, text: f.text.replace('"type": "object"', '"type": "object" ') } : f));
  t.equal(await loadCompiled(current, edited), undefined, 'a schema edited since the build: compiled again at start');
  t.equal(await loadCompiled(join(dir, 'missing.js'), files), undefined, 'nothing built');
});
