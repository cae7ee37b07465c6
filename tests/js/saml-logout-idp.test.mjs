// Single Logout started by the IdP, through the built package: its
// LogoutRequest posted (fixtures signed by xmlsec1: tests/fixtures/logout-post,
// scripts/fixtures/logout_post.py), read once and only as signed, and the SP's
// LogoutResponse for the IdP's redirect SLO endpoint, which an independent
// reader (Python's ElementTree) reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { SamlServiceProvider, EdgeSsoError } from 'edge-sso';

const dir = new URL('../fixtures/logout-post/', import.meta.url);
const file = (name) => readFileSync(new URL(name, dir), 'utf8');
const manifest = JSON.parse(file('manifest.json'));
const posted = (name) => Buffer.from(file(name)).toString('base64');
const now = manifest.nowMs;

const newSp = () => new SamlServiceProvider({
  entityId: manifest.sp.entityId, acsUrl: 'https://sp.example/acs', sloUrl: manifest.sp.sloUrl,
  idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', sloRedirectUrl: 'https://idp.example/slo', certificates: [file('idp.pem')] },
});

test('a LogoutRequest the IdP posts is read once, with its NameID and SessionIndex', () => {
  const sp = newSp();
  const r = sp.readLogoutRequest(posted('signed.xml'), { now });
  assert.equal(r.kind, 'LogoutRequest');
  assert.equal(r.signed, true);
  assert.equal(r.nameId, manifest.nameId);
  assert.deepEqual(r.sessionIndexes, [manifest.sessionIndex]);
  assert.throws(() => sp.readLogoutRequest(posted('signed.xml'), { now }), { code: 'saml.replayed' });
});

test('a posted LogoutRequest that is not exactly what the IdP signed is refused with a typed error', () => {
  const sp = newSp();
  for (const [name, code] of [
    ['tampered.xml', 'saml.signature.digest_mismatch'], ['other-signer.xml', 'saml.signature.invalid'],
    ['unsigned.xml', 'saml.signature.missing'], ['wrapped.xml', 'saml.signature.missing'],
    ['wrong-destination.xml', 'saml.destination.mismatch'], ['expired.xml', 'saml.expired'],
    ['encrypted-id.xml', 'saml.logout.name_id_missing'], ['empty-name-id.xml', 'saml.logout.name_id_missing'],
  ]) {
    assert.throws(() => sp.readLogoutRequest(posted(name), { now }), (e) => e instanceof EdgeSsoError && e.code === code, name);
  }
  assert.equal(sp.readLogoutRequest(posted('unsigned.xml'), { now, allowUnsigned: true }).signed, false);
});

test('the LogoutResponse goes to the IdP\'s SLO endpoint with InResponseTo, Destination and Status', () => {
  const sp = newSp();
  const request = sp.readLogoutRequest(posted('signed.xml'), { now });
  const sent = sp.logoutResponse({ inResponseTo: request.id, relayState: 'back-to-idp', now });
  const url = new URL(sent.url);
  assert.equal(url.origin + url.pathname, 'https://idp.example/slo');
  assert.equal(url.searchParams.get('RelayState'), 'back-to-idp');
  assert.equal(sent.signingInput, undefined);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLResponse'), 'base64')).toString('utf8');
  assert.equal(xml, sent.xml);
  // An independent XML reader sees what the IdP will.
  const read = JSON.parse(execFileSync('python3', ['-c', `
import json, sys, xml.etree.ElementTree as ET
P = '{urn:oasis:names:tc:SAML:2.0:protocol}'
A = '{urn:oasis:names:tc:SAML:2.0:assertion}'
r = ET.fromstring(sys.stdin.read())
print(json.dumps({'tag': r.tag, 'irt': r.get('InResponseTo'), 'dest': r.get('Destination'), 'issuer': r.find(A + 'Issuer').text,
  'status': r.find(P + 'Status').find(P + 'StatusCode').get('Value')}))`], { input: xml, encoding: 'utf8' }));
  assert.deepEqual(read, {
    tag: '{urn:oasis:names:tc:SAML:2.0:protocol}LogoutResponse', irt: '_idp_lr1', dest: 'https://idp.example/slo',
    issuer: manifest.sp.entityId, status: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  });
  const signedForServer = sp.logoutResponse({ inResponseTo: request.id, sigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', now });
  assert.equal(signedForServer.signingInput, new URL(signedForServer.url).search.slice(1));
  assert.throws(() => sp.logoutResponse({ inResponseTo: request.id, statusCode: 'urn:example:nope' }), { code: 'arg.invalid' });
});
