// The lab module, loaded when it is needed: a lesson is read and live without it; it is fetched
// once a widget comes near the screen, once for all the page's widgets; a lab that cannot load
// leaves the page readable and says why, in the frame and in the footer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir } from 'node:fs/promises';
import { useSite, ready } from './harness.mjs';

const LESSON = '/lessons/race-conditions';
const PHONE = { width: 412, height: 823 };

/** Scrolls so that the first widget's frame is half a screen below the visible part of the page. */
const nearFirstWidget = (page) => page.evaluate(() => {
  const top = document.querySelector('.live').getBoundingClientRect().top + scrollY;
  scrollTo(0, top - innerHeight * 1.5);
});

describe('the lab, loaded when it is needed', () => {
  const s = useSite({ isolated: true });

  it('reads a lesson, live, without the lab; fetches it once when a widget comes near', async () => {
    const context = await s.browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
    const page = await context.newPage();
    const fetched = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/lab/')) fetched.push(new URL(r.url()).pathname); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.server.url + LESSON);
    await page.waitForSelector('html[data-app=live]');
    await sleep(2000);
    assert.deepEqual(fetched, [], 'nothing of the lab is fetched for the top of a lesson');
    const status = page.locator('[data-testid=thread-status]');
    assert.equal(await status.getAttribute('data-state'), 'not-started');
    assert.match(await status.innerText(), /start with the first experiment/);
    const frames = page.locator('[data-widget][data-state=waiting]');
    const widgets = await frames.count();
    assert.ok(widgets >= 2, `the lesson has ${widgets} widgets`);
    assert.match(await frames.first().innerText(), /starts when you reach it/);

    await nearFirstWidget(page);
    await page.waitForFunction(() => !document.querySelector('[data-widget][data-state=waiting]'), null, { timeout: 30_000 });
    assert.equal(await page.locator('[data-widget]').count(), widgets, 'every widget is drawn, in its place');
    await page.waitForSelector('[data-testid=thread-status][data-state=ready]');
    const modules = fetched.filter((p) => p.endsWith('.wasm'));
    assert.equal(modules.length, 1, `the lab module is fetched once: ${fetched.join(', ')}`);
    // And it works: the race widget runs on the pool.
    const race = page.locator('[data-widget=race]');
    await race.getByRole('button', { name: 'Run' }).first().click();
    await page.waitForSelector('[data-widget=race][data-state=done]', { timeout: 60_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('says why when the lab cannot load, and the lesson stays readable', async () => {
    const context = await s.browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
    await context.route('**/lab/*_bg.wasm', (route) => route.abort('connectionrefused'));
    const page = await context.newPage();
    await page.goto(s.server.url + LESSON);
    await page.waitForSelector('html[data-app=live]');
    await nearFirstWidget(page);
    const failed = page.locator('[data-widget][data-state=error]').first();
    await failed.waitFor({ timeout: 30_000 });
    assert.match(await failed.innerText(), /This experiment could not start: .+\. Reloading the page may help\./);
    assert.equal(await page.locator('[data-widget][data-state=waiting]').count(), 0, 'no frame is left waiting');
    const status = page.locator('[data-testid=thread-status]');
    await page.waitForSelector('[data-testid=thread-status][data-state=fallback]');
    assert.match(await status.innerText(), /The experiments could not be loaded/);
    assert.ok((await page.locator('.prose').innerText()).length > 3000, 'the lesson still reads in full');
    await context.close();
  });

  it('says in each of its widgets, and in the footer, that the lab stopped; the rest works', async () => {
    const page = await s.open(LESSON);
    // What the panic hook shows (`crates/lab/src/stopped.rs`), called as the hook calls it.
    await page.evaluate(async () => {
      const lab = await import(document.querySelector('meta[name=interleave-lab]').dataset.js);
      lab.showStopped('index out of bounds: the len is 3 but the index is 7');
    });
    const frames = page.locator('.live[data-drawn-by=lab] section.widget');
    const count = await frames.count();
    assert.ok(count >= 2);
    for (let i = 0; i < count; i++) {
      const frame = frames.nth(i);
      assert.equal(await frame.getAttribute('data-state'), 'error');
      assert.match(await frame.locator('[data-testid=lab-stopped]').innerText(),
        /^This experiment stopped because of an error inside it \(index out of bounds: .*\)\. Reload the page to start the experiments again; your progress is saved\.$/);
      assert.equal(await frame.locator('button:not([disabled])').count(), 0, 'its controls are disabled');
    }
    const status = page.locator('[data-testid=thread-status]');
    await page.waitForSelector('[data-testid=thread-status][data-state=fallback]');
    assert.match(await status.innerText(), /The experiments stopped because of an error/);
    await mkdir('artifacts', { recursive: true });
    await frames.first().scrollIntoViewIfNeeded();
    await frames.first().screenshot({ path: 'artifacts/stopped-widget.png' });
    // The reader goes on: another page opens and hydrates.
    await page.locator('header nav a', { hasText: 'Lessons' }).click();
    await page.waitForSelector('.lesson-map a');
    await ready(page);
    assert.deepEqual(s.errors, []);
    await page.close();
  });
});
