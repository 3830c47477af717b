// The parallelism lab in a real browser: the speedup lab (with its worker timeline and the GIL
// switch), the granularity explorer (with a timeline per task size), the race lab, the
// false-sharing lab, the SIMD lab and the channels pipeline, each run from its lesson; results
// checked, cancel and refusals, accessibility, and the one-thread fallback without cross-origin
// isolation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site, axeViolations, watchFrames } from './harness.mjs';

const LESSON = {
  speedup: '/lessons/how-parallelism-works',
  race: '/lessons/race-conditions',
  channels: '/lessons/message-passing',
  granularity: '/lessons/choosing-the-right-tool',
  falseSharing: '/lessons/race-conditions',
  simd: '/lessons/how-parallelism-works',
};

/** The SIMD lab's checksum of a 240-pixel-wide picture at 300 iterations, as computed natively
 * (crates/core/tests/simd.rs): the browser's lanes must give the very same. */
const SIMD_240_300 = 60_524_528_321;

/** Runs the SIMD lab on a picture `width` wide at `iterations`; returns its state and result. */
async function simd(page, width, iterations) {
  const w = page.locator('[data-widget=simd]');
  await w.locator('input[name=width]').fill(String(width));
  await w.locator('input[name=iterations]').fill(String(iterations));
  return run(page, 'simd');
}

/** The keys a false-sharing and a SIMD result must have. */
const FS_KEYS = ['threads', 'increments', 'packed_ms', 'padded_ms'];
const SIMD_KEYS = ['kernel', 'scalar_ms', 'lanes_ms', 'threads_ms', 'threads_lanes_ms', 'results_match'];

/** Submits a widget's form with its primary button and waits for the run to end. */
async function run(page, name, button = 'Run', { timeout = 120_000 } = {}) {
  const w = page.locator(`[data-widget=${name}]`);
  await w.getByRole('button', { name: button, exact: true }).click();
  await page.waitForFunction((n) => document.querySelector(`[data-widget=${n}]`).dataset.state !== 'running', name, { timeout });
  return { state: await w.getAttribute('data-state'), result: JSON.parse((await w.getAttribute('data-result')) ?? 'null') };
}

/** Runs the speedup lab with these settings; returns its parsed result. */
async function speedup(page, { kernel, size, threads }) {
  const w = page.locator('[data-widget=speedup]');
  await w.locator('select[name=kernel]').selectOption(kernel);
  await w.locator('input[name=size]').fill(String(size));
  await w.locator('select[name=threads]').selectOption(String(threads));
  const { state, result } = await run(page, 'speedup');
  assert.equal(state, 'done', await w.innerText());
  return result;
}

describe('parallelism lab (cross-origin isolated, on the pool)', () => {
  let s;
  let cores;
  before(async () => { s = await site({ isolated: true }); });
  after(async () => { await s.close(); });

  // A sweep of every thread count: one run per count, every answer equals the one-thread answer,
  // a speedup per run, a fitted serial fraction; the Mandelbrot image is drawn; the page keeps drawing.
  it('speedup: sweep, checksums match, chart and image', async () => {
    const page = await s.open(LESSON.speedup);
    cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const w = page.locator('[data-widget=speedup]');
    const options = await w.locator('select[name=threads] option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(options, [...Array.from({ length: cores }, (_, i) => String(i + 1)), ...(cores > 1 ? ['sweep'] : [])]);
    assert.match(await w.locator('.lab-explain').innerText(), /k threads/);
    const frames = await watchFrames(page);
    const r = await speedup(page, { kernel: 'mandelbrot', size: 600, threads: 'sweep' });
    const { max } = await frames.stop();
    assert.deepEqual(Object.keys(r).filter((k) => ['kernel', 'size', 'runs', 'speedup', 'serial_fraction', 'results_match'].includes(k)).sort(),
      ['kernel', 'results_match', 'runs', 'serial_fraction', 'size', 'speedup']);
    assert.equal(r.kernel, 'mandelbrot');
    assert.equal(r.size, 600);
    assert.deepEqual(r.runs.map((x) => x.threads), Array.from({ length: cores }, (_, i) => i + 1));
    assert.ok(r.runs.every((x) => x.wall_ms > 0));
    assert.equal(r.speedup.length, r.runs.length);
    assert.equal(r.speedup[0], 1);
    assert.equal(r.results_match, true);
    if (cores > 1) assert.ok(r.serial_fraction >= 0 && r.serial_fraction <= 1, `serial fraction ${r.serial_fraction}`);
    assert.ok(max < 200, `longest frame gap ${max.toFixed(1)} ms`);
    // The image was drawn: most pixels are painted.
    const painted = await w.locator('canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] === 255) n++;
      return n / (c.width * c.height);
    });
    assert.equal(painted, 1, `painted share ${painted}`);
    assert.equal(await w.locator('svg.lab-chart circle.run').count(), r.runs.length);
    assert.match(await w.locator('[data-testid=serial-fraction]').innerText(), /serial fraction/i);
    console.log(`  mandelbrot 600: ${r.runs.map((x, i) => `${x.threads} thr ${x.wall_ms} ms (${r.speedup[i]}x)`).join(', ')}; s = ${r.serial_fraction}`);

    // The other kernels at the highest thread count: a one-thread reference run comes first.
    for (const [kernel, size] of [['primes', 2_000_000], ['blur', 600]]) {
      const k = await speedup(page, { kernel, size, threads: cores });
      assert.deepEqual(k.runs.map((x) => x.threads), cores > 1 ? [1, cores] : [1]);
      assert.equal(k.results_match, true, kernel);
      console.log(`  ${kernel} ${size}: ${k.runs.map((x, i) => `${x.threads} thr ${x.wall_ms} ms (${k.speedup[i]}x)`).join(', ')}`);
    }
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // The timeline of the last run: a row per worker, every slice exactly once; under the one
  // global lock, the same slices on the same threads, and no two workers ever compute at once.
  it('speedup: timeline of the last run, free and under one global lock', async () => {
    const page = await s.open(LESSON.speedup);
    cores = cores ?? await page.evaluate(() => navigator.hardwareConcurrency);
    const w = page.locator('[data-widget=speedup]');
    const free = await speedup(page, { kernel: 'mandelbrot', size: 600, threads: cores });
    assert.equal(free.lock, 'free');
    const t = free.timeline;
    assert.equal(t.threads, cores);
    assert.equal(t.chunks, 400, 'an image 600 wide has 400 rows, one slice each');
    assert.equal(t.per_bar, 1);
    assert.equal(t.workers.reduce((n, x) => n + x.chunks, 0), 400);
    assert.ok(t.workers.length >= 1 && t.workers.length <= cores, `${t.workers.length} rows`);
    assert.ok(t.workers.every((x) => x.worker !== null && x.busy_ms >= 0 && x.idle_ms >= 0));
    const figure = w.locator('[data-testid=timeline]');
    assert.equal(await figure.locator('svg.wt-chart g.wt-row').count(), t.workers.length);
    assert.ok(await figure.locator('svg.wt-chart path.bar').count() >= t.workers.length);
    assert.match(await figure.locator('[data-testid=timeline-summary]').innerText(), /ran 400 chunks in/);
    assert.equal(await figure.locator('.wt-workers li').count(), t.workers.length);
    console.log(`  free, ${cores} threads: ${free.speedup.at(-1)}x; rows ${t.workers.map((x) => x.chunks).join('/')}, steals ${t.steals}, overlap ${t.overlap_ms} ms`);

    await w.locator('input[name=gil]').check();
    const gil = await speedup(page, { kernel: 'mandelbrot', size: 600, threads: cores });
    assert.equal(gil.lock, 'global');
    assert.deepEqual(gil.runs.map((x) => x.threads), cores > 1 ? [1, cores] : [1], 'a session of its own, with its one-thread run');
    assert.equal(gil.results_match, true);
    assert.equal(gil.checksum, free.checksum);
    const g = gil.timeline;
    assert.equal(g.chunks, 400);
    assert.equal(g.workers.reduce((n, x) => n + x.chunks, 0), 400);
    // The behaviour, not a time: the bars of different workers never overlap (to the clocks' precision).
    assert.ok(g.longest_overlap_ms < 0.05, `longest overlap ${g.longest_overlap_ms} ms`);
    if (g.workers.length > 1) assert.equal(g.took_turns, true);
    assert.match(await w.locator('.outcome').innerText(), cores > 1 ? /under one global lock/ : /One thread/);
    if (g.workers.length > 1) assert.match(await figure.locator('[data-testid=timeline-summary]').innerText(), /they took turns/);
    console.log(`  one global lock, ${cores} threads: ${gil.speedup.at(-1)}x; rows ${g.workers.map((x) => x.chunks).join('/')}, overlap ${g.overlap_ms} ms`);
    if (g.workers.length > 1) {
      const zoom = figure.locator('select[name=timeline-zoom]');
      if (await zoom.count()) {
        await zoom.selectOption({ index: 1 });
        assert.ok(await figure.locator('svg.wt-chart path.bar').count() >= 1);
      }
    }

    // Unrecorded, the run has no timeline, and the figure is gone.
    await w.locator('input[name=record]').uncheck();
    const quiet = await speedup(page, { kernel: 'mandelbrot', size: 600, threads: 1 });
    assert.equal(quiet.timeline, null);
    assert.equal(await w.locator('[data-testid=timeline]').count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // Cancel stops a long run part-way; an out-of-range size and a bad number are refused with reasons.
  it('speedup: cancel and refusals', async () => {
    const page = await s.open(LESSON.speedup);
    const w = page.locator('[data-widget=speedup]');
    await w.locator('select[name=kernel]').selectOption('mandelbrot');
    await w.locator('input[name=size]').fill('1800');
    await w.locator('select[name=threads]').selectOption('1');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForSelector('[data-widget=speedup][data-state=running]');
    await page.waitForTimeout(300);
    await w.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('[data-widget=speedup][data-state=idle]', { timeout: 10_000 });
    const [, pct] = (await w.locator('.note').innerText()).match(/Cancelled: the run at 1 thread stopped at (\d+)%/);
    assert.ok(Number(pct) < 100, `stopped at ${pct}%`);

    await w.locator('input[name=size]').fill('5000');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /between 60 and 1,800 pixels wide \(you asked for 5,000\)/);
    await w.locator('select[name=kernel]').selectOption('primes');
    await w.locator('input[name=size]').fill('lots');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /not a whole number/);
    assert.equal(await w.getAttribute('data-state'), 'idle');
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // The sweep measures every task size, sequential and parallel; overhead and verdict are shown.
  it('granularity: sweep of task sizes, verdict, refusal', async () => {
    const page = await s.open(LESSON.granularity);
    const w = page.locator('[data-widget=granularity]');
    await w.locator('input[name=items]').fill('262144');
    await w.locator('input[name=spins]').fill('8');
    const { state, result: r } = await run(page, 'granularity', 'Run the sweep');
    assert.equal(state, 'done');
    assert.equal(r.total_work, 262_144 * 8);
    assert.ok(r.points.length >= 5, `${r.points.length} points`);
    assert.equal(r.points[0].task_size, 1);
    for (const p of r.points) {
      for (const k of ['task_size', 'seq_ms', 'par_ms']) assert.equal(typeof p[k], 'number', k);
      assert.ok(p.seq_ms > 0 && p.par_ms > 0, JSON.stringify(p));
    }
    assert.ok(r.points.every((p, i) => i === 0 || p.task_size > r.points[i - 1].task_size));
    assert.match(await w.locator('.lab-verdict').innerText(), /profile first/i);
    assert.match(await w.locator('[data-testid=overhead]').innerText(), /overhead/i);
    assert.equal(await w.locator('table tbody tr').count(), r.points.length);
    console.log(`  granularity: ${r.points.map((p) => `${p.task_size}: ${p.seq_ms}/${p.par_ms}`).join(', ')}; overhead ${r.overhead_us_per_task} µs/task`);
    // A timeline per task size, from one more run: every task exactly once, in bounded records.
    assert.deepEqual(r.timelines.map((t) => t.task_size), r.points.map((p) => p.task_size));
    for (const [i, t] of r.timelines.entries()) {
      assert.equal(t.chunks, r.points[i].tasks, `size ${t.task_size}`);
      assert.equal(t.workers.reduce((n, x) => n + x.chunks, 0), t.chunks);
      assert.ok(t.workers.length >= 1 && t.workers.length <= r.threads);
      assert.ok(t.per_bar >= 1);
    }
    assert.ok(r.timelines[0].per_bar > 1, 'a quarter of a million tasks are recorded as merged bars');
    const figure = w.locator('[data-testid=timeline]');
    assert.equal(await figure.locator('svg.wt-chart g.wt-row').count(), r.timelines[0].workers.length);
    assert.match(await figure.locator('[data-testid=timeline-summary]').innerText(), /each bar stands for up to/);
    await w.locator('select[name=timeline-size]').selectOption(String(r.points.at(-1).task_size));
    assert.match(await figure.locator('.wt-title').innerText(), new RegExp(r.points.at(-1).task_size.toLocaleString('en-US')));
    console.log(`  granularity timelines: ${r.timelines.map((t) => `${t.task_size}: ${t.workers.length} rows, ${t.steals} steals`).join('; ')}`);
    assert.deepEqual(await axeViolations(page), []);

    await w.locator('input[name=spins]').fill('0');
    await w.getByRole('button', { name: 'Run the sweep' }).click();
    assert.match(await w.locator('.refusal').innerText(), /Hash steps per item must be from 1 to 10,000 \(you asked for 0\)/);
    await w.locator('input[name=spins]').fill('10000');
    await w.locator('input[name=items]').fill('4194304');
    await w.getByRole('button', { name: 'Run the sweep' }).click();
    assert.match(await w.locator('.refusal').innerText(), /at most 33,554,432/);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // Safe ways never lose an update on every worker; the racy way never counts more than it
  // should; each try lands in the table; one thread is explained; too many increments refused.
  it('race: safe ways exact, racy at most expected, tries table', async () => {
    const page = await s.open(LESSON.race);
    const w = page.locator('[data-widget=race]');
    assert.equal(await w.locator('select[name=threads]').inputValue(), String(cores));
    await w.locator('input[name=increments]').fill('1000000');
    for (const strategy of ['atomic', 'mutex', 'local_then_combine', 'messages']) {
      await w.locator('select[name=strategy]').selectOption(strategy);
      const { state, result: r } = await run(page, 'race');
      assert.equal(state, 'done');
      assert.deepEqual(Object.keys(r).sort(), ['actual', 'expected', 'increments_per_thread', 'lost', 'strategy', 'threads', 'wall_ms']);
      assert.equal(r.strategy, strategy);
      assert.equal(r.threads, cores);
      assert.equal(r.expected, cores * 1_000_000);
      assert.equal(r.actual, r.expected, strategy);
      assert.equal(r.lost, 0, strategy);
    }
    await w.locator('select[name=strategy]').selectOption('racy');
    const lost = [];
    for (let i = 0; i < 3; i++) {
      const { result: r } = await run(page, 'race');
      assert.equal(r.strategy, 'racy');
      assert.ok(r.actual <= r.expected, JSON.stringify(r));
      assert.equal(r.lost, r.expected - r.actual);
      lost.push(r.lost);
    }
    console.log(`  racy, ${cores} threads x 1,000,000: lost ${lost.join(', ')}`);
    assert.equal(await w.locator('table tbody tr').count(), 7);
    await w.locator('select[name=threads]').selectOption('1');
    assert.match(await w.innerText(), /With one thread, even the racy counter is exact/);
    const { result: one } = await run(page, 'race');
    assert.equal(one.lost, 0);
    assert.deepEqual(await axeViolations(page), []);

    await w.locator('input[name=increments]').fill('6000000');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /from 1 to 5,000,000 \(you asked for 6,000,000\)/);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // Each thread increments its own counter, packed in one line and padded apart: every counter of
  // both layouts reads exactly the increments, the ratio is shown; one thread is explained; refusals.
  it('false sharing: both layouts count right, the ratio, one thread, refusals', async () => {
    const page = await s.open(LESSON.falseSharing);
    const workers = await page.evaluate(() => navigator.hardwareConcurrency);
    const w = page.locator('[data-widget=false-sharing]');
    assert.equal(await w.locator('select[name=threads]').inputValue(), String(workers));
    await w.locator('input[name=increments]').fill('500,000');
    const { state, result: r } = await run(page, 'false-sharing');
    assert.equal(state, 'done', await w.innerText());
    for (const k of FS_KEYS) assert.ok(k in r, k);
    assert.equal(r.threads, workers);
    assert.equal(r.increments, 500_000);
    assert.deepEqual(r.packed_counts, Array(workers).fill(500_000));
    assert.deepEqual(r.padded_counts, Array(workers).fill(500_000));
    assert.equal(r.counts_right, true);
    assert.equal(r.mode, 'pool');
    assert.ok(r.packed_ms > 0 && r.padded_ms > 0, JSON.stringify(r));
    assert.match(await w.locator('[data-testid=fs-ratio]').innerText(), /Packed ÷ padded: \d+\.\d\d×/);
    assert.match(await w.locator('.lab-verdict').innerText(), workers > 1 ? /in both layouts: the same work/ : /nothing to see/);
    console.log(`  false sharing, ${workers} threads x 500,000: packed ${r.packed_ms} ms, padded ${r.padded_ms} ms (${r.ratio}x)`);
    assert.deepEqual(await axeViolations(page), []);

    await w.locator('select[name=threads]').selectOption('1');
    assert.match(await w.innerText(), /With one thread there is nothing to see/);
    const { result: one } = await run(page, 'false-sharing');
    assert.equal(one.threads, 1);
    assert.deepEqual([one.packed_counts, one.padded_counts], [[500_000], [500_000]]);
    assert.match(await w.locator('.lab-verdict').innerText(), /nothing to see/);

    await w.locator('input[name=increments]').fill('999');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /from 1,000 to 20,000,000 \(you asked for 999\)/);
    assert.equal(await w.getAttribute('data-state'), 'done');
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // One picture four ways: the same checksum every way (and the native one), four bars; refusals.
  it('simd: four ways agree with each other and with native, chart, refusals', async () => {
    const page = await s.open(LESSON.simd);
    const workers = await page.evaluate(() => navigator.hardwareConcurrency);
    const w = page.locator('[data-widget=simd]');
    const { state, result: r } = await simd(page, 240, 300);
    assert.equal(state, 'done', await w.innerText());
    for (const k of SIMD_KEYS) assert.ok(k in r, k);
    assert.equal(r.kernel, 'mandelbrot');
    assert.equal(r.results_match, true);
    assert.equal(r.checksum, SIMD_240_300);
    assert.equal(r.threads, workers);
    for (const k of ['scalar_ms', 'lanes_ms', 'threads_ms', 'threads_lanes_ms']) assert.equal(typeof r[k], 'number', k);
    assert.equal(await w.locator('svg.simd-chart rect.bar').count(), 4);
    assert.match(await w.locator('[data-testid=simd-match]').innerText(), /same picture/);
    const { result: big } = await simd(page, 960, 400);
    assert.equal(big.results_match, true);
    console.log(`  simd 960 x 640, 400 steps: scalar ${big.scalar_ms} ms, lanes ${big.lanes_ms} ms, ${workers} threads ${big.threads_ms} ms, threads x lanes ${big.threads_lanes_ms} ms`);
    assert.deepEqual(await axeViolations(page), []);

    const wide = await w.locator('input[name=width]');
    await wide.fill('5000');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /from 64 to 2,400 \(you asked for 5,000\)/);
    await wide.fill('960');
    await w.locator('input[name=iterations]').fill('lots');
    await w.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await w.locator('.refusal').innerText(), /not a whole number/);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // A slow consumer behind a small queue: the queues fill, the producer waits, every item arrives
  // once; no bound lets the queue grow instead; the actor keeps the balance exact.
  it('channels: backpressure, exactly once, bank actor', async () => {
    const page = await s.open(LESSON.channels);
    const w = page.locator('[data-widget=channels]');
    await w.locator('input[name=items]').fill('1500');
    await w.locator('input[name=producer-us]').fill('20');
    await w.locator('input[name=worker-us]').fill('50');
    await w.locator('input[name=consumer-us]').fill('400');
    await w.locator('input[name=capacity]').fill('6');
    await w.locator('select[name=workers]').selectOption('2');
    await w.getByRole('button', { name: 'Run the pipeline' }).click();
    await page.waitForSelector('[data-testid=pipeline-live]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-widget=channels]').dataset.state !== 'running', null, { timeout: 60_000 });
    let r = JSON.parse(await w.getAttribute('data-result')).pipeline;
    assert.equal(await w.getAttribute('data-state'), 'done');
    assert.equal(r.exactly_once, true);
    assert.equal(r.items, 1500);
    assert.equal(r.workers, 2);
    assert.equal(r.max_depths[0], 6, `max depths ${r.max_depths}`);
    assert.ok(r.max_depths[1] >= 5, `max depths ${r.max_depths}`);
    assert.ok(r.waiting_ms[0] > r.wall_ms * 0.3, `producer waited ${r.waiting_ms[0]} of ${r.wall_ms} ms`);
    assert.ok(r.throughput_per_s > 0);
    assert.match(await w.locator('.outcome').innerText(), /backpressure/);
    console.log(`  pipeline bounded: ${r.wall_ms} ms, ${r.throughput_per_s}/s, waiting ${r.waiting_ms.join('/')} ms, max depths ${r.max_depths}`);

    await w.locator('input[name=unbounded]').check();
    await w.getByRole('button', { name: 'Run the pipeline' }).click();
    await page.waitForFunction(() => document.querySelector('[data-widget=channels]').dataset.state !== 'running', null, { timeout: 60_000 });
    r = JSON.parse(await w.getAttribute('data-result')).pipeline;
    assert.equal(r.exactly_once, true);
    assert.ok(Math.max(...r.max_depths) > 100, `unbounded queues reached ${r.max_depths}`);
    assert.match(await w.locator('.outcome').innerText(), /the queues grew instead/);
    console.log(`  pipeline unbounded: ${r.wall_ms} ms, max depths ${r.max_depths}`);
    assert.deepEqual(await axeViolations(page), []);

    for (const way of ['racy', 'actor']) {
      await w.locator('select[name=banking]').selectOption(way);
      await w.locator('input[name=ops]').fill('1000000');
      await w.getByRole('button', { name: 'Run the bank' }).click();
      await page.waitForFunction(() => document.querySelector('[data-widget=channels]').dataset.state !== 'running', null, { timeout: 60_000 });
      const b = JSON.parse(await w.getAttribute('data-result')).bank;
      assert.equal(b.banking, way);
      if (way === 'actor') assert.equal(b.actual_cents, b.expected_cents);
      console.log(`  bank ${way}: expected ${b.expected_cents}, actual ${b.actual_cents}, lost ${b.lost_cents} cents`);
    }

    await w.locator('select[name=clients]').selectOption('8');
    await w.locator('input[name=ops]').fill('1000000');
    await w.getByRole('button', { name: 'Run the bank' }).click();
    assert.match(await w.locator('.bank .refusal').innerText(), /at most 2,000,000 \(you asked for 8,000,000\)/);

    await w.locator('input[name=unbounded]').uncheck();
    await w.locator('input[name=capacity]').fill('0');
    await w.getByRole('button', { name: 'Run the pipeline' }).click();
    assert.match(await w.locator('.refusal').first().innerText(), /Capacity must be from 1 to 10,000/);
    await w.locator('input[name=capacity]').fill('8');
    await w.locator('input[name=items]').fill('20000');
    await w.locator('input[name=consumer-us]').fill('5000');
    await w.getByRole('button', { name: 'Run the pipeline' }).click();
    assert.match(await w.locator('.refusal').first().innerText(), /would take about/);
    assert.deepEqual(s.errors, []);
    await page.close();
  });
});

describe('parallelism lab without cross-origin isolation (one thread)', () => {
  const s = useSite({ isolated: false });

  // Without a pool: the page says only one thread is available, runs sliced, stays right.
  it('speedup, race and channels run on the one thread and say so', async () => {
    const page = await s.open(LESSON.speedup);
    const w = page.locator('[data-widget=speedup]');
    assert.match(await w.locator('[data-testid=lab-pool]').innerText(), /Only one thread is available here/);
    assert.deepEqual(await w.locator('select[name=threads] option').evaluateAll((os) => os.map((o) => o.value)), ['1']);
    const frames = await watchFrames(page);
    const r = await speedup(page, { kernel: 'mandelbrot', size: 300, threads: 1 });
    const { max } = await frames.stop();
    assert.equal(r.mode, 'main-thread');
    assert.deepEqual(r.runs.map((x) => x.threads), [1]);
    assert.equal(r.results_match, true);
    assert.equal(r.serial_fraction, null);
    assert.ok(max < 200, `longest frame gap ${max.toFixed(1)} ms`);
    // One row, the page's own thread, with every slice exactly once.
    assert.equal(r.timeline.chunks, 200);
    assert.deepEqual(r.timeline.workers.map((x) => [x.worker, x.chunks]), [[null, 200]]);
    assert.equal(await w.locator('[data-testid=timeline] svg.wt-chart g.wt-row').count(), 1);
    // The lock on one thread changes nothing: the same answer, still one row, nothing to overlap.
    await w.locator('input[name=gil]').check();
    const g = await speedup(page, { kernel: 'mandelbrot', size: 300, threads: 1 });
    assert.equal(g.lock, 'global');
    assert.equal(g.checksum, r.checksum);
    assert.deepEqual(g.timeline.workers.map((x) => [x.worker, x.chunks]), [[null, 200]]);
    assert.equal(g.timeline.longest_overlap_ms, 0);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();

    const race = await s.open(LESSON.race);
    const rw = race.locator('[data-widget=race]');
    await rw.locator('select[name=strategy]').selectOption('racy');
    const { result: rr } = await run(race, 'race');
    assert.equal(rr.threads, 1);
    assert.equal(rr.lost, 0);
    await race.close();

    const ch = await s.open(LESSON.channels);
    const cw = ch.locator('[data-widget=channels]');
    await cw.locator('input[name=items]').fill('300');
    await cw.getByRole('button', { name: 'Run the pipeline' }).click();
    await ch.waitForFunction(() => document.querySelector('[data-widget=channels]').dataset.state !== 'running', null, { timeout: 60_000 });
    const p = JSON.parse(await cw.getAttribute('data-result')).pipeline;
    assert.equal(p.mode, 'one-thread');
    assert.equal(p.exactly_once, true);
    await cw.getByRole('button', { name: 'Run the bank' }).click();
    assert.match(await cw.locator('.bank .refusal').innerText(), /cannot run here/);
    assert.deepEqual(s.errors, []);
    await ch.close();
  });

  // Without a pool: false sharing runs one counter per layout and says there is nothing to see;
  // the SIMD lab runs scalar and lanes only, still the native checksum.
  it('false sharing and simd run on the one thread and say why', async () => {
    const page = await s.open(LESSON.falseSharing);
    const w = page.locator('[data-widget=false-sharing]');
    assert.match(await w.locator('[data-testid=lab-pool]').innerText(), /Only one thread is available here.*nothing to see/s);
    assert.deepEqual(await w.locator('select[name=threads] option').evaluateAll((os) => os.map((o) => o.value)), ['1']);
    await w.locator('input[name=increments]').fill('300000');
    const { state, result: r } = await run(page, 'false-sharing');
    assert.equal(state, 'done', await w.innerText());
    for (const k of FS_KEYS) assert.ok(k in r, k);
    assert.equal(r.mode, 'one-thread');
    assert.equal(r.threads, 1);
    assert.deepEqual([r.packed_counts, r.padded_counts], [[300_000], [300_000]]);
    assert.equal(r.counts_right, true);
    assert.match(await w.locator('.lab-verdict').innerText(), /nothing to see/);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();

    const sp = await s.open(LESSON.simd);
    const sw = sp.locator('[data-widget=simd]');
    assert.match(await sw.locator('[data-testid=lab-pool]').innerText(), /only the two one-thread ways can run here/);
    const { state: st, result: sr } = await simd(sp, 240, 300);
    assert.equal(st, 'done', await sw.innerText());
    for (const k of SIMD_KEYS) assert.ok(k in sr, k);
    assert.equal(sr.mode, 'one-thread');
    assert.equal(sr.results_match, true);
    assert.equal(sr.checksum, SIMD_240_300);
    assert.equal(sr.threads_ms, null);
    assert.equal(sr.threads_lanes_ms, null);
    assert.ok(sr.scalar_ms > 0 && sr.lanes_ms > 0, JSON.stringify(sr));
    assert.equal(await sw.locator('svg.simd-chart rect.bar').count(), 2);
    assert.match(await sw.locator('.lab-verdict').innerText(), /need worker threads/);
    assert.deepEqual(s.errors, []);
    await sp.close();
  });
});
