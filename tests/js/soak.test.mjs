// The quick form of the reliability soak (tests/reliability/soak.mjs; the
// full one is `npm run reliability`, 50,000 operations): the same operations
// and the same bounds on memory growth after the warm-up, fewer operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAP_GROWTH_BOUND, WASM_GROWTH_BOUND, checkFlat, soak } from '../reliability/soak.mjs';

test('soak, quick form: 10,000 operations over the main entry points, memory flat after the warm-up', async (t) => {
  const r = await soak(10_000);
  t.diagnostic(`wasm ${r.before.wasm} -> ${r.after.wasm} B, heap ${r.before.heap} -> ${r.after.heap} B, ${r.opsPerSecond} ops/s`);
  assert.deepEqual(r.counts, { accepted: 2_500, refused: 2_500, authnRequest: 2_500, oauthFlow: 2_500 });
  assert.ok(r.wasmGrowth <= WASM_GROWTH_BOUND, `wasm grew by ${r.wasmGrowth} B`);
  assert.ok(r.heapGrowth <= HEAP_GROWTH_BOUND, `heap grew by ${r.heapGrowth} B`);
  checkFlat(r);
});
