// The dashboard's view of many payments: a filtered page with its total, a streamed export, and analytics.
import { resultOf, type DailyTotal, type PaymentFilter, type PaymentListRow, type PaymentStatus } from '../model.js';
import type { Reports } from '../ports.js';

/**
 * Per method: its payments, and those that count as a success (a paid status: success, a hold awaiting capture,
 * partially refunded, refunded), a decline, an external or internal error, or a released hold; `rate` (undefined while none has ended) is the
 * successes among the payments that succeeded or failed. A released hold (`canceled`) is neither: the shop
 * chose to let it go, the payment did not fail.
 */
export interface MethodSuccessRate { method: string; total: number; success: number; decline: number; error: number; canceled: number; rate: number | undefined }

type Tally = Omit<MethodSuccessRate, 'method' | 'total' | 'rate'>;

/** Which figure a payment's status adds to; none while it is in progress. */
function tallyOf(status: PaymentStatus): keyof Tally | undefined {
  if (status === 'canceled') return 'canceled';
  if (resultOf(status) === 'paid') return 'success';
  if (status === 'decline') return 'decline';
  return status === 'external error' || status === 'internal error' ? 'error' : undefined;
}

export class PaymentListing {
  constructor(private readonly reports: Reports) {}

  async page(filter: PaymentFilter, pageSize: number, pageNumber: number): Promise<{ rows: PaymentListRow[]; total: number; pages: number }> {
    const total = await this.reports.count(filter);
    const rows = await this.reports.page(filter, pageSize, (pageNumber - 1) * pageSize);
    return { rows, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
  }

  latest(filter: PaymentFilter, limit: number): Promise<PaymentListRow[]> {
    return this.reports.page(filter, limit, 0);
  }

  /** Every matching payment, page by page, for exports. */
  all(filter: PaymentFilter): AsyncGenerator<PaymentListRow> {
    return this.reports.stream(filter);
  }

  dailyTotals(filter: PaymentFilter): Promise<DailyTotal[]> {
    return this.reports.dailyTotals(filter);
  }

  /** Success rate per method, in method order (see MethodSuccessRate for what counts as what). */
  async successRates(filter: PaymentFilter): Promise<MethodSuccessRate[]> {
    const byMethod = new Map<string, MethodSuccessRate>();
    for (const { method, status, n } of await this.reports.methodStatuses(filter)) {
      const rate = byMethod.get(method) ?? { method, total: 0, success: 0, decline: 0, error: 0, canceled: 0, rate: 0 };
      rate.total += n;
      const tally = tallyOf(status as PaymentStatus);
      if (tally !== undefined) rate[tally] += n;
      byMethod.set(method, rate);
    }
    return [...byMethod.values()].map((r) => {
      const ended = r.success + r.decline + r.error;
      return { ...r, rate: ended === 0 ? undefined : r.success / ended };
    });
  }
}
