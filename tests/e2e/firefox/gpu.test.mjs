// The gpu widget in Firefox ESR, isolated: whatever this Firefox offers (no WebGPU, WebGPU without
// an adapter, or an adapter), the widget says which, a run ends done, and its result fits: the
// shader's counts match the CPU's, or there is no GPU time. No console error on the way.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, until, press } from './harness.mjs';

const WIDGET = '[data-widget=gpu]';

describe('Firefox gpu widget, served with COOP/COEP', () => {
  const s = useSite({ isolated: true });

  it('says what this browser offers and runs', async () => {
    const page = await s.open('/lessons/how-parallelism-works');
    await page.$eval(WIDGET, (w) => w.scrollIntoView());
    await until(page, (sel) => !!document.querySelector(`${sel} [data-testid=gpu-status]:not([data-gpu=probing])`), WIDGET);
    const { gpu, text } = await page.$eval(`${WIDGET} [data-testid=gpu-status]`, (e) => ({ gpu: e.dataset.gpu, text: e.innerText }));
    assert.ok(['no-webgpu', 'no-adapter', 'failed', 'ready'].includes(gpu), gpu);
    if (gpu !== 'ready') assert.ok(await page.$(`${WIDGET} [data-testid=gpu-would-show]`), 'says what it would show');

    await page.locator(`${WIDGET} input[name=side]`).fill('128');
    await press(page, WIDGET, 'Run');
    await until(page, (sel) => ['done', 'error'].includes(document.querySelector(sel).dataset.state), WIDGET, 120_000);
    const state = await page.$eval(WIDGET, (w) => w.dataset.state);
    assert.equal(state, 'done', await page.$eval(WIDGET, (w) => w.innerText));
    const r = JSON.parse(await page.$eval(WIDGET, (w) => w.dataset.result));
    assert.equal(r.available, gpu === 'ready');
    if (r.available) assert.equal(r.results_match, true);
    else assert.equal(r.gpu_ms, null);
    console.log(`  Firefox: ${gpu} (${text}); cpu_ms ${r.cpu_ms}, gpu_ms ${r.gpu_ms}`);
    assert.deepEqual(s.errors, []);
    await page.close();
  });
});
