// Redirect-binding signatures made by OpenSSL (tests/fixtures/redirect, written by
// scripts/fixtures/redirect_signatures.py), verified through the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SamlServiceProvider } from 'edge-sso';

const dir = new URL('../fixtures/redirect/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
const cert = (name) => readFileSync(new URL(name, dir), 'utf8');

const spFor = (certs, allowSha1 = false) => new SamlServiceProvider({
  entityId: manifest.sp.entityId,
  acsUrl: manifest.sp.acsUrl,
  sloUrl: manifest.sp.sloUrl,
  allowSha1,
  idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: certs.map(cert) },
});

test('every OpenSSL-signed fixture behaves as labelled', () => {
  assert.ok(manifest.cases.length >= 20);
  for (const c of manifest.cases) {
    const sp = spFor(c.certs, c.allowSha1);
    const run = () => sp.verifyRedirect(c.url, { now: manifest.nowMs, allowUnsigned: c.allowUnsigned, ...(c.expectedRequestId ? { expectedRequestId: c.expectedRequestId } : {}) });
    if (c.expect === 'ok') {
      const v = run();
      assert.equal(v.kind, c.kind, c.name);
      assert.equal(v.signed, !c.allowUnsigned, c.name);
      if (c.expectAgain) assert.throws(run, (e) => e.code === c.expectAgain, `${c.name} (second time)`);
    } else {
      assert.throws(run, (e) => e.code === c.expect, c.name);
    }
  }
});

test('a verified LogoutRequest reports its fields and RelayState', () => {
  const base = manifest.cases.find((c) => c.name === manifest.tamperBase);
  const v = spFor(['rsa.pem']).verifyRedirect(base.url, { now: manifest.nowMs });
  assert.equal(v.kind, 'LogoutRequest');
  assert.equal(v.id, '_lr1');
  assert.equal(v.issuer, manifest.idpEntityId);
  assert.equal(v.destination, manifest.sp.sloUrl);
  assert.equal(v.nameId, '4b124ae2-0126-102b-8852-001a641049bb');
  assert.equal(v.nameIdFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
  assert.deepEqual(v.sessionIndexes, ['session-42']);
  assert.equal(v.relayState, '/after logout?x=1&y=é');
  assert.equal(v.sigAlg, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  assert.match(v.xml, /^<samlp:LogoutRequest /);
});

test('a non-success LogoutResponse is an error carrying its status codes', () => {
  const c = manifest.cases.find((x) => x.expect === 'saml.status.not_success');
  assert.throws(() => spFor(c.certs).verifyRedirect(c.url, { now: manifest.nowMs, expectedRequestId: c.expectedRequestId }), (e) => {
    assert.equal(e.code, 'saml.status.not_success');
    assert.equal(e.statusCode, 'urn:oasis:names:tc:SAML:2.0:status:Responder');
    assert.equal(e.secondLevelStatusCode, 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout');
    return true;
  });
});

test('a LogoutResponse reports its status', () => {
  const c = manifest.cases.find((x) => x.kind === 'LogoutResponse');
  const sp = spFor(c.certs);
  assert.throws(() => sp.verifyRedirect(c.url, { now: manifest.nowMs }), { code: 'saml.in_response_to.mismatch' });
  const v = sp.verifyRedirect(c.url, { now: manifest.nowMs, expectedRequestId: '_req9' });
  assert.deepEqual(v.status, { code: 'urn:oasis:names:tc:SAML:2.0:status:Success', success: true });
  assert.equal(v.inResponseTo, '_req9');
  assert.throws(() => sp.verifyRedirect(c.url, { now: manifest.nowMs, expectedRequestId: '_req9' }), { code: 'saml.in_response_to.reused' });
});

test('tampered RelayState, SigAlg or value fail; a per-call allowSha1 overrides the SP', () => {
  const base = manifest.cases.find((c) => c.name === manifest.tamperBase).url;
  const sp = spFor(['rsa.pem']);
  const bad = (url, code) => assert.throws(() => sp.verifyRedirect(url, { now: manifest.nowMs }), (e) => e.code === code, url);
  bad(base.replace('RelayState=%2Fafter', 'RelayState=%2Fbefore'), 'saml.signature.invalid');
  bad(base.replace('rsa-sha256', 'rsa-sha512'), 'saml.signature.invalid');
  const u = new URL(base);
  const value = u.searchParams.get('SAMLRequest');
  const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
  bad(base.replace(encodeURIComponent(value).replaceAll('%20', '+'), encodeURIComponent(flipped)), 'saml.signature.invalid');
  const sha1 = manifest.cases.find((c) => c.name === 'rsa-sha1 with allowSha1').url;
  assert.throws(() => sp.verifyRedirect(sha1, { now: manifest.nowMs }), { code: 'saml.signature.sha1_refused' });
  assert.equal(sp.verifyRedirect(sha1, { now: manifest.nowMs, allowSha1: true }).kind, 'LogoutRequest');
});

test('certificates are read at configuration: weak or garbage ones are refused there', () => {
  assert.throws(() => spFor(['weak-rsa1024.pem']), { code: 'saml.certificate.weak_rsa' });
  assert.throws(() => new SamlServiceProvider({
    entityId: 'x', acsUrl: 'https://sp/acs', idp: { entityId: 'i', ssoRedirectUrl: 'https://idp/sso', certificates: 'garbage' },
  }), { code: 'saml.certificate.invalid' });
  const b64 = cert('rsa.pem').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  assert.ok(spFor([]) && new SamlServiceProvider({
    entityId: 'x', acsUrl: 'https://sp/acs', idp: { entityId: 'i', ssoRedirectUrl: 'https://idp/sso', certificates: b64 },
  }));
});
