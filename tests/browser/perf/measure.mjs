// Performance figures for issue #7, measured in Debian's headless Chromium against a
// release build (run by `cargo xtask bench`; not a test: nothing here passes or fails
// on time). Prints a Markdown report and writes it to $SHIPSHAPE_REPORT if set.
//
// 1. Bundle: every file in dist/, raw and brotli (quality 11, as the server precompresses).
// 2. Seeking a timeline of over 10,000 events: the sandbox opened from a share link, then
//    the timeline slider moved to seeded-random positions. Each figure is the time from
//    the slider's `input` event to the end of the layout it causes (script, simulation
//    replay from a checkpoint, re-render, style and layout; not paint).
// 3. A 200-pod diagram update: 200 pods on eight nodes, the timeline moved back and
//    forth over a step that removes 50 of them and adds them back; same measure.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { BASE_URL, launch } from '../helpers.mjs';

const DIST = process.env.SHIPSHAPE_DIST ?? 'dist';

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (times) => {
  const s = [...times].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`;

/** base64url without padding, as the sandbox's `j` parameter wants. */
const journalParam = (lines) => Buffer.from(lines.join('\n'), 'utf8').toString('base64url');

async function bundle() {
  const rows = [];
  for (const name of (await readdir(DIST)).sort()) {
    if (!/\.(wasm|js|css|html)$/.test(name)) continue;
    const bytes = await readFile(join(DIST, name));
    const br = brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    });
    rows.push({ name, raw: bytes.length, brotli: br.length });
  }
  return rows;
}

/** Opens the sandbox on `lines` and waits until the whole journal has run. */
async function openSession(page, lines) {
  await page.goto(`${BASE_URL}/sandbox?scenario=default&seed=1&j=${journalParam(lines)}`);
  const want = `${lines.length} / ${lines.length}`;
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid=timeline-position]')?.textContent === w,
    want,
    { timeout: 300_000 },
  );
}

/** Moves the slider to each position in turn; returns the time each move took. */
async function seekTimes(page, positions) {
  return page.evaluate(async (targets) => {
    const slider = document.querySelector('[data-testid=timeline-slider]');
    const times = [];
    for (const p of targets) {
      const t0 = performance.now();
      slider.value = String(p);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      void document.body.offsetHeight; // style and layout, synchronously
      times.push(performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    return times;
  }, positions);
}

/** A long learner session: deployments, scaling, a node failure, hours passing. */
function longSession() {
  const lines = ['kubectl get nodes', 'sim node add worker-4 --cpu 8 --memory 16Gi'];
  for (let round = 0; round < 8; round += 1) {
    lines.push(
      `kubectl create deployment api-${round} --image=nginx --replicas=3`,
      `kubectl scale deployment/api-${round} --replicas=6`,
      'sim advance 5m',
      `kubectl set image deployment/api-${round} nginx=nginx:1.27`,
      `kubectl rollout status deployment/api-${round}`,
      'sim node fail worker-2',
      'sim advance 2m',
      'sim node recover worker-2',
      'sim advance 30m',
      `kubectl delete deployment api-${round}`,
      'sim advance 30m',
    );
  }
  return lines;
}

async function timelineSeeks(page) {
  const lines = longSession();
  const started = Date.now();
  await openSession(page, lines);
  const loadMs = Date.now() - started;
  const events = await page.evaluate(() =>
    Number(document.querySelector('#event-log-heading .count')?.textContent.replace(/\D/g, '') ?? 0),
  );
  // Seeded positions (a small LCG), so every run seeks to the same places.
  let x = 12345;
  const positions = Array.from({ length: 60 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % (lines.length + 1);
  });
  const times = await seekTimes(page, positions);
  return { commands: lines.length, events, loadMs, ...summary(times) };
}

async function diagramUpdates(page) {
  const lines = [];
  for (let i = 4; i <= 8; i += 1) lines.push(`sim node add worker-${i} --cpu 16 --memory 64Gi`);
  lines.push(
    'kubectl create deployment big --image=nginx --replicas=200',
    'sim advance 1m',
    'kubectl scale deployment/big --replicas=150',
    'sim advance 30s',
  );
  await openSession(page, lines);
  const pods = await page.evaluate(
    () => document.querySelectorAll('[data-testid=diagram-pod][data-id^="pod/default/"]').length,
  );
  const before = lines.length - 2; // 200 pods running
  const positions = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? before : lines.length));
  const times = await seekTimes(page, positions);
  const shown = await page.evaluate(
    () => document.querySelectorAll('[data-testid=diagram-pod][data-id^="pod/default/"]').length,
  );
  return { podsAtEnd: pods, podsShown: shown, ...summary(times) };
}

const browser = await launch();
let report;
try {
  await browser.page.setViewportSize({ width: 1400, height: 900 });
  const files = await bundle();
  const seeks = await timelineSeeks(browser.page);
  const diagram = await diagramUpdates(browser.page);
  const app = files.filter((f) => /\.(wasm|js)$/.test(f.name));
  const total = app.reduce((a, f) => ({ raw: a.raw + f.raw, brotli: a.brotli + f.brotli }), { raw: 0, brotli: 0 });
  report = [
    '## Shipshape performance report',
    '',
    `Chromium headless, release build (${DIST}), ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '### Bundle',
    '',
    '| file | raw | brotli (q11) |',
    '| --- | ---: | ---: |',
    ...files.map((f) => `| ${f.name} | ${kb(f.raw)} | ${kb(f.brotli)} |`),
    `| **wasm + JS** | **${kb(total.raw)}** | **${kb(total.brotli)}** (target < 600 KB) |`,
    '',
    '### Seeking the timeline',
    '',
    `${seeks.commands} commands, ${seeks.events} events (opening the link replayed them in ${(seeks.loadMs / 1000).toFixed(1)} s).`,
    `${seeks.n} seeks to seeded-random positions, slider input to layout done:`,
    `p50 ${ms(seeks.p50)}, p95 ${ms(seeks.p95)}, max ${ms(seeks.max)} (target < 50 ms).`,
    '',
    '### 200-pod diagram update',
    '',
    `${diagram.podsAtEnd} pods at the end, 200 one step before; ${diagram.n} moves between the two, each redrawing 50 pods:`,
    `p50 ${ms(diagram.p50)}, p95 ${ms(diagram.p95)}, max ${ms(diagram.max)} per update (target < 16 ms per frame).`,
    '',
  ].join('\n');
} finally {
  await browser.close();
}
console.log(report);
if (process.env.SHIPSHAPE_REPORT) await writeFile(process.env.SHIPSHAPE_REPORT, report);
