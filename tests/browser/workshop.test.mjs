// Instructor-led workshops (issue #8), in two browsers at once: an instructor creates a
// workshop and opens the dashboard with the secret link; a student joins in a fresh
// browser with the code, steps through a lesson, and the dashboard follows without a
// reload; the time the student spends on the lesson shows on the dashboard (a fake
// clock runs the minute: reported every minute of visible time and when the lesson is
// left); the instructor's "node failure" reaches the student as a banner and, in the
// lesson and the sandbox, as a command in the student's simulation (the node goes
// NotReady); the results download as CSV; the student leaves. Names the server sends
// back are shown as text, never as markup. Everything runs under the server's
// Content-Security-Policy with no console errors.

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

const LESSON = 'meet-the-cluster';
const OTHER_LESSON = 'scheduling';
// Markup-looking, non-ASCII and unique per run (names are unique within a workshop).
const NAME = `Zoë <b>Ng</b> ${process.pid}`;

test('a workshop: create, join, live dashboard, broadcast, results', async () => {
  await withBrowser('workshop-instructor', async ({ page, errors }) => {
    // ---- The instructor creates the workshop.
    await page.goto(`${BASE_URL}/workshops/new`);
    await page.locator('[data-testid=workshop-new]').waitFor();
    await page.locator('#ws-title').fill('Kubernetes basics, browser test');
    await page.locator(`#ws-lesson-${LESSON}`).check();
    await page.locator(`#ws-lesson-${OTHER_LESSON}`).check();
    await page.locator('#ws-preset').selectOption('default');
    await screenshot(page, 'workshop-new');
    await page.locator('[data-testid=ws-create]').click();

    const codeEl = page.locator('[data-testid=join-code]');
    await codeEl.waitFor();
    const code = (await codeEl.innerText()).trim();
    assert.match(code, /^[2-9A-HJKMNP-Z]{6}$/, `join code ${code}`);
    const instructorUrl = await page.locator('[data-testid=instructor-link]').getAttribute('href');
    assert.match(instructorUrl, /\/workshops\/[0-9a-f]{16}\/instructor#secret=[0-9a-f]+$/, instructorUrl);
    assert.equal(await page.locator('[data-testid=instructor-url]').inputValue(), instructorUrl);
    await waitForText(page.locator('.workshop-secret'), 'Keep this link secret');
    await screenshot(page, 'workshop-created');

    // ---- The dashboard, opened with the secret link: live, no students yet.
    await page.goto(instructorUrl);
    await waitForText(page.locator('[data-testid=dashboard-connection]'), 'Live');
    await waitForText(page.locator('[data-testid=dashboard-join-code]'), code);
    await page.locator('[data-testid=no-students]').waitFor();
    // The secret stays in the fragment: the page never put it in a request URL.
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const secret = instructorUrl.split('#secret=')[1];

    // ---- A student joins in a second, fresh browser.
    const student = await launch();
    try {
      const sp = student.page;
      // The student's clock is Playwright's: time flows as usual until a test runs it on
      // (with every timer due on the way), so a minute in the lesson takes no minute.
      await sp.clock.install();
      await sp.goto(`${BASE_URL}/join?code=${code.toLowerCase()}`);
      const codeInput = sp.locator('[data-testid=join-code-input]');
      await codeInput.waitFor();
      assert.equal(await codeInput.inputValue(), code.toLowerCase(), 'the code comes from the link');
      await sp.locator('[data-testid=join-name]').fill(NAME);
      await sp.locator('[data-testid=join-submit]').click();
      await waitForText(sp.locator('[data-testid=joined-as]'), NAME);
      assert.equal(await sp.locator('[data-testid=workshop-lesson]').count(), 2);
      const stored = await sp.evaluate(() => JSON.parse(localStorage.getItem('shipshape.workshop.v1')));
      assert.equal(stored.name, NAME);
      assert.match(stored.token, /^[0-9a-f]+$/);
      assert.deepEqual([...stored.lessons].sort(), [LESSON, OTHER_LESSON].sort());
      assert.equal(await sp.locator('[data-testid=workshop-sandbox]').getAttribute('href'), '/sandbox?scenario=default');
      await screenshot(sp, 'workshop-joined');

      // The dashboard shows the student at once (no reload), name as text.
      const row = page.locator('[data-testid=student-row]');
      await row.first().waitFor({ timeout: 10_000 });
      assert.equal(await row.count(), 1);
      assert.equal(await row.locator('[data-testid=student-name]').innerText(), NAME);
      assert.equal(await page.locator('[data-testid=progress-grid] b').count(), 0, 'no markup from a name');
      const cell = row.locator(`[data-testid=progress-cell][data-lesson=${LESSON}]`);
      await waitForText(cell, /^0\/\d+ steps/);

      // ---- The student opens the lesson and steps through two steps.
      await sp.locator(`[data-testid=workshop-lesson][href="/lessons/${LESSON}"]`).click();
      await sp.locator('[data-testid=lesson-player]').waitFor();
      await waitForText(cell, /^1\/\d+ steps/);
      const next = sp.locator('[data-testid=step-next]');
      await next.click();
      await waitForText(sp.locator('[data-testid=step-title]'), /\S/);
      await next.click();
      // Steps 1, 2 and 3 reached: the dashboard follows, still without a reload.
      const cellText = await waitForText(cell, /^3\/\d+ steps/);
      assert.match(cellText, /0\/\d+ correct/);
      assert.equal(await row.getAttribute('data-stuck'), 'false');
      assert.equal(await sp.locator('[data-testid=workshop-offline]').count(), 0, 'progress reached the server');

      // ---- Time spent: nothing is reported before a minute of visible time…
      const time = cell.locator('[data-testid=progress-time]');
      assert.equal(await time.innerText(), '0 min');
      assert.equal(await cell.getAttribute('data-time-seconds'), '0');
      // …then a report every minute: the lesson's 15 s sampling timer runs four times.
      await sp.clock.runFor(61_000);
      await waitForText(time, /^1 min$/);
      const reported = Number(await cell.getAttribute('data-time-seconds'));
      assert.ok(reported >= 60 && reported < 120, `a minute reported: ${reported} s`);
      assert.match(await cell.getAttribute('aria-label'), /^3 of \d+ steps, 0 of \d+ correct, .*1 min spent$/);
      // Less than a minute more stays with the student until the lesson is left (below).
      await sp.clock.runFor(20_000);
      await screenshot(page, 'workshop-dashboard');

      // ---- A node failure: a banner on the student's lesson, run in its simulation.
      await page.locator('[data-testid=broadcast-node-failure]').click();
      await waitForText(page.locator('[data-testid=dashboard-status]'), 'Sent');
      const banner = sp.locator('[data-testid=workshop-banner]');
      await waitForText(banner, 'a node just died');
      const lessonCommand = await sp.locator('[data-testid=workshop-banner-command]').innerText();
      assert.match(lessonCommand, /^sim node fail worker-\d+$/);
      await waitForText(sp.locator('[data-testid=terminal-output]'), `$ ${lessonCommand}`);
      await screenshot(sp, 'workshop-lesson-banner');

      await sp.locator('[data-testid=workshop-banner-dismiss]').click();
      assert.equal(await banner.count(), 0);

      // ---- On to the sandbox (in the app, no reload): the next failure lands in the
      // sandbox's simulation, not the lesson's, and takes a node down there.
      await sp.locator('nav a[href="/sandbox"]').click();
      const input = sp.locator('[data-testid=terminal-input]');
      await sp.locator('[data-testid=sandbox]').waitFor();
      await input.waitFor();
      // Leaving the lesson flushed the rest of its time (the 20 s and more).
      await page.waitForFunction(
        ([lesson, atLeast]) =>
          Number(document.querySelector(`[data-testid=progress-cell][data-lesson=${lesson}]`)?.dataset.timeSeconds) >= atLeast,
        [LESSON, reported + 20],
      );
      await page.locator('[data-testid=broadcast-node-failure]').click();
      await waitForText(banner, 'a node just died');
      const command = await sp.locator('[data-testid=workshop-banner-command]').innerText();
      const node = command.replace('sim node fail ', '');
      assert.match(node, /^worker-\d+$/);
      const output = sp.locator('[data-testid=terminal-output]');
      await waitForText(output, `$ ${command}`);
      await input.click();
      await input.fill('sim advance 1m');
      await input.press('Enter');
      await waitForText(output, /Advanced 1m/);
      const diagramNode = sp.locator(`[data-testid=diagram-node][data-id="node/${node}"]`);
      await sp.waitForFunction(
        (id) => document.querySelector(`[data-testid=diagram-node][data-id="node/${id}"]`)?.dataset.phase === 'NotReady',
        node,
      );
      assert.equal(await diagramNode.getAttribute('data-phase'), 'NotReady');
      await screenshot(sp, 'workshop-sandbox-banner');
      await sp.locator('[data-testid=workshop-banner-dismiss]').click();
      assert.equal(await banner.count(), 0);

      // ---- The instructor downloads the results as CSV.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-testid=download-csv]').click(),
      ]);
      assert.match(download.suggestedFilename(), /^workshop-[0-9a-f]{16}-results\.csv$/);
      const csvPath = join(ARTIFACTS, 'workshop-results.csv');
      await download.saveAs(csvPath);
      const csv = await readFile(csvPath, 'utf8');
      const lines = csv.trim().split(/\r\n/);
      assert.match(lines[0], /^student_id,student_name,joined_at,lesson,steps_done,steps_total,/);
      assert.equal(lines.length, 3, 'one row per student × lesson');
      assert.ok(lines.some((l) => l.includes(`${LESSON},3,`)), csv);
      // time_seconds is the next-to-last column: the lesson's minute and more.
      const lessonRow = lines.find((l) => l.includes(`,${LESSON},`)).split(',');
      assert.ok(Number(lessonRow.at(-2)) >= reported + 20, csv);
      const otherRow = lines.find((l) => l.includes(`,${OTHER_LESSON},`)).split(',');
      assert.equal(Number(otherRow.at(-2)), 0, 'no time on a lesson not opened');
      assert.equal(await page.locator('[data-testid=sent-broadcasts] li').count(), 2);
      await screenshot(page, 'workshop-dashboard-after');

      assert.ok(
        requests.every((url) => !url.includes(secret)),
        `the secret never goes into a URL: ${requests.filter((u) => u.includes(secret)).join(', ')}`,
      );

      // ---- The student leaves: back to the join form, nothing stored. (A fresh page
      // does not replay old broadcasts.)
      await sp.goto(`${BASE_URL}/join`);
      await sp.locator('[data-testid=workshop-leave]').waitFor();
      await sp.waitForTimeout(500);
      assert.equal(await banner.count(), 0, 'an old broadcast is not news');
      await sp.locator('[data-testid=workshop-leave]').click();
      await sp.locator('[data-testid=join-code-input]').waitFor();
      assert.equal(await sp.evaluate(() => localStorage.getItem('shipshape.workshop.v1')), null);

      assert.deepEqual(student.errors, [], describeErrors(student.errors));
    } catch (error) {
      await screenshot(student.page, 'workshop-student-failure').catch(() => {});
      throw error;
    } finally {
      await student.close();
    }
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});

test('a dashboard link without its secret says so, and sends nothing', async () => {
  await withBrowser('workshop-no-secret', async ({ page, errors }) => {
    const requests = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests.push(r.url());
    });
    await page.goto(`${BASE_URL}/workshops/0123456789abcdef/instructor`);
    await waitForText(page.locator('[data-testid=dashboard-error]'), 'no instructor secret');
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, [], describeErrors(errors));
  });
});
