import t from 'tap';
import { loadConfig } from '../src/config.js';
import type { Project } from '../src/domain/model.js';
import { startBanner } from '../src/start-banner.js';

const project = (projectId: number, secretKey: string, callbackUrl?: string): Project => ({
  projectId, secretKey, name: '', callbackUrl, origin: 'config', frequencyLimits: [], callbackOptions: {}, tokenHash: undefined, quotas: {}, cardOptions: {},
});

t.test('the start banner names every surface with its address, the docs and the home page', async (t) => {
  const banner = startBanner({ config: loadConfig({ PORT: '0' }), storageKind: 'sqlite', clockMode: 'real', projects: [project(1, 'sandbox-secret')], port: 8123, version: '9.9.9' });
  t.match(banner, 'ecommpay-sandbox 9.9.9 is listening on http://127.0.0.1:8123');
  const expected: Array<[string, string]> = [
    ['Home page', 'http://127.0.0.1:8123/ '],
    ['Gate API', 'POST http://127.0.0.1:8123/v2/payment/wallet/{method}/sale'],
    ['Payment Page', 'http://127.0.0.1:8123/payment?…&signature=…'],
    ['Payment Page', '/shared/merchant.js'],
    ['Wallet checkout', 'http://127.0.0.1:8123/paymaya/checkout?tokenid=…'],
    ['Dashboard', 'http://127.0.0.1:8123/dashboard'],
    ['Data API', 'POST http://127.0.0.1:8123/operations/get'],
    ['Control API', 'http://127.0.0.1:8123/_sandbox/health'],
    ['Docs', 'http://127.0.0.1:8123/docs'],
  ];
  const lines = banner.split('\n');
  for (const [name, address] of expected) {
    t.ok(lines.some((line) => line.trimStart().startsWith(name) && line.includes(address)), `${name}: ${address}`);
  }
});

t.test('the banner prints the built-in project\'s credentials and a demo link, and no secret from a config file', async (t) => {
  const builtIn = startBanner({ config: loadConfig({ PORT: '8080' }), storageKind: 'sqlite', clockMode: 'real', projects: [project(1, 'sandbox-secret')], port: 8080, version: '1' });
  t.match(builtIn, /Default project +project_id 1 +secret_key sandbox-secret +callbacks → built-in inbox \(http:\/\/127\.0\.0\.1:8080\/_sandbox\/inbox\)/);
  t.match(builtIn, /Try it +http:\/\/127\.0\.0\.1:8080\/payment\?project_id=1&payment_id=demo-/);
  t.match(builtIn, /Request logs: off \(--log-level info shows one line per request; --log-format json for JSON lines\)/);
  const configured = startBanner({
    config: { ...loadConfig({ PORT: '8080', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }), configFile: '/etc/sandbox.json' },
    storageKind: 'postgres', clockMode: 'manual', projects: [project(445, 'shop-secret', 'http://shop.example/cb')], port: 8080, version: '1',
  });
  t.match(configured, /Project +project_id 445 +callbacks → http:\/\/shop\.example\/cb/);
  t.notMatch(configured, /shop-secret|secret_key|Try it/);
  t.match(configured, 'Request logs: on (json, on stderr)');
});

t.test('LOG_LEVEL and LOG_FORMAT are checked at start: quiet and pretty by default, a bad value names the setting', async (t) => {
  t.match(loadConfig({}), { logLevel: 'warn', logFormat: 'pretty' });
  t.match(loadConfig({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }), { logLevel: 'info', logFormat: 'json' });
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
  t.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), /LOG_FORMAT: expected pretty or json, got "xml"/);
});
