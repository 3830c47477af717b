// The interleaving explorer in Firefox, with and without cross-origin isolation: its exact
// counts are the native engine's, whether it runs on the pool or in slices on the page's thread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, exploreLostUpdate, threadStatus, LOST_UPDATE } from './harness.mjs';

for (const isolated of [true, false]) {
  describe(`Firefox explorer, served ${isolated ? 'with' : 'without'} COOP/COEP`, () => {
    const s = useSite({ isolated });

    it('counts lost-update as 6 schedules, 4 of them bad', async () => {
      const page = await s.open('/lessons/race-conditions');
      assert.equal((await threadStatus(page)).state, isolated ? 'ready' : 'fallback');
      assert.deepEqual(await exploreLostUpdate(page), LOST_UPDATE);
      assert.deepEqual(s.errors, []);
      await page.close();
    });
  });
}
