// Site benchmark: Lighthouse (mobile on every page, desktop on one lesson), wasm size, a lesson's
// first-visit transfer and its second-visit paint from the service worker, for the current build
// and, with `BEFORE_DIST=/path ./x bench`, an older one beside it. Prints figures; asserts nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import * as chromeLauncher from 'chrome-launcher';
import { DIST, launch } from './harness.mjs';
import { serve } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const LESSON = '/lessons/race-conditions';
const CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const T = { perf: 95, lcp: 1.5, tbt: 150, cls: 0.02, wasmRaw: 1_200_000, wasmGzip: 350_000, transfer: 450_000, paint: 300 };

const lessonsDir = resolve(here, '../../lessons');
const slugs = readdirSync(lessonsDir).filter((f) => f.endsWith('.md')).sort()
  .map((f) => readFileSync(join(lessonsDir, f), 'utf8').match(/^slug\s*=\s*"([^"]+)"/m)?.[1]).filter(Boolean);
const PAGES = [['/', 'mobile'], ...slugs.map((s) => [`/lessons/${s}`, 'mobile']), [LESSON, 'desktop']];

const builds = [['current', DIST], ...(process.env.BEFORE_DIST ? [['before', resolve(process.env.BEFORE_DIST)]] : [])];
const log = (...a) => console.error('  ...', ...a);
const kb = (b) => (b / 1000).toFixed(1);
const ratio = (x, target) => `${(x / target).toFixed(2)}x target`;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** One Lighthouse run in a fresh Chromium; returns the figures of the table's row. */
async function audit(url, form) {
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', chromeFlags: CHROME_FLAGS });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES },
      form === 'desktop' ? desktopConfig : undefined).catch((e) => ({ error: e.message }));
    if (!result?.lhr) return { error: result?.error ?? 'no result', warnings: [] };
    const { lhr } = result;
    const score = (c) => (lhr.categories[c]?.score == null ? null : Math.round(lhr.categories[c].score * 100));
    const value = (a, unit = 1) => (lhr.audits[a]?.numericValue == null ? null : lhr.audits[a].numericValue / unit);
    return {
      perf: score('performance'), lcp: value('largest-contentful-paint', 1000), tbt: value('total-blocking-time'),
      cls: value('cumulative-layout-shift'), bytes: value('total-byte-weight'), a11y: score('accessibility'),
      bp: score('best-practices'), seo: score('seo'), cpu: lhr.environment.benchmarkIndex,
      error: lhr.runtimeError?.code, warnings: lhr.runWarnings, version: lhr.lighthouseVersion,
    };
  } finally {
    await chrome.kill();
  }
}

/** Gzip bytes of every response of a first visit to the lesson, web workers included. */
async function firstVisit(url) {
  const browser = await launch();
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    let bytes = 0, count = 0, pending = 0, last = Date.now();
    context.on('request', () => { pending += 1; last = Date.now(); });
    const done = async (request, ok) => {
      if (ok) {
        const sizes = request.url().startsWith('http') && await request.sizes().catch(() => null);
        if (sizes) { bytes += Math.max(0, sizes.responseBodySize) + Math.max(0, sizes.responseHeadersSize); count += 1; }
      }
      pending -= 1; last = Date.now();
    };
    context.on('requestfinished', (r) => done(r, true));
    context.on('requestfailed', (r) => done(r, false));
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__tasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(url + LESSON, { waitUntil: 'load' });
    // Take what loads in the 5 s after load, then wait out anything still in flight: the page, as
    // read before any widget is reached.
    const quiet = async () => {
      await sleep(5000);
      for (const end = Date.now() + 15_000; Date.now() < end && (pending > 0 || Date.now() - last < 1000);) await sleep(100);
    };
    await quiet();
    const read = { bytes, count };
    // Then the learner comes near a widget the lab draws: the lab loads, its pool starts.
    const hasLab = await page.evaluate(() => {
      const first = document.querySelector('.live[data-drawn-by=lab]');
      if (first) scrollTo(0, first.getBoundingClientRect().top + scrollY - innerHeight * 1.5);
      return !!first;
    });
    if (hasLab) {
      await page.waitForFunction(() => performance.getEntriesByName('interleave:pool-settled').length > 0, null, { timeout: 30_000 });
      await quiet();
    }
    // The longest main-thread task from the lab's fetch (or, in a build without one, the pool's
    // start) to 1 s after the pool settled, widgets being drawn meanwhile included (0 if none
    // reached 50 ms).
    const startup = await page.evaluate(() => {
      const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
      const [from, to] = [mark('interleave:lab-start') ?? mark('interleave:pool-start'), mark('interleave:pool-settled')];
      if (from == null || to == null) return null;
      return Math.max(0, ...window.__tasks.filter(([s, d]) => s + d >= from && s <= to + 1000).map(([, d]) => d));
    });
    const lab = hasLab ? { bytes: bytes - read.bytes, count: count - read.count } : null;
    return { bytes: read.bytes, count: read.count, lab, startup };
  } finally {
    await browser.close();
  }
}

/** FCP and LCP of the lesson opened again, in a new page, from the service worker (desktop). */
async function secondVisit(url) {
  const browser = await launch();
  try {
    const context = await browser.newContext({ serviceWorkers: 'allow', viewport: { width: 1280, height: 800 } });
    const first = await context.newPage();
    await first.goto(url + LESSON);
    await first.evaluate(async () => { await navigator.serviceWorker.ready; });
    if (!(await first.evaluate(() => navigator.serviceWorker.controller))) await first.reload();
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await first.close();

    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__lcp = null;
      new PerformanceObserver((list) => {
        const e = list.getEntries().at(-1);
        window.__lcp = { time: e.startTime, node: e.element ? `<${e.element.localName}> ${(e.element.textContent ?? '').trim().slice(0, 40)}` : '?' };
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    });
    await page.goto(url + LESSON, { waitUntil: 'load' });
    // LCP is settled once it has not changed for a second (it waits for the wasm on an SPA).
    let seen, since = Date.now();
    for (const end = Date.now() + 20_000; Date.now() < end && Date.now() - since < 1000;) {
      const now = JSON.stringify(await page.evaluate(() => window.__lcp));
      if (now !== seen || now === 'null') { seen = now; since = Date.now(); }
      await sleep(100);
    }
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    return { fcp, lcp: JSON.parse(seen), controlled };
  } finally {
    await browser.close();
  }
}

const rows = [];
const problems = [];
const summaries = [];
for (const [name, root] of builds) {
  if (!existsSync(join(root, 'index.html'))) { problems.push(`${name}: no build at ${root}`); continue; }
  const spa = name === 'before' || !existsSync(join(root, 'lessons'));
  const server = await serve({ root, isolated: true, gzip: true, spa });
  console.error(`\n${name}: ${root} (${spa ? 'SPA fallback' : 'static pages'})`);
  try {
    for (const [path, form] of PAGES) {
      const t0 = Date.now();
      let r = await audit(server.url + path, form);
      // A run that fails outright (NO_NAVSTART, NO_FCP...) is tried once more.
      if (r.error) {
        problems.push(`${name} ${path} ${form}: Lighthouse error ${r.error}, run again`);
        r = await audit(server.url + path, form);
        if (r.error) problems.push(`${name} ${path} ${form}: Lighthouse error ${r.error} again`);
      }
      log(`lighthouse ${form} ${path}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      for (const w of r.warnings) problems.push(`${name} ${path} ${form}: ${w}`);
      rows.push({ name, path, form, ...r });
    }

    // Every module: the page's own, and the lab's (in a build that has one).
    const modules = [root, join(root, 'lab')].filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('_bg.wasm')).map((f) => join(d, f)))
      .map((path) => { const data = readFileSync(path); return { file: path.slice(root.length + 1), raw: data.length, gz: gzipSync(data, { level: 9 }).length }; });
    const measure = (label, f) => f(server.url).catch((e) => { problems.push(`${name} ${label}: ${e.message.split('\n')[0]}`); return {}; });
    const fv = await measure('first visit', firstVisit);
    const sv = await measure('second visit', secondVisit);
    log('first and second visits done');

    const mobile = rows.filter((r) => r.name === name && r.form === 'mobile');
    const worst = (key, pick) => pick(...mobile.map((r) => r[key]).filter((v) => v != null));
    summaries.push([
      `${name}: ${root}`,
      `  worst mobile: performance ${worst('perf', Math.min)} (target >= ${T.perf}), LCP ${worst('lcp', Math.max).toFixed(2)} s (<= ${T.lcp}, ${ratio(worst('lcp', Math.max), T.lcp)}), ` +
        `TBT ${worst('tbt', Math.max).toFixed(0)} ms (<= ${T.tbt}, ${ratio(worst('tbt', Math.max), T.tbt)}), CLS ${worst('cls', Math.max).toFixed(3)} (<= ${T.cls})` +
        `; Lighthouse CPU benchmark index ${worst('cpu', Math.min).toFixed(0)}-${worst('cpu', Math.max).toFixed(0)}`,
      ...(modules.length ? modules.map((m) => `  wasm ${m.file}: ${m.raw} bytes raw (target <= ${T.wasmRaw}, ${ratio(m.raw, T.wasmRaw)}), ${m.gz} bytes gzip -9 (target <= ${T.wasmGzip}, ${ratio(m.gz, T.wasmGzip)})`) : ['  wasm: none found']),
      fv.bytes == null ? '  first visit: failed' : `  first visit ${LESSON}: ${kb(fv.bytes)} KB gzip transfer in ${fv.count} responses (target <= ${kb(T.transfer)} KB, ${ratio(fv.bytes, T.transfer)})`,
      ...(fv.lab ? [`  then near its first lab widget: the lab, ${kb(fv.lab.bytes)} KB gzip more in ${fv.lab.count} responses`] : []),
      fv.startup == null ? '  pool start: no marks (an older build)' : `  lab and pool start, desktop: longest main-thread task from the lab's fetch (or the pool's start) to 1 s after the pool settled ${fv.startup.toFixed(0)} ms (target <= 50; 0: none over 50)`,
      sv.controlled == null ? '  second visit: failed' : `  second visit ${LESSON} (desktop, service worker${sv.controlled ? '' : ' NOT controlling'}): FCP ${sv.fcp?.toFixed(0)} ms, ` +
        `LCP ${sv.lcp?.time.toFixed(0)} ms on ${sv.lcp?.node} (target text painted <= ${T.paint} ms, ${sv.lcp ? ratio(sv.lcp.time, T.paint) : 'no LCP'})`,
    ].join('\n'));
  } finally {
    await server.close();
  }
}

const cols = ['build', 'page', 'form', 'perf', 'LCP s', 'TBT ms', 'CLS', 'KB', 'a11y', 'BP', 'SEO'];
const fmt = (v, d = 0) => (v == null || Number.isNaN(v) ? '-' : typeof v === 'number' ? v.toFixed(d) : String(v));
const table = [cols, ['target', '', '', `>=${T.perf}`, `<=${T.lcp}`, `<=${T.tbt}`, `<=${T.cls}`, '', '100', '100', '100'],
  ...rows.map((r) => [r.name, r.path, r.form, fmt(r.perf), fmt(r.lcp, 2), fmt(r.tbt), fmt(r.cls, 3), fmt(r.bytes && r.bytes / 1000, 1),
    fmt(r.a11y), fmt(r.bp), fmt(r.seo)])];
const widths = cols.map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log(`\nLighthouse ${rows[0]?.version} (mobile: slow 4G, 4x CPU, simulated; desktop preset), one run per page`);
for (const row of table) console.log(row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
for (const s of summaries) console.log(`\n${s}`);
if (problems.length) console.log(`\nproblems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
