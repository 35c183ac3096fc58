import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsHref, DocsSite } from '../../src/http/home/docs-site.js';
import { tempDir } from '../helpers/sandbox.js';

interface Tap { teardown(fn: () => unknown): void }

/** A package folder with a README whose docs table lists `b` before `a`, and a page `c` it does not list. */
function site(t: Tap): { root: string; docs: DocsSite } {
  const root = tempDir(t);
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'README.md'), [
    '# Front', '', 'See [page a](docs/a.md#second).', '',
    '| page | what |', '|---|---|', '| [Bee](docs/b.md) | b |', '| [`Ay`](docs/a.md) | a |', '| [Gone](docs/gone.md) | not there |', '',
  ].join('\n'));
  writeFileSync(join(root, 'docs', 'a.md'), '# Page A\n\n## Second\n\nBack to [the front](../README.md), on to [B](b.md#b-title), [the compose file](../compose.yaml).\n\n![a picture](pics/one.png)\n');
  writeFileSync(join(root, 'docs', 'b.md'), '# B title\n\nSee [A](./a.md) and [a site](https://example.com/x.md).\n');
  writeFileSync(join(root, 'docs', 'c.md'), '# `C` title\n\ntext\n');
  writeFileSync(join(root, 'docs', 'Not A Page.md'), '# ignored\n');
  return { root, docs: new DocsSite(root) };
}
t.test('the pages come in the order of the README\'s docs table, then the others by name, titled by the table or their first heading', async (t) => {
  const { docs } = site(t);
  t.same(docs.pages(), [{ name: 'b', title: 'Bee' }, { name: 'a', title: 'Ay' }, { name: 'c', title: 'C title' }]);
});

t.test('a page renders with GitHub\'s heading ids, its links turned into /docs links, and links to unserved files as text', async (t) => {
  const { docs } = site(t);
  const page = await docs.render('a');
  t.equal(page?.title, 'Ay');
  t.match(page?.html, '<h1 id="page-a">Page A</h1>');
  t.match(page?.html, '<h2 id="second">Second</h2>');
  t.match(page?.html, '<a href="/docs">the front</a>');
  t.match(page?.html, '<a href="/docs/b#b-title">B</a>');
  t.match(page?.html, 'the compose file');
  t.notMatch(page?.html, /compose\.yaml|<a href="">/, 'no link to a file the sandbox does not serve');
  t.match(page?.html, '<img src="/docs/pics/one.png" alt="a picture">');
  const front = await docs.render();
  t.match(front?.html, '<a href="/docs/a#second">page a</a>');
  t.match(front?.html, 'Gone', 'a row for a missing page keeps its text');
  t.notMatch(front?.html, 'docs/gone', 'and links nowhere');
  t.match((await docs.render('b'))?.html, '<a href="https://example.com/x.md">a site</a>');
  t.equal(await docs.render('gone'), undefined, 'a page without a file does not exist');
  t.equal(await docs.render('Not A Page'), undefined);
});

t.test('a page is rendered once: later visits get the first rendering even when the file changes', async (t) => {
  const { root, docs } = site(t);
  const first = await docs.render('c');
  writeFileSync(join(root, 'docs', 'c.md'), '# Changed\n');
  t.equal(await docs.render('c'), first);
  t.match(first?.html, '<h1 id="c-title"><code>C</code> title</h1>');
});

t.test('docsHref maps links from the README and from docs/ to /docs addresses', async (t) => {
  const pages = new Set(['a', 'b']);
  t.equal(docsHref('docs/a.md', '', pages), '/docs/a');
  t.equal(docsHref('docs/a.md#x-y', '', pages), '/docs/a#x-y');
  t.equal(docsHref('b.md#top', 'docs', pages), '/docs/b#top');
  t.equal(docsHref('../README.md#quick-start', 'docs', pages), '/docs#quick-start');
  t.equal(docsHref('#here', 'docs', pages), '#here');
  t.equal(docsHref('widget/popup-390.png', 'docs', pages), '/docs/widget/popup-390.png');
  t.equal(docsHref('docs/widget/popup-390.png', '', pages), '/docs/widget/popup-390.png');
  t.equal(docsHref('https://github.com/x/y', 'docs', pages), 'https://github.com/x/y');
  t.equal(docsHref('mailto:a@b.ph', '', pages), 'mailto:a@b.ph');
  t.equal(docsHref('c.md', 'docs', pages), undefined, 'a page that does not exist');
  t.equal(docsHref('../compose.yaml', 'docs', pages), undefined, 'a file the sandbox does not serve');
  t.equal(docsHref('../../etc/passwd', 'docs', pages), undefined);
  t.equal(docsHref('%E0%A4%A', 'docs', pages), undefined, 'a malformed address');
});
