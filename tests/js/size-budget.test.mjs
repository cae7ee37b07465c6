// The size budgets, enforced: the modules are built deterministically (same
// sources, same toolchain, same bytes), so a budget is a plain comparison.
// gzip is Node's zlib at level 9, as the README and BENCHMARKS.md state sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const gzip = (path) => gzipSync(readFileSync(new URL(`../../${path}`, import.meta.url)), { level: 9 }).length;
const KIB = 1024;

// Raised from 30 and 250 KiB when discovery, UserInfo, DPoP proofs, PAR,
// revocation and logout URLs joined the OAuth client (BENCHMARKS.md, seventh
// round, says what each costs).
const OAUTH_BUDGET = 44 * KIB;
const FULL_BUDGET = 264 * KIB;

test('edge-sso/oauth: its .wasm is at most 44 KiB gzip -9', (t) => {
  const size = gzip('pkg/oauth/edge_sso_oauth_bg.wasm');
  t.diagnostic(`pkg/oauth/edge_sso_oauth_bg.wasm: ${size} B gzip -9 (budget ${OAUTH_BUDGET})`);
  assert.ok(size <= OAUTH_BUDGET, `${size} B`);
});

test('edge-sso: its .wasm is at most 264 KiB gzip -9', (t) => {
  const size = gzip('pkg/edge_sso_bg.wasm');
  t.diagnostic(`pkg/edge_sso_bg.wasm: ${size} B gzip -9 (budget ${FULL_BUDGET})`);
  assert.ok(size <= FULL_BUDGET, `${size} B`);
});
