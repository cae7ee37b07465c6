// The public OAuth API: thin classes and functions over the module's one
// handle type and its one method, `call` (src/wasm/oauth.rs says why). This
// file turns arguments into strings and answers back into values, or into
// thrown EdgeSsoErrors; every rule is in the module but two that only
// JavaScript can check: that an AuthorizationResponse is one this client's
// handleCallback returned, and that an options object is plain and has no
// non-enumerable own members.
//
// Nothing here holds a token: answers that carry one (a token request's body,
// the Authorization header) are handed straight to the caller.
import { RawOAuthClient } from './edge_sso.js';
import { EdgeSsoError, ready } from './wasm-support.js';

// Operation numbers: `op` and `free_op` in src/wasm/oauth.rs.
const CONFIGURE = 0;
const AUTHORIZE = 1;
const HANDLE_CALLBACK = 2;
const TOKEN_REQUEST = 3;
const REFRESH_REQUEST = 4;
const ACCEPT_TOKEN_RESPONSE = 5;
const AUTHORIZATION_HEADER = 6;
const NEEDS_REFRESH = 7;
const TOKEN_INFO = 8;
const ID_TOKEN_CLAIMS = 9;
const CLEAR = 10;
const RESPONSE_HELD = 11;
const DROP_RESPONSE = 12;
const MAX_TOKEN_RESPONSE_LEN = 256 * 1024; // src/oauth/token.rs
const MAX_CALLBACK_LEN = 16 * 1024; // src/oauth/callback.rs
const CREATE_PKCE = 20;
const PKCE_CHALLENGE = 21;
const RANDOM_STATE = 22;
const RANDOM_NONCE = 23;
const VERSION = 24;

/** An EdgeSsoError from the module's `{ code, message, ... }`. */
function edgeSsoError({ code, message, ...fields }) {
  return Object.assign(new EdgeSsoError(code, message), fields);
}

/** The value of an answer, or its error thrown. */
function answer(text) {
  const first = text.charCodeAt(0);
  if (first === 33 /* ! */) throw edgeSsoError(JSON.parse(text.slice(1)));
  // A JSON string without a backslash holds its characters literally (the
  // module escapes every control character): a state, a nonce, a challenge,
  // an Authorization header. Slicing it is a third of the time of parsing it.
  if (first === 34 /* " */ && !text.includes('\\')) return text.slice(1, -1);
  return JSON.parse(text);
}

/** An `arg.invalid` EdgeSsoError for what only this layer can see. */
const invalid = (field, reason) => edgeSsoError({ code: 'arg.invalid', message: `invalid \`${field}\`: ${reason}` });

/** Whether a string holds a lone surrogate (isWellFormed is ES2024; without it the module refuses the text). */
const illFormed = (s) => s.isWellFormed?.() === false;

/**
 * Whether `value` is a plain object: its prototype is `null` or an
 * `Object.prototype` (of any realm: an iframe's or a `vm` context's too).
 * A Map, a Date or a class instance is not: its entries are not its own
 * properties and would be read as none.
 */
function plain(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === null
    || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

/**
 * An options object as JSON text for src/options.rs, which documents the
 * encoding: own enumerable string keys only, each getter read once;
 * an `undefined` member left out (a value of `undefined` itself as `null`); `[]`, which the module refuses as the wrong type,
 * for every value it must not read as something else: one JSON cannot hold
 * (function, symbol, BigInt, NaN, ±Infinity), a number of magnitude 1e308
 * or more (the module's JSON reader refuses those), an array, and anything
 * nested deeper than an option's own object (`extraParams`). What the module
 * could not name precisely is refused here: an object that is not plain, a
 * member that is not enumerable, a string or a name with a lone surrogate.
 */
function encode(value, field = 'options', depth = 0) {
  if (value === undefined || value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (illFormed(value)) throw invalid(field, 'holds a lone surrogate (not well-formed UTF-16)');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) && Math.abs(value) < 1e308 ? JSON.stringify(value) : '[]';
    case 'object': {
      if (Array.isArray(value) || depth > 1) return '[]';
      if (!plain(value)) {
        throw invalid(field, 'must be a plain object (a Map, a Date or a class instance is not read as options)');
      }
      const keys = Object.keys(value);
      const badName = keys.find(illFormed);
      if (badName !== undefined) throw invalid(field, 'a member name holds a lone surrogate (not well-formed UTF-16)');
      // A member made with Object.defineProperty is not enumerable and would
      // be skipped without a word; a skipped option could be a check.
      const enumerable = new Set(keys);
      const hidden = Object.getOwnPropertyNames(value).find((k) => !enumerable.has(k));
      if (hidden !== undefined) {
        throw invalid(field, `its member \`${hidden.slice(0, 64)}\` is not enumerable, so it would not be read`);
      }
      // A top-level member is named by its key; one inside `extraParams` by
      // `extraParams`, as the module names it.
      // An `undefined` member is left out, as JSON.stringify does: a
      // required option that is misspelled or unset arrives missing, and the
      // module refuses it (a carried `nonce`), where `null` would be read as
      // "none". Each getter is still read once.
      const members = [];
      for (const k of keys) {
        const v = value[k];
        if (v !== undefined) members.push(`${JSON.stringify(k)}:${encode(v, depth === 0 ? k : field, depth + 1)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return '[]';
  }
}

/** An options argument: `undefined` when there are none (nothing to pass or parse). */
const opts = (value, field) => (value === undefined || value === null ? undefined : encode(value, field));

/** A string argument, or `undefined` (which the module refuses by name). */
const str = (v) => (typeof v === 'string' ? v : undefined);

const raws = new WeakMap(); // OAuthClient -> RawOAuthClient
const facts = new WeakMap(); // OAuthClient -> its configuration's public fields
const responses = new WeakMap(); // AuthorizationResponse -> { client, id }
const MADE_BY_HANDLE_CALLBACK = Symbol('AuthorizationResponse');
// A response the caller dropped without redeeming or freeing it: wipe its
// code and verifier when it is collected, not when the client goes. (The
// held client is already kept alive by the response, through `responses`,
// so no WeakRef.) Where FinalizationRegistry is missing (workerd without its
// `enable_weak_ref` flag), an unredeemed response lives until it is freed,
// cleared, pushed out by 128 later ones, or its client is freed.
const abandoned = typeof FinalizationRegistry === 'undefined' ? { register() {}, unregister() {} }
  : new FinalizationRegistry(({ client, id }) => raws.get(client)?.call(DROP_RESPONSE, id));

function call(client, op, n = 0, a, b) {
  const raw = raws.get(client);
  if (raw === undefined) throw edgeSsoError({ code: 'arg.invalid', message: 'invalid `client`: it was freed' });
  return answer(raw.call(op, n, a, b));
}

/**
 * A public OAuth 2.0 client (authorization code + PKCE S256) with its pending
 * authorizations and its token vault, all inside the wasm instance.
 */
export class OAuthClient {
  /**
   * Checks the configuration (https endpoints, no secret) and creates the client.
   * @example new OAuthClient({ authorizationEndpoint, tokenEndpoint, clientId, redirectUri })
   */
  constructor(config) {
    const text = encode(config, 'config');
    ready();
    raws.set(this, new RawOAuthClient());
    call(this, CONFIGURE, 0, text);
    // What the module accepted, read once (a getter is not run again).
    const { clientId, redirectUri, issuer } = JSON.parse(text);
    facts.set(this, { clientId, redirectUri, issuer: issuer ?? undefined });
  }

  /** Builds the authorization URL and remembers the flow (one-time, expiring). */
  authorize(options) {
    const request = call(this, AUTHORIZE, 0, opts(options));
    // A carried flow (it has the verifier) says `nonce: null` when none was
    // sent, so that handing it back as `nonce: start.nonce` names it, and a
    // misspelled field (undefined) is refused by handleCallback.
    if (request.codeVerifier !== undefined && request.nonce === undefined) request.nonce = null;
    return request;
  }

  /** Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time), then `error`. */
  handleCallback(url, options) {
    // Past MAX_CALLBACK_LEN bytes the module refuses the URL
    // (oauth.callback.too_large); one UTF-16 unit more than that is enough
    // to say so, so a huge string is never copied into (and never grows)
    // wasm memory.
    const u = str(url);
    const r = call(this, HANDLE_CALLBACK, 0, u !== undefined && u.length > MAX_CALLBACK_LEN ? u.slice(0, MAX_CALLBACK_LEN + 1) : u, opts(options));
    return new AuthorizationResponse(MADE_BY_HANDLE_CALLBACK, this, r);
  }

  /** The token request `{ url, method, headers, body }` for a validated response (consumes it). */
  tokenRequest(response) {
    const r = responses.get(response);
    const own = r !== undefined && r.client === this;
    const request = call(this, TOKEN_REQUEST, own ? r.id : 0, own ? '' : undefined);
    abandoned.unregister(response); // redeemed: nothing left to drop
    return request;
  }

  /** The refresh request (`grant_type=refresh_token`) for your `fetch`. */
  refreshRequest(options) {
    return call(this, REFRESH_REQUEST, 0, opts(options));
  }

  /** Validates the token endpoint's response (the body text, or the parsed object) and stores the tokens. */
  acceptTokenResponse(body, options) {
    let text;
    // Past MAX_TOKEN_RESPONSE_LEN bytes the module refuses the body
    // (oauth.token.too_large); a UTF-16 unit is at least one UTF-8 byte, so
    // one unit more than that is enough to say so, and a hostile endpoint
    // cannot make the instance copy, and grow its memory for, megabytes.
    const cut = (t) => (t !== undefined && t.length > MAX_TOKEN_RESPONSE_LEN ? t.slice(0, MAX_TOKEN_RESPONSE_LEN + 1) : t);
    if (typeof body === 'string') text = body;
    else if (body !== null && typeof body === 'object') {
      try {
        text = str(JSON.stringify(body));
      } catch {
        text = undefined; // a cycle or a BigInt: refused below as not a body
      }
    }
    return call(this, ACCEPT_TOKEN_RESPONSE, 0, cut(text), opts(options));
  }

  /** `"Bearer <token>"` for an API call's `Authorization` header: send it, do not store or log it. */
  authorizationHeader(options) {
    return call(this, AUTHORIZATION_HEADER, 0, opts(options));
  }

  /** Whether the access token should be refreshed (none held, or expiring within the leeway). */
  needsRefresh(options) {
    return call(this, NEEDS_REFRESH, 0, opts(options));
  }

  /** Public facts about the held tokens, or `null`. */
  tokenInfo() {
    return call(this, TOKEN_INFO);
  }

  /** The validated claims of the held ID token (`sub`, `email`, ...), or `null`. */
  idTokenClaims() {
    return call(this, ID_TOKEN_CLAIMS);
  }

  /** Forgets (and zeroizes) every token, pending authorization and unused response. */
  clear() {
    call(this, CLEAR);
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
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** A callback that passed every check; pass it to `tokenRequest` (once). */
export class AuthorizationResponse {
  constructor(key, client, r) {
    if (key !== MADE_BY_HANDLE_CALLBACK) {
      throw new TypeError('an AuthorizationResponse comes from OAuthClient.handleCallback');
    }
    responses.set(this, { client, id: r.id });
    abandoned.register(this, { client, id: r.id }, this);
    Object.defineProperties(this, {
      state: { value: r.state, enumerable: true },
      nonce: { value: r.nonce, enumerable: true },
      iss: { value: r.iss, enumerable: true },
    });
  }

  /** Whether this response can no longer be redeemed: `tokenRequest` consumed it, or it was freed,
   * cleared, or dropped for a newer one (see `OAuthClient.handleCallback`), or its client was freed. */
  get consumed() {
    const { client, id } = responses.get(this);
    return !raws.has(client) || !call(client, RESPONSE_HELD, id);
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
    if (raws.has(client)) call(client, DROP_RESPONSE, id);
  }

  [Symbol.dispose]() {
    this.free();
  }
}

// The functions that need no client run on one that is never configured.
let unconfigured;
const free = (op, a, b) => {
  ready();
  return answer((unconfigured ??= new RawOAuthClient()).call(op, 0, a, b));
};

/** Generates a PKCE verifier (43–128 chars from the CSPRNG, default 64) and its S256 challenge. */
export const createPkce = (options) => free(CREATE_PKCE, opts(options));

/** The S256 challenge of a verifier, after checking it against RFC 7636 §4.1; `method` may only be "S256". */
export const pkceChallenge = (verifier, method) =>
  free(PKCE_CHALLENGE, str(verifier), method == null ? undefined : (str(method) ?? ''));

/** 256 random bits, base64url: a fresh OAuth `state`. */
export const randomState = () => free(RANDOM_STATE);

/** 256 random bits, base64url: a fresh OpenID Connect `nonce`. */
export const randomNonce = () => free(RANDOM_NONCE);

/** The crate version, for diagnostics. */
export const version = () => free(VERSION);
