// What a dashboard tool just did, said at the top of the payment's page it leads to (force, resend, advance), and
// the report's times as the dashboard shows dates.
import { shownDate, shownIso } from './pages.js';

export interface PaymentView {
  payment: { status: string; callback_url: string | null };
  operations: Array<{ type: string; status: string; code: string | null; message: string | null }>;
  callbacks: Array<{ id: number; kind: string; state: string; url: string; attempts: Array<{ http_status: number | null; error: string | null }> }>;
}
/** A report with its times as the dashboard shows dates; a callback's body stays as it was sent. */
export function shownDates(value: unknown, key = ''): unknown {
  if (key === 'body') return value;
  if (typeof value === 'string') return shownIso(value);
  if (Array.isArray(value)) return value.map((item) => shownDates(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownDates(v, k)]));
  return value;
}

/** What the action that led here did, in a line or two at the top of the page (`done` names the action). */
export function whatWasDone(query: Record<string, unknown>, report: PaymentView, now: number): string[] | undefined {
  const last = report.operations.at(-1);
  if (query.done === 'forced' && last !== undefined) {
    const outcome = last.status === 'success' ? 'success' : `${last.status} ${last.code ?? ''} — ${last.message ?? ''}`;
    const callback = report.callbacks.at(-1);
    return [
      `Outcome forced: the ${last.type} ended in ${outcome}.`,
      callback === undefined ? 'No callback was sent.' : `Its callback #${callback.id} is ${callback.state}${callback.url === 'sandbox:inbox' ? ' (the built-in inbox)' : ` (to ${callback.url})`}.`,
    ];
  }
  if (query.done === 'resent') {
    const callback = report.callbacks.find((c) => String(c.id) === query.callback);
    if (callback === undefined) return undefined;
    const attempt = callback.attempts.at(-1);
    const answer = attempt === undefined ? 'not sent yet' : attempt.http_status === null ? `not delivered: ${attempt.error ?? 'no answer'}` : `answered HTTP ${attempt.http_status}`;
    return [`Callback #${String(query.of)} resent as callback #${callback.id} to ${callback.url === 'sandbox:inbox' ? 'the built-in inbox' : callback.url}: ${callback.state}, ${answer}.`];
  }
  if (query.done === 'advanced' && typeof query.seconds === 'string') {
    return [`Clock advanced by ${query.seconds} s, to ${shownDate(now)} UTC; what fell due has run.`];
  }
  return undefined;
}
