// What the module's memory still holds after a secret's owner is gone: a
// scan of the whole wasm memory for a verifier, a code or a token, after
// free(), clear(), or the garbage collector. Copies left in freed memory are
// what this catches: a buffer that grew (its old block freed unwiped), an
// argument string copied and dropped, a response nobody redeemed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const NOW = 1_700_000_000_000;
const ISSUER = 'https://op.example';
const REDIRECT = 'https://app.example/cb';
const config = {
  authorizationEndpoint: `${ISSUER}/authorize`, tokenEndpoint: `${ISSUER}/token`,
  clientId: 'spa', redirectUri: REDIRECT, issuer: ISSUER,
};
const callback = (state, code) => `${REDIRECT}?code=${code}&state=${state}&iss=${encodeURIComponent(ISSUER)}`;

for (const [entry, glue] of [['edge-sso/oauth', '../../pkg/oauth/edge_sso_oauth.js'], ['edge-sso', '../../pkg/edge_sso.js']]) {
  const sso = await import(entry);
  const { initSync } = await import(glue);
  /** How many times `text` occurs in the module's memory. */
  const copies = (text) => {
    const memory = Buffer.from(initSync({ module: new Uint8Array(0) }).memory.buffer);
    const needle = Buffer.from(text);
    let n = 0;
    for (let i = memory.indexOf(needle); i >= 0; i = memory.indexOf(needle, i + 1)) n += 1;
    return n;
  };

  // A smoke test: dlmalloc may grow a buffer in place and edge-sso/oauth wipes
  // every freed block anyway, so this passes even with authorize's answer
  // buffer sized too small; it fails if a verifier copy outlives the client.
  test(`${entry}: a carried verifier is gone once its client is freed, however long the scope`, () => {
    for (const scopes of [1, 20]) {
      const client = new sso.OAuthClient(config);
      // A long scope is written after the verifier in authorize's answer.
      const scope = Array.from({ length: scopes }, (_, i) => `https://api.example/scope${i}`).join(' ');
      const { codeVerifier } = client.authorize({ carry: true, scope, verifierLength: 128, now: NOW });
      assert.equal(copies(codeVerifier), 1, 'the pending flow holds it once');
      client.free();
      assert.equal(copies(codeVerifier), 0, `scope of ${scope.length} bytes`);
    }
  });

  test(`${entry}: a code is gone after response.free(), and after an abandoned response is collected`, async () => {
    const client = new sso.OAuthClient(config);
    const freed = `FREED-CODE-${'f'.repeat(40)}`;
    const r = client.handleCallback(callback(client.authorize({ now: NOW }).state, freed), { now: NOW });
    r.free();
    assert.equal(copies(freed), 0);

    const abandoned = `ABANDONED-CODE-${'a'.repeat(40)}`;
    (() => { client.handleCallback(callback(client.authorize({ now: NOW }).state, abandoned), { now: NOW }); })();
    for (let i = 0; i < 20 && copies(abandoned) > 0; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(copies(abandoned), 0, 'the FinalizationRegistry dropped it');
    client.free();
  });

  if (entry === 'edge-sso/oauth') {
    test(`${entry}: every freed block is wiped (a non-ASCII argument is copied in by reallocation)`, () => {
      const client = new sso.OAuthClient(config);
      client.tokenRequest(client.handleCallback(callback(client.authorize({ now: NOW }).state, 'C0DE'), { now: NOW }));
      const access = `AT-NONASCII-${'n'.repeat(60)}`;
      // wasm-bindgen copies this body in as ASCII, meets the é, and
      // reallocates: the first block, holding the token, is freed by the glue.
      client.acceptTokenResponse(`{"access_token":"${access}","token_type":"Bearer","note":"é"}`, { now: NOW });
      client.clear();
      // The allocator's free-list header overwrites a freed block's first
      // bytes, so look for the token's tail.
      assert.equal(copies(access.slice(-32)), 0);
      client.free();
    });
  }

  test(`${entry}: tokens are gone after clear(), the carried verifier after the exchange`, () => {
    const a = new sso.OAuthClient(config);
    const start = a.authorize({ carry: true, now: NOW });
    a.free();
    const client = new sso.OAuthClient(config);
    const r = client.handleCallback(callback(start.state, 'C0DE'), {
      now: NOW, expectedState: start.state, codeVerifier: start.codeVerifier, nonce: null, expiresAt: start.expiresAt, maxAge: null,
    });
    const body = client.tokenRequest(r).body;
    assert.match(body, /code_verifier=/);
    assert.equal(copies(start.codeVerifier), 0, 'the verifier argument and the request body are wiped');
    const access = `AT-${'t'.repeat(60)}`;
    const refresh = `RT-${'r'.repeat(60)}`;
    client.acceptTokenResponse(JSON.stringify({ access_token: access, token_type: 'Bearer', refresh_token: refresh }), { now: NOW });
    assert.ok(client.authorizationHeader({ now: NOW }).endsWith(access));
    assert.equal(copies(access), 1, 'the vault holds the access token once');
    client.clear();
    assert.equal(copies(access), 0);
    assert.equal(copies(refresh), 0);
    client.free();
  });
}
