import t from 'tap';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { SURFACES } from '../../src/surface-directory.js';
import { atLeast } from '../helpers/promises.js';

const builtInProject = { projects: [{ project_id: 1, secret_key: 'sandbox-secret' }] };

t.test('the home page links every surface and the docs section of each, and every docs link lands on a heading of /docs', async (t) => {
  const { app } = await buildTestSandbox(t, { config: builtInProject });
  const home = await app.inject({ url: '/' });
  t.equal(home.statusCode, 200);
  t.match(home.headers['content-type'], 'text/html');
  t.match(home.headers['content-security-policy'], "script-src 'none'", 'script-free under the pages\' CSP');
  t.notMatch(home.body, /<script/);
  const docs = await app.inject({ url: '/docs' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /<h2 id="quick-start">Quick start<\/h2>/);
  for (const surface of atLeast(t, SURFACES, 5, 'surfaces in the directory')) t.match(home.body, `<h3>${surface.name}</h3>`);
  // Some surfaces have nothing a person can open (APIs); the others' links are all there.
  const openable = SURFACES.flatMap((surface) => surface.links.filter((l) => l.openable).map((link) => ({ surface, link })));
  for (const { surface, link } of atLeast(t, openable, 5, 'links a person can open')) t.match(home.body, `<a href="${link.path}">`, `${surface.name}: ${link.path}`);
  for (const path of ['/shared/merchant.js', '/dashboard', '/_sandbox/health']) t.match(home.body, `href="${path}"`);
  for (const text of ['/v2/payment/wallet/{method}/sale', '/paymaya/checkout?tokenid=…', 'POST /operations/get']) t.match(home.body, text);
  const anchors = [...home.body.matchAll(/href="\/docs#([^"]+)"/g)].map((m) => m[1] as string);
  for (const anchor of atLeast(t, anchors, SURFACES.length, 'docs links, one per surface at least')) t.match(docs.body, `id="${anchor}"`, `/docs has #${anchor}`);
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

t.test('the docs serve the README\'s pictures and refuse any other path with a page', async (t) => {
  const { app } = await buildTestSandbox(t);
  const picture = await app.inject({ url: '/docs/widget/popup-390.png' });
  t.equal(picture.statusCode, 200);
  t.equal(picture.headers['content-type'], 'image/png');
  for (const url of ['/docs/widget/missing.png', '/docs/..%2Fpackage.json', '/docs/widget/popup-390.png.bak']) {
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

t.test('the README the docs page renders has each section heading once, none run into another', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { fromRoot } = await import('../../src/project-root.js');
  const headings = readFileSync(fromRoot('README.md'), 'utf8').split('\n').filter((line) => /^#{1,3} /.test(line));
  t.same(headings.filter((line) => /^#+ .*[^#\s]#{2,} /.test(line)), [], 'no heading with another heading on its line');
  const second = headings.filter((line) => line.startsWith('## '));
  t.same(second, [...new Set(second)], 'no section twice');
  t.ok(second.includes('## Layout'));
});
