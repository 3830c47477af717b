// The site shell in Firefox, with and without cross-origin isolation: every route renders and
// hydrates without a console error, the footer says how many threads run (or why only one), and
// a prime count is right on the worker pool and on the page's one thread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, ready, routes, runPrimes, press, threadStatus } from './harness.mjs';

const UNKNOWN = ['/no/such/page', '/lessons/no-such-lesson'];

for (const isolated of [true, false]) {
  describe(`Firefox, served ${isolated ? 'with' : 'without'} COOP/COEP${isolated ? '' : ', service workers off'}`, () => {
    const s = useSite({ isolated });

    // Each page is the server's HTML adopted by the app (its h1 kept), with no boot message;
    // unknown addresses answer 404 and say so.
    it('renders and hydrates every route without console errors', async () => {
      const page = s.watch(await s.browser.newPage());
      await page.evaluateOnNewDocument(() => {
        document.addEventListener('DOMContentLoaded', () => {
          const h1 = document.querySelector('h1');
          if (h1) h1.dataset.seen = 'server';
        });
      });
      const all = routes();
      assert.ok(all.length >= 17, `the build has ${all.length} routes`);
      for (const path of [...all, ...UNKNOWN]) {
        const unknown = UNKNOWN.includes(path);
        const response = await page.goto(s.server.url + path);
        await ready(page);
        // An unknown address is answered with 404.html and status 404, by the server or, once it
        // controls the page, by the service worker.
        assert.equal(response.status(), unknown ? 404 : 200, `${path}: status`);
        const h1 = await page.$eval('h1', (h) => ({ text: h.innerText, seen: h.dataset.seen ?? null }));
        assert.ok(h1.text.length > 3, `${path} has a title`);
        if (unknown) {
          assert.ok(await page.$('[data-testid=not-found]'), `${path} says it does not exist`);
        } else {
          assert.equal(h1.seen, 'server', `${path}: the server's h1 was replaced, not hydrated`);
          assert.equal(await page.$('[data-testid=not-found]'), null, `${path} is not a 404`);
        }
        assert.equal(await page.$eval('#boot', (b) => b.hidden), true,
          `${path}: boot message shown: ${await page.$eval('#boot', (b) => b.innerText)}`);
      }
      assert.deepEqual(s.errors, []);
      await page.close();
    });

    it(isolated ? 'starts one worker per core' : 'falls back to one thread and says why', async () => {
      const page = await s.open('/');
      const { coi, cores, sw } = await page.evaluate(() => ({
        coi: crossOriginIsolated, cores: navigator.hardwareConcurrency, sw: 'serviceWorker' in navigator,
      }));
      const status = await threadStatus(page);
      assert.equal(coi, isolated, 'crossOriginIsolated');
      assert.equal(status.isolated, String(isolated));
      if (isolated) {
        assert.equal(status.state, 'ready', status.text);
        assert.equal(status.workers, String(cores));
        assert.match(status.text, new RegExp(`${cores} worker threads? ready`));
      } else {
        assert.equal(sw, false, 'service workers are off in this profile');
        assert.equal(status.state, 'fallback', status.text);
        assert.equal(status.workers, '0');
        assert.match(status.text, /One thread only/);
        assert.match(status.text, /not cross-origin isolated/);
      }
      assert.deepEqual(s.errors, []);
      await page.close();
    });

    it(`counts the primes below 2,000,000 ${isolated ? 'on the worker pool' : 'on the main thread'}`, async () => {
      const page = await s.open('/');
      const result = await runPrimes(page, 2_000_000);
      assert.equal(result.primes, 148_933);
      assert.equal(result.mode, isolated ? 'pool' : 'main-thread');
      if (isolated) assert.ok(result.threads_used >= 2, `threads used: ${result.threads_used}`);
      console.log(`  Firefox ${result.mode} job: ${result.wall_ms} ms`);
      assert.deepEqual(s.errors, []);
      await page.close();
    });

    // Firefox's wasm SIMD lanes give the very checksum the native scalar loop gives
    // (crates/core/tests/simd.rs); the threaded ways run only on the pool.
    it(`computes the SIMD lab's picture alike every way ${isolated ? 'on the worker pool' : 'on the main thread'}`, async () => {
      const page = await s.open('/lessons/how-parallelism-works');
      const w = '[data-widget=simd]';
      await page.locator(`${w} input[name=width]`).fill('240');
      await page.locator(`${w} input[name=iterations]`).fill('300');
      await press(page, w, 'Run');
      await page.waitForSelector(`${w}[data-state=done]`, { timeout: 60_000 });
      const r = JSON.parse(await page.$eval(w, (e) => e.dataset.result));
      assert.equal(r.results_match, true);
      assert.equal(r.checksum, 60_524_528_321);
      assert.equal(r.threads_lanes_ms === null, !isolated, JSON.stringify(r));
      console.log(`  Firefox simd 240 wide: scalar ${r.scalar_ms} ms, lanes ${r.lanes_ms} ms`);
      assert.deepEqual(s.errors, []);
      await page.close();
    });
  });
}
