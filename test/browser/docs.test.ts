import t from 'tap';
import type { AddressInfo } from 'node:net';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';
import { DocsSite } from '../../src/http/home/docs-site.js';
import { projectRoot } from '../../src/project-root.js';
import { atLeast } from '../helpers/promises.js';

const WIDTHS = [390, 1280] as const;
/** Kept as test artifacts: the index, and a page with tables, pictures and code. */
const SCREENSHOTS = ['/docs', '/docs/widget'];

t.test('the docs in a real browser, without JavaScript', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const paths = ['/docs', ...new DocsSite(projectRoot).pages().map((page) => `/docs/${page.name}`)];
  const browser = await launchBrowser(t);

  for (const width of WIDTHS) {
    t.test(`every docs page fits ${width} px without sideways scrolling, lists every page and asks for nothing missing`, async (t) => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
      t.teardown(() => context.close());
      const page = await context.newPage();
      const missing: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) missing.push(response.url());
      });
      for (const path of atLeast(t, paths, 10, 'docs pages')) {
        await page.goto(`${base}${path}`);
        if (SCREENSHOTS.includes(path)) await keepScreenshot(page, `docs${path.slice('/docs'.length).replace('/', '-')}-${width}`);
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        t.ok(scrollWidth <= innerWidth, `${path}: ${scrollWidth} px of content in a ${innerWidth} px window`);
        const list = page.getByRole('navigation', { name: 'Docs' });
        t.equal(await list.getByRole('link').count(), paths.length, `${path}: the list links the index and every page`);
        t.ok(await list.isVisible(), `${path}: the list is on screen`);
        t.equal(await list.locator('[aria-current="page"]').getAttribute('href'), path, `${path}: the list marks this page`);
      }
      t.same(missing, [], 'no answer of 400 or more (pictures and favicon included)');
    });
  }

  t.test('at 1,280 px the list stands beside the page, at 390 px above it', async (t) => {
    for (const [width, beside] of [[1280, true], [390, false]] as const) {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
      t.teardown(() => context.close());
      const page = await context.newPage();
      await page.goto(`${base}/docs/callbacks`);
      const list = await page.getByRole('navigation', { name: 'Docs' }).boundingBox();
      const article = await page.locator('article').boundingBox();
      if (list === null || article === null) throw new Error('the list or the page is not laid out');
      if (beside) t.ok(list.x + list.width <= article.x && list.y === article.y, `${width} px: beside, ${JSON.stringify({ list, article })}`);
      else t.ok(list.y + list.height <= article.y, `${width} px: above, ${JSON.stringify({ list, article })}`);
    }
  });
});
