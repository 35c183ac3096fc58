// Streams the Payments list as CSV (csv-stringify) or XLSX (exceljs), page by page from the database. Of a card
// only what the sandbox keeps goes out: its masked number and its brand (docs/card-protocol.md D12).
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { PaymentFilter, PaymentListRow } from '../../domain/model.js';
import type { PaymentListing } from '../../domain/reports/payment-listing.js';

export const EXPORT_COLUMNS = [
  'project_id', 'payment_id', 'method', 'type', 'status', 'interface', 'amount', 'currency', 'amount_php', 'customer_id',
  'account_number', 'card_brand', 'description', 'operation_id', 'code', 'message', 'created_at', 'updated_at',
] as const;

/** A card payment's brand as people read it (`Visa`); empty for a payment that is not by card. */
export type BrandOf = (row: PaymentListRow, account: { type?: string }) => string;

function exportRow(row: PaymentListRow, brandOf: BrandOf): Array<string | number> {
  const account = JSON.parse(row.account) as { number?: string; type?: string };
  return [
    row.project_id, row.payment_id, row.method, row.type, row.status, row.interface, row.amount, row.currency, row.converted_amount,
    row.customer_id, account.number ?? '', brandOf(row, account), row.description, row.operation_id === null ? '' : String(row.operation_id), row.code ?? '',
    row.message ?? '', new Date(row.created_at).toISOString(), new Date(row.updated_at).toISOString(),
  ];
}

export function csvExport(listing: PaymentListing, filter: PaymentFilter, brandOf: BrandOf): Readable {
  const rows = async function* () {
    for await (const row of listing.all(filter)) yield exportRow(row, brandOf);
  };
  return Readable.from(rows()).pipe(stringify({ header: true, columns: [...EXPORT_COLUMNS] }));
}

export function xlsxExport(listing: PaymentListing, filter: PaymentFilter, brandOf: BrandOf): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      // exceljs takes a quarter of a second to load: only an XLSX export pays for it, not the start.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
      const sheet = workbook.addWorksheet('Payments');
      sheet.columns = EXPORT_COLUMNS.map((key) => ({ header: key, key }));
      for await (const row of listing.all(filter)) sheet.addRow(exportRow(row, brandOf)).commit();
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
