import t from 'tap';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { readdirSync, readFileSync } from 'node:fs';
import { docsPath, SURFACES } from '../../src/surface-directory.js';
import { fromRoot } from '../../src/project-root.js';
import { atLeast } from '../helpers/promises.js';

const builtInProject = { projects: [{ project_id: 1, secret_key: 'sandbox-secret' }] };

t.test('the home page links every surface and the docs section of each, and every docs link lands on a heading of its page', async (t) => {
  const { app } = await buildTestSandbox(t, { config: builtInProject });
  const home = await app.inject({ url: '/' });
  t.equal(home.statusCode, 200);
  t.match(home.headers['content-type'], 'text/html');
  t.match(home.headers['content-security-policy'], "script-src 'none'", 'script-free under the pages\' CSP');
  t.notMatch(home.body, /<script/);
  for (const surface of atLeast(t, SURFACES, 5, 'surfaces in the directory')) t.match(home.body, `<h3>${surface.name}</h3>`);
  // Some surfaces have nothing a person can open (APIs); the others' links are all there.
  const openable = SURFACES.flatMap((surface) => surface.links.filter((l) => l.openable).map((link) => ({ surface, link })));
  for (const { surface, link } of atLeast(t, openable, 5, 'links a person can open')) t.match(home.body, `<a href="${link.path}">`, `${surface.name}: ${link.path}`);
  const docsOf = SURFACES.flatMap((surface) => surface.docs.map((docs) => ({ surface, docs })));
  for (const { surface, docs } of atLeast(t, docsOf, SURFACES.length, 'docs sections of the surfaces')) t.match(home.body, `href="${docsPath(docs)}"`, `${surface.name}: docs/${docs.page}.md`);
  for (const path of ['/shared/merchant.js', '/dashboard', '/_sandbox/health']) t.match(home.body, `href="${path}"`);
  for (const text of ['/v2/payment/wallet/{method}/sale', '/paymaya/checkout?tokenid=…', 'POST /operations/get']) t.match(home.body, text);
  const links = [...home.body.matchAll(/href="\/docs\/([a-z0-9-]+)#([^"]+)"/g)].map((m) => ({ page: m[1] as string, anchor: m[2] as string }));
  for (const { page, anchor } of atLeast(t, links, SURFACES.length, 'docs links, one per surface at least')) {
    const docs = await app.inject({ url: `/docs/${page}` });
    t.equal(docs.statusCode, 200, `/docs/${page} answers`);
    t.match(docs.body, `id="${anchor}"`, `/docs/${page} has #${anchor}`);
  }
});

t.test('/docs shows the README with a list of every docs page, and each page renders with the list, marking itself', async (t) => {
  const { app } = await buildTestSandbox(t);
  const files = readdirSync(fromRoot('docs')).filter((file) => file.endsWith('.md')).map((file) => file.slice(0, -3)).sort();
  const index = await app.inject({ url: '/docs' });
  t.equal(index.statusCode, 200);
  t.match(index.headers['content-security-policy'], "script-src 'none'");
  t.match(index.body, /<h2 id="quick-start">Quick start<\/h2>/, 'the README');
  t.match(index.body, '<a href="/docs" aria-current="page">Docs</a>', 'the index marks itself');
  const listed = [...index.body.matchAll(/<li><a href="\/docs\/([a-z0-9-]+)"/g)].map((m) => m[1] as string);
  t.same([...listed].sort(), files, 'every docs/*.md in the list, once');
  t.equal(listed[0], 'running', 'in the order of the README\'s docs table');
  for (const name of atLeast(t, files, 10, 'docs pages')) {
    const page = await app.inject({ url: `/docs/${name}` });
    t.equal(page.statusCode, 200, name);
    t.notMatch(page.body, /<script/, `${name}: no script`);
    t.match(page.body, /<h1 id="[^"]+">/, `${name}: its title`);
    t.match(page.body, `<a href="/docs/${name}" aria-current="page">`, `${name}: marked in the list`);
    t.equal([...page.body.matchAll(/aria-current="page"/g)].length, 1, `${name}: nothing else marked`);
    t.same([...page.body.matchAll(/<li><a href="\/docs\/([a-z0-9-]+)"/g)].map((m) => m[1]), listed, `${name}: the same list`);
  }
  t.equal((await app.inject({ url: '/docs/protocol-notes' })).body, (await app.inject({ url: '/docs/protocol-notes' })).body, 'a page reads the same twice');
});

t.test('the links of every docs page lead to a page of /docs and a heading on it', async (t) => {
  const { app } = await buildTestSandbox(t);
  const names = readdirSync(fromRoot('docs')).filter((file) => file.endsWith('.md')).map((file) => `/docs/${file.slice(0, -3)}`);
  const bodies = new Map<string, string>();
  async function body(path: string): Promise<string> {
    if (!bodies.has(path)) {
      const answer = await app.inject({ url: path });
      t.equal(answer.statusCode, 200, `${path} answers`);
      bodies.set(path, answer.body);
    }
    return bodies.get(path) as string;
  }
  const links: Array<{ from: string; target: string }> = [];
  const pictures: Array<{ from: string; src: string }> = [];
  for (const from of atLeast(t, ['/docs', ...names], 10, 'docs pages')) {
    const article = /<article class="card docs-page">([\s\S]*)<\/article>/.exec(await body(from))?.[1] ?? '';
    for (const [, href] of article.matchAll(/<a href="([^"]+)"/g)) links.push({ from, target: (href as string).replaceAll('&amp;', '&') });
    for (const [, src] of article.matchAll(/<img src="([^"]+)"/g)) pictures.push({ from, src: src as string });
  }
  for (const { from, target } of atLeast(t, links.filter((l) => !/^[a-z]+:/.test(l.target)), 50, 'links within the docs')) {
    t.match(target, /^(#|\/docs(\/|#|$))/, `${from}: ${target} stays in the docs`);
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const page = path === '' ? from : path;
    if (anchor !== undefined) t.match(await body(page), `id="${anchor}"`, `${from} → ${target}`);
    else await body(page);
  }
  for (const { from, src } of atLeast(t, pictures, 1, 'pictures in the docs')) {
    t.equal((await app.inject({ url: src })).statusCode, 200, `${from}: picture ${src}`);
  }
});

t.test('with the built-in project the home page shows its credentials and a signed demo Payment Page link that opens the form', async (t) => {
  const { app } = await buildTestSandbox(t, { config: builtInProject });
  const home = await app.inject({ url: '/' });
  t.match(home.body, /<code id="project-id">1<\/code>/);
  t.match(home.body, /<code id="secret-key">sandbox-secret<\/code>/);
  const link = /id="demo-link" href="([^"]+)"/.exec(home.body)?.[1]?.replaceAll('&amp;', '&');
  t.ok(link?.startsWith('/payment?project_id=1&'));
  const form = await app.inject({ url: link as string });
  t.equal(form.statusCode, 200);
  t.match(form.body, /value="paymaya-wallet" checked/);
  const again = /id="demo-link" href="([^"]+)"/.exec((await app.inject({ url: '/' })).body)?.[1];
  t.not(again, /id="demo-link" href="([^"]+)"/.exec(home.body)?.[1], 'each visit gets a new order');
});

t.test('with a config file the home page shows no secret and no demo link', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { ...builtInProject, configFile: '/etc/sandbox.json' } });
  const home = await app.inject({ url: '/' });
  t.equal(home.statusCode, 200);
  t.notMatch(home.body, /sandbox-secret/);
  t.notMatch(home.body, /demo-link/);
});

t.test('the favicon is served and every page links it, so no page asks for a missing one', async (t) => {
  const { app } = await buildTestSandbox(t);
  const ico = await app.inject({ url: '/favicon.ico' });
  t.equal(ico.statusCode, 200);
  t.equal(ico.headers['content-type'], 'image/x-icon');
  t.same([...ico.rawPayload.subarray(0, 4)], [0, 0, 1, 0], 'an ICO header');
  const svg = await app.inject({ url: '/assets/favicon.svg' });
  t.equal(svg.statusCode, 200);
  t.equal(svg.headers['content-type'], 'image/svg+xml');
  for (const url of ['/', '/docs', '/dashboard/payments', '/paymaya/checkout?tokenid=nope']) {
    t.match((await app.inject({ url })).body, '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">', url);
  }
});

t.test('the docs serve their pictures and refuse an unknown page or any other path with a page', async (t) => {
  const { app } = await buildTestSandbox(t);
  const picture = await app.inject({ url: '/docs/widget/popup-390.png' });
  t.equal(picture.statusCode, 200);
  t.equal(picture.headers['content-type'], 'image/png');
  for (const url of ['/docs/widget/missing.png', '/docs/..%2Fpackage.json', '/docs/widget/popup-390.png.bak', '/docs/no-such-page', '/docs/README', '/docs/widget.md', '/docs/..%2FREADME']) {
    const refused = await app.inject({ url });
    t.equal(refused.statusCode, 404, url);
    t.match(refused.body, /Error 404/);
  }
});

t.test('an unknown address answers a page with a way home to a browser, and the JSON envelope to an API client', async (t) => {
  const { app } = await buildTestSandbox(t);
  const page = await app.inject({ url: '/nowhere', headers: { accept: 'text/html,application/xhtml+xml' } });
  t.equal(page.statusCode, 404);
  t.match(page.body, /No route GET \/nowhere[\s\S]*<a href="\/">/);
  const api = await app.inject({ url: '/nowhere' });
  t.equal(api.statusCode, 404);
  t.same(api.json(), { status: 'error', code: '404', message: 'No route GET /nowhere', errors: [] });
});

t.test('the README is a front page of at most 300 lines, and it and every docs page have one title and each section heading once, none run into another', async (t) => {
  const files = ['README.md', ...readdirSync(fromRoot('docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];
  for (const file of atLeast(t, files, 10, 'README and docs pages')) {
    const headings = readFileSync(fromRoot(file), 'utf8').replace(/```[\s\S]*?```/g, '').split('\n').filter((line) => /^#{1,3} /.test(line));
    t.same(headings.filter((line) => /^#+ .*[^#\s]#{2,} /.test(line)), [], `${file}: no heading with another heading on its line`);
    t.same(headings.filter((line) => line.startsWith('# ')).length, 1, `${file}: one title`);
    const second = headings.filter((line) => line.startsWith('## '));
    t.same(second, [...new Set(second)], `${file}: no section twice`);
  }
  t.ok(readFileSync(fromRoot('docs', 'architecture.md'), 'utf8').includes('\n## Layout\n'), 'the code layout has its section');
  t.ok(readFileSync(fromRoot('README.md'), 'utf8').split('\n').length <= 300, 'the README stays a front page');
});
