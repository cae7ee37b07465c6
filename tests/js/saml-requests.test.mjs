// SAML requests and bindings through the built package, checked byte for byte
// against independent DEFLATE implementations: Node's zlib and Python's zlib
// (wbits=-15, raw DEFLATE), in both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { SamlServiceProvider, encodeRedirect, decodeRedirect, decodePost } from 'edge-sso';

const NOW = Date.UTC(2007, 11, 21, 20, 24, 47);
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

const config = (over = {}) => ({
  entityId: 'https://sp.example/metadata',
  acsUrl: 'https://sp.example/acs',
  idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', ssoPostUrl: 'https://idp.example/sso-post' },
  ...over,
});

const python = (code, input) => execFileSync('python3', ['-c', code], { input, encoding: 'utf8' });
const pyInflate = (b64) => python('import sys,zlib,base64; sys.stdout.write(zlib.decompress(base64.b64decode(sys.stdin.read()), -15).decode())', b64);
const pyDeflate = (xml) => python('import sys,zlib,base64; c=zlib.compressobj(9, zlib.DEFLATED, -15); sys.stdout.write(base64.b64encode(c.compress(sys.stdin.read().encode())+c.flush()).decode())', xml);

function assertCode(fn, code) {
  assert.throws(fn, (e) => e.name === 'EdgeSsoError' && e.code === code);
}

test('the Orange flow (README, "SAML: the Orange flow"): persistent NameIDPolicy, redirect URL, value inflates with Node and Python zlib', () => {
  const sp = new SamlServiceProvider(config());
  const sent = sp.authnRequest({
    nameIdPolicy: { format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', allowCreate: true },
    relayState: '/account',
    now: NOW,
  });
  assert.equal(sent.binding, 'redirect');
  assert.match(sent.id, /^_[0-9a-f]{64}$/);
  const url = new URL(sent.url);
  assert.equal(url.origin + url.pathname, 'https://idp.example/sso');
  assert.deepEqual([...url.searchParams.keys()], ['SAMLRequest', 'RelayState']);
  assert.equal(url.searchParams.get('RelayState'), '/account');
  const value = url.searchParams.get('SAMLRequest');
  assert.equal(inflateRawSync(Buffer.from(value, 'base64')).toString('utf8'), sent.xml);
  assert.equal(pyInflate(value), sent.xml);
  assert.match(sent.xml, /^<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_[0-9a-f]{64}" Version="2.0" IssueInstant="2007-12-21T20:24:47Z" Destination="https:\/\/idp.example\/sso"/);
  assert.match(sent.xml, /<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"\/>/);
  assert.match(sent.xml, /<saml:Issuer>https:\/\/sp.example\/metadata<\/saml:Issuer>/);
  assert.equal(sp.pendingCount(), 1);
});

test('values deflated by Node and by Python decode with edge-sso', () => {
  const orangeSample = '<AuthnRequest xmlns="urn:oasis:names:tc:SAML:2.0:protocol" ID="_cc834c181fc0408c983cb55f8efec289"\nVersion="2.0" IssueInstant="2007-12-21T20:24:47Z" >     <Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">[SERVICE_ID]</Issuer>\n     <NameIDPolicy\n          Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"  AllowCreate="true"/>\n</AuthnRequest>';
  assert.equal(decodeRedirect(deflateRawSync(Buffer.from(orangeSample)).toString('base64')), orangeSample);
  assert.equal(decodeRedirect(pyDeflate(orangeSample)), orangeSample);
  const unicode = '<LogoutRequest>Zoë – 東京 🎌</LogoutRequest>';
  assert.equal(decodeRedirect(pyDeflate(unicode)), unicode);
  // and ours inflates with both
  assert.equal(inflateRawSync(Buffer.from(encodeRedirect(unicode), 'base64')).toString(), unicode);
  assert.equal(pyInflate(encodeRedirect(unicode)), unicode);
});

test('every option lands in the XML, values escaped', () => {
  const sp = new SamlServiceProvider(config());
  const sent = sp.authnRequest({
    forceAuthn: true,
    isPassive: true,
    providerName: 'Shop "A" & <B>',
    attributeConsumingServiceIndex: 3,
    requestedAuthnContext: { classRefs: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Password', 'urn:x:mfa'], comparison: 'minimum' },
    now: NOW,
  });
  assert.match(sent.xml, / ForceAuthn="true" IsPassive="true" /);
  assert.match(sent.xml, / ProviderName="Shop &quot;A&quot; &amp; &lt;B&gt;"/);
  assert.match(sent.xml, / AttributeConsumingServiceIndex="3"/);
  assert.match(sent.xml, /<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password<\/saml:AuthnContextClassRef><saml:AuthnContextClassRef>urn:x:mfa<\/saml:AuthnContextClassRef><\/samlp:RequestedAuthnContext>/);
  assert.match(sent.xml, new RegExp(`ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="https://sp.example/acs"`));
  assertCode(() => sp.authnRequest({ requestedAuthnContext: { classRefs: [], comparison: 'exact' } }), 'arg.invalid');
  assertCode(() => sp.authnRequest({ requestedAuthnContext: { classRefs: ['x'], comparison: 'Exact' } }), 'arg.invalid');
  assertCode(() => sp.authnRequest({ nameIdPolicy: { formatt: 'x' } }), 'arg.unknown_option');
});

test('the SSO URL may already carry a query', () => {
  const sp = new SamlServiceProvider(config({ idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso?app=shop&x=1' } }));
  const url = new URL(sp.authnRequest({ relayState: 'r', now: NOW }).url);
  assert.deepEqual([...url.searchParams.keys()], ['app', 'x', 'SAMLRequest', 'RelayState']);
});

test('POST binding: an escaped auto-submitting form', () => {
  const sp = new SamlServiceProvider(config());
  const sent = sp.authnRequest({ binding: 'post', relayState: '"><script>alert(1)</script>', now: NOW });
  assert.equal(sent.action, 'https://idp.example/sso-post');
  assert.equal(decodePost(sent.samlRequest), sent.xml);
  assert.ok(sent.html.includes('<form method="post" action="https://idp.example/sso-post">'));
  assert.ok(sent.html.includes(`name="SAMLRequest" value="${sent.samlRequest}"`));
  assert.ok(sent.html.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
  assert.ok(!sent.html.includes('<script>alert(1)'));
});

test('RelayState over 80 bytes is refused (SAML Bindings 3.4.3)', () => {
  const sp = new SamlServiceProvider(config());
  assert.ok(sp.authnRequest({ relayState: 'a'.repeat(80) }));
  assertCode(() => sp.authnRequest({ relayState: 'a'.repeat(81) }), 'saml.relay_state.too_long');
  assertCode(() => sp.authnRequest({ relayState: 'é'.repeat(41) }), 'saml.relay_state.too_long');
});

test('decodeRedirect refuses bombs, bad base64, zlib-wrapped and non-UTF-8 input with typed errors', () => {
  const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 }).toString('base64');
  assert.ok(bomb.length < 100_000);
  assertCode(() => decodeRedirect(bomb), 'saml.binding.too_large');
  assertCode(() => decodeRedirect('%%%'), 'saml.binding.base64_invalid');
  assertCode(() => decodeRedirect(Buffer.from('not deflate at all').toString('base64')), 'saml.binding.inflate_failed');
  assertCode(() => decodeRedirect(deflateRawSync(Buffer.from([0xff, 0xfe, 0x00])).toString('base64')), 'saml.binding.not_utf8');
  assertCode(() => decodePost('PFJl_3Bv'), 'saml.binding.base64_invalid');
  assert.equal(decodePost('PFJlc3Bv\r\nbnNlLz4='), '<Response/>');
});

test('configuration is strict', () => {
  assertCode(() => new SamlServiceProvider(config({ acsUrl: 'http://sp.example/acs' })), 'config.insecure_url');
  assertCode(() => new SamlServiceProvider(config({ idp: { entityId: 'x', ssoRedirectUrl: 'javascript:alert(1)' } })), 'config.insecure_url');
  assertCode(() => new SamlServiceProvider(config({ privateKey: '-----BEGIN PRIVATE KEY-----' })), 'config.secret_refused');
  assertCode(() => new SamlServiceProvider(config({ idp: undefined })), 'arg.invalid');
  assertCode(() => new SamlServiceProvider(config({ entityID: 'typo' })), 'arg.unknown_option');
  const onlyRedirect = new SamlServiceProvider(config({ idp: { entityId: 'x', ssoRedirectUrl: 'https://idp/sso' } }));
  assertCode(() => onlyRedirect.authnRequest({ binding: 'post' }), 'arg.invalid');
  assertCode(() => onlyRedirect.authnRequest({ binding: 'artifact' }), 'arg.invalid');
});

test('an independent XML parser (Python ElementTree) reads the request as a namespaced AuthnRequest', () => {
  const sp = new SamlServiceProvider(config());
  const { xml, id } = sp.authnRequest({ nameIdPolicy: { format: 'urn:x', allowCreate: false }, providerName: 'A & B', now: NOW });
  const out = JSON.parse(python(`
import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read())
A = '{urn:oasis:names:tc:SAML:2.0:assertion}'
P = '{urn:oasis:names:tc:SAML:2.0:protocol}'
print(json.dumps({"tag": r.tag, "attrs": r.attrib, "children": [c.tag for c in r],
  "issuer": r.find(A + "Issuer").text, "policy": r.find(P + "NameIDPolicy").attrib}))`, xml));
  assert.equal(out.tag, `{${PROTOCOL}}AuthnRequest`);
  assert.equal(out.attrs.ID, id);
  assert.equal(out.attrs.Version, '2.0');
  assert.equal(out.attrs.ProviderName, 'A & B');
  assert.equal(out.attrs.IssueInstant, '2007-12-21T20:24:47Z');
  assert.deepEqual(out.children, ['{urn:oasis:names:tc:SAML:2.0:assertion}Issuer', `{${PROTOCOL}}NameIDPolicy`]);
  assert.equal(out.issuer, 'https://sp.example/metadata');
  assert.deepEqual(out.policy, { Format: 'urn:x', AllowCreate: 'false' });
});

test('Single Logout: LogoutRequest for the redirect binding, signing input for a server, LogoutResponse answered once', () => {
  const sp = new SamlServiceProvider(config({
    sloUrl: 'https://sp.example/slo',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso', sloRedirectUrl: 'https://idp.example/slo' },
  }));
  const sent = sp.logoutRequest({ nameId: 'alice', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', sessionIndexes: ['s1'], relayState: '/bye', now: NOW });
  const u = new URL(sent.url);
  assert.equal(inflateRawSync(Buffer.from(u.searchParams.get('SAMLRequest'), 'base64')).toString(), sent.xml);
  assert.match(sent.xml, /<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice<\/saml:NameID><samlp:SessionIndex>s1<\/samlp:SessionIndex>/);
  assert.equal(sent.signingInput, undefined);
  const signed = sp.logoutRequest({ nameId: 'alice', sigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', now: NOW });
  assert.ok(signed.url.endsWith(signed.signingInput));
  assert.match(signed.signingInput, /^SAMLRequest=[^&]+&SigAlg=http%3A%2F%2Fwww\.w3\.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256$/);
  assertCode(() => sp.logoutRequest({ nameId: 'alice', sigAlg: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1' }), 'saml.signature.algorithm_unsupported');

  const answer = (irt) => Buffer.from(`<LogoutResponse xmlns="${PROTOCOL}" ID="_x" Version="2.0" IssueInstant="2007-12-21T20:24:50Z" Destination="https://sp.example/slo" InResponseTo="${irt}"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example</Issuer><Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></Status></LogoutResponse>`).toString('base64');
  assertCode(() => sp.readLogoutResponse(answer(sent.id), { now: NOW }), 'saml.signature.missing');
  const r = sp.readLogoutResponse(answer(sent.id), { now: NOW, allowUnsigned: true });
  assert.equal(r.kind, 'LogoutResponse');
  assert.equal(r.status.success, true);
  assertCode(() => sp.readLogoutResponse(answer(sent.id), { now: NOW, allowUnsigned: true }), 'saml.in_response_to.reused');
  assertCode(() => sp.readLogoutResponse(answer('_nope'), { now: NOW, allowUnsigned: true }), 'saml.in_response_to.mismatch');
});
