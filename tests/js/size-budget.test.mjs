// The size budgets, enforced, on what a user downloads: the module, the
// wasm-bindgen glue and the JS layer of each entry, minified and gzip -9
// (tests/support/sizes.mjs measures them). The modules are built
// deterministically (same sources, same toolchain, same bytes), so a budget
// is a plain comparison; each test prints its headroom.
//
// Counting the whole download, not the .wasm alone, is the point: a budget
// on the .wasm rewards moving bytes into JavaScript, which users download
// all the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUDGETS, sessionEntrySizes, wasmEntrySizes } from '../support/sizes.mjs';


function within(t, what, size, budget) {
  t.diagnostic(`${what}: ${size} B (budget ${budget} B, headroom ${budget - size} B)`);
  assert.ok(size <= budget, `${what}: ${size} B is over its budget of ${budget} B`);
}

test('edge-sso/oauth: the .wasm and the JavaScript a user downloads stay within budget', (t) => {
  const s = wasmEntrySizes('pkg/oauth/', 'edge_sso_oauth');
  t.diagnostic(`edge-sso/oauth: .wasm ${s.wasm} B + JavaScript ${s.js} B (gzip -9, minified)`);
  within(t, 'edge-sso/oauth with the .wasm as a file', s.separate, BUDGETS.oauthSeparate);
  within(t, 'edge-sso/oauth with the .wasm inlined', s.inline, BUDGETS.oauthInline);
});

test('edge-sso: the .wasm and the JavaScript a user downloads stay within budget', (t) => {
  const s = wasmEntrySizes('pkg/', 'edge_sso');
  t.diagnostic(`edge-sso: .wasm ${s.wasm} B + JavaScript ${s.js} B (gzip -9, minified)`);
  within(t, 'edge-sso with the .wasm as a file', s.separate, BUDGETS.fullSeparate);
  within(t, 'edge-sso with the .wasm inlined', s.inline, BUDGETS.fullInline);
});

test('edge-sso/session: the page side and its worker stay within budget', (t) => {
  const s = sessionEntrySizes();
  t.diagnostic(`edge-sso/session: page ${s.page} B + worker ${s.worker} B (gzip -9, minified)`);
  within(t, 'edge-sso/session', s.total, BUDGETS.session);
});
