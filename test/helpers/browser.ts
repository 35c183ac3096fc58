// Headless Chromium (Debian's package) driven by playwright-core; tests skip with a reason when it is absent.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fromRoot } from '../../src/project-root.js';
import { runningInCi } from './ci.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package or set CHROMIUM_PATH)`;
/** Skipped with a reason on a developer's machine without Chromium; under CI=true the tests run and fail instead. */
export const browserSkipReason = existsSync(CHROMIUM_PATH) || runningInCi ? false : `${missing}; browser tests skipped`;

interface Tap { teardown(fn: () => unknown): void }

export async function launchBrowser(t: Tap): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${missing}: with CI=true a browser test fails rather than skips`);
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

/** What a kept screenshot file is: a PNG (by its signature), its size in pixels (from its IHDR chunk), when written. */
export function pngFacts(path: string): { png: boolean; width: number; height: number; writtenAt: number } {
  const bytes = readFileSync(path);
  const png = bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && bytes.subarray(12, 16).toString('latin1') === 'IHDR';
  return { png, width: png ? bytes.readUInt32BE(16) : 0, height: png ? bytes.readUInt32BE(20) : 0, writtenAt: statSync(path).mtimeMs };
}
