// A bundler consumer: the packed package installed into a copy of
// tests/consumer/, bundled by esbuild for the browser (tests/consumer/build.mjs),
// served on loopback under a strict CSP and run in Debian's Chromium. Proves
// that `import … from 'edge-sso'` resolves through the exports map to the
// browser entry, and that the bundle finds and runs the .wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { launchChromium } from '../support/chromium.mjs';
import { buildApp } from '../consumer/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };
let work;
let metafile;
let server;
let origin;
const served = [];
let browser;

/** npm pack, then unpack into app/node_modules/edge-sso: what `npm install edge-sso` leaves. */
function installPackedPackage(appDir) {
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
    .trim().split('\n').pop();
  const target = join(appDir, 'node_modules', 'edge-sso');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', target, '--strip-components=1']);
}

/**
 * A static server for the build output, with the demo's CSP: no inline
 * script, wasm allowed; under /no-wasm/ the same files with a CSP that does
 * not allow WebAssembly.
 */
function serve(dir) {
  const srv = http.createServer((req, res) => {
    let path = new URL(req.url, 'http://x').pathname;
    const noWasm = path.startsWith('/no-wasm/');
    if (noWasm) path = path.slice('/no-wasm'.length);
    const file = join(dir, path === '/' ? 'index.html' : path.slice(1));
    served.push(path);
    if (path === '/favicon.ico') { // asked for by every browser; the app has none
      res.writeHead(204).end();
      return;
    }
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': `default-src 'self'; script-src 'self'${noWasm ? '' : " 'wasm-unsafe-eval'"}; base-uri 'none'`,
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'edge-sso-bundler-'));
  const appDir = join(work, 'app');
  for (const f of ['package.json', 'index.html', 'src']) cpSync(join(root, 'tests/consumer', f), join(appDir, f), { recursive: true });
  installPackedPackage(appDir);
  metafile = await buildApp({ appDir, outdir: join(work, 'out') });
  server = await serve(join(work, 'out'));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r()));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('esbuild resolves edge-sso through the exports map to its import entry, from node_modules, with the .wasm inlined', () => {
  const inputs = Object.keys(metafile.inputs);
  for (const f of ['index.js', 'edge_sso.js', 'edge_sso_inline.js']) {
    assert.ok(inputs.includes(`node_modules/edge-sso/pkg/${f}`), inputs.join('\n'));
  }
  for (const other of ['index.cjs', 'workerd.js', 'edge-light.js']) {
    assert.ok(!inputs.some((i) => i.endsWith(`/pkg/${other}`)), `the bundle must not contain pkg/${other}`);
  }
  assert.ok(!existsSync(join(work, 'out', 'edge_sso_bg.wasm')), 'no .wasm asset beside the bundle');
});

test('the bundled app runs in Chromium: PKCE, authorization URL and AuthnRequest from the wasm', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${origin}/`);
  await page.waitForSelector('#status[data-state="ok"]', { timeout: 15_000 }).catch(async () => {
    assert.fail(`the app did not run (served: ${served.join(' ')}): status "${await page.textContent('#status')}", errors: ${errors.join('; ')}`);
  });
  assert.deepEqual(errors, [], served.join(' '));
  assert.deepEqual(served.filter((p) => p.endsWith('.wasm')), [], 'nothing to fetch: the module is in the bundle');

  // The challenge is S256 of the verifier, recomputed by the browser's own WebCrypto.
  const { verifier, challenge, recomputed } = await page.evaluate(async () => {
    const text = (id) => document.getElementById(id).textContent;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text('verifier'))));
    const b64url = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return { verifier: text('verifier'), challenge: text('challenge'), recomputed: b64url };
  });
  assert.equal(verifier.length, 64);
  assert.equal(challenge, recomputed);
  assert.match(await page.textContent('#state'), /^[A-Za-z0-9_-]{43}$/);

  const authorize = new URL(await page.textContent('#authorize-url'));
  assert.equal(authorize.origin + authorize.pathname, 'https://op.example/authorize');
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.match(authorize.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);

  // The AuthnRequest URL carries exactly encodeRedirect(xml), which inflates back to the XML.
  const xml = await page.textContent('#authn-xml');
  const encoded = await page.textContent('#authn-encoded');
  const authn = new URL(await page.textContent('#authn-url'));
  assert.equal(authn.origin + authn.pathname, 'https://idp.example/sso');
  assert.equal(authn.searchParams.get('SAMLRequest'), encoded);
  assert.equal(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8'), xml);
  assert.match(xml, /^<samlp:AuthnRequest [^>]*AssertionConsumerServiceURL="https:\/\/app\.example\/saml\/acs"/);
  await page.close();
});

test('under a CSP without wasm-unsafe-eval the page loads and the first call says what to allow', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/no-wasm/`);
  await page.waitForSelector('#status[data-state="failed"]', { timeout: 15_000 });
  assert.match(await page.textContent('#status'), /^runtime\.wasm_refused: .*'wasm-unsafe-eval'/);
  assert.deepEqual(errors, [], 'the import itself did not throw');
  await page.close();
});
