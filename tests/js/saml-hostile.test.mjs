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
  const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
  assert.throws(() => parseIdpMetadata(deep), { code: 'xml.too_deep' });
  const wide = `<a ${Array.from({ length: 5000 }, (_, i) => `a${i}="1"`).join(' ')}/>`;
  assert.throws(() => parseIdpMetadata(wide), { code: 'xml.too_many_attributes' });
  assert.throws(() => parseIdpMetadata('<a>' + '<b/>'.repeat(50_000) + '</a>'), { code: 'xml.too_many_nodes' });
  assert.throws(() => parseIdpMetadata(`<a>${'x'.repeat(2 * 1024 * 1024)}</a>`), { code: 'xml.too_large' });
  assert.throws(() => decodePost('A'.repeat(3 * 1024 * 1024)), { code: 'saml.binding.too_large' });
  const billionLaughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
  assert.throws(() => parseIdpMetadata(billionLaughs), { code: 'xml.doctype_refused' });
});
