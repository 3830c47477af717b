// Helpers for the tests that see a new build arrive: a copy of the built site that a test may
// change, waiting for the service worker to control a page, and a second build offered to it.
import { cp, mkdtemp, readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { DIST } from './harness.mjs';

/** A copy of the built site in a folder of its own; `remove()` deletes it. */
export async function copyOfBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'interleave-dist-'));
  await cp(DIST, dir, { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Waits until the service worker is active and controls the page. */
export async function controlled(page) {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
}

/**
 * Makes the build in `dir` a second one (its pages changed, and the precache list made again as
 * the build makes it: `<meta name="build" content="second">` marks every page), has the page's
 * service worker look for it, and waits until the page offers it.
 */
export async function offerSecondBuild(dir, page) {
  const pages = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.html'));
  for (const file of pages.map((f) => join(dir, f))) {
    await writeFile(file, (await readFile(file, 'utf8')).replace('<head>', '<head><meta name="build" content="second" />'));
  }
  execFileSync('node', [new URL('../../www/precache.mjs', import.meta.url).pathname, dir]);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.locator('#update-banner').waitFor({ timeout: 15_000 });
}
