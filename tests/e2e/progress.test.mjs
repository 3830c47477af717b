// Saved progress survives reloads, and a corrupt record never blanks the page: it is kept aside.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site, ready } from './harness.mjs';

describe('saved progress', () => {
  const s = useSite({ isolated: true });

  // A hand-corrupted record: the page still works, says so, and keeps the old text aside.
  it('repairs a corrupt record and tells the learner', async () => {
    const page = await s.open('/');
    await page.evaluate(() => { localStorage.clear(); localStorage.setItem('interleave.progress', '{"version":1,"lessons_read":'); });
    await page.reload();
    await page.waitForSelector('[data-testid=progress-notice]');
    assert.match(await page.locator('[data-testid=progress-notice]').innerText(), /could not be read/);
    assert.ok(await page.locator('.lesson-map li').count() >= 7, 'the page still renders');
    assert.equal(await page.evaluate(() => localStorage.getItem('interleave.progress.set-aside')), '{"version":1,"lessons_read":');
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('interleave.progress'))).version, 3);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await page.locator('[data-testid=progress-notice]').count(), 0);
    await page.reload();
    await page.waitForSelector('.lesson-map');
    assert.equal(await page.locator('[data-testid=progress-notice]').count(), 0, 'repaired once, not every load');
    await page.close();
  });
});

describe('saved progress migration', () => {
  const s = useSite({ isolated: true });

  // A version-1 record from an older build is migrated silently: what it held is kept.
  it('migrates a version-1 record', async () => {
    const page = await s.open('/');
    await page.evaluate(() => { localStorage.clear(); localStorage.setItem('interleave.progress', '{"version":1,"lessons_read":["race-conditions"]}'); });
    await page.reload();
    await page.waitForSelector('.lesson-card[data-read=true]');
    assert.equal(await page.locator('[data-testid=progress-notice]').count(), 0);
    assert.match(await page.locator('[data-testid=read-count]').innerText(), /^1 of 8 read/);
    await page.close();
  });

  // A version-2 record named options by their place in the file; it still loads and keeps its
  // answers, now naming the same options by identity, whatever order they are shown in.
  it('migrates a version-2 record and keeps its answers', async () => {
    const page = await s.open('/');
    const v2 = { version: 2, lessons_read: ['message-passing'], challenges_solved: [], theme: 'system',
      answers: { 'mp-backpressure': { picked: [0], correct: true } }, review: { cards: {} } };
    await page.evaluate((r) => { localStorage.clear(); localStorage.setItem('interleave.progress', JSON.stringify(r)); }, v2);
    await page.goto(s.server.url + '/quiz/message-passing');
    await ready(page);
    await page.waitForSelector('[data-widget=quiz]');
    assert.equal(await page.locator('[data-testid=progress-notice]').count(), 0);
    assert.match(await page.locator('.quiz-progress').innerText(), /^1 of \d+ answered · 1 right/);
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('interleave.progress')));
    assert.equal(stored.version, 3);
    assert.deepEqual(stored.answers['mp-backpressure'], { picked: ['a'], correct: true });
    assert.deepEqual(stored.lessons_read, ['message-passing']);
    await page.close();
  });
});
