// The interleaving explorer in a real browser: exact counts equal the native engine's, a
// shortest schedule replays, challenges are solved and remembered, parse errors show their line;
// a program at the thread cap explores while the page keeps drawing, one past it is refused at
// its line, thousands of outcomes are listed a page at a time, and a report of 17-digit counts
// stays legible on a phone; under `tso`, store buffers are drawn and flushed by hand, a challenge
// is solved with them, outcomes only store buffers allow are marked, a challenge is proved by
// exploring, and a lost notification is told.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useSite, site, axeViolations, ready, watchFrames } from './harness.mjs';

/** A program of `n` threads, each one `x = x + 1` on three lines of its own. */
const increments = (n) =>
  'shared x = 0\n' + Array.from({ length: n }, (_, i) => `thread T${i} {\n  x = x + 1\n}\n`).join('');

/** Presses "Explore every interleaving" and waits until the run ends; returns the longest frame gap. */
async function exploreWatched(w, page) {
  const frames = await watchFrames(page);
  await w.getByRole('button', { name: 'Explore every interleaving' }).click();
  const ended = () => ['done', 'error'].includes(document.querySelector('[data-widget=explorer]').dataset.state);
  await page.waitForFunction(ended, null, { timeout: 120_000 });
  // A few frames after the end, so the report's own render is measured too.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return frames.stop();
}

/** The race-conditions lesson with nothing saved, its explorer's challenge list open. */
async function freshChallenges(s) {
  const page = await s.open('/lessons/race-conditions');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await ready(page);
  const w = page.locator('[data-widget=explorer]');
  await w.locator('.challenges summary').click();
  return { page, w };
}

/** Reloads the page and checks that `n` challenges are still counted as solved; closes it. */
async function assertSolvedAfterReload(page, n) {
  await page.reload();
  await ready(page);
  const summary = await page.locator('[data-widget=explorer] .challenges summary').innerText();
  assert.match(summary, new RegExp(`${n} of 20 solved`));
  await page.close();
}

async function exploreProgram(w, page, id) {
  await w.locator('#explorer-program').selectOption(id);
  await w.getByRole('tab', { name: 'Explore all' }).click();
  await w.getByRole('button', { name: 'Explore every interleaving' }).click();
  await page.waitForFunction(() => document.querySelector('[data-widget=explorer]').dataset.state === 'done');
  return JSON.parse(await w.getAttribute('data-result'));
}

describe('interleaving explorer', () => {
  const s = useSite({ isolated: true });

  // The counts match the spec's worked examples and the native tests.
  it('counts schedules exactly, as the native engine does', async () => {
    const page = await s.open('/lessons/race-conditions');
    const w = page.locator('[data-widget=explorer]');
    let r = await exploreProgram(w, page, 'lost-update');
    assert.deepEqual([r.schedules, r.complete, r.bad], [6, 6, 4]);
    assert.deepEqual(r.outcomes.map((o) => [o.values.x, o.schedules]), [[1, 4], [2, 2]]);
    r = await exploreProgram(w, page, 'lost-update-lock');
    assert.deepEqual([r.schedules, r.bad], [2, 0]);
    r = await exploreProgram(w, page, 'check-then-act');
    assert.deepEqual([r.schedules, r.bad], [20, 6]);
    r = await exploreProgram(w, page, 'two-locks');
    assert.deepEqual([r.schedules, r.deadlock, r.complete], [6, 2, 4]);
    r = await exploreProgram(w, page, 'peterson');
    assert.equal(r.unbounded, true);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // "Show me one" loads a shortest schedule to a deadlock into the scheduler.
  it('replays a shortest schedule to a deadlock', async () => {
    const page = await s.open('/lessons/deadlock-and-starvation');
    const w = page.locator('[data-widget=explorer]');
    assert.equal(await w.locator('#explorer-program').inputValue(), 'two-locks');
    await w.getByRole('tab', { name: 'Explore all' }).click();
    await w.getByRole('button', { name: 'Explore every interleaving' }).click();
    await page.waitForSelector('[data-widget=explorer][data-state=done]');
    await w.locator('.outcome-bars li', { hasText: 'Deadlock' }).getByRole('button', { name: 'Show me one' }).click();
    assert.match(await w.locator('[data-testid=schedule-end]').innerText(), /Deadlock/);
    assert.match(await w.locator('.shared-state').innerText(), /Schedule so far: \w+ \w+/);
    await page.close();
  });

  // A challenge solved by the learner's own steps is marked, and remembered after a reload.
  it('solves a challenge and remembers it', async () => {
    const { page, w } = await freshChallenges(s);
    await w.locator('[data-challenge=lose-an-update]').click();
    for (const t of ['A', 'B', 'A', 'B']) await w.getByRole('button', { name: `Step ${t}` }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    assert.match(await w.locator('[data-testid=schedule-end]').innerText(), /x = 1/);
    await w.getByRole('button', { name: 'Undo' }).click();
    assert.equal(await w.locator('[data-testid=challenge-solved]').count(), 0);
    await w.getByRole('button', { name: 'Redo' }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    await assertSolvedAfterReload(page, 1);
  });

  // Sixteen threads, the cap, explore on the pool (or stop at the memory budget) while the page
  // draws every frame within 50 ms, and the widget still works after; forty threads are refused
  // by the parser at the seventeenth thread's line.
  it('explores sixteen threads without a long frame, and refuses forty at their line', async () => {
    const page = await s.open('/lessons/race-conditions');
    const w = page.locator('[data-widget=explorer]');
    await w.locator('textarea').fill(increments(16));
    assert.equal(await w.locator('[data-testid=parse-error]').count(), 0);
    await w.getByRole('tab', { name: 'Explore all' }).click();
    const frames = await exploreWatched(w, page);
    assert.ok(frames.max <= 50, `longest frame gap ${frames.max.toFixed(1)} ms`);
    assert.ok(frames.count > 10, `${frames.count} frames`);
    if ((await w.getAttribute('data-state')) === 'done') {
      const r = JSON.parse(await w.getAttribute('data-result'));
      // 32 steps, two in each thread, in any order that keeps each thread's own: 32! / 2^16.
      assert.equal(r.schedules, '4015057936610313875842560000000');
      assert.equal(r.outcomes.length, 16);
    } else {
      assert.match(await w.locator('.note').innerText(), /at the memory limit/);
    }
    // The module is alive: the same widget explores the next program.
    await w.locator('#explorer-program').selectOption('lost-update');
    await w.getByRole('tab', { name: 'Explore all' }).click();
    await w.getByRole('button', { name: 'Explore every interleaving' }).click();
    await page.waitForSelector('[data-widget=explorer][data-state=done]');
    assert.equal(JSON.parse(await w.getAttribute('data-result')).schedules, 6);

    await w.locator('textarea').fill(increments(40));
    const refusal = await w.locator('[data-testid=parse-error]').innerText();
    assert.equal(refusal, 'Line 50, column 1: too many threads: a program may have at most 16');
    assert.equal(await w.locator('.gutter .error-line').innerText(), '50');
    assert.match(await w.locator('[data-testid=explorer-caps]').innerText(), /up to 16 threads and 256 statements/);
    await w.getByRole('tab', { name: 'Explore all' }).click();
    assert.equal(await w.getByRole('button', { name: 'Explore every interleaving' }).isDisabled(), true);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // A report of thousands of outcomes renders without a long frame, fifty outcomes at a time;
  // the JSON still has all of them.
  it('lists thousands of outcomes a page at a time', async () => {
    const page = await s.open('/lessons/race-conditions');
    const w = page.locator('[data-widget=explorer]');
    await w.locator('textarea').fill(`shared a = 0
shared b = 0
shared c = 0
thread A {
  a = a + b + 1
  b = b + c + 2
  c = c + a + 3
}
thread B {
  b = b * 2 + a
  c = c * 3 + b
  a = a * 5 + c
}
thread C {
  c = c - a
  a = a - b + 7
  b = b - c
}
`);
    await w.getByRole('tab', { name: 'Explore all' }).click();
    const frames = await exploreWatched(w, page);
    assert.equal(await w.getAttribute('data-state'), 'done');
    assert.ok(frames.max <= 50, `longest frame gap ${frames.max.toFixed(1)} ms`);
    const r = JSON.parse(await w.getAttribute('data-result'));
    assert.equal(r.outcomes.length, 6343);
    const pager = w.locator('[data-testid=outcome-pager]');
    assert.equal(await pager.getByRole('status').innerText(), 'Outcomes 1–50 of 6,343');
    assert.equal(await w.locator('.outcome-bars li').count(), 50);
    await pager.getByRole('button', { name: 'Next' }).click();
    assert.equal(await pager.getByRole('status').innerText(), 'Outcomes 51–100 of 6,343');
    const label = await w.locator('.outcome-bars li .label').first().innerText();
    assert.ok(label.startsWith(Object.entries(r.outcomes[50].values).map(([k, v]) => `${k} = ${v}`).join(', ')), label);
    assert.equal(await pager.getByRole('button', { name: 'Previous' }).isDisabled(), false);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });

  // A report of 17-digit counts stays legible at a tablet's and a phone's width: each figure on
  // one line, every outcome's bar where the others are, no button broken over two lines, and no
  // outcome that happens shown as 0.0%.
  it('lays out a report of huge counts at narrow widths', async () => {
    const program = readFileSync(new URL('../../crates/core/benches/programs/increments-4x4.txt', import.meta.url), 'utf8');
    for (const width of [736, 390]) {
      const page = await s.open('/lessons/race-conditions', { viewport: { width, height: 900 } });
      const w = page.locator('[data-widget=explorer]');
      await w.locator('textarea').fill(program);
      await w.getByRole('tab', { name: 'Explore all' }).click();
      await exploreWatched(w, page);
      const boxes = async (selector) => Promise.all((await w.locator(selector).all()).map((e) => e.boundingBox()));
      const figures = await boxes('.figures dd');
      assert.equal(figures.length, 6);
      for (const f of figures) assert.ok(Math.abs(f.height - figures[2].height) < 1, `${width} px: a figure of ${f.height} px against ${figures[2].height}`);
      const bars = await boxes('.outcome-bars li .bar');
      assert.equal(bars.length, 15);
      for (const b of bars) assert.ok(Math.abs(b.x - bars[0].x) < 1 && Math.abs(b.width - bars[0].width) < 1, `${width} px: a bar at ${b.x} of ${b.width} px`);
      const buttons = await boxes('.outcome-bars li button');
      for (const b of buttons) assert.ok(Math.abs(b.height - buttons[0].height) < 1, `${width} px: a button of ${b.height} px`);
      const counts = await w.locator('.outcome-bars li .count').allInnerTexts();
      assert.ok(counts.every((c) => !c.endsWith(' 0.0%')), counts.join(' | '));
      assert.equal(counts.at(-1), '63,063,000 · <\u00a00.1%');
      await page.close();
    }
  });

  // A broken program shows the parser's message at its line, and cannot be explored.
  it('shows parse errors at their line', async () => {
    const page = await s.open('/lessons/race-conditions');
    const w = page.locator('[data-widget=explorer]');
    await w.locator('textarea').fill('shared x = 0\nthread A {\n  x = x + 1\n  lock m\n}\n');
    assert.match(await w.locator('[data-testid=parse-error]').innerText(), /^Line 4, column \d+: .*\bm\b/);
    assert.equal(await w.locator('.gutter .error-line').innerText(), '4');
    await w.getByRole('tab', { name: 'Explore all' }).click();
    assert.equal(await w.getByRole('button', { name: 'Explore every interleaving' }).isDisabled(), true);
    await page.close();
  });

  // Be the scheduler under tso: hold both first writes in the store buffers while both threads
  // read, then flush: a = 0, b = 0, and the challenge is solved and remembered.
  it('solves a store-buffer challenge by hand under tso', async () => {
    const { page, w } = await freshChallenges(s);
    await w.locator('[data-challenge=store-buffering]').click();
    await w.getByRole('button', { name: 'Step A' }).click();
    const bufA = w.getByLabel('Store buffer of thread A');
    assert.match(await bufA.innerText(), /Store buffer \(1 of 2, oldest first\): x = 1/);
    assert.match(await bufA.innerText(), /A sees x = 1; other threads see memory/);
    assert.match(await w.locator('[data-testid=memory]').innerText(), /Memory: a = 0, b = 0, x = 0, y = 0/);
    for (const t of ['B', 'A', 'B', 'A', 'B']) await w.getByRole('button', { name: `Step ${t}`, exact: true }).click();
    assert.equal(await w.locator('[data-testid=challenge-solved]').count(), 0);
    for (const t of ['A', 'A', 'B', 'B']) await w.getByRole('button', { name: `Flush ${t}` }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    assert.match(await w.locator('[data-testid=challenge-solved]').innerText(), /store buffer/);
    assert.match(await w.locator('[data-testid=schedule-end]').innerText(), /a = 0, b = 0/);
    assert.match(await w.locator('[data-testid=schedule-text]').innerText(), /^A B A B A B flush\(A\) flush\(A\) flush\(B\) flush\(B\)$/);
    // Undo takes back a flush: the entry is in B's buffer again.
    await w.getByRole('button', { name: 'Undo' }).click();
    assert.match(await w.getByLabel('Store buffer of thread B').innerText(), /b = 0/);
    assert.match(await w.locator('[data-testid=challenge-now]').innerText(), /What this teaches/);
    await assertSolvedAfterReload(page, 1);
  });

  // Explore all under tso marks the outcome only store buffers allow; a challenge to prove is
  // solved by exploring; a lost notification is told in the schedule.
  it('marks tso-only outcomes, proves a challenge by exploring, tells a lost notification', async () => {
    const page = await s.open('/lessons/race-conditions');
    const w = page.locator('[data-widget=explorer]');
    const r = await exploreProgram(w, page, 'store-buffering');
    const only = r.outcomes.filter((o) => o.only_with_store_buffers).map((o) => [o.values.a, o.values.b]);
    assert.deepEqual(only, [[0, 0]]);
    assert.equal(r.schedules, 2268);
    // Both runs are timed on the worker, and the widget says how long each took.
    assert.ok(r.explore_ms >= 0 && r.sc_explore_ms >= 0, JSON.stringify([r.explore_ms, r.sc_explore_ms]));
    assert.match(await w.locator('[data-testid=explore-time]').innerText(), /^Explored in [\d.]+ m?s, and again under memory sc in [\d.]+ m?s, to compare\.$/);
    assert.equal(await w.locator('[data-testid=only-tso]').count(), 1);
    assert.match(await w.locator('.outcome-bars li', { hasText: 'only possible' }).innerText(), /a = 0, b = 0/);
    await w.locator('.challenges summary').click();
    await w.locator('[data-challenge=fences-forbid]').click();
    await w.getByRole('tab', { name: 'Explore all' }).click();
    await w.getByRole('button', { name: 'Explore every interleaving' }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    assert.match(await page.locator('[data-widget=explorer] .challenges summary').innerText(), /solved/);
    await w.locator('[data-challenge=lose-a-wakeup]').click();
    for (const t of ['Notifier', 'Notifier', 'Notifier']) await w.getByRole('button', { name: `Step ${t}` }).click();
    assert.match(await w.locator('[data-testid=schedule-note]').innerText(), /Lost notification: Notifier notified c/);
    for (const t of ['Notifier', 'Waiter', 'Waiter']) await w.getByRole('button', { name: `Step ${t}` }).click();
    assert.match(await w.locator('[data-testid=wait-sets]').innerText(), /c: Waiter waits/);
    await w.locator('[data-testid=challenge-solved]').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });
});
