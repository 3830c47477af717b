// Writes screenshots of the built site on a phone and a desktop, light and dark, for review; and
// each page on a phone as it reads before the app has loaded (the wasm held back).
import { mkdir } from 'node:fs/promises';
import { launch, DIST } from './harness.mjs';
import { serve } from './server.mjs';

const VIEWPORTS = { phone: { width: 360, height: 740 }, desktop: { width: 1280, height: 800 } };
const pages = (process.argv[2] ?? '/,/lessons/race-conditions').split(',');
const server = await serve({ root: DIST, isolated: true });
const browser = await launch();
await mkdir('artifacts', { recursive: true });
for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
    for (const path of pages) {
      const page = await context.newPage();
      await page.goto(server.url + path);
      await page.waitForSelector('[data-testid=thread-status]:not([data-state=starting])');
      const file = `artifacts/${name}-${scheme}${path.replaceAll('/', '_') || '_'}.png`;
      await page.screenshot({ path: file, fullPage: process.env.FULL === '1' });
      console.log(file);
      await page.close();
    }
    await context.close();
  }
}
// Before the wasm has loaded: the prerendered page alone.
for (const scheme of ['light', 'dark']) {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, colorScheme: scheme, deviceScaleFactor: 1 });
  await context.route('**/*.wasm', () => {}); // never answered: the app cannot start
  for (const path of pages) {
    const page = await context.newPage();
    await page.goto(server.url + path, { waitUntil: 'domcontentloaded' });
    const file = `artifacts/phone-${scheme}-before-wasm${path.replaceAll('/', '_') || '_'}.png`;
    await page.screenshot({ path: file, fullPage: process.env.FULL === '1' });
    console.log(file);
    // The first widget's frame, as it waits for the app.
    const frame = page.locator('.widget[data-state=waiting]').first();
    if (await frame.count()) {
      const shot = file.replace('.png', '-widget.png');
      await frame.screenshot({ path: shot });
      console.log(shot);
    }
    await page.close();
  }
  await context.close();
}
await browser.close();
await server.close();
