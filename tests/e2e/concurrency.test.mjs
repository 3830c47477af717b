// The concurrency widgets in a real browser: real futures on one thread, cancel, the stepper's
// prediction and stepping back, and the responsiveness meter comparing the ways to run a job.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site } from './harness.mjs';

async function runLab(page, { tasks, min, max, cpu = '0', mode }) {
  const w = page.locator('[data-widget=event-loop]');
  await w.locator('input[name=tasks]').fill(String(tasks));
  await w.locator('input[name=latency-min]').fill(String(min));
  await w.locator('input[name=latency-max]').fill(String(max));
  await w.locator('input[name=cpu]').fill(cpu);
  await w.locator(`input[name=mode][value=${mode}]`).check();
  await w.getByRole('button', { name: 'Run' }).click();
  await page.waitForSelector('[data-widget=event-loop][data-state=running]');
  await page.waitForSelector('[data-widget=event-loop][data-state=done]', { timeout: 120_000 });
  return JSON.parse(await w.getAttribute('data-result'));
}

/** Runs each `[tasks, min, max]` concurrently, counting the browser timers the page sets, and
 * checks that every task finished, on a handful of timers, none woken before its time. */
async function noneWokenEarly(s, runs) {
  const page = await s.open('/lessons/how-concurrency-works');
  const w = page.locator('[data-widget=event-loop]');
  const waits = w.locator('[data-testid=measured-waits]');
  for (const [tasks, min, max] of runs) {
    await page.evaluate(() => {
      const set = window.setTimeout;
      window.__timeouts = 0;
      window.setTimeout = function (...args) { window.__timeouts++; return set.apply(this, args); };
      window.__restore = () => { window.setTimeout = set; };
    });
    const r = await runLab(page, { tasks, min, max, mode: 'concurrent' });
    const timeouts = await page.evaluate(() => { window.__restore(); return window.__timeouts; });
    assert.equal(r.tasks, tasks);
    assert.ok(timeouts >= 1 && timeouts <= 200, `${timeouts} browser timers for ${tasks} tasks`);
    assert.equal(await waits.getAttribute('data-early'), '0', await waits.innerText());
    assert.ok(Number(await waits.getAttribute('data-shortest-ms')) >= min, await waits.innerText());
    console.log(`  ${tasks} tasks of ${min}-${max} ms: ${timeouts} browser timers; ${await waits.innerText()}; wall ${r.wall_ms} ms`);
  }
  assert.deepEqual(s.errors, []);
  await page.close();
}

describe('concurrency widgets', () => {
  const s = useSite({ isolated: true });

  // 200 tasks of 100 ms: concurrently about one wait, sequentially about all of them.
  it('event loop: concurrent finishes well under sequential', async () => {
    const page = await s.open('/lessons/how-concurrency-works');
    const conc = await runLab(page, { tasks: 200, min: 100, max: 100, mode: 'concurrent' });
    const seq = await runLab(page, { tasks: 200, min: 100, max: 100, mode: 'sequential' });
    assert.deepEqual(Object.keys(conc).sort(), ['cpu_ms_total', 'max_latency_ms', 'mode', 'sum_latency_ms', 'tasks', 'wall_ms']);
    assert.equal(conc.sum_latency_ms, 20_000);
    assert.ok(seq.wall_ms >= 20_000, `sequential ${seq.wall_ms} ms`);
    assert.ok(conc.wall_ms < seq.wall_ms / 10, `concurrent ${conc.wall_ms} ms vs sequential ${seq.wall_ms} ms`);
    console.log(`  200 x 100 ms: concurrent ${conc.wall_ms} ms, sequential ${seq.wall_ms} ms`);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // 10,000 tasks of 100 ms all finish, sleeping on a handful of browser timers (one armed at a
  // time, for the nearest deadline), and no wait, as the page's clock measures it, is shorter
  // than asked: no timer fires early. Nor with waits spread from 20 to 80 ms, due over many
  // milliseconds. (How long a run takes is the bench's to print, not a test's to assert.)
  it('event loop: 10,000 tasks on one timer, none woken early', async () => {
    await noneWokenEarly(s, [[10_000, 100, 100], [2_000, 20, 80]]);
  });

  // Cancel stops a run part-way; an out-of-range setting is refused with its reason.
  it('event loop: cancel and refusals', async () => {
    const page = await s.open('/lessons/how-concurrency-works');
    const w = page.locator('[data-widget=event-loop]');
    await w.locator('input[name=tasks]').fill('100');
    await w.locator('input[name=mode][value=sequential]').check();
    await w.getByRole('button', { name: 'Run' }).click();
    await page.waitForTimeout(400);
    await w.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('[data-widget=event-loop][data-state=idle]');
    const note = await w.locator('.note').innerText();
    const [, done] = note.match(/Cancelled after (\d+) of 100/);
    assert.ok(Number(done) < 100);
    await w.locator('input[name=tasks]').fill('20000');
    await w.getByRole('button', { name: 'Run' }).click();
    assert.equal(await w.locator('.refusal').innerText(), 'Tasks must be from 1 to 10,000 (you asked for 20,000).');
    await page.close();
  });

  // Stepper: a wrong prediction is called wrong; back undoes a step exactly; the output is A D C B.
  it('stepper: predict, step, step back', async () => {
    const page = await s.open('/lessons/how-concurrency-works');
    const w = page.locator('[data-widget=event-loop-stepper]');
    for (const t of ['A', 'B', 'C', 'D']) await w.locator('.chip', { hasText: t }).first().click();
    for (let i = 0; i < 5; i++) await w.getByRole('button', { name: 'Step ▶' }).click();
    const before = [await w.locator('.step-note').innerText(), await w.locator('.loop-grid').innerText()];
    await w.getByRole('button', { name: 'Step ▶' }).click();
    await w.getByRole('button', { name: '◀ Back' }).click();
    assert.deepEqual([await w.locator('.step-note').innerText(), await w.locator('.loop-grid').innerText()], before);
    await w.getByRole('button', { name: 'Run to end' }).click();
    const result = JSON.parse(await w.getAttribute('data-result'));
    assert.deepEqual(result.output, ['A', 'D', 'C', 'B']);
    assert.equal(result.prediction_correct, false);
    assert.match(await w.locator('[data-testid=prediction-verdict]').innerText(), /first difference is line 2/);
    await page.close();
  });

  // Meter: running in one go on the main thread leaves a longer frame gap than the pool does.
  it('meter: main thread freezes, the pool does not', async () => {
    const page = await s.open('/lessons/how-concurrency-works');
    const w = page.locator('[data-widget=responsiveness]');
    const results = {};
    for (const mode of ['main-thread', 'pool']) {
      await w.locator(`button[data-mode=${mode}]`).click();
      await page.waitForSelector('[data-widget=responsiveness][data-state=running]');
      await page.waitForSelector('[data-widget=responsiveness][data-state=done]', { timeout: 60_000 });
      results[mode] = JSON.parse(await w.getAttribute('data-result'));
    }
    assert.ok(results['main-thread'].max_frame_gap_ms > results.pool.max_frame_gap_ms,
      `main ${results['main-thread'].max_frame_gap_ms} ms vs pool ${results.pool.max_frame_gap_ms} ms`);
    assert.equal(await w.locator('table.tries tbody tr').count(), 2);
    await page.close();
  });
});

// The event-loop lab needs no worker, so a page served without COOP/COEP (whose clock is coarser)
// runs it the same way: on a handful of timers, no task woken early.
describe('concurrency widgets without cross-origin isolation', () => {
  const s = useSite({ isolated: false });

  it('event loop: 10,000 tasks on one timer, none woken early', async () => {
    await noneWokenEarly(s, [[10_000, 100, 100]]);
  });
});
