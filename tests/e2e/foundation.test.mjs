// The site shell in a real browser, with and without cross-origin isolation: routes, the worker
// pool, a parallel job that never blocks the page, the one-thread fallback, and accessibility.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, runPrimes, site, axeViolations, watchFrames } from './harness.mjs';

describe('served with COOP/COEP', () => {
  const s = useSite({ isolated: true });

  // Isolation is on and the pool runs one worker per logical core.
  it('starts one worker per core, cross-origin isolated', async () => {
    const page = await s.open('/');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const status = page.locator('[data-testid=thread-status]');
    assert.equal(await status.getAttribute('data-isolated'), 'true');
    assert.equal(await status.getAttribute('data-workers'), String(cores));
    assert.match(await status.innerText(), new RegExp(`${cores} worker thread`));
    await page.close();
  });

  // Home, every lesson and an unknown address render; no console errors anywhere; axe is clean.
  it('renders every route, accessibly', async () => {
    const home = await s.open('/');
    const slugs = await home.$$eval('.lesson-map a', (as) => as.map((a) => new URL(a.href).pathname));
    assert.ok(slugs.length >= 7, `lesson map lists ${slugs.length} lessons`);
    assert.deepEqual(await axeViolations(home), []);
    await home.close();
    for (const path of slugs) {
      const page = await s.open(path);
      const h1 = await page.locator('h1').innerText();
      assert.ok(h1.length > 3, `${path} has a title`);
      assert.equal(await page.locator('[data-testid=not-found]').count(), 0, `${path} is not a 404`);
      assert.ok(await page.locator('.prose h2').count() >= 3, `${path} has sections`);
      assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
      await page.close();
    }
    for (const path of ['/no/such/page', '/lessons/no-such-lesson']) {
      const page = await s.open(path);
      await page.waitForSelector('[data-testid=not-found]');
      assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
      await page.close();
    }
    assert.deepEqual(s.errors, []);
  });

  // A parallel job from the UI uses several workers, is right, and frames keep coming (< 100 ms).
  it('runs a parallel job without blocking the main thread', async () => {
    const page = await s.open('/');
    const frames = await watchFrames(page);
    const result = await runPrimes(page, 20_000_000);
    const { max, count } = await frames.stop();
    assert.equal(result.primes, 1_270_607);
    assert.equal(result.mode, 'pool');
    assert.ok(result.threads_used >= 2, `threads used: ${result.threads_used}`);
    assert.ok(count > 10, `only ${count} frames during the job`);
    assert.ok(max < 100, `longest frame gap ${max.toFixed(1)} ms`);
    console.log(`  pool job: ${result.wall_ms} ms on ${result.threads_used} threads, longest frame gap ${max.toFixed(1)} ms over ${count} frames`);
    await page.close();
  });

  // Cancel stops a long run; an out-of-range setting is refused with its reason.
  it('cancels a run and refuses bad settings', async () => {
    const page = await s.open('/');
    const widget = page.locator('[data-widget=prime-count]');
    await widget.locator('input[name=limit]').fill('50000000');
    await widget.getByRole('button', { name: 'Run' }).click();
    await page.waitForSelector('[data-widget=prime-count][data-state=running]');
    await widget.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForSelector('[data-widget=prime-count][data-state=idle]', { timeout: 10_000 });
    assert.match(await widget.locator('.note').innerText(), /Cancelled after \d+%/);
    await widget.locator('input[name=limit]').fill('0');
    await widget.getByRole('button', { name: 'Run' }).click();
    assert.match(await widget.locator('.refusal').innerText(), /between 2 and 50,000,000/);
    assert.equal(await widget.getAttribute('data-state'), 'idle');
    await page.close();
  });
});

describe('served without COOP/COEP', () => {
  const s = useSite({ isolated: false });

  // The page says why it runs on one thread, and the same job still gives the right answer.
  it('falls back to one thread, says why, and is still right', async () => {
    const page = await s.open('/');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const status = page.locator('[data-testid=thread-status]');
    assert.equal(await status.getAttribute('data-isolated'), 'false');
    assert.equal(await status.getAttribute('data-workers'), '0');
    assert.match(await status.innerText(), /not cross-origin isolated/);
    const frames = await watchFrames(page);
    const result = await runPrimes(page, 2_000_000);
    const { max } = await frames.stop();
    assert.equal(result.primes, 148_933);
    assert.equal(result.mode, 'main-thread');
    console.log(`  fallback job: ${result.wall_ms} ms on the main thread, longest frame gap ${max.toFixed(1)} ms`);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
    await page.close();
  });
});
