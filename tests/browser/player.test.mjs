// The lesson player and sandbox as a learner uses them (issue #7): a whole lesson
// walked through with the keyboard alone, quiz included, and the catalog showing it
// completed; a challenge solved by typing, with a disabled command refused and the
// progress carried to a fresh browser through an exported file; the timeline scrubbed
// back and forth; a share link opened in a fresh browser; the "why" of a scheduling
// decision and the HPA chart.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ARTIFACTS,
  BASE_URL,
  describeErrors,
  launch,
  screenshot,
  waitForText,
  withBrowser,
} from './helpers.mjs';

/** What has the keyboard focus, and whether it is visibly marked. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'BODY', testid: null, id: '', text: '', visible: false };
    const style = getComputedStyle(el);
    const label = el.labels?.[0]?.innerText ?? '';
    return {
      tag: el.tagName,
      testid: el.getAttribute('data-testid'),
      id: el.id,
      type: el.getAttribute('type'),
      checked: el.checked === true,
      text: (label || el.innerText || el.value || '').trim(),
      current: el.getAttribute('aria-current'),
      visible: style.outlineStyle !== 'none' || style.boxShadow !== 'none',
    };
  });
}

/** Presses Tab (or Shift+Tab) until `match(focus)` holds; fails after `max` presses. */
async function tabTo(page, match, { back = false, max = 200, what = 'the target' } = {}) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const focus = await focused(page);
    if (match(focus)) {
      assert.ok(focus.visible, `focus on ${what} is visible (${JSON.stringify(focus)})`);
      return focus;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

/** In a radio group that has the focus, arrows to the choice labelled `label`. */
async function chooseRadio(page, label) {
  for (let i = 0; i < 8; i += 1) {
    const focus = await focused(page);
    if (focus.text === label) {
      if (!focus.checked) await page.keyboard.press('Space');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no radio labelled ${label}`);
}

/** The diagram's pods and nodes, and the event count: what "the same state" means here. */
async function picture(page) {
  return page.evaluate(() => {
    const ids = (sel) =>
      [...document.querySelectorAll(sel)].map((el) => `${el.dataset.id}:${el.dataset.phase ?? ''}`).sort();
    return {
      nodes: ids('[data-testid=diagram-node]'),
      // The learner's pods; kube-system's never change here.
      pods: ids('[data-testid=diagram-pod][data-id^="pod/default/"]'),
      events: document.querySelectorAll('[data-testid=event-row]').length,
      clock: document.querySelector('[data-testid=timeline-clock]')?.textContent ?? '',
    };
  });
}

test('keyboard only: a whole lesson with its quiz, then the catalog shows it completed', async () => {
  await withBrowser('keyboard-lesson', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/lessons/meet-the-cluster`);
    await page.locator('[data-testid=lesson-player]').waitFor({ state: 'visible' });
    await page.locator('[data-testid=diagram]').waitFor({ state: 'visible' });

    // The skip link comes first and jumps to the content.
    const skip = await tabTo(page, (f) => f.text === 'Skip to content', { what: 'the skip link' });
    assert.equal(skip.tag, 'A');
    await page.keyboard.press('Enter');

    // Through every step with Next; the step title changes each time.
    await tabTo(page, (f) => f.testid === 'step-next', { what: 'Next' });
    const title = page.locator('[data-testid=step-title]');
    for (let i = 0; i < 30 && (await page.locator('[data-testid=quiz]').count()) === 0; i += 1) {
      await page.keyboard.press('Enter');
    }
    await page.locator('[data-testid=quiz]').waitFor();
    assert.equal(await title.count(), 0, 'the quiz replaced the step');

    // Back to the top of the quiz: the current stage in the process-flow strip.
    await tabTo(page, (f) => f.testid === 'flow-step' && f.current === 'step', {
      back: true,
      what: 'the current flow step',
    });
    const answers = [
      { kind: 'single', label: '3' },
      { kind: 'single', label: 'control-plane' },
      { kind: 'single', label: 'etcd' },
      { kind: 'ordering' },
      { kind: 'multiple', labels: ['kubelet', 'kube-proxy', 'container runtime'] },
    ];
    const questions = page.locator('[data-testid=quiz] [data-testid=quiz-question]');
    assert.equal(await questions.count(), answers.length);
    for (const [index, answer] of answers.entries()) {
      if (answer.kind === 'single') {
        await tabTo(page, (f) => f.type === 'radio', { what: `question ${index + 1}'s choices` });
        await chooseRadio(page, answer.label);
      } else if (answer.kind === 'multiple') {
        for (let i = 0; i < 10; i += 1) {
          const focus = await tabTo(page, (f) => f.type === 'checkbox' || f.testid === 'quiz-check', {
            what: 'a checkbox',
          });
          if (focus.testid === 'quiz-check') break;
          if (answer.labels.includes(focus.text) !== focus.checked) await page.keyboard.press('Space');
        }
        await page.keyboard.press('Shift+Tab');
      } else {
        // Target order [1, 3, 0, 2]: choice 1 up once, then choice 3 up twice. After each
        // move the list re-renders and the app puts the focus back on the moved item's
        // button: wait for both before the next key, or the key lands on nothing.
        const settled = (order, focusEnd) =>
          page.waitForFunction(
            ([want, end]) => {
              const items = document.querySelectorAll('[data-testid=quiz] [data-testid=quiz-order-item]');
              const now = [...items].map((el) => el.dataset.choice).join(',');
              return now === want && document.activeElement?.id.endsWith(end);
            },
            [order, focusEnd],
          );
        await tabTo(page, (f) => f.id.endsWith('-1-up'), { what: 'choice 1, up' });
        await page.keyboard.press('Enter');
        await settled('1,0,2,3', '-1-down');
        await tabTo(page, (f) => f.id.endsWith('-3-up'), { what: 'choice 3, up' });
        await page.keyboard.press('Enter');
        await settled('1,0,3,2', '-3-up');
        await page.keyboard.press('Enter');
        await settled('1,3,0,2', '-3-up');
      }
      await tabTo(page, (f) => f.testid === 'quiz-check', { what: `question ${index + 1}'s Check` });
      await page.keyboard.press('Enter');
      const feedback = questions.nth(index).locator('[data-testid=quiz-feedback]');
      await feedback.waitFor();
      assert.equal(await feedback.getAttribute('data-correct'), 'true', `question ${index + 1}: ${await feedback.innerText()}`);
    }
    await screenshot(page, 'keyboard-quiz');

    // On to the challenges, the last stage: the lesson counts as completed.
    await tabTo(page, (f) => f.testid === 'step-next', { what: 'Next after the quiz' });
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=challenges]').waitFor();

    await page.goto(`${BASE_URL}/`);
    const bar = page.locator('[data-testid=lesson-progress][data-lesson=meet-the-cluster]');
    await bar.waitFor();
    assert.match(await bar.getAttribute('aria-valuetext'), /quiz 5\/\d+/);
    const card = page.locator('.lesson-card', { has: bar });
    assert.match(await card.locator('[data-testid=lesson-cta]').innerText(), /Completed/);
    await screenshot(page, 'keyboard-catalog');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});

test('a challenge solved by typing, a disabled command refused, progress exported and imported', async () => {
  let exported;
  await withBrowser('challenge-typing', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/lessons/scheduling`);
    await page.locator('[data-testid=lesson-player]').waitFor({ state: 'visible' });
    await page.locator('[data-testid=flow-step]').last().click();
    const card = page.locator('[data-testid=challenge]', { hasText: 'Keep general pods off the GPU node' });
    await card.locator('[data-testid=challenge-start]').click();

    // Live goal status: unmet goals are listed as soon as the challenge starts.
    const status = card.locator('[data-testid=challenge-status]');
    await status.waitFor();
    assert.equal(await status.getAttribute('data-solved'), 'false');
    assert.ok((await card.locator('[data-testid=challenge-goal][data-met=false]').count()) > 0);

    const input = page.locator('[data-testid=terminal-input]');
    const output = page.locator('[data-testid=terminal-output]');
    const type = async (line) => {
      await input.fill(line);
      await input.press('Enter');
    };
    // A disabled command is refused without running.
    await type('kubectl scale deployment batch --replicas=2');
    await waitForText(output, '"kubectl scale" is disabled in this challenge');

    // Tab completion: `kubectl dr` + Tab → `kubectl drain `.
    await input.fill('kubectl dr');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'kubectl drain ');

    for (const line of [
      'kubectl taint nodes gpu-1 dedicated=gpu:NoSchedule',
      'kubectl drain gpu-1 --ignore-daemonsets',
      'kubectl uncordon gpu-1',
      'kubectl apply -f gpu-job.yaml',
      'sim advance 30s',
    ]) {
      await type(line);
    }
    await status.filter({ hasText: 'Solved!' }).waitFor();
    assert.equal(await status.getAttribute('data-solved'), 'true', await status.innerText());
    await screenshot(page, 'challenge-solved');

    // The catalog counts the solved challenge; export the progress as a file.
    await page.goto(`${BASE_URL}/`);
    const bar = page.locator('[data-testid=lesson-progress][data-lesson=scheduling]');
    assert.match(await bar.getAttribute('aria-valuetext'), /challenges 1\/2/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=export-progress]').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'shipshape-progress.json');
    exported = join(ARTIFACTS, 'shipshape-progress.json');
    await download.saveAs(exported);
    assert.deepEqual(errors, [], describeErrors(errors));
  });

  const file = JSON.parse(await readFile(exported, 'utf8'));
  assert.equal(file.format, 'shipshape-progress/v1');
  assert.equal(file.lessons.scheduling.challenges['gpu-only'], true);

  // A fresh browser knows nothing until the file is imported.
  await withBrowser('progress-import', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/`);
    const bar = page.locator('[data-testid=lesson-progress][data-lesson=scheduling]');
    assert.doesNotMatch((await bar.getAttribute('aria-valuetext')) ?? '', /challenges 1\/2/);
    await page.locator('[data-testid=import-progress]').setInputFiles(exported);
    await waitForText(page.locator('[data-testid=import-progress-status]'), /Imported progress: 1 new lesson/);
    assert.match(await bar.getAttribute('aria-valuetext'), /challenges 1\/2/);
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});

test('the sandbox timeline scrubs back and forth, and a share link rebuilds the state elsewhere', async () => {
  let link;
  let atEnd;
  await withBrowser('timeline-share', async ({ page, errors }) => {
    await page.goto(`${BASE_URL}/sandbox?scenario=default&seed=7`);
    const input = page.locator('[data-testid=terminal-input]');
    await input.waitFor({ state: 'visible' });
    for (const line of [
      'kubectl create deployment web --image=nginx:1.27 --replicas=3',
      'sim advance 30s',
      'kubectl scale deployment web --replicas=5',
      'sim node fail worker-2',
      'sim advance 2m',
    ]) {
      await input.fill(line);
      await input.press('Enter');
    }
    await waitForText(page.locator('[data-testid=timeline-position]'), '5 / 5');
    atEnd = await picture(page);
    assert.equal(atEnd.pods.length, 5, JSON.stringify(atEnd));
    await screenshot(page, 'timeline-end');

    // Scrub with the keyboard on the slider: to the start, one step on, then the end.
    const slider = page.locator('[data-testid=timeline-slider]');
    await slider.focus();
    await page.keyboard.press('Home');
    await waitForText(page.locator('[data-testid=timeline-position]'), '0 / 5');
    const atStart = await picture(page);
    assert.equal(atStart.pods.length, 0);
    await page.locator('[data-testid=timeline-past-notice]').waitFor();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await waitForText(page.locator('[data-testid=timeline-position]'), '2 / 5');
    const atTwo = await picture(page);
    assert.equal(atTwo.pods.length, 3);
    await screenshot(page, 'timeline-past');
    await page.locator('[data-testid=timeline-live]').click();
    await waitForText(page.locator('[data-testid=timeline-position]'), '5 / 5');
    assert.deepEqual(await picture(page), atEnd, 'back at the end, the same diagram');
    await page.locator('[data-testid=timeline-back]').click();
    await page.locator('[data-testid=timeline-back]').click();
    await page.locator('[data-testid=timeline-back]').click();
    assert.deepEqual(await picture(page), atTwo, 'at 2 again, the same diagram as before');

    // The event log jumps to the moment an event happened.
    await page.locator('[data-testid=timeline-live]').click();
    const seekButtons = page.locator('[data-testid=event-seek]');
    await seekButtons.first().click();
    await waitForText(page.locator('[data-testid=timeline-position]'), /^[01] \/ 5$/);
    await page.locator('[data-testid=timeline-live]').click();

    // The diagram's text alternative follows the same state.
    await page.locator('[data-testid=diagram-text-toggle]').click();
    await waitForText(page.locator('[data-testid=diagram-text]'), 'worker-2');

    await page.locator('[data-testid=share-button]').click();
    const shown = page.locator('[data-testid=share-link]');
    await shown.waitFor();
    link = await shown.inputValue();
    assert.match(link, /\/sandbox\?scenario=default&seed=7&j=/);
    assert.deepEqual(errors, [], describeErrors(errors));
  });

  // A fresh browser profile: nothing shared but the link.
  const fresh = await launch();
  try {
    await fresh.page.goto(link);
    await waitForText(fresh.page.locator('[data-testid=timeline-position]'), '5 / 5');
    assert.deepEqual(await picture(fresh.page), atEnd, 'the link rebuilt the same state');
    await screenshot(fresh.page, 'share-link-fresh');
    assert.deepEqual(fresh.errors, [], describeErrors(fresh.errors));
  } finally {
    await fresh.close();
  }
});

test('decisions explain themselves, and the HPA is charted', async () => {
  await withBrowser('explain-and-chart', async ({ page, errors }) => {
    // The autoscaling lesson, at the step where a 10x spike left pods Pending.
    await page.goto(`${BASE_URL}/lessons/autoscaling`);
    await page.locator('[data-testid=lesson-player]').waitFor({ state: 'visible' });
    await page.locator('[data-testid=flow-step]').nth(6).click();
    await page.locator('[data-testid=step-title]').waitFor();

    const explained = (kind) =>
      page
        .locator('[data-testid=event-row]', { has: page.locator('[data-testid=event-explain]') })
        .filter({ hasText: kind })
        .last();
    await explained('FailedScheduling').locator('[data-testid=event-explain]').click();
    await waitForText(page.locator('[data-testid=explain-scheduling-table]').last(), 'worker-1');
    await explained('SuccessfulRescale').locator('[data-testid=event-explain]').click();
    await waitForText(page.locator('[data-testid=explain-formula]').last(), 'desiredReplicas');
    await screenshot(page, 'explanations');

    const chart = page.locator('[data-testid=chart][data-kind=hpa]').first();
    await chart.waitFor();
    assert.ok((await chart.locator('path').count()) > 0, 'the chart draws lines');
    assert.ok((await chart.locator('[data-testid=chart-table] tr').count()) > 2, 'with a data table');
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'hpa-chart');
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
