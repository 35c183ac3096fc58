import t from 'tap';
import { loadCodes } from '../../src/catalogue-loader.js';
import { Refusal, REFUSAL_TABLE, type RefusalKind } from '../../src/domain/errors.js';
import { atLeast } from '../helpers/promises.js';

t.test('each refusal kind carries a code of ECommPay\'s table with that code\'s message, and an HTTP error status', async (t) => {
  const codes = loadCodes();
  const kinds = Object.keys(REFUSAL_TABLE) as RefusalKind[];
  for (const kind of atLeast(t, kinds, 20, 'refusal kinds')) {
    const rule = REFUSAL_TABLE[kind];
    t.ok(codes.isKnown(rule.code), `${kind}: ${rule.code} is in data/codes.json`);
    t.equal(rule.message, codes.message(rule.code), `${kind}: the message is the table's`);
    t.ok(rule.httpStatus >= 400 && rule.httpStatus < 500, `${kind}: ${rule.httpStatus} is a client error`);
    const refusal = new Refusal(kind);
    t.same([refusal.code, refusal.message, refusal.httpStatus], [rule.code, rule.message, rule.httpStatus], `${kind}: a refusal takes all three from the table`);
  }
});
