// Interop with a real authorization server: oidc-provider on 127.0.0.1, a
// public client with PKCE required. authorize -> login -> callback -> token
// request built by edge-sso -> userinfo with authorizationHeader() -> refresh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient } from 'edge-sso';
import { startOp, driveLogin } from '../support/op.mjs';

const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the OP's redirect is intercepted
let op;
let meta;

before(async () => {
  op = await startOp({ clients: [{ client_id: 'edge-sso-spa', redirect_uris: [REDIRECT] }] });
  meta = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
});
after(() => op?.close());

function newClient() {
  return new OAuthClient({
    authorizationEndpoint: meta.authorization_endpoint,
    tokenEndpoint: meta.token_endpoint,
    clientId: 'edge-sso-spa',
    redirectUri: REDIRECT,
    issuer: meta.issuer,
    issParameterSupported: meta.authorization_response_iss_parameter_supported === true,
    scope: 'openid profile email',
  });
}

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, text: await res.text() };
}

async function login(client, options = {}) {
  const start = client.authorize({ nonce: true, ...options });
  const back = await driveLogin(start.url, REDIRECT, 'alice');
  return { start, back };
}

test('the OP advertises RFC 9207 and S256, and edge-sso requires iss accordingly', () => {
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
});

test('full code flow with PKCE, userinfo with the in-memory token, then refresh with rotation', async () => {
  const client = newClient();
  const { start, back } = await login(client);
  const url = new URL(back);
  assert.equal(url.searchParams.get('iss'), op.issuer);
  assert.equal(url.searchParams.get('state'), start.state);

  const response = client.handleCallback(back);
  const tokenReq = client.tokenRequest(response);
  const tokenRes = await send(tokenReq);
  assert.equal(tokenRes.status, 200, tokenRes.text);
  const info = client.acceptTokenResponse(tokenRes.text, { status: tokenRes.status });
  assert.equal(info.tokenType, 'Bearer');
  assert.equal(info.hasRefreshToken, true);
  assert.equal(info.hasIdToken, true);
  assert.ok(info.expiresAt > Date.now());
  assert.match(info.scope, /openid/);
  const { access_token } = JSON.parse(tokenRes.text);
  assert.ok(!JSON.stringify(info).includes(access_token));

  const me = await fetch(meta.userinfo_endpoint, { headers: { authorization: client.authorizationHeader() } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).sub, 'alice');

  // refresh: the OP rotates the refresh token for public clients
  const refreshReq = client.refreshRequest();
  assert.equal(new URLSearchParams(refreshReq.body).get('grant_type'), 'refresh_token');
  const r1 = await send(refreshReq);
  assert.equal(r1.status, 200, r1.text);
  const info2 = client.acceptTokenResponse(r1.text, { status: r1.status });
  assert.equal(info2.hasRefreshToken, true);
  assert.notEqual(client.refreshRequest().body, refreshReq.body, 'the new refresh token replaced the old one');
  const me2 = await fetch(meta.userinfo_endpoint, { headers: { authorization: client.authorizationHeader() } });
  assert.equal(me2.status, 200);

  // the old refresh token is dead at the OP: replaying it is an OAuth error
  client.refreshRequest();
  const stale = await send(refreshReq);
  assert.throws(() => client.acceptTokenResponse(stale.text, { status: stale.status }), (e) => e.code === 'oauth.token.error' && e.error === 'invalid_grant');

  // the code is one-time at the OP too; replaying it revokes the grant (RFC 6749 §4.1.2)
  const replay = await send(tokenReq);
  assert.equal(replay.status, 400);
  const me3 = await fetch(meta.userinfo_endpoint, { headers: { authorization: client.authorizationHeader() } });
  assert.equal(me3.status, 401);
});

test('the OP verifies the PKCE verifier edge-sso sends', async () => {
  const client = newClient();
  const { back } = await login(client);
  const req = client.tokenRequest(client.handleCallback(back));
  const body = new URLSearchParams(req.body);
  body.set('code_verifier', 'x'.repeat(64));
  const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: body.toString() });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.throws(
    () => client.acceptTokenResponse(text, { status: res.status }),
    (e) => e.code === 'oauth.token.error' && e.error === 'invalid_grant',
  );
});

test('an error response from the OP is reported only after iss and state matched', async () => {
  const client = newClient();
  const start = client.authorize({ extraParams: { prompt: 'none' } }); // no session: login_required
  const back = await driveLogin(start.url, REDIRECT);
  const url = new URL(back);
  assert.equal(url.searchParams.get('error'), 'login_required');
  // the same error with a forged state is a state error, not an OP error
  const forged = new URL(back);
  forged.searchParams.set('state', 'forged');
  assert.throws(() => client.handleCallback(forged.href), { code: 'oauth.state.mismatch' });
  assert.throws(() => client.handleCallback(back), (e) => e.code === 'oauth.authorization.error' && e.error === 'login_required');
});

test('a response replayed with another issuer is refused (mix-up defence)', async () => {
  const client = newClient();
  const { back } = await login(client);
  const evil = new URL(back);
  evil.searchParams.set('iss', 'https://evil.example');
  assert.throws(() => client.handleCallback(evil.href), { code: 'oauth.iss.mismatch' });
  const noIss = new URL(back);
  noIss.searchParams.delete('iss');
  assert.throws(() => client.handleCallback(noIss.href), { code: 'oauth.iss.missing' });
  assert.ok(client.handleCallback(back).state);
});
