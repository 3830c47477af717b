// The curriculum in a real browser: every lesson, its contents and neighbours, deep links,
// search, reading progress, and a phone-sized layout that stays accessible.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { site, axeViolations, ready } from './harness.mjs';

describe('lessons', () => {
  let s;
  let slugs;
  before(async () => {
    s = await site({ isolated: true });
    const home = await s.open('/');
    slugs = await home.$$eval('.lesson-map a', (as) => as.map((a) => new URL(a.href).pathname.split('/').pop()));
    await home.close();
  });
  after(async () => { await s.close(); });

  // Each lesson: objectives, sections in its contents, prev/next links to its neighbours.
  it('every lesson has contents and working previous/next links', async () => {
    assert.equal(slugs.length, 8);
    const page = await s.open(`/lessons/${slugs[0]}`);
    for (let i = 0; i < slugs.length; i++) {
      await page.waitForSelector(`[data-lesson="${slugs[i]}"]`);
      assert.ok(await page.locator('.objectives li').count() >= 3, `${slugs[i]} objectives`);
      const toc = await page.$$eval('.toc-sidebar .toc-sections a', (as) => as.map((a) => a.getAttribute('href')));
      const ids = await page.$$eval('.prose h2[id]', (hs) => hs.map((h) => h.id));
      assert.deepEqual(toc, ids.map((id) => `/lessons/${slugs[i]}#${id}`), `${slugs[i]} contents`);
      assert.equal(await page.locator('.prev-next .prev').count(), i > 0 ? 1 : 0);
      if (i + 1 < slugs.length) await page.locator('.prev-next .next').click();
    }
    await page.locator('.prev-next .prev').click();
    await page.waitForSelector(`[data-lesson="${slugs[slugs.length - 2]}"]`);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // A contents link moves to its section; a deep link to a section scrolls there after reload.
  it('contents links and deep links reach their section', async () => {
    const page = await s.open(`/lessons/${slugs[3]}`);
    const link = page.locator('.toc-sidebar .toc-sections a').nth(3);
    const target = (await link.getAttribute('href')).split('#')[1];
    await link.click();
    await page.waitForFunction((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= -2 && r.top < 120;
    }, target);
    assert.equal(new URL(page.url()).hash, `#${target}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.reload();
    await page.waitForSelector(`[data-lesson="${slugs[3]}"]`);
    await page.waitForFunction((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= -2 && r.top < 120;
    }, target, { timeout: 5000 });
    await page.close();
  });

  // Search finds a lesson by a word of its body, offline (no request is made for it), and marks
  // the word in the excerpt.
  it('search finds a lesson by a word in its body', async () => {
    const page = await s.open('/search');
    let requests = 0;
    page.on('request', (r) => { if (['document', 'fetch', 'xhr'].includes(r.resourceType())) requests += 1; });
    await page.locator('#search-input').fill('backpressure');
    const first = page.locator('.search-results li a').first();
    assert.match(await first.getAttribute('href'), /^\/lessons\/message-passing/);
    // The words found are marked in each excerpt, and only those.
    const marks = await page.locator('.search-results li').first().locator('p mark').allInnerTexts();
    assert.ok(marks.length > 0 && marks.every((m) => m.toLowerCase().startsWith('backpressure')), marks.join(' | '));
    assert.equal(requests, 0);
    await page.locator('#search-input').fill('zzqx');
    assert.match(await page.locator('.search-page [role=status]').innerText(), /Nothing matches/);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  });

  // Reading to the end marks a lesson read; the map shows it, and it survives a reload.
  it('remembers which lessons were read', async () => {
    const page = await s.open(`/lessons/${slugs[1]}`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    await page.waitForSelector(`[data-lesson="${slugs[1]}"]`);
    assert.equal(await page.locator('.read-badge').count(), 0);
    await page.locator('.lesson-end').scrollIntoViewIfNeeded();
    await page.waitForSelector('.read-badge');
    await page.goto(new URL('/', page.url()).href);
    await page.waitForSelector(`.lesson-card[data-read=true] a[href="/lessons/${slugs[1]}"]`);
    await page.reload();
    await ready(page);
    await page.waitForSelector('[data-testid=read-count]');
    assert.match(await page.locator('[data-testid=read-count]').innerText(), /^1 of 8 read/);
    await page.close();
  });

  // A learner who tabs straight to "Mark as read" (the focus brings the lesson's end into view)
  // and presses it a moment later marks the lesson read: reaching the end does not turn the button
  // into "mark as unread" under them first.
  it('marks a lesson read from the keyboard', async () => {
    const page = await s.open(`/lessons/${slugs[2]}`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    const button = page.locator('.lesson-end button');
    await button.focus();
    await page.waitForTimeout(300);
    assert.equal(await button.innerText(), 'Mark as read');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.read-badge');
    await page.waitForTimeout(1500);
    assert.equal(await button.innerText(), 'Read ✓ (mark as unread)');
    await page.close();
  });

  // On a phone the contents are a menu; code scrolls inside its block; nothing overflows; axe is clean.
  it('reads well on a phone', async () => {
    for (const slug of slugs) {
      const page = await s.open(`/lessons/${slug}`, { viewport: { width: 360, height: 740 } });
      assert.equal(await page.locator('.toc-sidebar').isVisible(), false);
      await page.locator('.toc-menu summary').click();
      assert.ok(await page.locator('.toc-menu .toc-sections a').first().isVisible());
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${slug} overflows by ${overflow}px`);
      assert.deepEqual(await axeViolations(page), [], `axe on ${slug} (phone)`);
      await page.close();
    }
  });
});
