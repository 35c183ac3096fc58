import t from 'tap';
import { createClock, ManualClock } from '../../src/domain/clock/clock.js';

t.test('a manual clock only moves forward and says whether it moved', async (t) => {
  const clock = new ManualClock(1_000);
  t.equal(clock.set(500), false);
  t.equal(clock.now(), 1_000, 'never backwards');
  t.equal(clock.set(2_000), true);
  t.equal(clock.now(), 2_000);
  t.equal(clock.realDelayUntil(3_000), Infinity, 'nothing is due until someone moves it');
});

t.test('each project has its own manual time, starting where the clock starts; the base time is apart', async (t) => {
  const clock = new ManualClock(5_000, 1_000);
  t.equal(clock.now(7), 1_000, 'a project starts at the start time');
  t.equal(clock.set(4_000, 7), true);
  t.equal(clock.now(7), 4_000);
  t.equal(clock.now(8), 1_000, 'another project keeps its own time');
  t.equal(clock.now(), 5_000, 'the base time is untouched');
  t.equal(clock.set(3_000, 7), false, 'a project clock never goes back');
  t.same(clock.projectIds(), [7]);
});

t.test('a manual clock resumes from the time saved by an earlier run', async (t) => {
  t.equal(createClock({ mode: 'manual', startAt: 10 }, 99).now(), 99);
  t.equal(createClock({ mode: 'manual', startAt: 10 }, undefined).now(), 10);
});

t.test('a scaled clock runs N sandbox seconds per real second from its origin', async (t) => {
  // Real time is read around each call, so the bounds hold however long the machine takes between the lines.
  const sandboxStart = Date.UTC(2026, 0, 1);
  const origin = { real: Date.now() - 10_000, sandbox: sandboxStart };
  const clock = createClock({ mode: 'scale', factor: 60 }, undefined, origin);
  t.equal(clock.mode, 'scale');
  const before = Date.now();
  const now = clock.now();
  const after = Date.now();
  t.ok(now >= sandboxStart + (before - origin.real) * 60 && now <= sandboxStart + (after - origin.real) * 60,
    `${(now - sandboxStart) / 1000} sandbox seconds after ${(before - origin.real) / 1000}–${(after - origin.real) / 1000} real seconds`);
  const asked = Date.now();
  const delay = clock.realDelayUntil(now + 60_000);
  const answered = Date.now();
  // The sandbox minute after `now` is a real second after the moment `now` was read, less what has passed since.
  t.ok(delay <= 1_000 && delay >= 1_000 - (answered - before), `a sandbox minute is a real second from \`now\` (${delay} ms, ${asked - before}–${answered - before} ms later)`);
  t.equal(clock.realDelayUntil(now - 60_000), 0, 'a time passed is due at once');
});

t.test('the real clock follows the system time', async (t) => {
  const clock = createClock({ mode: 'real' }, undefined);
  const before = Date.now();
  const now = clock.now();
  const after = Date.now();
  t.ok(now >= before && now <= after, 'read between two readings of the system time');
  t.equal(clock.realDelayUntil(before - 1), 0);
  const delay = clock.realDelayUntil(now + 5_000);
  t.ok(delay <= 5_000 && delay >= 5_000 - (Date.now() - before), `five seconds ahead is at most five real seconds away (${delay} ms)`);
});
