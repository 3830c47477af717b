// The interleaving explorer in a real browser: exact counts equal the native engine's, a
// shortest schedule replays, challenges are solved and remembered, parse errors show their line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site, axeViolations, ready } from './harness.mjs';

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
    const page = await s.open('/lessons/race-conditions');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    const w = page.locator('[data-widget=explorer]');
    await w.locator('.challenges summary').click();
    await w.locator('[data-challenge=lose-an-update]').click();
    for (const t of ['A', 'B', 'A', 'B']) await w.getByRole('button', { name: `Step ${t}` }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    assert.match(await w.locator('[data-testid=schedule-end]').innerText(), /x = 1/);
    await w.getByRole('button', { name: 'Undo' }).click();
    assert.equal(await w.locator('[data-testid=challenge-solved]').count(), 0);
    await w.getByRole('button', { name: 'Redo' }).click();
    await w.locator('[data-testid=challenge-solved]').waitFor();
    await page.reload();
    await ready(page);
    assert.match(await page.locator('[data-widget=explorer] .challenges summary').innerText(), /1 of 4 solved/);
    await page.close();
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
});
