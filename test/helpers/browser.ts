// Headless Chromium (Debian's package) driven by playwright-core; tests skip with a reason when it is absent.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fromRoot } from '../../src/project-root.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserSkipReason = existsSync(CHROMIUM_PATH)
  ? false
  : `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package or set CHROMIUM_PATH); browser tests skipped`;

interface Tap { teardown(fn: () => unknown): void }

export async function launchBrowser(t: Tap): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  return browser;
}

/** Keeps a screenshot of the page as a test artifact under test-artifacts/. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  const folder = fromRoot('test-artifacts');
  mkdirSync(folder, { recursive: true });
  const path = `${folder}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
