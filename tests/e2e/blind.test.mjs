// A blind player cannot pass: always ticking the first option on screen, or the last, or the
// longest, scores at most 40 % over every quiz (lesson quizzes and the final test).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site, ready } from './harness.mjs';

const QUIZZES = ['concurrency-vs-parallelism', 'how-concurrency-works', 'how-parallelism-works', 'race-conditions',
  'message-passing', 'deadlock-and-starvation', 'choosing-the-right-tool', 'memory-ordering', 'final'];

/** Which option, by place on screen, a blind player ticks, given the options' texts. */
const STRATEGIES = {
  first: () => 0,
  last: (texts) => texts.length - 1,
  longest: (texts) => texts.reduce((best, t, i) => (t.length > texts[best].length ? i : best), 0),
};

/** Plays one quiz from a fresh attempt; returns its data-result. */
async function play(page, url, quiz, choose) {
  await page.goto(`${url}/quiz/${quiz}`);
  await ready(page);
  const total = Number((await page.locator('.question .counter').textContent()).match(/of (\d+)/)[1]);
  for (let i = 0; i < total; i++) {
    const texts = await page.locator('.question .options label').allInnerTexts();
    await page.locator('.question input').nth(choose(texts)).check();
    await page.getByRole('button', { name: 'Check answer' }).click();
    await page.locator('[data-testid=verdict]').waitFor();
    await page.getByRole('button', { name: i + 1 < total ? 'Next question' : 'See my score' }).click();
  }
  await page.locator('[data-testid=score]').waitFor();
  return JSON.parse(await page.locator('[data-widget=quiz]').getAttribute('data-result'));
}

describe('blind players', () => {
  const s = useSite({ isolated: true });

  for (const [name, choose] of Object.entries(STRATEGIES)) {
    it(`always ticking the ${name} option scores at most 40 %`, async () => {
      const page = await s.open('/');
      let answered = 0;
      let correct = 0;
      for (const quiz of QUIZZES) {
        // Each quiz from nothing, as a newcomer: the final test shares questions with the lessons.
        await page.evaluate(() => localStorage.clear());
        const result = await play(page, s.server.url, quiz, choose);
        assert.equal(result.quiz, quiz);
        answered += result.answered;
        correct += result.correct;
      }
      const share = correct / answered;
      console.log(`blind player, ${name} option: ${correct} of ${answered} right (${(100 * share).toFixed(1)} %)`);
      assert.ok(answered >= 69, `every question was answered (${answered})`);
      assert.ok(share <= 0.4, `${name}: ${correct} of ${answered} right`);
      await page.close();
    });
  }
});
