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
  const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))).concat(pkg.types);
  for (const t of targets) assert.ok(files.has(t.replace(/^\.\//, '')), `${t} is exported but not packed`);
  assert.ok(files.has('pkg/edge_sso_bg.wasm'));
  assert.ok(files.has('pkg/edge_sso.js'));
  for (const f of files) assert.ok(!/^(src|tests|scripts|www|target)\//.test(f), `${f} should not be published`);
  for (const entry of ['.', './oauth']) assert.equal(Object.keys(pkg.exports[entry])[0], 'types', '"types" must come first in the conditions');
});

test('the packed tarball installs into a fresh project and works there from its node entry', () => {
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
  assert.ok(!existsSync(join(target, 'src')));
});

test('types: the public declarations exist and match the runtime entries (no default init export)', () => {
  const dts = readFileSync(join(root, 'pkg/index.d.ts'), 'utf8');
  for (const name of ['class OAuthClient', 'class AuthorizationResponse', 'function createPkce', 'function pkceChallenge',
    'function randomState', 'function randomNonce', 'interface OAuthClientConfig', 'interface TokenInfo']) {
    assert.ok(dts.includes(name), `index.d.ts lacks ${name}`);
  }
  assert.ok(!/export default/.test(dts));
  assert.match(dts, /constructor\(config: OAuthClientConfig\)/);
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
  const dts = readFileSync(join(root, pkg.exports['./oauth'].types), 'utf8');
  assert.ok(dts.includes('class OAuthClient') && !dts.includes('SamlServiceProvider'));
  // each entry point is its own module, and the OAuth one is the smaller
  const wasm = (types) => join(root, dirname(types), types.includes('oauth') ? 'edge_sso_oauth_bg.wasm' : 'edge_sso_bg.wasm');
  assert.ok(readFileSync(wasm(pkg.exports['./oauth'].types)).length < readFileSync(wasm(pkg.exports['.'].types)).length);
});
