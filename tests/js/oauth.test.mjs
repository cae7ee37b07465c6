// The OAuth API through the built package, imported by name as a user would
// (`edge-sso` resolves through package.json's exports map, `node` condition).
// oauth-only.test.mjs imports this file again as `?entry=oauth`, so the same
// suite also runs against `edge-sso/oauth`, a module built differently (no
// SAML, its own allocator, size-optimized).
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { runInNewContext } from 'node:vm';

const ENTRY = new URL(import.meta.url).searchParams.get('entry') === 'oauth' ? 'edge-sso/oauth' : 'edge-sso';
const sso = await import(ENTRY);
const test = ENTRY === 'edge-sso' ? nodeTest : (name, ...rest) => nodeTest(`[${ENTRY}] ${name}`, ...rest);

const { OAuthClient, createPkce, pkceChallenge, randomState, randomNonce } = sso;
const NOW = 1_700_000_000_000;
const ISSUER = 'https://op.example';
const REDIRECT = 'https://app.example/cb';
const ACCESS = 'AT-9f8e7d6c5b4a-SECRET';
const REFRESH = 'RT-0a1b2c3d4e5f-SECRET';
const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const idToken = (claims = {}) => `${b64u({ alg: 'RS256' })}.${b64u({
  iss: ISSUER, sub: 'alice', aud: 'spa', exp: Math.floor(NOW / 1000) + 600, iat: Math.floor(NOW / 1000), ...claims,
})}.SIG-SECRET`;
let ID_TOKEN = idToken();

const config = (over = {}) => ({
  authorizationEndpoint: 'https://op.example/authorize',
  tokenEndpoint: 'https://op.example/token',
  clientId: 'spa',
  redirectUri: REDIRECT,
  issuer: ISSUER,
  scope: 'openid profile',
  ...over,
});

const callbackFor = (state, extra = '') =>
  `${REDIRECT}?code=C0DE&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(ISSUER)}${extra}`;

const tokenBody = (over = {}) =>
  JSON.stringify({ access_token: ACCESS, token_type: 'Bearer', expires_in: 3600, refresh_token: REFRESH, id_token: ID_TOKEN, ...over });

function loggedIn() {
  const client = new OAuthClient(config());
  const start = client.authorize({ nonce: true, now: NOW });
  const response = client.handleCallback(callbackFor(start.state), { now: NOW + 1000 });
  client.tokenRequest(response);
  ID_TOKEN = idToken({ nonce: start.nonce });
  const info = client.acceptTokenResponse(tokenBody({ id_token: ID_TOKEN }), { now: NOW + 2000, status: 200 });
  return { client, start, info };
}

function assertCode(fn, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'is an Error');
    assert.equal(e.name, 'EdgeSsoError');
    assert.equal(e.code, code);
    return true;
  });
}

test('PKCE: RFC 7636 Appendix B vector', () => {
  assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('PKCE: createPkce gives a 64-char verifier by default and its S256 challenge', () => {
  const p = createPkce();
  assert.equal(p.codeVerifier.length, 64);
  assert.match(p.codeVerifier, /^[A-Za-z0-9\-._~]+$/);
  assert.equal(p.codeChallengeMethod, 'S256');
  assert.equal(pkceChallenge(p.codeVerifier), p.codeChallenge);
  assert.equal(createPkce({ length: 43 }).codeVerifier.length, 43);
  assert.equal(createPkce({ length: 128 }).codeVerifier.length, 128);
  assertCode(() => createPkce({ length: 42 }), 'arg.invalid');
  assertCode(() => createPkce({ length: 129 }), 'arg.invalid');
});

test('options are read once: a getter runs one time and inherited members are ignored', () => {
  let reads = 0;
  const pair = sso.createPkce({ get length() { reads += 1; return 50; } });
  assert.equal(pair.codeVerifier.length, 50);
  assert.equal(reads, 1);
  // An object with another prototype is refused, so an inherited member can never count.
  assertCode(() => sso.createPkce(Object.create({ length: 43 })), 'arg.invalid');
  assert.equal(sso.createPkce(Object.assign(Object.create(null), { length: 44 })).codeVerifier.length, 44, 'a null prototype is plain');
  // A null-prototype object used as a prototype is not an Object.prototype:
  // what it lends would be silently unread.
  assertCode(() => sso.createPkce(Object.create(Object.assign(Object.create(null), { length: 43 }))), 'arg.invalid');
  class NullParent extends null {
    constructor() { return Object.create(NullParent.prototype); } // eslint-disable-line no-constructor-return
    get length() { return 43; }
  }
  assertCode(() => sso.createPkce(new NullParent()), 'arg.invalid');
});

test('PKCE: plain is refused and verifiers are checked against RFC 7636 §4.1', () => {
  assertCode(() => createPkce({ method: 'plain' }), 'pkce.plain_refused');
  assertCode(() => pkceChallenge('a'.repeat(43), 'plain'), 'pkce.plain_refused');
  assertCode(() => pkceChallenge('short'), 'pkce.verifier_invalid');
  assertCode(() => pkceChallenge('a'.repeat(42) + '/'), 'pkce.verifier_invalid');
  assertCode(() => pkceChallenge('a'.repeat(129)), 'pkce.verifier_invalid');
});

test('randomState and randomNonce: 256 bits base64url, never repeating', () => {
  const seen = new Set();
  for (let i = 0; i < 500; i++) {
    for (const v of [randomState(), randomNonce()]) {
      assert.match(v, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(v, 'base64url').length, 32);
      assert.ok(!seen.has(v));
      seen.add(v);
    }
  }
});

test('configuration never takes a secret', () => {
  for (const key of ['clientSecret', 'client_secret', 'privateKey', 'hmacKey', 'clientAssertion', 'jwk']) {
    assertCode(() => new OAuthClient(config({ [key]: 'x' })), 'config.secret_refused');
  }
  const err = (() => { try { new OAuthClient(config({ clientSecret: 's3cr3t-value' })); } catch (e) { return e; } })();
  assert.match(err.message, /server/);
  assert.ok(!err.message.includes('s3cr3t-value'));
});

test('configuration is strict: unknown options, missing fields, insecure URLs', () => {
  assertCode(() => new OAuthClient(config({ redirectURI: REDIRECT })), 'arg.unknown_option');
  assertCode(() => new OAuthClient({ ...config(), clientId: undefined }), 'arg.invalid');
  assertCode(() => new OAuthClient(config({ tokenEndpoint: 'http://op.example/token' })), 'config.insecure_url');
  assertCode(() => new OAuthClient(config({ authorizationEndpoint: 'javascript:alert(1)' })), 'config.insecure_url');
  assertCode(() => new OAuthClient(config({ scope: 42 })), 'arg.invalid');
  assertCode(() => new OAuthClient('nope'), 'arg.invalid');
  assert.ok(new OAuthClient(config({ redirectUri: 'http://localhost:5173/cb' })));
});

test('an unknown option is named in the error, cut to its first 64 characters', () => {
  // Characters, not bytes or UTF-16 units: 1-, 2-, 3- and 4-byte UTF-8.
  for (const unit of ['a', 'é', '€', '😀']) {
    for (const n of [1, 63, 64, 65, 200]) {
      const name = 'x' + unit.repeat(n - 1);
      const want = [...name].slice(0, 64).join('');
      assert.throws(
        () => new OAuthClient({ ...config(), [name]: 1 }),
        (e) => e.code === 'arg.unknown_option' && e.message === `unknown option \`${want}\``,
        `${unit} × ${n}`,
      );
    }
  }
});

test('authorize builds the URL and returns what a caller may carry', () => {
  const client = new OAuthClient(config());
  const r = client.authorize({ nonce: true, carry: true, extraParams: { prompt: 'login', login_hint: 'a b&c' }, now: NOW });
  const u = new URL(r.url);
  assert.equal(u.origin + u.pathname, 'https://op.example/authorize');
  const q = u.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), 'spa');
  assert.equal(q.get('redirect_uri'), REDIRECT);
  assert.equal(q.get('scope'), 'openid profile');
  assert.equal(q.get('state'), r.state);
  assert.equal(q.get('nonce'), r.nonce);
  assert.equal(q.get('code_challenge'), pkceChallenge(r.codeVerifier));
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('login_hint'), 'a b&c');
  assert.equal(r.expiresAt, NOW + 600_000);
  assert.ok(!r.url.includes(r.codeVerifier));
  assertCode(() => client.authorize({ extraParams: { state: 'x' } }), 'oauth.authorize.reserved_parameter');
  assertCode(() => client.authorize({ extraParams: { client_secret: 'x' } }), 'config.secret_refused');
  assertCode(() => client.authorize({ extraParams: { prompt: 1 } }), 'arg.invalid');
  assertCode(() => client.authorize({ nonse: true }), 'arg.unknown_option');
});

test('full flow: callback, token request, token response, authorization header', () => {
  const client = new OAuthClient(config());
  const start = client.authorize({ now: NOW, carry: true });
  const response = client.handleCallback(callbackFor(start.state), { now: NOW + 1000 });
  assert.equal(response.state, start.state);
  assert.equal(response.iss, ISSUER);
  assert.ok(!JSON.stringify(response).includes('C0DE'), 'the code is not serialized');
  const req = client.tokenRequest(response);
  assert.equal(req.url, 'https://op.example/token');
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  const body = new URLSearchParams(req.body);
  assert.deepEqual([...body.keys()], ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier']);
  assert.equal(body.get('grant_type'), 'authorization_code');
  assert.equal(body.get('code'), 'C0DE');
  assert.equal(body.get('code_verifier'), start.codeVerifier);
  assert.equal(response.consumed, true);
  assertCode(() => client.tokenRequest(response), 'oauth.response.consumed');

  const info = client.acceptTokenResponse(JSON.parse(tokenBody({ scope: undefined })), { now: NOW + 2000 });
  assert.deepEqual(info, { tokenType: 'Bearer', expiresAt: NOW + 2000 + 3_600_000, scope: 'openid profile', hasRefreshToken: true, hasIdToken: true });
  assert.equal(client.authorizationHeader({ now: NOW + 3000 }), `Bearer ${ACCESS}`);
  assertCode(() => client.authorizationHeader({ now: NOW + 2000 + 3_600_000 }), 'oauth.vault.expired');
});

test('hostile callbacks get typed errors', () => {
  const client = new OAuthClient(config({ issParameterSupported: true }));
  const { state } = client.authorize({ now: NOW });
  const cases = [
    [`${REDIRECT}?code=a&iss=${encodeURIComponent(ISSUER)}`, 'oauth.state.missing'],
    [callbackFor('forged'), 'oauth.state.mismatch'],
    [callbackFor(state, `&state=${state}`), 'oauth.callback.duplicate_parameter'],
    [callbackFor(state, '&access_token=x'), 'oauth.callback.implicit_response'],
    [callbackFor(state, '&error=access_denied'), 'oauth.callback.code_and_error'],
    [`${REDIRECT}?code=a&state=${state}&iss=https%3A%2F%2Fevil.example`, 'oauth.iss.mismatch'],
    [`${REDIRECT}?code=a&state=${state}`, 'oauth.iss.missing'],
    [`https://evil.example/cb?code=a&state=${state}`, 'oauth.callback.redirect_uri_mismatch'],
    [`${REDIRECT}?code=%E0%A4%A&state=${state}`, 'oauth.callback.malformed'],
    ['not a url', 'oauth.callback.malformed'],
    [callbackFor(state, `&pad=${'x'.repeat(20_000)}`), 'oauth.callback.too_large'],
  ];
  for (const [url, code] of cases) assertCode(() => client.handleCallback(url, { now: NOW }), code);
  // none of the above consumed the state
  assert.ok(client.handleCallback(callbackFor(state), { now: NOW }));
  assertCode(() => client.handleCallback(callbackFor(state), { now: NOW }), 'oauth.state.reused');
  const late = client.authorize({ now: NOW });
  assertCode(() => client.handleCallback(callbackFor(late.state), { now: NOW + 600_000 }), 'oauth.state.expired');
});

test('an authorization error is surfaced only after state matched, with its fields', () => {
  const client = new OAuthClient(config());
  const { state } = client.authorize({ now: NOW });
  const url = `${REDIRECT}?error=access_denied&error_description=User+cancelled&error_uri=https%3A%2F%2Fop.example%2Fhelp&state=${state}&iss=${encodeURIComponent(ISSUER)}`;
  assertCode(() => client.handleCallback(url.replace(state, 'forged'), { now: NOW }), 'oauth.state.mismatch');
  assert.throws(() => client.handleCallback(url, { now: NOW }), (e) => {
    assert.equal(e.code, 'oauth.authorization.error');
    assert.equal(e.error, 'access_denied');
    assert.equal(e.errorDescription, 'User cancelled');
    assert.equal(e.errorUri, 'https://op.example/help');
    return true;
  });
});

test('a carried flow (page navigated away, or an edge worker cookie) is accepted once', () => {
  const starter = new OAuthClient(config());
  const start = starter.authorize({ nonce: true, carry: true, now: NOW });
  const carried = { expectedState: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce, expiresAt: start.expiresAt, maxAge: start.maxAge };
  const other = new OAuthClient(config()); // a fresh page or isolate: nothing pending
  assertCode(() => other.handleCallback(callbackFor(start.state), { now: NOW }), 'oauth.state.mismatch');
  assertCode(() => other.handleCallback(callbackFor('forged'), { now: NOW, ...carried }), 'oauth.state.mismatch');
  assertCode(() => other.handleCallback(callbackFor(start.state), { now: NOW, expectedState: start.state }), 'arg.invalid');
  const { nonce, ...withoutNonce } = carried;
  assertCode(() => other.handleCallback(callbackFor(start.state), { now: NOW, ...withoutNonce }), 'arg.invalid');
  assertCode(() => other.handleCallback(`${REDIRECT}?code=c&state=`, { now: NOW, ...carried, expectedState: '' }), 'arg.invalid');
  assertCode(() => other.handleCallback(callbackFor(start.state), { now: NOW, ...carried, codeVerifier: 'bad' }), 'pkce.verifier_invalid');
  const response = other.handleCallback(callbackFor(start.state), { now: NOW, ...carried });
  assert.equal(response.nonce, start.nonce);
  assert.equal(new URLSearchParams(other.tokenRequest(response).body).get('code_verifier'), start.codeVerifier);
  assertCode(() => other.handleCallback(callbackFor(start.state), { now: NOW, ...carried }), 'oauth.state.reused');
  const third = new OAuthClient(config());
  assertCode(() => third.handleCallback(callbackFor(start.state), { ...carried, now: start.expiresAt }), 'oauth.state.expired');
});

test('token responses are validated (RFC 6749 §5.1/§5.2)', () => {
  const fresh = () => {
    const client = new OAuthClient(config());
    const { state } = client.authorize({ now: NOW });
    client.tokenRequest(client.handleCallback(callbackFor(state), { now: NOW }));
    return client;
  };
  assertCode(() => new OAuthClient(config()).acceptTokenResponse(tokenBody()), 'oauth.token.not_outstanding');
  assertCode(() => fresh().acceptTokenResponse('not json'), 'oauth.token.malformed');
  assertCode(() => fresh().acceptTokenResponse(tokenBody({ access_token: undefined })), 'oauth.token.access_token_missing');
  assertCode(() => fresh().acceptTokenResponse(tokenBody({ token_type: 'mac' })), 'oauth.token.type_unsupported');
  assertCode(() => fresh().acceptTokenResponse(tokenBody({ expires_in: '36 00' })), 'oauth.token.invalid_member');
  // Azure AD v1's string of digits is a lifetime too.
  assert.equal(fresh().acceptTokenResponse(tokenBody({ expires_in: '3600' }), { now: NOW + 2000 }).expiresAt, NOW + 2000 + 3_600_000);
  assertCode(() => fresh().acceptTokenResponse('<html>', { status: 502 }), 'oauth.token.http_status');
  assert.throws(
    () => fresh().acceptTokenResponse('{"error":"invalid_grant","error_description":"expired"}', { status: 400 }),
    (e) => e.code === 'oauth.token.error' && e.error === 'invalid_grant' && e.errorDescription === 'expired',
  );
  assert.equal(fresh().acceptTokenResponse(tokenBody({ token_type: 'bEaReR' }), { now: NOW }).tokenType, 'Bearer');
});

test('refresh: request body, rotation, needsRefresh with leeway', () => {
  const { client } = loggedIn();
  assert.equal(client.needsRefresh({ now: NOW + 2000 }), false);
  assert.equal(client.needsRefresh({ now: NOW + 2000 + 3_600_000 - 60_000 }), true);
  assert.equal(client.needsRefresh({ now: NOW + 2000 + 3_600_000 - 61_000 }), false);
  assert.equal(client.needsRefresh({ now: NOW + 2000 + 3_000_000, leewaySeconds: 600 }), true);
  const r = client.refreshRequest();
  const body = new URLSearchParams(r.body);
  assert.equal(body.get('grant_type'), 'refresh_token');
  assert.equal(body.get('refresh_token'), REFRESH);
  assert.equal(body.get('client_id'), 'spa');
  client.acceptTokenResponse(tokenBody({ access_token: 'AT-2', refresh_token: 'RT-2' }), { now: NOW + 5000 });
  assert.equal(new URLSearchParams(client.refreshRequest({ scope: 'openid' }).body).get('refresh_token'), 'RT-2');
  assert.equal(client.authorizationHeader({ now: NOW + 6000 }), 'Bearer AT-2');
});

test('ID token claims are checked (iss, aud, exp, nonce) and exposed without the token', () => {
  const { client, start } = loggedIn();
  const claims = client.idTokenClaims();
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.nonce, start.nonce);
  assert.ok(!JSON.stringify(claims).includes('SIG-SECRET'));
  const attempt = (claims) => {
    const c = new OAuthClient(config());
    const s = c.authorize({ nonce: true, now: NOW });
    c.tokenRequest(c.handleCallback(callbackFor(s.state), { now: NOW }));
    return () => c.acceptTokenResponse(tokenBody({ id_token: idToken({ nonce: s.nonce, ...claims(s) }) }), { now: NOW });
  };
  assertCode(attempt(() => ({ nonce: 'replayed' })), 'oidc.id_token.nonce_mismatch');
  assertCode(attempt(() => ({ iss: 'https://evil.example' })), 'oidc.id_token.issuer_mismatch');
  assertCode(attempt(() => ({ aud: 'another-client' })), 'oidc.id_token.audience_mismatch');
  assertCode(attempt(() => ({ exp: Math.floor(NOW / 1000) - 3600 })), 'oidc.id_token.expired');
  const c = new OAuthClient(config());
  const s = c.authorize({ nonce: true, now: NOW });
  c.tokenRequest(c.handleCallback(callbackFor(s.state), { now: NOW }));
  assertCode(() => c.acceptTokenResponse(tokenBody({ id_token: undefined }), { now: NOW }), 'oidc.id_token.missing');
});

test('clear() empties the vault', () => {
  const { client } = loggedIn();
  client.clear();
  assert.equal(client.tokenInfo(), null);
  assert.equal(client.idTokenClaims(), null);
  assertCode(() => client.authorizationHeader({ now: NOW }), 'oauth.vault.empty');
  assertCode(() => client.refreshRequest(), 'oauth.vault.no_refresh_token');
  assert.equal(client.needsRefresh({ now: NOW }), true);
});

test('no token in toString, JSON.stringify, inspect, errors or console output', () => {
  const logged = [];
  const saved = {};
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    saved[m] = console[m];
    console[m] = (...args) => logged.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));
  }
  let texts;
  try {
    const { client, info } = loggedIn();
    const errors = [];
    for (const fn of [
      () => { client.refreshRequest(); return client.acceptTokenResponse(tokenBody({ token_type: 'mac' })); },
      () => { client.refreshRequest(); return client.acceptTokenResponse(tokenBody({ error: 'invalid_grant' }), { status: 400 }); },
      () => client.authorizationHeader({ now: NOW * 2 }),
      () => client.handleCallback(`${REDIRECT}?access_token=${ACCESS}&state=x`),
      () => client.handleCallback(`${REDIRECT}?code=${ACCESS}&state=x`),
    ]) {
      try { fn(); } catch (e) { errors.push(e); }
    }
    assert.equal(errors.length, 5);
    texts = [
      String(client), JSON.stringify(client), inspect(client, { depth: 5, showHidden: true }),
      JSON.stringify(info), inspect(info), JSON.stringify(client.tokenInfo()),
      ...errors.flatMap((e) => [e.message, String(e), e.stack, JSON.stringify(e), inspect(e)]),
      ...logged,
    ];
  } finally {
    Object.assign(console, saved);
  }
  for (const t of texts) {
    for (const secret of [ACCESS, REFRESH, ID_TOKEN, 'SECRET']) {
      assert.ok(!String(t).includes(secret), `leaked ${secret} in: ${String(t).slice(0, 120)}`);
    }
  }
});

test('a polluted Object.prototype cannot switch checks on or off', () => {
  const client = new OAuthClient(config());
  const start = client.authorize({ now: NOW });
  Object.prototype.expectedState = 'attacker-chosen-state-of-enough-length';
  Object.prototype.codeVerifier = 'a'.repeat(43);
  Object.prototype.now = 0;
  try {
    // the inherited values are ignored: the state is looked up in memory as usual
    assertCode(() => client.handleCallback(callbackFor('attacker-chosen-state-of-enough-length'), {}), 'oauth.state.mismatch');
    assert.ok(client.handleCallback(callbackFor(start.state), { now: NOW }));
  } finally {
    delete Object.prototype.expectedState;
    delete Object.prototype.codeVerifier;
    delete Object.prototype.now;
  }
});

test('without carry: true the code verifier never leaves the module', () => {
  const r = new OAuthClient(config()).authorize({ nonce: true, now: NOW });
  assert.equal(r.codeVerifier, undefined);
  assert.deepEqual(Object.keys(r).sort(), ['expiresAt', 'nonce', 'state', 'url']);
});

test('each token answer is bound to its own request: a login and a refresh in flight', () => {
  const { client } = loggedIn();
  const s = client.authorize({ nonce: true, now: NOW });
  const login = client.tokenRequest(client.handleCallback(callbackFor(s.state), { now: NOW }));
  const refresh = client.refreshRequest();
  assert.equal(Object.hasOwn(login, 'id'), false, 'the request number stays out of the request object');
  // Without saying which, an answer is refused while two await one.
  assertCode(() => client.acceptTokenResponse(tokenBody(), { now: NOW }), 'oauth.token.request_ambiguous');
  // The login's answer is checked as the login's: it must carry its nonce.
  assertCode(() => client.acceptTokenResponse(tokenBody({ id_token: undefined }), { now: NOW, request: login }), 'oidc.id_token.missing');
  assertCode(() => client.acceptTokenResponse(tokenBody(), { now: NOW, request: { ...refresh } }), 'arg.invalid');
  // Another login answered since: the refresh belongs to the grant it replaced.
  const s2 = client.authorize({ now: NOW });
  const login2 = client.tokenRequest(client.handleCallback(callbackFor(s2.state), { now: NOW }));
  client.acceptTokenResponse(tokenBody({ id_token: undefined, refresh_token: 'RT-NEW' }), { now: NOW, request: login2 });
  assertCode(() => client.acceptTokenResponse(tokenBody(), { now: NOW, request: refresh }), 'oauth.token.superseded');
  assertCode(() => client.acceptTokenResponse(tokenBody(), { now: NOW, request: refresh }), 'oauth.token.not_outstanding');
});

test('a fragment that cannot be decoded is refused (it could hide a token)', () => {
  const client = new OAuthClient(config());
  const { state } = client.authorize({ now: NOW });
  assertCode(() => client.handleCallback(`${callbackFor(state)}#access_token=x&y=%`, { now: NOW }), 'oauth.callback.malformed');
});

test('version() matches package.json', async () => {
  const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
  assert.equal(sso.version(), pkg.version);
});

test('options that JSON would lose are refused, not dropped', () => {
  // Each of these would vanish or turn into null in JSON.stringify; the
  // wrapper keeps them distinct so the module refuses the wrong type.
  for (const bad of [() => 50, Symbol('x'), 50n, NaN, Infinity, -Infinity, [50], { n: 50 }]) {
    assertCode(() => createPkce({ length: bad }), 'arg.invalid');
  }
  for (const bad of [() => 'x', ['openid'], { a: 'b' }, 1]) {
    assertCode(() => new OAuthClient(config({ scope: bad })), 'arg.invalid');
  }
  assertCode(() => new OAuthClient(config()).authorize({ extraParams: { prompt: { deep: 'x' } } }), 'arg.invalid');
  assertCode(() => new OAuthClient(config()).authorize({ extraParams: ['prompt'] }), 'arg.invalid');
  for (const bad of ['nope', 42, true, [config()], () => config()]) {
    assertCode(() => new OAuthClient(bad), 'arg.invalid');
  }
  assert.equal(createPkce({ length: 50.0 }).codeVerifier.length, 50, 'an integral number is an integer');
  assertCode(() => createPkce({ length: 50.5 }), 'arg.invalid');
  assertCode(() => createPkce({ length: -0.5 }), 'arg.invalid');
  assert.equal(createPkce({ length: undefined }).codeVerifier.length, 64, 'undefined is absent');
  assert.equal(createPkce(null).codeVerifier.length, 64);
});

test('options that are not plain objects, and values the JSON reader cannot take, name their field', () => {
  const named = (field) => (e) => e.code === 'arg.invalid' && e.message.includes(`\`${field}\``);
  assert.throws(() => createPkce(new Map([['length', 43]])), named('options'));
  assert.equal(createPkce(runInNewContext('({ length: 50 })')).codeVerifier.length, 50, "another realm's plain object");
  assert.throws(() => new OAuthClient(config()).authorize({ extraParams: { '\uD800': 'x' } }), named('extraParams'));
  assert.throws(() => createPkce(new Date()), named('options'));
  assert.throws(() => new OAuthClient(config()).authorize({ extraParams: new Map([['prompt', 'login']]) }), named('extraParams'));
  assert.throws(() => createPkce({ length: 1e308 }), named('length'));
  assert.throws(() => createPkce({ length: Number.MAX_VALUE }), named('length'));
  assert.throws(() => new OAuthClient(config({ scope: 'openid \uD800' })), named('scope'), 'a lone surrogate');
  assert.throws(() => new OAuthClient(config()).authorize({ extraParams: { prompt: '\uDC00x' } }), named('extraParams'));
});

test('a token response body too large for the module is refused before it is copied in whole', async () => {
  // The module alone would refuse it too (oauth.token.too_large), after
  // copying it in: only the module's memory tells the two apart.
  const glue = ENTRY === 'edge-sso' ? '../../pkg/edge_sso.js' : '../../pkg/oauth/edge_sso_oauth.js';
  const { initSync } = await import(glue);
  const memory = () => initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
  const client = new OAuthClient(config());
  const huge = JSON.stringify({ access_token: ACCESS, token_type: 'Bearer', pad: 'x'.repeat(4 * 1024 * 1024) });
  const before = memory();
  // Each answer closes its request, so each gets one of its own.
  for (const body of [huge, JSON.parse(huge)]) {
    client.tokenRequest(client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW }));
    assertCode(() => client.acceptTokenResponse(body, { now: NOW }), 'oauth.token.too_large');
  }
  assert.ok(memory() - before < 1024 * 1024, `the module grew by ${memory() - before} bytes: the body was copied in`);
  // The layer's cut and the module's limit (256 KiB, src/oauth/token.rs) agree:
  // a body of exactly the limit is accepted, one byte more is too large.
  const LIMIT = 256 * 1024;
  const sized = (n) => {
    const head = JSON.stringify({ access_token: ACCESS, token_type: 'Bearer', pad: '' });
    return `${head.slice(0, -2)}${'y'.repeat(n - head.length)}"}`;
  };
  assert.equal(sized(LIMIT).length, LIMIT);
  client.tokenRequest(client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW }));
  assert.equal(client.acceptTokenResponse(sized(LIMIT), { now: NOW }).tokenType, 'Bearer');
  client.tokenRequest(client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW }));
  assertCode(() => client.acceptTokenResponse(sized(LIMIT + 1), { now: NOW }), 'oauth.token.too_large');
});

test('a non-enumerable option is refused, not silently skipped', () => {
  const hidden = Object.defineProperty({}, 'length', { value: 43, enumerable: false });
  assert.throws(() => createPkce(hidden), (e) => e.code === 'arg.invalid' && /`length`/.test(e.message));
  const extra = Object.defineProperty({}, 'prompt', { value: 'login', enumerable: false });
  assertCode(() => new OAuthClient(config()).authorize({ extraParams: extra }), 'arg.invalid');
});

test('a carried flow must name its nonce: authorize says null when none was sent', () => {
  const a = new OAuthClient(config());
  const start = a.authorize({ carry: true, now: NOW });
  const b = new OAuthClient(config());
  const carried = { expectedState: start.state, codeVerifier: start.codeVerifier, expiresAt: start.expiresAt, maxAge: start.maxAge, now: NOW };
  assertCode(() => b.handleCallback(callbackFor(start.state), carried), 'arg.invalid');
  assert.ok(b.handleCallback(callbackFor(start.state), { ...carried, nonce: start.nonce }), 'nonce: null (none sent)');
});

test('fail closed: a carried nonce given as undefined (a misspelled cookie field) is refused, not read as "none sent"', () => {
  const a = new OAuthClient(config());
  const start = a.authorize({ carry: true, nonce: true, now: NOW });
  const cookie = { s: start.state, v: start.codeVerifier, n: start.nonce, e: start.expiresAt, m: start.maxAge };
  // `cookie.nonce` is misspelled: it is undefined.
  assertCode(() => new OAuthClient(config()).handleCallback(callbackFor(start.state), {
    expectedState: cookie.s, codeVerifier: cookie.v, nonce: cookie.nonce, expiresAt: cookie.e, maxAge: cookie.m, now: NOW,
  }), 'arg.invalid');
  // Named, it is checked against the ID token.
  const b = new OAuthClient(config());
  b.tokenRequest(b.handleCallback(callbackFor(start.state), { expectedState: cookie.s, codeVerifier: cookie.v, nonce: cookie.n, expiresAt: cookie.e, maxAge: cookie.m, now: NOW }));
  assertCode(() => b.acceptTokenResponse(tokenBody({ id_token: idToken({ nonce: 'another' }) }), { now: NOW + 1 }), 'oidc.id_token.nonce_mismatch');
});

test('fail closed: every carried field given as undefined is refused; a flow without a nonce carries null', () => {
  const start = new OAuthClient(config()).authorize({ carry: true, now: NOW });
  assert.equal(start.nonce, null, 'carried, "no nonce" is said out loud');
  assert.equal(start.maxAge, null, 'and "no max_age" too');
  const carried = { expectedState: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce, expiresAt: start.expiresAt, maxAge: start.maxAge, now: NOW };
  for (const field of ['codeVerifier', 'nonce', 'expiresAt', 'maxAge']) {
    assertCode(() => new OAuthClient(config()).handleCallback(callbackFor(start.state), { ...carried, [field]: undefined }), 'arg.invalid');
  }
  // A JSON round trip (a cookie) keeps the null: the login completes.
  const b = new OAuthClient(config());
  b.tokenRequest(b.handleCallback(callbackFor(start.state), JSON.parse(JSON.stringify(carried))));
  assert.equal(b.acceptTokenResponse(tokenBody({ id_token: idToken() }), { now: NOW + 1 }).hasIdToken, true);
});

test('an OP that puts a nonce in the ID token when none was sent (Azure AD B2C: "defaultNonce") is accepted', () => {
  const client = new OAuthClient(config());
  client.tokenRequest(client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW }));
  assert.equal(client.acceptTokenResponse(tokenBody({ id_token: idToken({ nonce: 'defaultNonce' }) }), { now: NOW + 1 }).hasIdToken, true);
});

test('a response is redeemed only by the client that validated it', () => {
  const a = new OAuthClient(config());
  const b = new OAuthClient(config());
  const ra = a.handleCallback(callbackFor(a.authorize({ now: NOW }).state), { now: NOW });
  b.handleCallback(callbackFor(b.authorize({ now: NOW }).state), { now: NOW });
  // Both are each client's first response; b must not redeem its own for a's.
  assertCode(() => b.tokenRequest(ra), 'arg.invalid');
  for (const bad of [undefined, null, {}, { id: 0 }, 'x']) assertCode(() => a.tokenRequest(bad), 'arg.invalid');
  assert.equal(ra.consumed, false);
  assert.match(a.tokenRequest(ra).body, /code=C0DE/);
  assert.equal(ra.consumed, true);
  assert.throws(() => new sso.AuthorizationResponse(), TypeError);
  assert.deepEqual(JSON.parse(JSON.stringify(ra)), { state: ra.state, iss: ISSUER, consumed: true });
});

test('a token response given as an object that JSON cannot hold is refused', () => {
  const client = new OAuthClient(config());
  // An outstanding request, so that only the body check can refuse (with
  // nothing outstanding every body is refused as arg.invalid anyway).
  client.tokenRequest(client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW }));
  ID_TOKEN = idToken(); // no nonce was sent
  const cyclic = { access_token: 'x' };
  cyclic.self = cyclic;
  for (const bad of [cyclic, { n: 1n }, 42]) {
    assert.throws(() => client.acceptTokenResponse(bad, { now: NOW }), (e) => e.code === 'arg.invalid' && /`body`/.test(e.message));
  }
  // The refusals did not close the request: its real answer is still accepted.
  assert.equal(client.acceptTokenResponse(JSON.parse(tokenBody()), { now: NOW }).hasRefreshToken, true);
});

test('after clear(), a new login redeems its response', () => {
  const { client } = loggedIn();
  client.clear();
  const r = client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW });
  assert.equal(r.consumed, false);
  assert.match(client.tokenRequest(r).body, /code=C0DE/);
});

test('the package exports the API, not the raw handle under it', () => {
  for (const name of ['RawOAuthClient', 'initSync', 'default']) {
    assert.equal(name in sso, false, name);
  }
  for (const name of ['OAuthClient', 'AuthorizationResponse', 'createPkce', 'pkceChallenge', 'randomState', 'randomNonce', 'version']) {
    assert.equal(typeof sso[name], 'function', name);
  }
});

test('free() wipes a client or a response now; a freed client refuses every call', () => {
  const client = new OAuthClient(config());
  const r = client.handleCallback(callbackFor(client.authorize({ now: NOW }).state), { now: NOW });
  assert.equal(r.consumed, false);
  r.free();
  assert.equal(r.consumed, true, 'a dropped response cannot be redeemed');
  assertCode(() => client.tokenRequest(r), 'oauth.response.consumed');
  client.free();
  assertCode(() => client.authorize({ now: NOW }), 'arg.invalid');
  assertCode(() => client.tokenInfo(), 'arg.invalid');
  client.free(); // twice is harmless
  assert.equal(String(client), '[OAuthClient spa]');
});

test('clockSkewSeconds is the client\'s; max_age sent is checked against auth_time, also in a carried flow', () => {
  assertCode(() => new OAuthClient(config({ clockSkewSeconds: 3601 })), 'arg.invalid');
  const s = Math.floor(NOW / 1000);
  const redeem = (client, start, claims, options = {}) => {
    client.tokenRequest(client.handleCallback(callbackFor(start.state), { now: NOW + 1000, ...options }));
    return () => client.acceptTokenResponse(tokenBody({ id_token: idToken({ nonce: start.nonce, ...claims }) }), { now: NOW + 2000 });
  };
  // An issuer clock 200 s ahead: refused by default, taken with 300 s of skew.
  const ahead = { iat: s + 200 };
  const strict = new OAuthClient(config());
  assertCode(redeem(strict, strict.authorize({ nonce: true, now: NOW }), ahead), 'oidc.id_token.not_yet_valid');
  const lenient = new OAuthClient(config({ clockSkewSeconds: 300 }));
  assert.equal(redeem(lenient, lenient.authorize({ nonce: true, now: NOW }), ahead)().hasIdToken, true);
  // max_age=60: no auth_time, too old, recent.
  const c = new OAuthClient(config());
  assertCode(() => c.authorize({ extraParams: { max_age: 'soon' } }), 'arg.invalid');
  assertCode(redeem(c, c.authorize({ nonce: true, now: NOW, extraParams: { max_age: '60' } }), {}), 'oidc.id_token.auth_time_missing');
  assertCode(redeem(c, c.authorize({ nonce: true, now: NOW, extraParams: { max_age: '60' } }), { auth_time: s - 600 }), 'oidc.id_token.auth_too_old');
  assert.equal(redeem(c, c.authorize({ nonce: true, now: NOW, extraParams: { max_age: '60' } }), { auth_time: s - 30 })().hasIdToken, true);
  // Carried to another client: the flow says maxAge, and the check holds there.
  const start = new OAuthClient(config()).authorize({ nonce: true, now: NOW, carry: true, extraParams: { max_age: '60' } });
  assert.equal(start.maxAge, 60);
  const other = new OAuthClient(config());
  const carried = { expectedState: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce, expiresAt: start.expiresAt, maxAge: start.maxAge };
  assertCode(redeem(other, start, { auth_time: s - 600 }, carried), 'oidc.id_token.auth_too_old');
  assert.equal(new OAuthClient(config()).authorize({ carry: true, now: NOW }).maxAge, null);
  assert.equal(new OAuthClient(config()).authorize({ now: NOW }).maxAge, undefined, 'not carried: no flow fields');
});

test('resourceRequest: the six methods fetch upper-cases are upper-cased; any other must be upper case already', () => {
  const { client } = loggedIn();
  assert.equal(client.resourceRequest('https://api.example/x', { method: 'delete', now: NOW + 2000 }).method, 'DELETE');
  assert.equal(client.resourceRequest('https://api.example/x', { now: NOW + 2000 }).method, 'GET');
  assert.equal(client.resourceRequest('https://api.example/x', { method: 'PATCH', now: NOW + 2000 }).method, 'PATCH');
  // fetch sends 'patch' as it is: no proof's htm or server would take it for PATCH.
  assertCode(() => client.resourceRequest('https://api.example/x', { method: 'patch', now: NOW + 2000 }), 'arg.invalid');
});
