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

test('the AWS side runs in the browser: an ECS cluster and a short comparison', async () => {
  await withBrowser('sandbox-aws', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/sandbox?scenario=empty`);
    const input = page.locator('[data-testid=terminal-input]');
    const output = page.locator('[data-testid=terminal-output]');
    await input.waitFor({ state: 'visible' });

    const type = async (line) => {
      await input.click();
      await input.fill(line);
      await input.press('Enter');
    };
    await type('aws ecs create-cluster --cluster-name demo');
    await waitForText(output, '"clusterName": "demo"');
    await type('sim compare ecs-fargate ecs-ec2 --duration 1h --spike none');
    await waitForText(output, /Fargate vs EC2 crossover/, 60_000);
    await waitForText(output, /m5\.large\s+\$0\.0960\s+\$0\.11652\s+82\.4% used/);

    await screenshot(page, 'sandbox-aws');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
