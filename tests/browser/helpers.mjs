// Shared helpers for Shipshape's browser tests: launch Debian's Chromium through
// playwright-core (never a downloaded browser), collect console and page errors,
// and save screenshots to tests/browser/artifacts/.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** Base URL of the running server, e.g. http://127.0.0.1:8080 (set by `cargo xtask test`). */
export const BASE_URL = (process.env.SHIPSHAPE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');

/** Where screenshots go. */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

/** Debian's Chromium: the only browser these tests use. */
export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying to reach Google's
// hosts, which this network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a fresh profile and opens one page.
 * Returns { context, page, errors, close }: `errors` collects console errors and
 * uncaught page errors as strings; `close()` shuts the browser and deletes the profile.
 */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'shipshape-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      errors.push(`console.error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

/** Saves a full-page screenshot to tests/browser/artifacts/NAME.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs `body({ page, errors })` in a fresh browser; on failure saves a screenshot
 * named NAME-failure.png before re-throwing; always closes the browser.
 */
export async function withBrowser(name, body) {
  const browser = await launch();
  try {
    await body(browser);
  } catch (error) {
    await screenshot(browser.page, `${name}-failure`).catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
}

/** A message listing the collected errors, for assertions. */
export function describeErrors(errors) {
  return errors.length === 0 ? 'no errors' : `${errors.length} error(s):\n  ${errors.join('\n  ')}`;
}

/**
 * Polls until the locator's text contains `expected` (a string) or matches it (a
 * RegExp); fails with the text it last saw. Returns that text.
 */
export async function waitForText(locator, expected, timeoutMs = 10_000) {
  const matches = (text) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await locator.innerText().catch(() => '');
    if (matches(text) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!matches(text)) {
    throw new Error(`expected text ${expected instanceof RegExp ? expected : JSON.stringify(expected)} within ${timeoutMs} ms; saw:\n${text}`);
  }
  return text;
}

/** Polls until an input's value is `expected`; fails with the value it last saw. */
export async function waitForValue(input, expected, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await input.inputValue();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await input.inputValue();
  }
  if (value !== expected) {
    throw new Error(`expected input value ${JSON.stringify(expected)}; it is ${JSON.stringify(value)}`);
  }
}
