// The site's SAML Assertion Consumer Service (HTTP-POST) and OAuth callback,
// as a Cloudflare-style module worker. It holds no secret: edge-sso makes
// every protocol check, a cookie carries each pending login to whichever
// isolate finishes it, and accepted SAML assertions are remembered in a
// Durable Object (ReplayGuard) that every isolate shares.
//
// Many IdPs: SAML_IDPS names each by a key, served at /saml/<key>/login,
// /acs, /slo and /metadata; a login there starts a session (a cookie naming a
// record in the SessionDirectory Durable Object) that /session reports and
// that the IdP's Single Logout at /slo ends.
//
// Bindings (see README.md): SAML_SP (json, a SamlServiceProviderConfig; the
// single-IdP routes), SAML_IDPS (json, see idps.js; optional), OAUTH_CLIENT
// (json, an OAuthClientConfig; optional), ALLOWED_OPENER_ORIGIN (text;
// optional), REPLAY_GUARD (the ReplayGuard namespace), SESSIONS (the
// SessionDirectory namespace; needed with SAML_IDPS).
import { OAuthClient, SamlServiceProvider } from 'edge-sso';
import { OAUTH_FLOW, SAML_REQUEST, SESSION, clearCookie, readCookie, setCookie } from './cookies.js';
import { IDP_KEY, forgetServiceProvider, idpKeys, idpServiceProvider } from './idps.js';
import { Refusal, json, present, redirect, refusalOf, retryAfterOf } from './outcome.js';
import { newRetryKey, replayStore } from './replay-guard.js';
import { endSessions, lookupSession, openSession } from './sessions.js';
import { logoutRememberUntil, unanswerable } from './slo.js';

export { ReplayGuard } from './replay-guard.js';
export { SessionDirectory } from './sessions.js';

const PERSISTENT_NAME_ID = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
// A SAMLResponse is a few KiB; edge-sso bounds the XML itself, this bounds the read.
const MAX_FORM_BYTES = 256 * 1024;

// path -> method -> { run, consumes? }. `consumes` names the cookie a route
// finishes: it is cleared on every answer, success or refusal.
const ROUTES = {
  '/config': { GET: { run: config } },
  '/saml/metadata': { GET: { run: samlMetadata } },
  '/saml/login': { GET: { run: samlLogin } },
  '/saml/acs': { POST: { run: samlAcs, consumes: SAML_REQUEST } },
  '/oauth/login': { GET: { run: oauthLogin } },
  '/oauth/callback': { GET: { run: oauthCallback, consumes: OAUTH_FLOW } },
  '/session': { GET: { run: session } },
};

// /saml/<idp>/<action>: the same, for the IdP SAML_IDPS names by <idp>.
const IDP_ROUTES = {
  metadata: { GET: { run: idpMetadata } },
  login: { GET: { run: idpLogin } },
  acs: { POST: { run: idpAcs, consumes: SAML_REQUEST } },
  slo: { GET: { run: idpSlo }, POST: { run: idpSlo } },
};
const IDP_PATH = /^\/saml\/([^/]+)\/([a-z]+)$/;

/** `{ methods, idpKey }` for a path, or undefined. */
function routeOf(pathname) {
  if (Object.hasOwn(ROUTES, pathname)) return { methods: ROUTES[pathname] };
  const match = IDP_PATH.exec(pathname);
  if (!match || !IDP_KEY.test(match[1]) || !Object.hasOwn(IDP_ROUTES, match[2])) return undefined;
  return { methods: IDP_ROUTES[match[2]], idpKey: match[1] };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const { methods, idpKey } = routeOf(url.pathname) ?? {};
    if (!methods) return json(404, { ok: false, code: 'worker.not_found', message: 'No such route.' });
    const route = methods[request.method];
    if (!route) {
      const allow = Object.keys(methods).join(', ');
      return json(405, { ok: false, code: 'worker.method_not_allowed', message: `Use ${allow}.` }, { allow });
    }
    const ctx = { request, env, url, idpKey };
    let response;
    let retryAfter;
    try {
      response = await route.run(ctx);
    } catch (error) {
      const { status, outcome } = refusalOf(error);
      retryAfter = retryAfterOf(outcome.code);
      response = await present(request, status, outcome, openerOrigin(env));
    }
    if (retryAfter !== undefined) {
      // Nothing was consumed: keep the cookie, so the same POST, retried,
      // still carries its request ID.
      response.headers.set('retry-after', String(retryAfter));
    } else if (route.consumes) {
      response.headers.append('set-cookie', clearCookie(route.consumes, url));
    }
    return response;
  },
};

// ---- configuration, from the bindings ----

let serviceProvider;
/** The SAML SP, shared by every request of this isolate: it keeps no per-login state the worker relies on. */
function samlServiceProvider(env) {
  serviceProvider ??= new SamlServiceProvider(env.SAML_SP);
  return serviceProvider;
}

/**
 * A fresh OAuth client for this request. Not shared like the SP: an
 * OAuthClient is one user's session (its token vault, and the one token
 * request it awaits an answer to), so two concurrent callbacks must not meet
 * in one. Constructing it only parses the configuration; `free()` zeroizes.
 */
function newOAuthClient(env) {
  if (!env.OAUTH_CLIENT) throw new Refusal(404, 'worker.oauth_not_configured', 'This worker has no OAUTH_CLIENT binding.');
  return new OAuthClient(env.OAUTH_CLIENT);
}

function openerOrigin(env) {
  const origin = env.ALLOWED_OPENER_ORIGIN;
  if (!origin) return undefined;
  // postMessage's targetOrigin must be one exact origin, never "*".
  if (URL.canParse(origin) && new URL(origin).origin === origin) return origin;
  console.error('edge-worker: ALLOWED_OPENER_ORIGIN is not an origin (scheme://host[:port]); not posting outcomes');
  return undefined;
}

// ---- routes ----

/** Public facts the demo page may show. Readable cross-origin by the allowed opener only. */
function config({ env }) {
  const sp = env.SAML_SP ? samlServiceProvider(env).toJSON() : {};
  const oauth = env.OAUTH_CLIENT;
  const origin = openerOrigin(env);
  const body = {
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    idpEntityId: sp.idpEntityId,
    oauth: oauth ? { issuer: oauth.issuer, clientId: oauth.clientId, redirectUri: oauth.redirectUri } : null,
  };
  if (env.SAML_IDPS) body.idps = Object.fromEntries(idpKeys(env).map((key) => [key, idpFacts(env, key)]));
  return json(200, body, origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {});
}

/** What /config says of one IdP: its SP's URLs and its metadata's lifetime, or why it cannot be used. */
function idpFacts(env, key) {
  try {
    const { sp, info, builtAt, refreshAt } = idpServiceProvider(env, key);
    const { entityId, acsUrl } = sp.toJSON();
    return {
      spEntityId: entityId, acsUrl, idpEntityId: info.entityId, signed: info.signed,
      validUntil: info.validUntil ?? null, cacheDurationSeconds: info.cacheDurationSeconds ?? null, builtAt, refreshAt,
    };
  } catch (error) {
    const { outcome } = refusalOf(error);
    return { error: outcome.code, message: outcome.message };
  }
}

/** The SP's metadata, for the IdP's administrator. */
function samlMetadata({ env }) {
  const xml = samlServiceProvider(env).metadataXml({ nameIdFormats: [PERSISTENT_NAME_ID] });
  return new Response(xml, { headers: { 'content-type': 'application/samlmetadata+xml; charset=utf-8' } });
}

/** Starts a SAML login: an AuthnRequest by the redirect binding, its ID in a cookie. */
function samlLogin({ env, url }) {
  const sent = samlServiceProvider(env).authnRequest({
    nameIdPolicy: { format: PERSISTENT_NAME_ID, allowCreate: true },
    // Comes back unsigned with the response: shown, never trusted (see README).
    relayState: url.searchParams.get('relayState') ?? undefined,
  });
  return redirect(sent.url, samlRequestCookie(url, sent));
}

/**
 * The cookie that carries a SAML login to the ACS: the request ID, and the
 * login's retry key (see ReplayGuard), `<request ID>.<retry key>`.
 */
function samlRequestCookie(url, sent) {
  return setCookie(SAML_REQUEST, url, `${sent.id}.${newRetryKey()}`, sent.expiresAt);
}

/** `{ expectedRequestId, retryKey }` from the SAML request cookie, or a Refusal. */
function samlRequestOf(request, url, loginPath) {
  const value = readCookie(SAML_REQUEST, request, url);
  if (value === undefined) {
    throw new Refusal(401, 'worker.cookie_missing', `No SAML login is pending in this browser (no request cookie, or it expired): start again at ${loginPath}.`);
  }
  if (value === null) throw new Refusal(400, 'worker.cookie_invalid', 'The SAML request cookie is present more than once.');
  // A cookie set before retry keys existed holds the request ID alone: such a
  // login is finished without a retry window.
  const dot = value.indexOf('.');
  return dot < 0 ? { expectedRequestId: value } : { expectedRequestId: value.slice(0, dot), retryKey: value.slice(dot + 1) };
}

/**
 * validateResponseWithStore with the shared ReplayGuard, then the login
 * confirmed there, so that no copy is accepted again, this browser's neither.
 */
async function validateOnce(sp, env, samlResponse, { expectedRequestId, retryKey }) {
  const store = await replayStore(env.REPLAY_GUARD, retryKey);
  const validated = await sp.validateResponseWithStore(samlResponse, store, { expectedRequestId });
  try {
    await store.confirm(validated.assertionId);
  } catch (error) {
    // The login stands. Unconfirmed, the entry still refuses every copy but
    // this browser's own (which this isolate refuses anyway: it answered the
    // request), until the assertion expires.
    console.error('edge-worker: the ReplayGuard could not confirm a login', error);
  }
  return validated;
}

/** The ACS: the IdP's POST, validated against the request ID this browser carries. */
async function samlAcs({ request, env, url }) {
  const carried = samlRequestOf(request, url, '/saml/login');
  const form = await readForm(request);
  const samlResponse = field(form, 'SAMLResponse', { required: true });
  const relayState = field(form, 'RelayState');
  const validated = await validateOnce(samlServiceProvider(env), env, samlResponse, carried);
  return present(request, 200, { ok: true, flow: 'saml', ...validated, relayState }, openerOrigin(env));
}

/** Starts an OAuth login (code + PKCE + nonce), the flow carried in a cookie. */
function oauthLogin({ env, url }) {
  const client = newOAuthClient(env);
  try {
    const start = client.authorize({ carry: true, nonce: true });
    const flow = {
      expectedState: start.state,
      codeVerifier: start.codeVerifier,
      nonce: start.nonce ?? null,
      expiresAt: start.expiresAt,
      scope: start.scope,
      maxAge: start.maxAge ?? null,
    };
    return redirect(start.url, setCookie(OAUTH_FLOW, url, encodeURIComponent(JSON.stringify(flow)), start.expiresAt));
  } finally {
    client.free();
  }
}

/**
 * The OAuth callback: edge-sso checks it against the carried flow, the worker
 * redeems the code itself, and answers with facts about the tokens, never a
 * token. (A real site would now start its session; this example stops here.)
 */
async function oauthCallback({ request, env, url }) {
  const flow = readFlowCookie(request, url);
  const client = newOAuthClient(env);
  try {
    const response = client.handleCallback(request.url, flow);
    const tokenRequest = client.tokenRequest(response);
    const answer = await sendTokenRequest(tokenRequest);
    client.acceptTokenResponse(answer.body, { status: answer.status });
    const facts = { ok: true, flow: 'oauth', subject: client.idTokenClaims()?.sub, ...client.tokenInfo() };
    return present(request, 200, facts, openerOrigin(env));
  } finally {
    client.free(); // drops the tokens, zeroized
  }
}

// ---- many IdPs: /saml/<idp>/..., sessions and Single Logout ----

/** The SP facing this route's IdP. */
function idpSp({ env, idpKey }) {
  return idpServiceProvider(env, idpKey).sp;
}

function idpMetadata(ctx) {
  const xml = idpSp(ctx).metadataXml({ nameIdFormats: [PERSISTENT_NAME_ID] });
  return new Response(xml, { headers: { 'content-type': 'application/samlmetadata+xml; charset=utf-8' } });
}

function idpLogin(ctx) {
  const sent = idpSp(ctx).authnRequest({
    nameIdPolicy: { format: PERSISTENT_NAME_ID, allowCreate: true },
    relayState: ctx.url.searchParams.get('relayState') ?? undefined,
  });
  return redirect(sent.url, samlRequestCookie(ctx.url, sent));
}

/** The IdP's ACS: as /saml/acs, with that IdP's SP only; a valid login starts a session. */
async function idpAcs(ctx) {
  const { request, env, url, idpKey } = ctx;
  const sp = idpSp(ctx);
  const carried = samlRequestOf(request, url, `/saml/${idpKey}/login`);
  const form = await readForm(request);
  const samlResponse = field(form, 'SAMLResponse', { required: true });
  const relayState = field(form, 'RelayState');
  const sessions = sessionsOf(env); // before the login is used: a missing binding consumes nothing
  const validated = await validateOnce(sp, env, samlResponse, carried);
  let opened;
  try {
    opened = await openSession(sessions, idpKey, validated);
  } catch (error) {
    // The assertion is already recorded in the ReplayGuard and the request
    // ID answered: this response can never be used again, so saying "retry"
    // would be false. The user signs in again (a new AuthnRequest).
    console.error('edge-worker: the session could not be recorded', error);
    const again = `/saml/${idpKey}/login`;
    throw new Refusal(503, 'worker.session_unavailable',
      `The login was valid, but the session could not be recorded, and the login cannot be used again: sign in again at ${again}.`,
      { signInAgain: again });
  }
  const response = await present(request, 200, { ok: true, flow: 'saml', idp: idpKey, ...validated, relayState }, openerOrigin(env));
  response.headers.append('set-cookie', setCookie(SESSION, url, opened.cookieValue, opened.expiresAt));
  return response;
}

const PARTIAL_LOGOUT = { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder', secondLevelStatusCode: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout' };

/**
 * Single Logout started by the IdP, at the SP's sloUrl: its LogoutRequest by
 * HTTP-POST (SAMLRequest in the form, its XML signature verified) or by
 * HTTP-Redirect (the query's signature verified), signed in both cases. The
 * sessions it names end; the answer is a 302 to the IdP's SLO endpoint with
 * the SP's LogoutResponse (Success, or PartialLogout if they could not be ended).
 */
async function idpSlo(ctx) {
  const { request, env, url, idpKey } = ctx;
  const { sp, info, clockSkewSeconds } = idpServiceProvider(env, idpKey);
  const sessions = sessionsOf(env);
  // Whatever would keep the LogoutResponse from being sent is refused first,
  // before edge-sso reads (and remembers) the LogoutRequest: nothing is consumed.
  const form = request.method === 'POST' ? await readForm(request) : undefined;
  const carried = form ? form.getAll('RelayState') : url.searchParams.getAll('RelayState');
  const cannot = unanswerable(info, carried);
  if (cannot) throw new Refusal(400, cannot.code, cannot.message);
  let message;
  let relayState;
  if (form) {
    if (form.has('SAMLResponse')) throw new Refusal(400, 'worker.slo_unexpected', 'This worker sends no LogoutRequest, so it expects no LogoutResponse.');
    const samlRequest = field(form, 'SAMLRequest', { required: true });
    relayState = field(form, 'RelayState');
    message = sp.readLogoutRequest(samlRequest);
  } else {
    message = sp.verifyRedirect(request.url);
    if (message.kind !== 'LogoutRequest') throw new Refusal(400, 'worker.slo_unexpected', `Expected a LogoutRequest, got a ${message.kind}.`);
    relayState = message.relayState;
  }
  if (!message.nameId) throw new Refusal(400, 'worker.slo_name_id_missing', 'The LogoutRequest names no NameID.');
  const answer = (status) => sp.logoutResponse({ inResponseTo: message.id, relayState: relayState || undefined, ...status });
  // Built now, before anything is remembered or ended: should edge-sso refuse
  // to answer for a reason not checked above, nothing is lost either.
  let sent = answer({});
  // edge-sso accepts a LogoutRequest once per SP instance; the ReplayGuard
  // makes that hold across isolates, restarts and metadata refreshes, for as
  // long as any SP with this IdP's clock skew could accept a copy.
  let first;
  try {
    first = await (await replayStore(env.REPLAY_GUARD)).remember(`logout
${message.issuer}
${message.id}`, logoutRememberUntil(message.issueInstant, clockSkewSeconds));
  } catch (error) {
    // Fail closed, lose nothing: end no session without the replay check,
    // and let the IdP's retry through here (this SP remembers the ID).
    console.error('edge-worker: the ReplayGuard failed; no session ended', error);
    forgetServiceProvider(idpKey, sp);
    throw new Refusal(503, 'worker.replay_guard_unavailable', 'The LogoutRequest could not be recorded against replay, so no session was ended: send it again.');
  }
  if (first !== true) throw new Refusal(409, 'worker.logout_replayed', 'This LogoutRequest was already received.');
  let ended = [];
  try {
    ended = await endSessions(sessions, idpKey, message.nameId, message.sessionIndexes);
  } catch (error) {
    console.error('edge-worker: sessions could not be ended', error);
    sent = answer(PARTIAL_LOGOUT);
  }
  // This browser's cookie is cleared only if it named a session this logout
  // ended: the browser may be signed in as someone else, or through another IdP.
  const cookie = readCookie(SESSION, request, url);
  return redirect(sent.url, typeof cookie === 'string' && ended.includes(cookie) ? clearCookie(SESSION, url) : undefined);
}

/** Whether this browser's session (a per-IdP login) is still on. */
async function session({ request, env, url }) {
  const value = readCookie(SESSION, request, url);
  if (value === undefined) return json(200, { loggedIn: false });
  const invalid = new Refusal(400, 'worker.cookie_invalid', 'The session cookie is malformed or present more than once.');
  if (value === null) throw invalid;
  const record = await lookupSession(sessionsOf(env), value);
  if (record === undefined) throw invalid;
  if (record === null) return json(200, { loggedIn: false });
  const { idp, issuer, nameId, sessionIndex, createdAt, expiresAt } = record;
  return json(200, { loggedIn: true, idp, issuer, nameId, sessionIndex, createdAt, expiresAt });
}

function sessionsOf(env) {
  if (!env.SESSIONS) throw new Refusal(500, 'worker.config_invalid', 'This worker has no SESSIONS binding (the SessionDirectory namespace).');
  return env.SESSIONS;
}

// ---- helpers ----

async function readForm(request) {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
    throw new Refusal(415, 'worker.form_invalid', 'Expected an application/x-www-form-urlencoded POST (the SAML HTTP-POST binding).');
  }
  const tooLarge = () => new Refusal(413, 'worker.form_too_large', `The form is larger than ${MAX_FORM_BYTES} bytes.`);
  if (Number(request.headers.get('content-length')) > MAX_FORM_BYTES) throw tooLarge();
  // Read the stream with a running count: a chunked body has no
  // Content-Length, and `request.text()` would buffer all of it first.
  const chunks = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_FORM_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { body.set(c, at); at += c.byteLength; }
  return new URLSearchParams(new TextDecoder().decode(body));
}

/** The one value of a form field; a repeated field is refused rather than guessed at. */
function field(form, name, { required = false } = {}) {
  const values = form.getAll(name);
  if (values.length > 1 || (required && values.length === 0)) {
    throw new Refusal(400, 'worker.form_invalid', `Expected ${required ? 'exactly' : 'at most'} one ${name} field.`);
  }
  return values[0];
}

/** The carried flow, as `CallbackOptions` for `handleCallback`; only the fields it needs. */
function readFlowCookie(request, url) {
  const raw = readCookie(OAUTH_FLOW, request, url);
  if (raw === undefined) {
    throw new Refusal(401, 'worker.cookie_missing', 'No OAuth login is pending in this browser (no flow cookie, or it expired): start again at /oauth/login.');
  }
  const invalid = new Refusal(400, 'worker.cookie_invalid', 'The OAuth flow cookie is malformed or present more than once.');
  let flow;
  try {
    flow = raw === null ? null : JSON.parse(decodeURIComponent(raw));
  } catch {
    throw invalid;
  }
  const { expectedState, codeVerifier, nonce, expiresAt, scope, maxAge } = flow ?? {};
  const ok = typeof expectedState === 'string' && typeof codeVerifier === 'string'
    && (nonce === null || typeof nonce === 'string') && Number.isSafeInteger(expiresAt)
    && (scope === undefined || typeof scope === 'string') && (maxAge === null || Number.isSafeInteger(maxAge));
  if (!ok) throw invalid;
  return { expectedState, codeVerifier, nonce, expiresAt, scope, maxAge };
}

/** POSTs the token request edge-sso built; a redirect is not followed (it would carry the code elsewhere). */
async function sendTokenRequest({ url, method, headers, body }) {
  let response;
  try {
    response = await fetch(url, { method, headers, body, redirect: 'manual' });
  } catch (error) {
    console.error('edge-worker: token endpoint unreachable', error);
    throw new Refusal(502, 'worker.token_endpoint_unreachable', 'The token endpoint could not be reached.');
  }
  return { status: response.status, body: await response.text() };
}
