//! The OAuth API's wasm side: one handle type with one method, `call`, which
//! runs an operation on up to two strings and answers with one.
//!
//! The public classes (`OAuthClient`, `AuthorizationResponse`) and functions
//! (`createPkce`, ...) are thin JavaScript in `js/oauth-api.js`, declared
//! here in the TypeScript section so `index.d.ts` stays generated. Why the
//! split: an export per method, each reading a JS options object member by
//! member, took about a third of the OAuth-only module (wasm-bindgen's shims,
//! a dozen imported JS operations and a handle table); options as JSON text
//! read by [`crate::options`] and answers as JSON text cost a fraction of it.
//! Every export costs its own shim (an owned-string argument alone is ~140
//! bytes of conversion), hence one: the functions that need no client run
//! on a client that is never configured.
//!
//! Every answer is a JS string: a JSON text, or `!` followed by the error as
//! JSON (`code`, `message`, and `error`, `errorDescription`, `errorUri` for
//! an OAuth error response), which the wrapper throws as an `EdgeSsoError`.
//! Answers are built in zeroizing buffers, sized so they never grow (a grown
//! buffer leaves its old copy in freed memory), and copied straight into a
//! JS string; arguments arrive as owned strings and are wiped when dropped.
//! The OAuth-only module goes further: its allocator wipes every block it
//! frees (`WipeOnFree` in `wasm/mod.rs`), so no copy of a verifier, a code or
//! a token outlives its owner there, whoever made it (wasm-bindgen copies a
//! non-ASCII argument in by reallocation, for one). The full module keeps
//! std's allocator unwrapped: SAML validation frees too much for it.
//!
//! The operation numbers below are the contract with `js/oauth-api.js`.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::error::{Error, VaultError};
use crate::json_out::JsonObject;
use crate::oauth::{
    AuthorizationRequest, AuthorizationResponse as CoreResponse, AuthorizeOptions, CarriedFlow,
    ClientConfig, CodeVerifier, DpopKey, LogoutOptions, OAuthClient as Core, ResourceRequest,
    TokenInfo, TokenKind, TokenRequest, UserinfoAnswer, WellKnown,
};
use crate::one_time::MAX_PENDING;
use crate::options::Options;

#[wasm_bindgen(typescript_custom_section)]
const TS_OAUTH: &'static str = r#"
declare global {
  interface SymbolConstructor {
    /** The classes' `[Symbol.dispose]()` (explicit resource management, `using`) is their `free()`.
     * Declared here too, as lib.esnext.disposable and @types/node do, so that these types compile
     * with any `lib`. */
    readonly dispose: unique symbol;
  }
}
/** Configuration of a public OAuth client. There is no field for a secret. */
export interface OAuthClientConfig {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /** Matched exactly (scheme/host case-insensitively, default ports) on callback. */
  redirectUri: string;
  /** The issuer identifier, compared with the callback's `iss` (RFC 9207). */
  issuer?: string;
  /** The issuer's `authorization_response_iss_parameter_supported`: then `iss` is required. */
  issParameterSupported?: boolean;
  /** Default scope, e.g. "openid profile". */
  scope?: string;
  /** Accept DPoP-bound tokens (token_type "DPoP") instead of bearer tokens (without proofs: see `dpopKeyPair`). */
  dpop?: boolean;
  /** How long a started authorization stays valid (ms, default 600000). */
  pendingTtlMs?: number;
  /** The UserInfo endpoint (OIDC Core §5.3), for `userinfoRequest`. */
  userinfoEndpoint?: string;
  /** The revocation endpoint (RFC 7009), for `revocationRequest`. */
  revocationEndpoint?: string;
  /** The end-session endpoint (OIDC RP-Initiated Logout), for `logoutUrl`. */
  endSessionEndpoint?: string;
  /** The pushed authorization request endpoint (RFC 9126), for `pushedAuthorizationRequest`. */
  pushedAuthorizationRequestEndpoint?: string;
  /** The server accepts only pushed authorization requests: `authorize()` is then refused. */
  requirePushedAuthorizationRequests?: boolean;
  /**
   * DPoP (RFC 9449) with this key pair: `crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' },
   * false, ['sign'])`. The private key must be non-extractable; the module never sees it: it builds each
   * proof and this key signs it. Tokens must then be DPoP-bound, and the methods that make a proof return
   * Promises.
   */
  dpopKeyPair?: CryptoKeyPair;
}
/** What `OAuthClient.fromMetadata` takes beside the metadata; the endpoints come from the metadata. */
export interface FromMetadataConfig {
  /** The issuer the metadata was fetched for: its `issuer` must be exactly this. */
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  pendingTtlMs?: number;
  dpopKeyPair?: CryptoKeyPair;
}
/** `Promise<T>` for a client with a `dpopKeyPair` (WebCrypto signs its proofs, asynchronously), else `T`. */
export type MaybeAsync<C, T> = C extends { dpopKeyPair: CryptoKeyPair } ? Promise<T>
  : "dpopKeyPair" extends keyof C ? T | Promise<T> : T;
export interface AuthorizeOptions {
  scope?: string;
  /** Send an OpenID Connect nonce (generated from the CSPRNG). */
  nonce?: boolean;
  /** Extra parameters (prompt, login_hint, resource, ...). The client's own are refused. */
  extraParams?: Record<string, string>;
  /** PKCE verifier length, 43–128 (default 64). */
  verifierLength?: number;
  /** Also return `codeVerifier` (and `scope`), for a caller that keeps the flow itself
   * (an HttpOnly cookie in an edge worker). Without it the verifier never leaves the module. */
  carry?: boolean;
  now?: number;
}
/** A started authorization. With `carry: true`, keep `state`/`codeVerifier`/`nonce`/`expiresAt`/`scope`
 * yourself if this client instance will not see the callback. */
export interface AuthorizationRequest {
  url: string; state: string;
  /** The nonce sent; with `carry: true`, `null` when none was sent (hand it back as it is). */
  nonce?: string | null;
  codeVerifier?: string; scope?: string; expiresAt: number;
}
export interface CallbackOptions {
  now?: number;
  /** The state you carried (e.g. in an HttpOnly cookie); requires `codeVerifier` and `nonce`. */
  expectedState?: string;
  codeVerifier?: string;
  /** Required with `expectedState`: the nonce authorize() returned, or null if none was sent. */
  nonce?: string | null;
  /** Required with `expectedState`: the expiresAt authorize() returned. */
  expiresAt?: number;
  scope?: string;
}
/** An HTTP request for your `fetch` (or `client.send`). The body holds a code or a token: send it, do not log it.
 * With DPoP, `headers.dpop` holds its proof. */
export interface TokenHttpRequest { url: string; method: "POST"; headers: Record<string, string>; body: string; }
/** A request to a protected resource: `authorization` holds the access token (`Bearer …` or `DPoP …`) and, with
 * DPoP, `dpop` a proof bound to it. Send it, do not store or log it. */
export interface ResourceHttpRequest { url: string; method: string; headers: { authorization: string; dpop?: string }; }
/** A pushed authorization request: `request` for the PAR endpoint, and the flow it starts. */
export interface PushedAuthorizationRequest {
  request: TokenHttpRequest; state: string; nonce?: string | null;
  codeVerifier?: string; scope?: string; expiresAt: number;
}
export interface ResourceRequestOptions { /** Default "GET". */ method?: string; now?: number; }
export interface UserinfoOptions { status?: number; contentType?: string; wwwAuthenticate?: string; }
export interface ParResponseOptions { status?: number; }
export interface RevocationOptions { /** Default: the refresh token when one is held, else the access token. */ token?: "refresh_token" | "access_token"; }
export interface LogoutUrlOptions {
  postLogoutRedirectUri?: string; state?: string; uiLocales?: string;
  /** Put the ID token in the URL (`id_token_hint`). Off by default: URLs end up in history and logs. */
  idTokenHint?: boolean;
}
export interface SendInit { /** Default `globalThis.fetch`. */ fetch?: (input: string, init: RequestInit) => Promise<Response>; }
export interface DiscoveryUrlOptions { /** Default "openid-configuration". */ kind?: "openid-configuration" | "oauth-authorization-server"; }
/** Public facts about the tokens held: never the tokens. */
export interface TokenInfo { tokenType: "Bearer" | "DPoP"; expiresAt?: number; scope?: string; hasRefreshToken: boolean; hasIdToken: boolean; }
export interface TokenResponseOptions {
  now?: number;
  /** The response's `DPoP-Nonce` header, when you give the body as text (a Response's is read). */
  dpopNonce?: string;
  /** The HTTP status of the token response (read from a Response). */
  status?: number;
  /** The request this answers; needed when several token requests await an answer. */
  request?: TokenHttpRequest;
}
export interface RefreshOptions { scope?: string; }
export interface TimeOptions { now?: number; }
export interface NeedsRefreshOptions { now?: number; /** Default 60. */ leewaySeconds?: number; }
/** A PKCE pair (RFC 7636). `codeChallengeMethod` is always `"S256"`. */
export interface PkcePair { codeVerifier: string; codeChallenge: string; codeChallengeMethod: "S256"; }
/** Options of `createPkce`. */
export interface PkceOptions { /** 43–128, default 64. */ length?: number; /** Only "S256"; "plain" is refused. */ method?: "S256"; }
/**
 * Every error edge-sso throws or rejects with: a stable `code` (the README's "Errors" lists them) and a
 * message for people. `instanceof EdgeSsoError` holds for every one of them, whichever entry
 * (`edge-sso`, `edge-sso/oauth`), build (ESM, CommonJS) or realm it came from: it checks the name
 * and the code, not the prototype.
 */
export class EdgeSsoError extends Error {
  constructor(code: string, message: string, options?: { cause?: unknown });
  name: "EdgeSsoError";
  /** A stable code, e.g. `oauth.state.mismatch`, `saml.signature.invalid`, `runtime.wasm_unavailable`. */
  code: string;
  /** `oauth.authorization.error`, `oauth.token.error`: the response's RFC 6749 `error`. */
  error?: string;
  /** Its `error_description`, if any. */
  errorDescription?: string;
  /** Its `error_uri`, if any. */
  errorUri?: string;
  /** Whether `value` is an error edge-sso made: an `Error` named "EdgeSsoError" with a string `code`. */
  static [Symbol.hasInstance](value: unknown): value is EdgeSsoError;
}
/**
 * Resolves once the module can be called. Every runtime but Chromium before 114 on a page's main
 * thread compiles it at import, so awaiting this is needed only there and harmless everywhere.
 * Rejects with the `EdgeSsoError` every call would throw when the module cannot run here
 * (`runtime.wasm_unavailable`, `runtime.wasm_refused`, `runtime.wasm_simd_missing`).
 */
export function init(): Promise<void>;

/**
 * A public OAuth 2.0 client (authorization code + PKCE S256) with its pending
 * authorizations and its token vault, all inside the wasm instance.
 */
export class OAuthClient<C extends OAuthClientConfig | FromMetadataConfig = OAuthClientConfig> {
  /** Checks the configuration (https endpoints, no secret) and creates the client. */
  constructor(config: C);
  /** A client configured from an issuer's metadata (discovery document), after checking that it names `issuer`
   * exactly, that its endpoints are https and that it supports PKCE S256; its RFC 9207, PAR, UserInfo,
   * revocation and end-session settings are carried over. */
  static fromMetadata<C extends FromMetadataConfig>(metadata: Response, config: C): Promise<OAuthClient<C>>;
  static fromMetadata<C extends FromMetadataConfig>(metadata: string | object, config: C): OAuthClient<C>;
  /** Builds the authorization URL and remembers the flow (one-time, expiring). */
  authorize(options?: AuthorizeOptions): AuthorizationRequest;
  /** The pushed authorization request (RFC 9126) for `send`, and the flow it starts. */
  pushedAuthorizationRequest(options?: AuthorizeOptions): MaybeAsync<C, PushedAuthorizationRequest>;
  /** The authorization URL (`client_id` and `request_uri`) from the PAR endpoint's answer. */
  acceptParResponse(body: Response, options?: ParResponseOptions): Promise<string>;
  acceptParResponse(body: string | object, options?: ParResponseOptions): string;
  /** Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time), then `error`.
   * The response holds the code until `tokenRequest`; a client keeps at most its 128 latest. */
  handleCallback(url: string, options?: CallbackOptions): AuthorizationResponse;
  /** The token request for a validated response (consumes it). */
  tokenRequest(response: AuthorizationResponse): MaybeAsync<C, TokenHttpRequest>;
  /** The refresh request (`grant_type=refresh_token`) for your `fetch`. */
  refreshRequest(options?: RefreshOptions): MaybeAsync<C, TokenHttpRequest>;
  /** Validates the token endpoint's response (a fetch Response, the body text, or the parsed object) and stores the
   * tokens. Each answer is checked against its own request; a refresh answered after the grant changed is refused. */
  acceptTokenResponse(body: Response, options?: TokenResponseOptions): Promise<TokenInfo>;
  acceptTokenResponse(body: string | object, options?: TokenResponseOptions): TokenInfo;
  /** Sends a request this client made; with DPoP, keeps the server's nonce and retries once when it asks for one. */
  send(request: TokenHttpRequest | ResourceHttpRequest, init?: SendInit): Promise<Response>;
  /** The UserInfo request (GET with the access token) for `send`. */
  userinfoRequest(options?: TimeOptions): MaybeAsync<C, ResourceHttpRequest>;
  /** Checks the UserInfo answer (JSON only, `sub` equal to the ID token's) and returns its claims. */
  acceptUserinfo(body: Response, options?: UserinfoOptions): Promise<Record<string, unknown> & { sub: string }>;
  acceptUserinfo(body: string | object, options?: UserinfoOptions): Record<string, unknown> & { sub: string };
  /** A request to a protected resource with the access token (with DPoP, a proof bound to it by `ath`). */
  resourceRequest(url: string, options?: ResourceRequestOptions): MaybeAsync<C, ResourceHttpRequest>;
  /** The revocation request (RFC 7009) for `send`. */
  revocationRequest(options?: RevocationOptions): TokenHttpRequest;
  /** The RP-Initiated Logout URL (`client_id`, `post_logout_redirect_uri`, `state`; the ID token only with
   * `idTokenHint: true`). */
  logoutUrl(options?: LogoutUrlOptions): string;
  /** `"Bearer <token>"` for an API call's `Authorization` header: send it, do not store or log it. */
  authorizationHeader(options?: TimeOptions): string;
  /** Whether the access token should be refreshed (none held, or expiring within the leeway). */
  needsRefresh(options?: NeedsRefreshOptions): boolean;
  /** Public facts about the held tokens, or `null`. */
  tokenInfo(): TokenInfo | null;
  /** The validated claims of the held ID token (`sub`, `email`, ...), or `null`. */
  idTokenClaims(): Record<string, unknown> | null;
  /** Forgets (and zeroizes) every token, pending authorization and unredeemed response. */
  clear(): void;
  /** Configuration and token facts; never a token. */
  toJSON(): { clientId: string; redirectUri: string; issuer?: string; tokenInfo: TokenInfo | null };
  toString(): string;
  /** Frees the client's memory in the module now (tokens and codes wiped); the client cannot be used afterwards. */
  free(): void;
  [Symbol.dispose](): void;
}
/** A callback that passed every check; pass it to `tokenRequest` (once). */
export class AuthorizationResponse {
  private constructor();
  /** The state that matched. */
  readonly state: string;
  /** The nonce sent with this authorization, if any (to check an ID token's `nonce`). */
  readonly nonce: string | undefined;
  /** The `iss` parameter, already checked against the configured issuer. */
  readonly iss: string | undefined;
  /** Whether this response can no longer be redeemed: `tokenRequest` consumed it, or it was freed or
   * cleared, or 128 later callbacks of its client pushed it out, or its client was freed. */
  readonly consumed: boolean;
  /** Public fields only: the authorization code is never serialized. */
  toJSON(): { state: string; iss?: string; consumed: boolean };
  toString(): string;
  /** Drops the response now (its code wiped) instead of when the client drops it. */
  free(): void;
  [Symbol.dispose](): void;
}
/** Generates a PKCE verifier (43–128 chars from the CSPRNG, default 64) and its S256 challenge. */
export function createPkce(options?: PkceOptions): PkcePair;
/** The S256 challenge of a verifier, after checking it against RFC 7636 §4.1. `method` may only be "S256". */
export function pkceChallenge(verifier: string, method?: string): string;
/** 256 random bits, base64url: a fresh OAuth `state`. */
export function randomState(): string;
/** 256 random bits, base64url: a fresh OpenID Connect `nonce`. */
export function randomNonce(): string;
/** The crate version, for diagnostics. */
export function version(): string;
/** The URL of an issuer's metadata: OpenID Connect Discovery's (`issuer` + `/.well-known/openid-configuration`)
 * or RFC 8414's (`/.well-known/oauth-authorization-server` inserted before the issuer's path). */
export function discoveryUrl(issuer: string, options?: DiscoveryUrlOptions): string;
"#;

/// Why a carried flow without `nonce` or `expiresAt` is refused: leaving one
/// out (or misspelling it) would turn its check off.
const CARRIED: &str = "a carried flow must pass what authorize() returned (null for no nonce)";

/// A client's state in the module: its core and the callbacks that passed
/// their checks, each under a number the JS `AuthorizationResponse` holds.
#[wasm_bindgen(skip_typescript)]
pub struct RawOAuthClient {
    inner: Option<Core>,
    /// Response `n` lives in slot `n % MAX_PENDING` until it is redeemed,
    /// dropped (`free()`, `clear()`, or its JS object collected), or
    /// response `n + MAX_PENDING` takes the slot: at most MAX_PENDING are
    /// held, like the pending authorizations they came from, and a dropped
    /// one has its code and verifier wiped.
    responses: Vec<Option<(u32, CoreResponse)>>,
    next_id: u32,
}

/// The slot holding response `n`, if it is still there.
fn slot(
    responses: &mut [Option<(u32, CoreResponse)>],
    n: u32,
) -> Option<&mut Option<(u32, CoreResponse)>> {
    let slot = responses.get_mut(n as usize % MAX_PENDING)?;
    slot.as_ref()
        .is_some_and(|(id, _)| *id == n)
        .then_some(slot)
}

/// An answer: the text, or `!` and the error.
type Answer = crate::Result<Zeroizing<String>>;

/// An argument that is a string, or an error naming `field`.
fn text<'a>(arg: &'a Option<Zeroizing<String>>, field: &'static str) -> crate::Result<&'a str> {
    match arg {
        Some(s) => Ok(s.as_str()),
        None => Err(Error::InvalidArgument {
            field,
            reason: "must be a string",
        }),
    }
}

/// The options argument (absent is none).
fn options<'a>(arg: &'a Option<Zeroizing<String>>, allowed: &[&str]) -> crate::Result<Options<'a>> {
    named_options(arg, "options", allowed)
}

fn named_options<'a>(
    arg: &'a Option<Zeroizing<String>>,
    what: &'static str,
    allowed: &[&str],
) -> crate::Result<Options<'a>> {
    match arg {
        Some(s) => Options::parse(s, what, allowed),
        None => Ok(Options::empty()),
    }
}

/// `now` from the options, else the host clock.
fn now(o: &Options<'_>) -> crate::Result<u64> {
    Ok(o.now()?.unwrap_or_else(|| super::host::date_now() as u64))
}

fn reply(answer: Answer) -> JsValue {
    match answer {
        Ok(text) => JsValue::from_str(&text),
        Err(e) => JsValue::from_str(&error_text(&e)),
    }
}

/// `!` and the error as JSON, for the wrapper to throw.
fn error_text(e: &Error) -> String {
    let mut o = JsonObject::with_capacity(128);
    o.string("code", e.code()).string("message", &e.message());
    if let Some(r) = e.error_response() {
        o.string("error", &r.error)
            .opt_string("errorDescription", r.description.as_deref())
            .opt_string("errorUri", r.uri.as_deref());
    }
    let mut out = String::from("!");
    out.push_str(&o.finish());
    out
}

fn done(o: JsonObject) -> Answer {
    Ok(Zeroizing::new(o.finish()))
}

fn json_str(s: &str) -> Answer {
    // A C0 control escapes to six bytes (`\u0001`): sized for the worst
    // case so a token in `s` is never copied by a growing buffer.
    let mut out = Zeroizing::new(String::with_capacity(6 * s.len() + 2));
    crate::json_out::push_string(&mut out, s);
    Ok(out)
}

fn json_bool(b: bool) -> Answer {
    Ok(Zeroizing::new(String::from(if b {
        "true"
    } else {
        "false"
    })))
}

/// A POST for the caller's `fetch`: `id` names a token request's answer;
/// `dpopInput` is its DPoP proof's signing input, for the JS layer to sign.
fn token_request_json(r: &TokenRequest, dpop_input: Option<&str>) -> Answer {
    let body = r.body.expose();
    let input_len = dpop_input.map_or(0, str::len);
    // Sized so the buffer never grows: a grown buffer would leave a copy of
    // the body (a code or a refresh token) in freed memory.
    let mut o = JsonObject::with_capacity(r.url.len() + 2 * body.len() + input_len + 256);
    o.string("url", &r.url).string("method", r.method);
    o.object("headers", |h| {
        for (k, v) in r.headers {
            h.string(k, v);
        }
    });
    o.string("body", body)
        .number("id", u64::from(r.id))
        .opt_string("dpopInput", dpop_input);
    done(o)
}

/// A GET or other request with the access token in `authorization`.
fn resource_json(url: &str, method: &str, r: &ResourceRequest) -> Answer {
    let input_len = r.dpop_input.as_deref().map_or(0, str::len);
    let mut o =
        JsonObject::with_capacity(2 * url.len() + 2 * r.authorization.len() + input_len + 128);
    o.string("url", url).string("method", method);
    o.object("headers", |h| {
        h.string("authorization", &r.authorization);
    });
    o.opt_string("dpopInput", r.dpop_input.as_deref());
    done(o)
}

/// The token endpoint's DPoP proof input for `r`, when the client has a key.
fn token_dpop(core: &Core, r: &TokenRequest, now: u64) -> crate::Result<Option<String>> {
    core.dpop_input("POST", &r.url, now, false)
}

fn token_info_json(o: &mut JsonObject, i: &TokenInfo) {
    o.string("tokenType", i.token_type)
        .opt_number("expiresAt", i.expires_at)
        .opt_string("scope", i.scope.as_deref())
        .boolean("hasRefreshToken", i.has_refresh_token)
        .boolean("hasIdToken", i.has_id_token);
}

fn token_info_answer(i: Option<TokenInfo>) -> Answer {
    match i {
        None => Ok(Zeroizing::new(String::from("null"))),
        Some(i) => {
            let mut o = JsonObject::with_capacity(128);
            token_info_json(&mut o, &i);
            done(o)
        }
    }
}

const AUTHORIZE_KEYS: &[&str] = &[
    "scope",
    "nonce",
    "extraParams",
    "verifierLength",
    "carry",
    "now",
];

fn authorize_options(o: &Options<'_>) -> crate::Result<AuthorizeOptions> {
    Ok(AuthorizeOptions {
        scope: o.string("scope")?,
        nonce: o.bool("nonce")?.unwrap_or(false),
        extra: o.string_map("extraParams")?,
        verifier_length: o
            .uint("verifierLength")?
            .map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
    })
}

/// A started flow as JSON: `url` (empty for a pushed one), `state`, `nonce`,
/// `expiresAt`, and with `carry` the verifier and scope.
fn started(req: &AuthorizationRequest, carry: bool) -> Zeroizing<String> {
    // Sized so the buffer never grows once the verifier is in it:
    // the scope is written again (a valid scope needs no escapes).
    let scope_len = req.scope.as_deref().map_or(0, str::len);
    let mut out = JsonObject::with_capacity(req.url.len() + scope_len + 512);
    if !req.url.is_empty() {
        out.string("url", &req.url);
    }
    out.string("state", &req.state)
        .opt_string("nonce", req.nonce.as_deref());
    if carry {
        // Only when the caller keeps the flow itself: otherwise
        // the verifier never leaves the wasm instance.
        out.string("codeVerifier", req.code_verifier.expose())
            .opt_string("scope", req.scope.as_deref());
    }
    out.number("expiresAt", req.expires_at);
    Zeroizing::new(out.finish())
}

/// `status` from the options, an HTTP status.
fn status_of(o: &Options<'_>) -> crate::Result<Option<u16>> {
    match o.uint("status")? {
        Some(s) => Ok(Some(u16::try_from(s).map_err(|_| {
            Error::InvalidArgument {
                field: "status",
                reason: "not an HTTP status",
            }
        })?)),
        None => Ok(None),
    }
}

/// A response body (the JS layer gives a parsed object as JSON text).
fn body_of(a: &Option<Zeroizing<String>>) -> crate::Result<&str> {
    match a {
        Some(s) => Ok(s),
        None => Err(Error::InvalidArgument {
            field: "body",
            reason:
                "must be the response body as a string, a parsed JSON object or a fetch Response",
        }),
    }
}

/// The client operations (`RawOAuthClient.call`'s `op`).
mod op {
    pub const CONFIGURE: u32 = 0;
    pub const AUTHORIZE: u32 = 1;
    pub const HANDLE_CALLBACK: u32 = 2;
    pub const TOKEN_REQUEST: u32 = 3;
    pub const REFRESH_REQUEST: u32 = 4;
    pub const ACCEPT_TOKEN_RESPONSE: u32 = 5;
    pub const AUTHORIZATION_HEADER: u32 = 6;
    pub const NEEDS_REFRESH: u32 = 7;
    pub const TOKEN_INFO: u32 = 8;
    pub const ID_TOKEN_CLAIMS: u32 = 9;
    pub const CLEAR: u32 = 10;
    pub const RESPONSE_HELD: u32 = 11;
    pub const DROP_RESPONSE: u32 = 12;
    pub const SET_DPOP_KEY: u32 = 13;
    pub const DPOP_NONCE: u32 = 14;
    pub const DPOP_INPUT: u32 = 15;
    pub const DPOP_FINISH: u32 = 16;
    pub const RESOURCE_REQUEST: u32 = 17;
    pub const USERINFO_REQUEST: u32 = 18;
    pub const ACCEPT_USERINFO: u32 = 19;
    pub const PAR_REQUEST: u32 = 20;
    pub const ACCEPT_PAR: u32 = 21;
    pub const REVOCATION_REQUEST: u32 = 22;
    pub const LOGOUT_URL: u32 = 23;
    pub const CONFIGURE_FROM_METADATA: u32 = 24;
}

#[wasm_bindgen]
impl RawOAuthClient {
    /// An unconfigured client; `call(CONFIGURE, …)` configures it once.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self {
            inner: None,
            responses: Vec::new(),
            next_id: 0,
        }
    }

    /// Runs operation `op` with the response number `n` and the strings `a`
    /// and `b` (`undefined` for "not given", or for a value of the wrong type
    /// where the operation says so).
    pub fn call(&mut self, op: u32, n: u32, a: Option<String>, b: Option<String>) -> JsValue {
        let (a, b) = (a.map(Zeroizing::new), b.map(Zeroizing::new));
        reply(self.run(op, n, &a, &b))
    }
}

impl Default for RawOAuthClient {
    fn default() -> Self {
        Self::new()
    }
}

const CONFIG_KEYS: [&str; 15] = [
    "authorizationEndpoint",
    "tokenEndpoint",
    "clientId",
    "redirectUri",
    "issuer",
    "issParameterSupported",
    "scope",
    "dpop",
    "pendingTtlMs",
    "userinfoEndpoint",
    "revocationEndpoint",
    "endSessionEndpoint",
    "pushedAuthorizationRequestEndpoint",
    "requirePushedAuthorizationRequests",
    "dpopKeyPair",
];

/// What `OAuthClient.fromMetadata` takes beside the metadata.
const FROM_METADATA_KEYS: [&str; 6] = [
    "issuer",
    "clientId",
    "redirectUri",
    "scope",
    "pendingTtlMs",
    "dpopKeyPair",
];

/// The members shared by both ways of configuring a client.
fn common_config(c: &mut ClientConfig, o: &Options<'_>) -> crate::Result<()> {
    if let Some(scope) = o.string("scope")? {
        c.scope = Some(scope);
    }
    if let Some(ttl) = o.uint("pendingTtlMs")? {
        c.pending_ttl_ms = ttl;
    }
    // The JS layer holds the key pair and says only that there is one.
    if o.bool("dpopKeyPair")?.unwrap_or(false) {
        c.dpop = true;
    }
    Ok(())
}

impl RawOAuthClient {
    fn run(
        &mut self,
        op: u32,
        n: u32,
        a: &Option<Zeroizing<String>>,
        b: &Option<Zeroizing<String>>,
    ) -> Answer {
        if op >= free_op::CREATE_PKCE {
            return free(op, a, b);
        }
        if op == op::CONFIGURE {
            let o = named_options(a, "config", &CONFIG_KEYS)?;
            let mut c = ClientConfig::new(
                o.required_string("authorizationEndpoint")?,
                o.required_string("tokenEndpoint")?,
                o.required_string("clientId")?,
                o.required_string("redirectUri")?,
            );
            c.issuer = o.string("issuer")?;
            c.iss_parameter_supported = o.bool("issParameterSupported")?.unwrap_or(false);
            c.dpop = o.bool("dpop")?.unwrap_or(false);
            c.userinfo_endpoint = o.string("userinfoEndpoint")?;
            c.revocation_endpoint = o.string("revocationEndpoint")?;
            c.end_session_endpoint = o.string("endSessionEndpoint")?;
            c.par_endpoint = o.string("pushedAuthorizationRequestEndpoint")?;
            c.require_par = o
                .bool("requirePushedAuthorizationRequests")?
                .unwrap_or(false);
            common_config(&mut c, &o)?;
            self.inner = Some(Core::new(c)?);
            return json_bool(true);
        }
        if op == op::CONFIGURE_FROM_METADATA {
            let o = named_options(b, "config", &FROM_METADATA_KEYS)?;
            let issuer = o.required_string("issuer")?;
            let m = crate::oauth::read_provider_metadata(text(a, "metadata")?, &issuer)?;
            let mut c = ClientConfig::from_metadata(
                &m,
                o.required_string("clientId")?,
                o.required_string("redirectUri")?,
            );
            common_config(&mut c, &o)?;
            if c.dpop {
                crate::oauth::check_dpop_alg(&m)?;
            }
            self.inner = Some(Core::new(c)?);
            return json_bool(true);
        }
        let Some(core) = self.inner.as_mut() else {
            return Err(Error::InvalidArgument {
                field: "client",
                reason: "is not configured",
            });
        };
        match op {
            op::AUTHORIZE => {
                let o = options(a, AUTHORIZE_KEYS)?;
                let carry = o.bool("carry")?.unwrap_or(false);
                let req = core.authorize(authorize_options(&o)?, now(&o)?)?;
                Ok(started(&req, carry))
            }
            op::HANDLE_CALLBACK => {
                let url = text(a, "url")?;
                let o = options(
                    b,
                    &[
                        "now",
                        "expectedState",
                        "codeVerifier",
                        "nonce",
                        "expiresAt",
                        "scope",
                    ],
                )?;
                let carried = match (o.string("expectedState")?, o.str("codeVerifier")?) {
                    (None, None) => None,
                    (Some(expected_state), Some(v)) => {
                        // Leaving `nonce` out would silently turn the ID
                        // token's nonce check off; the caller must say
                        // `nonce: null` if none was sent.
                        if !o.has("nonce") {
                            return Err(Error::InvalidArgument {
                                field: "nonce",
                                reason: CARRIED,
                            });
                        }
                        Some(CarriedFlow {
                            expected_state,
                            code_verifier: CodeVerifier::parse(v)?,
                            nonce: o.string("nonce")?,
                            // Required too: a misspelled `expiresAt` would
                            // otherwise let the flow live for ever.
                            expires_at: Some(o.uint("expiresAt")?.ok_or(
                                Error::InvalidArgument {
                                    field: "expiresAt",
                                    reason: CARRIED,
                                },
                            )?),
                            scope: o.string("scope")?,
                        })
                    }
                    _ => return Err(Error::InvalidArgument {
                        field: "expectedState",
                        reason:
                            "`expectedState` and `codeVerifier` are given together or not at all",
                    }),
                };
                let r = core.handle_callback(url, now(&o)?, carried)?;
                let id = self.next_id;
                self.next_id = id.wrapping_add(1);
                let mut out = JsonObject::with_capacity(256);
                out.number("id", u64::from(id))
                    .string("state", &r.state)
                    .opt_string("nonce", r.nonce.as_deref())
                    .opt_string("iss", r.iss.as_deref());
                // Response `id` lives in slot `id % MAX_PENDING` whatever
                // happened before (clear() empties the slots, not the Vec).
                let i = id as usize % MAX_PENDING;
                if self.responses.len() <= i {
                    self.responses.resize_with(i + 1, || None);
                }
                if let Some(slot) = self.responses.get_mut(i) {
                    *slot = Some((id, r));
                }
                done(out)
            }
            op::TOKEN_REQUEST => {
                // `a` is there only when the wrapper holds one of this
                // client's responses (numbers are per client).
                if a.is_none() {
                    return Err(Error::InvalidArgument {
                        field: "response",
                        reason: "must be an AuthorizationResponse that this client's handleCallback returned",
                    });
                }
                let o = options(b, &["now"])?;
                // Read before the response is taken: a call refused for its
                // own arguments changes nothing.
                let at = now(&o)?;
                let (_, r) = slot(&mut self.responses, n)
                    .and_then(Option::take)
                    .ok_or(Error::Vault(VaultError::ResponseConsumed))?;
                let r = core.token_request(r)?;
                token_request_json(&r, token_dpop(core, &r, at)?.as_deref())
            }
            op::REFRESH_REQUEST => {
                let o = options(a, &["scope", "now"])?;
                // Read before the request is made: it replaces a refresh
                // still unanswered, which a refused call must leave alone.
                let at = now(&o)?;
                let r = core.refresh_request(o.string("scope")?.as_deref())?;
                token_request_json(&r, token_dpop(core, &r, at)?.as_deref())
            }
            op::ACCEPT_TOKEN_RESPONSE => {
                let o = options(b, &["now", "status", "request", "dpopNonce"])?;
                let status = status_of(&o)?;
                // The token endpoint's DPoP-Nonce, for a caller who read the headers itself.
                if let Some(nonce) = o.str("dpopNonce")? {
                    core.set_dpop_nonce("", nonce)?;
                }
                let body = body_of(a)?;
                let info = match o.uint("request")? {
                    Some(id) => {
                        let id = u32::try_from(id)
                            .map_err(|_| Error::Vault(VaultError::NotOutstanding))?;
                        core.accept_token_response_for(id, body, status, now(&o)?)?
                    }
                    None => core.accept_token_response(body, status, now(&o)?)?,
                };
                token_info_answer(Some(info))
            }
            op::AUTHORIZATION_HEADER => {
                let o = options(a, &["now"])?;
                json_str(&core.authorization_header(now(&o)?)?)
            }
            op::NEEDS_REFRESH => {
                let o = options(a, &["now", "leewaySeconds"])?;
                let leeway = o.uint("leewaySeconds")?.unwrap_or(60);
                json_bool(core.needs_refresh(now(&o)?, leeway))
            }
            op::TOKEN_INFO => token_info_answer(core.token_info()),
            op::ID_TOKEN_CLAIMS => Ok(Zeroizing::new(match core.id_token_claims() {
                Some(c) => c.json.clone(),
                None => String::from("null"),
            })),
            op::CLEAR => {
                core.clear();
                self.responses.iter_mut().for_each(|s| *s = None);
                json_bool(true)
            }
            op::RESPONSE_HELD => json_bool(slot(&mut self.responses, n).is_some()),
            op::DROP_RESPONSE => {
                if let Some(s) = slot(&mut self.responses, n) {
                    *s = None;
                }
                json_bool(true)
            }
            op::SET_DPOP_KEY => {
                core.set_dpop_key(DpopKey::from_coordinates(text(a, "x")?, text(b, "y")?)?);
                json_bool(true)
            }
            op::DPOP_NONCE => {
                core.set_dpop_nonce(text(a, "url")?, text(b, "dpopNonce")?)?;
                json_bool(true)
            }
            op::DPOP_INPUT => {
                let o = options(b, &["method", "bound", "now"])?;
                let method = o.required_string("method")?;
                let bound = o.bool("bound")?.unwrap_or(false);
                match core.dpop_input(&method, text(a, "url")?, now(&o)?, bound)? {
                    Some(input) => json_str(&input),
                    None => Err(Error::InvalidArgument {
                        field: "dpopKeyPair",
                        reason: "this client has no DPoP key",
                    }),
                }
            }
            op::DPOP_FINISH => {
                // The signature arrives in base64url (the decoder is here
                // already; a string of byte-valued chars needed code of its
                // own); one that does not decode is refused as not 64 bytes.
                let sig =
                    crate::b64url::decode(text(b, "signature")?.as_bytes()).unwrap_or_default();
                json_str(&core.dpop_proof(text(a, "input")?, &sig)?)
            }
            op::RESOURCE_REQUEST => {
                let o = options(b, &["method", "now"])?;
                let method = o.string("method")?.unwrap_or_else(|| String::from("GET"));
                let url = text(a, "url")?;
                resource_json(
                    url,
                    &method,
                    &core.resource_request(&method, url, now(&o)?)?,
                )
            }
            op::USERINFO_REQUEST => {
                let o = options(a, &["now"])?;
                let (url, r) = core.userinfo_request(now(&o)?)?;
                resource_json(&url, "GET", &r)
            }
            op::ACCEPT_USERINFO => {
                let o = options(b, &["status", "contentType", "wwwAuthenticate"])?;
                let answer = UserinfoAnswer {
                    body: body_of(a)?,
                    status: status_of(&o)?,
                    content_type: o.str("contentType")?,
                    www_authenticate: o.str("wwwAuthenticate")?,
                };
                Ok(Zeroizing::new(core.accept_userinfo(&answer)?))
            }
            op::PAR_REQUEST => {
                let o = options(a, AUTHORIZE_KEYS)?;
                let carry = o.bool("carry")?.unwrap_or(false);
                let at = now(&o)?;
                let pushed = core.pushed_authorization_request(authorize_options(&o)?, at)?;
                let dpop = token_dpop(core, &pushed.request, at)?;
                let req = token_request_json(&pushed.request, dpop.as_deref())?;
                let start = started(&pushed.authorization, carry);
                let mut out = String::with_capacity(req.len() + start.len() + 16);
                out.push_str("{\"request\":");
                out.push_str(&req);
                out.push(',');
                // `start` is an object: its members follow `request`'s.
                out.push_str(start.get(1..).unwrap_or("}"));
                Ok(Zeroizing::new(out))
            }
            op::ACCEPT_PAR => {
                let o = options(b, &["status"])?;
                json_str(&core.accept_par_response(body_of(a)?, status_of(&o)?)?)
            }
            op::REVOCATION_REQUEST => {
                let o = options(a, &["token"])?;
                let kind = match o.str("token")? {
                    None => None,
                    Some("refresh_token") => Some(TokenKind::RefreshToken),
                    Some("access_token") => Some(TokenKind::AccessToken),
                    Some(_) => {
                        return Err(Error::InvalidArgument {
                            field: "token",
                            reason: "must be \"refresh_token\" or \"access_token\"",
                        })
                    }
                };
                token_request_json(&core.revocation_request(kind)?, None)
            }
            op::LOGOUT_URL => {
                let o = options(
                    a,
                    &["postLogoutRedirectUri", "state", "idTokenHint", "uiLocales"],
                )?;
                json_str(&core.logout_url(&LogoutOptions {
                    post_logout_redirect_uri: o.string("postLogoutRedirectUri")?,
                    state: o.string("state")?,
                    id_token_hint: o.bool("idTokenHint")?.unwrap_or(false),
                    ui_locales: o.string("uiLocales")?,
                })?)
            }
            _ => Err(unknown_op()),
        }
    }
}

fn unknown_op() -> Error {
    Error::InvalidArgument {
        field: "op",
        reason: "is not an operation of this module",
    }
}

/// The functions that need no client; the wrapper runs them on an
/// unconfigured one (one export fewer than a function of their own).
mod free_op {
    pub const CREATE_PKCE: u32 = 40;
    pub const PKCE_CHALLENGE: u32 = 41;
    pub const RANDOM_STATE: u32 = 42;
    pub const RANDOM_NONCE: u32 = 43;
    pub const VERSION: u32 = 44;
    pub const DISCOVERY_URL: u32 = 45;
}

fn free(op: u32, a: &Option<Zeroizing<String>>, b: &Option<Zeroizing<String>>) -> Answer {
    match op {
        free_op::CREATE_PKCE => {
            let o = options(a, &["length", "method"])?;
            if let Some(m) = o.string("method")? {
                crate::oauth::pkce::check_method(&m)?;
            }
            let len = o
                .uint("length")?
                .map(|l| usize::try_from(l).unwrap_or(usize::MAX));
            let pair = crate::create_pkce(len)?;
            let mut out = JsonObject::with_capacity(512);
            out.string("codeVerifier", pair.verifier.expose())
                .string("codeChallenge", pair.challenge.as_str())
                .string("codeChallengeMethod", "S256");
            done(out)
        }
        free_op::PKCE_CHALLENGE => {
            if let Some(m) = b {
                crate::oauth::pkce::check_method(m)?;
            }
            json_str(crate::pkce_challenge(text(a, "verifier")?)?.as_str())
        }
        free_op::RANDOM_STATE => json_str(&crate::random_state()?),
        free_op::RANDOM_NONCE => json_str(&crate::random_nonce()?),
        free_op::VERSION => json_str(env!("CARGO_PKG_VERSION")),
        free_op::DISCOVERY_URL => {
            let o = options(b, &["kind"])?;
            let kind = match o.str("kind")? {
                None | Some("openid-configuration") => WellKnown::OpenIdConfiguration,
                Some("oauth-authorization-server") => WellKnown::OAuthAuthorizationServer,
                Some(_) => {
                    return Err(Error::InvalidArgument {
                        field: "kind",
                        reason:
                            "must be \"openid-configuration\" or \"oauth-authorization-server\"",
                    })
                }
            };
            json_str(&crate::oauth::discovery_url(text(a, "issuer")?, kind)?)
        }
        _ => Err(unknown_op()),
    }
}
