// Helpers for the end-to-end tests in Firefox: Debian's firefox-esr driven by puppeteer-core over
// WebDriver BiDi, a fresh profile for each suite, the built site served by ../server.mjs.
import { before, after } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { serve } from '../server.mjs';
import { DIST } from '../harness.mjs';

const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const VIEWPORT = { width: 1280, height: 720 };
// Every wait polls on a timer: a tab in the background gets few animation frames.
const POLL = 50;

/** Every address of the built site: home, the lessons in order, their quizzes, search, review. */
export function routes() {
  const dir = join(DIST, 'content/lessons');
  const lessons = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))).sort((a, b) => a.order - b.order);
  const quizzes = JSON.parse(readFileSync(join(DIST, 'content/quizzes.json'), 'utf8'));
  return ['/', ...lessons.map((l) => `/lessons/${l.slug}`), ...quizzes.map((q) => `/quiz/${q.lesson}`), '/search', '/review'];
}

/**
 * Starts a server of the built site (with or without the COOP/COEP headers) and Firefox on a
 * profile of its own. Service workers are on with isolation and off without it, unless
 * `serviceWorkers` says otherwise: the worker would add the headers itself.
 */
export async function site({ isolated, serviceWorkers = isolated }) {
  const server = await serve({ root: DIST, isolated });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: VIEWPORT,
    extraPrefsFirefox: serviceWorkers ? {} : { 'dom.serviceWorkers.enabled': false },
  });
  const errors = [];
  /** Records the page's console errors and uncaught exceptions in `errors`. */
  function watch(page) {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    return page;
  }
  /** A new tab, watched, at `path`, once `ready`. */
  async function open(path) {
    const page = watch(await browser.newPage());
    await page.goto(server.url + path);
    await ready(page);
    return page;
  }
  async function close() { await browser.close(); await server.close(); }
  return { server, browser, errors, watch, open, close };
}

/** The site of one suite: started before its first test, closed after its last. */
export function useSite(options) {
  const handle = {};
  before(async () => { Object.assign(handle, await site(options)); });
  after(async () => { await handle.close?.(); });
  return handle;
}

/** Waits until `fn(arg)` is true in the page. */
export function until(page, fn, arg, timeout = 30_000) {
  return page.waitForFunction(fn, { polling: POLL, timeout }, arg);
}

/**
 * Waits until the app has hydrated the page and, on a page with widgets, until they are all
 * drawn; if the lab draws some, until the pool has settled. The lab loads once a widget comes
 * near the screen, so each frame in turn is brought near (1.5 screens below the top, never into
 * view: a widget that starts when it is seen must not start), and the page scrolled back.
 */
export async function ready(page) {
  await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
  const frames = await page.$$eval('.live', (ls) => ls.length);
  if (frames) {
    const y = await page.evaluate(() => scrollY);
    for (let i = 0; i < frames; i++) {
      await page.evaluate((i) => {
        const to = document.querySelectorAll('.live')[i].getBoundingClientRect().top + scrollY - innerHeight * 1.5;
        if (to > scrollY) scrollTo(0, to);
      }, i);
      await until(page, (i) => !!document.querySelectorAll('.live')[i].querySelector('[data-widget]:not([data-state=waiting])'), i);
    }
    await until(page, () => !document.querySelector('[data-widget][data-state=waiting]'));
    await page.evaluate((top) => scrollTo(0, top), y);
  }
  if (await page.$('.live[data-drawn-by=lab]')) {
    await page.waitForSelector('[data-testid=thread-status]:is([data-state=ready], [data-state=fallback])', { timeout: 30_000 });
  }
}

/** Clicks the button whose whole text is `name` inside the element matching `scope`. */
export async function press(page, scope, name) {
  const found = await until(page, ({ scope, name }) => [...document.querySelectorAll(`${scope} button`)]
    .find((b) => b.textContent.trim() === name && !b.disabled), { scope, name }, 10_000)
    .catch(() => { throw new Error(`no enabled button "${name}" in ${scope}`); });
  await found.asElement().click();
}

/** The footer's thread status: its data attributes and its text. */
export function threadStatus(page) {
  return page.$eval('[data-testid=thread-status]', (s) => ({ ...s.dataset, text: s.innerText }));
}

/** Counts the primes below `limit` with the home page's prime-count widget; returns its result. */
export async function runPrimes(page, limit) {
  const widget = '[data-widget=prime-count]';
  await page.locator(`${widget} input[name=limit]`).fill(String(limit));
  await press(page, widget, 'Run');
  await page.waitForSelector(`${widget}[data-state=done]`, { timeout: 60_000 });
  return JSON.parse(await page.$eval(widget, (w) => w.dataset.result));
}

/** Explores every interleaving of a built-in program; returns the widget's result. */
export async function exploreProgram(page, id) {
  const w = '[data-widget=explorer]';
  await page.select(`${w} #explorer-program`, id);
  await press(page, w, 'Explore all');
  await press(page, w, 'Explore every interleaving');
  await page.waitForSelector(`${w}[data-state=done]`, { timeout: 30_000 });
  return JSON.parse(await page.$eval(w, (e) => e.dataset.result));
}

/** What the native engine counts for `lost-update` (two threads, `x = x + 1` each). */
export const LOST_UPDATE = { counts: { schedules: 6, complete: 6, bad: 4 }, outcomes: [[1, 4, true], [2, 2, false]] };

/** Explores `lost-update`; returns its counts and outcomes (x, schedules, bad) as LOST_UPDATE has them. */
export async function exploreLostUpdate(page) {
  const r = await exploreProgram(page, 'lost-update');
  return { counts: { schedules: r.schedules, complete: r.complete, bad: r.bad }, outcomes: r.outcomes.map((o) => [o.values.x, o.schedules, o.bad]) };
}
