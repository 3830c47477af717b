// Local storage never blanks or breaks the page: when it is blocked or full the site works in
// full with the progress in memory, one calm note says so and why, export still works, and what
// was stored before stays whole. A new build accepted in the middle of a quiz loses no answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { useSite, site, ready, axeViolations } from './harness.mjs';
import { controlled, copyOfBuild, offerSecondBuild } from './builds.mjs';

const SCREENSHOT = fileURLToPath(new URL('./artifacts/storage-note.png', import.meta.url));

// As when the browser blocks site data: touching `localStorage` at all throws.
const BLOCKED = `Object.defineProperty(window, 'localStorage', {
  configurable: true,
  get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
});`;

// A full storage: every write is refused.
const FULL = `Storage.prototype.setItem = function () {
  throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
};`;

// A storage with no room left: a write is refused if it needs more room than the value it
// replaces frees, and goes through otherwise.
const NO_ROOM = `{
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    const old = this.getItem(key);
    const needed = old === null ? String(key).length + String(value).length : String(value).length - old.length;
    if (needed > 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return setItem.call(this, key, value);
  };
}`;

const KEY = 'interleave.progress';

/** Opens `path` in a new page of `context` (with `script` run before the page's own, if given), noting its errors. */
async function visit(context, url, errors, script) {
  const page = await context.newPage();
  if (script) await page.addInitScript(script);
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${url}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  await ready(page);
  return page;
}

/** Checks that the page shows the one storage note, calmly, for `reason` (`blocked` or `full`). */
async function assertNote(page, reason) {
  const note = page.locator('[data-testid=storage-note]');
  await note.waitFor();
  assert.equal(await note.count(), 1, 'one note');
  assert.equal(await note.getAttribute('role'), 'status', 'a status, not an alert');
  assert.equal(await note.getAttribute('data-reason'), reason);
  const text = await note.innerText();
  assert.match(text, /kept only until this page is closed or reloaded/);
  assert.match(text, reason === 'blocked' ? /does not let Interleave keep anything/ : /storage for Interleave is full/);
  assert.match(text, /To keep it, export it from the Review page/, 'the note says how to keep the progress');
}

/** Answers the question on screen with its first option; returns what the learner gave and was told. */
async function answer(page) {
  const question = page.locator('form.question');
  const id = await question.getAttribute('data-question');
  const label = await question.locator('.options label').first().innerText();
  await question.locator('input').first().check();
  await page.getByRole('button', { name: 'Check answer' }).click();
  const verdict = await page.locator('[data-testid=verdict]').innerText();
  return { id, label, right: verdict.startsWith('Right') };
}

/** Goes to the review page from the header (in the app, no reload) and returns the exported file's record. */
async function exported(page) {
  await page.locator('header').getByRole('link', { name: /Review/ }).click();
  const button = page.getByRole('button', { name: 'Export progress' });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return JSON.parse(await readFile(await download.path(), 'utf8'));
}

describe('storage that will not keep the progress', () => {
  const s = useSite({ isolated: true });

  // Site data blocked: every page hydrates, a quiz answer is checked, and the export holds it.
  it('works in full when local storage is blocked', async () => {
    const context = await s.browser.newContext();
    await context.addInitScript(BLOCKED);
    const errors = [];
    const home = await visit(context, s.server.url + '/', errors);
    assert.equal(await home.evaluate(() => { try { return typeof localStorage; } catch (e) { return e.name; } }), 'SecurityError');
    await assertNote(home, 'blocked');
    assert.ok(await home.locator('.lesson-map li').count() >= 7, 'the lesson map is drawn');
    assert.deepEqual(await axeViolations(home), []);
    const note = await home.locator('[data-testid=storage-note]').boundingBox();
    await mkdir(new URL('./artifacts/', import.meta.url), { recursive: true });
    await home.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: home.viewportSize().width, height: note.y + note.height + 24 } });
    await home.close();
    const lesson = await visit(context, s.server.url + '/lessons/race-conditions', errors);
    await assertNote(lesson, 'blocked');
    assert.ok((await lesson.locator('h1').innerText()).length > 3);
    await lesson.close();
    const quiz = await visit(context, s.server.url + '/quiz/race-conditions', errors);
    await assertNote(quiz, 'blocked');
    const given = await answer(quiz);
    assert.match(await quiz.locator('.quiz-progress').innerText(), /^1 of \d+ answered/);
    const file = await exported(quiz);
    assert.deepEqual(Object.keys(file.answers), [given.id]);
    assert.equal(file.answers[given.id].correct, given.right);
    assert.ok(file.attempts['race-conditions'] !== undefined, 'the attempt is exported too');
    await assertNote(quiz, 'blocked');
    // Hidden, the note stays hidden on the next page of the visit.
    await quiz.locator('[data-testid=storage-note]').getByRole('button', { name: 'Hide' }).click();
    await quiz.locator('header').getByRole('link', { name: 'Lessons' }).click();
    await quiz.locator('.lesson-map').waitFor();
    assert.equal(await quiz.locator('[data-testid=storage-note]').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  // Storage full: the record stored before is read and shown, changes live in memory, the export
  // holds both, and the stored record is left exactly as it was.
  it('keeps the stored record whole when storage is full', async () => {
    const context = await s.browser.newContext();
    const errors = [];
    const record = { version: 3, lessons_read: ['race-conditions'], challenges_solved: [],
      answers: { 'mp-backpressure': { picked: ['a'], correct: true } }, review: { cards: {} }, theme: 'dark', attempts: {} };
    const seed = await visit(context, s.server.url + '/', errors);
    await seed.evaluate(([key, r]) => localStorage.setItem(key, JSON.stringify(r)), [KEY, record]);
    const stored = await seed.evaluate((key) => localStorage.getItem(key), KEY);
    await seed.close();

    const home = await visit(context, s.server.url + '/', errors, FULL);
    await assertNote(home, 'full');
    assert.match(await home.locator('[data-testid=read-count]').innerText(), /^1 of 8 read/, 'the stored record is read');
    assert.equal(await home.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await home.close();
    const lesson = await visit(context, s.server.url + '/lessons/message-passing', errors, FULL);
    await assertNote(lesson, 'full');
    // Reaching the end marks the lesson read (in memory only). Not by clicking "Mark as read":
    // scrolling the button into view and clicking it at once races the mark made on reaching it,
    // and the click may land on the button after it has turned into "mark as unread".
    await lesson.locator('.lesson-end').scrollIntoViewIfNeeded();
    await lesson.getByRole('button', { name: /mark as unread/ }).waitFor();
    await lesson.close();
    const quiz = await visit(context, s.server.url + '/quiz/race-conditions', errors, FULL);
    await assertNote(quiz, 'full');
    const given = await answer(quiz);
    const file = await exported(quiz);
    assert.deepEqual(file.lessons_read, ['race-conditions'], 'the stored record, as read');
    assert.deepEqual(Object.keys(file.answers).sort(), ['mp-backpressure', given.id].sort());
    await quiz.close();

    const after = await visit(context, s.server.url + '/', errors);
    assert.equal(await after.evaluate((key) => localStorage.getItem(key), KEY), stored, 'the stored record is unchanged');
    assert.deepEqual(await after.evaluate(() => Object.keys(localStorage)), [KEY], 'nothing else was left in storage');
    assert.equal(await after.locator('[data-testid=storage-note]').count(), 0, 'no note once storage works');
    assert.deepEqual(errors, []);
    await context.close();
  });

  // A corrupt record in a storage with no room: it cannot be copied aside, so it is not replaced
  // (the fresh record, being shorter, would fit); the next visit with room sets it aside whole.
  it('leaves a corrupt record in place when it cannot be set aside', async () => {
    const context = await s.browser.newContext();
    const errors = [];
    const corrupt = '{"version":3,"lessons_read":["race-conditions"],"notes":"' + 'x'.repeat(400);
    const seed = await visit(context, s.server.url + '/', errors);
    await seed.evaluate(([key, raw]) => { localStorage.clear(); localStorage.setItem(key, raw); }, [KEY, corrupt]);
    await seed.close();

    const page = await visit(context, s.server.url + '/', errors, NO_ROOM);
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), KEY), corrupt, 'the corrupt record is still there');
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [KEY]);
    await assertNote(page, 'full');
    const notice = page.locator('[data-testid=progress-notice]');
    await notice.waitFor();
    assert.match(await notice.innerText(), /could not be read .* left as it was/s);
    assert.ok(await page.locator('.lesson-map li').count() >= 7, 'the page still renders');
    await page.close();

    const later = await visit(context, s.server.url + '/', errors);
    await later.locator('[data-testid=progress-notice]').waitFor();
    assert.equal(await later.evaluate(() => localStorage.getItem('interleave.progress.set-aside')), corrupt, 'set aside whole');
    assert.equal(JSON.parse(await later.evaluate((key) => localStorage.getItem(key), KEY)).version, 3);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('a new build in the middle of a quiz', () => {
  // Answers given, then a new build is offered and accepted: after the reload every answer is
  // there, with the option picked and its verdict.
  it('loses no answer when the update is accepted', async () => {
    const build = await copyOfBuild();
    const s = await site({ isolated: true, root: build.dir });
    try {
      const page = await s.open('/quiz/race-conditions');
      await controlled(page);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await ready(page);
      const total = Number((await page.locator('.question .counter').textContent()).match(/of (\d+)/)[1]);
      const given = [];
      for (let i = 0; i < 3; i++) {
        given.push(await answer(page));
        await page.getByRole('button', { name: 'Next question' }).click();
      }
      await offerSecondBuild(build.dir, page);
      assert.equal(await page.locator('#update-banner .update-loss').isVisible(), false, 'no warning while storage keeps the progress');
      await Promise.all([page.waitForEvent('load'), page.locator('#update-banner button').click()]);
      await ready(page);
      assert.equal(await page.locator('meta[name=build]').getAttribute('content'), 'second', 'the new build is running');
      const right = given.filter((a) => a.right).length;
      assert.match(await page.locator('.quiz-progress').innerText(), new RegExp(`^3 of ${total} answered · ${right} right`));
      for (const [i, a] of given.entries()) {
        await page.locator('.dots button').nth(i).click();
        assert.equal(await page.locator('form.question').getAttribute('data-question'), a.id);
        assert.equal(await page.locator('.question .options li:has(input:checked) label').innerText(), a.label, `question ${i + 1} keeps its answer`);
        assert.equal((await page.locator('[data-testid=verdict]').innerText()).startsWith('Right'), a.right);
      }
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
      await build.remove();
    }
  });

  // Storage full, so the answers live in memory: the offer of the new build says that reloading
  // would lose them, and they can be exported first; then the update is accepted.
  it('warns that reloading loses progress kept only in memory', async () => {
    const build = await copyOfBuild();
    const s = await site({ isolated: true, root: build.dir });
    try {
      const errors = [];
      const page = await visit(s.context, s.server.url + '/quiz/race-conditions', errors, FULL);
      await controlled(page);
      await assertNote(page, 'full');
      const given = [await answer(page)];
      await page.getByRole('button', { name: 'Next question' }).click();
      given.push(await answer(page));
      await offerSecondBuild(build.dir, page);
      const loss = page.locator('#update-banner .update-loss');
      assert.equal(await loss.isVisible(), true, 'the offer warns');
      assert.match(await loss.innerText(), /not keeping your progress, so reloading loses it: export it first/);
      const file = await exported(page);
      assert.deepEqual(Object.keys(file.answers).sort(), given.map((a) => a.id).sort());
      await Promise.all([page.waitForEvent('load'), page.locator('#update-banner button').click()]);
      await ready(page);
      assert.equal(await page.locator('meta[name=build]').getAttribute('content'), 'second');
      assert.deepEqual(errors, []);
    } finally {
      await s.close();
      await build.remove();
    }
  });
});
