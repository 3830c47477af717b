// The gpu widget in Chromium, both ways it can go. The project's usual browser has `navigator.gpu`
// but no adapter: the widget says so, says what it would show, and runs the CPU half alone (with
// cross-origin isolation on one worker, without it on the page's thread). With
// `--enable-unsafe-webgpu` Chromium offers SwiftShader, a software adapter: the shader runs, its
// counts match the CPU's, and the widget says the "GPU" is software. No test asserts a time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { site, axeViolations } from './harness.mjs';

const LESSON = '/lessons/how-parallelism-works';
const WIDGET = '[data-widget=gpu]';

/** The widget's status line once the browser has been asked for an adapter. */
async function status(page) {
  await page.waitForSelector(`${WIDGET} [data-testid=gpu-status]:not([data-gpu=probing])`, { timeout: 30_000 });
  const line = page.locator(`${WIDGET} [data-testid=gpu-status]`);
  return { gpu: await line.getAttribute('data-gpu'), text: await line.innerText() };
}

/** Runs the widget on a `side` × `side` grid; returns its state and parsed result. */
async function run(page, side) {
  const w = page.locator(WIDGET);
  const rows = await w.locator('table.tries tbody tr').count();
  await w.locator('input[name=side]').fill(String(side));
  await w.getByRole('button', { name: 'Run', exact: true }).click();
  // A run ends done with one more row in the table, or in an error.
  await page.waitForFunction(({ sel, rows }) => {
    const el = document.querySelector(sel);
    return el.dataset.state === 'error' || (el.dataset.state === 'done' && el.querySelectorAll('table.tries tbody tr').length === rows + 1);
  }, { sel: WIDGET, rows }, { timeout: 300_000 });
  return { state: await w.getAttribute('data-state'), result: JSON.parse((await w.getAttribute('data-result')) ?? 'null'), text: await w.innerText() };
}

for (const isolated of [true, false]) {
  describe(`gpu widget without an adapter (${isolated ? 'cross-origin isolated' : 'not isolated'})`, () => {
    let s;
    before(async () => { s = await site({ isolated }); });
    after(async () => { await s.close(); });

    it('says there is no GPU adapter, explains what it would show, and runs the CPU half', async () => {
      const page = await s.open(LESSON);
      await page.locator(WIDGET).scrollIntoViewIfNeeded();
      const { gpu, text } = await status(page);
      assert.equal(gpu, 'no-adapter', text);
      assert.match(text, /offers no GPU adapter/);
      const would = await page.locator(`${WIDGET} [data-testid=gpu-would-show]`).innerText();
      assert.match(would, /thousands of lanes/);
      assert.match(would, /copying the\s+counts back/);

      // Sizes out of range are refused, and nothing runs.
      const w = page.locator(WIDGET);
      for (const [side, why] of [['10', /from 64 to 2,048 cells \(you asked for 10\)/], ['5000', /16 MB/], ['big', /not a whole number/]]) {
        await w.locator('input[name=side]').fill(side);
        await w.getByRole('button', { name: 'Run', exact: true }).click();
        assert.match(await w.getByRole('alert').innerText(), why);
        assert.equal(await w.getAttribute('data-state'), 'idle');
      }

      const { state, result, text: after } = await run(page, 256);
      assert.equal(state, 'done', after);
      assert.deepEqual(Object.keys(result).filter((k) => ['available', 'cpu_ms', 'gpu_ms', 'results_match'].includes(k)).sort(),
        ['available', 'cpu_ms', 'gpu_ms', 'results_match']);
      assert.equal(result.available, false);
      assert.equal(result.gpu_ms, null);
      assert.equal(result.results_match, null, 'nothing to compare');
      assert.equal(typeof result.cpu_ms, 'number');
      assert.equal(result.cells, 256 * 256);
      assert.equal(result.cpu_on, isolated ? 'worker' : 'page');
      assert.match(after, /no GPU to compare it with/);
      assert.match(after, /CPU only/);
      console.log(`  no adapter, ${isolated ? 'one worker' : 'the page\'s thread'}: 256 × 256 in ${result.cpu_ms} ms on the CPU`);

      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(s.errors, []);
    });
  });
}

describe('gpu widget with --enable-unsafe-webgpu (SwiftShader, a software adapter)', () => {
  let s;
  before(async () => { s = await site({ isolated: true, args: ['--enable-unsafe-webgpu'] }); });
  after(async () => { await s.close(); });

  it('runs the shader, whose counts match the CPU\'s, and says the GPU is software', async () => {
    const page = await s.open(LESSON);
    await page.locator(WIDGET).scrollIntoViewIfNeeded();
    const { gpu, text } = await status(page);
    assert.equal(gpu, 'ready', text);
    assert.match(text, /software rasterizer/);
    assert.match(text, /swiftshader/i);
    assert.equal(await page.locator(`${WIDGET} [data-testid=gpu-would-show]`).count(), 0);

    // The first run also makes the device and compiles the shader, timed apart.
    const first = await run(page, 128);
    assert.equal(first.state, 'done', first.text);
    assert.equal(first.result.available, true);
    assert.equal(first.result.results_match, true, first.text);
    assert.equal(first.result.mismatches, 0);
    assert.equal(first.result.software, true);
    assert.equal(typeof first.result.gpu_ms, 'number');
    assert.equal(typeof first.result.setup_ms, 'number');
    assert.ok(first.result.copy_ms <= first.result.gpu_ms, 'the copy back is part of the GPU time');
    assert.match(first.text, /Results match: all 16,384 counts are identical/);
    assert.match(first.text, /software on the CPU/);

    for (const side of [512, 1024]) {
      const { state, result, text: after } = await run(page, side);
      assert.equal(state, 'done', after);
      assert.equal(result.results_match, true, after);
      assert.equal(result.cells, side * side);
      assert.equal(result.setup_ms, null, 'set up once');
      console.log(`  SwiftShader, ${side} × ${side}: cpu_ms ${result.cpu_ms}, gpu_ms ${result.gpu_ms} (copy back ${result.copy_ms}); set-up on the first run ${first.result.setup_ms} ms`);
    }
    assert.equal(await page.locator(`${WIDGET} table.tries tbody tr`).count(), 3);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(s.errors, []);
  });
});
