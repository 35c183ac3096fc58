// `ecommpay-sandbox conformance …`: parses the flags, runs the kit, prints the table, writes JSON/JUnit, sets the exit code.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConformanceOptionError, UnreachableEndpointError } from '../domain/tools/conformance-report.js';
import { formatJson } from './json-report.js';
import { formatJunit } from './junit-report.js';
import type { ConformanceOptions, ProbeMapping } from './options.js';
import { runConformance } from './run-conformance.js';
import { formatText } from './text-report.js';

export const CONFORMANCE_HELP = `Usage: ecommpay-sandbox conformance --callback-url URL --project-id N --secret S [options]

Sends signed ECommPay callbacks (valid ones of every kind, duplicates, reordered, forged) to a
merchant's callback endpoint and judges the answers.

Required:
  --callback-url <url>      the merchant's callback endpoint
  --project-id <n>          the project id put in the callbacks
  --secret <key>            the project's secret key, which signs the valid callbacks

Options:
  --json <file>             also write the report as JSON
  --junit <file>            also write the report as JUnit XML
  --probe-url <template>    after each case GET the shop's order state, e.g.
                            'http://shop/orders/{payment_id}' answering {"status":"paid"}
  --shop <platform>         the probe's status names: woocommerce, magento, prestashop, commercetools
                            or generic (default; paid, completed… / failed, cancelled… / pending, new…)
  --probe-paid <names>      comma-separated shop statuses meaning paid (replace the preset's)
  --probe-failed <names>    likewise for failed
  --probe-pending <names>   likewise for pending
  --probe-payment-status <member>
                            the probe's member with the ECommPay status the shop stored (a.b if nested);
                            a case fails when a later status was replaced by an earlier one
  --prepare-url '[POST|PUT ]<url>'
                            before each case, send {"payment_id","amount","currency"} there so the shop
                            creates the order (a 2xx answer); method POST unless given
  --payment-ids <file>      ids of orders the shop already has, one per case in run order: a JSON array
                            of strings, or one id per line (blank lines and # comments skipped)
  --cases <names>           run only these cases (comma-separated)
  --skip <names>            leave these cases out
  --sales-only              leave out the payout cases (a shop that only sells)
  --strict                  a forged callback refused by crashing (a 5xx) fails; otherwise it warns
  --reject-status <n>       the status forged callbacks must get (default: any but 200)
  --timeout-ms <n>          per request (default 5000)
  --run-id <id>             part of every payment id, conf-<run-id>-<case> (default: random)
  --public-url <url>        base of redirect_data.url (default http://127.0.0.1:8080)
  -h, --help                show this help

Exit code: 0 every case passed, 1 a case failed, 2 bad arguments or an unreachable URL.
`;

const FLAG_OF: Record<string, string> = {
  callbackUrl: '--callback-url',
  projectId: '--project-id',
  secret: '--secret',
  probeUrl: '--probe-url',
  probeMapping: '--probe-paid/--probe-failed/--probe-pending',
  shop: '--shop',
  probePaymentStatus: '--probe-payment-status',
  prepareUrl: '--prepare-url',
  paymentIds: '--payment-ids',
  cases: '--cases/--skip/--sales-only',
  skip: '--skip',
  rejectStatus: '--reject-status',
  timeoutMs: '--timeout-ms',
  runId: '--run-id',
  publicUrl: '--public-url',
};

const STRING_FLAGS = [
  'callback-url', 'project-id', 'secret', 'json', 'junit', 'probe-url', 'probe-paid', 'probe-failed', 'probe-pending',
  'reject-status', 'timeout-ms', 'run-id', 'public-url', 'shop', 'probe-payment-status', 'prepare-url', 'payment-ids', 'cases', 'skip',
] as const;

export interface CliOutput { stdout(text: string): void; stderr(text: string): void }

class UsageError extends Error {}

function integerFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function namesFlag(value: string | undefined): string[] | undefined {
  return value?.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** `--payment-ids FILE`: a JSON array of strings, or one id per line (blank lines and `#` comments skipped). */
function paymentIdsFile(file: string | undefined): string[] | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--payment-ids: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!text.trimStart().startsWith('[')) return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payment-ids: ${file} starts with "[" but is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.some((id) => typeof id !== 'string')) throw new UsageError(`--payment-ids: ${file} must be a JSON array of strings`);
  return parsed as string[];
}

type Parsed = { help: true } | { help: false; options: ConformanceOptions; jsonFile: string | undefined; junitFile: string | undefined };

function parse(argv: string[]): Parsed {
  let values: Partial<Record<(typeof STRING_FLAGS)[number], string>> & { help?: boolean; 'sales-only'?: boolean; strict?: boolean };
  try {
    const options = Object.fromEntries(STRING_FLAGS.map((flag) => [flag, { type: 'string' as const }]));
    const switches = { help: { type: 'boolean' as const, short: 'h' }, 'sales-only': { type: 'boolean' as const }, strict: { type: 'boolean' as const } };
    ({ values } = parseArgs({ args: argv, options: { ...options, ...switches }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return { help: true };
  for (const required of ['callback-url', 'project-id', 'secret'] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required} is required`);
  }
  const probeMapping: ProbeMapping = {};
  const paid = namesFlag(values['probe-paid']);
  const failed = namesFlag(values['probe-failed']);
  const pending = namesFlag(values['probe-pending']);
  if (paid !== undefined) probeMapping.paid = paid;
  if (failed !== undefined) probeMapping.failed = failed;
  if (pending !== undefined) probeMapping.pending = pending;
  const options: ConformanceOptions = {
    callbackUrl: values['callback-url'] as string,
    projectId: integerFlag('project-id', values['project-id']) as number,
    secret: values.secret as string,
    probeUrl: values['probe-url'],
    probeMapping,
    rejectStatus: integerFlag('reject-status', values['reject-status']),
    timeoutMs: integerFlag('timeout-ms', values['timeout-ms']),
    runId: values['run-id'],
    publicUrl: values['public-url'],
    shop: values.shop,
    probePaymentStatus: values['probe-payment-status'],
    prepareUrl: values['prepare-url'],
    paymentIds: paymentIdsFile(values['payment-ids']),
    cases: namesFlag(values.cases),
    skip: namesFlag(values.skip),
    salesOnly: values['sales-only'] === true,
    strict: values.strict === true,
  };
  return { help: false, options, jsonFile: values.json, junitFile: values.junit };
}

function writeReport(flag: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`${flag}: cannot write ${file}: ${(error as Error).message}`);
  }
}

/** Runs the subcommand with the arguments after `conformance`; resolves to the exit code. */
export async function runConformanceCli(argv: string[], output: CliOutput): Promise<number> {
  const fail = (message: string): number => {
    output.stderr(`ecommpay-sandbox conformance: ${message}\n`);
    return 2;
  };
  try {
    const parsed = parse(argv);
    if (parsed.help) {
      output.stdout(CONFORMANCE_HELP);
      return 0;
    }
    const report = await runConformance(parsed.options);
    output.stdout(formatText(report));
    if (parsed.jsonFile !== undefined) writeReport('--json', parsed.jsonFile, formatJson(report));
    if (parsed.junitFile !== undefined) writeReport('--junit', parsed.junitFile, formatJunit(report));
    return report.failed === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\nRun with --help for the flags.`);
    if (error instanceof ConformanceOptionError) return fail(`${FLAG_OF[error.option] ?? error.option} ${error.detail}`);
    if (error instanceof UnreachableEndpointError) return fail(`${FLAG_OF[error.option]}: ${error.message}`);
    throw error;
  }
}

/** The subcommand as a process: prints to stdout/stderr, then exits with the code. */
export async function main(argv: string[]): Promise<never> {
  const code = await runConformanceCli(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  process.exit(code);
}
