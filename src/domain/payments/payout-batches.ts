// Mass payouts from a CSV file (Old Dashboard "Manual payments"): every row is checked like a Gate payout,
// errors are reported by row and column, and valid rows become payouts of one batch, created in chunks by a
// job on the scheduler so a 10,000-row file never stalls other requests.
import { parse } from 'csv-parse/sync';
import type { Clock } from '../clock/clock.js';
import { Refusal, type FieldProblem } from '../errors.js';
import type { Batch, Job, Project, RefusedBatchRow } from '../model.js';
import type { PaymentLifecycle, PaymentRequest } from './payment-lifecycle.js';
import type { Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { MethodRules } from './method-rules.js';
import type { Currencies } from '../catalogue/currencies.js';

/** The CSV columns: the Gate payout fields by their paths, plus the method (default paymaya). */
export const PAYOUT_COLUMNS = [
  'general.payment_id', 'payment.amount', 'payment.currency', 'payment.description', 'customer.id', 'customer.ip_address',
  'customer.email', 'account.number', 'account.customer_name', 'method',
] as const;
const REQUIRED_COLUMNS = ['general.payment_id', 'payment.amount', 'payment.currency', 'customer.id', 'account.number', 'account.customer_name'];
export const MAX_ROWS = 50_000;
const CHUNK = 100;

export interface RowError { row: number; column: string; message: string }

export interface PayoutFields {
  paymentId: string; amount: string; currency: string; description: string; customerId: string; ipAddress: string; email: string;
  accountNumber: string; customerName: string; method: string;
}

export function payoutTemplate(): string {
  return `${PAYOUT_COLUMNS.join(',')}\npayout-0001,10000,PHP,payout,customer-1,203.0.113.7,juan@example.ph,09171234567,Juan dela Cruz,paymaya\n`;
}

/** Checks a payout built from form or CSV fields against the Gate payout schema: one problem per field, each named by `label`. */
export type PayoutBodyCheck = (body: unknown, label: (field: string) => string) => FieldProblem[];

export interface BatchDeps {
  currencies: Currencies;
  checkPayoutBody: PayoutBodyCheck;
  storage: Storage;
  rules: MethodRules;
  lifecycle: PaymentLifecycle;
  projects: ProjectDirectory;
  clock: Clock;
}

export class PayoutBatches {
  constructor(private readonly deps: BatchDeps) {}

  find(id: number): Promise<Batch | undefined> {
    return this.deps.storage.read.batches.find(id);
  }

  /** The newest batches, of one project or of all. */
  list(limit = 100, projectId?: number): Promise<Batch[]> {
    return this.deps.storage.read.batches.list(limit, projectId);
  }

  refusedRows(batchId: number): Promise<RefusedBatchRow[]> {
    return this.deps.storage.read.batches.refusedRows(batchId);
  }

  /**
   * A payout request from form or CSV fields, checked as Gate checks a payout (schema, method, currency, account),
   * refused with every problem at once in plain words; `label` names a field as the person filling it sees it.
   */
  requestFrom(project: Project, fields: PayoutFields, label: (field: string) => string = (field) => field): PaymentRequest {
    const amount = /^\d+$/.test(fields.amount.trim()) ? Number(fields.amount.trim()) : fields.amount;
    const body = {
      general: { project_id: project.projectId, payment_id: fields.paymentId.trim() },
      payment: { amount, currency: fields.currency.trim().toUpperCase(), ...(fields.description === '' ? {} : { description: fields.description }) },
      customer: { id: fields.customerId.trim(), ip_address: fields.ipAddress.trim() || '127.0.0.1', ...(fields.email.trim() === '' ? {} : { email: fields.email.trim() }) },
      account: { number: fields.accountNumber.trim(), customer_name: fields.customerName.trim() },
    };
    const problems: FieldProblem[] = [];
    problems.push(...this.deps.checkPayoutBody(body, label));
    const methodCode = fields.method.trim() || 'paymaya';
    const { rules } = this.deps;
    const collect = (check: () => void) => {
      try {
        check();
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        problems.push(...error.fields);
      }
    };
    collect(() => {
      const { method } = rules.methodThrough(methodCode, 'payout', 'dashboard', 'method');
      problems.push(...rules.payoutAccountProblems(method, body.account));
    });
    if (body.payment.currency !== '') collect(() => rules.convert({ amount: 0, currency: body.payment.currency }));
    // One problem per field, the first: a missing account number need not also be of the wrong shape.
    const seenFields = new Set<string>();
    const firstPerField = problems.filter((p) => !seenFields.has(p.field) && seenFields.add(p.field) !== undefined);
    if (firstPerField.length > 0) throw new Refusal('invalid-fields', firstPerField);
    const request: PaymentRequest = {
      project,
      paymentId: body.general.payment_id,
      methodCode,
      interface: 'dashboard',
      sum: { amount: body.payment.amount as number, currency: body.payment.currency },
      description: fields.description,
      customer: body.customer,
      account: body.account,
      returnUrl: {},
      callbackUrl: undefined,
      callbackDelaySeconds: 0,
      callbacksDisabled: false,
    };
    this.deps.lifecycle.checkPayout(request);
    return request;
  }

  /**
   * A single payout from the dashboard's form, whose amount is in minor units as in Gate and the CSV of a mass
   * payout (15050 = 150.50): every problem of the form at once, each named by `label`.
   */
  manualRequest(project: Project | undefined, fields: PayoutFields, label: (field: string) => string): PaymentRequest {
    const problems: FieldProblem[] = [];
    if (project === undefined) problems.push({ field: 'project_id', message: `Choose a ${label('project_id').toLowerCase()}` });
    const currency = fields.currency.trim().toUpperCase() || 'PHP';
    const minor = fields.amount.trim();
    const amountOk = /^\d{1,15}$/.test(minor) && Number(minor) > 0;
    if (!amountOk) problems.push({ field: 'payment.amount', message: `${label('payment.amount')} must be a whole number of minor units, such as 15050 for 150.50` });
    try {
      // Without a project the other fields are still checked (as project 1), so the form lists every problem at once.
      const request = this.requestFrom(project ?? ({ ...({} as Project), projectId: 1 }), { ...fields, currency, amount: amountOk ? minor : '1' }, label);
      if (problems.length > 0) throw new Refusal('invalid-fields', problems);
      return request;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const fieldsSeen = new Set(problems.map((p) => p.field));
      throw new Refusal('invalid-fields', [...problems, ...error.fields.filter((f) => !fieldsSeen.has(f.field))]);
    }
  }

  /** Parses and checks a file; returns the errors by row and column and, when any row is valid, the batch id. */
  async upload(project: Project, fileName: string, csv: string): Promise<{ batchId: number | undefined; errors: RowError[]; accepted: number }> {
    let records: string[][];
    try {
      records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false, delimiter: delimiterOf(csv) }) as string[][];
    } catch (error) {
      return { batchId: undefined, errors: [{ row: 0, column: '', message: `Not a readable CSV file: ${(error as Error).message}` }], accepted: 0 };
    }
    const [header, ...rows] = records;
    if (header === undefined) return { batchId: undefined, errors: [{ row: 0, column: '', message: 'The file is empty' }], accepted: 0 };
    const columns = header.map((c) => c.trim());
    const errors: RowError[] = [];
    for (const column of columns) {
      if (!(PAYOUT_COLUMNS as readonly string[]).includes(column)) errors.push({ row: 1, column, message: `Unknown column; expected ${PAYOUT_COLUMNS.join(', ')}` });
    }
    for (const column of REQUIRED_COLUMNS) if (!columns.includes(column)) errors.push({ row: 1, column, message: 'Required column missing' });
    if (errors.length > 0) return { batchId: undefined, errors, accepted: 0 };
    if (rows.length > MAX_ROWS) return { batchId: undefined, errors: [{ row: 0, column: '', message: `At most ${MAX_ROWS} rows per file` }], accepted: 0 };
    const seen = new Set<string>();
    const valid: Array<{ rowNumber: number; paymentId: string; request: string }> = [];
    const { read } = this.deps.storage;
    for (const [index, cells] of rows.entries()) {
      const rowNumber = index + 2;
      const nulAt = cells.findIndex((value) => value.includes('\u0000'));
      if (nulAt !== -1) {
        errors.push({ row: rowNumber, column: columns[nulAt] ?? '', message: `${columns[nulAt] ?? 'A cell'} contains the NUL character (U+0000), which is not accepted` });
        continue;
      }
      const cell = (name: string) => cells[columns.indexOf(name)] ?? '';
      const fields: PayoutFields = {
        paymentId: cell('general.payment_id'), amount: cell('payment.amount'), currency: cell('payment.currency'), description: cell('payment.description'),
        customerId: cell('customer.id'), ipAddress: cell('customer.ip_address'), email: cell('customer.email'), accountNumber: cell('account.number'),
        customerName: cell('account.customer_name'), method: cell('method'),
      };
      try {
        const request = this.requestFrom(project, fields, columnOf);
        if (seen.has(request.paymentId) || (await read.payments.find(project.projectId, request.paymentId)) !== undefined) {
          errors.push({ row: rowNumber, column: 'general.payment_id', message: `general.payment_id "${request.paymentId}" is already used by another payment` });
          continue;
        }
        seen.add(request.paymentId);
        valid.push({ rowNumber, paymentId: request.paymentId, request: JSON.stringify(fields) });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        for (const problem of error.fields) errors.push({ row: rowNumber, column: columnOf(problem.field), message: problem.message });
      }
    }
    if (rows.length === 0) return { batchId: undefined, errors: [{ row: 0, column: '', message: 'The file has a header but no rows' }], accepted: 0 };
    // Refused rows stay with their batch, all of a row's problems in one line, so the batch counts and shows them.
    const byRow = new Map<number, RowError[]>();
    for (const error of errors) byRow.set(error.row, [...(byRow.get(error.row) ?? []), error]);
    const refused = [...byRow].map(([rowNumber, problems]) => ({
      rowNumber,
      paymentId: (rows[rowNumber - 2]?.[columns.indexOf('general.payment_id')] ?? '').replaceAll('\u0000', ''),
      error: problems.map((p) => p.message).join('; ').replaceAll('\u0000', ''),
    }));
    const { clock } = this.deps;
    const batchId = await this.deps.storage.transact(async (tx) => {
      // The file name is only a label; a NUL in it (which PostgreSQL cannot store) is dropped.
      const now = clock.now(project.projectId);
      const id = await tx.batches.create(project.projectId, fileName.replaceAll('\u0000', ''), now, valid, refused);
      await tx.jobs.put({ kind: 'batch', ref: id, dueAt: now, projectId: project.projectId, payload: '0' });
      return id;
    });
    return { batchId, errors, accepted: valid.length };
  }

  /** Creates the next chunk of payouts of a batch, then hands the rest to a later run of the same job. */
  readonly runBatch = async (job: Job): Promise<void> => {
    const { storage, clock } = this.deps;
    const batch = await storage.read.batches.find(job.ref);
    if (batch === undefined) {
      await storage.transact((tx) => tx.jobs.remove('batch', job.ref));
      return;
    }
    const project = await this.deps.projects.find(batch.projectId);
    const afterRow = Number(job.payload || '0');
    const rows = await storage.read.batches.nextRows(batch.id, afterRow, CHUNK);
    const refused: Array<{ rowNumber: number; error: string }> = [];
    // The chunk's payouts share group commits.
    await Promise.all(rows.map(async (row) => {
      try {
        if (project === undefined) throw new Refusal('unknown-project');
        await this.deps.lifecycle.startPayout(this.requestFrom(project, JSON.parse(row.request) as PayoutFields));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        refused.push({ rowNumber: row.rowNumber, error: `${error.fields.length > 0 ? error.fields.map((f) => f.message).join('; ') : error.message} (code ${error.code})` });
      }
    }));
    const processed = batch.processed + rows.length;
    const done = rows.length < CHUNK;
    await storage.transact(async (tx) => {
      for (const row of refused) await tx.batches.markRowRefused(batch.id, row.rowNumber, row.error);
      await tx.batches.progress(batch.id, processed, done);
      if (done) await tx.jobs.remove('batch', batch.id);
      else await tx.jobs.put({ kind: 'batch', ref: batch.id, dueAt: clock.now(batch.projectId), projectId: batch.projectId, payload: String(rows[rows.length - 1]?.rowNumber ?? afterRow) });
    });
  };
}

function columnOf(field: string): string {
  if (field === 'method') return 'method';
  return (PAYOUT_COLUMNS as readonly string[]).includes(field) ? field : field.split('.').slice(0, 2).join('.');
}

/**
 * The separator of a CSV file, read from its header row: a comma, or a semicolon as spreadsheets write CSV where
 * the comma is the decimal mark. A header has no quoted commas, so a header with semicolons and no comma is one.
 */
export function delimiterOf(csv: string): string {
  const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}
