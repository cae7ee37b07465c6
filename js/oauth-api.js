// The public OAuth API: thin classes and functions over the module's one
// handle type, `RawOAuthClient`, whose methods have the names of the ones
// they serve (src/wasm/oauth.rs). Arguments become strings and answers
// values, or thrown EdgeSsoErrors, by wasm-support.js's `encode` and
// `answer` (src/wasm/answer.rs says why); every rule is in the module but two that only
// JavaScript can check: that an AuthorizationResponse is one this client's
// handleCallback returned, and that an options object is plain and has no
// non-enumerable own members.
//
// Nothing here holds a token: answers that carry one (a token request's body,
// the Authorization header) are handed straight to the caller.
import { RawOAuthClient } from './edge_sso.js';
import {
  answer, edgeSsoError, encode, invalid, opts, optsWith, ready, str,
} from './wasm-support.js';

// Token, UserInfo, PAR and metadata answers share one cap
// (src/oauth/token.rs, userinfo.rs, discovery.rs).
const MAX_TOKEN_RESPONSE_LEN = 256 * 1024;
const MAX_CALLBACK_LEN = 16 * 1024; // src/oauth/callback.rs

/** @type {WeakMap<object, RawOAuthClient>} */
const raws = new WeakMap(); // OAuthClient -> RawOAuthClient
const facts = new WeakMap(); // OAuthClient -> its configuration's public fields
const keys = new WeakMap(); // OAuthClient -> { pair, ready } (DPoP: the CryptoKeyPair stays here)
// A token request object -> { client, id }: its number in its client's module
// instance (numbers are per client, so another client's request is refused).
/** @type {WeakMap<object, { client: object, id: number }>} */
const requests = new WeakMap();
const proven = new WeakMap(); // a request object carrying a DPoP proof -> { bound }
/** @type {WeakMap<object, { client: object, id: number }>} */
const responses = new WeakMap(); // AuthorizationResponse -> { client, id }
const MADE_BY_HANDLE_CALLBACK = Symbol('AuthorizationResponse');
const FROM_METADATA = Symbol('fromMetadata');
// A response the caller dropped without redeeming or freeing it: wipe its
// code and verifier when it is collected, not when the client goes. (The
// held client is already kept alive by the response, through `responses`,
// so no WeakRef.) Where FinalizationRegistry is missing (workerd without its
// `enable_weak_ref` flag), an unredeemed response lives until it is freed,
// cleared, pushed out by 128 later ones, or its client is freed.
const abandoned = typeof FinalizationRegistry === 'undefined' ? { register() {}, unregister() {} }
  : new FinalizationRegistry(({ client, id }) => raws.get(client)?.dropResponse(id));

/**
 * The module's handle of `client`, with the string arguments of the method
 * called on it next (src/wasm/oauth.rs: `args`, the one export that takes
 * strings); `undefined` is "not given".
 * @param {object} client
 * @param {[a?: string, b?: string]} strings
 * @returns {RawOAuthClient}
 */
function raw(client, ...strings) {
  const r = raws.get(client);
  if (r === undefined) throw edgeSsoError({ code: 'arg.invalid', message: 'invalid `client`: it was freed' });
  if (strings.length > 0) r.args(strings[0], strings[1]);
  return r;
}

/** Whether `value` is a fetch Response (of any realm or implementation). */
const isResponse = (value) => value !== null && typeof value === 'object'
  && typeof value.status === 'number' && typeof value.headers?.get === 'function'
  && typeof value.arrayBuffer === 'function' && 'body' in value;

/**
 * A Response's body as text, read with the 256 KiB cap applied while
 * reading: past it the rest is not read (and the module is handed a text
 * one unit too long, which it refuses by length before copying anything
 * else). A body that is not UTF-8 becomes a text no JSON reader accepts.
 * A leading UTF-8 BOM is dropped, as `Response.text()` and `.json()` drop
 * it (RFC 8259 §8.1 lets a reader ignore it; some servers send one); a
 * string body is taken as given, as `JSON.parse` takes it.
 */
async function readBody(res) {
  if (res.bodyUsed) throw invalid('response', 'its body was already read');
  let text = '';
  if (res.body !== null && typeof res.body?.getReader === 'function') {
    const reader = res.body.getReader();
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_TOKEN_RESPONSE_LEN) {
          reader.cancel().catch(() => {});
          return ' '.repeat(MAX_TOKEN_RESPONSE_LEN + 1);
        }
        text += decoder.decode(value, { stream: true });
      }
      text += decoder.decode();
    } catch (e) {
      if (e instanceof TypeError && size <= MAX_TOKEN_RESPONSE_LEN) return '\u0000';
      throw e;
    }
  } else if (res.body !== null) {
    text = await res.text();
  }
  return text;
}

/** A body given as text or as a parsed object, cut one unit past the cap. */
function bodyText(body) {
  let text;
  if (typeof body === 'string') text = body;
  else if (body !== null && typeof body === 'object') {
    try {
      text = str(JSON.stringify(body));
    } catch {
      text = undefined; // a cycle or a BigInt: refused by the module as not a body
    }
  }
  // Past MAX_TOKEN_RESPONSE_LEN bytes the module refuses the body; a UTF-16
  // unit is at least one UTF-8 byte, so one unit more than that is enough to
  // say so, and a hostile endpoint cannot make the instance copy, and grow
  // its memory for, megabytes.
  return text !== undefined && text.length > MAX_TOKEN_RESPONSE_LEN ? text.slice(0, MAX_TOKEN_RESPONSE_LEN + 1) : text;
}

/**
 * Records a Response's `DPoP-Nonce` for its server (`url` '' is the token endpoint).
 * One the module refuses (not RFC 9449 §8.1's 1*NQCHAR) is not recorded and
 * not thrown: it is the server's header, and throwing would lose the answer
 * it came with (a token response whose code is spent by now).
 */
function noteNonce(client, url, res) {
  const nonce = res.headers.get('dpop-nonce');
  if (nonce === null || !keys.has(client)) return;
  try {
    answer(raw(client, url, nonce).dpopNonce());
  } catch (e) {
    if (e?.code !== 'arg.invalid') throw e;
  }
}

/** Checks `pair` is an ECDSA P-256 CryptoKeyPair whose private key cannot be exported. */
function dpopPair(pair) {
  const isKey = (k, type) => Object.prototype.toString.call(k) === '[object CryptoKey]' && k.type === type;
  const ok = pair !== null && typeof pair === 'object'
    && isKey(pair.privateKey, 'private') && isKey(pair.publicKey, 'public')
    && pair.privateKey.algorithm?.name === 'ECDSA' && pair.privateKey.algorithm?.namedCurve === 'P-256'
    && pair.privateKey.usages.includes('sign');
  if (!ok) {
    throw invalid('dpopKeyPair', 'must be an ECDSA P-256 CryptoKeyPair whose private key may `sign`: '
      + "crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])");
  }
  if (pair.privateKey.extractable) {
    throw invalid('dpopKeyPair', 'its private key is extractable; generate it with extractable false, so that no script can export it');
  }
  return pair;
}

/** Resolves once the module has the client's DPoP public key; `undefined` without DPoP. */
function dpopReady(client) {
  const k = keys.get(client);
  if (k === undefined) return undefined;
  k.ready ??= crypto.subtle.exportKey('jwk', k.pair.publicKey).then((jwk) => {
    answer(raw(client, str(jwk.x), str(jwk.y)).setDpopKey());
  });
  return k.ready;
}

/** A DPoP proof for the module's signing input, signed with the non-extractable key. */
async function prove(client, input) {
  const { pair } = keys.get(client);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(input)));
  let bytes = '';
  for (const b of signature) bytes += String.fromCharCode(b);
  // base64url, which the module decodes (and JWS uses).
  return answer(raw(client, input, btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')).dpopProof());
}

/**
 * A request from the module, made ready for `fetch`: a token request's number
 * kept aside (for acceptTokenResponse's `request`), and its DPoP proof signed
 * (then a Promise). `bound` marks a resource request (its proof has `ath`).
 */
function prepared(client, r, bound) {
  const { id, dpopInput, ...request } = r;
  if (id !== undefined && id !== 0xffffffff) requests.set(request, { client, id });
  if (dpopInput === undefined) return request;
  return prove(client, dpopInput).then((proof) => {
    request.headers.dpop = proof;
    proven.set(request, { bound, sent: false });
    return request;
  });
}

/**
 * The `error` parameter of each challenge of auth scheme `scheme` (lower
 * case) in a WWW-Authenticate value (RFC 9110 §11.6.1), with quoted strings
 * read whole: words inside another parameter's quoted value (a server may
 * echo text there) are not one. The module reads challenges the same way
 * (src/oauth/userinfo.rs).
 */
function challengeErrors(header, scheme) {
  const errors = [];
  const n = header.length;
  let i = 0;
  let current = '';
  const skip = (set) => { while (i < n && set.includes(header[i])) i += 1; };
  while (i < n) {
    skip(' \t,');
    const start = i;
    while (i < n && !'= \t,'.includes(header[i])) i += 1;
    const name = header.slice(start, i);
    skip(' \t');
    if (header[i] !== '=') { // an auth scheme: the next challenge
      current = name.toLowerCase();
      continue;
    }
    i += 1;
    skip(' \t');
    let value = '';
    if (header[i] === '"') {
      for (i += 1; i < n && header[i] !== '"'; i += 1) {
        if (header[i] === '\\') i += 1;
        value += header[i] ?? '';
      }
      i += 1;
    } else {
      const from = i;
      while (i < n && !', \t'.includes(header[i])) i += 1;
      value = header.slice(from, i);
    }
    if (name.toLowerCase() === 'error' && current === scheme) errors.push(value);
  }
  return errors;
}

/** Whether a response asks for a DPoP nonce (RFC 9449 §8: 400 from an AS, §9: 401 from a resource). */
async function wantsNonce(res, bound) {
  if (bound) return res.status === 401 && challengeErrors(res.headers.get('www-authenticate') ?? '', 'dpop').includes('use_dpop_nonce');
  if (res.status !== 400) return false;
  try {
    // Read with the same cap as every answer: the caller gets the response
    // itself, and an endless 400 body must not be read whole to decide.
    return JSON.parse(await readBody(res.clone()))?.error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

/** Runs `f` after the DPoP key is in place (a Promise), or at once without DPoP. */
const afterKey = (client, f) => {
  const pending = dpopReady(client);
  return pending === undefined ? f() : pending.then(f);
};

/**
 * A public OAuth 2.0 client (authorization code + PKCE S256) with its pending
 * authorizations and its token vault, all inside the wasm instance.
 */
export class OAuthClient {
  /**
   * Checks the configuration (https endpoints, no secret) and creates the client.
   * @example new OAuthClient({ authorizationEndpoint, tokenEndpoint, clientId, redirectUri })
   */
  constructor(config, from, metadata) {
    const viaMetadata = from === FROM_METADATA;
    let pair;
    const swap = { dpopKeyPair: (p) => (p === undefined ? undefined : ((pair = dpopPair(p)), true)) };
    const text = encode(config, 'config', 0, swap);
    ready();
    raws.set(this, new RawOAuthClient());
    if (viaMetadata) answer(raw(this, metadata, text).fromMetadata());
    else answer(raw(this, text).configure());
    if (pair !== undefined) keys.set(this, { pair, ready: undefined });
    // What the module accepted, read once (a getter is not run again).
    const { clientId, redirectUri, issuer } = JSON.parse(text);
    facts.set(this, { clientId, redirectUri, issuer: issuer ?? undefined });
  }

  /**
   * A client configured from an issuer's metadata (its discovery document, as text, parsed, or
   * the fetch Response), after checking it names `issuer` exactly.
   * @overload
   * @param {Response} metadata
   * @param {object} config
   * @returns {Promise<OAuthClient>}
   */
  /**
   * @overload
   * @param {string | object} metadata
   * @param {object} config
   * @returns {OAuthClient}
   */
  /**
   * @param {any} metadata
   * @param {object} config
   * @returns {OAuthClient | Promise<OAuthClient>}
   */
  static fromMetadata(metadata, config) {
    if (isResponse(metadata)) {
      return readBody(metadata).then((text) => {
        // RFC 8414 §3.2: a successful answer is a 200 with application/json.
        const type = (metadata.headers.get('content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
        if (metadata.status !== 200 || type !== 'application/json') {
          throw edgeSsoError({
            code: 'oauth.discovery.malformed',
            message: `the metadata endpoint answered HTTP ${metadata.status} (${type || 'no content type'}), not 200 with application/json (RFC 8414 §3.2)`,
          });
        }
        return new OAuthClient(config, FROM_METADATA, text);
      });
    }
    return new OAuthClient(config, FROM_METADATA, bodyText(metadata));
  }

  /** Builds the authorization URL and remembers the flow (one-time, expiring). */
  authorize(options) {
    return carried(answer(raw(this, opts(options)).authorize()));
  }

  /** The pushed authorization request (RFC 9126) and the flow it starts. */
  pushedAuthorizationRequest(options) {
    return afterKey(this, () => {
      const { request, ...flow } = answer(raw(this, opts(options)).pushedAuthorizationRequest());
      const r = prepared(this, request, false);
      const start = carried(flow);
      return r instanceof Promise ? r.then((req) => ({ request: req, ...start })) : { request: r, ...start };
    });
  }

  /** The authorization URL (`client_id` + `request_uri`) from the PAR endpoint's answer. */
  acceptParResponse(body, options) {
    if (isResponse(body)) {
      return readBody(body).then((text) => {
        noteNonce(this, body.url || '', body);
        return answer(raw(this, text, optsWith(options, { status: body.status })).acceptParResponse());
      });
    }
    return answer(raw(this, bodyText(body), opts(options)).acceptParResponse());
  }

  /** Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time), then `error`. */
  handleCallback(url, options) {
    // Past MAX_CALLBACK_LEN bytes the module refuses the URL
    // (oauth.callback.too_large); one UTF-16 unit more than that is enough
    // to say so, so a huge string is never copied into (and never grows)
    // wasm memory.
    const u = str(url);
    const r = answer(raw(this, u !== undefined && u.length > MAX_CALLBACK_LEN ? u.slice(0, MAX_CALLBACK_LEN + 1) : u, opts(options)).handleCallback());
    return new AuthorizationResponse(MADE_BY_HANDLE_CALLBACK, this, r);
  }

  /** The token request `{ url, method, headers, body }` for a validated response (consumes it). */
  tokenRequest(response) {
    return afterKey(this, () => {
      const r = responses.get(response);
      const own = r !== undefined && r.client === this;
      const client = raw(this);
      if (!own) throw invalid('response', 'must be an AuthorizationResponse that this client\'s handleCallback returned');
      const request = answer(client.tokenRequest(r.id));
      abandoned.unregister(response); // redeemed: nothing left to drop
      return prepared(this, request, false);
    });
  }

  /** The refresh request (`grant_type=refresh_token`) for your `fetch`. */
  refreshRequest(options) {
    return afterKey(this, () => prepared(this, answer(raw(this, opts(options)).refreshRequest()), false));
  }

  /** Validates the token endpoint's response (body text, parsed object or fetch Response) and stores the tokens. */
  acceptTokenResponse(body, options) {
    const swap = {
      request: (r) => {
        const made = requests.get(r);
        if (made === undefined || made.client !== this) throw invalid('request', 'must be a token or refresh request this client made');
        return made.id;
      },
    };
    if (isResponse(body)) {
      return readBody(body).then((text) => {
        noteNonce(this, body.url || '', body);
        return answer(raw(this, text, optsWith(options, { status: body.status }, swap)).acceptTokenResponse());
      });
    }
    return answer(raw(this, bodyText(body), options == null ? undefined : encode(options, 'options', 0, swap)).acceptTokenResponse());
  }

  /**
   * Sends a request this client made (token, refresh, PAR, revocation, UserInfo, resource) with
   * `fetch` (or `init.fetch`). With DPoP it records each `DPoP-Nonce` the server sends and, when
   * the server asks for one (`use_dpop_nonce`), sends the request once more with a fresh proof.
   */
  async send(request, init) {
    if (request === null || typeof request !== 'object' || typeof request.url !== 'string') {
      throw invalid('request', 'must be a request this client made');
    }
    const f = init?.fetch ?? globalThis.fetch;
    // Never a redirect followed: a token request's body (a code, a verifier, a
    // refresh token) and a resource request's credentials are for the URL
    // they were made for (RFC 6749 has the token endpoint answer directly).
    // Node hands back the 3xx; a browser an opaque-redirect (status 0).
    const go = () => f(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
    const proof = proven.get(request);
    const reprove = async () => {
      const input = answer(raw(this, request.url, encode({ method: request.method, bound: proof.bound })).dpopInput());
      // A resource request's proof binds the access token held now (`ath`):
      // the header sends that same token, which a refresh since the request
      // was made may have replaced.
      if (proof.bound) request.headers.authorization = answer(raw(this, encode({})).authorizationHeader());
      request.headers.dpop = await prove(this, input);
    };
    // A proof is good for one request (its jti is unique): sending the same
    // request again, say after a network failure, takes a fresh one.
    if (proof?.sent) await reprove();
    if (proof !== undefined) proof.sent = true;
    let res = await go();
    if (proof === undefined || res.headers.get('dpop-nonce') === null) return res;
    noteNonce(this, request.url, res);
    if (!(await wantsNonce(res, proof.bound))) return res;
    await reprove();
    res = await go();
    noteNonce(this, request.url, res);
    return res;
  }

  /** The UserInfo request (GET with the access token) for your `fetch` or `send`. */
  userinfoRequest(options) {
    return afterKey(this, () => prepared(this, answer(raw(this, opts(options)).userinfoRequest()), true));
  }

  /** Checks the UserInfo answer (JSON only, `sub` equal to the ID token's) and returns its claims. */
  acceptUserinfo(body, options) {
    if (isResponse(body)) {
      return readBody(body).then((text) => {
        noteNonce(this, body.url || '', body);
        const extra = {
          status: body.status,
          contentType: body.headers.get('content-type') ?? undefined,
          wwwAuthenticate: body.headers.get('www-authenticate') ?? undefined,
        };
        return answer(raw(this, text, optsWith(options, extra)).acceptUserinfo());
      });
    }
    return answer(raw(this, bodyText(body), opts(options)).acceptUserinfo());
  }

  /** A request to a protected resource with the access token (and a DPoP proof bound to it). */
  resourceRequest(url, options) {
    return afterKey(this, () => prepared(this, answer(raw(this, str(url), opts(options)).resourceRequest()), true));
  }

  /** The revocation request (RFC 7009) for the refresh token (default when held) or the access token. */
  revocationRequest(options) {
    return prepared(this, answer(raw(this, opts(options)).revocationRequest()), false);
  }

  /** The RP-Initiated Logout URL; the ID token goes in it only with `idTokenHint: true`. */
  logoutUrl(options) {
    return answer(raw(this, opts(options)).logoutUrl());
  }

  /** `"Bearer <token>"` for an API call's `Authorization` header: send it, do not store or log it. */
  authorizationHeader(options) {
    return answer(raw(this, opts(options)).authorizationHeader());
  }

  /** Whether the access token should be refreshed (none held, or expiring within the leeway). */
  needsRefresh(options) {
    return answer(raw(this, opts(options)).needsRefresh());
  }

  /** Public facts about the held tokens, or `null`. */
  tokenInfo() {
    return answer(raw(this).tokenInfo());
  }

  /** The validated claims of the held ID token (`sub`, `email`, ...), or `null`. */
  idTokenClaims() {
    return answer(raw(this).idTokenClaims());
  }

  /** Forgets (and zeroizes) every token, pending authorization and unused response. */
  clear() {
    answer(raw(this).clear());
  }

  /** Configuration and token facts; never a token. */
  toJSON() {
    return { ...facts.get(this), tokenInfo: this.tokenInfo() };
  }

  toString() {
    return `[OAuthClient ${facts.get(this).clientId}]`;
  }

  /**
   * Frees the client's memory in the module now, its tokens and codes wiped,
   * rather than whenever the garbage collector gets to it; the client cannot
   * be used afterwards.
   */
  free() {
    raws.get(this)?.free();
    raws.delete(this);
    keys.delete(this);
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/**
 * A started flow: a carried one (it has the verifier) says `nonce: null`
 * and `maxAge: null` when none was sent, so that handing them back as
 * `nonce: start.nonce, maxAge: start.maxAge` names them, and a misspelled
 * or forgotten field (undefined) is refused by handleCallback.
 */
function carried(flow) {
  if (flow.codeVerifier !== undefined) {
    if (flow.nonce === undefined) flow.nonce = null;
    if (flow.maxAge === undefined) flow.maxAge = null;
  }
  return flow;
}

/** A callback that passed every check; pass it to `tokenRequest` (once). */
export class AuthorizationResponse {
  constructor(key, client, r) {
    if (key !== MADE_BY_HANDLE_CALLBACK) {
      throw new TypeError('an AuthorizationResponse comes from OAuthClient.handleCallback');
    }
    responses.set(this, { client, id: r.id });
    abandoned.register(this, { client, id: r.id }, this);
    /** @readonly @type {string} */
    this.state = r.state;
    /** @readonly @type {string | undefined} */
    this.nonce = r.nonce;
    /** @readonly @type {string | undefined} */
    this.iss = r.iss;
    // Read-only for good, as the declarations say.
    for (const k of ['state', 'nonce', 'iss']) Object.defineProperty(this, k, { writable: false, configurable: false });
  }

  /** Whether this response can no longer be redeemed: `tokenRequest` consumed it, or it was freed,
   * cleared, or dropped for a newer one (see `OAuthClient.handleCallback`), or its client was freed. */
  get consumed() {
    const { client, id } = responses.get(this);
    return !raws.has(client) || !answer(raw(client).responseHeld(id));
  }

  /** Public fields only: the authorization code is never in JavaScript's hands here. */
  toJSON() {
    return { state: this.state, iss: this.iss, consumed: this.consumed };
  }

  toString() {
    return '[AuthorizationResponse]';
  }

  /** Drops the response now (its code wiped) instead of when the client drops it. */
  free() {
    const { client, id } = responses.get(this);
    abandoned.unregister(this);
    if (raws.has(client)) answer(raw(client).dropResponse(id));
  }

  [Symbol.dispose]() {
    this.free();
  }
}

// The functions that need no client run on one that is never configured.
let unconfigured;
/**
 * That client, with the function's string arguments.
 * @param {[a?: string, b?: string]} strings
 * @returns {RawOAuthClient}
 */
const free = (...strings) => {
  ready();
  unconfigured ??= new RawOAuthClient();
  unconfigured.args(strings[0], strings[1]);
  return unconfigured;
};

/** Generates a PKCE verifier (43–128 chars from the CSPRNG, default 64) and its S256 challenge. */
export const createPkce = (options) => answer(free(opts(options)).createPkce());

/** The S256 challenge of a verifier, after checking it against RFC 7636 §4.1; `method` may only be "S256". */
export const pkceChallenge = (verifier, method) =>
  answer(free(str(verifier), method == null ? undefined : (str(method) ?? '')).pkceChallenge());

/** 256 random bits, base64url: a fresh OAuth `state`. */
export const randomState = () => answer(free().randomState());

/** 256 random bits, base64url: a fresh OpenID Connect `nonce`. */
export const randomNonce = () => answer(free().randomNonce());

/** The crate version, for diagnostics. */
export const version = () => answer(free().version());

/** The URL of an issuer's metadata: OpenID Connect Discovery's (default) or RFC 8414's (path inserted). */
export const discoveryUrl = (issuer, options) => answer(free(str(issuer), opts(options)).discoveryUrl());
