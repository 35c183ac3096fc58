// The dashboard's view of many payments: a filtered page with its total, a streamed export, and analytics.
import type { DailyTotal, MethodRate, PaymentFilter, PaymentListRow } from '../model.js';
import type { Reports } from '../ports.js';

/** `rate`: undefined while none of the method's payments has ended. */
export interface MethodSuccessRate extends MethodRate { rate: number | undefined }

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

  /** Success rate per method among the payments that ended (success, decline, or an error: a failure too). */
  async successRates(filter: PaymentFilter): Promise<MethodSuccessRate[]> {
    return (await this.reports.methodRates(filter)).map((r) => {
      const ended = r.success + r.decline + r.error;
      return { ...r, rate: ended === 0 ? undefined : r.success / ended };
    });
  }
}
