// A real OpenID Provider (npm `oidc-provider`) on 127.0.0.1 for interop tests
// and the demo. Its keys and cookie secrets are generated at start and live in
// this process only; edge-sso never sees them.
import http from 'node:http';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
// The library's own in-memory adapter factory (not in its index; the version is
// pinned exactly), so that two providers can share one store: see `dpop` below.
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

/**
 * Starts the OP. `clients` are public clients: token_endpoint_auth_method
 * "none", PKCE required (S256 only), refresh tokens issued and rotated.
 *
 * Opt-in features (each off unless asked for; without them the OP is
 * configured exactly as before):
 * - `dpop: true`: server nonces for DPoP (RFC 9449 §8, §9; oidc-provider 9
 *   takes DPoP proofs by default, without nonces, and advertises
 *   `dpop_signing_alg_values_supported`): every proof at the token, PAR and
 *   userinfo endpoints must carry a `nonce` the OP issued in a `DPoP-Nonce`
 *   header (`use_dpop_nonce` otherwise). oidc-provider
 *   derives its nonces from a secret and a 60-second clock step and has no
 *   call to rotate them, so `rotateDpopNonce()` puts a provider with a new
 *   secret in front (same keys, and the same in-memory store, so sessions,
 *   grants and tokens carry over): every nonce issued until then is refused.
 *   `dpop: { rotateRefreshTokens: true }` also rotates DPoP-bound refresh
 *   tokens, which the library otherwise keeps for public clients (a
 *   sender-constrained refresh token need not rotate: RFC 9700 §4.14.2).
 * - `par: { required: true }`: the authorization endpoint takes only a
 *   `request_uri` from the PAR endpoint (RFC 9126 §5), and discovery says
 *   `require_pushed_authorization_requests: true`. (PAR itself is on by
 *   default; one client alone can require it with the client metadata
 *   `require_pushed_authorization_requests: true`.)
 * - `revocation: true`: the RFC 7009 endpoint, advertised as
 *   `revocation_endpoint`; a public client may revoke its own tokens only.
 * - `logout: true`: RP-Initiated Logout pages in plain HTML (the feature is on
 *   by default; give a client `post_logout_redirect_uris` to have the OP
 *   redirect there); see driveLogout.
 * - `autoLogin: 'alice'`: no login or consent page: every interaction is
 *   finished at once for that account, with every scope and claim asked for
 *   granted (a browser test's popup goes straight back to the client).
 * - `ttl: { AccessToken: 5 }`: lifetimes (seconds) in place of the ones below.
 * - `middleware: [fn]`: Koa middleware run on every request, before the
 *   provider's own (a test records the token endpoint's answers with it).
 * @returns {Promise<{ issuer: string, provider: Provider, rotateDpopNonce: () => void, close: () => Promise<void> }>}
 */
export async function startOp({ clients, port = 0, host = '127.0.0.1', dpop = false, par, revocation = false, logout = false, autoLogin, ttl, middleware = [] }) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: reject rather than crash the process
    server.listen(port, host, resolve);
  });
  const issuer = `http://${host}:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
  const cookieKey = randomBytes(32).toString('hex');
  const features = { devInteractions: { enabled: autoLogin === undefined } };
  if (par?.required) features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true };
  if (revocation) {
    features.revocation = {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
    };
  }
  if (logout) {
    features.rpInitiatedLogout = {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.type = 'html';
        ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.type = 'html';
        ctx.body = '<!DOCTYPE html><title>Signed out</title><p>Signed out.</p>';
      },
    };
  }
  // Each provider makes its own store; with `dpop` one store is made here
  // for the provider and the ones rotateDpopNonce puts in its place.
  const adapter = dpop ? createMemoryAdapter(15 /* the library's default clockTolerance */) : undefined;
  const configuration = (dpopNonceSecret) => ({
    ...(adapter ? { adapter } : {}),
    jwks: { keys: [{ ...signingKey }] },
    clients: clients.map((c) => ({
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...c,
    })),
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    features: dpopNonceSecret === undefined ? features
      : { ...features, dPoP: { enabled: true, nonceSecret: dpopNonceSecret, requireNonce: () => true } },
    // A browser client may call the token and userinfo endpoints from the
    // origin of one of its own redirect URIs, and from nowhere else. (The
    // library's default decides the same for public clients, but asks to be
    // replaced with an explicit rule.)
    clientBasedCORS: (ctx, origin, client) => client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, RefreshToken: 86400, Session: 3600, ...ttl },
    ...(autoLogin === undefined ? {} : { interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` } }),
    cookies: { keys: [cookieKey] },
    // Public clients get refresh tokens whenever the client may use the grant;
    // oidc-provider rotates them for public clients.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    ...(dpop?.rotateRefreshTokens ? { rotateRefreshToken: () => true } : {}),
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, name: `User ${sub}`, email: `${sub}@example.test` }),
    }),
    renderError: async (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  });
  const newProvider = (dpopNonceSecret) => {
    const p = new Provider(issuer, configuration(dpopNonceSecret));
    p.on('server_error', (ctx, err) => console.error('[op] server_error', err));
    for (const m of middleware) p.use(m);
    return { provider: p, callback: p.callback() };
  };
  let current = newProvider(dpop ? randomBytes(32) : undefined);
  server.on('request', (req, res) => {
    if (autoLogin !== undefined && req.url.startsWith('/interaction/')) {
      finishInteraction(current.provider, req, res, autoLogin).catch((e) => {
        console.error('[op] interaction', e);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    current.callback(req, res);
  });
  return {
    issuer,
    get provider() { return current.provider; },
    rotateDpopNonce() {
      if (!dpop) throw new Error('rotateDpopNonce: the OP was started without dpop');
      current = newProvider(randomBytes(32));
    },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** Finishes an interaction for `accountId`: the login, then consent to everything asked. */
async function finishInteraction(provider, req, res, accountId) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

/**
 * Drives the OP's development login and consent pages like a browser would,
 * with a cookie jar, until the OP redirects to `redirectUri`; returns that URL.
 * Pass your own `jar` (a Map) to keep the OP's session cookies for driveLogout.
 */
export async function driveLogin(authorizeUrl, redirectUri, login = 'alice', { jar = new Map() } = {}) {
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
  };
  let url = authorizeUrl;
  let method = 'GET';
  let body;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    remember(res);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url).href;
      if (next.startsWith(redirectUri)) return next;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`OP answered ${res.status}: ${html.slice(0, 200)}`);
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = html.match(/name="prompt" value="([^"]+)"/)?.[1];
    if (!action || !prompt) throw new Error(`unexpected OP page: ${html.slice(0, 200)}`);
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('too many redirects at the OP');
}

/**
 * Follows an RP-Initiated Logout URL at the OP like a browser would, with the
 * cookie `jar` of the login (driveLogin's), confirming the sign-out page,
 * until the OP redirects to `postLogoutRedirectUri`; returns that URL.
 */
export async function driveLogout(logoutUrl, postLogoutRedirectUri, { jar = new Map() } = {}) {
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = logoutUrl;
  let method = 'GET';
  let body;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url).href;
      if (next.startsWith(postLogoutRedirectUri)) return next;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`OP answered ${res.status}: ${html.slice(0, 200)}`);
    // The sign-out page (a session) or an auto-posting form (none): post
    // its hidden fields to its action, with logout=yes as its button says.
    const form = html.match(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/);
    if (!form) throw new Error(`unexpected OP page: ${html.slice(0, 200)}`);
    const fields = new URLSearchParams();
    for (const [, name, value] of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(name, value);
    fields.set('logout', 'yes');
    url = new URL(form[1].replaceAll('&amp;', '&'), url).href;
    method = 'POST';
    body = fields.toString();
  }
  throw new Error('too many redirects at the OP');
}
