// The worker of edge-sso/session: the OAuth client, its tokens and its DPoP
// key live here and nowhere else. Pages talk to it with messages; no message
// it posts holds a token, whatever it is asked: every reply is built here
// from public facts (token facts, ID token claims, UserInfo claims) or from a
// resource server's answer, which is checked not to echo the credentials.
//
// scripts/build.sh bundles this file with edge-sso/oauth (the OAuth-only
// module, inlined) into pkg/session/worker.js: one self-contained file with
// no import, so that an app whose bundler does not follow
// `new URL('./worker.js', import.meta.url)` can copy it as it is.
//
// Where it runs:
// - a SharedWorker (every page of the origin that uses the same worker URL
//   and name connects to one instance: one login, one refresh);
// - a dedicated Worker per tab where SharedWorker is missing. Then the
//   workers elect one holder of the login with a Web Lock; the others
//   forward their page's commands to it over a BroadcastChannel and relay
//   its answers. The tokens never move: when the holder's tab closes, the
//   next worker takes the lock with no login (every tab is then logged out).
//
// Senders: a worker serves only pages of its own origin (the browser lets no
// other origin start or reach it), and a script of that origin can already
// do what the page can. What a sender can never do is make this worker post
// a token or attach one to a request outside the configured resources: each
// message is checked against its exact shape, and unknown members, types or
// commands are refused.
import { OAuthClient, discoveryUrl } from './oauth/index.js';

// The platform, captured before anything else runs in this realm.
const nativeFetch = globalThis.fetch.bind(globalThis);
const subtle = crypto.subtle;
const ORIGIN = self.location.origin;

const PROTOCOL = 1;
const MAX_RESOURCES = 32;
const MAX_URL = 8 * 1024;
const MAX_HEADERS = 64;
const MAX_BODY = 16 * 1024 * 1024; // a request body from the page, and a response body to it
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
// Headers a page may not set on a call the worker makes: the credentials are
// the worker's, and cookies are never sent (credentials: 'omit').
const RESERVED_HEADERS = new Set(['authorization', 'dpop', 'cookie', 'proxy-authorization']);
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 9110 §5.6.2
const DEFAULT_LEEWAY = 60;

/** An error for the page: a stable code and a message (never a token). */
class SessionError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const refuse = (message) => new SessionError('session.message_invalid', message);

// ---- message shapes ------------------------------------------------------

const isPlain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
  && Object.getPrototypeOf(v) === Object.prototype;

/**
 * `value` checked against `spec` ({ name: [required, check] }): a plain
 * object with no member outside `spec`, each member passing its check.
 */
function shape(value, spec, what) {
  if (!isPlain(value)) throw refuse(`${what} must be a plain object`);
  for (const k of Object.keys(value)) {
    if (!Object.hasOwn(spec, k)) throw refuse(`${what} has an unknown member \`${k.slice(0, 32)}\``);
  }
  for (const [k, [required, check]] of Object.entries(spec)) {
    if (!Object.hasOwn(value, k) || value[k] === undefined) {
      if (required) throw refuse(`${what} lacks \`${k}\``);
      continue;
    }
    if (!check(value[k])) throw refuse(`${what}.${k} has the wrong type or value`);
  }
  return value;
}
const isString = (max) => (v) => typeof v === 'string' && v.length <= max && v.isWellFormed?.() !== false;
const isBool = (v) => typeof v === 'boolean';
const isLeeway = (v) => Number.isInteger(v) && v >= 0 && v <= 3600;
const isStringMap = (v) => isPlain(v) && Object.keys(v).length <= 32
  && Object.entries(v).every(([k, x]) => isString(256)(k) && isString(2048)(x));
const isHeaderList = (v) => Array.isArray(v) && v.length <= MAX_HEADERS && v.every((p) => Array.isArray(p)
  && p.length === 2 && typeof p[0] === 'string' && TOKEN_CHARS.test(p[0]) && p[0].length <= 256
  && typeof p[1] === 'string' && p[1].length <= 8192 && !/[\0\r\n]/.test(p[1]));
const isBody = (v) => v === null || isString(MAX_BODY)(v)
  || (Object.prototype.toString.call(v) === '[object ArrayBuffer]' && v.byteLength <= MAX_BODY);

/** Whether `s` is an https origin, or http on a loopback host, written exactly as `URL` writes it. */
function isResourceOrigin(s) {
  if (typeof s !== 'string' || s.length > 512) return false;
  const u = URL.parse(s);
  if (u === null || u.origin !== s) return false;
  return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname));
}
const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
const isOrigins = (v) => Array.isArray(v) && v.length <= MAX_RESOURCES && v.every(isResourceOrigin);

const CONFIG = {
  issuer: [true, isString(2048)],
  clientId: [true, isString(512)],
  redirectUri: [true, isString(2048)],
  scope: [false, isString(1024)],
  resources: [true, isOrigins],
  dpop: [false, isBool],
  refreshLeewaySeconds: [false, isLeeway],
  postLogoutRedirectUri: [false, isString(2048)],
  // The ID token's clock skew (the OAuth client's option, 0-3600 s as well).
  clockSkewSeconds: [false, isLeeway],
};
const FLOW = {
  state: [true, isString(512)],
  codeVerifier: [true, isString(128)],
  nonce: [true, (v) => v === null || isString(512)(v)],
  expiresAt: [true, Number.isSafeInteger],
  scope: [false, isString(1024)],
  maxAge: [true, (v) => v === null || (Number.isSafeInteger(v) && v >= 0)],
};
const OPS = {
  configure: CONFIG,
  info: {},
  login: { scope: [false, isString(1024)], extraParams: [false, isStringMap], carry: [false, isBool] },
  callback: { url: [true, isString(16 * 1024)], flow: [false, (v) => isPlain(v)] },
  userinfo: {},
  fetch: {
    url: [true, isString(MAX_URL)],
    method: [true, (v) => typeof v === 'string' && METHODS.has(v)],
    headers: [true, isHeaderList],
    body: [true, isBody],
  },
  logout: { endSession: [false, isBool] },
  close: {},
};
const REQUEST = {
  edgeSso: [true, (v) => v === PROTOCOL],
  id: [true, (v) => Number.isSafeInteger(v) && v > 0],
  op: [true, (v) => typeof v === 'string' && Object.hasOwn(OPS, v)],
  args: [true, isPlain],
};

// ---- the client ----------------------------------------------------------

let config; // the first configuration, frozen: later ones must equal it
let configText;
let setup; // Promise<{ client, meta }>
let refreshing; // the refresh in flight (single-flight)
let refreshTimer;
let dpop = false;

/** A fetch that never follows a redirect and never sends cookies. */
const strictFetch = (url, init) => nativeFetch(url, {
  ...init, redirect: 'manual', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
});

function configure(args) {
  const text = JSON.stringify(Object.keys(CONFIG).map((k) => args[k] ?? null));
  if (config !== undefined) {
    if (text !== configText) {
      throw new SessionError('session.config_mismatch', 'this worker is already configured otherwise: '
        + 'every page of one session passes the same configuration (another one needs another worker name)');
    }
    return setup;
  }
  config = Object.freeze({ ...args, resources: Object.freeze([...args.resources]) });
  configText = text;
  dpop = args.dpop !== false;
  setup = start();
  setup.catch(() => {}); // reported to every caller that awaits it
  return setup;
}

async function start() {
  // The DPoP key pair: made here, the private key not extractable, never posted.
  const dpopKeyPair = dpop
    ? await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
    : undefined;
  const res = await strictFetch(discoveryUrl(config.issuer), { method: 'GET' });
  if (res.type === 'opaqueredirect') throw new SessionError('session.discovery_failed', 'the discovery URL redirects');
  const text = await res.text();
  let meta;
  try {
    meta = JSON.parse(text);
  } catch {
    meta = {};
  }
  const client = OAuthClient.fromMetadata(text, {
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    ...(config.scope === undefined ? {} : { scope: config.scope }),
    ...(config.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: config.clockSkewSeconds }),
    ...(dpopKeyPair === undefined ? {} : { dpopKeyPair }),
  });
  return { client, meta: isPlain(meta) ? meta : {} };
}

async function ready() {
  if (setup === undefined) throw new SessionError('session.not_configured', 'configure the session first');
  return setup;
}

/** The public facts: whether logged in, the token facts and the ID token's claims. Never a token. */
function facts(client) {
  const info = client.tokenInfo();
  if (info === null) return { loggedIn: false };
  return {
    loggedIn: true,
    tokenType: info.tokenType,
    expiresAt: info.expiresAt ?? null,
    scope: info.scope ?? null,
    hasRefreshToken: info.hasRefreshToken,
    claims: client.idTokenClaims(),
  };
}

const leeway = () => config.refreshLeewaySeconds ?? DEFAULT_LEEWAY;

/** Stores a token answer, then schedules the next refresh before expiry. */
async function accept(client, res, request) {
  await client.acceptTokenResponse(res, { request });
  schedule(client);
}

function schedule(client) {
  clearTimeout(refreshTimer);
  const info = client.tokenInfo();
  if (info === null || !info.hasRefreshToken || info.expiresAt === undefined) return;
  const wait = Math.max(0, info.expiresAt - leeway() * 1000 - Date.now());
  refreshTimer = setTimeout(() => {
    refresh(client).catch(() => {}); // the next call reports it
  }, Math.min(wait, 2 ** 31 - 1));
}

/**
 * Refreshes the tokens, once for every caller at the same time. In a
 * dedicated worker, under a Web Lock too (one holder already does every
 * refresh; the lock makes it so even if two holders ever ran).
 */
function refresh(client) {
  refreshing ??= (async () => {
    try {
      const run = async () => {
        const request = await client.refreshRequest();
        const res = await client.send(request, { fetch: strictFetch });
        await accept(client, res, request);
      };
      if (typeof navigator.locks?.request === 'function' && !isShared) {
        await navigator.locks.request(`${lockName()}:refresh`, run);
      } else {
        await run();
      }
    } catch (e) {
      // Superseded: a login landed while this refresh was in flight, and
      // its tokens, newer than any this refresh brought, are the ones held;
      // nothing is lost and nothing to report.
      if (e?.code !== 'oauth.token.superseded') {
        // A refused refresh (invalid_grant: revoked, expired, reused) ends
        // the session: the tokens are wiped and every page is told.
        if (e?.code === 'oauth.token.error') {
          client.clear();
          announce(client);
        }
        throw e;
      }
    } finally {
      refreshing = undefined;
    }
    announce(client);
  })();
  return refreshing;
}

/** A usable access token (refreshed first when it is about to expire), or session.logged_out. */
async function fresh(client) {
  if (refreshing !== undefined) await refreshing.catch(() => {});
  const info = client.tokenInfo();
  if (info === null) throw new SessionError('session.logged_out', 'not logged in');
  if (client.needsRefresh({ leewaySeconds: leeway() }) && info.hasRefreshToken) await refresh(client);
  if (client.tokenInfo() === null) throw new SessionError('session.logged_out', 'not logged in');
}

// ---- commands ------------------------------------------------------------

const logins = new Map(); // state -> true, for the login event's `state`

const handlers = {
  async configure(args) {
    const { client } = await configure(args);
    return facts(client);
  },
  async info() {
    const { client } = await ready();
    return facts(client);
  },
  async login(args) {
    const { client, meta } = await ready();
    const options = { nonce: true };
    if (args.scope !== undefined) options.scope = args.scope;
    if (args.extraParams !== undefined) options.extraParams = args.extraParams;
    if (args.carry === true) options.carry = true;
    let start;
    if (meta.require_pushed_authorization_requests === true) {
      const par = await client.pushedAuthorizationRequest(options);
      const url = await client.acceptParResponse(await client.send(par.request, { fetch: strictFetch }), { state: par.state });
      start = { ...par, url };
    } else {
      start = client.authorize(options);
    }
    logins.set(start.state, true);
    const out = { url: start.url, state: start.state };
    if (args.carry === true) {
      out.flow = { state: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce ?? null, expiresAt: start.expiresAt, scope: start.scope, maxAge: start.maxAge ?? null };
    }
    return out;
  },
  async callback(args) {
    const { client } = await ready();
    let options;
    if (args.flow !== undefined) {
      const f = shape(args.flow, FLOW, 'flow');
      options = { expectedState: f.state, codeVerifier: f.codeVerifier, nonce: f.nonce, expiresAt: f.expiresAt, maxAge: f.maxAge };
      if (f.scope !== undefined) options.scope = f.scope;
    }
    let state;
    try {
      const response = client.handleCallback(args.url, options);
      state = response.state;
      const request = await client.tokenRequest(response);
      await accept(client, await client.send(request, { fetch: strictFetch }), request);
    } catch (e) {
      if (state !== undefined) broadcast({ event: 'login', state, ok: false, error: errorOf(e) });
      throw e;
    }
    logins.delete(state);
    const info = facts(client);
    broadcast({ event: 'login', state, ok: true });
    announce(client);
    return info;
  },
  async userinfo() {
    const { client } = await ready();
    await fresh(client);
    const request = await client.userinfoRequest();
    return client.acceptUserinfo(await client.send(request, { fetch: strictFetch }));
  },
  async fetch(args) {
    const { client } = await ready();
    const url = URL.parse(args.url);
    if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new SessionError('session.fetch.origin_refused', 'not an http(s) URL');
    }
    if (url.username !== '' || url.password !== '') {
      throw new SessionError('session.fetch.origin_refused', 'a URL with user information is refused');
    }
    if (!config.resources.includes(url.origin)) {
      throw new SessionError('session.fetch.origin_refused', `${url.origin} is not one of the configured resources`);
    }
    const headers = {};
    for (const [name, value] of args.headers) {
      const n = name.toLowerCase();
      if (RESERVED_HEADERS.has(n)) {
        throw new SessionError('session.fetch.header_refused', `the worker sets no \`${n}\` header from the page`);
      }
      headers[n] = Object.hasOwn(headers, n) ? `${headers[n]}, ${value}` : value;
    }
    if (args.body !== null && (args.method === 'GET' || args.method === 'HEAD')) throw refuse('a GET or HEAD has no body');
    await fresh(client);
    const request = await client.resourceRequest(url.href, { method: args.method });
    const secrets = credentials(request.headers);
    Object.assign(request.headers, headers, { authorization: request.headers.authorization });
    if (request.headers.dpop === undefined) delete request.headers.dpop;
    if (args.body !== null) request.body = args.body;
    const res = await client.send(request, { fetch: strictFetch });
    secrets.push(...credentials(request.headers)); // a retried proof (DPoP-Nonce)
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      throw new SessionError('session.fetch.redirect_refused', 'the resource answered with a redirect, which is not followed with credentials');
    }
    const body = res.status === 204 || res.status === 304 || args.method === 'HEAD' ? null : await res.arrayBuffer();
    if (body !== null && body.byteLength > MAX_BODY) throw new SessionError('session.fetch.too_large', 'the answer is over 16 MiB');
    const answer = { status: res.status, statusText: res.statusText, headers: [...res.headers], body };
    if (echoes(answer, secrets)) {
      throw new SessionError('session.fetch.credentials_echoed', 'the resource answered with the request\'s credentials; the answer was dropped');
    }
    return answer;
  },
  async logout(args) {
    const { client, meta } = await ready();
    let logoutUrl = null;
    if (args.endSession === true && typeof meta.end_session_endpoint === 'string') {
      logoutUrl = client.logoutUrl(config.postLogoutRedirectUri === undefined ? {} : { postLogoutRedirectUri: config.postLogoutRedirectUri });
    }
    // Revoke what is held (RFC 7009): the refresh token (which ends the grant
    // at most servers), then the access token. A failure still logs out here.
    const revoked = [];
    if (client.tokenInfo() !== null && typeof meta.revocation_endpoint === 'string') {
      const kinds = client.tokenInfo().hasRefreshToken ? ['refresh_token', 'access_token'] : ['access_token'];
      for (const token of kinds) {
        try {
          const res = await client.send(client.revocationRequest({ token }), { fetch: strictFetch });
          if (res.ok) revoked.push(token);
        } catch { /* logged out all the same */ }
      }
    }
    clearTimeout(refreshTimer);
    client.clear();
    announce(client);
    return { revoked, logoutUrl };
  },
  async close() {
    return null;
  },
};

/** The secret parts of a request's credential headers: the access token and the DPoP proof. */
function credentials(h) {
  const out = [];
  const auth = h.authorization;
  if (typeof auth === 'string') out.push(auth.slice(auth.indexOf(' ') + 1));
  if (typeof h.dpop === 'string') out.push(h.dpop);
  return out.filter((s) => s.length >= 16);
}

/**
 * Whether an answer holds one of `secrets` as it was sent (a resource that
 * echoes request headers). An encoded copy (base64, percent-encoding) is not
 * found: the configured resources are trusted not to echo credentials, and
 * this check only catches the plain case.
 */
function echoes(answer, secrets) {
  if (secrets.length === 0) return false;
  // windows-1252 maps every byte to one UTF-16 unit and ASCII to itself, so
  // an ASCII secret is found in the text exactly where it is in the bytes.
  const text = answer.body === null ? '' : new TextDecoder('windows-1252').decode(answer.body);
  const head = answer.headers.map(([k, v]) => `${k}: ${v}`).join('\n') + answer.statusText;
  return secrets.some((s) => text.includes(s) || head.includes(s));
}

function errorOf(e) {
  const code = typeof e?.code === 'string' && /^[a-z_]+(\.[a-z_]+)+$/.test(e.code) ? e.code : 'session.failed';
  let message = typeof e?.message === 'string' ? e.message.slice(0, 512) : 'failed';
  if (e instanceof TypeError && code === 'session.failed') message = `the request failed (${message})`;
  const out = { code, message };
  if (typeof e?.error === 'string') out.error = e.error.slice(0, 128);
  if (typeof e?.errorDescription === 'string') out.errorDescription = e.errorDescription.slice(0, 512);
  return out;
}

// ---- pages ---------------------------------------------------------------

const isShared = typeof SharedWorkerGlobalScope === 'function' && self instanceof SharedWorkerGlobalScope;
const lockName = () => `edge-sso:session:${self.name || 'default'}`;
const pages = new Set(); // where events go: MessagePorts (shared) or the page of this worker (dedicated)
let relay; // dedicated: the BroadcastChannel between the workers of the origin
let leader = false;

/** The first message to every page: the worker's script runs (js/session.js waits for it). */
const STARTED = { edgeSso: PROTOCOL, event: 'started' };

/** Posts `msg` to one page. */
function post(target, msg, transfer) {
  target.postMessage(msg, transfer ?? []);
}

/** Posts an event to every page. */
function broadcast(event) {
  const msg = { edgeSso: PROTOCOL, ...event };
  for (const p of pages) post(p, msg);
  if (relay !== undefined && leader) relay.postMessage({ ...msg, relay: 'event' });
}

function announce(client) {
  broadcast({ event: 'change', info: facts(client) });
}

/** Runs one request from a page (or, in a holder, from another worker) and returns its reply. */
async function run(data) {
  let id = 0;
  try {
    if (isPlain(data) && Number.isSafeInteger(data.id) && data.id > 0) id = data.id;
    shape(data, REQUEST, 'the message');
    const args = shape(data.args, OPS[data.op], `${data.op}'s arguments`);
    const value = await handlers[data.op](args);
    return { reply: { edgeSso: PROTOCOL, id, ok: true, value }, close: data.op === 'close' };
  } catch (e) {
    return { reply: { edgeSso: PROTOCOL, id, ok: false, error: errorOf(e) } };
  }
}

/** The transferable body of a fetch reply. */
const transferOf = (reply) => (reply.ok && reply.value?.body instanceof ArrayBuffer ? [reply.value.body] : []);

if (isShared) {
  self.addEventListener('connect', (e) => {
    const port = e.ports[0];
    pages.add(port);
    port.addEventListener('message', async (m) => {
      const { reply, close } = await run(m.data);
      if (reply.id !== 0) post(port, reply, transferOf(reply));
      if (close) {
        pages.delete(port);
        port.close();
      }
    });
    port.start();
    // The page waits for this before it decides that no worker started.
    post(port, STARTED);
  });
} else {
  // A dedicated worker: the holder of the login serves its page and, over
  // the relay, the other workers; the others forward to it.
  pages.add(self);
  post(self, STARTED);
  const me = `${Date.now().toString(36)}.${crypto.randomUUID()}`;
  const forwarded = new Map(); // id -> true (an answer from the holder comes back with it)
  let elected;
  const role = new Promise((resolve) => { elected = resolve; });
  relay = new BroadcastChannel(lockName());
  relay.addEventListener('message', async (m) => {
    const d = m.data;
    if (!isPlain(d)) return;
    if (leader && d.relay === 'request' && typeof d.from === 'string' && d.from.length <= 128) {
      const { reply } = await run(d.message);
      relay.postMessage({ relay: 'reply', to: d.from, reply });
    } else if (!leader && d.relay === 'reply' && d.to === me && isPlain(d.reply) && forwarded.has(d.reply.id)) {
      forwarded.delete(d.reply.id);
      post(self, d.reply, transferOf(d.reply));
    } else if (!leader && d.relay === 'event' && d.edgeSso === PROTOCOL && (d.event === 'change' || d.event === 'login')) {
      const { relay: _, ...event } = d;
      post(self, event);
    } else if (!leader && d.relay === 'holder') {
      // A new holder (the previous one's tab closed): what was forwarded to
      // the old one is lost; say so rather than wait for ever.
      for (const id of forwarded.keys()) {
        post(self, { edgeSso: PROTOCOL, id, ok: false, error: { code: 'session.holder_changed', message: 'the tab that held the login closed; retry' } });
      }
      forwarded.clear();
    }
  });
  const hold = () => new Promise(() => {}); // held for this worker's life
  navigator.locks.request(lockName(), { ifAvailable: true }, (lock) => {
    if (lock === null) {
      elected('follower');
      // Next in line when the holder goes.
      navigator.locks.request(lockName(), () => {
        leader = true;
        relay.postMessage({ relay: 'holder' });
        elected('leader');
        return hold();
      });
      return undefined;
    }
    leader = true;
    elected('leader');
    return hold();
  });
  self.addEventListener('message', async (m) => {
    await role;
    if (leader) {
      const { reply } = await run(m.data);
      if (reply.id !== 0) post(self, reply, transferOf(reply));
      return;
    }
    // A follower checks the envelope itself (so the holder's answer can be
    // matched), and forwards the message as it came.
    const d = m.data;
    if (!isPlain(d) || !Number.isSafeInteger(d.id) || d.id <= 0) return;
    if (d.op === 'configure') {
      // Kept here too: a follower that becomes the holder needs it.
      try {
        const a = shape(d, REQUEST, 'the message').args;
        if (config === undefined) configure(shape(a, CONFIG, "configure's arguments"));
      } catch (e) {
        post(self, { edgeSso: PROTOCOL, id: d.id, ok: false, error: errorOf(e) });
        return;
      }
    }
    forwarded.set(d.id, true);
    relay.postMessage({ relay: 'request', from: me, message: d });
  });
}
