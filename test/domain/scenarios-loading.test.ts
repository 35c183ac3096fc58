import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarios, ScenarioError } from '../../src/domain/scenarios.js';
import { fromRoot } from '../../src/project-root.js';
import { tempDir } from '../helpers/sandbox.js';

function folderWith(t: Parameters<typeof tempDir>[0], files: Record<string, unknown>): string {
  const dir = join(tempDir(t), 'scenarios');
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

t.test('the shipped catalogue loads', async (t) => {
  const catalogue = loadScenarios(fromRoot('scenarios'));
  t.ok(catalogue.list().length >= 10);
});

t.test('a bad scenario file stops the start and names the file and the field', async (t) => {
  const unknownKey = folderWith(t, { 'team.json': { rules: [{ name: 'x', outcome: { status: 'success' }, colour: 1 }] } });
  t.throws(() => loadScenarios(unknownKey), { name: 'ScenarioError', message: /scenarios\/team\.json: "rules\.0\.colour" is an unknown key/ });
  const badStatus = folderWith(t, { 'a.json': { rules: [{ name: 'x', outcome: { status: 'maybe' } }] } });
  t.throws(() => loadScenarios(badStatus), { message: /scenarios\/a\.json: "rules\.0\.outcome\.status"/ });
  const badCode = folderWith(t, { 'b.json': { rules: [{ name: 'x', outcome: { status: 'decline', code: '99998' } }] } });
  t.throws(() => loadScenarios(badCode), { message: /scenarios\/b\.json: rules\.0\.outcome\.code: 99998 is not in ECommPay's code table/ });
  const badJson = folderWith(t, { 'c.json': '{' });
  t.throws(() => loadScenarios(badJson), { message: /scenarios\/c\.json: not valid JSON/ });
  const twice = folderWith(t, { 'd.json': { rules: [{ name: 'x', outcome: { status: 'success' } }] }, 'e.json': { rules: [{ name: 'x', outcome: { status: 'success' } }] } });
  t.throws(() => loadScenarios(twice), { message: /scenarios\/e\.json: rules\.0\.name: "x" is already defined in d\.json/ });
  const badPattern = folderWith(t, { 'f.json': { rules: [{ name: 'x', match: { payment_id: { pattern: '(' } }, outcome: { status: 'success' } }] } });
  t.throws(() => loadScenarios(badPattern), ScenarioError);
  t.throws(() => loadScenarios(join(tempDir(t), 'missing')), { message: /does not exist/ });
});

t.test('files are read in name order and the first matching rule wins', async (t) => {
  const dir = folderWith(t, {
    '10-later.json': { rules: [{ name: 'later', match: { payment_id: { pattern: '^vip-' } }, outcome: { status: 'decline', code: '20000' } }] },
    '00-first.json': { rules: [{ name: 'first', match: { payment_id: 'vip-1' }, outcome: { status: 'success' }, delay: 5 }] },
  });
  const catalogue = loadScenarios(dir);
  const context = { method: 'paymaya', operation: 'sale' as const, interface: 'gate' as const, amountPhp: 5000, currency: 'PHP', customerId: 'c', customerEmail: '', accountNumber: '', paymentId: 'vip-1', description: '' };
  t.match(catalogue.choose(context), { name: 'first', outcome: 'success', delay: 5 });
  t.match(catalogue.choose({ ...context, paymentId: 'vip-2' }), { name: 'later', outcome: 'decline', code: '20000' });
  t.match(catalogue.choose({ ...context, paymentId: 'other' }), { name: 'default', outcome: 'customer' });
  t.match(catalogue.choose({ ...context, operation: 'payout', paymentId: 'other' }), { name: 'default', outcome: 'success' });
});
