// IdP metadata in, SP metadata out, through the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { SamlServiceProvider, parseIdpMetadata } from 'edge-sso';

const dir = new URL('../fixtures/redirect/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
const b64 = (name) => readFileSync(new URL(name, dir), 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');

const metadata = (sso = 'https://idp.example/sso', extra = '') => `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${manifest.idpEntityId}" ${extra}>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${b64('rsa.pem')}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}"/>
  </IDPSSODescriptor>
</EntityDescriptor>`;

test('an SP configured from IdP metadata verifies the IdP-signed redirect fixtures with the metadata certificate', () => {
  const sp = new SamlServiceProvider({ entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl, sloUrl: manifest.sp.sloUrl, idpMetadataXml: metadata(), now: manifest.nowMs });
  const base = manifest.cases.find((c) => c.name === manifest.tamperBase);
  assert.equal(sp.verifyRedirect(base.url, { now: manifest.nowMs }).kind, 'LogoutRequest');
  const other = manifest.cases.find((c) => c.name === 'rsa-sha256 signed by a key that is not configured');
  assert.throws(() => sp.verifyRedirect(other.url, { now: manifest.nowMs }), { code: 'saml.signature.invalid' });
  assert.ok(new URL(sp.authnRequest().url).href.startsWith('https://idp.example/sso?SAMLRequest='));
});

test('parseIdpMetadata reports what it read; hostile metadata is refused', () => {
  const info = parseIdpMetadata(metadata('https://idp.example/sso', 'validUntil="2099-01-01T00:00:00Z"'));
  assert.deepEqual(info, { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificateCount: 1, validUntil: Date.UTC(2099, 0, 1), signed: false });
  assert.throws(() => parseIdpMetadata(metadata('javascript:alert(1)')), { code: 'config.insecure_url' });
  assert.throws(() => parseIdpMetadata(`<!DOCTYPE lolz [<!ENTITY lol "lol">]>${metadata()}`), { code: 'xml.doctype_refused' });
  assert.throws(() => parseIdpMetadata(metadata('https://idp.example/sso', 'validUntil="2001-01-01T00:00:00Z"')), { code: 'saml.metadata.expired' });
  assert.throws(() => new SamlServiceProvider({ entityId: 'x', acsUrl: 'https://sp/acs', idpMetadataXml: metadata(), idp: { entityId: 'y' } }), { code: 'arg.invalid' });
});

test('SP metadata is read by an independent parser (Python ElementTree) as the SP we configured', () => {
  const sp = new SamlServiceProvider({ entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', sloUrl: 'https://sp.example/slo', idpMetadataXml: metadata() });
  const xml = sp.metadataXml({ nameIdFormats: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'] });
  const out = JSON.parse(execFileSync('python3', ['-c', `
import sys, json, xml.etree.ElementTree as ET
M = '{urn:oasis:names:tc:SAML:2.0:metadata}'
r = ET.fromstring(sys.stdin.read())
d = r.find(M + 'SPSSODescriptor')
print(json.dumps({'entityID': r.get('entityID'), 'desc': d.attrib, 'children': [c.tag.replace(M, '') for c in d],
  'acs': d.find(M + 'AssertionConsumerService').attrib, 'slo': d.find(M + 'SingleLogoutService').attrib}))`], { input: xml, encoding: 'utf8' }));
  assert.equal(out.entityID, 'https://sp.example/metadata');
  assert.equal(out.desc.AuthnRequestsSigned, 'false');
  assert.equal(out.desc.WantAssertionsSigned, 'true');
  assert.deepEqual(out.children, ['SingleLogoutService', 'NameIDFormat', 'AssertionConsumerService']);
  assert.equal(out.acs.Location, 'https://sp.example/acs');
  assert.equal(out.acs.Binding, 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  assert.equal(out.slo.Location, 'https://sp.example/slo');
});
