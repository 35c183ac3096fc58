// A host-to-host shop, written here, that takes the card on its own page and calls the Gate itself, in Chromium:
// the 3DS Method page in a hidden iframe notifies the shop, which answers 3ds_check_iframe; a challenge takes the
// customer to the sandbox bank's page and back with cres, which the shop sends in 3ds_result. Every Gate request
// is signed by the official JS SDK's signer and every callback verified by its Callback.
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { SdkCallback, sdkSigner } from '../helpers/gate-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const html = (body: string, script = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Card shop</title></head><body>${body}${script === '' ? '' : `<script>${script}</script>`}</body></html>`;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const postForm = (id: string, action: string, params: Record<string, string>, target = '') => `<form id="${id}" method="post" action="${escape(action)}"${target === '' ? '' : ` target="${target}"`}>${Object.entries(params).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('')}</form>`;

t.test('a host-to-host shop pays by card in Chromium through 3-D Secure 2: Method iframe, challenge, 3ds_result', { skip: browserSkipReason }, async (t) => {
  // The Method and challenge addresses in callbacks are absolute: the sandbox must know where it listens.
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}`;
  const { app } = await buildTestSandbox(t, { env: { SANDBOX_PUBLIC_URL: sandbox } });
  await app.listen({ port, host: '127.0.0.1' });
  const callbacks: Array<Record<string, any>> = [];
  const notified: string[] = [];
  let shopUrl = '';

  async function gate(path: string, body: Record<string, any>): Promise<Record<string, any>> {
    body.general.signature = sdkSigner(body, SECRET);
    const answer = await fetch(`${sandbox}/v2/payment/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await answer.json() as Record<string, any>;
    if (answer.status !== 200) throw new Error(`${path}: ${JSON.stringify(json)}`);
    await flush(app);
    return json;
  }
  const latest = (paymentId: string) => callbacks.filter((c) => c.payment.id === paymentId).at(-1);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', shopUrl);
    const text = request.method === 'POST' ? await read(request) : '';
    const form = new URLSearchParams(text);
    const send = (status: number, body: string, type = 'text/html'): void => void response.writeHead(status, { 'content-type': type }).end(body);
    if (url.pathname === '/callback') {
      callbacks.push(new SdkCallback(SECRET, text).callback as Record<string, any>);
      return send(200, 'OK', 'text/plain');
    }
    if (url.pathname === '/checkout') {
      return send(200, html(`<h1>Card shop</h1><form method="post" action="/pay"><label>Card number <input name="pan"></label><label>Order <input name="order"></label><button>Pay</button></form>`));
    }
    if (url.pathname === '/pay') {
      const order = form.get('order') as string;
      await gate('card/sale', {
        general: { project_id: PROJECT_ID, payment_id: order, merchant_callback_url: `${shopUrl}/callback` },
        card: { pan: form.get('pan'), year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' },
        customer: { id: 'cust-1', ip_address: '203.0.113.7' },
        payment: { amount: 50000, currency: 'PHP', description: 'Two mangoes' },
        acs_return_url: { return_url: `${shopUrl}/3ds/return`, '3ds_notification_url': `${shopUrl}/3ds/notify?order=${order}` },
      });
      const iframe = latest(order)?.threeds2?.iframe as { url: string; params: Record<string, string> } | undefined;
      if (iframe === undefined) return send(303, '', 'text/plain'), void 0;
      // The hidden 3DS Method iframe, then a look at the order until the bank has answered.
      return send(200, html(`<h1>Checking your card…</h1><iframe name="method" width="1" height="1" style="display:none"></iframe>${postForm('method-form', iframe.url, iframe.params, 'method')}`,
        `document.getElementById('method-form').submit();
         const poll = async () => { const s = await (await fetch('/next?order=${order}')).json(); if (s.url) location.href = s.url; else setTimeout(poll, 50); }; poll();`));
    }
    if (url.pathname === '/3ds/notify') {
      const order = url.searchParams.get('order') as string;
      notified.push(form.get('threeDSMethodData') ?? '');
      await gate('card/3ds_check_iframe', { general: { project_id: PROJECT_ID, payment_id: order }, threeds_completion_indicator: true });
      return send(200, 'ok', 'text/plain');
    }
    if (url.pathname === '/next') {
      const last = latest(url.searchParams.get('order') as string);
      const next = last?.threeds2?.redirect !== undefined ? `/challenge?order=${last.payment.id}` : last?.payment.status !== 'awaiting 3ds result' ? `/done?order=${last?.payment.id}` : undefined;
      return send(200, JSON.stringify(next === undefined ? {} : { url: next }), 'application/json');
    }
    if (url.pathname === '/challenge') {
      const redirect = latest(url.searchParams.get('order') as string)?.threeds2.redirect as { url: string; params: Record<string, string> };
      return send(200, html(postForm('challenge', redirect.url, redirect.params), "document.getElementById('challenge').submit();"));
    }
    if (url.pathname === '/3ds/return') {
      const order = callbacks.find((c) => String(c.operation.id) === form.get('threeDSSessionData'))?.payment.id as string;
      await gate('card/3ds_result', { general: { project_id: PROJECT_ID, payment_id: order }, cres: form.get('cres') });
      response.writeHead(303, { location: `/done?order=${order}` }).end();
      return;
    }
    if (url.pathname === '/done') {
      const last = latest(url.searchParams.get('order') as string);
      return send(200, html(`<h1 id="result">${last?.payment.status === 'success' ? 'Paid' : 'Declined'}</h1><p id="code">${last?.operation.code}</p>`));
    }
    send(404, 'no such page', 'text/plain');
  }
  const shop = createServer((request, response) => void route(request, response).catch((error: Error) => response.writeHead(500).end(error.message)));
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => shop.close(() => resolve())));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  const browser = await launchBrowser(t);

  async function checkout(order: string, pan: string) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${shopUrl}/checkout`);
    await page.getByLabel('Card number').fill(pan);
    await page.getByLabel('Order').fill(order);
    await page.getByRole('button', { name: 'Pay' }).click();
    return page;
  }

  t.test('a challenge card: the Method iframe notifies the shop, the customer types the code at the bank, the shop sends cres', async (t) => {
    const page = await checkout('h2h-challenge', '4314220000000056');
    await page.waitForURL(/\/acs\/challenge\//);
    t.equal(notified.length, 1, 'the Method page in the hidden iframe notified the shop');
    t.match(await page.locator('main').textContent(), /431422\*\*\*\*\*\*0056/);
    await keepScreenshot(page, 'acs-challenge-host-to-host');
    await page.getByLabel('One-time code').fill('1234');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/done\?order=h2h-challenge/);
    t.equal(await page.locator('#result').textContent(), 'Paid');
    const story = callbacks.filter((c) => c.payment.id === 'h2h-challenge');
    t.same(story.map((c) => Object.keys(c.threeds2 ?? {})[0] ?? c.payment.status), ['iframe', 'redirect', 'success']);
    t.match(story[2], { operation: { eci: '05' }, mpi_result: { authentication_flow: '02' } });
  });

  t.test('a frictionless card: after the Method iframe the result comes without the customer', async (t) => {
    const page = await checkout('h2h-frictionless', '4477000000000006');
    await page.waitForURL(/\/done\?order=h2h-frictionless/);
    t.equal(await page.locator('#result').textContent(), 'Paid');
    t.same(callbacks.filter((c) => c.payment.id === 'h2h-frictionless').map((c) => c.payment.status), ['awaiting 3ds result', 'success']);
  });

  t.test('a card declined after the challenge ends declined 10114, through the same steps', async (t) => {
    const page = await checkout('h2h-declined', '4012000000020089');
    await page.waitForURL(/\/acs\/challenge\//);
    await page.getByLabel('One-time code').fill('1234');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/done\?order=h2h-declined/);
    t.equal(await page.locator('#result').textContent(), 'Declined');
    t.equal(await page.locator('#code').textContent(), '10114');
  });
});
