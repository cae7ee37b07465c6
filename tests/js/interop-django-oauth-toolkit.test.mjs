// Interop with a second, independent OpenID Provider: Django OAuth Toolkit
// 3.4.1 (PyPI) on Django 5.2, on 127.0.0.1, with its RFC 9700 gates on (RFC
// 9207 iss, S256 only, hashed tokens), PKCE required, refresh tokens rotated
// with reuse protection. The full flow through edge-sso/oauth: discovery ->
// authorize -> login and consent -> callback -> token -> ID token -> userinfo
// -> two rotations -> the old refresh token replayed -> the family revoked.
// What this OP does differently from oidc-provider is asserted where it shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OAuthClient } from 'edge-sso/oauth';
import { startDjangoOp, driveDjangoLogin } from '../support/django-op.mjs';

const CLIENT_ID = 'edge-sso-spa';
const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the OP's redirect is intercepted
const USER = { username: 'alice', password: 'alice-test-password' };
let op;
let meta;

before(async () => {
  op = await startDjangoOp({ clientId: CLIENT_ID, redirectUri: REDIRECT, ...USER });
  // Discovery by hand (OIDC Discovery §4): the issuer has a path, /o.
  const res = await fetch(`${op.issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  meta = await res.json();
});
after(() => op?.close());

const newClient = (config = {}) => new OAuthClient({
  authorizationEndpoint: meta.authorization_endpoint,
  tokenEndpoint: meta.token_endpoint,
  clientId: CLIENT_ID,
  redirectUri: REDIRECT,
  issuer: meta.issuer,
  issParameterSupported: meta.authorization_response_iss_parameter_supported === true,
  scope: 'openid profile email',
  ...config,
});

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, text: await res.text() };
}

const userinfo = (authorization) => fetch(meta.userinfo_endpoint, { headers: { authorization } });

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

test('discovery: the issuer is the one asked for, RFC 9207 and S256 only are advertised', () => {
  assert.equal(meta.issuer, op.issuer); // OIDC Discovery §4.3
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.ok(meta.response_types_supported.includes('code'));
  // DOT's default token_endpoint_auth_methods_supported leaves out "none" although it
  // serves public clients (RFC 7591 §2 names the method; OIDC Discovery §3 says the list
  // is what the token endpoint supports): a discovery check that requires "none" would
  // refuse this OP.
  assert.equal(meta.token_endpoint_auth_methods_supported.includes('none'), false);
});

test('discovery: RFC 8414 metadata by path insertion names the same issuer and endpoints', async () => {
  const issuer = new URL(meta.issuer);
  const res = await fetch(`${issuer.origin}/.well-known/oauth-authorization-server${issuer.pathname}`); // RFC 8414 §3.1
  assert.equal(res.status, 200);
  const as = await res.json();
  assert.equal(as.issuer, meta.issuer); // RFC 8414 §3.3
  assert.equal(as.authorization_endpoint, meta.authorization_endpoint);
  assert.equal(as.token_endpoint, meta.token_endpoint);
  assert.equal(as.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
  // the OIDC form with the issuer's path inserted is not served (OIDC Discovery §4
  // appends the well-known path to the issuer; the test OP mounts RFC 8414's at the root
  // as DOT's documentation asks of a deployment under a prefix)
  assert.equal((await fetch(`${issuer.origin}/.well-known/openid-configuration${issuer.pathname}`)).status, 404);
});

test('full code flow: ID token, userinfo sub, two rotations, then reuse revokes the family', async () => {
  const client = newClient();
  const start = client.authorize({ nonce: true });
  const back = await driveDjangoLogin(start.url, REDIRECT, USER);
  const url = new URL(back);
  assert.equal(url.searchParams.get('iss'), meta.issuer);
  assert.equal(url.searchParams.get('state'), start.state);

  const tokenReq = client.tokenRequest(client.handleCallback(back));
  const tokenRes = await send(tokenReq);
  assert.equal(tokenRes.status, 200, tokenRes.text);
  const info = client.acceptTokenResponse(tokenRes.text, { status: tokenRes.status });
  assert.equal(info.tokenType, 'Bearer');
  assert.equal(info.hasRefreshToken, true);
  assert.equal(info.hasIdToken, true);
  assert.equal(info.scope, 'openid profile email');
  assert.ok(info.expiresAt > Date.now() + 500_000 && info.expiresAt <= Date.now() + 600_000);
  const { access_token, id_token } = JSON.parse(tokenRes.text);
  assert.ok(!JSON.stringify(info).includes(access_token));

  // edge-sso's checks of the ID token held (iss, aud, exp, iat, nonce); its claims are
  // the token's own.
  const claims = client.idTokenClaims();
  const raw = payload(id_token);
  assert.equal(claims.iss, meta.issuer);
  assert.equal(claims.sub, raw.sub);
  assert.equal(claims.nonce, start.nonce);
  assert.equal(raw.aud, CLIENT_ID); // a string, not an array: RFC 7519 §4.1.3 allows both
  assert.equal(claims.email, 'alice@example.test');

  // userinfo with the in-memory token: sub must be the ID token's (OIDC Core §5.3.4)
  const first = client.authorizationHeader();
  const me = await userinfo(first);
  assert.equal(me.status, 200);
  assert.match(me.headers.get('content-type'), /^application\/json/);
  const profile = await me.json();
  assert.equal(profile.sub, claims.sub);
  assert.equal(profile.email, 'alice@example.test');

  // two rotations: each answer carries a new refresh token (and a new ID token, whose
  // iss, sub and aud edge-sso checks against the first: OIDC Core §12.2)
  const rotations = [];
  for (let i = 0; i < 2; i++) {
    const req = client.refreshRequest();
    const res = await send(req);
    assert.equal(res.status, 200, res.text);
    const refreshed = client.acceptTokenResponse(res.text, { status: res.status });
    assert.equal(refreshed.hasRefreshToken, true);
    assert.equal(refreshed.hasIdToken, true);
    assert.equal(client.idTokenClaims().sub, claims.sub);
    rotations.push({ req, header: client.authorizationHeader() });
  }
  const [r1, r2] = rotations;
  assert.notEqual(r1.req.body, r2.req.body, 'the second refresh sent the rotated refresh token');
  assert.notEqual(client.refreshRequest().body, r2.req.body, 'the new refresh token replaced the old one');
  // (that refreshRequest() is left unanswered on purpose: the next answer closes it)

  // the access token a rotation replaced is revoked with it; the current one works
  assert.equal((await userinfo(first)).status, 401);
  assert.equal((await userinfo(r2.header)).status, 200);

  // reuse detection: the first rotation's refresh token (already used) is replayed
  const stale = await send(r1.req);
  assert.equal(stale.status, 400);
  assert.throws(
    () => client.acceptTokenResponse(stale.text, { status: stale.status }),
    (e) => e.code === 'oauth.token.error' && e.error === 'invalid_grant',
  );
  // ... and DOT revoked the whole family (RFC 9700 §4.14.2): the current refresh token
  // and its access token are dead too
  const current = await send(client.refreshRequest());
  assert.throws(
    () => client.acceptTokenResponse(current.text, { status: current.status }),
    (e) => e.code === 'oauth.token.error' && e.error === 'invalid_grant',
  );
  assert.equal((await userinfo(r2.header)).status, 401);
});

test('a code is redeemed once: edge-sso builds one token request from it, the OP refuses a replay', async () => {
  const client = newClient();
  const back = await driveDjangoLogin(client.authorize({ nonce: true }).url, REDIRECT, USER);
  const response = client.handleCallback(back);
  const req = client.tokenRequest(response);
  assert.throws(() => client.tokenRequest(response), { code: 'oauth.response.consumed' });
  const res = await send(req);
  client.acceptTokenResponse(res.text, { status: res.status });
  const header = client.authorizationHeader();

  const replay = await send(req);
  assert.equal(replay.status, 400);
  assert.equal(JSON.parse(replay.text).error, 'invalid_grant');
  // DOT leaves the tokens of a replayed code alive: RFC 6749 §4.1.2 says the server
  // SHOULD revoke them (oidc-provider does). edge-sso's part is the line above the
  // first send: it never sends a code twice.
  const me = await userinfo(header);
  assert.equal(me.status, 200);
  // OIDC Core §5.3.1: userinfo by POST as well as GET
  assert.equal((await fetch(meta.userinfo_endpoint, { method: 'POST', headers: { authorization: header } })).status, 200);
});

test('userinfo refusals are RFC 6750 §3 challenges; DOT names invalid_token even when no token was sent', async () => {
  for (const headers of [{ authorization: 'Bearer not-a-token' }, {}]) {
    const res = await fetch(meta.userinfo_endpoint, { headers });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
    // the body is JSON, labelled text/html
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.equal(JSON.parse(await res.text()).error, 'invalid_token');
  }
  // (RFC 6750 §3.1: a request with no authentication information SHOULD get no error code)
});

test('the carried form: a second client instance finishes the login from the carried flow', async () => {
  const start = newClient().authorize({ nonce: true, carry: true });
  const back = await driveDjangoLogin(start.url, REDIRECT, USER);
  const other = newClient();
  const req = other.tokenRequest(other.handleCallback(back, {
    expectedState: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce, expiresAt: start.expiresAt, maxAge: start.maxAge,
  }));
  const res = await send(req);
  assert.equal(res.status, 200, res.text);
  assert.equal(other.acceptTokenResponse(res.text, { status: res.status }).hasIdToken, true);
  assert.equal(other.idTokenClaims().nonce, start.nonce);
});

test('the OP verifies the PKCE verifier edge-sso sends', async () => {
  const client = newClient();
  const back = await driveDjangoLogin(client.authorize({ nonce: true }).url, REDIRECT, USER);
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

test('a response replayed with another issuer or none is refused (mix-up defence)', async () => {
  const client = newClient();
  const back = await driveDjangoLogin(client.authorize({ nonce: true }).url, REDIRECT, USER);
  const evil = new URL(back);
  evil.searchParams.set('iss', 'https://evil.example/o');
  assert.throws(() => client.handleCallback(evil.href), { code: 'oauth.iss.mismatch' });
  const noIss = new URL(back);
  noIss.searchParams.delete('iss');
  assert.throws(() => client.handleCallback(noIss.href), { code: 'oauth.iss.missing' });
  assert.ok(client.handleCallback(back).state);
});

// DOT adds iss only to successful authorization responses; its error redirects
// (access_denied from the consent page, login_required for prompt=none) have none,
// although it advertises authorization_response_iss_parameter_supported. RFC 9207 §2
// requires iss in error responses too, so this is the OP's bug. edge-sso, told the OP
// supports RFC 9207, refuses such an error as oauth.iss.missing: it cannot tell whose
// error it is. The caller's way out is issParameterSupported: false, which gives up
// the mix-up check for this OP's successful responses as well. (prompt=none is a 500
// in stock DOT 3.4.1; the test OP adds the validator hooks that make it an error
// redirect: tests/support/django_op/op_app.py.)
for (const [what, drive, error] of [
  ['the consent page is cancelled', (url) => driveDjangoLogin(url, REDIRECT, { ...USER, allow: false }), 'access_denied'],
  ['prompt=none finds no session', (url) => driveDjangoLogin(url, REDIRECT, USER), 'login_required'],
]) {
  test(`an error redirect without iss (${what}): refused under RFC 9207, reported with issParameterSupported: false`, async () => {
    const extraParams = error === 'login_required' ? { prompt: 'none' } : {};
    const strict = newClient();
    const s1 = strict.authorize({ nonce: true, extraParams });
    const back1 = new URL(await drive(s1.url));
    assert.equal(back1.searchParams.get('error'), error);
    assert.equal(back1.searchParams.get('state'), s1.state);
    assert.equal(back1.searchParams.has('iss'), false);
    assert.throws(() => strict.handleCallback(back1.href), { code: 'oauth.iss.missing' });

    const lifted = newClient({ issParameterSupported: false });
    const s2 = lifted.authorize({ nonce: true, extraParams });
    const back2 = await drive(s2.url);
    const forged = new URL(back2);
    forged.searchParams.set('state', 'forged');
    assert.throws(() => lifted.handleCallback(forged.href), { code: 'oauth.state.mismatch' });
    assert.throws(() => lifted.handleCallback(back2), (e) => e.code === 'oauth.authorization.error' && e.error === error);
  });
}
