// The npm package as published: `npm pack`, install the tarball into a
// throwaway project, import it there by name; and the exports map, files list
// and types are consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('every file the exports map names is in the packed tarball, and nothing from src/ or tests/', () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files = new Set(packed.files.map((f) => f.path));
  const leaves = (t) => (typeof t === 'string' ? [t] : Object.values(t).flatMap(leaves));
  const targets = leaves(pkg.exports).concat(pkg.types, pkg.main, pkg.module);
  for (const t of targets) assert.ok(files.has(t.replace(/^\.\//, '')), `${t} is exported but not packed`);
  assert.ok(files.has('pkg/edge_sso_bg.wasm'));
  assert.ok(files.has('pkg/edge_sso.js'));
  for (const f of files) assert.ok(!/^(src|tests|scripts|www|target)\//.test(f), `${f} should not be published`);
  for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'README.md']) assert.ok(files.has(f), `${f} is not packed`);
  for (const entry of ['.', './oauth']) {
    // The worker conditions come before `import`/`require`, whose runtimes
    // also set them; each leaf names its types first.
    assert.deepEqual(Object.keys(pkg.exports[entry]), ['workerd', 'edge-light', 'import', 'require', 'default']);
    for (const [condition, leaf] of Object.entries(pkg.exports[entry])) {
      assert.deepEqual(Object.keys(leaf), ['types', 'default'], `${entry} ${condition}: "types" first`);
    }
  }
});

test('resolvers that do not read the exports map (Parcel 2 by default) find edge-sso/oauth and edge-sso/session in their folders, at the files the map names', () => {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files = new Set(packed.files.map((f) => f.path));
  const fromRoot = (folder, p) => join(folder, p).replace(/\\/g, '/');
  const expect = {
    oauth: { main: pkg.exports['./oauth'].require.default, module: pkg.exports['./oauth'].import.default, types: pkg.exports['./oauth'].import.types },
    session: { main: pkg.exports['./session'].default, module: pkg.exports['./session'].default, types: pkg.exports['./session'].types },
  };
  for (const [folder, want] of Object.entries(expect)) {
    assert.ok(files.has(`${folder}/package.json`), `${folder}/package.json is not packed`);
    const fallback = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
    for (const field of ['main', 'module', 'types']) {
      assert.equal(fromRoot(folder, fallback[field]), want[field].replace(/^\.\//, ''), `${folder}/package.json ${field}`);
    }
    // TypeScript's node10 resolution takes the types from typesVersions.
    assert.deepEqual(pkg.typesVersions['*'][folder], [want.types]);
  }
});

test('no entry reads import.meta or awaits at top level: every bundler, CommonJS and iife can take it', () => {
  for (const dir of ['pkg', 'pkg/oauth']) {
    for (const f of ['index.js', 'workerd.js', 'edge-light.js', 'api.js', 'oauth-api.js', 'wasm-support.js']) {
      const text = readFileSync(join(root, dir, f), 'utf8');
      assert.doesNotMatch(text, /import\.meta/, `${dir}/${f}`);
      assert.doesNotMatch(text, /^await /m, `${dir}/${f}`);
    }
    const glue = readFileSync(join(root, dir, dir === 'pkg' ? 'edge_sso.js' : 'edge_sso_oauth.js'), 'utf8');
    assert.doesNotMatch(glue, /import\.meta/, `${dir}: the glue's default .wasm URL is removed`);
  }
});

test('the packed tarball installs into a fresh project and works there by import and by require', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-consumer-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  const target = join(dir, 'node_modules', 'edge-sso');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, out), '-C', target, '--strip-components=1']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(join(dir, 'main.mjs'), `
    import { pkceChallenge, OAuthClient } from 'edge-sso';
    const c = new OAuthClient({ authorizationEndpoint: 'https://op/a', tokenEndpoint: 'https://op/t', clientId: 'x', redirectUri: 'https://app/cb' });
    console.log(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), new URL(c.authorize().url).searchParams.get('code_challenge_method'));
    // The modules by name, for bundlers and workers that load the .wasm themselves.
    for (const name of ['edge-sso/edge_sso_bg.wasm', 'edge-sso/oauth/edge_sso_oauth_bg.wasm']) {
      console.log(WebAssembly.validate(await (await import('node:fs/promises')).readFile(new URL(import.meta.resolve(name)))));
    }
  `);
  const printed = execFileSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' }).trim();
  assert.equal(printed, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM S256\ntrue\ntrue');
  writeFileSync(join(dir, 'main.cjs'), `
    const { pkceChallenge, SamlServiceProvider, EdgeSsoError } = require('edge-sso');
    const oauth = require('edge-sso/oauth');
    let code;
    try { oauth.createPkce({ method: 'plain' }); } catch (e) { code = e instanceof EdgeSsoError && e.code; }
    console.log(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), typeof SamlServiceProvider, code);
  `);
  const required = execFileSync(process.execPath, ['main.cjs'], { cwd: dir, encoding: 'utf8' }).trim();
  assert.equal(required, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM function pkce.plain_refused');
  assert.ok(!existsSync(join(target, 'src')));
});

test('types: the public declarations exist and match the runtime entries (no default init export)', () => {
  const dts = readFileSync(join(root, 'pkg/index.d.ts'), 'utf8');
  for (const name of ['class OAuthClient', 'class AuthorizationResponse', 'function createPkce', 'function pkceChallenge',
    'function randomState', 'function randomNonce', 'interface OAuthClientConfig', 'interface TokenInfo']) {
    assert.ok(dts.includes(name), `index.d.ts lacks ${name}`);
  }
  assert.ok(!/export default/.test(dts));
  assert.match(dts, /class OAuthClient<C extends OAuthClientConfig \| FromMetadataConfig = OAuthClientConfig>/);
  assert.match(dts, /constructor\(config: C\)/);
  assert.match(dts, /function discoveryUrl/);
});

test('the README lists every error code the crate can produce', () => {
  const source = readFileSync(join(root, 'src/error.rs'), 'utf8');
  const codes = [...source.matchAll(/=> "([a-z_]+\.[a-z_.]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length >= 30, `found only ${codes.length} codes`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const c of codes) assert.ok(readme.includes(`\`${c}\``), `README does not list ${c}`);
});

test('edge-sso/oauth: the OAuth-only build loads by name, has the OAuth API and nothing of SAML', async () => {
  const oauth = await import('edge-sso/oauth');
  const full = await import('edge-sso');
  assert.equal(typeof oauth.OAuthClient, 'function');
  assert.equal(oauth.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.match(oauth.randomState(), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(oauth.SamlServiceProvider, undefined);
  assert.equal(typeof full.SamlServiceProvider, 'function');
  // the same errors and codes as the full build
  assert.throws(() => oauth.createPkce({ method: 'plain' }), { name: 'EdgeSsoError', code: 'pkce.plain_refused' });
  const dts = readFileSync(join(root, pkg.exports['./oauth'].import.types), 'utf8');
  assert.ok(dts.includes('class OAuthClient') && !dts.includes('SamlServiceProvider'));
  // each entry point is its own module, and the OAuth one is the smaller
  const wasm = (types) => join(root, dirname(types), types.includes('oauth') ? 'edge_sso_oauth_bg.wasm' : 'edge_sso_bg.wasm');
  assert.ok(readFileSync(wasm(pkg.exports['./oauth'].import.types)).length < readFileSync(wasm(pkg.exports['.'].import.types)).length);
});
