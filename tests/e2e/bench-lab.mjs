// Benchmark of the lab's kernels in headless Chromium against native: the speedup lab runs each
// kernel at its default size on 1 and 2 threads (times taken on the worker), without and with its
// timeline recorded (in turn), then under the one global lock; the SIMD lab's four ways (scalar ÷
// lanes, scalar ÷ threads × lanes) and the false-sharing lab (packed ÷ padded at two threads) run
// at their defaults. The figures are compared with `cargo bench --bench lab`
// (target/lab-bench-native.json). Prints; asserts nothing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { site } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const nativePath = resolve(here, '../../target/lab-bench-native.json');
let native = [];
try { native = JSON.parse(readFileSync(nativePath, 'utf8')); } catch {
  console.log(`lab: no native figures at ${nativePath}; run \`cargo bench --bench lab\` first for the ratios`);
}
const REPEATS = 6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x) => Number(x).toFixed(1);
const f2 = (x) => Number(x).toFixed(2);

const s = await site({ isolated: true });
const page = await s.open('/lessons/how-parallelism-works');
const cores = await page.evaluate(() => navigator.hardwareConcurrency);
const w = page.locator('[data-widget=speedup]');
if (cores < 2) console.log(`lab: this browser reports ${cores} core: no parallel figures`);

async function runAt(threads) {
  await w.locator('select[name=threads]').selectOption(String(threads));
  await w.getByRole('button', { name: 'Run', exact: true }).click();
  // Polled slowly, not on every frame: the page's thread should stay as idle as it would be.
  await page.waitForFunction(() => document.querySelector('[data-widget=speedup]').dataset.state !== 'running', null, { timeout: 120_000, polling: 250 });
  const r = JSON.parse(await w.getAttribute('data-result'));
  if (!r.results_match) throw new Error(`checksums differ: ${JSON.stringify(r)}`);
  const t = r.timeline;
  // The clock readings' own cost as a share of the workers' time, when recorded.
  if (t?.recording_ms != null && threads > 1) shares.push(t.recording_ms / (t.wall_ms * t.workers.length));
  return r.runs.at(-1).wall_ms;
}
let shares = [];

/** Ticks or unticks one of the speedup lab's checkboxes (`record`, `gil`). */
async function tick(name, on) {
  const box = w.locator(`input[name=${name}]`);
  if ((await box.isChecked()) !== on) await box.setChecked(on);
}

const pct = (a, b) => `${((a / b - 1) * 100).toFixed(1)} %`;
for (const kernel of ['mandelbrot', 'primes', 'blur']) {
  await tick('gil', false);
  await w.locator('select[name=kernel]').selectOption(kernel);
  const size = Number((await w.locator('input[name=size]').inputValue()).replaceAll(',', ''));
  const par = Math.min(2, cores);
  // One untimed round first: the browser recompiles hot wasm functions with its optimizing tier.
  await runAt(1);
  await runAt(par);
  // Without and with the timeline recorded, in turn, so that a slow stretch falls on both alike.
  const t = { one: [], two: [], oneRec: [], twoRec: [] };
  shares = [];
  for (let i = 0; i < REPEATS; i++) {
    for (const rec of i % 2 ? [true, false] : [false, true]) {
      await tick('record', rec);
      t[rec ? 'oneRec' : 'one'].push(await runAt(1));
      t[rec ? 'twoRec' : 'two'].push(await runAt(par));
    }
  }
  const [w1, w2, r1, r2] = [median(t.one), median(t.two), median(t.oneRec), median(t.twoRec)];
  console.log(`lab wasm ${kernel} ${size}: 1 thread ${f1(w1)} ms, ${par} threads ${f1(w2)} ms, speedup ${f2(w1 / w2)}x (target >= 1.8)`);
  console.log(`lab wasm ${kernel} timeline recorded: 1 thread ${f1(r1)} ms (${pct(r1, w1)}), ${par} threads ${f1(r2)} ms (${pct(r2, w2)}), speedup ${f2(r1 / r2)}x recorded vs ${f2(w1 / w2)}x not (${pct(r1 / r2, w1 / w2)}; target within 2 %)`);
  if (shares.length) console.log(`lab wasm ${kernel} timeline recorded: the clock readings themselves cost ${(median(shares) * 100).toFixed(3)} % of the workers' time at ${par} threads (median)`);
  const n = native.find((x) => x.kernel === kernel && x.size === size);
  if (n) {
    const [nSpeed, wSpeed] = [n.t1_ms / n.t2_ms, w1 / w2];
    console.log(`lab native ${kernel} ${size}: 1 thread ${f1(n.t1_ms)} ms, 2 threads ${f1(n.t2_ms)} ms, speedup ${f2(nSpeed)}x`);
    console.log(`lab ${kernel}: wasm speedup / native speedup ${f2(wSpeed / nSpeed)} (target >= 0.95), wasm 1-thread / native 1-thread ${f2(w1 / n.t1_ms)} (target <= 1.25)`);
  }
  // The same kernel on the same threads under the one global lock (a session of its own).
  await tick('record', true);
  await tick('gil', true);
  await runAt(par);
  const gil = { one: [], two: [] };
  for (let i = 0; i < REPEATS; i++) {
    gil.one.push(await runAt(1));
    gil.two.push(await runAt(par));
  }
  const [g1, g2] = [median(gil.one), median(gil.two)];
  console.log(`lab wasm ${kernel} one global lock: 1 thread ${f1(g1)} ms, ${par} threads ${f1(g2)} ms, speedup ${f2(g1 / g2)}x (free, recorded: ${f2(r1 / r2)}x; expected near 1x)`);
}
await tick('gil', false);

// The SIMD lab at its default picture: the median of each way over REPEATS runs (after one untimed).
{
  const sw = page.locator('[data-widget=simd]');
  const runSimd = async () => {
    await sw.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget=simd]').dataset.state !== 'running', null, { timeout: 120_000, polling: 250 });
    const r = JSON.parse(await sw.getAttribute('data-result'));
    if (!r.results_match) throw new Error(`the ways disagree: ${JSON.stringify(r)}`);
    return r;
  };
  await runSimd();
  const runs = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await runSimd());
  const m = (k) => median(runs.map((r) => r[k]));
  const [sc, la, th, tl] = ['scalar_ms', 'lanes_ms', 'threads_ms', 'threads_lanes_ms'].map(m);
  const r = runs[0];
  console.log(`lab wasm simd ${r.width} x ${r.height}, ${r.max_iter} steps: scalar ${f1(sc)} ms, 4 lanes ${f1(la)} ms, ${r.threads} threads ${f1(th)} ms, threads x lanes ${f1(tl)} ms; scalar / lanes ${f2(sc / la)}x, scalar / threads x lanes ${f2(sc / tl)}x`);
  const n = native.find((x) => x.bench === 'simd');
  if (n) {
    console.log(`lab native simd ${n.width}, ${n.max_iter} steps: scalar / lanes ${f2(n.scalar_ms / n.lanes_ms)}x, scalar / 2 threads x lanes ${f2(n.scalar_ms / n.threads_lanes_ms)}x; wasm scalar / native scalar ${f2(sc / n.scalar_ms)}, wasm lanes / native lanes ${f2(la / n.lanes_ms)}`);
  }
}
await page.close();

// The false-sharing lab at two threads (or one), its default increments: medians over REPEATS runs.
{
  const fp = await s.open('/lessons/race-conditions');
  const fw = fp.locator('[data-widget=false-sharing]');
  const threads = Math.min(2, cores);
  await fw.locator('select[name=threads]').selectOption(String(threads));
  const runFs = async () => {
    await fw.getByRole('button', { name: 'Run', exact: true }).click();
    await fp.waitForFunction(() => document.querySelector('[data-widget=false-sharing]').dataset.state !== 'running', null, { timeout: 120_000, polling: 250 });
    const r = JSON.parse(await fw.getAttribute('data-result'));
    if (!r.counts_right) throw new Error(`wrong counts: ${JSON.stringify(r)}`);
    return r;
  };
  await runFs();
  const runs = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await runFs());
  const [p, q] = ['packed_ms', 'padded_ms'].map((k) => median(runs.map((r) => r[k])));
  console.log(`lab wasm false sharing ${threads} threads x ${runs[0].increments}: packed ${f1(p)} ms, padded ${f1(q)} ms, packed / padded ${f2(p / q)}x`);
  const n = native.find((x) => x.bench === 'false-sharing');
  if (n) console.log(`lab native false sharing ${n.threads} threads x ${n.increments}: packed ${f1(n.packed_ms)} ms, padded ${f1(n.padded_ms)} ms, packed / padded ${f2(n.packed_ms / n.padded_ms)}x`);
  await fp.close();
}
await s.close();
