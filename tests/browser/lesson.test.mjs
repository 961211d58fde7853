// The lesson player: stepping through meet-the-cluster, a prediction shown after its
// step, the status tracker, an ordering question rearranged with the keyboard, and a
// challenge started, checked (unmet, with the reason) and solved in the terminal.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_URL, describeErrors, screenshot, withBrowser } from './helpers.mjs';

test('a lesson plays through steps, predictions, quiz and a challenge', async () => {
  await withBrowser('lesson-player', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/lessons/meet-the-cluster`);
    await page.locator('[data-testid=lesson-player]').waitFor({ state: 'visible' });
    const title = page.locator('[data-testid=step-title]');
    const next = page.locator('[data-testid=step-next]');

    // The tracker evaluates its queries against the simulation.
    const rows = page.locator('[data-testid=tracker-row]');
    assert.ok((await rows.count()) > 0, 'the tracker has rows');
    assert.match(await rows.first().innerText(), /Worker nodes Ready\s+3/);

    // Step 3 (system-pods) is followed by a prediction about the next step.
    await next.click();
    await next.click();
    await title.filter({ hasText: 'The control plane runs as pods' }).waitFor();
    const predictions = page.locator('[data-testid=predictions]');
    await predictions.waitFor({ state: 'visible' });
    await predictions.locator('label', { hasText: /^12$/ }).click();
    await predictions.locator('[data-testid=quiz-check]').click();
    const verdict = predictions.locator('[data-testid=quiz-feedback]');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-correct'), 'true', await verdict.innerText());
    await screenshot(page, 'lesson-prediction');

    // The quiz: the ordering question, rearranged with keyboard-reachable buttons.
    while ((await page.locator('[data-testid=quiz]').count()) === 0) {
      await next.click();
    }
    const ordering = page.locator('[data-testid=quiz-question][data-kind=ordering]');
    await ordering.waitFor();
    const items = ordering.locator('[data-testid=quiz-order-item]');
    const arrangement = async () =>
      Promise.all((await items.all()).map((item) => item.getAttribute('data-choice')));
    assert.deepEqual(await arrangement(), ['0', '1', '2', '3']);
    // A wrong order first: one hint appears.
    await ordering.locator('[data-testid=quiz-check]').click();
    let feedback = ordering.locator('[data-testid=quiz-feedback]');
    assert.equal(await feedback.getAttribute('data-correct'), 'false');
    assert.equal(await ordering.locator('[data-testid=quiz-hint]').count(), 1);
    // Target order [1, 3, 0, 2]: move choice 1 up, then choice 3 up twice, by keyboard.
    const focusOn = (suffix) =>
      page.waitForFunction((end) => document.activeElement?.id.endsWith(end), suffix);
    await items.nth(1).locator('[data-testid=quiz-order-up]').focus();
    await page.keyboard.press('Enter');
    // Focus follows the moved item (to its other button once it reached the top).
    await focusOn('-1-down');
    await items.nth(3).locator('[data-testid=quiz-order-up]').focus();
    await page.keyboard.press('Enter');
    await focusOn('-3-up');
    // So Enter again moves it once more.
    await page.keyboard.press('Enter');
    assert.deepEqual(await arrangement(), ['1', '3', '0', '2']);
    await ordering.locator('[data-testid=quiz-check]').click();
    feedback = ordering.locator('[data-testid=quiz-feedback]');
    assert.equal(await feedback.getAttribute('data-correct'), 'true', await feedback.innerText());
    await screenshot(page, 'lesson-quiz');

    // The challenge: unmet until the learner advances the clock.
    await next.click();
    const challenge = page.locator('[data-testid=challenge]').first();
    await challenge.waitFor();
    await challenge.locator('[data-testid=challenge-hint-button]').click();
    assert.equal(await challenge.locator('[data-testid=challenge-hint]').count(), 1);
    await challenge.locator('[data-testid=challenge-start]').click();
    await challenge.locator('[data-testid=challenge-check]').click();
    const status = challenge.locator('[data-testid=challenge-status]');
    await status.waitFor();
    assert.equal(await status.getAttribute('data-solved'), 'false');
    assert.match(await status.innerText(), /not met: .* goal: at least/);
    const input = page.locator('[data-testid=terminal-input]');
    await input.fill('sim advance 30s');
    await input.press('Enter');
    await challenge.locator('[data-testid=challenge-check]').click();
    await status.filter({ has: page.locator('text=Solved!') }).waitFor();
    assert.equal(await status.getAttribute('data-solved'), 'true', await status.innerText());
    await screenshot(page, 'lesson-challenge');

    // Going back to a step reloads the walkthrough.
    await page.locator('[data-testid=flow-step]').first().click();
    await title.filter({ hasText: 'Everything goes through the API server' }).waitFor();
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
