// The Markdown docs as GitHub shows them: every relative link leads to a file of the repository and, when it names
// one, to a heading of that file (ids as GitHub and /docs make them).
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Marked, type Token } from 'marked';
import { gfmHeadingId } from 'marked-gfm-heading-id';
import { fromRoot } from '../src/project-root.js';
import { atLeast } from './helpers/promises.js';

const files = ['README.md', ...readdirSync(fromRoot('docs')).filter((file) => file.endsWith('.md')).sort().map((file) => `docs/${file}`)];

function headingIds(file: string): Set<string> {
  const html = new Marked(gfmHeadingId()).parse(readFileSync(fromRoot(file), 'utf8'), { async: false });
  return new Set([...html.matchAll(/<h[1-6] id="([^"]+)"/g)].map((m) => m[1] as string));
}

function links(file: string): string[] {
  const marked = new Marked();
  const found: string[] = [];
  marked.walkTokens(marked.lexer(readFileSync(fromRoot(file), 'utf8')), (token: Token) => {
    if (token.type === 'link' || token.type === 'image') found.push(token.href);
  });
  return found;
}

t.test('every relative link in README.md and docs/*.md points to an existing file, and to an existing heading when it names one', async (t) => {
  let checked = 0;
  const all = atLeast(t, files, 10, 'README and docs pages').flatMap((file) => links(file).map((href) => ({ file, href })));
  for (const { file, href } of atLeast(t, all, 50, 'links in them')) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    t.notOk(href.startsWith('/'), `${file}: ${href} is relative, so it works on GitHub`);
    const [path, anchor] = href.split('#') as [string, string | undefined];
    const target = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), decodeURI(path)));
    t.notOk(target.startsWith('..'), `${file}: ${href} stays in the repository`);
    t.ok(existsSync(fromRoot(target)), `${file}: ${href} → ${target} exists`);
    if (anchor !== undefined) {
      t.ok(target.endsWith('.md'), `${file}: ${href} names a heading of a Markdown file`);
      t.ok(target.endsWith('.md') && headingIds(target).has(anchor), `${file}: ${href} → #${anchor} is a heading of ${target}`);
    }
    checked += 1;
  }
  t.ok(checked > 50, `${checked} links checked`);
});

t.test('the README\'s docs table links every docs page once, and no page twice', async (t) => {
  const rows = readFileSync(fromRoot('README.md'), 'utf8').split('\n')
    .map((line) => /^\|\s*\[[^\]]+\]\(docs\/([a-z0-9-]+\.md)\)\s*\|/.exec(line)?.[1]).filter((name) => name !== undefined);
  t.same([...rows].sort(), files.filter((file) => file !== 'README.md').map((file) => file.slice('docs/'.length)));
  t.equal(new Set(rows).size, rows.length);
});
