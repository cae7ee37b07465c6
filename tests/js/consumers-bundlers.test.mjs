// The browser-bundler rows of the consumer matrix (README, "Usage"), on the packed
// tarball: Vite 5, 6, 7 and 8 (dev server and production build), webpack 5,
// Rollup 4 with only @rollup/plugin-node-resolve, esbuild --bundle as esm and
// as iife, a new Angular 20 app's `ng build` (its default budgets), Parcel 2
// (which resolves without the exports map) and Rsbuild 2 (Rspack). Each a fresh project with the tool's default configuration
// (tests/consumers/<name>/, laid out by tests/consumers/harness.mjs), built,
// served on 127.0.0.1 and loaded in Chromium, Firefox ESR and WebKitGTK
// (tests/support/browsers.mjs); each page runs the shared smoke and must
// answer { ok: true, steps: expected }. The bundle's size (JS + wasm emitted,
// raw and gzip -9) is printed as a diagnostic of each build row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, launchBrowsers } from '../support/browsers.mjs';
import {
  ROWS, CONSUMER_NAMES, bundleSize, freePort, newRun, packTarball, prepareProject, run, serveStatic, startServer,
} from '../consumers/harness.mjs';
import { expected } from '../consumers/smoke/smoke.js';

const started = Date.now();
let runDir;
let browsers;
const projects = {};

before(async () => {
  runDir = newRun();
  const tarball = packTarball(runDir.dir);
  // Every install at once (they wait on the network and the disk), the
  // browsers meanwhile; each row awaits only its own project.
  for (const name of CONSUMER_NAMES) {
    projects[name] = prepareProject(runDir.dir, name, tarball);
    projects[name].catch(() => {}); // reported by the row that awaits it
  }
  browsers = await launchBrowsers();
});

after(async () => {
  await browsers?.close();
  await Promise.allSettled(Object.values(projects));
  runDir?.remove();
  console.log(`consumers-bundlers: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

/** The page's answer in each browser, as a subtest per browser. */
async function checkInBrowsers(t, url, row) {
  // The app that imports edge-sso alone answers every step but edge-sso/oauth's.
  const { oauthEntry, ...withoutOauth } = expected;
  const steps = row.oauthEntry === false ? withoutOauth : expected;
  for (const name of BROWSERS) {
    await t.test(name, async () => {
      const text = await browsers.textOf(name, url, { timeout: 60_000 });
      let answer;
      try {
        answer = JSON.parse(text);
      } catch {
        assert.fail(`the page showed ${text}`);
      }
      assert.deepEqual(answer, { ok: true, steps });
    });
  }
}

for (const row of ROWS) {
  test(`${row.consumer} ${row.mode}`, { timeout: 600_000 }, async (t) => {
    const t0 = Date.now();
    const dir = await projects[row.consumer];
    if (row.dev) {
      const port = await freePort();
      const [cmd, args] = row.dev(port);
      const url = `http://127.0.0.1:${port}${row.page}`;
      // Default configuration: no vite.config.*, so no optimizeDeps.exclude.
      assert.deepEqual(readdirSync(dir).filter((f) => /^vite\.config\./.test(f)), []);
      const server = await startServer(join(dir, cmd), args, { cwd: dir, url });
      try {
        await checkInBrowsers(t, url, row);
        // The page's import went through the dependency optimizer: edge-sso
        // pre-bundled into node_modules/.vite/deps/ (where a .wasm beside
        // the glue was once answered with index.html).
        const main = await (await fetch(new URL('/src/main.js', url))).text();
        assert.match(main, /from "\/node_modules\/\.vite\/deps\/edge-sso\.js\?v=[0-9a-f]+"/);
      } catch (e) {
        e.message += `\n--- dev server output\n${server.output()}`;
        throw e;
      } finally {
        await server.stop();
      }
      t.diagnostic(`${row.consumer} ${row.mode}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    const output = await run('npm', ['run', row.build], { cwd: dir });
    const size = bundleSize(join(dir, row.out));
    const server = await serveStatic(join(dir, row.serve));
    try {
      await checkInBrowsers(t, `${server.origin}${row.page}`, row);
      const failed = server.requests.filter((r) => r.status === 404);
      assert.deepEqual(failed, [], 'every file the page asked for was there');
      // The module came inlined in the JavaScript: no .wasm emitted, none fetched.
      assert.deepEqual(size.files.filter((f) => f.file.endsWith('.wasm')), []);
      assert.deepEqual(server.requests.filter((r) => r.path.endsWith('.wasm')), []);
    } catch (e) {
      e.message += `\n--- build output\n${output}`;
      throw e;
    } finally {
      await server.close();
    }
    t.diagnostic(`${row.consumer} ${row.mode}: bundle ${size.bytes} B, gzip -9 ${size.gzip} B `
      + `(${size.files.map((f) => `${f.file} ${f.bytes}/${f.gzip}`).join(', ')}); ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}

// A page whose CSP does not allow WebAssembly ('wasm-unsafe-eval'): the import
// still succeeds, and the first call fails with runtime.wasm_refused, which
// names what to allow, in each browser (each words its refusal differently).
test('esbuild esm under a CSP without wasm-unsafe-eval: runtime.wasm_refused in each browser', { timeout: 600_000 }, async (t) => {
  const dir = await projects.esbuild;
  await run('npm', ['run', 'build:esm'], { cwd: dir });
  // 'unsafe-inline' only for the page's own error reporter; nothing allows wasm.
  const csp = "default-src 'self'; script-src 'self' 'unsafe-inline'";
  const server = await serveStatic(dir, { headers: { 'content-security-policy': csp } });
  try {
    for (const name of BROWSERS) {
      await t.test(name, async () => {
        const answer = JSON.parse(await browsers.textOf(name, `${server.origin}/index.html`, { timeout: 60_000 }));
        assert.equal(answer.ok, false, JSON.stringify(answer));
        assert.match(answer.failed ?? '', /^runtime\.wasm_refused: .*'wasm-unsafe-eval'/, JSON.stringify(answer));
      });
    }
  } finally {
    await server.close();
  }
});
