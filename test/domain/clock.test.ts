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
  const origin = { real: Date.now(), sandbox: Date.UTC(2026, 0, 1) };
  const clock = createClock({ mode: 'scale', factor: 60 }, undefined, origin);
  t.equal(clock.mode, 'scale');
  const now = clock.now();
  t.ok(now >= Date.UTC(2026, 0, 1) && now < Date.UTC(2026, 0, 1) + 60 * 60_000);
  const delay = clock.realDelayUntil(now + 60_000);
  t.ok(delay <= 1_000 && delay > 900, `a sandbox minute is about a real second (${delay} ms)`);
});

t.test('the real clock follows the system time', async (t) => {
  const clock = createClock({ mode: 'real' }, undefined);
  const before = Date.now();
  t.ok(clock.now() >= before && clock.now() < before + 1_000);
  t.equal(clock.realDelayUntil(before - 1), 0);
});
