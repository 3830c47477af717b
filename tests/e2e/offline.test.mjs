// Offline: after one visit the service worker serves the whole build, with the headers threads
// need; a host without those headers gets them from the worker; a new build is offered as an update.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { runPrimes, site, ready } from './harness.mjs';
import { controlled, copyOfBuild, offerSecondBuild } from './builds.mjs';

describe('offline', () => {
  const cleanup = [];
  after(async () => { for (const f of cleanup) await f(); });

  // Visit once, go offline, reload: every lesson and a threaded widget still work.
  it('works offline after the first visit, threads included', async () => {
    const s = await site({ isolated: true });
    cleanup.push(() => s.close());
    const page = await s.open('/');
    await controlled(page);
    await s.context.setOffline(true);
    await page.reload();
    await ready(page);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const slugs = await page.$$eval('.lesson-map a', (as) => as.map((a) => new URL(a.href).pathname));
    assert.equal(slugs.length, 8);
    for (const path of slugs) {
      await page.goto(s.server.url + path);
      await ready(page);
      assert.ok((await page.locator('h1').innerText()).length > 3, `${path} offline`);
      // The page's own prerendered file, not another page's.
      assert.equal(await page.locator('#app').getAttribute('data-path'), path);
    }
    // An unknown address is answered from the cache as a static host answers it: 404.
    const missing = await page.goto(s.server.url + '/no-such-page');
    assert.equal(missing.status(), 404);
    await ready(page);
    await page.locator('[data-testid=not-found]').waitFor();
    await page.goto(s.server.url + '/');
    await ready(page);
    const status = page.locator('[data-testid=thread-status]');
    assert.ok(Number(await status.getAttribute('data-workers')) >= 2);
    const r = await runPrimes(page, 1_000_000);
    assert.deepEqual([r.primes, r.mode], [78_498, 'pool']);
    await page.goto(s.server.url + '/search?q=mutex');
    await page.waitForSelector('.search-results li');
    await page.goto(s.server.url + '/quiz/race-conditions');
    await ready(page);
    await page.locator('.question input').first().check();
    await page.getByRole('button', { name: 'Check answer' }).click();
    await page.locator('[data-testid=verdict]').waitFor();
    await s.context.setOffline(false);
  });

  // A host that sends no COOP/COEP: the worker adds them, and after one reload threads run.
  it('gives threads to a host without the headers', async () => {
    const s = await site({ isolated: false, serviceWorkers: 'allow' });
    cleanup.push(() => s.close());
    const page = await s.context.newPage();
    await page.goto(s.server.url + '/');
    await page.waitForFunction(() => crossOriginIsolated === true, null, { timeout: 20_000 });
    await ready(page);
    assert.ok(Number(await page.locator('[data-testid=thread-status]').getAttribute('data-workers')) >= 2);
  });

  // A second build is offered as an update; accepting it loads the new build and drops the old cache.
  it('offers a new build as an update', async () => {
    const { dir, remove } = await copyOfBuild();
    cleanup.push(remove);
    const s = await site({ isolated: true, root: dir });
    cleanup.push(() => s.close());
    const page = await s.open('/');
    await controlled(page);
    const before = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('interleave-')));
    assert.equal(before.length, 1);
    await offerSecondBuild(dir, page);
    assert.equal(await page.locator('meta[name=build]').count(), 0, 'the old page keeps its build until accepted');
    await Promise.all([page.waitForEvent('load'), page.locator('#update-banner button').click()]);
    await ready(page);
    assert.equal(await page.locator('meta[name=build]').getAttribute('content'), 'second');
    const afterKeys = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('interleave-')));
    assert.equal(afterKeys.length, 1);
    assert.notEqual(afterKeys[0], before[0]);
  });
});
