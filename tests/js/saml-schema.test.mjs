// What edge-sso writes is schema-valid SAML 2.0: AuthnRequests (every option),
// LogoutRequests and SP metadata, validated by xmlschema (PyPI) against the
// OASIS XSDs (scripts/setup.sh unpacks them into .tmp/saml-schemas).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SamlServiceProvider } from 'edge-sso';

const SCHEMAS = new URL('../../.tmp/saml-schemas/', import.meta.url).pathname;
const validate = (xml) => {
  try {
    return execFileSync('python3', ['scripts/validate_saml_schema.py', SCHEMAS], { input: xml, encoding: 'utf8' }).trim();
  } catch (e) {
    return e.stdout.trim();
  }
};

const sp = () => new SamlServiceProvider({
  entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', sloUrl: 'https://sp.example/slo',
  idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', ssoPostUrl: 'https://idp.example/post', sloRedirectUrl: 'https://idp.example/slo' },
});

test('the schemas are in place and reject an invalid document (the check can fail)', () => {
  assert.ok(existsSync(`${SCHEMAS}saml-schema-protocol-2.0.xsd`), 'run scripts/setup.sh browser');
  assert.match(validate('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="1-starts-with-a-digit" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"/>'), /^invalid/);
  assert.match(validate('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><samlp:NameIDPolicy/><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">x</saml:Issuer></samlp:AuthnRequest>'), /^invalid/);
});

test('AuthnRequests are schema-valid, minimal and with every option, for both bindings', () => {
  const s = sp();
  assert.equal(validate(s.authnRequest().xml), 'valid');
  assert.equal(validate(s.authnRequest({ binding: 'post' }).xml), 'valid');
  assert.equal(validate(s.authnRequest({
    nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', allowCreate: true, spNameQualifier: 'q' },
    forceAuthn: true, isPassive: true, providerName: 'Shop & "Co"', attributeConsumingServiceIndex: 65535,
    requestedAuthnContext: { classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Password', 'urn:x'], comparison: 'better' },
  }).xml), 'valid');
});

test('LogoutRequests and SP metadata are schema-valid', () => {
  const s = sp();
  assert.equal(validate(s.logoutRequest({ nameId: 'alice', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', nameQualifier: 'idp', spNameQualifier: 'sp', sessionIndexes: ['a', 'b'] }).xml), 'valid');
  assert.equal(validate(s.metadataXml()), 'valid');
  assert.equal(validate(s.metadataXml({ nameIdFormats: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient'] })), 'valid');
});
