import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, type ConformanceReport } from '../../src/conformance/run-conformance.js';
import { CONFORMANCE_HELP, runConformanceCli } from '../../src/conformance/cli.js';
import { startWooShop } from '../helpers/woo-shop.js';
import { tempDir } from '../helpers/sandbox.js';

const SECRET = 'woo-secret-445';
const SALES = CASES.filter((testCase) => testCase.operation === 'sale').map((testCase) => testCase.name);

async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runConformanceCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const rows = (stdout: string, verdict: string) => stdout.split('\n').filter((line) => new RegExp(`  ${verdict}  `).test(line)).map((line) => line.split(' ')[0]);

t.test('--help lists the flags for real shops', async (t) => {
  for (const flag of ['--shop <platform>', '--prepare-url', '--payment-ids <file>', '--cases <names>', '--skip <names>', '--sales-only', '--probe-payment-status', '--strict']) t.match(CONFORMANCE_HELP, flag, flag);
  t.match(CONFORMANCE_HELP, /woocommerce, magento, prestashop, commercetools\s+or generic/);
});

t.test('with the documented flags the CLI scores a correct WooCommerce-path shop green, exit 0', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const json = join(tempDir(t), 'report.json');
  const result = await runInProcess([
    '--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--shop', 'woocommerce', '--prepare-url', `POST ${shop.prepareUrl}`,
    '--sales-only', '--probe-url', shop.probeUrl, '--probe-payment-status', 'payment_status', '--json', json,
  ]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, `${SALES.length} cases: ${SALES.length} passed, 0 failed (run `);
  t.same(rows(result.stdout, 'PASS'), SALES);
  const report = JSON.parse(readFileSync(json, 'utf8')) as ConformanceReport;
  t.same([report.shop, report.prepareUrl, report.strict, report.warned], ['woocommerce', `POST ${shop.prepareUrl}`, false, 0]);
});

t.test('the CLI catches the backwards status: exit 1 and the reordered row says the status went backwards', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET, variant: 'overwrites-payment-status' });
  const result = await runInProcess([
    '--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--shop', 'woocommerce', '--prepare-url', shop.prepareUrl,
    '--sales-only', '--probe-url', shop.probeUrl, '--probe-payment-status', 'payment_status',
  ]);
  t.equal(result.code, 1);
  t.same(rows(result.stdout, 'FAIL'), ['reordered']);
  t.match(result.stdout, /reordered .* FAIL +status went backwards: the shop's stored payment status is "awaiting redirect result" after "success"/);
});

t.test('--payment-ids reads one id per line (blank lines and # comments skipped) or a JSON array; --cases and --skip choose the cases', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  for (const id of ['wc-1', 'wc-2', 'wc-3', 'wc-4']) shop.createOrder(id);
  const dir = tempDir(t);
  const lines = join(dir, 'ids.txt');
  writeFileSync(lines, '# orders made for the kit\nwc-1\n\n  wc-2  \r\n');
  const jsonIds = join(dir, 'ids.json');
  writeFileSync(jsonIds, '["wc-3", "wc-4"]');
  const base = ['--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--shop', 'woocommerce', '--probe-url', shop.probeUrl];
  const fromLines = await runInProcess([...base, '--payment-ids', lines, '--cases', 'sale-success,sale-decline-20000', '--json', join(dir, 'a.json')]);
  t.equal(fromLines.code, 0, fromLines.stdout + fromLines.stderr);
  t.same((JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as ConformanceReport).cases.map((c) => [c.name, c.paymentId]), [['sale-success', 'wc-1'], ['sale-decline-20000', 'wc-2']]);
  const fromJson = await runInProcess([...base, '--payment-ids', jsonIds, '--cases', 'sale-success,final-twice,tampered', '--skip', 'tampered']);
  t.equal(fromJson.code, 0, fromJson.stdout + fromJson.stderr);
  t.same(rows(fromJson.stdout, 'PASS'), ['sale-success', 'final-twice']);
  t.same([shop.orders.get('wc-3')?.status, shop.orders.get('wc-4')?.status], ['processing', 'processing']);
});

t.test('a forged callback refused by crashing prints WARN and exits 0; with --strict it prints FAIL, exits 1 and JUnit types the failures "refused by crashing"', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET, variant: 'crashes-on-forged' });
  const base = ['--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--shop', 'woocommerce', '--prepare-url', shop.prepareUrl, '--sales-only'];
  const warned = await runInProcess(base);
  t.equal(warned.code, 0);
  t.same(rows(warned.stdout, 'WARN'), ['tampered', 'unsigned', 'wrong-secret']);
  t.match(warned.stdout, `${SALES.length} cases: ${SALES.length} passed, 0 failed, 3 refused by crashing (warnings; --strict fails them) (run `);
  t.match(warned.stdout, /unsigned .* WARN +refused by crashing: HTTP 500 /);
  const junit = join(tempDir(t), 'report.xml');
  const strict = await runInProcess([...base, '--strict', '--junit', junit]);
  t.equal(strict.code, 1);
  const failures = [...readFileSync(junit, 'utf8').matchAll(/<testcase [^>]*name="([a-z-]+)"[^>]*>\s*<failure message="refused by crashing: [^"]*" type="refused by crashing"/g)].map((m) => m[1]);
  t.same(failures, ['tampered', 'unsigned', 'wrong-secret'], 'JUnit names the verdict as the failure type');
  t.same(rows(strict.stdout, 'FAIL'), ['tampered', 'unsigned', 'wrong-secret']);
  t.match(strict.stdout, `${SALES.length} cases: ${SALES.length - 3} passed, 3 failed (run `);
});

t.test('bad values of the new flags exit 2 naming the flag', async (t) => {
  const dir = tempDir(t);
  const notJson = join(dir, 'ids.json');
  writeFileSync(notJson, '[1, 2]');
  const base = ['--callback-url', 'http://127.0.0.1:9/cb', '--project-id', '445', '--secret', SECRET];
  const cases: Array<[string[], RegExp]> = [
    [[...base, '--shop', 'shopify'], /--shop must be one of generic, woocommerce, magento, prestashop, commercetools, not "shopify"/],
    [[...base, '--cases', 'nope'], /--cases\/--skip\/--sales-only names no case "nope"/],
    [[...base, '--skip', 'nope'], /--skip names no case "nope"/],
    [[...base, '--probe-payment-status', 'payment_status'], /--probe-payment-status needs the probe URL/],
    [[...base, '--prepare-url', 'GET http://shop/orders'], /--prepare-url must be "\[POST\|PUT \]URL"/],
    [[...base, '--payment-ids', join(dir, 'missing.txt')], /--payment-ids: cannot read .*missing\.txt: ENOENT/],
    [[...base, '--payment-ids', notJson], /--payment-ids: .*ids\.json must be a JSON array of strings/],
    [[...base, '--strict=yes'], /--strict/],
  ];
  for (const [args, message] of cases) {
    const result = await runInProcess(args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  }
});
