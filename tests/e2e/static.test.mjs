// The prerendered site: every page's HTML holds its content as a file, reads without JavaScript,
// hydrates without errors, replaced nodes or layout shift, and deep links work on a static host.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { useSite, DIST } from './harness.mjs';

// Warnings said on every page that are not the page's own: wasm-bindgen-rayon's worker helper
// calls wasm-bindgen's init the old way, and Playwright says it blocked the service worker, as
// these tests ask it to (the worker would otherwise add the headers and serve from its cache).
// And Chromium's own word when the gpu widget asks for a GPU adapter on a machine that has none
// for it (the widget then says so: gpu.test.mjs).
const KNOWN_WARNINGS = [
  'using deprecated parameters for the initialization function',
  'Service Worker registration blocked by Playwright',
  'No available adapters.',
];

const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&');
const squash = (s) => s.replace(/\s+/g, ' ').trim();
// Tags that end a line of text: they become a space, so that table cells and list items stay
// apart; inline tags (code, strong, a…) vanish, so that words they wrap stay whole.
const BLOCK = /^<\/?(p|li|ul|ol|td|th|tr|thead|tbody|table|div|section|h[1-6]|pre|br|blockquote|figure|figcaption|caption|dl|dt|dd|hr|nav|aside|article|header|footer|main|details|summary|form|label|input|button)\b/i;
/** The text a reader sees in some HTML, whitespace collapsed. */
const text = (html) => squash(decode(html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, (t) => (BLOCK.test(t) ? ' ' : ''))));
/** The prerendered app of a page: `#app` up to the page's own script. */
const appHtml = (html) => html.slice(html.indexOf('<div id="app"'), html.indexOf('<script type="module">', html.indexOf('<div id="app"')));
/** The inner HTML of the first element matching `open…</tag>` in `html`, or undefined. */
const inner = (html, re) => html.match(re)?.[1];
const inView = (id) => {
  const top = document.getElementById(id)?.getBoundingClientRect().top;
  return { top, height: innerHeight, live: document.documentElement.dataset.app === 'live' };
};
const isInView = ({ top, height }) => typeof top === 'number' && top >= 0 && top < height;

/** Fails at once, and says so, on a build that was not prerendered. */
function distComplete() {
  const complete = ['index.html', '404.html', 'content/quizzes.json', 'lessons', 'quiz', 'search/index.html', 'review/index.html']
    .every((f) => existsSync(join(DIST, f))) && readFileSync(join(DIST, 'index.html'), 'utf8').includes('<div id="app" data-path=');
  assert.ok(complete, `${DIST} is not a complete prerendered build (run ./x, which prerenders after trunk build)`);
}

describe('static pages and hydration', () => {
  const s = useSite({ isolated: true, serviceWorkers: 'block' });
  let lessons; // in order, from the build's content files
  let quizzes;
  before(async () => {
    distComplete();
    const dir = join(DIST, 'content/lessons');
    lessons = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))).sort((a, b) => a.order - b.order);
    quizzes = JSON.parse(readFileSync(join(DIST, 'content/quizzes.json'), 'utf8'));
  });
  const get = async (path) => {
    const res = await fetch(s.server.url + path);
    return { status: res.status, html: await res.text() };
  };
  const routes = () => ['/', ...lessons.map((l) => `/lessons/${l.slug}`), ...quizzes.map((q) => `/quiz/${q.lesson}`), '/search', '/review'];

  // Each lesson's file, as a static host serves it: its title, every heading and all its text.
  it('every lesson page holds its whole lesson as HTML', async () => {
    assert.equal(lessons.length, 8);
    for (const l of lessons) {
      const { status, html } = await get(`/lessons/${l.slug}`);
      assert.equal(status, 200, l.slug);
      const app = appHtml(html);
      assert.equal(text(inner(app, /<h1[^>]*>([\s\S]*?)<\/h1>/) ?? ''), l.title, `${l.slug}: h1`);
      for (const h of l.headings) {
        const heading = inner(app, new RegExp(`<h${h.level} id="${h.id}"[^>]*>([\\s\\S]*?)</h${h.level}>`));
        assert.equal(text(heading ?? ''), h.text, `${l.slug}: heading #${h.id}`);
      }
      // The widgets' frames sit between paragraphs of a section but are no part of its text.
      const body = text(app.replace(/<section[^>]*data-widget[\s\S]*?<\/section>/g, ' '));
      for (const section of l.sections) {
        if (body.includes(squash(section.text))) continue;
        // Should the extracted text join some block (a table, code, a list) otherwise than the
        // page lays it out, every line of it of some length must still be there on its own.
        const lines = section.text.split('\n').map(squash).filter((line) => line.length >= 20);
        assert.ok(lines.length > 0, `${l.slug}#${section.id}: its text is not on the page`);
        for (const line of lines) assert.ok(body.includes(line), `${l.slug}#${section.id}: missing "${line}"`);
      }
    }
  });

  // Home, the quizzes (every question and option as text), search, review and the 404 page.
  it('every other page holds its content as HTML', async () => {
    const home = await get('/');
    assert.equal(home.status, 200);
    assert.ok(text(inner(home.html, /<h1[^>]*>([\s\S]*?)<\/h1>/) ?? '').length > 10, 'home h1');
    const map = inner(home.html, /<ol class="lesson-map">([\s\S]*?)<\/ol>/) ?? '';
    const linked = [...map.matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map((m) => [m[1], text(m[2])]);
    assert.deepEqual(linked, lessons.map((l) => [`/lessons/${l.slug}`, l.title]), 'the lesson map links every lesson, in order');

    const byId = new Map(quizzes.flatMap((q) => q.questions).map((q) => [q.id, q]));
    assert.ok(quizzes.some((q) => q.lesson === 'final'));
    for (const quiz of quizzes) {
      const { status, html } = await get(`/quiz/${quiz.lesson}`);
      assert.equal(status, 200, quiz.lesson);
      const app = appHtml(html);
      assert.ok(text(inner(app, /<h1[^>]*>([\s\S]*?)<\/h1>/) ?? '').includes(quiz.title), `${quiz.lesson}: h1`);
      // The final test asks questions of the lessons' quizzes (`include`) besides its own.
      const asked = [...quiz.include.map((id) => byId.get(id)), ...quiz.questions];
      assert.ok(asked.every(Boolean), `${quiz.lesson}: every included question exists`);
      assert.equal((app.match(/class="question static"/g) ?? []).length, asked.length, `${quiz.lesson}: question count`);
      for (const q of asked) {
        const at = app.indexOf(`data-question="${q.id}"`);
        assert.ok(at >= 0, `${quiz.lesson}: question ${q.id}`);
        const end = app.indexOf('data-question="', at + 1);
        const block = text('<div ' + app.slice(at, end < 0 ? undefined : end));
        // The page shows `code` as <code>…</code>, without the backticks.
        const plain = (t) => squash(t.replaceAll('`', ''));
        assert.ok(block.includes(plain(q.prompt)), `${quiz.lesson}/${q.id}: prompt "${q.prompt}"`);
        for (const o of q.options) assert.ok(block.includes(plain(o.text)), `${quiz.lesson}/${q.id}: option "${o.text}"`);
      }
    }

    for (const [path, h1] of [['/search', /Search/], ['/review', /Review/]]) {
      const { status, html } = await get(path);
      assert.equal(status, 200, path);
      assert.match(text(inner(html, /<h1[^>]*>([\s\S]*?)<\/h1>/) ?? ''), h1, path);
    }
    const missing = await get('/no-such-page');
    assert.equal(missing.status, 404);
    assert.equal(text(inner(missing.html, /<h1[^>]*>([\s\S]*?)<\/h1>/) ?? ''), 'This page does not exist');
  });

  // Each page's <title> names it; a lesson's meta description is its summary (what search
  // results and link previews show).
  it('every page has its own title, and lessons their summary as description', async () => {
    const titleOf = (html) => decode(inner(html, /<title>([\s\S]*?)<\/title>/) ?? '');
    const titles = new Map();
    for (const path of [...routes(), '/no-such-page']) titles.set(path, titleOf((await get(path)).html));
    assert.match(titles.get('/'), /Interleave/);
    for (const l of lessons) assert.ok(titles.get(`/lessons/${l.slug}`).includes(l.title), `title of ${l.slug}: ${titles.get(`/lessons/${l.slug}`)}`);
    for (const q of quizzes) assert.ok(titles.get(`/quiz/${q.lesson}`).includes(q.title), `title of quiz ${q.lesson}: ${titles.get(`/quiz/${q.lesson}`)}`);
    assert.match(titles.get('/search'), /Search/);
    assert.match(titles.get('/review'), /Review/);
    assert.match(titles.get('/no-such-page'), /not found/i);
    assert.equal(new Set(titles.values()).size, titles.size, 'no two pages share a title');
    const wrong = [];
    for (const l of lessons) {
      const { html } = await get(`/lessons/${l.slug}`);
      const description = decode(inner(html, /<meta name="description" content="([^"]*)"/) ?? '');
      if (description !== l.summary) wrong.push(`${l.slug}: "${description}"`);
    }
    assert.deepEqual(wrong, [], 'lesson pages whose meta description is not their summary');
  });

  // Without JavaScript: follow the lesson map and the next link, see the widgets' frames, read
  // a quiz's questions and the note that checking answers needs JavaScript.
  it('reads and navigates with JavaScript off', async () => {
    const context = await s.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(s.server.url + '/');
    await Promise.all([page.waitForURL(`**/lessons/${lessons[0].slug}`), page.locator('.lesson-map a').first().click()]);
    assert.equal(await page.locator('h1').innerText(), lessons[0].title);
    await Promise.all([page.waitForURL(`**/lessons/${lessons[1].slug}`), page.locator('nav.prev-next a.next').click()]);
    assert.equal(await page.locator('h1').innerText(), lessons[1].title);
    const widgets = lessons[1].blocks.filter((b) => b.Widget).length;
    assert.ok(widgets > 0, 'the second lesson has widgets');
    const frames = page.locator('section.widget[data-widget][data-state=waiting]');
    assert.equal(await frames.count(), widgets);
    for (let i = 0; i < widgets; i++) {
      assert.ok(await frames.nth(i).locator('h2.widget-title').isVisible());
      assert.ok((await frames.nth(i).locator('h2.widget-title').innerText()).length > 3);
      assert.match(await frames.nth(i).innerText(), /starts when you reach it/);
    }
    assert.ok((await page.locator('#app').innerText()).length > 3000, 'the lesson reads in full');

    const quiz = quizzes.find((q) => q.lesson === lessons[3].slug);
    await page.goto(s.server.url + `/quiz/${quiz.lesson}`);
    assert.match(await page.locator('.noscript-note').innerText(), /Checking answers needs JavaScript/);
    const prompts = page.locator('.question.static .prompt');
    assert.equal(await prompts.count(), quiz.questions.length);
    assert.ok(await prompts.last().isVisible());
    assert.ok((await prompts.first().innerText()).includes(quiz.questions[0].prompt.replaceAll('`', '')));
    assert.equal(await page.evaluate(() => document.documentElement.dataset.app), undefined);
    await context.close();
  });

  // With JavaScript, every address hydrates cleanly: no error, no unknown warning, the server's
  // h1 adopted rather than replaced, every widget mounted; unknown addresses say so with a 404.
  it('hydrates every page without errors, keeping the server\'s nodes', async () => {
    const context = await s.browser.newContext({ serviceWorkers: 'block' });
    // Marks the server's h1 before the app starts: the app hydrates only once the wasm and the
    // page's content have been fetched, which DOMContentLoaded does not wait for (and that the
    // page was not live yet when it fired is checked too).
    await context.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        const h1 = document.querySelector('h1');
        if (h1) h1.dataset.seen = 'server';
        window.__markedBeforeLive = !!h1 && document.documentElement.dataset.app !== 'live';
      });
    });
    const problems = [];
    const unknown = ['/no-such-page', '/lessons/no-such-lesson', '/quiz/no-such-quiz'];
    for (const path of [...routes(), ...unknown]) {
      const page = await context.newPage();
      const isUnknown = unknown.includes(path);
      page.on('console', (m) => {
        // An unknown address is answered with 404, as asked for, and Chromium logs that.
        const own404 = isUnknown && m.text().startsWith('Failed to load resource') && m.location().url === s.server.url + path;
        if (m.type() === 'error' && !own404) problems.push(`${path}: console error: ${m.text()}`);
        if (m.type() === 'warning' && !KNOWN_WARNINGS.some((w) => m.text().includes(w))) problems.push(`${path}: console warning: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${path}: pageerror: ${e.message}`));
      const response = await page.goto(s.server.url + path);
      await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
      assert.equal(response.status(), isUnknown ? 404 : 200, path);
      assert.equal(await page.evaluate(() => window.__markedBeforeLive), true, `${path}: h1 marked before the app was live`);
      if (isUnknown) {
        await page.getByRole('heading', { level: 1, name: 'This page does not exist' }).waitFor({ timeout: 5000 });
      }
      // 404.html is rendered for /404; elsewhere the app renders afresh (by design, see app.rs).
      if (!isUnknown || path === '/no-such-page') {
        if (await page.locator('h1[data-seen=server]').count() !== 1) problems.push(`${path}: the server's h1 was replaced`);
      }
      try {
        // The lab loads once a widget comes near the screen; then it draws them all.
        for (const live of await page.locator('.live').all()) await live.scrollIntoViewIfNeeded();
        await page.waitForFunction(() => document.querySelectorAll('[data-widget][data-state=waiting]').length === 0, null, { timeout: 10_000 });
      } catch {
        problems.push(`${path}: widgets still waiting: ${await page.$$eval('[data-widget][data-state=waiting]', (ws) => ws.map((w) => w.dataset.widget).join(', '))}`);
      }
      if (await page.locator('#boot').isVisible()) problems.push(`${path}: boot banner: ${await page.locator('#boot').innerText()}`);
      await page.close();
    }
    await context.close();
    assert.deepEqual(problems, []);
  });

  // A first visit to a lesson, and to one of its sections, works on a plain static host: the
  // browser scrolls the static page to the section, and it is still in view once live.
  it('deep links work on a first visit, before and after hydration', async () => {
    const lesson = lessons.find((l) => l.slug === 'race-conditions');
    // A section below the first widget, so that the widget mounting above it would show.
    const firstWidget = lesson.blocks.findIndex((b) => b.Widget);
    const laterHtml = lesson.blocks.slice(firstWidget + 1).map((b) => b.Html ?? '').join('');
    const target = lesson.headings.find((h) => h.level === 2 && laterHtml.includes(`id="${h.id}"`));
    assert.ok(target, 'a level-2 heading after the first widget');
    for (const [path, hash] of [['/lessons/race-conditions', ''], ['/lessons/race-conditions', `#${target.id}`]]) {
      const context = await s.browser.newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Holding the wasm back keeps the page static for as long as the first look takes.
      let release;
      const held = new Promise((ok) => { release = ok; });
      await page.route('**/*_bg.wasm', async (route) => { await held; await route.continue(); });
      await page.goto(s.server.url + path + hash, { waitUntil: 'domcontentloaded' });
      assert.equal(await page.locator('h1').innerText(), lesson.title);
      if (hash) {
        await page.waitForFunction((id) => {
          const top = document.getElementById(id)?.getBoundingClientRect().top;
          return top >= 0 && top < innerHeight;
        }, target.id, { timeout: 10_000 }).catch(() => {});
        const before = await page.evaluate(inView, target.id);
        assert.equal(before.live, false, 'looked before the app was live');
        assert.ok(isInView(before), `#${target.id} in view on the static page: top ${before.top} of ${before.height}`);
      }
      release();
      await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
      assert.equal(await page.locator('h1').innerText(), lesson.title);
      if (hash) {
        const live = await page.evaluate(inView, target.id);
        assert.ok(isInView(live), `#${target.id} in view once live: top ${live.top}`);
        await sleep(1500);
        const later = await page.evaluate(inView, target.id);
        assert.ok(isInView(later), `#${target.id} in view 1.5 s after live: top ${later.top}`);
        assert.equal(new URL(page.url()).hash, hash);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
    // A host may add a slash to a folder's address: the page works and goes live, without it.
    const context = await s.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(s.server.url + '/lessons/race-conditions/');
    assert.equal(response.status(), 200);
    await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
    assert.equal(await page.locator('h1').innerText(), lesson.title);
    assert.equal(new URL(page.url()).pathname, '/lessons/race-conditions');
    await page.locator('.prev-next a.next').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  // Hydration moves nothing: on a phone, the layout shifts of loading, hydrating and mounting
  // the widgets add up to at most 0.02 (without input, as cumulative layout shift counts them).
  it('hydrating a lesson on a phone shifts no layout', async () => {
    const context = await s.browser.newContext({ serviceWorkers: 'block', viewport: { width: 412, height: 823 } });
    await context.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          window.__shifts.push({ value: e.value, input: e.hadRecentInput, at: Math.round(e.startTime),
            live: document.documentElement.dataset.app === 'live',
            nodes: (e.sources ?? []).map((s) => s.node?.nodeName + (s.node?.className ? '.' + s.node.className : '')).join(' ') });
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const page = await context.newPage();
    await page.goto(s.server.url + '/lessons/race-conditions');
    await page.waitForSelector('html[data-app=live]', { timeout: 30_000 });
    await sleep(3000);
    const shifts = await page.evaluate(() => window.__shifts);
    const total = shifts.filter((e) => !e.input).reduce((sum, e) => sum + e.value, 0);
    console.log(`layout shift on /lessons/race-conditions at 412×823: ${total.toFixed(4)} (${shifts.length} entries)`);
    for (const e of shifts) console.log(`  ${e.value.toFixed(4)} at ${e.at} ms${e.live ? ' (live)' : ''}${e.input ? ' (input)' : ''}: ${e.nodes}`);
    assert.ok(total <= 0.02, `layout shift ${total.toFixed(4)} > 0.02`);
    await context.close();
  });
});
