// Streams the Payments list as CSV (csv-stringify) or XLSX (exceljs), page by page from the database.
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { PaymentFilter, PaymentListRow } from '../../domain/model.js';
import type { PaymentListing } from '../../domain/reports/payment-listing.js';

export const EXPORT_COLUMNS = [
  'project_id', 'payment_id', 'method', 'type', 'status', 'interface', 'amount', 'currency', 'amount_php', 'customer_id',
  'account_number', 'description', 'operation_id', 'code', 'message', 'created_at', 'updated_at',
] as const;

function exportRow(row: PaymentListRow): Array<string | number> {
  const account = JSON.parse(row.account) as { number?: string };
  return [
    row.project_id, row.payment_id, row.method, row.type, row.status, row.interface, row.amount, row.currency, row.converted_amount,
    row.customer_id, account.number ?? '', row.description, row.operation_id === null ? '' : String(row.operation_id), row.code ?? '',
    row.message ?? '', new Date(row.created_at).toISOString(), new Date(row.updated_at).toISOString(),
  ];
}

export function csvExport(listing: PaymentListing, filter: PaymentFilter): Readable {
  const rows = async function* () {
    for await (const row of listing.all(filter)) yield exportRow(row);
  };
  return Readable.from(rows()).pipe(stringify({ header: true, columns: [...EXPORT_COLUMNS] }));
}

export function xlsxExport(listing: PaymentListing, filter: PaymentFilter): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      // exceljs takes a quarter of a second to load: only an XLSX export pays for it, not the start.
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
      const sheet = workbook.addWorksheet('Payments');
      sheet.columns = EXPORT_COLUMNS.map((key) => ({ header: key, key }));
      for await (const row of listing.all(filter)) sheet.addRow(exportRow(row)).commit();
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
