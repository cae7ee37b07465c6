// The example edge worker (examples/edge-worker) in real workerd, against a
// real SAML IdP (samlp) and a real OpenID Provider (oidc-provider), driven
// with plain fetch: redirects followed and cookies carried by hand, as a
// browser would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startIdp, readPostForm, ORANGE_USER } from '../support/idp.mjs';
import { startOp, driveLogin } from '../support/op.mjs';
import { startWorker, freePort, workerUrls } from '../support/worker.mjs';

const CLIENT_ID = 'edge-worker-example';
const OPENER = 'http://127.0.0.1:9'; // the demo page's origin, as far as the worker knows
const FORM = 'application/x-www-form-urlencoded';
let idp;
let op;
let worker;

before(async () => {
  // The IdP needs the ACS URL and the OP the redirect URI before the worker
  // starts, and the worker needs the IdP's certificate: fix the port first.
  const port = await freePort();
  const urls = workerUrls(port);
  idp = await startIdp({ sps: { [urls.spEntityId]: urls.acsUrl } });
  op = await startOp({ clients: [{ client_id: CLIENT_ID, redirect_uris: [urls.oauthRedirectUri] }] });
  worker = await startWorker({
    port, idp, op: { issuer: op.issuer, clientId: CLIENT_ID }, allowedOpenerOrigin: OPENER, replicas: 2, probe: true,
  });
});

after(async () => {
  await worker?.close();
  await idp?.close();
  await op?.close();
});

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
function cookieOf(response) {
  return response.headers.get('set-cookie').split(';')[0];
}

/** GET /saml/login, then the IdP: what the browser does before it posts to the ACS. */
async function samlLogin({ relayState, headers = {} } = {}) {
  const query = relayState === undefined ? '' : `?${new URLSearchParams({ relayState })}`;
  const start = await fetch(`${worker.url}/saml/login${query}`, { redirect: 'manual', headers });
  assert.equal(start.status, 302);
  const atIdp = await fetch(start.headers.get('location'));
  assert.equal(atIdp.status, 200);
  return { setCookie: start.headers.get('set-cookie'), cookie: cookieOf(start), form: readPostForm(await atIdp.text()) };
}

function postAcs(form, { cookie, base = worker.url, accept = 'application/json', headers = {} } = {}) {
  const body = new URLSearchParams({ SAMLResponse: form.SAMLResponse });
  if (form.RelayState !== undefined) body.set('RelayState', form.RelayState);
  return fetch(`${base}/saml/acs`, {
    method: 'POST',
    headers: { 'content-type': FORM, accept, ...(cookie ? { cookie } : {}), ...headers },
    body,
  });
}

async function assertRefused(response, status, code) {
  const out = await response.json();
  assert.equal(response.status, status, JSON.stringify(out));
  assert.equal(out.ok, false);
  assert.equal(out.code, code, JSON.stringify(out));
  assert.equal(typeof out.message, 'string');
  return out;
}

test('SAML: /saml/login carries the request ID in a cookie; the ACS accepts the signed answer', async () => {
  const { setCookie, cookie, form } = await samlLogin();
  // The request ID, and the login's retry key (see the ReplayGuard tests).
  assert.match(setCookie, /^edge-sso-saml=_[0-9a-f]{64}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=(\d+)$/);
  const maxAge = Number(setCookie.match(/Max-Age=(\d+)$/)[1]);
  assert.ok(maxAge > 500 && maxAge <= 600, `Max-Age ${maxAge}: the request's remaining lifetime`);
  assert.equal(form.action, worker.acsUrl);

  const res = await postAcs(form, { cookie });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.ok, true);
  assert.equal(out.flow, 'saml');
  assert.equal(out.issuer, idp.entityId);
  assert.equal(out.nameId, ORANGE_USER.nameId);
  assert.deepEqual(out.attributes.givenname, ['Alice']);
  assert.deepEqual(out.attributes.usertype, ['internet&mobile']);
  assert.equal(out.orangeApiToken.value, ORANGE_USER.attributes.OrangeAPIToken);
  assert.equal(out.orangeApiToken.urlEncoded, encodeURIComponent(ORANGE_USER.attributes.OrangeAPIToken));
  assert.ok(cookie.startsWith(`edge-sso-saml=${out.inResponseTo}.`), cookie);
  assert.equal(res.headers.get('set-cookie'), 'edge-sso-saml=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
});

test('SAML replay: refused with the same cookie, a fresh cookie, a forged cookie at another isolate, and after a restart', async () => {
  const { cookie, form } = await samlLogin();
  assert.equal((await postAcs(form, { cookie })).status, 200);

  // This isolate remembers the request ID it consumed, and the ReplayGuard
  // the assertion: a replay is told apart from a second answer.
  await assertRefused(await postAcs(form, { cookie }), 409, 'saml.replayed');
  // A new login's cookie does not match the old response's InResponseTo.
  const fresh = await samlLogin();
  await assertRefused(await postAcs(form, { cookie: fresh.cookie }), 401, 'saml.in_response_to.mismatch');
  // The cookie is not signed, so an attacker can send the old request ID
  // with the old response; another isolate has no memory of either, and the
  // shared ReplayGuard refuses the assertion.
  await assertRefused(await postAcs(form, { cookie, base: worker.replicaUrls[1] }), 409, 'saml.replayed');
  // After a restart no isolate remembers anything: the refusal comes from
  // the Durable Object's storage on disk.
  await worker.restart();
  await assertRefused(await postAcs(form, { cookie }), 409, 'saml.replayed');
});

test('SAML replay: copies of one response racing through two isolates are accepted exactly once', async () => {
  const { cookie, form } = await samlLogin();
  const bases = [worker.replicaUrls[0], worker.replicaUrls[1], worker.replicaUrls[0], worker.replicaUrls[1]];
  const post = async (base) => {
    const res = await postAcs(form, { cookie, base });
    return { base, status: res.status, code: (await res.json()).code, retryAfter: res.headers.get('retry-after') };
  };
  const answers = await Promise.all(bases.map(post));
  assert.equal(answers.filter((a) => a.status === 200).length, 1, JSON.stringify(answers));
  // A loser is a replay (409), or, when it reached the ReplayGuard while the
  // winner held the login's lease, told to retry (503, nothing consumed)...
  for (const a of answers.filter((x) => x.status !== 200)) {
    if (a.status === 503) {
      assert.equal(a.code, 'saml.store.failed', JSON.stringify(answers));
      assert.equal(a.retryAfter, '2');
    } else {
      assert.equal(a.status, 409, JSON.stringify(answers));
      assert.ok(['saml.replayed', 'saml.in_response_to.reused'].includes(a.code), JSON.stringify(answers));
    }
  }
  // ...and that retry, once the winner confirmed the login, is a replay.
  for (const a of answers.filter((x) => x.status === 503)) {
    const again = await post(a.base);
    assert.equal(again.status, 409, JSON.stringify(again));
  }
  assert.ok(answers.some((a) => a.code === 'saml.replayed' || a.status === 503), 'the isolate that lost asked the ReplayGuard');
});

/** The assertion ID of a posted SAMLResponse, and the parts of its request cookie. */
function loginParts({ cookie, form }) {
  const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
  const assertionId = xml.match(/<(?:\w+:)?Assertion\b[^>]*?\sID="([^"]+)"/)[1];
  const [requestId, retryKey] = cookie.slice(cookie.indexOf('=') + 1).split('.');
  return { assertionId, requestId, retryKey };
}

/** What the ReplayGuard keeps of a retry key (examples/edge-worker/src/replay-guard.js). */
const keyDigest = (retryKey) => createHash('sha256').update(retryKey).digest('hex');

async function probe(path, body) {
  const res = await fetch(`${worker.probeUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.json();
}

test('ReplayGuard: a login recorded but never answered is accepted on the browser\'s retry, once; a replay under another key or after it is not', async () => {
  const login = await samlLogin();
  const { assertionId, requestId, retryKey } = loginParts(login);
  // The first attempt: the ReplayGuard recorded the assertion for this
  // login's key, and its answer never reached the isolate (which then said
  // saml.store.timeout and kept the cookie). Its lease is over at once.
  const expiresAt = Date.now() + 10 * 60_000;
  const recorded = await probe('/remember', { assertionId, expiresAt, retryKey: keyDigest(retryKey), leaseMs: 1 });
  assert.equal(recorded.first, true);
  await new Promise((r) => setTimeout(r, 20));

  // Someone who captured the response knows the request ID (it is the
  // InResponseTo) but not the key: a replay, at any isolate, and it burns nothing.
  const forged = `edge-sso-saml=${requestId}.${'A'.repeat(43)}`;
  await assertRefused(await postAcs(login.form, { cookie: forged, base: worker.replicaUrls[1] }), 409, 'saml.replayed');
  await assertRefused(await postAcs(login.form, { cookie: `edge-sso-saml=${requestId}`, base: worker.replicaUrls[1] }), 409, 'saml.replayed');
  assert.equal((await probe('/remember', { assertionId, expiresAt, retryKey: keyDigest('another key') })).first, false);

  // The browser's retry is accepted, and confirmed: after it, every copy is a
  // replay, the browser's own included, at every isolate.
  const res = await postAcs(login.form, { cookie: login.cookie });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.assertionId, assertionId);
  await assertRefused(await postAcs(login.form, { cookie: login.cookie, base: worker.replicaUrls[1] }), 409, 'saml.replayed');
  assert.equal((await probe('/remember', { assertionId, expiresAt, retryKey: keyDigest(retryKey), leaseMs: 1 })).first, false);
  assert.equal((await probe('/confirm', { assertionId, retryKey: keyDigest('another key') })).confirmed, false);
});

test('ReplayGuard: while an attempt holds a login\'s lease, a second one for the same browser is told to retry, not refused', async () => {
  const assertionId = `_lease-${Date.now()}`;
  const key = keyDigest('lease test key');
  const expiresAt = Date.now() + 60_000;
  assert.equal((await probe('/remember', { assertionId, expiresAt, retryKey: key, leaseMs: 60_000 })).first, true);
  assert.match((await probe('/remember', { assertionId, expiresAt, retryKey: key })).error, /retry/);
  assert.equal((await probe('/remember', { assertionId, expiresAt })).first, false, 'without a key, a replay');
  assert.equal((await probe('/confirm', { assertionId, retryKey: key })).confirmed, true);
  assert.equal((await probe('/remember', { assertionId, expiresAt, retryKey: key })).first, false, 'confirmed: a replay');
});

/**
 * What the ReplayGuard objects `objectIds` hold on disk (workerd keeps each
 * object's SQLite database under the namespace's uniqueKey): their key-value
 * rows, read by Python's sqlite3, and the namespace's pending alarms.
 */
function guardStorage(objectIds) {
  const dir = join(worker.storageDir, 'edge-sso-example-replay-guard');
  const script = `
import json, os, sqlite3, sys
d, ids = sys.argv[1], sys.argv[2:]
def rows(path, table):
    if not os.path.exists(path): return None
    c = sqlite3.connect('file:' + path + '?mode=ro', uri=True)
    try:
        if not c.execute("select 1 from sqlite_master where type='table' and name=?", (table,)).fetchone(): return 0
        return c.execute('select count(*) from "%s"' % table).fetchone()[0]
    finally:
        c.close()
print(json.dumps({'entries': {i: rows(os.path.join(d, i + '.sqlite'), '_cf_KV') for i in ids},
                  'alarms': rows(os.path.join(d, 'metadata.sqlite'), '_cf_ALARM')}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, dir, ...objectIds], { encoding: 'utf8' }));
}

test('ReplayGuard: an expired entry is deleted by its alarm, and its object holds nothing after', async () => {
  const ids = [1, 2, 3].map((i) => `_expiring-${Date.now()}-${i}`);
  const expiresAt = Date.now() + 1_500;
  const objectIds = [];
  for (const assertionId of ids) {
    const r = await probe('/remember', { assertionId, expiresAt, retryKey: keyDigest(assertionId) });
    assert.equal(r.first, true);
    objectIds.push(r.objectId);
  }
  const held = guardStorage(objectIds);
  for (const id of objectIds) assert.equal(held.entries[id], 1, `object ${id} holds its entry: ${JSON.stringify(held)}`);
  assert.ok(held.alarms >= 3, JSON.stringify(held));

  // The alarms fire at expiresAt; wait for them (bounded), then look again.
  let after;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = guardStorage(objectIds);
    if (Date.now() > expiresAt && objectIds.every((id) => after.entries[id] === 0)) break;
  }
  for (const id of objectIds) assert.equal(after.entries[id], 0, `object ${id} is empty: ${JSON.stringify(after)}`);
  // The same IDs are first sightings again: nothing of them is left.
  for (const assertionId of ids) {
    assert.equal((await probe('/remember', { assertionId, expiresAt: Date.now() + 1_000, retryKey: keyDigest(assertionId) })).first, true);
  }
});

test('SAML: no cookie, or a tampered NameID, is refused, and neither burns the real login', async () => {
  const { cookie, form } = await samlLogin();
  await assertRefused(await postAcs(form), 401, 'worker.cookie_missing');

  const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
  assert.ok(xml.includes(`>${ORANGE_USER.nameId}</`));
  const forged = xml.replace(`>${ORANGE_USER.nameId}</`, '>someone-else</');
  const tampered = { ...form, SAMLResponse: Buffer.from(forged).toString('base64') };
  const res = await postAcs(tampered, { cookie });
  await assertRefused(res, 401, 'saml.signature.digest_mismatch');
  assert.match(res.headers.get('set-cookie'), /^edge-sso-saml=; .*Max-Age=0$/, 'the cookie is cleared on a refusal too');

  // The refused posts consumed nothing: the genuine response still signs the user in.
  const out = await (await postAcs(form, { cookie })).json();
  assert.equal(out.nameId, ORANGE_USER.nameId);
});

test('SAML: the ACS refuses malformed posts with 4xx and a code', async () => {
  const { cookie, form } = await samlLogin();
  const post = (body, type = FORM) => fetch(`${worker.acsUrl}`, {
    method: 'POST', headers: { 'content-type': type, accept: 'application/json', cookie }, body,
  });
  await assertRefused(await post(JSON.stringify(form), 'application/json'), 415, 'worker.form_invalid');
  await assertRefused(await post(`SAMLResponse=a&SAMLResponse=b`), 400, 'worker.form_invalid');
  await assertRefused(await post('RelayState=x'), 400, 'worker.form_invalid');
  await assertRefused(await post('SAMLResponse=%25%25not-base64'), 400, 'saml.binding.base64_invalid');
  await assertRefused(await post(`SAMLResponse=${'A'.repeat(300 * 1024)}`), 413, 'worker.form_too_large');
  // A chunked body (no Content-Length) over the cap is refused while it is
  // read, not after: of 64 MiB offered, the worker pulls only a little.
  let pulled = 0;
  const chunk = new TextEncoder().encode('A'.repeat(1024 * 1024));
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      if (pulled === 1) controller.enqueue(new TextEncoder().encode('SAMLResponse='));
      if (pulled > 64) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const chunked = await fetch(`${worker.acsUrl}`, {
    method: 'POST', headers: { 'content-type': FORM, accept: 'application/json', cookie }, body: endless, duplex: 'half',
  }).catch((e) => e);
  if (chunked instanceof Error) {
    // the worker may close the connection before the upload ends; then the
    // refusal is proven by how little was read
    assert.ok(pulled < 64, `pulled ${pulled} MiB`);
  } else {
    await assertRefused(chunked, 413, 'worker.form_too_large');
    assert.ok(pulled < 64, `pulled ${pulled} MiB`);
  }
  const get = await fetch(worker.acsUrl, { headers: { accept: 'application/json' } });
  await assertRefused(get, 405, 'worker.method_not_allowed');
  assert.equal(get.headers.get('allow'), 'POST');
});

test('over https: __Host- cookies, SameSite=None for the SAML POST and Lax for the OAuth GET', async () => {
  // workerd's socket trusts X-Forwarded-Proto, as behind a TLS-terminating proxy.
  const https = { 'x-forwarded-proto': 'https' };
  const { setCookie, cookie, form } = await samlLogin({ headers: https });
  assert.match(setCookie, /^__Host-edge-sso-saml=_[0-9a-f]{64}\.[\w-]{43}; Path=\/; Secure; HttpOnly; SameSite=None; Max-Age=\d+$/);
  const oauth = await fetch(`${worker.url}/oauth/login`, { redirect: 'manual', headers: https });
  assert.match(oauth.headers.get('set-cookie'), /^__Host-edge-sso-oauth=[^;]+; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=\d+$/);

  // Over https only the prefixed cookie counts: a plain one could have been
  // planted by a sibling subdomain or over http.
  const plain = cookie.replace('__Host-', '');
  const res = await postAcs(form, { cookie: plain, headers: https });
  await assertRefused(res, 401, 'worker.cookie_missing');
  assert.equal(res.headers.get('set-cookie'), '__Host-edge-sso-saml=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0');
});

/** The page's CSP must allow exactly its one script, by hash. */
function assertStrictPage(res, body) {
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /^default-src 'none'; /);
  const scripts = [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one script');
  assert.equal(body.match(/<script/g).length, 1, 'and no other script element');
  assert.doesNotMatch(body, /\son[a-z]+\s*=/i, 'no inline event handler');
  const hash = createHash('sha256').update(scripts[0][1]).digest('base64');
  assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
  assert.ok(body.includes(`data-target-origin="${OPENER}"`), 'posts to the configured opener origin only');
}

test('HTML outcome: a hostile RelayState and error_description are escaped, under a strict CSP', async () => {
  const hostile = '<script>alert(1)</script>';
  const { cookie, form } = await samlLogin({ relayState: hostile });
  assert.equal(form.RelayState, hostile, 'the IdP echoes RelayState as it got it');
  const res = await postAcs(form, { cookie, accept: 'text/html,application/xhtml+xml' });
  const page = await res.text();
  assert.equal(res.status, 200, page);
  assert.ok(!page.includes(hostile));
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.includes('<h1>Signed in</h1>'));
  assertStrictPage(res, page);
  const message = JSON.parse(page.match(/data-message="([^"]*)"/)[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  assert.equal(message.type, 'edge-sso-outcome');
  assert.equal(message.outcome.relayState, hostile, 'the opener gets the value itself, as data');

  const login = await fetch(`${worker.url}/oauth/login`, { redirect: 'manual' });
  const state = new URL(login.headers.get('location')).searchParams.get('state');
  const denied = new URLSearchParams({ error: 'access_denied', error_description: hostile, state, iss: op.issuer });
  const refused = await fetch(`${worker.oauthRedirectUri}?${denied}`, { headers: { cookie: cookieOf(login) } });
  const refusal = await refused.text();
  assert.equal(refused.status, 401, refusal);
  assert.ok(refusal.includes('oauth.authorization.error'));
  assert.ok(!refusal.includes(hostile));
  assert.ok(refusal.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(refusal.includes('<h1>Sign-in refused</h1>'));
  assertStrictPage(refused, refusal);
});

/** Every string in a JSON value, keys included. */
function strings(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
}

test('OAuth through the worker: login at the OP, then token facts and never a token', async () => {
  const login = await fetch(`${worker.url}/oauth/login`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const authorize = new URL(login.headers.get('location'));
  assert.equal(authorize.origin, op.issuer);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorize.searchParams.get('redirect_uri'), worker.oauthRedirectUri);
  const setCookie = login.headers.get('set-cookie');
  assert.match(setCookie, /^edge-sso-oauth=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
  const carried = JSON.parse(decodeURIComponent(cookieOf(login).slice('edge-sso-oauth='.length)));
  assert.deepEqual(Object.keys(carried).sort(), ['codeVerifier', 'expectedState', 'expiresAt', 'maxAge', 'nonce', 'scope']);
  assert.equal(carried.expectedState, authorize.searchParams.get('state'));

  const callback = await driveLogin(authorize.href, worker.oauthRedirectUri, 'alice');
  const res = await fetch(callback, { headers: { cookie: cookieOf(login), accept: 'application/json' } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const out = JSON.parse(text);
  assert.equal(out.ok, true);
  assert.equal(out.flow, 'oauth');
  assert.equal(out.subject, 'alice');
  assert.equal(out.tokenType, 'Bearer');
  assert.ok(out.expiresAt > Date.now());
  assert.deepEqual(out.scope.split(' ').sort(), ['openid', 'profile']);
  assert.equal(out.hasIdToken, true);
  assert.equal(res.headers.get('set-cookie'), 'edge-sso-oauth=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  // No token: no token-named key, nothing JWT-shaped, no long opaque value.
  for (const key of ['access_token', 'refresh_token', 'id_token', 'accessToken', 'refreshToken', 'idToken']) {
    assert.ok(!text.includes(key), key);
  }
  assert.doesNotMatch(text, /eyJ[\w-]+\.[\w-]+/);
  for (const s of strings(out)) assert.doesNotMatch(s, /^[\w\-.~+/=]{24,}$/, `an opaque value in the answer: ${s}`);

  // The same callback again: the OP redeems a code once.
  const again = await fetch(callback, { headers: { cookie: cookieOf(login), accept: 'application/json' } });
  const refusal = await assertRefused(again, 401, 'oauth.token.error');
  assert.equal(refusal.error, 'invalid_grant');
});

test('OAuth: a callback with a foreign state, or without its cookie, is refused', async () => {
  const mine = await fetch(`${worker.url}/oauth/login`, { redirect: 'manual' });
  const theirs = await fetch(`${worker.url}/oauth/login`, { redirect: 'manual' });
  // A real callback, from someone else's login (e.g. login CSRF).
  const foreign = await driveLogin(theirs.headers.get('location'), worker.oauthRedirectUri, 'mallory');
  const json = { accept: 'application/json' };
  const res = await fetch(foreign, { headers: { ...json, cookie: cookieOf(mine) } });
  await assertRefused(res, 401, 'oauth.state.mismatch');
  assert.match(res.headers.get('set-cookie'), /^edge-sso-oauth=; .*Max-Age=0$/);
  await assertRefused(await fetch(foreign, { headers: json }), 401, 'worker.cookie_missing');
  const bad = await fetch(foreign, { headers: { ...json, cookie: 'edge-sso-oauth=%7Bnot-json' } });
  await assertRefused(bad, 400, 'worker.cookie_invalid');
});

test('/config: public facts for the demo page, readable by the allowed opener origin only', async () => {
  const res = await fetch(`${worker.url}/config`, { headers: { origin: OPENER } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), OPENER);
  assert.deepEqual(await res.json(), {
    spEntityId: worker.spEntityId,
    acsUrl: worker.acsUrl,
    idpEntityId: idp.entityId,
    oauth: { issuer: op.issuer, clientId: CLIENT_ID, redirectUri: worker.oauthRedirectUri },
  });
  const metadata = await (await fetch(`${worker.url}/saml/metadata`)).text();
  assert.match(metadata, /AuthnRequestsSigned="false" WantAssertionsSigned="true"/);
  await assertRefused(await fetch(`${worker.url}/nope`), 404, 'worker.not_found');
});

test('a refusal that consumed nothing is a 503 with Retry-After; a replay is not', async () => {
  const { statusOf, retryAfterOf } = await import('../../examples/edge-worker/src/outcome.js');
  for (const code of ['saml.store.failed', 'saml.store.timeout', 'saml.replay.memory_full']) {
    assert.equal(statusOf(code), 503, code);
    assert.ok(retryAfterOf(code) > 0, code);
  }
  for (const code of ['saml.replayed', 'saml.in_response_to.reused', 'saml.signature.invalid']) {
    assert.notEqual(statusOf(code), 503, code);
    assert.equal(retryAfterOf(code), undefined, code);
  }
});
