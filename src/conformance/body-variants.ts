// Valid callback bodies a shop may not expect: members it does not know at every level, and long unicode text.

type Json = Record<string, unknown>;

function section(body: Json, ...path: string[]): Json | undefined {
  let node: unknown = body;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Json)[key] : undefined;
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Json) : undefined;
}

/**
 * Adds members the shop cannot know to every object of the body, of every JSON type but null and floats:
 * the official JS SDK cannot verify a null, and the Go SDK truncates floats (docs/protocol-notes.md §1.3).
 * Names avoid the edge cases where the SDKs' signing strings differ, so every SDK verifies the result.
 */
export function addUnknownMembers(body: Json): Json {
  const copy = structuredClone(body);
  copy.conformance_extra = {
    note: 'a top-level member this shop does not know',
    flags: [{ name: 'first', enabled: true }, { name: 'second', enabled: false }],
    empty_object: {},
    empty_list: [],
  };
  const additions: Array<[string[], string, unknown]> = [
    [['payment'], 'conformance_region', 'PH'],
    [['payment', 'sum'], 'conformance_exponent', 2],
    [['account'], 'conformance_kind', 'wallet'],
    [['customer'], 'conformance_locale', 'fil-PH'],
    [['operation'], 'conformance_attempt', 1],
    [['operation', 'sum_initial'], 'conformance_note', 'as requested'],
    [['operation', 'sum_converted'], 'conformance_rate', '1'],
    [['operation', 'provider'], 'conformance_reference', 'REF-0001'],
    [['operation', 'provider'], 'conformance_flags', { instant: true }],
    [['redirect_data'], 'conformance_hint', 'open in the same window'],
  ];
  for (const [path, key, value] of additions) {
    const target = section(copy, ...path);
    if (target !== undefined) target[key] = value;
  }
  return copy;
}

const PHRASE =
  'Salamat po sa inyong order! Bayad na ang ₱500.00 — Maligayang Pasko, Señor Niño ng Parañaque 🎄🇵🇭 · ' +
  '谢谢您的订单 · ご注文ありがとうございます · 주문해 주셔서 감사합니다 · 🛒💳✅🙏🏽👨‍👩‍👧 ';

/**
 * About 8 KB of UTF-8 (emoji with modifiers and joiners, Filipino, Chinese, Japanese, Korean). No `;`: the
 * official WooCommerce plugin's signer refuses values holding one (docs/protocol-notes.md §1.1), whatever the platform sends.
 */
export function longUnicodeText(): string {
  let text = '';
  for (let i = 1; Buffer.byteLength(text, 'utf8') < 8000; i++) text += `${i}. ${PHRASE}`;
  return text.trimEnd();
}
