// The browser-bundler consumers of the packed package (Vite 5-8 dev server and
// build, webpack 5, Rollup 4, esbuild esm and iife, Angular 20's ng build, Parcel 2, Rsbuild 2): what a user does after
// `npm install edge-sso`, with each tool's default configuration.
//
// Each consumer is a fresh npm project under tests/consumers/<name>/ (pinned
// versions, a committed package-lock.json, no config beyond what the tool
// needs to know its entry). Every run copies it into a new temporary folder
// outside the repository (so nothing resolves through the repository's own
// node_modules), runs `npm ci`, then `npm install --no-save <edge-sso-x.y.z.tgz>`
// from one `npm pack` of the repository, and copies the shared smoke
// (tests/consumers/smoke/) into smoke/. The npm cache is kept in
// .tmp/consumers/npm-cache, so a warm run downloads nothing; a clean checkout
// fills it from the registry. No node_modules is shared between runs, so two
// runs (or two consumers) never write the same files.
//
// Used by tests/js/consumers-bundlers.test.mjs.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMERS = join(ROOT, 'tests', 'consumers');
export const NPM_CACHE = join(ROOT, '.tmp', 'consumers', 'npm-cache');

/** Runs a command; resolves to its output, rejects with it on a non-zero exit or a time-out. */
export function run(cmd, args, { cwd, env, timeout = 300_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { cwd, env: env ?? process.env, timeout, maxBuffer: 64 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          error.message = `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
          reject(error);
        } else resolvePromise(`${stdout}${stderr}`);
      });
  });
}

const npmEnv = () => ({
  ...process.env,
  npm_config_cache: NPM_CACHE,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'warn',
});

/** A new folder for one run's projects; remove() deletes it. */
export function newRun() {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-bundlers-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm pack` of the repository (the built pkg/) into `dest`; the tarball's path. */
export function packTarball(dest) {
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop();
  const tarball = join(dest, name);
  // npm pack leaves out a listed file that is missing without a word: a
  // half-built pkg/ would show up as a consumer's "module not found".
  const packed = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
  const missing = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files.filter((f) => !packed.has(`package/${f}`));
  if (missing.length) throw new Error(`the tarball lacks ${missing.join(', ')}: is pkg/ built (scripts/build.sh)?`);
  return tarball;
}

/**
 * Lays out consumer `name` in `runDir/<name>/`: its committed files, `npm ci`,
 * the tarball installed, the smoke in smoke/.
 * @returns {Promise<string>} the project's folder
 */
export async function prepareProject(runDir, name, tarball) {
  const dir = join(runDir, name);
  cpSync(join(CONSUMERS, name), dir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  await run('npm', ['ci'], { cwd: dir, env: npmEnv(), timeout: 900_000 });
  // What `npm install edge-sso` does, from the tarball; --no-save keeps the
  // committed package.json and lock as they are.
  await run('npm', ['install', '--no-save', tarball], { cwd: dir, env: npmEnv() });
  mkdirSync(join(dir, 'smoke'));
  for (const file of ['smoke.js', 'fixture.js']) cpSync(join(CONSUMERS, 'smoke', file), join(dir, 'smoke', file));
  return dir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/**
 * A static file server for a built app on 127.0.0.1 (any free port), as a
 * plain web host serves it: no headers beyond the content type and `headers`
 * (e.g. a Content-Security-Policy).
 * @returns {Promise<{ origin: string, requests: {path: string, status: number}[], close: () => Promise<void> }>}
 */
export async function serveStatic(dir, { headers = {} } = {}) {
  const base = resolve(dir);
  const requests = [];
  const srv = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = resolve(base, `.${path}`);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    let status = 200;
    if (path === '/favicon.ico') status = 204; // every browser asks; the apps have none
    else if (!(file === base || file.startsWith(base + sep)) || !existsSync(file)) status = 404;
    requests.push({ path, status });
    if (status !== 200) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${srv.address().port}`,
    requests,
    close: () => {
      srv.closeAllConnections();
      return new Promise((r) => srv.close(r));
    },
  };
}

/**
 * Starts a server process in its own process group and waits until `url`
 * answers (any HTTP status). Shared by the bundler and the runtime consumers.
 * @returns {Promise<{ url: string, output: () => string, stop: () => Promise<void> }>}
 */
export async function startServer(cmd, args, { cwd, env, url, timeout = 120_000 }) {
  const child = spawn(cmd, args, { cwd, env: env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  const exit = new Promise((r) => child.on('exit', (code, signal) => { exited = { code, signal }; r(); }));
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeout;
  for (;;) {
    if (exited) throw new Error(`${cmd} ${args.join(' ')} exited (${JSON.stringify(exited)}) before ${url} answered:\n${log}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${url} did not answer within ${timeout} ms:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { url, output: () => log, stop };
}

/**
 * What a build emitted for the browser to load: every .js/.mjs/.wasm file
 * under `dir`, their bytes and their gzip -9 bytes (each file compressed on
 * its own, as a server would send it).
 */
export function bundleSize(dir) {
  const files = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(m?js|wasm)$/.test(entry.name)) {
        const bytes = readFileSync(p);
        files.push({ file: relative(dir, p), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzip: files.reduce((n, f) => n + f.gzip, 0),
  };
}

/**
 * The rows: consumer × mode. `build` (if any) is an npm script; `out` is the
 * folder whose .js/.wasm is the bundle; `serve` is the folder served and
 * `page` the path loaded. A `dev` row starts the tool's dev server instead.
 * `oauthEntry: false`: the app imports edge-sso alone, not edge-sso/oauth too.
 */
const vite = (name) => [
  { consumer: name, mode: 'dev', dev: (port) => ['node_modules/.bin/vite', ['--host', '127.0.0.1', '--port', String(port), '--strictPort']], page: '/' },
  { consumer: name, mode: 'build', build: 'build', out: 'dist', serve: 'dist', page: '/' },
];
export const ROWS = [
  ...vite('vite5'), ...vite('vite6'), ...vite('vite7'), ...vite('vite8'),
  { consumer: 'webpack5', mode: 'build', build: 'build', out: 'dist', serve: '.', page: '/index.html' },
  { consumer: 'rollup4', mode: 'build', build: 'build', out: 'dist', serve: '.', page: '/index.html' },
  { consumer: 'esbuild', mode: 'esm', build: 'build:esm', out: 'dist/esm', serve: '.', page: '/index.html' },
  { consumer: 'esbuild', mode: 'iife', build: 'build:iife', out: 'dist/iife', serve: '.', page: '/iife.html' },
  // A new Angular project's production build fails over 1 MB of initial
  // JavaScript (angular.json's default budget): the full module inlined as
  // hex would be over it, as base64 it is not (scripts/build.sh).
  { consumer: 'angular20', mode: 'build', build: 'build', out: 'dist/app/browser', serve: 'dist/app/browser', page: '/', oauthEntry: false },
  // Parcel 2 does not read package.json `exports` unless the app turns it on:
  // edge-sso/oauth resolves through the package's oauth/ folder.
  { consumer: 'parcel2', mode: 'build', build: 'build', out: 'dist', serve: 'dist', page: '/' },
  // Rsbuild 2 (Rspack), its defaults: src/index.js and a page of its own.
  { consumer: 'rsbuild2', mode: 'build', build: 'build', out: 'dist', serve: 'dist', page: '/' },
];
export const CONSUMER_NAMES = [...new Set(ROWS.map((r) => r.consumer))];
