// Offline in Firefox: after one visit the service worker serves the build with the headers
// threads need, so a lesson and its widgets work with the host gone; and on a host that sends no
// COOP/COEP the worker gives the page threads after one reload.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, ready, runPrimes, threadStatus, until, exploreLostUpdate, LOST_UPDATE } from './harness.mjs';

const LESSON = '/lessons/race-conditions';

/** Waits until the service worker controls the page. */
async function controlled(page) {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await until(page, () => navigator.serviceWorker.controller !== null, undefined, 15_000);
}

/** Stops the site's server, and checks that nothing answers at its address any more. */
async function hostGone(s) {
  await Promise.race([s.server.close(), new Promise((ok) => setTimeout(ok, 2000))]);
  await assert.rejects(fetch(s.server.url + '/'), 'the host still answers');
}

/** Opens the lesson in `page` with the host gone: drawn from the cache, widgets and threads working. */
async function lessonOffline(s, page) {
  await page.goto(s.server.url + LESSON);
  await ready(page);
  assert.equal(await page.$eval('#app', (a) => a.dataset.path), LESSON, 'the lesson\'s own prerendered page');
  assert.ok((await page.$eval('h1', (h) => h.innerText)).length > 3);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const [status, cores] = [await threadStatus(page), await page.evaluate(() => navigator.hardwareConcurrency)];
  assert.deepEqual([status.state, status.workers], ['ready', String(cores)], status.text);
  assert.deepEqual(await exploreLostUpdate(page), LOST_UPDATE);
  assert.deepEqual(s.errors, []);
}

describe('Firefox offline, served with COOP/COEP', () => {
  const s = useSite({ isolated: true });

  it('works with the host gone after a first visit, threads included', async () => {
    const page = await s.open('/');
    await controlled(page);
    await hostGone(s);
    await lessonOffline(s, page);
    await page.goto(s.server.url + '/');
    await ready(page);
    const r = await runPrimes(page, 2_000_000);
    assert.deepEqual([r.primes, r.mode], [148_933, 'pool']);
    assert.deepEqual(s.errors, []);
  });
});

describe('Firefox offline, served without COOP/COEP', () => {
  const s = useSite({ isolated: false, serviceWorkers: true });

  it('gives the page threads after one reload, then works with the host gone', async () => {
    const page = s.watch(await s.browser.newPage());
    await page.goto(s.server.url + '/');
    await until(page, () => crossOriginIsolated === true, undefined, 20_000);
    await ready(page);
    // This document came from the one reload the page asks for once the worker controls it.
    assert.deepEqual(await page.evaluate(() => [performance.getEntriesByType('navigation')[0].type,
      sessionStorage.getItem('interleave.isolation-reload')]), ['reload', '1']);
    const [status, cores] = [await threadStatus(page), await page.evaluate(() => navigator.hardwareConcurrency)];
    assert.deepEqual([status.state, status.isolated, status.workers], ['ready', 'true', String(cores)], status.text);
    const r = await runPrimes(page, 2_000_000);
    assert.deepEqual([r.primes, r.mode], [148_933, 'pool']);
    await hostGone(s);
    await lessonOffline(s, page);
  });
});
