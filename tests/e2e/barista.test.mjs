// The barista figure of lesson 1 in a real browser: it plays once it is in view, can be paused
// and skipped to the end, and what it publishes in data-result is what it draws and prints.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, site, ready, axeViolations } from './harness.mjs';

const LESSON = '/lessons/concurrency-vs-parallelism';
const FIG = '[data-widget=barista]';
const LANES = ['sequential', 'concurrent', 'parallel'];

/** Everything the finished figure shows: data-result, printed finishes, marks, ticks, caption. */
async function readFigure(page) {
  return page.$eval(FIG, (fig) => {
    // One tick per minute, from 0.
    const ticks = [...fig.querySelectorAll('.tick line')].map((l) => Number(l.getAttribute('x1')));
    const lanes = [...fig.querySelectorAll('g.lane')].map((g) => {
      const edges = [...g.querySelectorAll('.hands rect, .wait rect')].map((r) => Number(r.getAttribute('x')) + Number(r.getAttribute('width')));
      return {
        key: g.querySelector('.lane-finish').dataset.lane,
        printed: g.querySelector('.lane-finish').textContent,
        visible: getComputedStyle(g.querySelector('.lane-finish')).visibility === 'visible',
        mark: Number(g.querySelector('.finish-mark').getAttribute('x1')),
        lastEdge: Math.max(...edges),
      };
    });
    return {
      state: fig.dataset.state,
      result: fig.dataset.result,
      lanes,
      ticks,
      caption: fig.querySelector('figcaption').textContent,
      desc: fig.querySelector('desc').textContent,
    };
  });
}

/** Checks the finished figure: three decreasing minutes, printed and drawn where they belong. */
function checkFinished(f) {
  assert.equal(f.state, 'done');
  assert.ok(f.result, 'data-result is set after a full play');
  const result = JSON.parse(f.result);
  assert.deepEqual(Object.keys(result).sort(), LANES.map((l) => `${l}_min`).sort());
  const [seq, con, par] = LANES.map((l) => result[`${l}_min`]);
  assert.ok(LANES.every((l) => Number.isInteger(result[`${l}_min`]) && result[`${l}_min`] > 0), f.result);
  assert.ok(seq > con && con > par, `finish times must strictly decrease: ${f.result}`);
  assert.deepEqual(f.lanes.map((l) => l.key), LANES);
  for (const lane of f.lanes) {
    const minutes = result[`${lane.key}_min`];
    // The figure prints the same minutes, visibly, once the clock has passed them.
    assert.equal(lane.printed.trim(), `done at ${minutes} min`);
    assert.ok(lane.visible, `${lane.key}: its finish is shown at the end`);
    // The finish mark stands on the axis tick of that minute, at the end of the lane's last block.
    assert.ok(Math.abs(lane.mark - f.ticks[minutes]) < 0.05, `${lane.key}: mark at ${lane.mark}, tick ${minutes} at ${f.ticks[minutes]}`);
    assert.ok(Math.abs(lane.lastEdge + 0.75 - lane.mark) < 0.05, `${lane.key}: last block ends at ${lane.lastEdge}`);
  }
  // The text under the figure and its description tell the same minutes, in lane order.
  const said = [...f.caption.matchAll(/done at (\d+) min/g)].map((m) => Number(m[1]));
  assert.deepEqual(said, [seq, con, par], f.caption);
  for (const m of [seq, con, par]) assert.match(f.desc, new RegExp(`\\b${m} minutes`));
}

describe('barista animation', () => {
  const s = useSite({ isolated: true });

  // Out of view it waits; in view it runs to the end by itself and publishes its figures.
  it('plays once in view and ends with the figures it draws', async () => {
    const page = await s.open(LESSON, { viewport: { width: 1280, height: 800 } });
    const fig = page.locator(FIG);
    await fig.waitFor();
    assert.equal(await fig.getAttribute('data-state'), 'idle', 'the figure is below the fold: it has not started');
    assert.equal(await fig.getAttribute('data-result'), null);
    await fig.scrollIntoViewIfNeeded();
    await page.waitForSelector(`${FIG}[data-state=running]`, { timeout: 5000 });
    await page.waitForSelector(`${FIG}[data-state=done]`, { timeout: 30_000 });
    checkFinished(await readFigure(page));
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // Pause holds the clock (idle); "Show the end" jumps to done; "Play again" starts over.
  it('pauses, skips to the end and plays again', async () => {
    const page = await s.open(LESSON, { viewport: { width: 360, height: 740 } });
    const fig = page.locator(FIG);
    await fig.scrollIntoViewIfNeeded();
    await page.waitForSelector(`${FIG}[data-state=running]`, { timeout: 5000 });
    await fig.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector(`${FIG}[data-state=idle]`);
    const x = await page.$eval(`${FIG} .playhead`, (l) => l.getAttribute('x1'));
    await page.waitForTimeout(400);
    assert.equal(await page.$eval(`${FIG} .playhead`, (l) => l.getAttribute('x1')), x, 'a paused clock stands still');
    assert.equal(await fig.getAttribute('data-result'), null, 'no figures before the end');
    await fig.getByRole('button', { name: 'Show the end' }).click();
    await page.waitForSelector(`${FIG}[data-state=done]`);
    checkFinished(await readFigure(page));
    assert.ok(await fig.getByRole('button', { name: 'Show the end' }).isDisabled());
    await fig.getByRole('button', { name: 'Play again' }).click();
    await page.waitForSelector(`${FIG}[data-state=running]`);
    assert.ok((await fig.getAttribute('data-result')) !== null, 'the figures of the finished play stay published');
    // The figure fits a phone: nothing wider than the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    assert.deepEqual(s.errors, []);
    await page.close();
  });

  // A reader who asks for reduced motion gets the finished timeline at once, nothing moving.
  it('shows the end at once under prefers-reduced-motion', async () => {
    const context = await s.browser.newContext({ reducedMotion: 'reduce', serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(s.server.url + LESSON);
    await ready(page);
    await page.waitForSelector(`${FIG}[data-state=done]`, { timeout: 5000 });
    const before = await readFigure(page);
    checkFinished(before);
    await page.locator(FIG).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    assert.equal((await readFigure(page)).state, 'done', 'coming into view does not start it');
    await context.close();
  });
});
