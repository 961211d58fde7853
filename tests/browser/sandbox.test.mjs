// The sandbox: a person types a command into the terminal and sees its output, and
// the up arrow brings the last command back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_URL, describeErrors, screenshot, waitForText, waitForValue, withBrowser } from './helpers.mjs';

test('sandbox terminal runs a command and recalls it from history', async () => {
  await withBrowser('sandbox', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/sandbox`);
    const input = page.locator('[data-testid=terminal-input]');
    const output = page.locator('[data-testid=terminal-output]');
    await input.waitFor({ state: 'visible' });

    await input.click();
    await input.pressSequentially('sim advance 10s');
    await input.press('Enter');

    await waitForText(output, '$ sim advance 10s');
    await waitForText(output, /Advanced 10s/);

    await input.press('ArrowUp');
    await waitForValue(input, 'sim advance 10s');

    await screenshot(page, 'sandbox');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
