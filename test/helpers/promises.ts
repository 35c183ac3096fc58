// Assertions for lists that cannot pass on nothing. A test's title is a promise; a check over a list keeps it only
// when the list is known to hold what the title speaks of. `test/suite-rules.test.ts` keeps the suite to these:
// no `.every(`, no array literal in a `t.match` pattern, no loop of assertions over a computed list without a count.

import type { Test } from 'tap';

type Tap = Pick<Test, 'ok' | 'fail' | 'match' | 'same'>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Where the arrays of `pattern` and `found` differ in length: one line per place, by path. */
function lengthMismatches(found: unknown, pattern: unknown, path: string, out: string[]): void {
  if (Array.isArray(pattern)) {
    if (!Array.isArray(found)) {
      out.push(`${path || '(top)'}: expected a list of ${pattern.length}, found ${found === undefined ? 'nothing' : typeof found}`);
      return;
    }
    if (found.length !== pattern.length) out.push(`${path || '(top)'}: expected ${pattern.length} item(s), found ${found.length}`);
    pattern.forEach((item, index) => lengthMismatches(found[index], item, `${path}[${index}]`, out));
    return;
  }
  if (isPlainObject(pattern)) {
    const holder = typeof found === 'object' && found !== null ? (found as Record<string, unknown>) : {};
    for (const [key, item] of Object.entries(pattern)) lengthMismatches(holder[key], item, path === '' ? key : `${path}.${key}`, out);
  }
}

/**
 * `t.match`, with every array in the pattern standing for the whole list: the list found there must have exactly
 * as many items (`t.match` alone lets extra items through, so a duplicated callback or e-mail would pass).
 * Objects still match on the keys the pattern names.
 */
export function matchCounted(t: Tap, found: unknown, pattern: unknown, message = 'should match, item for item'): boolean {
  const mismatches: string[] = [];
  lengthMismatches(found, pattern, '', mismatches);
  if (mismatches.length > 0) return t.fail(`${message} (${mismatches.join('; ')})`, { found, pattern });
  return t.match(found, pattern, message);
}

/** Every item passes `check`, and there are at least `min` items (at least one: an empty list never passes). */
export function everyOf<T>(t: Tap, list: readonly T[], min: number, check: (item: T) => boolean, message: string): boolean {
  if (list.length < Math.max(1, min)) return t.fail(`${message}: ${list.length} item(s), at least ${Math.max(1, min)} expected`);
  const failing = list.filter((item) => !check(item));
  return t.ok(failing.length === 0, `${message} (${list.length} item(s))`, { failing: failing.slice(0, 5), failingCount: failing.length });
}

/** No item passes `check`, in a list of at least `min` items (at least one). */
export function noneOf<T>(t: Tap, list: readonly T[], min: number, check: (item: T) => boolean, message: string): boolean {
  return everyOf(t, list, min, (item) => !check(item), message);
}

/**
 * The list, after checking it has at least `min` items (at least one), for a loop of assertions over it:
 * `for (const id of atLeast(t, accepted, 1, 'accepted payments'))`.
 */
export function atLeast<T>(t: Tap, list: readonly T[], min: number, what: string): readonly T[] {
  t.ok(list.length >= Math.max(1, min), `${what}: ${list.length} (at least ${Math.max(1, min)})`);
  return list;
}

/** The same items in any order, each as many times. */
export function sameSet<T>(t: Tap, found: readonly T[], expected: readonly T[], message = 'the same items, in any order'): boolean {
  const key = (item: T) => JSON.stringify(item) ?? String(item);
  const sorted = (list: readonly T[]) => [...list].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return t.same(sorted(found), sorted(expected), message);
}

/** The part `pattern` finds is in both texts, and the same: two texts that both lack it are not "the same". */
export function samePart(t: Tap, pattern: RegExp, found: string, expected: string, message: string): boolean {
  const [a, b] = [pattern.exec(found)?.[0], pattern.exec(expected)?.[0]];
  if (a === undefined || b === undefined) return t.fail(`${message}: ${pattern} found in neither text, or in one only`, { found: a, expected: b });
  return t.same(a, b, message);
}
