// Benchmarks in headless Chromium: prints figures (ratios where the machine is noisy); asserts nothing.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { site } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const s = await site({ isolated: true });
const fmt = (x) => Number(x).toFixed(1);

// 1. Event loop: 10,000 concurrent tasks of 100 ms in the lab, and the same 10,000 timers in
//    plain JavaScript on the same page (`setTimeout` promises and `Promise.all`), taking turns:
//    one round to warm up (the engine compiles its hot code), then five; medians compared. With
//    BEFORE_DIST, an older build's lab takes its turn too.
{
  const TASKS = 10_000;
  const labs = [['ours', await s.open('/lessons/how-concurrency-works')]];
  let before;
  if (process.env.BEFORE_DIST) {
    before = await site({ isolated: true, root: resolve(process.env.BEFORE_DIST) });
    labs.push(['before', await before.open('/lessons/how-concurrency-works')]);
  }
  async function lab(page) {
    const w = page.locator('[data-widget=event-loop]');
    await w.locator('input[name=tasks]').fill(String(TASKS));
    await w.locator('input[name=latency-min]').fill('100');
    await w.locator('input[name=latency-max]').fill('100');
    await w.locator('input[name=mode][value=concurrent]').check();
    const last = await w.getAttribute('data-result');
    await w.getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction((last) => {
      const el = document.querySelector('[data-widget=event-loop]');
      return el.dataset.state === 'done' && el.dataset.result !== last;
    }, last, { timeout: 120_000 });
    return JSON.parse(await w.getAttribute('data-result')).wall_ms;
  }
  const plainJs = (page) => page.evaluate(async (n) => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((ok) => setTimeout(ok, 100))));
    return performance.now() - t0;
  }, TASKS);
  const times = { js: [] };
  for (const [name] of labs) times[name] = [];
  for (let round = -1; round < 5; round++) {
    for (const [name, page] of labs) {
      const ms = await lab(page);
      if (round >= 0) times[name].push(ms);
    }
    const ms = await plainJs(labs[0][1]);
    if (round >= 0) times.js.push(ms);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const x = (ms) => `${(ms / 100).toFixed(2)} x 100 ms`;
  for (const [name, label] of [['ours', 'lab (this build)'], ['before', 'lab (BEFORE_DIST)'], ['js', 'plain JavaScript']]) {
    if (times[name]) console.log(`event loop: ${TASKS} concurrent tasks of 100 ms, ${label}: ${times[name].map(fmt).join(', ')} ms; median ${x(median(times[name]))}`);
  }
  const ours = median(times.ours), js = median(times.js);
  console.log(`event loop: ours ${x(ours)} vs plain JavaScript ${x(js)}: ratio ${(ours / js).toFixed(2)} (target: ours <= 1.20 x 100 ms, and below plain JavaScript)`);
  if (times.before) console.log(`event loop: before ${x(median(times.before))}, now ${x(ours)}: ${(median(times.before) / ours).toFixed(2)} times faster`);
  for (const [, page] of labs) await page.close();
  if (before) await before.close();
}

// 2. Responsiveness meter: longest frame gap, pool vs main thread in one go (same job).
{
  const page = await s.open('/lessons/how-concurrency-works');
  const w = page.locator('[data-widget=responsiveness]');
  const out = {};
  for (const mode of ['main-thread', 'sliced', 'pool']) {
    await w.locator(`button[data-mode=${mode}]`).click();
    await page.waitForSelector('[data-widget=responsiveness][data-state=running]');
    await page.waitForSelector('[data-widget=responsiveness][data-state=done]', { timeout: 60_000 });
    out[mode] = JSON.parse(await w.getAttribute('data-result'));
  }
  for (const [mode, r] of Object.entries(out)) {
    console.log(`meter ${mode}: wall ${fmt(r.wall_ms)} ms, longest frame gap ${fmt(r.max_frame_gap_ms)} ms, long tasks ${r.long_tasks}`);
  }
  console.log(`meter: pool gap ${fmt(out.pool.max_frame_gap_ms)} ms (target < 50) vs main-thread gap ${fmt(out['main-thread'].max_frame_gap_ms)} ms for a ${fmt(out['main-thread'].wall_ms)} ms job`);
  await page.close();
}

// 3. Explorer: the native benchmark's two programs (crates/core/benches/programs/), typed into
// the widget and explored on the pool, to the exact report; medians of five runs, of the
// exploration as timed on the worker (`explore_ms`: under `tso` the widget explores the program
// again under `sc`, which this leaves out) and from the click to the report on the page. Beside
// them, the native figures of `cargo bench --bench explorer` (target/explorer-bench-native.json),
// and the ratios (target: within 1.5x).
const programs = resolve(here, '../../crates/core/benches/programs');
let nativeExplorer = [];
try {
  nativeExplorer = JSON.parse(readFileSync(resolve(here, '../../target/explorer-bench-native.json'), 'utf8'));
} catch {
  console.log('explorer: no native figures (run `cargo bench -p interleave-core --bench explorer` first)');
}
async function explore(program) {
  const page = await s.open('/lessons/race-conditions');
  const w = page.locator('[data-widget=explorer]');
  await w.locator('textarea').fill(program);
  await w.getByRole('tab', { name: 'Explore all' }).click();
  const times = [], engine = [];
  let r;
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => { window.__t0 = performance.now(); [...document.querySelectorAll('[data-widget=explorer] button')].find((b) => b.textContent === 'Explore every interleaving').click(); });
    await page.waitForFunction(() => document.querySelector('[data-widget=explorer]').dataset.state === 'done' && document.querySelector('[data-widget=explorer]').dataset.result);
    times.push(await page.evaluate(() => performance.now() - window.__t0));
    r = JSON.parse(await w.getAttribute('data-result'));
    engine.push(r.explore_ms);
    await w.locator('textarea').press('End'); // keep the program; the next click explores again
  }
  await page.close();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = median(times), engineMs = median(engine);
  return { r, ms, engineMs, best: Math.min(...engine), perSecond: Math.round(r.states / (engineMs / 1000)) };
}
for (const [name, file, target] of [['4x4', 'increments-4x4.txt', ' (target < 1000 ms)'], ['tso 3x3', 'store-buffering-ring.txt', '']]) {
  const { r, ms, engineMs, best, perSecond } = await explore(readFileSync(resolve(programs, file), 'utf8'));
  console.log(`explorer browser (pool) ${name}: ${r.schedules} schedules, ${r.outcomes.length} outcomes, ${r.states} states; exploring: median ${fmt(engineMs)} ms, best ${fmt(best)} ms, ${perSecond} states/s; click to report: median ${fmt(ms)} ms${target}`);
  const n = nativeExplorer.find((x) => x.program === name);
  if (n) {
    if (n.states !== r.states) console.log(`explorer ${name}: the browser counted ${r.states} states, native ${n.states}`);
    console.log(`explorer ${name}: browser ÷ native, both parallel on ${n.workers} workers: ${(engineMs / n.parallel_ms).toFixed(2)}x by medians, ${(best / n.parallel_best_ms).toFixed(2)}x by best runs (target <= 1.5); browser ÷ native sequential ${(engineMs / n.sequential_ms).toFixed(2)}x`);
  }
}

await s.close();
