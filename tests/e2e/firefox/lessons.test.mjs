// The curriculum in Firefox, with and without cross-origin isolation: each lesson's contents
// match its sections, previous/next links walk the lessons in order, a contents link reaches
// its section.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, routes, until } from './harness.mjs';

const slugs = routes().filter((p) => p.startsWith('/lessons/')).map((p) => p.split('/').pop());

for (const isolated of [true, false]) {
  describe(`Firefox lessons, served ${isolated ? 'with' : 'without'} COOP/COEP`, () => {
    const s = useSite({ isolated });

    it('every lesson has contents and working previous/next links', async () => {
      assert.equal(slugs.length, 8);
      const page = await s.open(`/lessons/${slugs[0]}`);
      for (let i = 0; i < slugs.length; i++) {
        await page.waitForSelector(`[data-lesson="${slugs[i]}"]`, { timeout: 10_000 });
        assert.equal(new URL(page.url()).pathname, `/lessons/${slugs[i]}`);
        assert.ok(await page.$$eval('.objectives li', (l) => l.length) >= 3, `${slugs[i]} objectives`);
        const toc = await page.$$eval('.toc-sidebar .toc-sections a', (as) => as.map((a) => a.getAttribute('href')));
        const ids = await page.$$eval('.prose h2[id]', (hs) => hs.map((h) => h.id));
        assert.ok(ids.length >= 3, `${slugs[i]} has ${ids.length} sections`);
        assert.deepEqual(toc, ids.map((id) => `/lessons/${slugs[i]}#${id}`), `${slugs[i]} contents`);
        assert.equal(await page.$$eval('.prev-next .prev', (l) => l.length), i > 0 ? 1 : 0, `${slugs[i]} previous link`);
        assert.equal(await page.$$eval('.prev-next .next', (l) => l.length), i + 1 < slugs.length ? 1 : 0, `${slugs[i]} next link`);
        if (i + 1 < slugs.length) await page.click('.prev-next .next');
      }
      await page.click('.prev-next .prev');
      await page.waitForSelector(`[data-lesson="${slugs[slugs.length - 2]}"]`, { timeout: 10_000 });
      assert.deepEqual(s.errors, []);
      await page.close();
    });

    it('a contents link moves to its section', async () => {
      const page = await s.open(`/lessons/${slugs[3]}`);
      const links = await page.$$('.toc-sidebar .toc-sections a');
      assert.ok(links.length > 3, `${slugs[3]} lists ${links.length} sections`);
      const target = (await links[3].evaluate((a) => a.getAttribute('href'))).split('#')[1];
      await links[3].click();
      await until(page, (id) => {
        const top = document.getElementById(id).getBoundingClientRect().top;
        return top >= -2 && top < 120;
      }, target, 10_000).catch(async () => {
        const top = await page.evaluate((id) => document.getElementById(id).getBoundingClientRect().top, target);
        throw new Error(`#${target} is at ${top}px after its contents link was clicked`);
      });
      assert.equal(new URL(page.url()).hash, `#${target}`);
      assert.deepEqual(s.errors, []);
      await page.close();
    });
  });
}
