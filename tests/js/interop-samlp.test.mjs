// A real IdP (npm samlp on 127.0.0.1) accepts the AuthnRequest edge-sso built
// (redirect binding) and answers with a signed login Response posted to our
// ACS, in answer to our request ID. Validating that Response is the next issue's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SamlServiceProvider, decodePost } from 'edge-sso';
import { startIdp, readPostForm } from '../support/idp.mjs';

const SP = { entityId: 'https://shop.example/saml', acsUrl: 'https://shop.example/saml/acs' };
let idp;

before(async () => { idp = await startIdp({ sps: { [SP.entityId]: SP.acsUrl } }); });
after(() => idp?.close());

test('samlp accepts our redirect AuthnRequest and answers our request ID at our ACS', async () => {
  const sp = new SamlServiceProvider({ ...SP, idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl, certificates: idp.certificate } });
  const sent = sp.authnRequest({
    nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', allowCreate: true },
    relayState: '/account?tab=1',
  });
  const res = await fetch(sent.url);
  const html = await res.text();
  assert.equal(res.status, 200, html.slice(0, 300));
  const form = readPostForm(html);
  assert.equal(form.action, SP.acsUrl);
  assert.equal(form.RelayState, '/account?tab=1');
  const xml = decodePost(form.SAMLResponse);
  const facts = JSON.parse(execFileSync('python3', ['-c', `
import sys, json, xml.etree.ElementTree as ET
P='{urn:oasis:names:tc:SAML:2.0:protocol}'; A='{urn:oasis:names:tc:SAML:2.0:assertion}'; D='{http://www.w3.org/2000/09/xmldsig#}'
r = ET.fromstring(sys.stdin.read()); a = r.find(A+'Assertion')
print(json.dumps({'root': r.tag, 'inResponseTo': r.get('InResponseTo'), 'destination': r.get('Destination'),
  'status': r.find(P+'Status/'+P+'StatusCode').get('Value'), 'issuer': a.find(A+'Issuer').text,
  'audience': a.find(A+'Conditions/'+A+'AudienceRestriction/'+A+'Audience').text,
  'recipient': a.find(A+'Subject/'+A+'SubjectConfirmation/'+A+'SubjectConfirmationData').get('Recipient'),
  'scdInResponseTo': a.find(A+'Subject/'+A+'SubjectConfirmation/'+A+'SubjectConfirmationData').get('InResponseTo'),
  'nameId': a.find(A+'Subject/'+A+'NameID').text, 'signed': a.find(D+'Signature') is not None,
  'attributes': [x.get('Name') for x in a.iter(A+'Attribute')]}))`], { input: xml, encoding: 'utf8' }));
  assert.equal(facts.root, '{urn:oasis:names:tc:SAML:2.0:protocol}Response');
  assert.equal(facts.inResponseTo, sent.id);
  assert.equal(facts.scdInResponseTo, sent.id);
  assert.equal(facts.status, 'urn:oasis:names:tc:SAML:2.0:status:Success');
  assert.equal(facts.issuer, idp.entityId);
  assert.equal(facts.audience, SP.entityId);
  assert.equal(facts.recipient, SP.acsUrl);
  assert.equal(facts.destination, SP.acsUrl);
  assert.equal(facts.nameId, '4b124ae2-0126-102b-8852-001a641049bb');
  assert.equal(facts.signed, true);
  assert.ok(facts.attributes.includes('OrangeAPIToken'));
});

test('samlp refuses to answer an SP it does not know (our Issuer is what it keys on)', async () => {
  const sp = new SamlServiceProvider({ entityId: 'https://unknown.example', acsUrl: 'https://unknown.example/acs', idp: { entityId: idp.entityId, ssoRedirectUrl: idp.ssoUrl } });
  const res = await fetch(sp.authnRequest().url);
  assert.equal(res.status, 401);
});
