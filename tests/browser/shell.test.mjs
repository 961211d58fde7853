// The app shell: the catalog at /, a lesson reached by deep link (SPA fallback), and
// the server's health check.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_URL, describeErrors, screenshot, withBrowser } from './helpers.mjs';

test('GET /healthz answers 200', async () => {
  const response = await fetch(`${BASE_URL}/healthz`);
  assert.equal(response.status, 200);
});

test('the catalog at / lists lessons', async () => {
  await withBrowser('catalog', async ({ page, errors }) => {
    const response = await page.goto(`${BASE_URL}/`);
    assert.equal(response?.status(), 200);
    const catalog = page.locator('[data-testid=catalog]');
    await catalog.waitFor({ state: 'visible' });
    const lessonLink = catalog.locator('a[href*="/lessons/"]').first();
    await lessonLink.waitFor({ state: 'visible' });
    assert.ok((await lessonLink.innerText()).trim().length > 0, 'the lesson link has a title');
    await screenshot(page, 'catalog');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});

test('a deep link to a lesson loads the lesson player', async () => {
  await withBrowser('lesson-deep-link', async ({ page, errors }) => {
    const response = await page.goto(`${BASE_URL}/lessons/meet-the-cluster`);
    assert.equal(response?.status(), 200, 'the server falls back to index.html for app routes');
    await page.locator('[data-testid=lesson-player]').waitFor({ state: 'visible' });
    await screenshot(page, 'lesson-player');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
