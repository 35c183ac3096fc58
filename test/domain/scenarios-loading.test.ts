import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarios } from '../../src/catalogue-loader.js';
import { ScenarioError } from '../../src/domain/catalogue/scenarios.js';
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

t.test('an error outcome carries a code of its class in the table; without one it takes 20100 or 501', async (t) => {
  const wrongClass = folderWith(t, { 'a.json': { rules: [{ name: 'x', outcome: { status: 'internal error', code: '20000' } }] } });
  t.throws(() => loadScenarios(wrongClass), { message: /scenarios\/a\.json: rules\.0\.outcome\.code: an internal error carries a code of the table's "platform" class; 20000 is "APM\/provider decline"/ });
  const wrongExternal = folderWith(t, { 'b.json': { rules: [{ name: 'x', outcome: { status: 'external error', code: '501' } }] } });
  t.throws(() => loadScenarios(wrongExternal), { message: /rules\.0\.outcome\.code: an external error carries a code of the table's "APM\/provider decline" class; 501 is "platform"/ });
  const noCode = folderWith(t, { 'c.json': { rules: [{ name: 'ext', outcome: { status: 'external error' } }, { name: 'int', outcome: { status: 'internal error' } }] } });
  const catalogue = loadScenarios(noCode);
  t.match(catalogue.find('ext'), { outcome: 'external error', code: '20100', message: 'Declined by external provider' });
  t.match(catalogue.find('int'), { outcome: 'internal error', code: '501', message: 'Internal error' });
  const waitsWithCode = folderWith(t, { 'd.json': { rules: [{ name: 'x', outcome: { status: 'no_answer', code: '20000' } }] } });
  t.throws(() => loadScenarios(waitsWithCode), { message: /rules\.0\.outcome\.code: no_answer and customer carry no code/ });
});

t.test('awaiting customer is refused outside Payment Page sales, with code 0, and declined_attempts only goes with it', async (t) => {
  const gate = folderWith(t, { 'a.json': { rules: [{ name: 'x', match: { amount: { min: 1 } }, outcome: { status: 'awaiting customer' } }] } });
  t.throws(() => loadScenarios(gate), { message: /rules\.0\.match\.interface: awaiting customer needs "payment_page"/ });
  const payout = folderWith(t, { 'b.json': { rules: [{ name: 'x', match: { operation: 'payout', interface: 'payment_page' }, outcome: { status: 'awaiting customer' } }] } });
  t.throws(() => loadScenarios(payout), { message: /rules\.0\.match\.operation: awaiting customer is for sales on the Payment Page/ });
  const zero = folderWith(t, { 'c.json': { rules: [{ name: 'x', catalogue_only: true, outcome: { status: 'awaiting customer', code: '0' } }] } });
  t.throws(() => loadScenarios(zero), { message: /rules\.0\.outcome\.code: a declined attempt cannot carry code 0/ });
  const stray = folderWith(t, { 'd.json': { rules: [{ name: 'x', outcome: { status: 'decline', declined_attempts: 2 } }] } });
  t.throws(() => loadScenarios(stray), { message: /rules\.0\.outcome\.declined_attempts: only awaiting customer declines attempts/ });
  const fine = loadScenarios(folderWith(t, { 'e.json': { rules: [{ name: 'x', match: { interface: 'payment_page' }, outcome: { status: 'awaiting customer', code: '20105', declined_attempts: 2 } }] } }));
  t.match(fine.find('x'), { outcome: 'awaiting customer', code: '20105', declinedAttempts: 2 });
});
