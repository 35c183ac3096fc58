import t from 'tap';
import { readFileSync } from 'node:fs';
import { canonicalString, jsSdkString } from '../src/signature/canonical-string.js';
import { sign, verify, hmacBase64 } from '../src/signature/signer.js';
import { verifySignedBody } from '../src/signature/callback-verifier.js';

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
