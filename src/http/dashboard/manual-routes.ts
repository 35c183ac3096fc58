// The dashboard's manual payments: a single payout from a form, a CSV of payouts as one batch, and a batch's page.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import type { PaymentFilter } from '../../domain/model.js';
import { MAX_ROWS, payoutTemplate, PAYOUT_COLUMNS, type PayoutFields } from '../../domain/payments/payout-batches.js';
import { MAX_UPLOAD_BYTES } from './limits.js';
import type { DashboardDeps } from './deps.js';
import type { DashboardPages, Form } from './pages.js';

/** The single-payout form: its inputs, and the label a person sees for each field a refusal may name. */
const FORM_FIELDS = ['project_id', 'method', 'payment_id', 'amount', 'currency', 'description', 'customer_id', 'customer_email', 'account_number', 'customer_name'];
const FIELD_LABELS: Record<string, string> = {
  project_id: 'Project', method: 'Method', 'general.payment_id': 'Payment id', 'payment.amount': 'Amount', 'payment.currency': 'Currency',
  'payment.description': 'Description', 'customer.id': 'Customer id', 'customer.email': 'Customer e-mail', 'account.number': 'Account number',
  'account.customer_name': 'Customer full name',
};
const FIELD_INPUTS: Record<string, string> = {
  project_id: 'project_id', method: 'method', 'general.payment_id': 'payment_id', 'payment.amount': 'amount', 'payment.currency': 'currency',
  'payment.description': 'description', 'customer.id': 'customer_id', 'customer.email': 'customer_email', 'account.number': 'account_number',
  'account.customer_name': 'customer_name',
};
const formLabel = (field: string): string => FIELD_LABELS[field] ?? field;

export function manualRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { tools, projects, batches, clock } = deps;
  const manualPage = manualPageOf(deps, pages);

  app.get('/dashboard/manual', async (request, reply) => manualPage(request, reply));

  app.get('/dashboard/manual/template.csv', async (_request, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payouts-template.csv"').send(payoutTemplate()));

  app.post<{ Body: Form }>('/dashboard/manual/payout', async (request, reply) => {
    const body = request.body ?? {};
    pages.checkCsrf(request, body.csrf);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const project = await projects.find(Number(text('project_id')));
    if (project !== undefined) pages.scope(request).own(project.projectId);
    const fields: PayoutFields = {
      paymentId: text('payment_id').trim() || `manual-${clock.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      amount: text('amount'), currency: text('currency'), description: text('description') || 'payout',
      customerId: text('customer_id'), ipAddress: '', email: text('customer_email'), accountNumber: text('account_number'),
      customerName: text('customer_name'), method: text('method'),
    };
    let problems: FieldProblem[];
    try {
      const payoutRequest = batches.manualRequest(project, fields, formLabel);
      await tools.makePayout(pages.caller(request), payoutRequest);
      return reply.redirect(`/dashboard/payments/${payoutRequest.project.projectId}/${encodeURIComponent(payoutRequest.paymentId)}`, 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems = error.fields.length > 0 ? error.fields : [{ field: '', message: error.message }];
    }
    const payoutErrors = problems.map((p) => ({ ...p, label: p.field === '' ? '' : formLabel(p.field), input: FIELD_INPUTS[p.field] }));
    const form = Object.fromEntries(FORM_FIELDS.map((k) => [k, text(k)]));
    return manualPage(request, reply, { form, payoutErrors, invalid: new Set(payoutErrors.map((e) => e.input)) }, 400);
  });

  batchRoutes(app, deps, pages, manualPage);
}

type ManualPage = (request: FastifyRequest, reply: FastifyReply, extra?: Record<string, unknown>, status?: number) => Promise<FastifyReply>;

/** The manual payments page: the forms, the payouts made in the dashboard and the batches. */
function manualPageOf({ listing, projects, methods, batches }: DashboardDeps, pages: DashboardPages): ManualPage {
  return async (request, reply, extra = {}, status = 200) => {
    const own = pages.scope(request).projectId;
    const manualFilter: PaymentFilter = { interface: 'dashboard' };
    const manual = (await listing.latest(pages.scoped(request, manualFilter), 50)).map((row) => ({ ...row, amountText: pages.money(row) }));
    return pages.page(reply, request, './dashboard/manual', {
      title: 'Manual payments',
      projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map((p) => ({ id: p.projectId, name: p.name })),
      payoutMethods: methods.all().filter((m) => m.operations.payout?.interfaces.includes('dashboard')).map((m) => ({ code: m.code, title: m.title })),
      batches: await batches.list(100, own),
      manual,
      columns: PAYOUT_COLUMNS,
      form: {},
      ...extra,
    }, status);
  };
}

/** A file's text when it is UTF-8 text; undefined for binary data (a NUL byte, or bytes that are not UTF-8). */
function textOf(file: Buffer): string | undefined {
  if (file.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    return undefined;
  }
}

function batchRoutes(app: FastifyInstance, { tools, projects, batches }: DashboardDeps, pages: DashboardPages, manualPage: ManualPage): void {
  app.post('/dashboard/manual/batches', async (request, reply) => {
    const fields: Record<string, string> = {};
    let file: Buffer | undefined;
    let fileName = '';
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          fileName = part.filename;
          file = await part.toBuffer();
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (error) {
      if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
      const limit = `${MAX_UPLOAD_BYTES / 1024 / 1024} MB`;
      return manualPage(request, reply, { uploadErrors: [{ row: 0, column: '', message: `The file is larger than the limit of ${limit} per upload; split it into files of at most ${MAX_ROWS.toLocaleString('en-US')} rows each` }] }, 413);
    }
    pages.checkCsrf(request, fields.csrf);
    const project = await projects.find(Number(fields.project_id));
    if (project === undefined) return manualPage(request, reply, { uploadErrors: [{ row: 0, column: 'project_id', message: 'Choose a project' }] }, 400);
    pages.scope(request).own(project.projectId);
    const refused = (message: string) => manualPage(request, reply, { uploadErrors: [{ row: 0, column: '', message }] }, 400);
    if (file === undefined || fileName === '') return refused('Choose a CSV file');
    if (file.toString('utf8').trim() === '') return refused(`The file ${fileName} is empty: it has no header row and no payouts`);
    // A spreadsheet or any other binary file is refused as such; none of its bytes is shown on the page.
    const csv = textOf(file);
    if (csv === undefined) return refused(`The file ${fileName} is not a CSV text file (it holds binary data, such as a spreadsheet's); save it as CSV (UTF-8) and upload that`);
    const result = await tools.uploadBatch(pages.caller(request), project, fileName, csv);
    if (result.batchId === undefined) return manualPage(request, reply, { uploadErrors: result.errors }, 400);
    // The batch page lists the refused rows from storage, so they read the same after a reload.
    return reply.redirect(`/dashboard/manual/batches/${result.batchId}`, 303);
  });

  app.get<{ Params: { id: string } }>('/dashboard/manual/batches/:id', async (request, reply) => {
    const id = Number(request.params.id);
    const batch = Number.isSafeInteger(id) ? await batches.find(id) : undefined;
    if (batch === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No batch ${request.params.id}` }]);
    pages.scope(request).own(batch.projectId, 'id');
    const rowErrors = (await batches.refusedRows(batch.id)).map((r) => ({ rowNumber: r.rowNumber, paymentId: r.paymentId, error: r.error }));
    return pages.page(reply, request, './dashboard/batch', { title: `Batch ${batch.id}`, batch, rowErrors });
  });
}
