// edge-sso/session's worker through each bundler of the consumer matrix
// (tests/consumers/harness.mjs), default configurations: the page starts
// the session as an app does, `createSession(config)` with no `worker`
// option, so the worker comes from `new SharedWorker(new URL('./worker.js',
// import.meta.url), ...)` inside the package, as the bundler left or
// rewrote it. The page's answer is the worker's: configured against an
// issuer that does not answer, it must report `session.failed` (its fetch
// failed), not `session.worker_failed` (the script never ran). Where the
// bundler cannot follow the pattern, the README's one line is applied
// (`copy`), and the row without it must fail, so the line is what works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, launchBrowsers } from '../support/browsers.mjs';
import { freePort, newRun, packTarball, prepareProject, run, serveStatic, startServer } from '../consumers/harness.mjs';

const MAIN = `import { createSession } from 'edge-sso/session';
const out = document.getElementById('result');
const session = createSession({ issuer: 'http://127.0.0.1:9', clientId: 'c', redirectUri: location.origin + '/cb', resources: [] });
session.info().then((v) => { out.textContent = JSON.stringify({ answered: true, v }); },
  (e) => { out.textContent = JSON.stringify({ code: e.code }); });
setTimeout(() => { if (!out.textContent) out.textContent = JSON.stringify({ code: 'timeout' }); }, 20000);
`;
// The README's line for bundlers that leave the URL as it is: the worker
// file beside the bundle.
const COPY = (dir, out) => cpSync(join(dir, 'node_modules', 'edge-sso', 'pkg', 'session', 'worker.js'), join(dir, out, 'worker.js'));
const ROWS = [
  { consumer: 'vite5', mode: 'dev', exclude: true }, { consumer: 'vite5', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
  { consumer: 'vite6', mode: 'dev', exclude: true }, { consumer: 'vite6', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
  { consumer: 'vite7', mode: 'dev', exclude: true }, { consumer: 'vite7', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
  { consumer: 'vite8', mode: 'dev' }, { consumer: 'vite8', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
  { consumer: 'webpack5', mode: 'build', out: 'dist', serve: '.', page: '/index.html' },
  { consumer: 'rollup4', mode: 'build', out: 'dist', serve: '.', page: '/index.html', copy: true },
  { consumer: 'esbuild', mode: 'build:esm', out: 'dist/esm', serve: '.', page: '/index.html', copy: true },
  // A classic script: import.meta is empty there, and the page's side takes
  // the worker's URL beside its own script (document.currentScript).
  { consumer: 'esbuild', mode: 'build:iife', out: 'dist/iife', serve: '.', page: '/iife.html', copy: true },
  // Parcel 2 follows the pattern (and finds edge-sso/session through the
  // package's session/ folder: it does not read the exports map).
  { consumer: 'parcel2', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
  { consumer: 'rsbuild2', mode: 'build', out: 'dist', serve: 'dist', page: '/' },
];
const started = Date.now();
let runDir;
let browsers;
const projects = {};

before(async () => {
  runDir = newRun();
  const tarball = packTarball(runDir.dir);
  for (const name of new Set(ROWS.map((r) => r.consumer))) {
    projects[name] = prepareProject(runDir.dir, name, tarball).then((dir) => {
      writeFileSync(join(dir, 'src', 'main.js'), MAIN);
      return dir;
    });
    projects[name].catch(() => {});
  }
  browsers = await launchBrowsers();
});

after(async () => {
  await browsers?.close();
  await Promise.allSettled(Object.values(projects));
  runDir?.remove();
  console.log(`consumers-session: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

async function answers(url) {
  const out = {};
  for (const name of BROWSERS) out[name] = JSON.parse(await browsers.textOf(name, url, { timeout: 60_000 }));
  return out;
}
const everywhere = (v) => Object.fromEntries(BROWSERS.map((n) => [n, v]));

for (const row of ROWS) {
  test(`${row.consumer} ${row.mode}: the session worker loads${row.copy ? ' with the copied worker.js' : ''}${row.exclude ? ' with optimizeDeps.exclude' : ''}`, { timeout: 600_000 }, async () => {
    const dir = await projects[row.consumer];
    if (row.mode === 'dev') {
      // Vite 5's dev optimizer bundles edge-sso/session into
      // node_modules/.vite/deps/ and leaves the worker's URL pointing there,
      // where there is no worker.js: its default configuration cannot work.
      // The README's line, optimizeDeps.exclude, serves the package as it is.
      assert.deepEqual(readdirSync(dir).filter((f) => /^vite\.config\./.test(f)), []);
      const dev = async (expected) => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/`;
        const server = await startServer(join(dir, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort', '--force'], { cwd: dir, url });
        try {
          assert.deepEqual(await answers(url), everywhere(expected));
        } finally {
          await server.stop();
        }
      };
      if (!row.exclude) {
        await dev({ code: 'session.failed' }); // Vite 8's optimizer (Rolldown) follows the URL
        return;
      }
      await dev({ code: 'session.worker_failed' });
      writeFileSync(join(dir, 'vite.config.js'), "export default { optimizeDeps: { exclude: ['edge-sso'] } };\n");
      try {
        await dev({ code: 'session.failed' });
      } finally {
        rmSync(join(dir, 'vite.config.js'));
      }
      return;
    }
    const script = row.consumer === 'esbuild' ? row.mode : 'build';
    await run('npm', ['run', script], { cwd: dir });
    const server = await serveStatic(join(dir, row.serve));
    try {
      const url = `${server.origin}${row.page}`;
      if (row.copy) {
        assert.deepEqual(await answers(url), everywhere({ code: 'session.worker_failed' }), 'without the copy the worker is not there');
        COPY(dir, row.out);
      }
      assert.deepEqual(await answers(url), everywhere({ code: 'session.failed' }));
    } finally {
      await server.close();
    }
  });
}
