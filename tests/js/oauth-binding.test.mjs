// Token answers bound to their requests, and answers that must not be lost:
// cases found in review of the OAuth parity change (discovery, UserInfo,
// DPoP, PAR, revocation and logout joining the client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient } from 'edge-sso/oauth';

const NOW = 1_700_000_000_000;
const ISSUER = 'https://op.example';
const REDIRECT = 'https://app.example/cb';
const config = (over = {}) => ({
  authorizationEndpoint: `${ISSUER}/authorize`, tokenEndpoint: `${ISSUER}/token`,
  clientId: 'spa', redirectUri: REDIRECT, issuer: ISSUER, ...over,
});
const callback = (state) => `${REDIRECT}?code=C0DE&state=${state}&iss=${encodeURIComponent(ISSUER)}`;
const tokenBody = (over = {}) => JSON.stringify({ access_token: 'AT-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'RT-1', ...over });
const codeOf = (code) => (e) => e?.name === 'EdgeSsoError' && e.code === code;

/** A token request made by `client` for a fresh login (synchronous: no DPoP). */
function login(client) {
  const start = client.authorize({ now: NOW });
  return client.tokenRequest(client.handleCallback(callback(start.state), { now: NOW }));
}

test("another client's token request is refused as `request`: request numbers are per client", () => {
  const a = new OAuthClient(config());
  const b = new OAuthClient(config());
  const fromA = login(a);
  const fromB = login(b); // both are request 0 of their client
  assert.throws(() => b.acceptTokenResponse(tokenBody(), { now: NOW, request: fromA }), codeOf('arg.invalid'));
  assert.equal(b.tokenInfo(), null);
  // Refused for its argument: b's own request still awaits its answer, and a's too.
  assert.equal(b.acceptTokenResponse(tokenBody(), { now: NOW, request: fromB }).tokenType, 'Bearer');
  assert.equal(a.acceptTokenResponse(tokenBody(), { now: NOW, request: fromA }).tokenType, 'Bearer');
});

test('a refresh request refused for its own arguments leaves the refresh in flight awaiting its answer', () => {
  const client = new OAuthClient(config());
  client.acceptTokenResponse(tokenBody(), { now: NOW, request: login(client) });
  const first = client.refreshRequest({ now: NOW });
  // This refresh is refused (`now` is not a time) before it is made, so the
  // first is the one refresh awaited.
  assert.throws(() => client.refreshRequest({ now: -1 }), codeOf('arg.invalid'));
  assert.equal(client.acceptTokenResponse(tokenBody({ refresh_token: 'RT-2' }), { now: NOW, request: first }).hasRefreshToken, true);
});

test("a server's unusable DPoP-Nonce header does not lose the token response it came with", async () => {
  const dpopKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const client = new OAuthClient(config({ dpopKeyPair }));
  const request = await login(client);
  // A space is not NQCHAR (RFC 9449 §8.1): the nonce cannot be used, the answer can.
  const answer = () => new Response(tokenBody({ token_type: 'DPoP' }), {
    status: 200, headers: { 'content-type': 'application/json', 'dpop-nonce': 'a b' },
  });
  const info = await client.acceptTokenResponse(answer(), { now: NOW, request });
  assert.equal(info.tokenType, 'DPoP');
  // send() reads the header too: the answer reaches the caller.
  const refresh = await client.refreshRequest({ now: NOW });
  const res = await client.send(refresh, { fetch: async () => answer() });
  assert.equal((await client.acceptTokenResponse(res, { now: NOW, request: refresh })).tokenType, 'DPoP');
});
