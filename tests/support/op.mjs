// A real OpenID Provider (npm `oidc-provider`) on 127.0.0.1 for interop tests
// and the demo. Its keys and cookie secrets are generated at start and live in
// this process only; edge-sso never sees them.
import http from 'node:http';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

/**
 * Starts the OP. `clients` are public clients: token_endpoint_auth_method
 * "none", PKCE required (S256 only), refresh tokens issued and rotated.
 * @returns {Promise<{ issuer: string, provider: Provider, close: () => Promise<void> }>}
 */
export async function startOp({ clients, port = 0, host = '127.0.0.1' }) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: reject rather than crash the process
    server.listen(port, host, resolve);
  });
  const issuer = `http://${host}:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    clients: clients.map((c) => ({
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...c,
    })),
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    features: { devInteractions: { enabled: true } },
    // A browser client may call the token and userinfo endpoints from the
    // origin of one of its own redirect URIs, and from nowhere else. (The
    // library's default decides the same for public clients, but asks to be
    // replaced with an explicit rule.)
    clientBasedCORS: (ctx, origin, client) => client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, RefreshToken: 86400, Session: 3600 },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Public clients get refresh tokens whenever the client may use the grant;
    // oidc-provider rotates them for public clients.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, name: `User ${sub}`, email: `${sub}@example.test` }),
    }),
    renderError: async (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  });
  provider.on('server_error', (ctx, err) => console.error('[op] server_error', err));
  const callback = provider.callback();
  server.on('request', callback);
  return {
    issuer,
    provider,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/**
 * Drives the OP's development login and consent pages like a browser would,
 * with a cookie jar, until the OP redirects to `redirectUri`; returns that URL.
 */
export async function driveLogin(authorizeUrl, redirectUri, login = 'alice') {
  const jar = new Map();
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
