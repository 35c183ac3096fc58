// The suite's own rules, checked on its sources: a check over a list must not pass on an empty list, and an array
// in a t.match pattern must not let extra items through. Each rule names the helper to use instead
// (test/helpers/promises.ts); README "## Tests" says why.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { fromRoot } from '../src/project-root.js';
import { atLeast } from './helpers/promises.js';

const ROOT = fromRoot();
const TEST_DIR = fromRoot('test');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Assertions whose pattern lets extra array items through. */
const MATCHERS = new Set(['match', 'has', 'hasStrict', 'matchStrict', 'resolveMatch']);

/** A call on the test object (`t.ok(…)`), other than starting a subtest or a teardown. */
function isAssertion(node: ts.Node): boolean {
  return ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)
    && node.expression.expression.text === 't' && !['teardown', 'before', 'beforeEach', 'afterEach'].includes(node.expression.name.text);
}

function contains(node: ts.Node, found: (child: ts.Node) => boolean): boolean {
  if (found(node)) return true;
  return ts.forEachChild(node, (child) => (contains(child, found) ? true : undefined)) === true;
}

function unwrap(node: ts.Expression): ts.Expression {
  let inner = node;
  while (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner) || ts.isTypeAssertionExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isNonNullExpression(inner)) inner = inner.expression;
  return inner;
}

export interface Violation { where: string; rule: string; code: string }

/** The places in one source file that break the rules. */
export function violationsIn(fileName: string, text: string): Violation[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const declarations = new Map<string, ts.Expression[]>();
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
      const list = declarations.get(node.name.text) ?? [];
      list.push(node.initializer ?? ts.factory.createIdentifier('undefined'));
      declarations.set(node.name.text, list);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  /** A list whose items the test itself writes down (or counts with atLeast): never empty by accident. */
  const isFixedList = (expression: ts.Expression, seen: Set<string> = new Set()): boolean => {
    const node = unwrap(expression);
    // Written down item by item; an empty literal is a list filled later, and a spread is as fixed as what it spreads.
    if (ts.isArrayLiteralExpression(node)) return node.elements.length > 0 && !node.elements.some((e) => ts.isSpreadElement(e) && !isFixedList(e.expression, seen));
    if (ts.isObjectLiteralExpression(node)) return true;
    if (ts.isConditionalExpression(node)) return isFixedList(node.whenTrue, seen) && isFixedList(node.whenFalse, seen);
    if (ts.isIdentifier(node)) {
      const found = declarations.get(node.text);
      if (found === undefined || seen.has(node.text)) return false;
      seen.add(node.text);
      return !found.some((initializer) => !isFixedList(initializer, seen));
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === 'atLeast') return true;
      if (ts.isPropertyAccessExpression(callee)) {
        const name = callee.name.text;
        const owner = unwrap(callee.expression);
        // Object.entries/keys/values of a written-down object; Array.from({ length: N }); a mapped written-down list.
        if (ts.isIdentifier(owner) && owner.text === 'Object' && ['entries', 'keys', 'values'].includes(name)) return node.arguments[0] !== undefined && isFixedList(node.arguments[0], seen);
        if (ts.isIdentifier(owner) && owner.text === 'Array' && name === 'from') {
          const first = node.arguments[0] === undefined ? undefined : unwrap(node.arguments[0]);
          return first !== undefined && ts.isObjectLiteralExpression(first) && first.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText(source) === 'length' && ts.isNumericLiteral(unwrap(p.initializer)));
        }
        if (['map', 'entries', 'keys', 'values'].includes(name)) return isFixedList(callee.expression, seen);
      }
    }
    return false;
  };

  const violations: Violation[] = [];
  const report = (node: ts.Node, rule: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    violations.push({ where: `${relative(ROOT, fileName)}:${line + 1}`, rule, code: node.getText(source).split('\n')[0]!.slice(0, 100) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (name === 'every') report(node, '.every( passes on an empty list: use everyOf(t, list, min, check, message)');
      const target = node.expression.expression;
      if (ts.isIdentifier(target) && target.text === 't' && MATCHERS.has(name) && node.arguments[1] !== undefined
        && contains(node.arguments[1], (child) => ts.isArrayLiteralExpression(child))) {
        report(node, `an array in a t.${name} pattern lets extra items through: use matchCounted(t, found, pattern)`);
      }
      const negated = ts.isIdentifier(target) && target.text === 't' && name === 'notOk' && node.arguments[0] !== undefined;
      if (negated && contains(node.arguments[0]!, (child) => ts.isCallExpression(child) && ts.isPropertyAccessExpression(child.expression) && child.expression.name.text === 'some')) {
        report(node, 't.notOk(list.some(…)) passes on an empty list: use noneOf(t, list, min, check, message)');
      }
    }
    if (ts.isForOfStatement(node) && contains(node.statement, isAssertion) && !isFixedList(node.expression)) {
      report(node, 'a loop of assertions over a computed list passes when it is empty: loop over atLeast(t, list, min, what)');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return violations;
}

t.test('no check in the suite passes on an empty list, and no array in a t.match pattern lets extra items through', async (t) => {
  const files = testFiles(TEST_DIR);
  const violations = atLeast(t, files, 50, 'test files read').flatMap((file) => violationsIn(file, readFileSync(file, 'utf8')));
  t.same(violations, [], 'every place that breaks a rule, with the rule and the helper to use');
});

t.test('the rules catch what they are for, and let the counted forms through', async (t) => {
  const found = (code: string) => violationsIn('example.test.ts', code).map((v) => v.rule.split(':')[0]);
  t.same(found('t.ok(list.every((x) => x > 0));'), ['.every( passes on an empty list']);
  t.same(found('t.match(callbacks, [{ status: "success" }]);'), ['an array in a t.match pattern lets extra items through']);
  t.same(found('t.match(body, { errors: [{ field: "a" }] });'), ['an array in a t.match pattern lets extra items through']);
  t.same(found('t.notOk(list.some((x) => x > 0));'), ['t.notOk(list.some(…)) passes on an empty list']);
  t.same(found('const ids = received.map((r) => r.id);\nfor (const id of ids) t.ok(id);'), ['a loop of assertions over a computed list passes when it is empty']);
  t.same(found('for (const id of received.filter((r) => r.ok)) t.ok(id);'), ['a loop of assertions over a computed list passes when it is empty']);
  t.same(found('const seen = [];\nseen.push(1);\nfor (const n of seen) t.ok(n);'), ['a loop of assertions over a computed list passes when it is empty'], 'a list filled later is computed');
  t.same(found([
    'matchCounted(t, callbacks, [{ status: "success" }]);',
    'everyOf(t, list, 3, (x) => x > 0, "positive");',
    'for (const id of atLeast(t, ids, 1, "ids")) t.ok(id);',
    'const cases = [["a", 1], ["b", 2]] as const;',
    'for (const [name, n] of cases) t.ok(n, name);',
    'for (const [key, value] of Object.entries({ a: 1 })) t.ok(value, key);',
    'for (const n of Array.from({ length: 3 }, (_, i) => i)) t.ok(n >= 0);',
    'for (const mode of flag ? ["a", "b"] : ["c"]) t.ok(mode);',
    't.match(body, /text/);',
    'for (const id of ids) console.log(id);',
    'for (const x of [...["a"], "b"]) t.ok(x);',
  ].join('\n')), [], 'the helpers, written-down lists and loops without assertions pass');
});
