// The OAuth-only module runs on a small free-list allocator (src/wasm/mod.rs).
// A long-lived page or worker isolate runs many flows on one instance: its
// wasm memory must level off, not grow with every flow (a leak, or a free
// list too fragmented to reuse what was freed).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const NOW = 1_700_000_000_000;
const ISSUER = 'https://op.example';
const REDIRECT = 'https://app.example/cb';
const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

for (const entry of ['edge-sso/oauth', 'edge-sso']) {
  test(`${entry}: memory levels off over thousands of flows`, async () => {
    const sso = await import(entry);
    // The entry has already initialised the module; initSync hands back its exports.
    const glue = entry === 'edge-sso' ? '../../pkg/edge_sso.js' : '../../pkg/oauth/edge_sso_oauth.js';
    const { initSync } = await import(glue);
    const memory = () => initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
    const client = new sso.OAuthClient({
      authorizationEndpoint: `${ISSUER}/authorize`, tokenEndpoint: `${ISSUER}/token`,
      clientId: 'spa', redirectUri: REDIRECT, issuer: ISSUER,
    });
    const flow = (i) => {
      const now = NOW + i * 1000;
      const start = client.authorize({ nonce: true, now, extraParams: { login_hint: `user${i}@example.com` } });
      const response = client.handleCallback(`${REDIRECT}?code=C${i}&state=${start.state}&iss=${encodeURIComponent(ISSUER)}`, { now });
      client.tokenRequest(response);
      const idToken = `${b64u({ alg: 'RS256' })}.${b64u({
        iss: ISSUER, sub: `user${i}`, aud: 'spa', exp: Math.floor(now / 1000) + 600, iat: Math.floor(now / 1000), nonce: start.nonce,
      })}.sig`;
      client.acceptTokenResponse({
        access_token: `AT-${i}-${'x'.repeat(i % 700)}`, token_type: 'Bearer', expires_in: 3600,
        refresh_token: `RT-${i}`, id_token: idToken,
      }, { now, status: 200 });
      client.authorizationHeader({ now });
      // An abandoned authorization and a failed callback now and then.
      if (i % 7 === 0) client.authorize({ now });
      if (i % 11 === 0) assert.throws(() => client.handleCallback(`${REDIRECT}?code=x&state=nope`, { now }));
    };
    for (let i = 0; i < 2_000; i++) flow(i);
    const warm = memory();
    for (let i = 2_000; i < 20_000; i++) flow(i);
    const after = memory();
    assert.ok(after <= warm + 65_536, `wasm memory grew from ${warm} to ${after} bytes over 18,000 more flows`);
    client.free();
  });
}
