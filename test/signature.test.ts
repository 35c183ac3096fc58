import t from 'tap';
import { readFileSync } from 'node:fs';
import { byteOrder, canonicalString, jsSdkString } from '../src/signature/canonical-string.js';
import { sign, verify, hmacBase64 } from '../src/signature/signer.js';
import { verifySignedBody } from '../src/signature/callback-verifier.js';
import { parseQuery, signedPart } from '../src/http/payment-page/params.js';
import { atLeast } from './helpers/promises.js';

interface SignVector {
  id: string; secret: string; input: Record<string, unknown>; string?: string; signature?: string;
  signature_from_string?: boolean; signature_by_sdk?: Record<string, string>;
}
interface CallbackVector { id: string; secret: string; body: Record<string, unknown>; expect: 'valid' | 'invalid' }
const vectors = JSON.parse(readFileSync(new URL('./fixtures/signature-vectors.json', import.meta.url), 'utf8')) as {
  sign: SignVector[]; callbacks: CallbackVector[];
};

for (const vector of atLeast(t, vectors.sign.filter((v) => v.signature !== undefined || v.string !== undefined), 22, 'signing vectors with a string or signature')) {
  t.test(`vector ${vector.id} signs to the expected string and signature`, async (t) => {
    if (vector.string !== undefined) t.equal(canonicalString(vector.input), vector.string);
    if (vector.signature !== undefined) t.equal(sign(vector.input, vector.secret), vector.signature);
  });
}

const SDKS = ['go', 'js', 'php', 'python'];
/** A Base64 HMAC-SHA512: 64 bytes, 88 characters. */
const HMAC_SHA512_BASE64 = /^[A-Za-z0-9+/]{86}==$/;
const divergences = vectors.sign.filter((v) => v.signature_by_sdk !== undefined);
/**
 * Where the Go SDK signs a string no other SDK signs (protocol.md §1.3): full `path:value` texts sorted as text
 * (D3), floats cut to integers (D5). The sandbox accepts the canonical and the JS SDK forms (DESIGN.md,
 * "Signature"), so it refuses these two; every other Go signature is one of those forms and is accepted.
 */
const GO_OWN_STRING: Record<string, string> = {
  D3: ['l:0:0', 'l:10:10', 'l:11:11', ...Array.from({ length: 9 }, (_, n) => `l:${n + 1}:${n + 1}`)].join(';'),
  D5: 'x:1',
};

t.test('the fixtures hold the divergence vectors D1-D8', async (t) => {
  t.same(divergences.map((v) => v.id), ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8']);
});

for (const vector of atLeast(t, divergences, 8, 'divergence vectors')) {
  const goOwn = GO_OWN_STRING[vector.id];
  const title = goOwn === undefined
    ? `divergence vector ${vector.id} is accepted as the Go, JS, PHP and Python SDKs sign it`
    : `divergence vector ${vector.id} is accepted as the JS, PHP and Python SDKs sign it; the Go SDK's own form is refused`;
  t.test(title, async (t) => {
    const bySdk = vector.signature_by_sdk ?? {};
    t.same(Object.keys(bySdk).sort(), SDKS, 'a signature from each SDK');
    for (const sdk of SDKS) {
      const signature = bySdk[sdk] ?? '';
      t.match(signature, HMAC_SHA512_BASE64, `${sdk}: a whole Base64 HMAC-SHA512`);
      if (sdk === 'go' && goOwn !== undefined) {
        t.equal(hmacBase64(goOwn, vector.secret), signature, `go signs ${goOwn.slice(0, 40)}…, a string of its own`);
        t.notOk(verify(vector.input, signature, vector.secret).valid, 'go signature refused');
      } else {
        t.ok(verify(vector.input, signature, vector.secret).valid, `${sdk} signature accepted`);
      }
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

for (const vector of atLeast(t, vectors.callbacks, 23, 'callback vectors')) {
  t.test(`callback vector ${vector.id} is ${vector.expect}`, async (t) => {
    t.equal(verifySignedBody(vector.body, vector.secret).valid, vector.expect === 'valid');
  });
}

interface PpVector { id: string; secret: string; params: Record<string, unknown>; string: string; signature: string; expected_url_by_sdk?: Record<string, string>; url_values_by_sdk?: Record<string, Record<string, string>> }
const ppVectors = (JSON.parse(readFileSync(new URL('./fixtures/signature-vectors.json', import.meta.url), 'utf8')) as { pp_url: PpVector[] }).pp_url;

/** The vector's own URL query: its parameters and its signature. */
function queryOf(vector: PpVector): URLSearchParams {
  const query = new URLSearchParams(Object.entries(vector.params).map(([k, v]) => [k, String(v)]));
  query.set('signature', vector.signature);
  return query;
}

for (const vector of atLeast(t, ppVectors, 4, 'Payment Page vectors')) {
  t.test(`Payment Page vector ${vector.id} verifies from its URL`, async (t) => {
    const params = parseQuery(queryOf(vector).toString());
    t.equal(canonicalString(signedPart(params)), vector.string);
    t.ok(verify(signedPart(params), vector.signature, vector.secret).valid);
  });
}

t.test('the Payment Page URLs the SDKs built verify as they are', async (t) => {
  const urls = ppVectors.flatMap((vector) => Object.entries(vector.expected_url_by_sdk ?? {}).map(([sdk, url]) => ({ vector, sdk, url })));
  for (const { vector, sdk, url } of atLeast(t, urls, 1, 'URLs built by an SDK in the fixtures')) {
    const fromSdk = parseQuery(url.slice(url.indexOf('?') + 1));
    t.ok(verify(signedPart(fromSdk), fromSdk.signature as string, vector.secret).valid, `${vector.id}: the URL ${sdk} built`);
  }
});

t.test('a value each SDK writes its own way in the URL (booleans) verifies against the same signature', async (t) => {
  const variants = ppVectors.flatMap((vector) => Object.entries(vector.url_values_by_sdk ?? {})
    .flatMap(([name, bySdk]) => Object.entries(bySdk).map(([sdk, text]) => ({ vector, name, sdk, text }))));
  for (const { vector, name, sdk, text } of atLeast(t, variants, 4, 'values written per SDK in the fixtures')) {
    const variant = parseQuery(queryOf(vector).toString());
    variant[name] = text;
    t.ok(verify(signedPart(variant), vector.signature, vector.secret).valid, `${vector.id}: ${name}=${text} as ${sdk} writes it`);
  }
});

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
