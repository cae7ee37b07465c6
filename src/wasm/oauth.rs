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
    AuthorizationResponse as CoreResponse, AuthorizeOptions, CarriedFlow, ClientConfig,
    CodeVerifier, OAuthClient as Core, TokenInfo, TokenRequest,
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
  /** Accept DPoP-bound tokens (token_type "DPoP") instead of bearer tokens. */
  dpop?: boolean;
  /** How long a started authorization stays valid (ms, default 600000). */
  pendingTtlMs?: number;
}
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
/** An HTTP request for your `fetch`. The body holds a code or refresh token: send it, do not log it. */
export interface TokenHttpRequest { url: string; method: "POST"; headers: Record<string, string>; body: string; }
/** Public facts about the tokens held: never the tokens. */
export interface TokenInfo { tokenType: "Bearer" | "DPoP"; expiresAt?: number; scope?: string; hasRefreshToken: boolean; hasIdToken: boolean; }
export interface TokenResponseOptions { now?: number; /** The HTTP status of the token response. */ status?: number; }
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
export class OAuthClient {
  /** Checks the configuration (https endpoints, no secret) and creates the client. */
  constructor(config: OAuthClientConfig);
  /** Builds the authorization URL and remembers the flow (one-time, expiring). */
  authorize(options?: AuthorizeOptions): AuthorizationRequest;
  /** Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time), then `error`.
   * The response holds the code until `tokenRequest`; a client keeps at most its 128 latest. */
  handleCallback(url: string, options?: CallbackOptions): AuthorizationResponse;
  /** The token request for a validated response (consumes it). */
  tokenRequest(response: AuthorizationResponse): TokenHttpRequest;
  /** The refresh request (`grant_type=refresh_token`) for your `fetch`. */
  refreshRequest(options?: RefreshOptions): TokenHttpRequest;
  /** Validates the token endpoint's response (the body text, or the parsed object) and stores the tokens. */
  acceptTokenResponse(body: string | object, options?: TokenResponseOptions): TokenInfo;
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

fn token_request_json(r: &TokenRequest) -> Answer {
    let body = r.body.expose();
    // Sized so the buffer never grows: a grown buffer would leave a copy of
    // the body (a code or a refresh token) in freed memory.
    let mut o = JsonObject::with_capacity(r.url.len() + 2 * body.len() + 256);
    o.string("url", &r.url).string("method", r.method);
    o.object("headers", |h| {
        for (k, v) in r.headers {
            h.string(k, v);
        }
    });
    o.string("body", body);
    done(o)
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

const CONFIG_KEYS: [&str; 9] = [
    "authorizationEndpoint",
    "tokenEndpoint",
    "clientId",
    "redirectUri",
    "issuer",
    "issParameterSupported",
    "scope",
    "dpop",
    "pendingTtlMs",
];

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
            c.scope = o.string("scope")?;
            c.dpop = o.bool("dpop")?.unwrap_or(false);
            if let Some(ttl) = o.uint("pendingTtlMs")? {
                c.pending_ttl_ms = ttl;
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
                let o = options(
                    a,
                    &[
                        "scope",
                        "nonce",
                        "extraParams",
                        "verifierLength",
                        "carry",
                        "now",
                    ],
                )?;
                let carry = o.bool("carry")?.unwrap_or(false);
                let opts = AuthorizeOptions {
                    scope: o.string("scope")?,
                    nonce: o.bool("nonce")?.unwrap_or(false),
                    extra: o.string_map("extraParams")?,
                    verifier_length: o
                        .uint("verifierLength")?
                        .map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
                };
                let req = core.authorize(opts, now(&o)?)?;
                // Sized so the buffer never grows once the verifier is in it:
                // the scope is written again (a valid scope needs no escapes).
                let scope_len = req.scope.as_deref().map_or(0, str::len);
                let mut out = JsonObject::with_capacity(req.url.len() + scope_len + 512);
                out.string("url", &req.url)
                    .string("state", &req.state)
                    .opt_string("nonce", req.nonce.as_deref());
                if carry {
                    // Only when the caller keeps the flow itself: otherwise
                    // the verifier never leaves the wasm instance.
                    out.string("codeVerifier", req.code_verifier.expose())
                        .opt_string("scope", req.scope.as_deref());
                }
                out.number("expiresAt", req.expires_at);
                done(out)
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
                let (_, r) = slot(&mut self.responses, n)
                    .and_then(Option::take)
                    .ok_or(Error::Vault(VaultError::ResponseConsumed))?;
                token_request_json(&core.token_request(r)?)
            }
            op::REFRESH_REQUEST => {
                let o = options(a, &["scope"])?;
                token_request_json(&core.refresh_request(o.string("scope")?.as_deref())?)
            }
            op::ACCEPT_TOKEN_RESPONSE => {
                let o = options(b, &["now", "status"])?;
                let status = match o.uint("status")? {
                    Some(s) => Some(u16::try_from(s).map_err(|_| Error::InvalidArgument {
                        field: "status",
                        reason: "not an HTTP status",
                    })?),
                    None => None,
                };
                let Some(body) = a else {
                    return Err(Error::InvalidArgument {
                        field: "body",
                        reason: "must be the response body as a string or a parsed JSON object",
                    });
                };
                let info = core.accept_token_response(body, status, now(&o)?)?;
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
    pub const CREATE_PKCE: u32 = 20;
    pub const PKCE_CHALLENGE: u32 = 21;
    pub const RANDOM_STATE: u32 = 22;
    pub const RANDOM_NONCE: u32 = 23;
    pub const VERSION: u32 = 24;
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
        _ => Err(unknown_op()),
    }
}
