// client.send(): what it sends where, and what it reads to decide on a retry.
// - No redirect is followed: a token request's body (code, verifier, refresh
//   token) and a resource request's credentials go to the URL they were made
//   for and nowhere else (real servers on loopback).
// - The DPoP nonce retry: decided by the `error` parameter of the challenge
//   (not words inside another parameter), on a 400 body read under the same
//   cap as every answer (an endless body is not read whole), and a resent
//   resource request carries the access token its new proof's `ath` binds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { OAuthClient } from 'edge-sso/oauth';

const REDIRECT = 'https://app.example/cb';

/** A loopback HTTP server; `handle(req, body, res)`; resolves to { url, seen, close }. */
async function serve(handle) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handle(req, body, res);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}

const configFor = (issuer, over = {}) => ({
  authorizationEndpoint: `${issuer}/authorize`, tokenEndpoint: `${issuer}/token`,
  clientId: 'spa', redirectUri: REDIRECT, issuer, ...over,
});
const callback = (issuer, state) => `${REDIRECT}?code=C0DE&state=${state}&iss=${encodeURIComponent(issuer)}`;
const tokenBody = (over = {}) => JSON.stringify({ access_token: 'AT-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'RT-1', ...over });
const json = (body, init = {}) => new Response(body, { status: 200, ...init, headers: { 'content-type': 'application/json', ...init.headers } });
const b64url = (buf) => Buffer.from(buf).toString('base64url');

async function loggedIn(issuer, over = {}) {
  const client = new OAuthClient(configFor(issuer, over));
  const start = await client.authorize();
  const request = await client.tokenRequest(client.handleCallback(callback(issuer, start.state)));
  const dpop = over.dpopKeyPair !== undefined;
  await client.acceptTokenResponse(tokenBody(dpop ? { token_type: 'DPoP' } : {}), { request });
  return client;
}

test('send() follows no redirect: a token request answered 307 sends its refresh token nowhere else', async () => {
  const thief = await serve((req, body, res) => res.end('{}'));
  const op = await serve((req, body, res) => {
    res.writeHead(307, { location: `${thief.url}/steal` });
    res.end();
  });
  try {
    const client = await loggedIn(op.url);
    const refresh = client.refreshRequest();
    const res = await client.send(refresh);
    assert.equal(res.status, 307, 'the redirect comes back as it is');
    assert.equal(op.seen.length, 1);
    assert.match(op.seen[0].body, /refresh_token=RT-1/);
    assert.deepEqual(thief.seen, [], 'nothing reached the redirect target');
    // And the answer is refused as what it is, not taken as tokens.
    await assert.rejects(client.acceptTokenResponse(res, { request: refresh }), (e) => e?.name === 'EdgeSsoError');
  } finally {
    await op.close();
    await thief.close();
  }
});

test('send() follows no redirect: a resource request answered 302 sends its Authorization and proof nowhere else', async () => {
  const dpopKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const thief = await serve((req, body, res) => res.end('{}'));
  const api = await serve((req, body, res) => {
    res.writeHead(302, { location: `${thief.url}/steal` });
    res.end();
  });
  try {
    const client = await loggedIn('https://op.example', { dpopKeyPair });
    const request = await client.resourceRequest(`${api.url}/me`);
    const res = await client.send(request);
    assert.equal(res.status, 302);
    assert.match(api.seen[0].headers.authorization, /^DPoP AT-1$/);
    assert.deepEqual(thief.seen, []);
  } finally {
    await api.close();
    await thief.close();
  }
});

// A timeout, so that reading the body whole fails the test instead of hanging it.
test('a 400 with a DPoP-Nonce and an endless body: send() decides without reading it whole, and returns it', { timeout: 20_000 }, async () => {
  const dpopKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const client = await loggedIn('https://op.example', { dpopKeyPair });
  const refresh = await client.refreshRequest();
  let calls = 0;
  let pulled = 0;
  const endless = () => new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024)));
    },
  });
  const res = await client.send(refresh, {
    fetch: async () => {
      calls += 1;
      return new Response(endless(), { status: 400, headers: { 'content-type': 'application/json', 'dpop-nonce': 'n-1' } });
    },
  });
  assert.equal(res.status, 400);
  assert.equal(calls, 1, 'not an answer asking for a nonce: no retry');
  // The cap is 256 KiB: a few chunks past it at most were pulled.
  assert.ok(pulled < 16, `${pulled} chunks of 64 KiB read`);
});

test('the nonce retry is decided by the challenge\'s error parameter, not by words inside another one', async () => {
  const dpopKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const client = await loggedIn('https://op.example', { dpopKeyPair });
  const callsFor = async (challenge) => {
    let calls = 0;
    const request = await client.resourceRequest('https://api.example/me');
    await client.send(request, {
      fetch: async () => {
        calls += 1;
        return new Response('', { status: 401, headers: { 'www-authenticate': challenge, 'dpop-nonce': `n-${calls}` } });
      },
    });
    return calls;
  };
  assert.equal(await callsFor('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"'), 2);
  assert.equal(await callsFor('DPoP algs="ES256", error=use_dpop_nonce'), 2);
  assert.equal(await callsFor('DPoP error="invalid_token", error_description="not use_dpop_nonce"'), 1);
  assert.equal(await callsFor('DPoP error="invalid_token", error_description="x, error=use_dpop_nonce y"'), 1);
  assert.equal(await callsFor('DPoP error="invalid_token", error_description="retry, error=use_dpop_nonce, later"'), 1);
  assert.equal(await callsFor('DPoP error_description="a \\" error=use_dpop_nonce", error="invalid_token"'), 1);
  assert.equal(await callsFor('Bearer realm="x", DPoP algs="ES256", error="use_dpop_nonce"'), 2);
  assert.equal(await callsFor('Bearer realm="use_dpop_nonce"'), 1);
});

test('a resource request resent for a nonce after a refresh carries the new access token, the one its proof binds', async () => {
  const dpopKeyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const client = await loggedIn('https://op.example', { dpopKeyPair });
  const request = await client.resourceRequest('https://api.example/me');
  assert.equal(request.headers.authorization, 'DPoP AT-1');
  // A refresh lands before the request is sent (a background refresh, say).
  const refresh = await client.refreshRequest();
  await client.acceptTokenResponse(tokenBody({ access_token: 'AT-2', token_type: 'DPoP', refresh_token: 'RT-2' }), { request: refresh });
  const sent = [];
  await client.send(request, {
    fetch: async (url, init) => {
      sent.push({ ...init.headers });
      return sent.length === 1
        ? new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n-1' } })
        : json('{}');
    },
  });
  assert.equal(sent.length, 2);
  assert.equal(sent[1].authorization, 'DPoP AT-2');
  const ath = b64url(createHash('sha256').update('AT-2').digest());
  const claims = decodeJwt(sent[1].dpop);
  assert.equal(claims.ath, ath, 'the proof binds the token sent with it');
  assert.equal(claims.nonce, 'n-1');
});
