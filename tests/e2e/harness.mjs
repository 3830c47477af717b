// Shared helpers for the end-to-end tests: Debian's Chromium, console capture, axe-core scans.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { serve } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = process.env.INTERLEAVE_DIST ?? resolve(here, '../../dist');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Debian's Chromium with the project's flags, and `args` after them. */
export async function launch({ args = [] } = {}) {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...args] });
}

/**
 * Starts a server of the built site and a browser; returns both and a page factory. Without
 * isolation the service worker is blocked unless asked for: it would add the headers itself.
 * `args` are more Chromium flags.
 */
export async function site({ isolated, root = DIST, serviceWorkers = isolated ? 'allow' : 'block', args = [] }) {
  // A build without prerendered pages (an older one, for benchmarks) needs its one page for every address.
  const server = await serve({ root, isolated, spa: !existsSync(join(root, 'lessons')) });
  const browser = await launch({ args });
  const context = await browser.newContext({ serviceWorkers });
  const errors = [];
  async function open(path, { viewport } = {}) {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('console', (m) => {
      // An unknown address is answered with 404, as asked for (by the server, or offline by the
      // service worker), and Chromium logs that.
      const own404 = m.text().startsWith('Failed to load resource') && m.text().includes('404') && m.location().url === server.url + path;
      if (m.type() === 'error' && !own404) errors.push(`${path}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    await page.goto(server.url + path);
    await ready(page);
    return page;
  }
  async function close() { await browser.close(); await server.close(); }
  return { server, browser, context, open, errors, close };
}

/**
 * The site of one test suite: started before its first test, closed after its last. Returns the
 * handle `site()` gives, filled in once the suite starts.
 */
export function useSite(options) {
  const handle = {};
  before(async () => { Object.assign(handle, await site(options)); });
  after(async () => { await handle.close(); });
  return handle;
}

/** Counts the primes below `limit` with the home page's prime-count widget; returns its result. */
export async function runPrimes(page, limit) {
  const widget = page.locator('[data-widget=prime-count]');
  await widget.locator('input[name=limit]').fill(String(limit));
  await widget.getByRole('button', { name: 'Run' }).click();
  await page.waitForSelector('[data-widget=prime-count][data-state=done]', { timeout: 60_000 });
  return JSON.parse(await widget.getAttribute('data-result'));
}

/**
 * Waits until the app has hydrated the page and shows the saved record; on a page with widgets,
 * until they are all drawn, and if the lab draws some, until the pool has settled. The lab loads once a widget comes
 * near the screen, so the first one is brought there, and the page scrolled back.
 */
export async function ready(page) {
  // (A build without prerendered pages, benchmarked beside this one, has no such mark.)
  const prerendered = (await page.locator('#app').count()) > 0;
  if (prerendered) await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
  if (prerendered && (await page.locator('.live').count())) {
    // Each frame in turn, near but not in view: a widget that starts when it is seen (the
    // barista) must not start.
    const y = await page.evaluate(() => scrollY);
    for (let i = 0, n = await page.locator('.live').count(); i < n; i++) {
      await page.evaluate((i) => {
        const to = document.querySelectorAll('.live')[i].getBoundingClientRect().top + scrollY - innerHeight * 1.5;
        if (to > scrollY) scrollTo(0, to);
      }, i);
      await page.waitForFunction((i) => document.querySelectorAll('.live')[i].querySelector('[data-widget]:not([data-state=waiting])'), i, { timeout: 30_000 });
    }
    await page.waitForFunction(() => !document.querySelector('[data-widget][data-state=waiting]'), null, { timeout: 30_000 });
    await page.evaluate((top) => scrollTo(0, top), y);
  }
  if (prerendered && (await page.locator('.live[data-drawn-by=lab]').count())) {
    await page.waitForSelector('[data-testid=thread-status]:is([data-state=ready], [data-state=fallback])', { timeout: 30_000 });
  } else {
    await page.waitForSelector('[data-testid=thread-status]:not([data-state=starting])', { timeout: 30_000 });
  }
}

/** Violations of impact serious or critical found by axe-core on the page as it is now. */
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/** Starts recording the gaps between animation frames; `stop()` returns the longest in ms. */
export async function watchFrames(page) {
  await page.evaluate(() => {
    window.__frames = { last: performance.now(), max: 0, count: 0, on: true };
    const tick = (t) => {
      const f = window.__frames;
      if (!f.on) return;
      f.max = Math.max(f.max, t - f.last); f.last = t; f.count += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return {
    stop: () => page.evaluate(() => { window.__frames.on = false; return { max: window.__frames.max, count: window.__frames.count }; }),
  };
}
