// Quizzes in a real browser: answered by keyboard alone, saved across reloads, scored with the
// wrong answers explained, brought back by the review, exported and imported again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSite, site, ready, axeViolations } from './harness.mjs';

describe('quizzes and review', () => {
  const s = useSite({ isolated: true });

  // A lesson links to its quiz; a question can be answered with the keyboard alone.
  it('answers a question with the keyboard only', async () => {
    const page = await s.open('/lessons/race-conditions');
    await page.evaluate(() => localStorage.clear());
    await page.locator('.quiz-link').click();
    await page.waitForSelector('[data-widget=quiz]');
    assert.match(await page.locator('.question .counter').textContent(), /Question 1 of \d+/);
    await page.locator('.question input').first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    // Tab past the remaining options of a radio group lands on the button.
    while (!(await page.evaluate(() => document.activeElement?.textContent === 'Check answer'))) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=verdict]').waitFor();
    assert.ok(await page.locator('.options .explain').count() >= 2, 'every option is explained');
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });

  // Finish a quiz: a score, the wrong answers listed; after a reload the answers are still there.
  it('scores a quiz and keeps the answers across a reload', async () => {
    const page = await s.open('/quiz/message-passing');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    const total = Number((await page.locator('.question .counter').textContent()).match(/of (\d+)/)[1]);
    for (let i = 0; i < total; i++) {
      await page.locator('.question input').first().check();
      await page.getByRole('button', { name: 'Check answer' }).click();
      await page.locator('[data-testid=verdict]').waitFor();
      await page.getByRole('button', { name: i + 1 < total ? 'Next question' : 'See my score' }).click();
    }
    const w = page.locator('[data-widget=quiz]');
    await page.locator('[data-testid=score]').waitFor();
    const result = JSON.parse(await w.getAttribute('data-result'));
    assert.equal(result.quiz, 'message-passing');
    assert.equal(result.answered, total);
    const wrong = total - result.correct;
    assert.ok(wrong > 0, 'picking the first option each time gets some wrong');
    assert.equal(await page.locator('.mistakes > li').count(), wrong);
    await page.reload();
    await ready(page);
    assert.equal(await page.locator('[data-widget=quiz]').getAttribute('data-state'), 'done');
    assert.deepEqual(JSON.parse(await page.locator('[data-widget=quiz]').getAttribute('data-result')), result);
    // The wrong answers wait in the review, and the header says how many.
    assert.equal(await page.locator('[data-testid=review-badge]').innerText(), String(wrong));
    await page.locator('header').getByRole('link', { name: /Review/ }).click();
    assert.match(await page.locator('[data-testid=due-count]').innerText(), new RegExp(`^${wrong} question`));
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });

  // Export to a file, lose everything, import it back; a broken file is refused and changes nothing.
  it('exports and imports progress', async () => {
    const page = await s.open('/review');
    const before = await page.evaluate(() => localStorage.getItem('interleave.progress'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export progress' }).click()]);
    const dir = await mkdtemp(join(tmpdir(), 'interleave-export-'));
    const file = join(dir, 'progress.json');
    await download.saveAs(file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(exported.version, 3);
    assert.ok(Object.keys(exported.answers).length > 0);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    assert.match(await page.locator('[data-testid=due-count]').innerText(), /Nothing is due/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version": 3, "answers": 5}');
    await page.locator('[data-testid=import]').setInputFiles(broken);
    await page.locator('[data-testid=import-message]', { hasText: 'Nothing was imported. This progress file is damaged' }).waitFor();
    assert.match(await page.locator('[data-testid=due-count]').innerText(), /Nothing is due/, 'a refused file changes nothing');
    await page.locator('[data-testid=import]').setInputFiles(file);
    await page.locator('[data-testid=import-message]', { hasText: 'Progress imported' }).waitFor();
    assert.deepEqual(JSON.parse(await page.evaluate(() => localStorage.getItem('interleave.progress'))), JSON.parse(before));
    await page.close();
  });

  // The theme choice is kept with the progress and applied on load.
  it('keeps the chosen theme', async () => {
    const page = await s.open('/');
    await page.locator('.theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await page.locator('.theme-toggle').click();
    await page.reload();
    await ready(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.close();
  });

  // Options are shuffled per attempt: a reload during the attempt shows the same order; taking
  // the quiz again shows a new one; the saved answer follows its option, not its place.
  it('shuffles options per attempt, stably across a reload', async () => {
    const page = await s.open('/quiz/race-conditions');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    const orders = async () => {
      const n = await page.locator('.dots button').count();
      const all = [];
      for (let i = 0; i < n; i++) {
        await page.locator('.dots button').nth(i).click();
        all.push(await page.locator('.question .options label').allInnerTexts());
      }
      return all;
    };
    const first = await orders();
    await page.reload();
    await ready(page);
    assert.deepEqual(await orders(), first, 'a reload keeps the order of the attempt');
    // Answer question 1 with its first option on screen; after a reload the same text is checked.
    await page.locator('.dots button').first().click();
    const picked = await page.locator('.question .options label').first().innerText();
    await page.locator('.question input').first().check();
    await page.getByRole('button', { name: 'Check answer' }).click();
    await page.locator('[data-testid=verdict]').waitFor();
    await page.reload();
    await ready(page);
    await page.locator('.dots button').first().click();
    assert.equal(await page.locator('.question .options li:has(input:checked) label').innerText(), picked);
    // Take it again (the button appears once every question is answered).
    const total = await page.locator('.dots button').count();
    for (let i = 1; i < total; i++) {
      await page.locator('.dots button').nth(i).click();
      await page.locator('.question input').first().check();
      await page.getByRole('button', { name: 'Check answer' }).click();
      await page.locator('[data-testid=verdict]').waitFor();
    }
    await page.getByRole('button', { name: 'See my score' }).click();
    await page.getByRole('button', { name: 'Take it again' }).click();
    const again = await orders();
    // "What can happen" questions list values, always in numeric order; the others reshuffle.
    const values = (o) => o.every((t) => /^-?\d+$/.test(t.trim()));
    const shuffleable = first.map((o, i) => i).filter((i) => !values(first[i]));
    const moved = shuffleable.filter((i) => again[i].join('\n') !== first[i].join('\n')).length;
    assert.ok(moved * 2 > shuffleable.length, `a new attempt reorders most questions (${moved} of ${shuffleable.length})`);
    for (const i of first.map((o, i) => i).filter((i) => values(first[i]))) {
      assert.deepEqual(again[i], first[i], 'values keep their order');
      const numbers = first[i].map(Number);
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'values in numeric order');
    }
    for (let i = 0; i < first.length; i++) assert.deepEqual([...again[i]].sort(), [...first[i]].sort(), 'same options');
    await page.close();
  });
});
