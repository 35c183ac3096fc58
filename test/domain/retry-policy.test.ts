import t from 'tap';
import { MAX_ATTEMPTS, MAX_SPAN_SECONDS, nextAttemptAt, secondsBeforeAttempt } from '../../src/domain/callbacks/retry-policy.js';

t.test('attempts 2 to 7 come 10 s apart', async (t) => {
  for (let n = 2; n <= 7; n++) t.equal(secondsBeforeAttempt(n), 10, `attempt ${n}`);
});

t.test('attempt n from 8 waits 70 + 10·1.12^(n−4) seconds', async (t) => {
  t.equal(secondsBeforeAttempt(8).toFixed(1), '85.7');
  t.equal(secondsBeforeAttempt(9), 70 + 10 * 1.12 ** 5);
  t.equal((secondsBeforeAttempt(61) / 3600).toFixed(2), '1.79', 'about 1.79 h');
  t.ok(secondsBeforeAttempt(68) < 14400, 'attempt 68 is still under 4 h');
});

t.test('from attempt 69 the wait is capped at 4 h', async (t) => {
  t.equal(secondsBeforeAttempt(69), 14400);
  t.equal(secondsBeforeAttempt(120), 14400);
});

t.test('the whole schedule is 120 attempts within 11 days', async (t) => {
  const times = [0];
  for (let made = 1; ; made++) {
    const next = nextAttemptAt(0, times[times.length - 1]!, made);
    if (next === undefined) break;
    times.push(next);
  }
  t.equal(times.length, MAX_ATTEMPTS);
  const last = times[times.length - 1]!;
  t.ok(last <= MAX_SPAN_SECONDS * 1000);
  t.equal((last / 3_600_000).toFixed(1), '245.8', 'attempt 120 lands about 245.8 h after the first');
  const capStart = times[68]! / 3_600_000;
  t.equal(capStart.toFixed(1), '41.8', 'attempt 69 is about 41.8 h after the first');
});

t.test('attempt 1 has no predecessor', async (t) => {
  t.throws(() => secondsBeforeAttempt(1), RangeError);
});
