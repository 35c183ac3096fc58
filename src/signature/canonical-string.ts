// Builds the strings ECommPay signs (docs/protocol-notes.md §1.1, §1.3): the canonical form every server-side SDK
// agrees on, and the JS SDK's per-level form that differs from it only in edge cases.

export type Signable = Record<string, unknown>;

const IGNORED_KEYS = new Set(['frame_mode']);

function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function collectCanonical(node: Record<string, unknown> | unknown[], prefix: string, lines: Array<[string, string]>): void {
  for (const [key, value] of Object.entries(node)) {
    if (IGNORED_KEYS.has(key)) continue;
    // PE-702: a literal ':' in a key is doubled so that paths stay unambiguous (PHP/PY/JAVA).
    const segment = key.replaceAll(':', '::');
    const path = prefix === '' ? segment : `${prefix}:${segment}`;
    if (isContainer(value)) collectCanonical(value, path, lines);
    else lines.push([path, renderScalar(value)]);
  }
}

/**
 * UTF-8 byte order without encoding: UTF-16 code units sort the same way except that surrogates (astral
 * characters, 4 UTF-8 bytes) must come after U+E000..U+FFFF (3 bytes), so those two ranges swap places.
 */
export function byteOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** The canonical string: escaped keys, full paths sorted by byte order, `path:value` joined with `;`. */
export function canonicalString(input: Signable): string {
  const lines: Array<[string, string]> = [];
  collectCanonical(input, '', lines);
  lines.sort((a, b) => byteOrder(a[0], b[0]));
  return lines.map(([path, value]) => `${path}:${value}`).join(';');
}

function collectJsSdk(node: Record<string, unknown>, prefix: string, out: string[]): void {
  // The JS SDK sorts keys per level, then rebuilds an object, so integer-like keys come first in numeric order.
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    if (!IGNORED_KEYS.has(key)) ordered[key] = node[key];
  }
  for (const [key, raw] of Object.entries(ordered)) {
    const value = raw === null ? '' : raw;
    const path = prefix === '' ? key : `${prefix}:${key}`;
    if (isContainer(value)) collectJsSdk(value as Record<string, unknown>, path, out);
    else out.push(`${path}:${renderScalar(value)}`);
  }
}

/** The string the official JS SDK (npm `ecommpay`) signs. */
export function jsSdkString(input: Signable): string {
  const out: string[] = [];
  collectJsSdk(input, '', out);
  return out.join(';');
}
