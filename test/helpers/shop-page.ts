// A shop's checkout on its own origin: loads the sandbox's merchant.js and merchant.css as the shop plugins do,
// opens the widget with a signed configuration and records every widget event in window.widgetEvents.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

export type WidgetCall = 'run' | 'runEmbedded' | 'bind';

export interface CheckoutSetup {
  /** The signed Payment Page parameters plus widget settings (frame_mode, target_element, …); handlers are added by the page. */
  config: Record<string, unknown>;
  call: WidgetCall;
  method: 'GET' | 'POST';
  /** What onCheckSubmit resolves with (embedded mode). */
  resolveWith?: Record<string, unknown>;
  /** The shop's button; by default "Place order" embedded, else "Pay with PayMaya". */
  button?: string;
}

export interface RecordedEvent { name: string; args: unknown[] }

export interface ShopPages {
  origin: string;
  /** Serves a checkout page for this setup and returns its URL. */
  checkout(name: string, setup: CheckoutSetup): string;
}

interface Tap { teardown(fn: () => unknown): void }

const HANDLERS = [
  'onLoaded', 'onExit', 'onDestroy', 'onPaymentSent', 'onPaymentSuccess', 'onPaymentFail', 'onValidationError',
  'onEnterKeyPressed', 'onShowLoader', 'onHideLoader', 'onEmbeddedModeCheckValidationResponse',
];

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function checkoutHtml(sandboxOrigin: string, setup: CheckoutSetup): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mango Stand — checkout</title>
<link rel="stylesheet" href="${sandboxOrigin}/shared/merchant.css">
<script src="${sandboxOrigin}/shared/merchant.js"></script>
<style>
  body { font: 16px/1.5 Georgia, serif; margin: 0; background: #fffaf0; color: #2b2b2b; }
  header { background: #f6a623; padding: 1rem; } header h1 { margin: 0; font-size: 1.4rem; }
  main { max-width: 46rem; margin: 1rem auto; padding: 0 1rem; }
  section { background: #fff; border: 1px solid #e5d8bd; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  button#pay { font: inherit; padding: .6rem 1.2rem; background: #2b6e3f; color: #fff; border: 0; border-radius: 6px; }
  #events { font: 12px/1.4 monospace; color: #555; }
</style>
</head>
<body>
<header><h1>Mango Stand</h1></header>
<main>
  <section><h2>Your order</h2><p>Two mangoes — ₱500.00</p></section>
  <section>
    <h2>Payment</h2>
    <div id="ecommpay-iframe"></div>
    <div id="ecommpay-iframe-embedded"></div>
    <button id="pay" type="button">${setup.button ?? (setup.call === 'runEmbedded' ? 'Place order' : 'Pay with PayMaya')}</button>
  </section>
  <ol id="events" aria-label="Widget events"></ol>
</main>
<script type="application/json" id="setup">${scriptJson(setup)}</script>
<script>
  const setup = JSON.parse(document.getElementById('setup').textContent);
  const config = setup.config;
  window.widgetEvents = [];
  const record = (name, args) => {
    window.widgetEvents.push({ name, args: JSON.parse(JSON.stringify(args.filter((a) => typeof a !== 'function'))) });
    const item = document.createElement('li');
    item.textContent = name;
    document.getElementById('events').append(item);
  };
  for (const name of ${JSON.stringify(HANDLERS)}) config[name] = (...args) => record(name, args);
  config.onCheckSubmit = (data, resolve) => {
    record('onCheckSubmit', [data]);
    resolve(setup.resolveWith ?? {});
  };
  const button = document.getElementById('pay');
  if (setup.call === 'runEmbedded') {
    window.widget = EPayWidget.runEmbedded(config, setup.method);
    button.addEventListener('click', () => window.widget.trySubmit());
  } else if (setup.call === 'bind') {
    EPayWidget.bind('pay', config, setup.method);
  } else {
    button.addEventListener('click', () => { window.widget = EPayWidget.run(config, setup.method); });
  }
</script>
</body>
</html>`;
}

export async function startShopPages(t: Tap, sandboxOrigin: string): Promise<ShopPages> {
  const pages = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const html = pages.get((request.url ?? '').split('?')[0] ?? '');
    response.writeHead(html === undefined ? 404 : 200, { 'content-type': html === undefined ? 'text/plain' : 'text/html; charset=utf-8' });
    response.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    checkout(name, setup) {
      pages.set(`/${name}`, checkoutHtml(sandboxOrigin, setup));
      return `${origin}/${name}`;
    },
  };
}

/** Waits until the shop page has seen this widget event (no fixed sleeps). */
export async function widgetEvent(page: Page, name: string): Promise<RecordedEvent> {
  await page.waitForFunction((wanted) => (window as unknown as { widgetEvents: RecordedEvent[] }).widgetEvents.some((e) => e.name === wanted), name);
  const events = await widgetEvents(page);
  return events.find((e) => e.name === name) as RecordedEvent;
}

export async function widgetEvents(page: Page): Promise<RecordedEvent[]> {
  return page.evaluate(() => (window as unknown as { widgetEvents: RecordedEvent[] }).widgetEvents);
}
