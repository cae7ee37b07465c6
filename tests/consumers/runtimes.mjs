// The runtime and framework consumers of the packed package (Node, Bun, Deno,
// wrangler/workerd, Vercel's edge runtime, Next.js): each one a fresh npm
// project under tests/consumers/<name>/ (pinned versions, a committed
// package-lock.json), installed with `npm ci` into .tmp/consumers-runtimes/<name>/
// and given the tarball by `npm install <edge-sso-x.y.z.tgz>`, as a user would.
// node_modules stays there between runs (a new `npm ci` only when the lock
// changed); nothing depends on it being there. Used by
// tests/js/consumers-runtimes.test.mjs.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CACHE = join(tmpdir(), `edge-sso-consumers-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);
const SMOKE = join(ROOT, 'tests', 'consumers', 'smoke');

/** Runs a command; resolves to its stdout, rejects with its output on a non-zero exit or a time-out. */
export function run(cmd, args, { cwd, env, timeout = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: env ?? process.env, timeout, maxBuffer: 64 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          error.message = `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
          reject(error);
        } else resolve(stdout);
      });
  });
}

let tarball;
/** `npm pack` of the repository (the built pkg/), once per process; the tarball's path. */
export function packTarball() {
  if (!tarball) {
    const dest = join(CACHE, 'pack');
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim().split('\n').pop();
    tarball = join(dest, name);
    // npm pack leaves out a listed file that is missing without a word: a
    // half-built pkg/ would show up as a consumer's "module not found".
    const packed = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
    const files = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files;
    const missing = files.filter((f) => !packed.has(`package/${f}`));
    if (missing.length) throw new Error(`the tarball lacks ${missing.join(', ')}: is pkg/ built (scripts/build.sh)?`);
  }
  return tarball;
}

/**
 * The smoke as CommonJS text, for consumers that `require` it: smoke.js and
 * fixture.js use only `export function`, `export const` and one named import.
 */
export function toCommonJs(source) {
  const names = [];
  const body = source
    .replace(/^import \{([^}]*)\} from '(\.\/[^']*)\.js';$/gm, (_, imported, path) => `const {${imported}} = require('${path}.cjs');`)
    .replace(/^export (function|const) ([A-Za-z0-9_$]+)/gm, (_, kind, name) => {
      names.push(name);
      return `${kind} ${name}`;
    });
  if (/^\s*(import|export)\b/m.test(body)) throw new Error('toCommonJs: the smoke uses a form it does not transform');
  return `'use strict';\n${body}\nmodule.exports = { ${names.join(', ')} };\n`;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Lays out consumer `name` in CACHE/<name>/: its committed
 * files, `npm ci` (skipped while node_modules matches the lock), the packed
 * edge-sso installed from the tarball, and the smoke in smoke/ (ESM, and CJS
 * as smoke.cjs/fixture.cjs).
 * @returns {Promise<{ dir: string, installed: boolean }>} installed: whether npm ci ran
 */
export async function prepare(name) {
  const dir = join(CACHE, name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'tests', 'consumers', name), dir, { recursive: true });
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const stamp = join(dir, 'node_modules', '.edge-sso-consumer-lock.sha256');
  const want = sha256(join(dir, 'package-lock.json'));
  let installed = false;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
    await run('npm', ['ci'], { cwd: dir, env, timeout: 900_000 });
    writeFileSync(stamp, want);
    installed = true;
  }
  // What `npm install edge-sso` does, from the tarball; --no-save keeps the
  // committed package.json and lock as they are. The old copy goes first: npm
  // keeps an installed package whose name, version and tarball path match.
  rmSync(join(dir, 'node_modules', 'edge-sso'), { recursive: true, force: true });
  await run('npm', ['install', '--no-save', packTarball()], { cwd: dir, env });
  const smokeDir = join(dir, 'smoke');
  mkdirSync(smokeDir, { recursive: true });
  for (const file of ['smoke.js', 'fixture.js']) {
    const source = readFileSync(join(SMOKE, file), 'utf8');
    writeFileSync(join(smokeDir, file), source);
    writeFileSync(join(smokeDir, file.replace(/\.js$/, '.cjs')), toCommonJs(source));
  }
  // ESM whatever the consumer's package.json says.
  writeFileSync(join(smokeDir, 'package.json'), '{ "type": "module" }\n');
  return { dir, installed };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export { startServer } from './harness.mjs';

/** The last line of a consumer's stdout, parsed: what it printed with JSON.stringify(smoke(sso, oauth)). */
export function lastJsonLine(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
