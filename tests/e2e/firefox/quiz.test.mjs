// Quizzes in Firefox, with and without cross-origin isolation: a lesson links to its quiz, a
// question is answered and graded, and the answer and its verdict are still there after a reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, ready, press } from './harness.mjs';

/** The question as shown: its options, those checked, their marks, the verdict, whether it is locked. */
const question = (page) => page.$eval('.question', (q) => ({
  options: [...q.querySelectorAll('.options label')].map((l) => l.innerText),
  checked: [...q.querySelectorAll('.options li')].filter((li) => li.querySelector('input:checked')).map((li) => li.querySelector('label').innerText),
  marks: [...q.querySelectorAll('.options li')].map((li) => li.className),
  verdict: q.querySelector('[data-testid=verdict]')?.innerText ?? null,
  locked: q.querySelector('fieldset').disabled,
}));

for (const isolated of [true, false]) {
  describe(`Firefox quiz, served ${isolated ? 'with' : 'without'} COOP/COEP`, () => {
    const s = useSite({ isolated });

    it('answers a question, shows its verdict, and keeps both across a reload', async () => {
      const page = await s.open('/lessons/race-conditions');
      await page.click('.quiz-link');
      await page.waitForSelector('[data-widget=quiz] .question', { timeout: 10_000 });
      assert.equal(new URL(page.url()).pathname, '/quiz/race-conditions');
      assert.match(await page.$eval('.question .counter', (c) => c.textContent), /Question 1 of \d+/);
      const fresh = await question(page);
      assert.deepEqual([fresh.checked, fresh.verdict, fresh.locked], [[], null, false], 'a fresh profile has no answer yet');
      assert.ok(fresh.marks.every((m) => m === ''), 'no option is marked before the answer');
      await page.click('.question .options input');
      await press(page, '.question', 'Check answer');
      await page.waitForSelector('[data-testid=verdict]', { timeout: 10_000 });
      const answered = await question(page);
      assert.deepEqual(answered.checked, [fresh.options[0]]);
      // The verdict agrees with the mark on the option picked.
      const right = answered.marks[0] === 'right';
      assert.ok(right || answered.marks[0] === 'wrong', `the picked option is marked "${answered.marks[0]}"`);
      assert.match(answered.verdict, right ? /^Right!/ : /^Not quite/);
      assert.equal(answered.locked, true, 'an answered question is locked');
      assert.ok(await page.$$eval('.question .options .explain', (e) => e.length) >= 2, 'every option is explained');
      await page.reload();
      await ready(page);
      // The quiz resumes at the first open question; the first one is kept, graded as it was.
      assert.match(await page.$eval('.question .counter', (c) => c.textContent), /Question 2 of \d+/);
      assert.match(await page.$eval('.quiz-progress', (p) => p.innerText), new RegExp(`1 of \\d+ answered · ${right ? 1 : 0} right`));
      assert.match(await page.$eval('.dots button', (b) => b.className), right ? /\bright\b/ : /\bwrong\b/);
      await page.click('.dots button');
      await page.waitForSelector('[data-testid=verdict]', { timeout: 10_000 });
      assert.deepEqual(await question(page), answered, 'the answer and its verdict after a reload');
      assert.deepEqual(s.errors, []);
      await page.close();
    });
  });
}
