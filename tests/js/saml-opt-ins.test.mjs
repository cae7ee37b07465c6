// The SAML opt-ins through the built package (which runs the SIMD RSA
// arithmetic): allowWeakRsa, allowHttp, one clockSkewSeconds maximum, and
// values that differ by a character that is not XML whitespace. Fixtures:
// tests/fixtures/opt-ins (scripts/fixtures/opt_ins.py: OpenSSL and xmlsec1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SamlServiceProvider, parseIdpMetadata } from 'edge-sso';

const dir = new URL('../fixtures/opt-ins/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
const file = (name) => readFileSync(new URL(name, dir), 'utf8');
const b64 = (s) => Buffer.from(s).toString('base64');
const now = manifest.nowMs;
const answering = { now, expectedRequestId: manifest.expectedRequestId };

const config = (extra = {}, idp = {}) => ({
  entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, sloUrl: manifest.sp.sloUrl,
  idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: file('idp.pem'), ...idp },
  ...extra,
});

test('allowWeakRsa: a 1024-bit IdP key is refused by name without it, verifies with it', () => {
  const weak = { certificates: file('rsa1024.pem') };
  assert.throws(() => new SamlServiceProvider(config({}, weak)),
    (e) => e.code === 'saml.certificate.weak_rsa' && /1024 bits/.test(e.message) && /allowWeakRsa/.test(e.message));
  const sp = new SamlServiceProvider(config({ allowWeakRsa: true }, weak));
  assert.equal(sp.validateResponse(b64(file('response-rsa1024.xml')), answering).nameId, '4b124ae2-0126-102b-8852-001a641049bb');
  const redirect = sp.verifyRedirect(file('logout-request-rsa1024.url').trimEnd(), { now });
  assert.equal(redirect.id, '_lr_weak');
  assert.equal(redirect.signed, true);
  // From metadata, in the SP config and in parseIdpMetadata.
  const idpMetadataXml = file('metadata-rsa1024.xml');
  const fromMetadata = { entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, idpMetadataXml, now };
  assert.throws(() => new SamlServiceProvider(fromMetadata), { code: 'saml.certificate.weak_rsa' });
  new SamlServiceProvider({ ...fromMetadata, allowWeakRsa: true }).free();
  assert.throws(() => parseIdpMetadata(idpMetadataXml, { now }), { code: 'saml.certificate.weak_rsa' });
  assert.equal(parseIdpMetadata(idpMetadataXml, { now, allowWeakRsa: true }).certificateCount, 1);
});

test('allowWeakRsa: keys under 1024 bits are refused even with it', () => {
  for (const name of ['rsa768.pem', 'rsa512.pem']) {
    for (const allowWeakRsa of [false, true]) {
      assert.throws(() => new SamlServiceProvider(config({ allowWeakRsa }, { certificates: file(name) })),
        { code: 'saml.certificate.unsupported' }, `${name} ${allowWeakRsa}`);
    }
  }
});

test('allowHttp: plain http on any host for the SP and IdP URLs; no other scheme', () => {
  const http = { acsUrl: 'http://sp.example/acs', sloUrl: 'http://sp.example/slo' };
  const idp = { ssoRedirectUrl: 'http://idp.example/sso', ssoPostUrl: 'http://idp.example/sso-post', sloRedirectUrl: 'http://idp.example/slo' };
  assert.throws(() => new SamlServiceProvider(config(http, idp)),
    (e) => e.code === 'config.insecure_url' && /allowHttp/.test(e.message));
  const sp = new SamlServiceProvider(config({ ...http, allowHttp: true }, idp));
  assert.ok(sp.authnRequest({ now }).url.startsWith('http://idp.example/sso?SAMLRequest='));
  assert.equal(sp.authnRequest({ now, binding: 'post' }).action, 'http://idp.example/sso-post');
  for (const url of ['javascript:alert(1)', 'data:text/html,x', 'ftp://sp.example/acs']) {
    assert.throws(() => new SamlServiceProvider(config({ acsUrl: url, allowHttp: true })), { code: 'config.insecure_url' }, url);
    assert.throws(() => new SamlServiceProvider(config({ allowHttp: true }, { ssoRedirectUrl: url })), { code: 'config.insecure_url' }, url);
  }
  const metadata = file('metadata-rsa1024.xml').replace('https://idp.example/sso', 'http://idp.example/sso');
  assert.throws(() => parseIdpMetadata(metadata, { now, allowWeakRsa: true }), (e) => e.code === 'config.insecure_url' && /allowHttp/.test(e.message));
  assert.equal(parseIdpMetadata(metadata, { now, allowWeakRsa: true, allowHttp: true }).ssoRedirectUrl, 'http://idp.example/sso');
});

test('clockSkewSeconds: the same maximum and error for the SP and for one call', () => {
  let fromSp;
  assert.throws(() => new SamlServiceProvider(config({ clockSkewSeconds: 3601 })), (e) => { fromSp = e; return e.code === 'arg.invalid'; });
  const sp = new SamlServiceProvider(config({ clockSkewSeconds: 3600 }));
  let fromCall;
  assert.throws(() => sp.validateResponse(b64(file('nameid-nbsp.xml')), { ...answering, clockSkewSeconds: 3601 }),
    (e) => { fromCall = e; return e.code === 'arg.invalid'; });
  assert.equal(fromCall.message, fromSp.message);
  assert.match(fromCall.message, /clockSkewSeconds/);
  assert.equal(sp.validateResponse(b64(file('nameid-nbsp.xml')), { ...answering, clockSkewSeconds: 3600 }).nameId, 'admin\u00a0');
});

test('U+00A0 is not XML whitespace: kept in a NameID, and an Issuer with it is another issuer', () => {
  const sp = new SamlServiceProvider(config());
  assert.equal(sp.validateResponse(b64(file('nameid-nbsp.xml')), answering).nameId, 'admin\u00a0');
  assert.throws(() => new SamlServiceProvider(config()).validateResponse(b64(file('issuer-nbsp.xml')), answering),
    { code: 'saml.issuer.mismatch' });
});
