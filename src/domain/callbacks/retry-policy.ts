// ECommPay's callback retry schedule (docs/protocol-notes.md §3.1): attempts 2–7 come 10 s apart, attempt n ≥ 8 waits
// 70 + 10·1.12^(n−4) s while that stays under 4 h, then 4 h; at most 120 attempts within 11 days.

export const MAX_ATTEMPTS = 120;
export const MAX_SPAN_SECONDS = 11 * 24 * 3600;
const CAP_SECONDS = 4 * 3600;

/** Seconds between attempt n−1 and attempt n (n ≥ 2). */
export function secondsBeforeAttempt(n: number): number {
  if (n < 2) throw new RangeError(`attempt ${n} has no predecessor`);
  if (n <= 7) return 10;
  return Math.min(70 + 10 * 1.12 ** (n - 4), CAP_SECONDS);
}

/** When attempt `attemptsMade + 1` is due, or undefined when the schedule is exhausted. */
export function nextAttemptAt(firstAttemptAt: number, lastAttemptAt: number, attemptsMade: number): number | undefined {
  if (attemptsMade >= MAX_ATTEMPTS) return undefined;
  const due = lastAttemptAt + Math.round(secondsBeforeAttempt(attemptsMade + 1) * 1000);
  return due - firstAttemptAt > MAX_SPAN_SECONDS * 1000 ? undefined : due;
}
