import t from 'tap';
import { readFileSync } from 'node:fs';
import { byteOrder, canonicalString, jsSdkString } from '../src/signature/canonical-string.js';
import { sign, verify, hmacBase64 } from '../src/signature/signer.js';
import { verifySignedBody } from '../src/signature/callback-verifier.js';
import { parseQuery, signedPart } from '../src/http/payment-page/params.js';

interface SignVector {
  id: string; secret: string; input: Record<string, unknown>; string?: string; signature?: string;
  signature_from_string?: boolean; signature_by_sdk?: Record<string, string>;
}
interface CallbackVector { id: string; secret: string; body: Record<string, unknown>; expect: 'valid' | 'invalid' }
const vectors = JSON.parse(readFileSync(new URL('./fixtures/signature-vectors.json', import.meta.url), 'utf8')) as {
  sign: SignVector[]; callbacks: CallbackVector[];
};

for (const vector of vectors.sign.filter((v) => v.signature !== undefined || v.string !== undefined)) {
  t.test(`vector ${vector.id} signs to the expected string and signature`, async (t) => {
    if (vector.string !== undefined) t.equal(canonicalString(vector.input), vector.string);
    if (vector.signature !== undefined) t.equal(sign(vector.input, vector.secret), vector.signature);
  });
}

for (const vector of vectors.sign.filter((v) => v.signature_by_sdk !== undefined)) {
  t.test(`divergence vector ${vector.id} is accepted as the JS, PHP and Python SDKs sign it`, async (t) => {
    for (const sdk of ['js', 'php', 'python']) {
      const signature = vector.signature_by_sdk?.[sdk];
      if (signature === undefined || signature.length < 80) continue;
      t.ok(verify(vector.input, signature, vector.secret).valid, `${sdk} signature accepted`);
    }
  });
}

t.test('the JS SDK form orders integer-like keys numerically per level (D3)', async (t) => {
  const input = { l: Array.from({ length: 12 }, (_, i) => i) };
  t.match(jsSdkString(input), /^l:0:0;l:1:1;l:2:2;/);
  t.match(canonicalString(input), /^l:0:0;l:1:1;l:10:10;/);
});

t.test('a wrong signature reports both strings the sandbox signed', async (t) => {
  const result = verify({ a: { b: 1 }, a0: 2 }, hmacBase64('nonsense', 'secret'), 'secret');
  t.same(result, { valid: false, signedString: 'a0:2;a:b:1', jsSdkSignedString: 'a:b:1;a0:2' });
});

for (const vector of vectors.callbacks) {
  t.test(`callback vector ${vector.id} is ${vector.expect}`, async (t) => {
    t.equal(verifySignedBody(vector.body, vector.secret).valid, vector.expect === 'valid');
  });
}

interface PpVector { id: string; secret: string; params: Record<string, unknown>; string: string; signature: string; expected_url_by_sdk?: Record<string, string>; url_values_by_sdk?: Record<string, Record<string, string>> }
const ppVectors = (JSON.parse(readFileSync(new URL('./fixtures/signature-vectors.json', import.meta.url), 'utf8')) as { pp_url: PpVector[] }).pp_url;

for (const vector of ppVectors) {
  t.test(`Payment Page vector ${vector.id} verifies from its URL`, async (t) => {
    const query = new URLSearchParams(Object.entries(vector.params).map(([k, v]) => [k, String(v)]));
    query.set('signature', vector.signature);
    const params = parseQuery(query.toString());
    t.equal(canonicalString(signedPart(params)), vector.string);
    t.ok(verify(signedPart(params), vector.signature, vector.secret).valid);
    for (const url of Object.values(vector.expected_url_by_sdk ?? {})) {
      const fromSdk = parseQuery(url.slice(url.indexOf('?') + 1));
      t.ok(verify(signedPart(fromSdk), fromSdk.signature as string, vector.secret).valid, 'the URL an SDK built');
    }
    for (const [name, bySdk] of Object.entries(vector.url_values_by_sdk ?? {})) {
      for (const [sdk, text] of Object.entries(bySdk)) {
        const variant = parseQuery(query.toString());
        variant[name] = text;
        t.ok(verify(signedPart(variant), vector.signature, vector.secret).valid, `${name}=${text} as ${sdk} writes it`);
      }
    }
  });
}

t.test('the canonical sort is UTF-8 byte order, astral characters included', async (t) => {
  const words = ['a', 'b', 'é', '\uE000', '\uFFFD', '😀', 'a:b', 'a0', 'ab', '', 'Z', '\u00FF', '\u0800'];
  const expected = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  t.same([...words].sort(byteOrder), expected);
});

t.test('a signature added to a body when it is sent gives the same bytes as signing the object', async (t) => {
  const { appendSignature, withSignature } = await import('../src/signature/signer.js');
  for (const body of [{}, { project_id: 1, payment: { id: 'p', sum: { amount: 100, currency: 'PHP' } }, list: [1, 'a', true] }, { text: 'Salamat 🙏 "quoted" \\ ;' }]) {
    t.equal(appendSignature(JSON.stringify(body), 'secret'), JSON.stringify(withSignature(body, 'secret')));
  }
});
