// Signed federation metadata through the built package (fixtures signed by
// xmlsec1: tests/fixtures/metadata, scripts/fixtures/signed_metadata.py):
// parseIdpMetadata and the SP config verify the federation's signature before
// any key in the metadata is trusted, pick one IdP out of an aggregate, and
// read the 2,000-entity aggregate inside the instance's memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SamlServiceProvider, parseIdpMetadata, EdgeSsoError } from 'edge-sso';
import { initSync } from '../../pkg/edge_sso.js';

const dir = new URL('../fixtures/metadata/', import.meta.url);
const file = (name) => readFileSync(new URL(name, dir), 'utf8');
const { nowMs: now } = JSON.parse(file('manifest.json'));
const fed = file('fed.pem');
const IDP_A = 'https://idp-a.example/metadata';
const refused = (f, code) => assert.throws(f, (e) => e instanceof EdgeSsoError && e.code === code, code);

test('parseIdpMetadata: a signed aggregate verifies with the federation certificate and yields the chosen IdP', () => {
  const info = parseIdpMetadata(file('aggregate.xml'), { entityId: IDP_A, signerCertificates: [fed], now });
  assert.deepEqual(info, {
    entityId: IDP_A, ssoRedirectUrl: 'https://idp-a.example/sso', ssoPostUrl: 'https://idp-a.example/sso/post',
    sloRedirectUrl: 'https://idp-a.example/slo', certificateCount: 2, validUntil: Date.UTC(2024, 5, 1),
    cacheDurationSeconds: 6 * 3600, signed: true,
  });
  assert.equal(parseIdpMetadata(file('aggregate.xml'), { entityId: IDP_A, signerCertificates: fed, now }).signed, true, 'one PEM string');
});

test('parseIdpMetadata: tampered, wrongly signed or unsigned metadata is refused when a signer is named', () => {
  const opts = { entityId: IDP_A, signerCertificates: [fed], now };
  refused(() => parseIdpMetadata(file('aggregate-tampered.xml'), opts), 'saml.signature.digest_mismatch');
  refused(() => parseIdpMetadata(file('aggregate-other-signer.xml'), opts), 'saml.signature.invalid');
  refused(() => parseIdpMetadata(file('aggregate-unsigned.xml'), opts), 'saml.metadata.unsigned');
  refused(() => parseIdpMetadata(file('aggregate-sha1.xml'), opts), 'saml.signature.sha1_refused');
  assert.equal(parseIdpMetadata(file('aggregate-sha1.xml'), { ...opts, allowSha1: true }).signed, true);
  refused(() => parseIdpMetadata(file('aggregate.xml'), { ...opts, signerCertificates: [] }), 'arg.invalid');
  // Given but unset (an environment variable that is not there): refused, never read as "unsigned is fine".
  for (const unset of [undefined, null]) {
    refused(() => parseIdpMetadata(file('aggregate-unsigned.xml'), { ...opts, signerCertificates: unset }), 'arg.invalid');
  }
  // Without signer certificates the metadata is read as given, and says so.
  assert.equal(parseIdpMetadata(file('aggregate-unsigned.xml'), { entityId: IDP_A, now }).signed, false);
});

test('signed metadata must state a validUntil unless allowMissingValidUntil: an old signed copy would verify for ever', () => {
  const xml = file('entity-no-valid-until.xml');
  assert.throws(() => parseIdpMetadata(xml, { signerCertificates: [fed], now }),
    (e) => e.code === 'saml.metadata.valid_until_missing' && /allowMissingValidUntil/.test(e.message));
  assert.equal(parseIdpMetadata(xml, { signerCertificates: [fed], now, allowMissingValidUntil: true }).signed, true);
  const sp = { entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', now, idpMetadataXml: xml, metadataSignerCertificates: fed };
  refused(() => new SamlServiceProvider(sp), 'saml.metadata.valid_until_missing');
  assert.ok(new SamlServiceProvider({ ...sp, allowMissingValidUntil: true }));
});

test('parseIdpMetadata: the entityID must be there exactly once; several IdPs need one', () => {
  const opts = { signerCertificates: [fed], now };
  refused(() => parseIdpMetadata(file('aggregate.xml'), opts), 'saml.metadata.entity_required');
  refused(() => parseIdpMetadata(file('aggregate.xml'), { ...opts, entityId: 'https://nobody.example' }), 'saml.metadata.entity_not_found');
  refused(() => parseIdpMetadata(file('aggregate-duplicate.xml'), { ...opts, entityId: IDP_A }), 'saml.metadata.entity_duplicate');
  refused(() => parseIdpMetadata(file('aggregate.xml'), { ...opts, entityId: 'https://idp-old.example/metadata' }), 'saml.metadata.expired');
});

test('the SP config takes idpMetadataXml, idpEntityId and metadataSignerCertificates', () => {
  const config = {
    entityId: 'https://sp.example/metadata', acsUrl: 'https://sp.example/acs', now,
    idpMetadataXml: file('aggregate.xml'), idpEntityId: IDP_A, metadataSignerCertificates: [fed],
  };
  const sp = new SamlServiceProvider(config);
  assert.ok(sp.authnRequest({ now }).url.startsWith('https://idp-a.example/sso?SAMLRequest='));
  assert.equal(JSON.parse(JSON.stringify(sp)).idpEntityId, IDP_A);
  refused(() => new SamlServiceProvider({ ...config, idpMetadataXml: file('aggregate-tampered.xml') }), 'saml.signature.digest_mismatch');
  refused(() => new SamlServiceProvider({ ...config, idpEntityId: undefined }), 'saml.metadata.entity_required');
  refused(() => new SamlServiceProvider({ ...config, idpMetadataXml: file('aggregate-unsigned.xml'), metadataSignerCertificates: undefined }), 'arg.invalid');
});

test('a 2,000-entity aggregate (4.5 MB) verifies and yields its IdP inside the instance', (t) => {
  const xml = file('aggregate-2000.xml');
  const memory = () => initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
  const before = memory();
  const info = parseIdpMetadata(xml, { entityId: 'https://idp-1000.example/metadata', signerCertificates: [fed], now });
  assert.equal(info.ssoRedirectUrl, 'https://idp-1000.example/sso');
  assert.equal(info.signed, true);
  t.diagnostic(`${xml.length} bytes of metadata; the instance's memory grew from ${before} to ${memory()} bytes`);
});
