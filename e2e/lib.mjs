// Shared helpers of the end-to-end tests: the browser, logins, screenshots.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The server under test (scripts/e2e.sh starts it). */
export const BASE = process.env.FIELDPATH_BASE_URL || 'http://127.0.0.1:8080';
/** Where screenshots go. */
export const ARTIFACTS = process.env.FIELDPATH_ARTIFACTS || join(process.cwd(), 'test-artifacts');
/** Password of the demo users. */
export const PASSWORD = 'fieldpath-demo';

/** Debian's Chromium, headless, with nothing that reaches out to the network. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in through the login page and waits for the landing page. */
export async function login(page, email) {
  await page.goto(BASE + '/');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/(board|tech)/);
  await page.waitForSelector('body[data-loaded]');
}

/** Saves a screenshot under test-artifacts/. */
export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name) });
}

/** Collects page errors so a test can assert there were none. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
