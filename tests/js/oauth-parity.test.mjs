// The OAuth features that oauth4webapi users have, against a real OP
// (oidc-provider on 127.0.0.1, tests/support/op.mjs): discovery with the issuer
// check (RFC 8414, OIDC Discovery), DPoP with a non-extractable WebCrypto key
// and server nonces (RFC 9449), userinfo with the `sub` check (OIDC Core §5.3),
// PAR (RFC 9126), revocation (RFC 7009), RP-Initiated Logout 1.0, and each
// token answer bound to its own request. Every DPoP proof the module made is
// checked by an independent JWS verifier (jose) against what went on the wire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { jwtVerify, EmbeddedJWK, decodeProtectedHeader, decodeJwt } from 'jose';
import { startOp, driveLogin, driveLogout } from '../support/op.mjs';

// Spies on WebCrypto, installed before the package is imported so that no
// reference to the originals can be taken first: which keys are used to sign
// what, and whether anything tries to export a private key.
const subtleProto = Object.getPrototypeOf(crypto.subtle);
const realSign = subtleProto.sign;
const realExportKey = subtleProto.exportKey;
const signCalls = [];
const exportCalls = [];
const bytesOf = (d) => (ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d)).slice();
subtleProto.sign = function sign(algorithm, key, data) {
  signCalls.push({ algorithm, key, data: bytesOf(data) });
  return realSign.call(this, algorithm, key, data);
};
subtleProto.exportKey = function exportKey(format, key) {
  exportCalls.push({ format, key });
  return realExportKey.call(this, format, key);
};

const oauth = await import('edge-sso/oauth');
const full = await import('edge-sso');
const { OAuthClient, discoveryUrl } = oauth;

// What crosses into the module: the raw handle of the OAuth-only build (the
// module instance 'edge-sso/oauth' loads). Only numbers and strings may.
const { RawOAuthClient } = await import(new URL('../../pkg/oauth/edge_sso_oauth.js', import.meta.url).href);
const crossing = [];
for (const name of Object.getOwnPropertyNames(RawOAuthClient.prototype)) {
  const d = Object.getOwnPropertyDescriptor(RawOAuthClient.prototype, name);
  if (name === 'constructor' || typeof d.value !== 'function') continue;
  const original = d.value;
  RawOAuthClient.prototype[name] = function wrapped(...args) {
    for (const a of args) crossing.push(a === null ? 'null' : typeof a);
    return original.apply(this, args);
  };
}

const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the OP's redirect is intercepted
const POST_LOGOUT = 'http://127.0.0.1:9/signed-out';
const SCOPE = 'openid profile email';
const b64uSha256 = (s) => createHash('sha256').update(s).digest('base64url');

let op; // DPoP with nonces, revocation, logout; PAR allowed, required for one client
let opPar; // PAR required for everyone
let meta;
let parMeta;

before(async () => {
  op = await startOp({
    clients: [
      { client_id: 'spa', redirect_uris: [REDIRECT], post_logout_redirect_uris: [POST_LOGOUT] },
      { client_id: 'spa-par', redirect_uris: [REDIRECT], require_pushed_authorization_requests: true },
    ],
    dpop: { rotateRefreshTokens: true },
    revocation: true,
    logout: true,
  });
  opPar = await startOp({ clients: [{ client_id: 'par', redirect_uris: [REDIRECT] }], par: { required: true } });
  meta = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
  parMeta = await (await fetch(`${opPar.issuer}/.well-known/openid-configuration`)).json();
});
after(async () => {
  await op?.close();
  await opPar?.close();
});

const codeOf = (code) => (e) => {
  assert.equal(e?.name, 'EdgeSsoError', `an EdgeSsoError, not ${e}`);
  assert.equal(e.code, code, e.message);
  return true;
};

const clientConfig = (over = {}) => ({ issuer: op.issuer, clientId: 'spa', redirectUri: REDIRECT, scope: SCOPE, ...over });

/** A fetch that records every exchange (request headers and body, answer status, headers and text). */
function fetchSpy() {
  const exchanges = [];
  const spy = async (input, init = {}) => {
    const request = new Request(input, init);
    const body = request.body ? await request.clone().text() : undefined;
    const res = await fetch(request, { redirect: 'manual' });
    exchanges.push({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body,
      status: res.status,
      answerHeaders: Object.fromEntries(res.headers),
      text: await res.clone().text(),
    });
    return res;
  };
  return { spy, exchanges };
}

const proofsChecked = new Set();
/**
 * Verifies a DPoP proof with jose (signature by its embedded key, typ) and
 * checks its claims (RFC 9449 §4.2, §4.3): htm, htu without query and
 * fragment, a recent iat, a fresh 128-bit-or-more jti, nonce and ath exactly as
 * expected (absent when `undefined`).
 */
async function checkProof(proof, { htm, htu, nonce, accessToken, jwk }) {
  assert.equal(typeof proof, 'string', 'a DPoP header');
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  assert.deepEqual(Object.keys(protectedHeader).sort(), ['alg', 'jwk', 'typ']);
  assert.equal(protectedHeader.alg, 'ES256');
  assert.deepEqual(protectedHeader.jwk, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, 'the public key only, as JWK');
  assert.equal(payload.htm, htm);
  assert.equal(payload.htu, htu);
  assert.ok(Number.isInteger(payload.iat) && Math.abs(payload.iat - Date.now() / 1000) <= 60, `iat ${payload.iat}`);
  assert.match(payload.jti, /^[A-Za-z0-9_-]{22,}$/, 'jti: at least 128 bits, base64url');
  assert.ok(!proofsChecked.has(payload.jti), 'every proof has its own jti');
  proofsChecked.add(payload.jti);
  assert.equal(payload.nonce, nonce, 'nonce');
  assert.equal(payload.ath, accessToken === undefined ? undefined : b64uSha256(accessToken), 'ath');
  const allowed = ['htm', 'htu', 'iat', 'jti', ...(nonce === undefined ? [] : ['nonce']), ...(accessToken === undefined ? [] : ['ath'])];
  assert.deepEqual(Object.keys(payload).sort(), allowed.sort());
  return payload;
}

async function dpopKeyPair() {
  const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const jwk = await realExportKey.call(crypto.subtle, 'jwk', keyPair.publicKey);
  return { keyPair, jwk };
}

// --- discovery --------------------------------------------------------------

test('discoveryUrl: OIDC Discovery appends to the issuer, RFC 8414 §3.1 inserts before its path', () => {
  for (const m of [oauth, full]) {
    assert.equal(m.discoveryUrl('https://op.example'), 'https://op.example/.well-known/openid-configuration');
    assert.equal(m.discoveryUrl('https://op.example/'), 'https://op.example/.well-known/openid-configuration');
    assert.equal(m.discoveryUrl('https://op.example/tenant/a'), 'https://op.example/tenant/a/.well-known/openid-configuration');
    assert.equal(m.discoveryUrl('https://op.example/tenant/a/'), 'https://op.example/tenant/a/.well-known/openid-configuration');
    assert.equal(m.discoveryUrl('https://op.example', { kind: 'openid-configuration' }), 'https://op.example/.well-known/openid-configuration');
    const oas = { kind: 'oauth-authorization-server' };
    assert.equal(m.discoveryUrl('https://op.example', oas), 'https://op.example/.well-known/oauth-authorization-server');
    assert.equal(m.discoveryUrl('https://op.example/', oas), 'https://op.example/.well-known/oauth-authorization-server');
    assert.equal(m.discoveryUrl('https://op.example/tenant/a', oas), 'https://op.example/.well-known/oauth-authorization-server/tenant/a');
    // "any terminating / MUST be removed before inserting" (RFC 8414 §3.1)
    assert.equal(m.discoveryUrl('https://op.example/tenant/a/', oas), 'https://op.example/.well-known/oauth-authorization-server/tenant/a');
    assert.equal(m.discoveryUrl('http://127.0.0.1:8080/t', oas), 'http://127.0.0.1:8080/.well-known/oauth-authorization-server/t');
  }
  assert.equal(discoveryUrl(op.issuer), `${op.issuer}/.well-known/openid-configuration`);
});

test('discoveryUrl refuses what is no issuer: a query, a fragment, not a URL, an unknown kind', () => {
  // RFC 8414 §2: the issuer is an https URL "that has no query or fragment components"
  for (const bad of ['https://op.example/?tenant=a', 'https://op.example/#x', 'op.example', '', 'javascript:alert(1)']) {
    assert.throws(() => discoveryUrl(bad), (e) => e?.name === 'EdgeSsoError', bad);
  }
  assert.throws(() => discoveryUrl('https://op.example', { kind: 'openid' }), (e) => e?.name === 'EdgeSsoError');
});

test('fromMetadata takes the OP\'s real discovery document as an object, as text and as a fetch Response', async () => {
  for (const m of [oauth, full]) {
    const fromObject = m.OAuthClient.fromMetadata(meta, clientConfig());
    assert.ok(fromObject instanceof m.OAuthClient);
    const fromText = m.OAuthClient.fromMetadata(JSON.stringify(meta), clientConfig());
    assert.ok(fromText instanceof m.OAuthClient);
    const pending = m.OAuthClient.fromMetadata(await fetch(m.discoveryUrl(op.issuer)), clientConfig());
    assert.ok(pending instanceof Promise, 'a Response gives a Promise');
    const fromResponse = await pending;
    assert.ok(fromResponse instanceof m.OAuthClient);
    for (const client of [fromObject, fromText, fromResponse]) {
      const start = client.authorize({ nonce: true });
      const url = new URL(start.url);
      assert.equal(`${url.origin}${url.pathname}`, meta.authorization_endpoint);
      assert.equal(url.searchParams.get('client_id'), 'spa');
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      client.free();
    }
  }
});

test('fromMetadata carries authorization_response_iss_parameter_supported over: a callback without iss is refused', async () => {
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  const start = client.authorize({ nonce: true });
  const back = new URL(await driveLogin(start.url, REDIRECT));
  assert.equal(back.searchParams.get('iss'), op.issuer);
  const noIss = new URL(back);
  noIss.searchParams.delete('iss');
  assert.throws(() => client.handleCallback(noIss.href), codeOf('oauth.iss.missing'));
  const evil = new URL(back);
  evil.searchParams.set('iss', 'https://evil.example');
  assert.throws(() => client.handleCallback(evil.href), codeOf('oauth.iss.mismatch'));
  assert.equal(client.handleCallback(back.href).state, start.state);

  // Without the flag in the metadata, a callback without iss is taken (RFC 9207 §2.4).
  const { authorization_response_iss_parameter_supported: _, ...noFlag } = meta;
  const lax = OAuthClient.fromMetadata(noFlag, clientConfig());
  const start2 = lax.authorize({ nonce: true });
  const back2 = new URL(await driveLogin(start2.url, REDIRECT));
  back2.searchParams.delete('iss');
  assert.equal(lax.handleCallback(back2.href).state, start2.state);
});

test('fromMetadata refuses metadata whose issuer is not exactly the expected one (RFC 8414 §3.3, OIDC Discovery §4.3)', async () => {
  assert.throws(() => OAuthClient.fromMetadata({ ...meta, issuer: 'https://evil.example' }, clientConfig()), codeOf('oauth.discovery.issuer_mismatch'));
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ issuer: `${op.issuer}/` })), codeOf('oauth.discovery.issuer_mismatch'));
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ issuer: op.issuer.replace('127.0.0.1', 'localhost') })), codeOf('oauth.discovery.issuer_mismatch'));
  await assert.rejects(
    OAuthClient.fromMetadata(await fetch(discoveryUrl(op.issuer)), clientConfig({ issuer: 'https://op.example' })),
    codeOf('oauth.discovery.issuer_mismatch'),
  );
  const { issuer: _, ...noIssuer } = meta;
  assert.throws(() => OAuthClient.fromMetadata(noIssuer, clientConfig()), (e) => e?.name === 'EdgeSsoError' && /^oauth\.discovery\./.test(e.code));
});

test('fromMetadata refuses code_challenge_methods_supported without S256, and takes metadata that has no such list', () => {
  assert.throws(() => OAuthClient.fromMetadata({ ...meta, code_challenge_methods_supported: ['plain'] }, clientConfig()), codeOf('oauth.discovery.pkce_unsupported'));
  assert.throws(() => OAuthClient.fromMetadata({ ...meta, code_challenge_methods_supported: [] }, clientConfig()), codeOf('oauth.discovery.pkce_unsupported'));
  assert.throws(() => OAuthClient.fromMetadata({ ...meta, code_challenge_methods_supported: ['s256'] }, clientConfig()), codeOf('oauth.discovery.pkce_unsupported'));
  const { code_challenge_methods_supported: _, ...noList } = meta;
  assert.ok(OAuthClient.fromMetadata(noList, clientConfig()) instanceof OAuthClient);
});

test('fromMetadata refuses insecure or missing endpoints, and a discovery answer that is not a 200 (RFC 8414 §3.2)', async () => {
  for (const [member, value] of [
    ['authorization_endpoint', 'http://op.example/auth'],
    ['token_endpoint', 'http://op.example/token'],
    ['userinfo_endpoint', 'http://op.example/me'],
    ['revocation_endpoint', 'http://op.example/revoke'],
    ['end_session_endpoint', 'http://op.example/logout'],
    ['pushed_authorization_request_endpoint', 'http://op.example/par'],
  ]) {
    assert.throws(() => OAuthClient.fromMetadata({ ...meta, [member]: value }, clientConfig()), codeOf('config.insecure_url'), member);
  }
  assert.throws(() => OAuthClient.fromMetadata({ ...meta, token_endpoint: 'javascript:alert(1)' }, clientConfig()), (e) => e?.name === 'EdgeSsoError');
  for (const member of ['authorization_endpoint', 'token_endpoint']) {
    const { [member]: _, ...missing } = meta;
    assert.throws(() => OAuthClient.fromMetadata(missing, clientConfig()), (e) => e?.name === 'EdgeSsoError', member);
  }
  assert.throws(() => OAuthClient.fromMetadata('{"issuer":', clientConfig()), codeOf('oauth.discovery.malformed'));
  const notFound = new Response(JSON.stringify(meta), { status: 404, headers: { 'content-type': 'application/json' } });
  await assert.rejects(OAuthClient.fromMetadata(notFound, clientConfig()), (e) => e?.name === 'EdgeSsoError');
});

test('fromMetadata carries the userinfo, revocation, end-session and PAR endpoints over', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  assert.equal(client.userinfoRequest().url, meta.userinfo_endpoint);
  assert.equal(client.revocationRequest().url, meta.revocation_endpoint);
  assert.ok(client.logoutUrl().startsWith(`${meta.end_session_endpoint}?`));
  assert.equal(client.pushedAuthorizationRequest().request.url, meta.pushed_authorization_request_endpoint);
});

test('fromMetadata with a DPoP key refuses an OP whose dpop_signing_alg_values_supported lacks ES256', async () => {
  assert.deepEqual(meta.dpop_signing_alg_values_supported, ['ES256', 'Ed25519', 'EdDSA']);
  const { keyPair } = await dpopKeyPair();
  assert.throws(
    () => OAuthClient.fromMetadata({ ...meta, dpop_signing_alg_values_supported: ['EdDSA', 'PS256'] }, clientConfig({ dpopKeyPair: keyPair })),
    codeOf('oauth.discovery.dpop_unsupported'),
  );
  // Without a DPoP key, the OP's DPoP algorithms do not matter.
  assert.ok(OAuthClient.fromMetadata({ ...meta, dpop_signing_alg_values_supported: ['EdDSA'] }, clientConfig()) instanceof OAuthClient);
});

test('a DPoP key pair must be ECDSA P-256 with a non-extractable private key', async () => {
  const extractable = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: extractable })), codeOf('arg.invalid'));
  const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: p384 })), codeOf('arg.invalid'));
  const ed = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign']);
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: ed })), codeOf('arg.invalid'));
  assert.throws(() => OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: { privateKey: 'x', publicKey: 'y' } })), codeOf('arg.invalid'));
});

// --- DPoP, end to end ---------------------------------------------------------

async function loginBearer(client, { jar } = {}) {
  const start = client.authorize({ nonce: true });
  const back = await driveLogin(start.url, REDIRECT, 'alice', { jar });
  const req = client.tokenRequest(client.handleCallback(back));
  const res = await client.send(req);
  const info = await client.acceptTokenResponse(res);
  assert.equal(info.tokenType, 'Bearer');
  return { start, info };
}

test('DPoP: login, token with a nonce retry, userinfo, a DPoP-bound resource call, refresh across a nonce rotation, revocation, logout', async () => {
  const { keyPair, jwk } = await dpopKeyPair();
  assert.equal(keyPair.privateKey.extractable, false);
  await assert.rejects(realExportKey.call(crypto.subtle, 'jwk', keyPair.privateKey), 'the private key cannot leave WebCrypto');
  signCalls.length = 0;
  exportCalls.length = 0;
  crossing.length = 0;
  const jar = new Map();

  const client = OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: keyPair }));
  const start = client.authorize({ nonce: true });
  const back = await driveLogin(start.url, REDIRECT, 'alice', { jar });
  const response = client.handleCallback(back);

  // Token request: the OP demands a nonce, send() retries once with it.
  const tokenReq = await client.tokenRequest(response);
  assert.equal(tokenReq.method, 'POST');
  assert.equal(tokenReq.url, meta.token_endpoint);
  const tokenProof = tokenReq.headers.dpop; // send() puts the retry's proof in its place
  await checkProof(tokenReq.headers.dpop, { htm: 'POST', htu: meta.token_endpoint, nonce: undefined, jwk });
  const t = fetchSpy();
  const tokenRes = await client.send(tokenReq, { fetch: t.spy });
  assert.equal(t.exchanges.length, 2, 'one retry');
  const [first, retry] = t.exchanges;
  assert.equal(first.status, 400);
  assert.equal(JSON.parse(first.text).error, 'use_dpop_nonce');
  assert.equal(first.headers.dpop, tokenProof, 'the first try sends the proof tokenRequest made');
  const nonce1 = first.answerHeaders['dpop-nonce'];
  assert.ok(nonce1);
  assert.equal(retry.status, 200, retry.text);
  assert.equal(retry.body, tokenReq.body);
  await checkProof(retry.headers.dpop, { htm: 'POST', htu: meta.token_endpoint, nonce: nonce1, jwk });
  const tokens = JSON.parse(retry.text);
  assert.equal(tokens.token_type, 'DPoP');

  const accepted = client.acceptTokenResponse(tokenRes);
  assert.ok(accepted instanceof Promise, 'a Response gives a Promise');
  const info = await accepted;
  assert.equal(info.tokenType, 'DPoP');
  assert.equal(info.hasRefreshToken, true);
  assert.equal(info.hasIdToken, true);
  assert.ok(!JSON.stringify(info).includes(tokens.access_token));
  assert.equal(client.idTokenClaims().sub, 'alice');

  // Userinfo: DPoP-bound, ath of the access token, the nonce already known.
  const uiReq = await client.userinfoRequest();
  assert.equal(uiReq.method, 'GET');
  assert.equal(uiReq.url, meta.userinfo_endpoint);
  assert.equal(uiReq.headers.authorization, `DPoP ${tokens.access_token}`);
  await checkProof(uiReq.headers.dpop, { htm: 'GET', htu: meta.userinfo_endpoint, nonce: nonce1, accessToken: tokens.access_token, jwk });
  const u = fetchSpy();
  const uiRes = await client.send(uiReq, { fetch: u.spy });
  assert.deepEqual(u.exchanges.map((x) => x.status), [200], u.exchanges[0]?.text);
  const me = await client.acceptUserinfo(uiRes);
  assert.equal(me.sub, 'alice');
  assert.equal(me.email, 'alice@example.test');

  // A resource call: htu without query and fragment, ath again.
  const target = `${meta.userinfo_endpoint}?lang=en`;
  const rReq = await client.resourceRequest(target);
  assert.equal(rReq.url, target);
  assert.equal(rReq.method, 'GET');
  assert.equal(rReq.headers.authorization, `DPoP ${tokens.access_token}`);
  await checkProof(rReq.headers.dpop, { htm: 'GET', htu: meta.userinfo_endpoint, nonce: nonce1, accessToken: tokens.access_token, jwk });
  const r = fetchSpy();
  const rRes = await client.send(rReq, { fetch: r.spy });
  assert.equal(rRes.status, 200, r.exchanges[0]?.text);
  assert.equal((await rRes.json()).sub, 'alice');
  // A fragment is never sent (fetch drops it); the module refuses a URL with one rather than guess.
  await assert.rejects(async () => client.resourceRequest(`${target}#top`), codeOf('arg.invalid'));
  const postReq = await client.resourceRequest(meta.userinfo_endpoint, { method: 'POST' });
  await checkProof(postReq.headers.dpop, { htm: 'POST', htu: meta.userinfo_endpoint, nonce: nonce1, accessToken: tokens.access_token, jwk });

  // The OP rotates its nonce: a resource call gets a 401 use_dpop_nonce and is retried once.
  op.rotateDpopNonce();
  const r2Req = await client.resourceRequest(meta.userinfo_endpoint);
  const r2Proof = r2Req.headers.dpop;
  const r2 = fetchSpy();
  const r2Res = await client.send(r2Req, { fetch: r2.spy });
  assert.deepEqual(r2.exchanges.map((x) => x.status), [401, 200]);
  assert.match(r2.exchanges[0].answerHeaders['www-authenticate'], /^DPoP .*error="use_dpop_nonce"/);
  const nonce2 = r2.exchanges[0].answerHeaders['dpop-nonce'];
  assert.ok(nonce2 && nonce2 !== nonce1);
  await checkProof(r2.exchanges[1].headers.dpop, { htm: 'GET', htu: meta.userinfo_endpoint, nonce: nonce2, accessToken: tokens.access_token, jwk });
  assert.equal(r2Res.status, 200);

  // Refresh after another rotation: 400 use_dpop_nonce, one retry, a rotated refresh token.
  op.rotateDpopNonce();
  const refreshReq = await client.refreshRequest();
  assert.equal(new URLSearchParams(refreshReq.body).get('refresh_token'), tokens.refresh_token);
  const refreshProof = refreshReq.headers.dpop;
  await checkProof(refreshProof, { htm: 'POST', htu: meta.token_endpoint, nonce: nonce2, jwk });
  const f = fetchSpy();
  const refreshRes = await client.send(refreshReq, { fetch: f.spy });
  assert.deepEqual(f.exchanges.map((x) => x.status), [400, 200], f.exchanges.at(-1)?.text);
  const nonce3 = f.exchanges[0].answerHeaders['dpop-nonce'];
  assert.ok(nonce3 && nonce3 !== nonce2);
  await checkProof(f.exchanges[1].headers.dpop, { htm: 'POST', htu: meta.token_endpoint, nonce: nonce3, jwk });
  const refreshed = JSON.parse(f.exchanges[1].text);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
  assert.notEqual(refreshed.access_token, tokens.access_token);
  const info2 = await client.acceptTokenResponse(refreshRes);
  assert.equal(info2.tokenType, 'DPoP');
  const u2Req = await client.userinfoRequest();
  assert.equal(u2Req.headers.authorization, `DPoP ${refreshed.access_token}`);
  await checkProof(u2Req.headers.dpop, { htm: 'GET', htu: meta.userinfo_endpoint, nonce: nonce3, accessToken: refreshed.access_token, jwk });
  assert.equal((await client.acceptUserinfo(await client.send(u2Req))).sub, 'alice');

  // The logout URL: no ID token unless asked for (RP-Initiated Logout 1.0 §2).
  const logout = new URL(client.logoutUrl({ postLogoutRedirectUri: POST_LOGOUT, state: 'bye', uiLocales: 'en' }));
  assert.equal(`${logout.origin}${logout.pathname}`, meta.end_session_endpoint);
  assert.deepEqual([...logout.searchParams.keys()].sort(), ['client_id', 'post_logout_redirect_uri', 'state', 'ui_locales']);
  assert.equal(logout.searchParams.get('client_id'), 'spa');
  assert.equal(logout.searchParams.get('post_logout_redirect_uri'), POST_LOGOUT);
  assert.equal(logout.searchParams.get('state'), 'bye');
  const withHint = new URL(client.logoutUrl({ postLogoutRedirectUri: POST_LOGOUT, idTokenHint: true }));
  assert.equal(withHint.searchParams.get('id_token_hint'), refreshed.id_token ?? tokens.id_token);
  assert.equal(withHint.searchParams.get('client_id'), 'spa');
  assert.ok(!new URL(client.logoutUrl()).searchParams.has('id_token_hint'));
  assert.ok(!new URL(client.logoutUrl({ idTokenHint: false })).searchParams.has('id_token_hint'));

  // Revocation of the refresh token (RFC 7009 §2.1): the OP ends the grant.
  const revReq = client.revocationRequest();
  assert.equal(revReq.url, meta.revocation_endpoint);
  assert.equal(revReq.method, 'POST');
  assert.equal(revReq.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(revReq.body)),
    { token: refreshed.refresh_token, token_type_hint: 'refresh_token', client_id: 'spa' });
  const atRev = client.revocationRequest({ token: 'access_token' });
  assert.deepEqual(Object.fromEntries(new URLSearchParams(atRev.body)),
    { token: refreshed.access_token, token_type_hint: 'access_token', client_id: 'spa' });
  const revRes = await client.send(revReq);
  assert.equal(revRes.status, 200);
  // The access token died with the grant: userinfo is a 401 with WWW-Authenticate (RFC 6750 §3).
  const dead = await client.send(await client.userinfoRequest());
  assert.equal(dead.status, 401);
  await assert.rejects(client.acceptUserinfo(dead), (e) => {
    codeOf('oauth.userinfo.error')(e);
    assert.equal(e.error, 'invalid_token');
    assert.equal(typeof e.errorDescription, 'string');
    assert.ok(!e.message.includes(refreshed.access_token));
    return true;
  });

  // Logout at the OP, with the login's session cookie: back at the post-logout URI with the state.
  const signedOut = new URL(await driveLogout(logout.href, POST_LOGOUT, { jar }));
  assert.equal(`${signedOut.origin}${signedOut.pathname}`, POST_LOGOUT);
  assert.equal(signedOut.searchParams.get('state'), 'bye');
  // The OP accepts the ID token the module puts in the URL when asked (it validates id_token_hint).
  const hinted = new URL(await driveLogout(withHint.href, POST_LOGOUT));
  assert.equal(`${hinted.origin}${hinted.pathname}`, POST_LOGOUT);

  // The private key: used to sign, exactly the proofs on the wire, never exported; only numbers and strings entered the module.
  const wire = [tokenProof, r2Proof, refreshProof, ...[uiReq, rReq, postReq, u2Req].map((x) => x.headers.dpop)]
    .concat([retry, ...r2.exchanges, ...f.exchanges].map((x) => x.headers.dpop));
  assert.equal(r2.exchanges[0].headers.dpop, r2Proof);
  assert.equal(f.exchanges[0].headers.dpop, refreshProof);
  // (The OP signs its ID tokens with WebCrypto too, through jose: those calls use its own keys.)
  const signedBy = new Map(signCalls.map((c) => [Buffer.from(c.data).toString('latin1'), c]));
  for (const proof of wire) {
    const call = signedBy.get(proof.split('.').slice(0, 2).join('.'));
    assert.ok(call, 'each proof was signed by crypto.subtle.sign');
    assert.equal(call.key, keyPair.privateKey, 'with the caller\'s own CryptoKey');
    assert.equal(call.algorithm.name, 'ECDSA');
    assert.equal(typeof call.algorithm.hash === 'string' ? call.algorithm.hash : call.algorithm.hash?.name, 'SHA-256');
  }
  for (const { data } of signCalls.filter((c) => c.key === keyPair.privateKey)) {
    const [h] = Buffer.from(data).toString('latin1').split('.');
    assert.equal(JSON.parse(Buffer.from(h, 'base64url').toString()).typ, 'dpop+jwt', 'the key signs DPoP proofs only');
  }
  assert.ok(exportCalls.every(({ key }) => key !== keyPair.privateKey), 'the private key was never asked for');
  assert.ok(exportCalls.every(({ key }) => key === keyPair.publicKey));
  assert.ok(crossing.length > 0);
  assert.deepEqual([...new Set(crossing)].filter((t) => !['number', 'string', 'undefined'].includes(t)), []);
  client.free();
});

test('DPoP: a proof the module made is refused by the OP with another key (the tokens are bound to the key)', async () => {
  const a = await dpopKeyPair();
  const b = await dpopKeyPair();
  const client = OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: a.keyPair }));
  const start = client.authorize({ nonce: true });
  const back = await driveLogin(start.url, REDIRECT);
  await client.acceptTokenResponse(await client.send(await client.tokenRequest(client.handleCallback(back))));
  const uiReq = await client.userinfoRequest();
  // Another client with key B makes a proof for the same URL; swapped in, the OP refuses it.
  const other = OAuthClient.fromMetadata(meta, clientConfig({ dpopKeyPair: b.keyPair }));
  const s2 = other.authorize({ nonce: true });
  await other.acceptTokenResponse(await other.send(await other.tokenRequest(other.handleCallback(await driveLogin(s2.url, REDIRECT)))));
  const foreign = await other.userinfoRequest();
  const res = await fetch(uiReq.url, { headers: { ...uiReq.headers, dpop: foreign.headers.dpop } });
  assert.equal(res.status, 401);
  const ok = await fetch(uiReq.url, { headers: uiReq.headers });
  assert.equal(ok.status, 200);
});

test('DPoP offline: htu leaves the token endpoint\'s query out; nonces are kept per origin; one retry only, and only for use_dpop_nonce', async () => {
  const { keyPair, jwk } = await dpopKeyPair();
  const ISS = 'https://as.example';
  const client = new OAuthClient({
    authorizationEndpoint: `${ISS}/authorize`,
    tokenEndpoint: `${ISS}/token?tenant=a`,
    issuer: ISS,
    issParameterSupported: true,
    clientId: 'spa',
    redirectUri: 'https://app.example/cb',
    scope: 'openid',
    dpopKeyPair: keyPair,
  });
  const start = client.authorize({ nonce: true });
  const response = client.handleCallback(`https://app.example/cb?code=C&state=${start.state}&iss=${encodeURIComponent(ISS)}`);
  const tokenReq = await client.tokenRequest(response);
  assert.equal(tokenReq.url, `${ISS}/token?tenant=a`);
  await checkProof(tokenReq.headers.dpop, { htm: 'POST', htu: `${ISS}/token`, nonce: undefined, jwk });

  // An AS that asks for a nonce twice in a row: exactly one retry, and its answer is the caller's.
  const seen = [];
  const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const stubborn = async (url, init) => {
    seen.push(new Headers(init.headers).get('dpop'));
    return json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `n-as-${seen.length}` });
  };
  const res = await client.send(tokenReq, { fetch: stubborn });
  assert.equal(seen.length, 2, 'one retry, no loop');
  await checkProof(seen[1], { htm: 'POST', htu: `${ISS}/token`, nonce: 'n-as-1', jwk });
  await assert.rejects(client.acceptTokenResponse(res), (e) => codeOf('oauth.token.error')(e) && e.error === 'use_dpop_nonce');

  // Another login, answered; the last nonce the AS gave is in the next proof for its origin only.
  const s2 = client.authorize({ nonce: true });
  const r2 = await client.tokenRequest(client.handleCallback(`https://app.example/cb?code=C2&state=${s2.state}&iss=${encodeURIComponent(ISS)}`));
  await checkProof(r2.headers.dpop, { htm: 'POST', htu: `${ISS}/token`, nonce: 'n-as-2', jwk });
  const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const idToken = `${b64u({ alg: 'RS256' })}.${b64u({ iss: ISS, sub: 'alice', aud: 'spa', iat: now, exp: now + 600, nonce: s2.nonce })}.c2ln`;
  const ok = await client.send(r2, { fetch: async () => json(200, { access_token: 'AT-1', token_type: 'DPoP', expires_in: 600, id_token: idToken }, { 'dpop-nonce': 'n-as-3' }) });
  assert.equal((await client.acceptTokenResponse(ok)).tokenType, 'DPoP');
  const sameOrigin = await client.resourceRequest(`${ISS}/api/things`);
  await checkProof(sameOrigin.headers.dpop, { htm: 'GET', htu: `${ISS}/api/things`, nonce: 'n-as-3', accessToken: 'AT-1', jwk });
  const rs = await client.resourceRequest('https://rs.example/things');
  await checkProof(rs.headers.dpop, { htm: 'GET', htu: 'https://rs.example/things', nonce: undefined, accessToken: 'AT-1', jwk });

  // A resource server's 401 that is not use_dpop_nonce is not retried, even with a DPoP-Nonce.
  let calls = 0;
  const denied = await client.send(rs, {
    fetch: async () => {
      calls += 1;
      return new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n-rs-1' } });
    },
  });
  assert.equal(calls, 1);
  assert.equal(denied.status, 401);
  // ... but its nonce is remembered for that origin.
  const rs2 = await client.resourceRequest('https://rs.example/other');
  await checkProof(rs2.headers.dpop, { htm: 'GET', htu: 'https://rs.example/other', nonce: 'n-rs-1', accessToken: 'AT-1', jwk });
  // A use_dpop_nonce answer with status 400 from a resource server is no nonce challenge (RFC 9449 §9 says 401).
  calls = 0;
  await client.send(rs2, { fetch: async () => { calls += 1; return json(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'n-rs-2' }); } });
  assert.equal(calls, 1);
  // Nor is a use_dpop_nonce error in another scheme's challenge (RFC 9449 §9: the DPoP scheme's),
  // while the DPoP challenge after a Bearer one is read.
  for (const [header, want] of [['Bearer error="use_dpop_nonce"', 1], ['Bearer realm="x", DPoP error="use_dpop_nonce"', 2],
    ['DPoP realm="x", Bearer error="use_dpop_nonce"', 1], ['dpop error=use_dpop_nonce', 2]]) {
    calls = 0;
    await client.send(rs2, { fetch: async () => { calls += 1; return new Response('', { status: 401, headers: { 'www-authenticate': header, 'dpop-nonce': `n-rs-${calls + 2}` } }); } });
    assert.equal(calls, want, header);
  }

  // A nonce handed over with a token answer given as text (dpopNonce) is the token endpoint's.
  const refresh = await client.refreshRequest().catch((e) => e);
  assert.equal(refresh.code, 'oauth.vault.no_refresh_token');
  const s3 = client.authorize({ nonce: true });
  const r3 = await client.tokenRequest(client.handleCallback(`https://app.example/cb?code=C3&state=${s3.state}&iss=${encodeURIComponent(ISS)}`));
  const idToken3 = `${b64u({ alg: 'RS256' })}.${b64u({ iss: ISS, sub: 'alice', aud: 'spa', iat: now, exp: now + 600, nonce: s3.nonce })}.c2ln`;
  client.acceptTokenResponse(JSON.stringify({ access_token: 'AT-2', token_type: 'DPoP', refresh_token: 'RT-2', id_token: idToken3 }),
    { status: 200, request: r3, dpopNonce: 'n-as-4' });
  const r4 = await client.refreshRequest();
  await checkProof(r4.headers.dpop, { htm: 'POST', htu: `${ISS}/token`, nonce: 'n-as-4', jwk });
  // A DPoP-Nonce that is no nonce (RFC 9449 §8.1: NQCHAR only) is refused, never put in a proof.
  for (const bad of ['a b', 'x"y', '', 'caf\u00e9']) {
    assert.throws(() => client.acceptTokenResponse('{"error":"invalid_grant"}', { status: 400, request: r4, dpopNonce: bad }),
      (e) => e?.name === 'EdgeSsoError', JSON.stringify(bad));
  }
});

// --- PAR ------------------------------------------------------------------------

test('PAR required (RFC 9126 §5): authorize() is refused; the pushed request, its answer and the login give tokens', async () => {
  assert.equal(parMeta.require_pushed_authorization_requests, true);
  const client = OAuthClient.fromMetadata(parMeta, { issuer: opPar.issuer, clientId: 'par', redirectUri: REDIRECT, scope: SCOPE });
  assert.throws(() => client.authorize({ nonce: true }), codeOf('oauth.par.required'));

  const pushed = client.pushedAuthorizationRequest({ nonce: true });
  assert.equal(pushed.request.url, parMeta.pushed_authorization_request_endpoint);
  assert.equal(pushed.request.method, 'POST');
  assert.equal(pushed.request.headers['content-type'], 'application/x-www-form-urlencoded');
  const body = new URLSearchParams(pushed.request.body);
  assert.equal(body.get('client_id'), 'par');
  assert.equal(body.get('response_type'), 'code');
  assert.equal(body.get('redirect_uri'), REDIRECT);
  assert.equal(body.get('scope'), SCOPE);
  assert.equal(body.get('state'), pushed.state);
  assert.equal(body.get('nonce'), pushed.nonce);
  assert.equal(body.get('code_challenge_method'), 'S256');
  assert.match(body.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!body.has('request_uri'));

  const res = await client.send(pushed.request);
  assert.equal(res.status, 201);
  const urlP = client.acceptParResponse(res);
  assert.ok(urlP instanceof Promise);
  const url = new URL(await urlP);
  assert.equal(`${url.origin}${url.pathname}`, parMeta.authorization_endpoint);
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  assert.equal(url.searchParams.get('client_id'), 'par');
  assert.match(url.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);

  const back = await driveLogin(url.href, REDIRECT);
  const response = client.handleCallback(back);
  assert.equal(response.state, pushed.state);
  const info = client.acceptTokenResponse(await (await client.send(client.tokenRequest(response))).text(), { status: 200 });
  assert.equal(info.hasIdToken, true);
  assert.equal(client.idTokenClaims().nonce, pushed.nonce);
});

test('PAR answers that are not a request_uri with a positive expires_in are refused (RFC 9126 §2.2)', async () => {
  const client = OAuthClient.fromMetadata(parMeta, { issuer: opPar.issuer, clientId: 'par', redirectUri: REDIRECT, scope: SCOPE });
  client.pushedAuthorizationRequest(); // a flow in progress
  const ok = { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 };
  for (const bad of [
    { ...ok, request_uri: 'abc' },
    { ...ok, request_uri: '' },
    { ...ok, request_uri: 42 },
    { expires_in: 60 },
    { ...ok, expires_in: 0 },
    { ...ok, expires_in: -5 },
    { ...ok, expires_in: '0' },
    { ...ok, expires_in: '6 0' },
    { ...ok, expires_in: 0.5 },
    { request_uri: ok.request_uri },
  ]) {
    assert.throws(() => client.acceptParResponse(JSON.stringify(bad), { status: 201 }), codeOf('oauth.par.malformed'), JSON.stringify(bad));
  }
  // A lifetime as a string of digits or a fraction (rounded down) is read as the token endpoint's is.
  for (const expires_in of ['60', 59.5]) {
    assert.match(client.acceptParResponse(JSON.stringify({ ...ok, expires_in }), { status: 201 }), /request_uri=urn%3Aietf/);
  }
  // An error answer is the OAuth error, typed.
  assert.throws(
    () => client.acceptParResponse('{"error":"invalid_request","error_description":"nope"}', { status: 400 }),
    (e) => e?.name === 'EdgeSsoError' && e.error === 'invalid_request',
  );
  // The real OP refuses a request_uri it did not issue.
  const real = client.pushedAuthorizationRequest();
  const url = new URL(await client.acceptParResponse(await client.send(real.request)));
  url.searchParams.set('request_uri', 'urn:ietf:params:oauth:request_uri:forged');
  const back = new URL(await driveLogin(url.href, REDIRECT).catch((e) => `${REDIRECT}?error=${encodeURIComponent(e.message)}`));
  assert.ok(!back.searchParams.has('code'));
});

test('PAR with DPoP on a client that requires PAR: the proof at the PAR endpoint gets its nonce retry, and the code is bound to the key', async () => {
  const { keyPair, jwk } = await dpopKeyPair();
  const client = new OAuthClient({
    authorizationEndpoint: meta.authorization_endpoint,
    tokenEndpoint: meta.token_endpoint,
    pushedAuthorizationRequestEndpoint: meta.pushed_authorization_request_endpoint,
    requirePushedAuthorizationRequests: true,
    issuer: op.issuer,
    issParameterSupported: true,
    clientId: 'spa-par',
    redirectUri: REDIRECT,
    scope: SCOPE,
    dpopKeyPair: keyPair,
  });
  assert.throws(() => client.authorize(), codeOf('oauth.par.required'));
  const pushed = await client.pushedAuthorizationRequest({ nonce: true });
  await checkProof(pushed.request.headers.dpop, { htm: 'POST', htu: meta.pushed_authorization_request_endpoint, nonce: undefined, jwk });
  const p = fetchSpy();
  const res = await client.send(pushed.request, { fetch: p.spy });
  assert.deepEqual(p.exchanges.map((x) => x.status), [400, 201]);
  await checkProof(p.exchanges[1].headers.dpop, {
    htm: 'POST', htu: meta.pushed_authorization_request_endpoint, nonce: p.exchanges[0].answerHeaders['dpop-nonce'], jwk,
  });
  const url = await client.acceptParResponse(res);
  const back = await driveLogin(url, REDIRECT);
  const t = fetchSpy();
  const info = await client.acceptTokenResponse(await client.send(await client.tokenRequest(client.handleCallback(back)), { fetch: t.spy }));
  assert.deepEqual(t.exchanges.map((x) => x.status), [200], 'the nonce from the PAR endpoint is reused at the same origin');
  assert.equal(info.tokenType, 'DPoP');
});

// --- each token answer bound to its own request -----------------------------

async function codeRequest(client) {
  const start = client.authorize({ nonce: true });
  const back = await driveLogin(start.url, REDIRECT);
  const request = client.tokenRequest(client.handleCallback(back));
  return { start, request };
}

const answerTo = async (client, request) => {
  const res = await client.send(request);
  return { status: res.status, text: await res.text() };
};

test('two logins in flight: each answer is taken with { request }, and without it while both are outstanding it is refused', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  const one = await codeRequest(client);
  const two = await codeRequest(client);
  const a1 = await answerTo(client, one.request);
  const a2 = await answerTo(client, two.request);
  assert.equal(a1.status, 200);
  assert.equal(a2.status, 200);
  assert.throws(() => client.acceptTokenResponse(a1.text, { status: 200 }), codeOf('oauth.token.request_ambiguous'));
  client.acceptTokenResponse(a2.text, { status: 200, request: two.request });
  assert.equal(client.idTokenClaims().nonce, two.start.nonce);
  // The older login, answered last, does not replace the newer one held.
  assert.throws(() => client.acceptTokenResponse(a1.text, { status: 200, request: one.request }), codeOf('oauth.token.superseded'));
  assert.equal(client.idTokenClaims().nonce, two.start.nonce);
  // Each request is answered once.
  assert.throws(() => client.acceptTokenResponse(a1.text, { status: 200, request: one.request }), codeOf('oauth.token.not_outstanding'));
  // A request of another client is none of this one's.
  const stranger = OAuthClient.fromMetadata(meta, clientConfig());
  const theirs = await codeRequest(stranger);
  // (refused by the JS layer, which knows whose request it is: numbers are per client)
  assert.throws(() => client.acceptTokenResponse(a1.text, { status: 200, request: theirs.request }), codeOf('arg.invalid'));
});

test('two logins in flight: an answer given as the other login\'s is checked against that login\'s nonce, and refused', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  const one = await codeRequest(client);
  const two = await codeRequest(client);
  const a1 = await answerTo(client, one.request);
  assert.throws(() => client.acceptTokenResponse(a1.text, { status: 200, request: two.request }), codeOf('oidc.id_token.nonce_mismatch'));
  assert.equal(client.tokenInfo(), null, 'nothing was stored');
});

test('a refresh answer that arrives after a new login was answered is refused: oauth.token.superseded', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const refresh = client.refreshRequest();
  const login = await codeRequest(client);
  const refreshAnswer = await answerTo(client, refresh);
  assert.equal(refreshAnswer.status, 200);
  const loginAnswer = await answerTo(client, login.request);
  client.acceptTokenResponse(loginAnswer.text, { status: 200, request: login.request });
  const held = client.idTokenClaims();
  assert.equal(held.nonce, login.start.nonce);
  assert.throws(() => client.acceptTokenResponse(refreshAnswer.text, { status: 200, request: refresh }), codeOf('oauth.token.superseded'));
  // Only the refresh is outstanding now; without `request` it is still refused.
  assert.throws(() => client.acceptTokenResponse(refreshAnswer.text, { status: 200 }), (e) => e?.name === 'EdgeSsoError'
    && ['oauth.token.superseded', 'oauth.token.not_outstanding'].includes(e.code));
  assert.deepEqual(client.idTokenClaims(), held, 'the new login\'s tokens are kept');
});

test('a login started while a refresh is in flight: the refresh answer is taken as the refresh\'s, then the login\'s as the login\'s', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const refresh = client.refreshRequest();
  const login = await codeRequest(client);
  const refreshAnswer = await answerTo(client, refresh);
  assert.throws(() => client.acceptTokenResponse(refreshAnswer.text, { status: 200 }), codeOf('oauth.token.request_ambiguous'));
  client.acceptTokenResponse(refreshAnswer.text, { status: 200, request: refresh });
  const loginAnswer = await answerTo(client, login.request);
  client.acceptTokenResponse(loginAnswer.text, { status: 200, request: login.request });
  assert.equal(client.idTokenClaims().nonce, login.start.nonce);
});

test('a refresh answer taken as a Response is bound to its request too', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const refresh = client.refreshRequest();
  const login = await codeRequest(client);
  const refreshRes = await client.send(refresh);
  await client.acceptTokenResponse(await client.send(login.request), { request: login.request });
  await assert.rejects(client.acceptTokenResponse(refreshRes, { request: refresh }), codeOf('oauth.token.superseded'));
});

// --- Responses as they come --------------------------------------------------

/** A Response whose body never ends (64 KiB chunks of spaces); `pulled()` says how many bytes were read. */
function endless(status = 200, headers = { 'content-type': 'application/json' }) {
  let bytes = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const body = new ReadableStream({
    pull(controller) {
      bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return { res: new Response(body, { status, headers }), pulled: () => bytes };
}

test('a Response body is read with the 256 KiB cap applied while reading: an endless one is refused, not read to the end', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const cap = 256 * 1024;
  client.refreshRequest();
  const t = endless();
  await assert.rejects(client.acceptTokenResponse(t.res), codeOf('oauth.token.too_large'));
  assert.ok(t.pulled() <= cap + 2 * 64 * 1024, `read ${t.pulled()} bytes`);
  const u = endless();
  await assert.rejects(client.acceptUserinfo(u.res), (e) => e?.name === 'EdgeSsoError' && /^oauth\.userinfo\./.test(e.code));
  assert.ok(u.pulled() <= cap + 2 * 64 * 1024, `read ${u.pulled()} bytes`);
  const m = endless();
  await assert.rejects(OAuthClient.fromMetadata(m.res, clientConfig()), (e) => e?.name === 'EdgeSsoError' && /^oauth\.discovery\./.test(e.code));
  assert.ok(m.pulled() <= cap + 2 * 64 * 1024, `read ${m.pulled()} bytes`);
  const p = endless(201);
  const parClient = OAuthClient.fromMetadata(parMeta, { issuer: opPar.issuer, clientId: 'par', redirectUri: REDIRECT, scope: SCOPE });
  parClient.pushedAuthorizationRequest();
  await assert.rejects(parClient.acceptParResponse(p.res), codeOf('oauth.par.malformed'));
  assert.ok(p.pulled() <= cap + 2 * 64 * 1024, `read ${p.pulled()} bytes`);
  // The client still works: the refresh answer that does come is taken.
  const res = await client.send(client.refreshRequest());
  assert.equal((await client.acceptTokenResponse(res)).tokenType, 'Bearer');
});

test('a Response body is decoded as fetch decodes it (a leading BOM dropped); a string is taken as given', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const body = JSON.stringify({ access_token: 'AT-bom', token_type: 'Bearer', expires_in: 60 });
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]);
  // What res.json() does with the same bytes.
  assert.equal((await new Response(withBom).json()).access_token, 'AT-bom');
  client.refreshRequest();
  assert.equal((await client.acceptTokenResponse(new Response(withBom, { status: 200 }))).tokenType, 'Bearer');
  assert.equal(client.authorizationHeader(), 'Bearer AT-bom');
  // JSON.parse refuses the BOM in a string, and so does the client.
  assert.throws(() => JSON.parse(`\ufeff${body}`), SyntaxError);
  client.refreshRequest();
  assert.throws(() => client.acceptTokenResponse(`\ufeff${body}`, { status: 200 }), codeOf('oauth.token.malformed'));
});

// --- userinfo (OIDC Core §5.3) -----------------------------------------------

test('userinfo: a Bearer client gets its request synchronously and its answer checked against the ID token', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const req = client.userinfoRequest();
  assert.ok(!(req instanceof Promise));
  assert.equal(req.headers.authorization.split(' ')[0], 'Bearer');
  assert.equal(req.headers.dpop, undefined);
  const res = await client.send(req);
  const me = await client.acceptUserinfo(res);
  assert.equal(me.sub, 'alice');
  const r = client.resourceRequest(`${meta.userinfo_endpoint}?x=1`);
  assert.equal(r.url, `${meta.userinfo_endpoint}?x=1`);
  assert.equal(r.method, 'GET');
  assert.equal(r.headers.authorization, req.headers.authorization);
});

test('userinfo: signed or encrypted answers (application/jwt) are refused', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
  assert.throws(() => client.acceptUserinfo(jwt, { status: 200, contentType: 'application/jwt' }), codeOf('oauth.userinfo.signed_unsupported'));
  assert.throws(() => client.acceptUserinfo(jwt, { status: 200, contentType: 'application/jwt; charset=utf-8' }), codeOf('oauth.userinfo.signed_unsupported'));
  assert.throws(() => client.acceptUserinfo(jwt, { status: 200, contentType: 'APPLICATION/JWT' }), codeOf('oauth.userinfo.signed_unsupported'));
  await assert.rejects(client.acceptUserinfo(new Response(jwt, { headers: { 'content-type': 'application/jwt' } })), codeOf('oauth.userinfo.signed_unsupported'));
  // JSON in the body does not make a JWT content type acceptable.
  assert.throws(() => client.acceptUserinfo('{"sub":"alice"}', { status: 200, contentType: 'application/jwt' }), codeOf('oauth.userinfo.signed_unsupported'));
  assert.equal(client.acceptUserinfo('{"sub":"alice"}', { status: 200, contentType: 'application/json; charset=utf-8' }).sub, 'alice');
});

test('userinfo: a sub other than the ID token\'s, or none, is refused (OIDC Core §5.3.4)', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  assert.throws(() => client.acceptUserinfo({ sub: 'mallory', name: 'User alice' }), codeOf('oauth.userinfo.sub_mismatch'));
  assert.throws(() => client.acceptUserinfo('{"sub":"alice "}', { status: 200 }), codeOf('oauth.userinfo.sub_mismatch'));
  await assert.rejects(client.acceptUserinfo(Response.json({ sub: 'bob' })), codeOf('oauth.userinfo.sub_mismatch'));
  assert.throws(() => client.acceptUserinfo({ name: 'no sub' }), (e) => e?.name === 'EdgeSsoError' && /^oauth\.userinfo\./.test(e.code));
  assert.throws(() => client.acceptUserinfo({ sub: 42 }), (e) => e?.name === 'EdgeSsoError' && /^oauth\.userinfo\./.test(e.code));
  assert.throws(() => client.acceptUserinfo('[{"sub":"alice"}]', { status: 200 }), (e) => e?.name === 'EdgeSsoError' && /^oauth\.userinfo\./.test(e.code));
  const fresh = OAuthClient.fromMetadata(meta, clientConfig());
  assert.throws(() => fresh.acceptUserinfo({ sub: 'alice' }), codeOf('oauth.userinfo.no_id_token'));
});

test('userinfo: a 401 with WWW-Authenticate is oauth.userinfo.error with its error fields (RFC 6750 §3)', async () => {
  const client = OAuthClient.fromMetadata(meta, clientConfig());
  await loginBearer(client);
  const www = 'Bearer realm="op", error="invalid_token", error_description="The access token expired"';
  assert.throws(() => client.acceptUserinfo('', { status: 401, wwwAuthenticate: www }), (e) => {
    codeOf('oauth.userinfo.error')(e);
    assert.equal(e.error, 'invalid_token');
    assert.equal(e.errorDescription, 'The access token expired');
    return true;
  });
  await assert.rejects(client.acceptUserinfo(new Response('', { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="openid"' } })),
    (e) => codeOf('oauth.userinfo.error')(e) && e.error === 'insufficient_scope');
  // A failing status without a WWW-Authenticate error is a status error, never the body taken as claims.
  assert.throws(() => client.acceptUserinfo('{"sub":"alice"}', { status: 500 }), (e) => e?.name === 'EdgeSsoError' && e.code !== undefined);
  // The real OP: an unknown token is a 401 whose WWW-Authenticate names invalid_token.
  const req = client.userinfoRequest();
  const res = await fetch(req.url, { headers: { authorization: 'Bearer not-a-token' } });
  assert.equal(res.status, 401);
  await assert.rejects(client.acceptUserinfo(res), (e) => codeOf('oauth.userinfo.error')(e) && e.error === 'invalid_token');
});

test('DPoP: a request sent twice (a retry after a network failure) carries a fresh proof each time (RFC 9449 §11.1: jti is single-use)', async () => {
  const { keyPair, jwk } = await dpopKeyPair();
  const ISS = 'https://as.example';
  const client = new OAuthClient({
    authorizationEndpoint: `${ISS}/authorize`, tokenEndpoint: `HTTPS://AS.example:443/token`, issuer: ISS,
    clientId: 'spa', redirectUri: 'https://app.example/cb', dpopKeyPair: keyPair,
  });
  const start = client.authorize();
  const req = await client.tokenRequest(client.handleCallback(`https://app.example/cb?code=C&state=${start.state}&iss=${encodeURIComponent(ISS)}`));
  const proofs = [];
  const failing = async (url, init) => {
    proofs.push(new Headers(init.headers).get('dpop'));
    throw new TypeError('fetch failed');
  };
  await assert.rejects(client.send(req, { fetch: failing }), TypeError);
  await assert.rejects(client.send(req, { fetch: failing }), TypeError);
  assert.equal(proofs.length, 2);
  // checkProof refuses a jti it has seen; htu is as fetch sends it (scheme
  // and host in lower case, no default port).
  const first = await checkProof(proofs[0], { htm: 'POST', htu: `${ISS}/token`, nonce: undefined, jwk });
  const second = await checkProof(proofs[1], { htm: 'POST', htu: `${ISS}/token`, nonce: undefined, jwk });
  assert.notEqual(first.jti, second.jti);
});

test('fromMetadata refuses a discovery answer that is not a 200 with application/json (RFC 8414 §3.2)', async () => {
  const doc = JSON.stringify({ issuer: 'https://as.example', authorization_endpoint: 'https://as.example/a', token_endpoint: 'https://as.example/t' });
  const cfg = { issuer: 'https://as.example', clientId: 'spa', redirectUri: 'https://app.example/cb' };
  await assert.rejects(OAuthClient.fromMetadata(new Response(doc, { status: 201, headers: { 'content-type': 'application/json' } }), cfg), codeOf('oauth.discovery.malformed'));
  await assert.rejects(OAuthClient.fromMetadata(new Response(doc, { status: 200, headers: { 'content-type': 'text/html' } }), cfg), codeOf('oauth.discovery.malformed'));
  const ok = await OAuthClient.fromMetadata(new Response(doc, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } }), cfg);
  assert.equal(ok.toJSON().issuer, 'https://as.example');
});
