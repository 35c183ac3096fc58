import t from 'tap';
import { loadCards } from '../../src/catalogue-loader.js';
import { maskPan, passesLuhn } from '../../src/domain/catalogue/cards.js';
import { readCard } from '../../src/domain/payments/card-details.js';
import { atLeast } from '../helpers/promises.js';

const cards = loadCards();
const NOW = Date.UTC(2026, 5, 15);
const card = (pan: string, changes: Record<string, unknown> = {}) => ({ pan, month: 12, year: 2030, cvv: '123', holder: 'JUAN DELA CRUZ', ...changes });

t.test('every test card passes Luhn, has a known brand, and the file lists each number once', async (t) => {
  const list = cards.list();
  t.equal(new Set(list.map((c) => c.pan)).size, list.length);
  for (const testCard of atLeast(t, list, 20, 'test cards')) {
    t.ok(passesLuhn(testCard.pan), `${testCard.pan} passes Luhn`);
    t.ok(cards.brandOf(testCard.pan), `${testCard.pan} has a brand`);
  }
});

t.test('brands by the first digits, in order: Mir before Mastercard\'s 2-series, Maestro after Discover and UnionPay', async (t) => {
  const cases: Array<[string, string]> = [
    ['4111111111111111', 'visa'], ['5555555555554444', 'mastercard'], ['2223003122003222', 'mastercard'], ['2200000000000004', 'mir'],
    ['378282246310005', 'amex'], ['30569309025904', 'diners_club'], ['3566002020360505', 'jcb'], ['6011111111111117', 'discover'],
    ['6200000000000005', 'unionpay'], ['6759649826438453', 'maestro'], ['5018000000000009', 'maestro'],
  ];
  t.equal(cases.length, 11);
  for (const [pan, type] of cases) t.equal(cards.brandOf(pan)?.type, type, pan);
  t.equal(cards.brandOf('9999999999999995'), undefined, 'a 9 is no brand');
});

t.test('a number is masked as its first six and last four digits, a star for each digit between', async (t) => {
  t.equal(maskPan('4314220000000056'), '431422******0056');
  t.equal(maskPan('378282246310005'), '378282*****0005');
  t.equal(maskPan('4000000000000000003'), '400000*********0003');
});

t.test('a valid card gives what may be kept (mask, brand, holder, expiry as strings) and what the card does, never the number or CVV', async (t) => {
  const details = readCard(card('4314220000000056'), cards, NOW);
  t.same(details.account, { number: '431422******0056', type: 'visa', card_holder: 'JUAN DELA CRUZ', expiry_month: '12', expiry_year: '2030' });
  t.match(details.profile, { flow: 'challenge', result: 'success', code: '0' });
  t.notOk(JSON.stringify(details).includes('4314220000000056'), 'the full number is nowhere in it');
  t.notOk(JSON.stringify(details).includes('"123"'), 'nor the CVV');
  t.match(readCard(card('5555 5555 5555 4444'), cards, NOW).profile, { flow: 'none', result: 'success' }, 'any other valid number succeeds without 3-D Secure');
});

t.test('a bad card is refused with every problem at once, each with its code and field', async (t) => {
  t.throws(() => readCard(card('4111111111111112'), cards, NOW), { code: '2004', fields: [{ field: 'card.pan', code: '2004' }] }, 'Luhn');
  t.throws(() => readCard(card('9999999999999995'), cards, NOW), { code: '2004', fields: [{ field: 'card.pan', message: 'Unknown card brand' }] });
  t.throws(() => readCard(card('4111111111111111', { month: 5, year: 2026 }), cards, NOW), { code: '3021', fields: [{ field: 'card.year', code: '3021' }] }, 'expired last month');
  t.doesNotThrow(() => readCard(card('4111111111111111', { month: 6, year: 2026 }), cards, NOW), 'this month is still good');
  t.throws(() => readCard(card('4111111111111111', { cvv: '' }), cards, NOW), { code: '3141', fields: [{ field: 'card.cvv' }] });
  t.throws(() => readCard(card('4111111111111111', { cvv: '12a' }), cards, NOW), { code: '2004', fields: [{ field: 'card.cvv' }] });
  t.throws(() => readCard(card('4111111111111111', { holder: ' ' }), cards, NOW), { code: '3162', fields: [{ field: 'card.card_holder' }] });
  const all = t.throws(() => readCard({ pan: '12', month: 13, year: 'soon', cvv: undefined, holder: undefined }, cards, NOW)) as unknown as { fields: Array<{ field: string; code: string }> };
  t.same(all.fields.map((f) => [f.field, f.code]), [['card.pan', '2004'], ['card.month', '2004'], ['card.year', '2004'], ['card.cvv', '3141'], ['card.card_holder', '3162']], 'all five at once');
});
