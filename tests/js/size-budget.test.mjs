// The size budgets, enforced: the modules are built deterministically (same
// sources, same toolchain, same bytes), so a budget is a plain comparison.
// gzip is Node's zlib at level 9, as the README and BENCHMARKS.md state sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const gzip = (path) => gzipSync(readFileSync(new URL(`../../${path}`, import.meta.url)), { level: 9 }).length;
const KIB = 1024;

test('edge-sso/oauth: its .wasm is at most 30 KiB gzip -9', (t) => {
  const size = gzip('pkg/oauth/edge_sso_oauth_bg.wasm');
  t.diagnostic(`pkg/oauth/edge_sso_oauth_bg.wasm: ${size} B gzip -9 (budget ${30 * KIB})`);
  assert.ok(size <= 30 * KIB, `${size} B`);
});

test('edge-sso: its .wasm is at most 250 KiB gzip -9', (t) => {
  const size = gzip('pkg/edge_sso_bg.wasm');
  t.diagnostic(`pkg/edge_sso_bg.wasm: ${size} B gzip -9 (budget ${250 * KIB})`);
  assert.ok(size <= 250 * KIB, `${size} B`);
});
