// edge-sso in real workerd (npm `workerd`, loopback only): the package's
// `workerd` export is loaded as a module graph with the .wasm as a compiled
// module, and a worker runs PKCE + authorize + callback across two requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, copyFileSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startIdp, readPostForm } from '../support/idp.mjs';
import { copyPackageModules } from '../support/workerd-package.mjs';
import { stopProcess } from '../support/process.mjs';
import { deflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let proc;
let dir; // the temporary worker directory, removed after the tests
let base;
let stderr = '';

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-sso-workerd-'));
  copyFileSync(join(root, 'tests/workerd/worker.js'), join(dir, 'worker.js'));
  const modules = copyPackageModules(dir); // the `workerd` condition's entry and its siblings
  const port = await freePort();
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    ${modules.join(',\n    ')},
  ],
  compatibilityDate = "2025-01-01",
);
`);
  // The package's main export is the path of its platform binary.
  const workerd = await import('workerd');
  const bin = typeof workerd.default === 'string' ? workerd.default : workerd.default.default;
  proc = spawn(bin, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'inherit', 'pipe'] });
  proc.stderr.on('data', (d) => { stderr += d; });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(`${base}/pkce`); return; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`workerd did not start: ${stderr}`);
});

after(async () => {
  if (proc) await stopProcess(proc);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('PKCE in workerd: S256 challenge of the generated verifier', async () => {
  const res = await fetch(`${base}/pkce`);
  assert.equal(res.status, 200);
  const p = await res.json();
  assert.equal(p.codeVerifier.length, 64);
  assert.equal(p.codeChallenge, p.recomputed);
  assert.equal(p.codeChallengeMethod, 'S256');
});

test('authorize then callback across two requests, flow carried in an HttpOnly __Host- cookie', async () => {
  const login = await fetch(`${base}/login`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const setCookie = login.headers.get('set-cookie');
  assert.match(setCookie, /^__Host-edge-sso-flow=/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /Secure/);
  const authorize = new URL(login.headers.get('location'));
  assert.equal(authorize.origin + authorize.pathname, 'https://op.example/authorize');
  const state = authorize.searchParams.get('state');
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/callback`);
  const cookie = setCookie.split(';')[0];

  const cb = `${base}/callback?code=abc&state=${state}&iss=${encodeURIComponent('https://op.example')}`;
  const res = await fetch(cb, { headers: { cookie } });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.state, state);
  assert.equal(out.nonceMatches, true);
  assert.equal(out.grantType, 'authorization_code');
  assert.equal(out.verifierMatches, true);
  assert.equal(out.tokenUrl, 'https://op.example/token');
  assert.equal(out.tokenInfo.tokenType, 'Bearer');
  assert.equal(out.headerScheme, 'Bearer');
  assert.equal(out.subject, 'alice');
  assert.ok(!JSON.stringify(out).includes('worker-at'));
});

test('the worker refuses a foreign state, a missing iss and a missing cookie with typed codes', async () => {
  const login = await fetch(`${base}/login`, { redirect: 'manual' });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const state = new URL(login.headers.get('location')).searchParams.get('state');
  const iss = encodeURIComponent('https://op.example');
  const cases = [
    [`${base}/callback?code=abc&state=forged&iss=${iss}`, cookie, 'oauth.state.mismatch'],
    [`${base}/callback?code=abc&state=${state}`, cookie, 'oauth.iss.missing'],
    [`${base}/callback?code=abc&state=${state}&iss=${iss}`, '', 'flow.cookie_missing'],
    [`${base}/callback?access_token=x&state=${state}&iss=${iss}`, cookie, 'oauth.callback.implicit_response'],
  ];
  for (const [url, c, code] of cases) {
    const res = await fetch(url, { headers: c ? { cookie: c } : {} });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, code, url);
    assert.match(res.headers.get('set-cookie') ?? '', /Max-Age=0/, 'the flow cookie is cleared on failure too');
  }
});

test('SAML in workerd: AuthnRequest for the redirect binding, and every OpenSSL-signed redirect fixture', async () => {
  const a = await (await fetch(`${base}/saml/authn?relay=/cart`)).json();
  assert.equal(a.roundTrip, true);
  assert.match(a.id, /^_[0-9a-f]{64}$/);
  assert.equal(new URL(a.url).searchParams.get('RelayState'), '/cart');
  assert.match(a.xml, /NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"/);

  const dir = new URL('../fixtures/redirect/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
  for (const c of manifest.cases) {
    const sp = {
      entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, sloUrl: manifest.sp.sloUrl, allowSha1: c.allowSha1,
      idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: c.certs.map((n) => readFileSync(new URL(n, dir), 'utf8')) },
    };
    const res = await fetch(`${base}/saml/verify-redirect`, {
      method: 'POST',
      body: JSON.stringify({ sp, url: c.url, options: { now: manifest.nowMs, allowUnsigned: c.allowUnsigned, ...(c.expectedRequestId ? { expectedRequestId: c.expectedRequestId } : {}) } }),
    });
    const out = await res.json();
    if (c.expect === 'ok') {
      assert.equal(res.status, 200, `${c.name}: ${JSON.stringify(out)}`);
      assert.equal(out.kind, c.kind, c.name);
      if (c.expectAgain) assert.equal(out.again, c.expectAgain, `${c.name} (second time)`);
    } else {
      assert.equal(out.code, c.expect, c.name);
    }
  }
});

test('an AuthnRequest built in workerd is accepted by a real IdP (samlp on 127.0.0.1)', async () => {
  const idp = await startIdp({ sps: { 'https://sp.example/metadata': 'https://sp.example/acs' } });
  try {
    const q = new URLSearchParams({ relay: '/from-workerd', idp: idp.entityId, sso: idp.ssoUrl });
    const built = await (await fetch(`${base}/saml/authn?${q}`)).json();
    const res = await fetch(built.url);
    const form = readPostForm(await res.text());
    assert.equal(res.status, 200);
    assert.equal(form.action, 'https://sp.example/acs');
    assert.equal(form.RelayState, '/from-workerd');
    const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
    assert.match(xml, new RegExp(`InResponseTo="${built.id}"`));
  } finally {
    await idp.close();
  }
});

test('SAML metadata, Single Logout, the POST form and a DEFLATE bomb, in workerd', async () => {
  const dir = new URL('../fixtures/redirect/', import.meta.url);
  const cert = readFileSync(new URL('rsa.pem', dir), 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const idpMetadataXml = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso/post"/></IDPSSODescriptor></EntityDescriptor>`;
  const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024)).toString('base64');
  const res = await fetch(`${base}/saml/metadata-and-logout`, { method: 'POST', body: JSON.stringify({ idpMetadataXml, now: Date.now(), bomb }) });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.deepEqual(out.idp, { entityId: 'https://idp.example', ssoPostUrl: 'https://idp.example/sso/post', sloRedirectUrl: 'https://idp.example/slo', certificateCount: 1, signed: false });
  assert.match(out.spMetadata, /AuthnRequestsSigned="false" WantAssertionsSigned="true"/);
  assert.ok(out.logoutUrl.startsWith('https://idp.example/slo?SAMLRequest='));
  assert.ok(out.postHtml.includes('value="&quot;&gt;&lt;script&gt;"'));
  assert.equal(out.postRoundTrip, true);
  assert.equal(out.bombCode, 'saml.binding.too_large');
});

test('SAML Response validation in workerd: every xmlsec1-signed fixture, and a samlp response end to end', async () => {
  const dir = new URL('../fixtures/responses/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
  const file = (n) => readFileSync(new URL(n, dir), 'utf8');
  for (const c of manifest.cases) {
    const raw = file(c.file);
    const sp = { entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, allowSha1: c.allowSha1,
      idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: c.certs.map(file) } };
    const options = { now: manifest.nowMs, allowUnsolicited: c.allowUnsolicited, ...(c.expectedRequestId ? { expectedRequestId: c.expectedRequestId } : {}) };
    const samlResponse = raw.trimStart().startsWith('<') ? Buffer.from(raw).toString('base64') : raw;
    const out = await (await fetch(`${base}/saml/validate`, { method: 'POST', body: JSON.stringify({ sp, samlResponse, options }) })).json();
    if (c.expect === 'ok') {
      assert.ok(out.nameId, `${c.name}: ${JSON.stringify(out)}`);
      if (c.check?.orangeApiToken) assert.equal(out.token.value, c.check.orangeApiToken, c.name);
      if (c.expectAgain) assert.equal(out.again, c.expectAgain, c.name);
    } else {
      assert.equal(out.code, c.expect, c.name);
    }
  }

  const idp = await startIdp({ sps: { 'https://sp.example/metadata': 'https://sp.example/acs' } });
  try {
    const q = new URLSearchParams({ idp: idp.entityId, sso: idp.ssoUrl });
    const built = await (await fetch(`${base}/saml/authn?${q}`)).json();
    const form = readPostForm(await (await fetch(built.url)).text());
    const sp = { entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: idp.certificate } };
    const out = await (await fetch(`${base}/saml/validate`, { method: 'POST', body: JSON.stringify({ sp, samlResponse: form.SAMLResponse, options: { expectedRequestId: built.id } }) })).json();
    assert.equal(out.nameId, '4b124ae2-0126-102b-8852-001a641049bb', JSON.stringify(out));
    assert.equal(out.issuer, idp.entityId);
    assert.ok(out.token.value.startsWith('B64W7ElXG'));
    assert.equal(out.again, 'saml.replayed');
  } finally {
    await idp.close();
  }
});
