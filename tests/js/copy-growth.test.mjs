// Every text entry point refuses an argument over its limit before copying
// it into wasm memory (which, once grown, never shrinks): a 40 MB string
// grows the instance by nothing, and the refusal is a typed EdgeSsoError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sso from 'edge-sso';
import { initSync } from '../../pkg/edge_sso.js';

const memory = () => initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
const HUGE = 'A'.repeat(40 * 1024 * 1024);
const sp = new sso.SamlServiceProvider({
  entityId: 'https://sp.example', acsUrl: 'https://sp.example/acs',
  idp: { entityId: 'https://idp.example', ssoRedirectUrl: 'https://idp.example/sso' },
});
const client = new sso.OAuthClient({
  authorizationEndpoint: 'https://op.example/authorize', tokenEndpoint: 'https://op.example/token',
  clientId: 'spa', redirectUri: 'https://app.example/cb', issuer: 'https://op.example',
});

const entries = {
  decodeRedirect: [() => sso.decodeRedirect(HUGE), 'saml.binding.too_large'],
  decodePost: [() => sso.decodePost(HUGE), 'saml.binding.too_large'],
  encodeRedirect: [() => sso.encodeRedirect(HUGE), 'xml.too_large'],
  parseIdpMetadata: [() => sso.parseIdpMetadata(HUGE), 'xml.too_large'],
  verifyRedirect: [() => sp.verifyRedirect(`https://sp.example/slo?SAMLRequest=${HUGE}`), 'saml.binding.too_large'],
  validateResponse: [() => sp.validateResponse(HUGE), 'saml.binding.too_large'],
  readLogoutResponse: [() => sp.readLogoutResponse(HUGE), 'saml.binding.too_large'],
  'OAuthClient.handleCallback': [() => client.handleCallback(`https://app.example/cb?code=${HUGE}`, { expectedState: 's', codeVerifier: 'v'.repeat(43), nonce: null, expiresAt: 1, maxAge: null }), 'oauth.callback.too_large'],
};

for (const [name, [run, code]] of Object.entries(entries)) {
  test(`${name}: a 40 MB argument is refused before it is copied`, () => {
    assert.throws(run, (e) => e.name === 'EdgeSsoError' && e.code === code, name);
    const before = memory();
    for (let i = 0; i < 3; i++) assert.throws(run, (e) => e.code === code);
    const grown = memory() - before;
    assert.ok(grown <= 65_536, `${name} grew wasm memory by ${grown} bytes`);
    assert.ok(memory() < 40 * 1024 * 1024, `${name}: the instance holds ${memory()} bytes`);
  });
}
