// The parties of the edge-sso/session browser tests, on 127.0.0.1:
//   app       the test pages (tests/support/session-app/) and the built pkg/,
//             with /app/config.json and /app/log (what the worker posted)
//   op        oidc-provider with DPoP nonces, revocation and automatic login
//   resource  an API that checks the access token with the OP and its DPoP
//             proof with jose; /api/redirect sends to the evil origin,
//             /api/echo answers with the request's headers
//   evil      another origin that records everything it is sent
// Every token the OP issues is recorded (op.tokens) so that the tests can
// look for it in everything a page, a hostile script or the worker saw.
import http from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { startOp } from './op.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };
const listen = (srv) => new Promise((r) => srv.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${srv.address().port}`)));
const closer = (srv) => () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); });
const readBody = (req) => new Promise((r) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => r(Buffer.concat(c).toString('latin1'))); });

/** Serves `base` under `prefix`. */
function staticFile(res, base, path) {
  const file = resolve(base, `.${path}`);
  if (!(file.startsWith(base + sep)) || !existsSync(file) || statSync(file).isDirectory()) return false;
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(readFileSync(file));
  return true;
}

/**
 * Starts the four parties.
 * @param {{ accessTokenTtl?: number, refreshLeewaySeconds?: number }} [options]
 */
export async function startSessionParties({ accessTokenTtl = 600, refreshLeewaySeconds } = {}) {
  const appServer = http.createServer();
  const rsServer = http.createServer();
  const evilServer = http.createServer();
  const [app, resource, evil] = await Promise.all([listen(appServer), listen(rsServer), listen(evilServer)]);
  const clientId = 'session-test';
  // Every token answer, and every refused one.
  const tokens = new Set();
  const tokenErrors = [];
  let refreshes = 0;
  let codeGrants = 0;
  const op = await startOp({
    clients: [{ client_id: clientId, redirect_uris: [`${app}/app/callback.html`], post_logout_redirect_uris: [`${app}/app/index.html`] }],
    dpop: { rotateRefreshTokens: true },
    revocation: true,
    logout: true,
    autoLogin: 'alice',
    ttl: { AccessToken: accessTokenTtl },
    middleware: [record],
  });
  async function record(ctx, next) {
    await next();
    if (ctx.path !== '/token' || ctx.method !== 'POST') return;
    const b = ctx.body;
    if (b && typeof b === 'object') {
      for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof b[k] === 'string') tokens.add(b[k]);
      if (b.error && b.error !== 'use_dpop_nonce') tokenErrors.push(b.error);
      if (ctx.oidc?.params?.grant_type === 'refresh_token' && typeof b.access_token === 'string') refreshes += 1;
      if (ctx.oidc?.params?.grant_type === 'authorization_code' && typeof b.access_token === 'string') codeGrants += 1;
    }
  }
  const config = {
    issuer: op.issuer, clientId, redirectUri: `${app}/app/callback.html`, scope: 'openid profile offline_access',
    resources: [resource], postLogoutRedirectUri: `${app}/app/index.html`,
    ...(refreshLeewaySeconds === undefined ? {} : { refreshLeewaySeconds }),
  };
  const log = []; // every message the worker posted
  appServer.on('request', async (req, res) => {
    const path = new URL(req.url, app).pathname;
    if (path === '/app/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config));
    } else if (path === '/app/log' && req.method === 'POST') {
      log.push(await readBody(req));
      res.writeHead(204).end();
    } else if (path.startsWith('/app/') && staticFile(res, join(ROOT, 'tests', 'support', 'session-app'), path.slice(4))) {
      // served
    } else if (path.startsWith('/pkg/') && staticFile(res, join(ROOT, 'pkg'), path.slice(4))) {
      // served
    } else {
      res.writeHead(404).end();
    }
  });
  // What the resource server saw: each request's path and credentials.
  const seen = [];
  const cors = {
    'access-control-allow-origin': app,
    'access-control-allow-headers': 'authorization, dpop, content-type, x-test',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
    'access-control-expose-headers': 'dpop-nonce, www-authenticate, x-test',
  };
  rsServer.on('request', async (req, res) => {
    const url = new URL(req.url, resource);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    seen.push({ path: url.pathname, authorization: auth, dpop: req.headers.dpop, method: req.method, body });
    if (url.pathname === '/api/redirect') {
      res.writeHead(302, { ...cors, location: `${evil}/steal-by-redirect` }).end();
      return;
    }
    if (url.pathname === '/api/echo') {
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
      return;
    }
    const verdict = await checkAccess(op, req, auth, `${resource}${url.pathname}`);
    if (!verdict.ok) {
      res.writeHead(401, { ...cors, 'www-authenticate': `DPoP error="invalid_token", error_description="${verdict.why}"` }).end();
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/json', 'x-test': 'seen' })
      .end(JSON.stringify({ sub: verdict.sub, path: url.pathname, method: req.method, body }));
  });
  const evilSaw = [];
  evilServer.on('request', async (req, res) => {
    evilSaw.push({ url: req.url, headers: req.headers, body: await readBody(req) });
    res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' }).end('ok');
  });
  return {
    app, resource, evil, op, config, log, seen, evilSaw,
    tokens: () => [...tokens],
    tokenErrors,
    refreshes: () => refreshes,
    codeGrants: () => codeGrants,
    async close() {
      await Promise.all([closer(appServer)(), closer(rsServer)(), closer(evilServer)(), op.close()]);
    },
  };
}

/** Checks a resource request as RFC 9449 §7 says: the token at the OP, the proof, its ath, and the key binding. */
async function checkAccess(op, req, auth, htu) {
  const [scheme, token] = auth.split(' ');
  if (scheme !== 'DPoP' || !token) return { ok: false, why: 'no DPoP token' };
  const at = await op.provider.AccessToken.find(token);
  if (!at || at.isExpired) return { ok: false, why: 'unknown or expired token' };
  const proof = req.headers.dpop;
  if (typeof proof !== 'string') return { ok: false, why: 'no proof' };
  try {
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    const jwk = decodeProtectedHeader(proof).jwk;
    if (payload.htm !== req.method || payload.htu !== htu) return { ok: false, why: 'htm or htu' };
    if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return { ok: false, why: 'ath' };
    if (at['x5t#S256'] === undefined && at.jkt !== await calculateJwkThumbprint(jwk)) return { ok: false, why: 'key binding' };
  } catch (e) {
    return { ok: false, why: `proof: ${e.code ?? e.message}` };
  }
  return { ok: true, sub: at.accountId };
}
