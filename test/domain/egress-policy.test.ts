import t from 'tap';
import { EgressPolicy, parseRule } from '../../src/domain/callbacks/egress-policy.js';

t.test('by default anything may be called but link-local and cloud metadata addresses', async (t) => {
  const policy = EgressPolicy.fromSettings(undefined, undefined);
  t.same(policy.checkUrl('http://127.0.0.1:3000/cb'), { allowed: true });
  t.same(policy.checkUrl('https://shop.example/ecommpay'), { allowed: true });
  for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/', 'http://metadata.google.internal/', 'http://100.100.100.200/', 'http://[::ffff:a9fe:a9fe]/']) {
    t.match(policy.checkUrl(url), { allowed: false, reason: /SANDBOX_CALLBACK_DENY/ }, url);
  }
  t.match(policy.checkUrl('ftp://shop.example/'), { allowed: false, reason: /only http and https/ });
  t.match(policy.checkUrl('not a url'), { allowed: false });
});

t.test('an allow list admits its hosts, host:port pairs, addresses and ranges only; a deny list wins over it', async (t) => {
  const policy = EgressPolicy.fromSettings('shop.example, *.ci.example, 127.0.0.1:3000, 10.0.0.0/8', '10.9.0.0/16');
  t.same(policy.checkUrl('https://shop.example/cb'), { allowed: true });
  t.same(policy.checkUrl('https://a.b.ci.example/cb'), { allowed: true }, 'a wildcard covers subdomains');
  t.match(EgressPolicy.fromSettings('*.ci.example', '').checkUrl('https://ci.example/cb'), { allowed: false }, 'but not the bare domain');
  t.same(policy.checkUrl('http://127.0.0.1:3000/cb'), { allowed: true });
  t.match(policy.checkUrl('http://127.0.0.1:3001/cb'), { allowed: false, reason: /not in SANDBOX_CALLBACK_ALLOW/ }, 'another port');
  t.same(policy.checkUrl('http://10.1.2.3/cb'), { allowed: true });
  t.match(policy.checkUrl('http://10.9.1.1/cb'), { allowed: false, reason: /DENY/ });
  t.same(policy.checkUrl('http://elsewhere.example/cb'), { allowed: true }, 'a name might resolve into an allowed range: decided at delivery');
  t.match(policy.checkResolved('elsewhere.example', 80, ['192.0.2.1']), { allowed: false, reason: /resolves to 192\.0\.2\.1/ });
  t.same(policy.checkResolved('elsewhere.example', 80, ['10.4.4.4']), { allowed: true });
});

t.test('a name that resolves to a denied address is refused at delivery, whatever it looked like', async (t) => {
  const policy = EgressPolicy.fromSettings(undefined, undefined);
  t.same(policy.checkUrl('http://rebind.example/cb'), { allowed: true });
  t.match(policy.checkResolved('rebind.example', 80, ['203.0.113.5', '169.254.169.254']), { allowed: false, reason: /resolves to 169\.254\.169\.254/ });
  const strict = EgressPolicy.fromSettings('shop.example', '');
  t.same(strict.checkResolved('shop.example', 443, ['192.0.2.7']), { allowed: true }, 'an allowed name is trusted wherever it resolves');
});

t.test('a name judged once is judged again by where it resolves now: a verdict is kept per set of addresses', async (t) => {
  const policy = EgressPolicy.fromSettings(undefined, undefined);
  t.same(policy.checkResolved('rebind.example', 80, ['203.0.113.5']), { allowed: true });
  t.match(policy.checkResolved('rebind.example', 80, ['169.254.169.254']), { allowed: false, reason: /169\.254\.169\.254/ }, 're-pointed to a denied address');
  t.same(policy.checkResolved('rebind.example', 80, ['203.0.113.5']), { allowed: true }, 'asked again');
  // More distinct questions than the policy keeps verdicts for: each still gets its own answer.
  for (let n = 0; n < 1_200; n++) {
    const denied = n % 2 === 0;
    const address = denied ? `169.254.${n >> 8}.${n & 255}` : `203.0.${n >> 8}.${n & 255}`;
    const verdict = policy.checkResolved(`host-${n}.example`, 80, [address]);
    if (verdict.allowed === denied) t.fail(`host-${n}.example at ${address}: ${JSON.stringify(verdict)}`);
  }
  t.match(policy.checkResolved('rebind.example', 80, ['169.254.169.254']), { allowed: false }, 'after the kept verdicts were cleared');
});

t.test('a malformed rule names itself', async (t) => {
  for (const rule of ['10.0.0.0/33', 'host:99999', 'a b', 'http://x']) {
    t.throws(() => parseRule(rule), { name: 'EgressRuleError', message: new RegExp(`"${rule.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`) }, rule);
  }
});
