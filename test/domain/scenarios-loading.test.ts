import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarios } from '../../src/catalogue-loader.js';
import { ScenarioError } from '../../src/domain/catalogue/scenarios.js';
import { fromRoot } from '../../src/project-root.js';
import { tempDir } from '../helpers/sandbox.js';
import { matchCounted } from '../helpers/promises.js';

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

t.test('card_flow is refused on a rule that can match anything but a typed card, or that decides the result itself', async (t) => {
  const flow = (match: Record<string, unknown> | undefined, status = 'customer') => folderWith(t, { 'a.json': { rules: [{ name: 'x', ...(match === undefined ? {} : { match }), outcome: { status }, card_flow: 'challenge' }] } });
  t.throws(() => loadScenarios(flow(undefined)), { name: 'ScenarioError', message: 'scenarios/a.json: rules.0.card_flow: a card-only option; the rule needs match.method naming only card, else it matches wallet methods too' });
  t.throws(() => loadScenarios(flow({ amount: { min: 1 } })), { message: /rules\.0\.card_flow: a card-only option; the rule needs match\.method naming only card/ });
  t.throws(() => loadScenarios(flow({ method: ['card', 'paymaya'] })), { message: 'scenarios/a.json: rules.0.card_flow: a card-only option; match.method may name only card (a typed card that 3-D Secure checks), not paymaya' });
  t.throws(() => loadScenarios(flow({ method: ['applepay', 'googlepay'] })), { message: /rules\.0\.card_flow: .* not applepay, googlepay$/ });
  t.throws(() => loadScenarios(flow({ method: 'card' }, 'decline')), { message: 'scenarios/a.json: rules.0.outcome.status: with card_flow the card decides after 3-D Secure: use "customer", not "decline"' });
  const badFlow = folderWith(t, { 'b.json': { rules: [{ name: 'x', match: { method: 'card' }, outcome: { status: 'customer' }, card_flow: 'none' }] } });
  t.throws(() => loadScenarios(badFlow), { message: /scenarios\/b\.json: "rules\.0\.card_flow" must be equal to one of the allowed values/ });
  const unknown = folderWith(t, { 'c.json': { rules: [{ name: 'x', match: { method: ['card', 'bitcoin'] }, outcome: { status: 'success' } }] } });
  t.throws(() => loadScenarios(unknown), { message: 'scenarios/c.json: rules.0.match.method: no method "bitcoin" in data/methods/' });
  const fine = loadScenarios(flow({ method: 'card', amount: { min: 1 } }));
  t.match(fine.find('x'), { outcome: 'customer', cardFlow: 'challenge' });
  matchCounted(t, fine.list(), [{ name: 'x', card_flow: 'challenge' }]);
});

t.test('a card rule\'s external error carries a card/acquirer code; a rule for every method keeps the wallet\'s class', async (t) => {
  const walletCode = folderWith(t, { 'a.json': { rules: [{ name: 'x', match: { method: ['card', 'applepay'] }, outcome: { status: 'external error', code: '20100' } }] } });
  t.throws(() => loadScenarios(walletCode), { message: 'scenarios/a.json: rules.0.outcome.code: an external error carries a code of the table\'s "card/acquirer decline" class; 20100 is "APM/provider decline"' });
  const noCode = folderWith(t, { 'b.json': { rules: [{ name: 'x', match: { method: 'card' }, outcome: { status: 'external error' } }] } });
  t.throws(() => loadScenarios(noCode), { message: /rules\.0\.outcome\.code: an external error carries a code of the table's "card\/acquirer decline" class; 20100 is/, }, 'the default 20100 is a wallet\'s');
  const fine = loadScenarios(folderWith(t, { 'c.json': { rules: [
    { name: 'card', match: { method: 'card' }, outcome: { status: 'external error', code: '10100' } },
    { name: 'card-internal', match: { method: 'card' }, outcome: { status: 'internal error', code: '501' } },
  ] } }));
  t.match(fine.find('card'), { outcome: 'external error', code: '10100', message: 'Declined by external provider' });
  t.match(fine.find('card-internal'), { outcome: 'internal error', code: '501' });
  const mixed = folderWith(t, { 'd.json': { rules: [{ name: 'x', match: { method: ['card', 'paymaya'] }, outcome: { status: 'external error', code: '10100' } }] } });
  t.throws(() => loadScenarios(mixed), { message: /"APM\/provider decline" class; 10100 is "card\/acquirer decline"/ }, 'a rule that can match a wallet keeps the wallet\'s class');
});

t.test('the shipped catalogue: a card payment is matched by the card rules, a wallet by the others; forcing offers each method its own codes', async (t) => {
  const catalogue = loadScenarios(fromRoot('scenarios'));
  const context = { method: 'paymaya', operation: 'sale' as const, interface: 'gate' as const, amountPhp: 10001, currency: 'PHP', customerId: 'c', customerEmail: '', accountNumber: '', paymentId: 'p', description: '' };
  const magic: Array<[number, string, string, string | undefined]> = [
    [10001, 'decline-general', 'card-decline-general', '10000'],
    [10002, 'decline-limit', 'card-decline-limit', '10101'],
    [10003, 'no-answer', 'card-no-answer', undefined],
    [10005, 'decline-insufficient-funds', 'card-decline-insufficient-funds', '10105'],
    [10010, 'external-error', 'card-external-error', '10100'],
    [10011, 'internal-error', 'internal-error', '501'],
    [10006, 'receiver-fails-3', 'receiver-fails-3', '0'],
  ];
  for (const [amountPhp, wallet, card, code] of magic) {
    t.equal(catalogue.choose({ ...context, amountPhp }).name, wallet, `paymaya ${amountPhp}`);
    for (const method of ['card', 'applepay', 'googlepay']) t.match(catalogue.choose({ ...context, method, amountPhp }), { name: card, code }, `${method} ${amountPhp}`);
  }
  t.match(catalogue.choose({ ...context, method: 'card', amountPhp: 10015 }), { name: 'card-3ds-abandon', outcome: 'customer', cardFlow: 'challenge' });
  t.match(catalogue.choose({ ...context, method: 'card', amountPhp: 10016 }), { name: 'card-3ds-frictionless', outcome: 'customer', cardFlow: 'frictionless' });
  t.equal(catalogue.choose({ ...context, method: 'applepay', amountPhp: 10015 }).name, 'default', 'no 3-D Secure rule for a card wallet');
  t.equal(catalogue.choose({ ...context, amountPhp: 10015 }).name, 'default');
  t.throws(() => catalogue.choose(context, 'card-3ds-abandon'), { message: 'Scenario "card-3ds-abandon" is for payments by card, not paymaya' });
  const values = (method: string) => catalogue.forceChoices('sale', method).map((choice) => choice.value);
  t.same(values('paymaya'), ['success', 'decline:20000', 'decline:20101', 'decline:20105', 'external error:20100', 'internal error:501'], 'a wallet is offered the wallet codes only');
  t.same(values('card'), ['success', 'decline:10000', 'decline:10101', 'decline:10105', 'external error:10100', 'internal error:501'], 'a card the card codes: the wallet rules its card rules win over are left out');
  const cardDecline = catalogue.forceChoices('sale', 'card').find((choice) => choice.value === 'decline:10000');
  t.same(cardDecline?.scenarios, ['card-decline-general', 'card-decline-general-by-email']);
});
