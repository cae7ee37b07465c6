// Hostile input against every SAML entry point through the built package:
// each call returns or throws an EdgeSsoError with a code, and the wasm
// instance is still healthy afterwards (a Rust panic would trap it for good).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { SamlServiceProvider, decodeRedirect, decodePost, parseIdpMetadata, encodeRedirect, pkceChallenge } from 'edge-sso';

// A small deterministic PRNG (xorshift32), so a failure reproduces.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

const FRAGMENTS = ['<', '>', '&', '&amp;', '&#0;', '&#x110000;', '<!DOCTYPE x [<!ENTITY a "b">]>', '<![CDATA[', ']]>', '<?xml version="1.0"?>',
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">',
  '<LogoutResponse xmlns="urn:oasis:names:tc:SAML:2.0:protocol" Version="2.0" IssueInstant="9999-99-99T99:99:99Z" ID="">',
  '</', 'xmlns:a="', '"', "'", '\u0000', '\uffff', '\ud800', 'é', '🎌', '%', '%zz', '+', '=', '&SAMLRequest=', '&SigAlg=', '&Signature=',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1', 'A'.repeat(1000), '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e">'];

function garbage(r) {
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    s += r() < 0.6 ? FRAGMENTS[Math.floor(r() * FRAGMENTS.length)] : String.fromCharCode(Math.floor(r() * 0x3000));
  }
  return s;
}

function mustBeTyped(fn, label) {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, 'EdgeSsoError', `${label}: ${e}`);
    assert.match(e.code, /^[a-z0-9_.]+$/, label);
  }
}

test('2,000 hostile inputs per entry point: typed errors only, and the instance survives', () => {
  const sp = new SamlServiceProvider({
    entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs', sloUrl: 'https://sp.example/slo',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso' },
  });
  const r = rng(0x5eed);
  for (let i = 0; i < 2000; i++) {
    const g = garbage(r);
    const b64 = Buffer.from(g).toString('base64');
    const deflated = deflateRawSync(Buffer.from(g)).toString('base64');
    mustBeTyped(() => decodeRedirect(g), 'decodeRedirect(raw)');
    mustBeTyped(() => decodeRedirect(deflated), 'decodeRedirect(deflated)');
    mustBeTyped(() => decodePost(b64), 'decodePost');
    mustBeTyped(() => parseIdpMetadata(g, { now: 0 }), 'parseIdpMetadata');
    mustBeTyped(() => sp.verifyRedirect(`https://sp.example/slo?SAMLRequest=${encodeURIComponent(deflated)}&${g}`, { allowUnsigned: true }), 'verifyRedirect');
    mustBeTyped(() => sp.verifyRedirect(g), 'verifyRedirect(raw)');
    mustBeTyped(() => sp.readLogoutResponse(b64, { allowUnsigned: true }), 'readLogoutResponse');
    mustBeTyped(() => sp.authnRequest({ relayState: g.slice(0, 80), providerName: g }), 'authnRequest');
  }
  // still alive and correct
  assert.equal(decodeRedirect(encodeRedirect('<ok/>')), '<ok/>');
  assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('oversized and pathological documents are refused by limits, not by exhaustion', () => {
  const sp = new SamlServiceProvider({
    entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso' },
  });
  const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
  assert.throws(() => parseIdpMetadata(deep), { code: 'xml.too_deep' });
  const wide = `<a ${Array.from({ length: 5000 }, (_, i) => `a${i}="1"`).join(' ')}/>`;
  assert.throws(() => parseIdpMetadata(wide), { code: 'xml.too_many_attributes' });
  // Metadata has room for a federation aggregate (300,000 nodes, 8 MiB); a message has not.
  assert.throws(() => parseIdpMetadata('<a>' + '<b/>'.repeat(300_000) + '</a>'), { code: 'xml.too_many_nodes' });
  assert.throws(() => parseIdpMetadata(`<a>${'x'.repeat(8 * 1024 * 1024)}</a>`), { code: 'xml.too_large' });
  assert.throws(() => sp.validateResponse(btoa('<a>' + '<b/>'.repeat(50_000) + '</a>')), { code: 'xml.too_many_nodes' });
  assert.throws(() => decodePost('A'.repeat(3 * 1024 * 1024)), { code: 'saml.binding.too_large' });
  const billionLaughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
  assert.throws(() => parseIdpMetadata(billionLaughs), { code: 'xml.doctype_refused' });
});

test('well-formed messages with hostile field values reach every envelope check and fail typed', () => {
  const sp = new SamlServiceProvider({
    entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs', sloUrl: 'https://sp.example/slo',
    idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso' },
  });
  const r = rng(0xfeed);
  const esc = (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/g, '');
  // the first value is the valid one, and is chosen most of the time, so that
  // inputs get past the early checks and exercise the later ones
  const pick = (good, ...bad) => (r() < 0.75 ? good : bad[Math.floor(r() * bad.length)]);
  const codes = new Set();
  let accepted = 0;
  for (let i = 0; i < 1500; i++) {
    const kind = r() < 0.5 ? 'LogoutRequest' : pick('LogoutResponse', 'Response', 'AuthnRequest', 'ArtifactResolve');
    const issuer = pick('https://idp.example', 'https://evil.example', esc(garbage(r)), '');
    const dest = pick('https://sp.example/slo', 'https://sp.example/acs', 'https://evil.example/slo', esc(garbage(r)), null);
    const id = r() < 0.1 ? '_repeated' : `_${i}`;
    const instant = pick('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.999+02:00', '2099-01-01T00:00:00Z', '2000-01-01T00:00:00Z', esc(garbage(r)));
    const version = pick('2.0', '2.0', '1.1', '');
    const irt = pick('_x', null, esc(garbage(r)));
    const noa = pick(null, '2024-05-01T10:05:00Z', '2024-05-01T09:00:00Z', esc(garbage(r)));
    const status = pick('urn:oasis:names:tc:SAML:2.0:status:Success', 'urn:oasis:names:tc:SAML:2.0:status:Requester', esc(garbage(r)));
    const xml = `<samlp:${kind} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="${version}" IssueInstant="${instant}"${dest ? ` Destination="${dest}"` : ''}${irt ? ` InResponseTo="${irt}"` : ''}${noa ? ` NotOnOrAfter="${noa}"` : ''}><saml:Issuer>${issuer}</saml:Issuer><saml:NameID>${esc(garbage(r))}</saml:NameID><samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status></samlp:${kind}>`;
    const param = kind.endsWith('Request') ? 'SAMLRequest' : 'SAMLResponse';
    const url = `https://sp.example/slo?${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
    try {
      sp.verifyRedirect(url, { allowUnsigned: true, now: Date.UTC(2024, 4, 1, 10, 0, 30), expectedRequestId: '_x' });
      accepted++;
    } catch (e) {
      assert.equal(e.name, 'EdgeSsoError', String(e));
      codes.add(e.code);
    }
  }
  // the battery really reached the checks behind the parser
  for (const c of ['saml.issuer.mismatch', 'saml.destination.mismatch', 'saml.issue_instant.invalid', 'saml.version.unsupported',
    'saml.message.unexpected', 'saml.time.invalid', 'saml.expired', 'saml.replayed']) {
    assert.ok(codes.has(c), `no input reached ${c}; reached: ${[...codes].join(', ')}`);
  }
  assert.ok(accepted > 0, 'some well-formed, well-addressed messages are accepted');
});
