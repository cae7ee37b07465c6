//! `OAuthClient` and `AuthorizationResponse` for JS.

use alloc::borrow::ToOwned;
use alloc::string::String;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::interop::{js, json_text, new_object, opt_str, set, JsResult, Options};
use crate::error::{Error, VaultError};
use crate::oauth::{
    AuthorizationResponse as CoreResponse, AuthorizeOptions, CarriedFlow, ClientConfig,
    CodeVerifier, OAuthClient as Core, TokenInfo, TokenRequest,
};

#[wasm_bindgen(typescript_custom_section)]
const TS_OAUTH: &'static str = r#"
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
export interface AuthorizationRequest { url: string; state: string; nonce?: string; codeVerifier?: string; scope?: string; expiresAt: number; }
export interface CallbackOptions {
  now?: number;
  /** The state you carried (e.g. in an HttpOnly cookie); requires `codeVerifier` and `nonce`. */
  expectedState?: string;
  codeVerifier?: string;
  /** Required with `expectedState`: the nonce authorize() returned, or null if none was sent. */
  nonce?: string | null;
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
"#;

/// A public OAuth 2.0 client (authorization code + PKCE S256) with its pending
/// authorizations and its token vault, all inside the wasm instance.
#[wasm_bindgen(js_name = OAuthClient)]
pub struct JsOAuthClient {
    inner: Core,
}

/// A callback that passed every check; pass it to `tokenRequest` (once).
#[wasm_bindgen(js_name = AuthorizationResponse)]
pub struct JsAuthorizationResponse {
    inner: Option<CoreResponse>,
    state: String,
    nonce: Option<String>,
    iss: Option<String>,
}

#[wasm_bindgen(js_class = AuthorizationResponse)]
impl JsAuthorizationResponse {
    /// The state that matched.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.state.clone()
    }

    /// The nonce sent with this authorization, if any (to check an ID token's `nonce`).
    #[wasm_bindgen(getter)]
    pub fn nonce(&self) -> Option<String> {
        self.nonce.clone()
    }

    /// The `iss` parameter, already checked against the configured issuer.
    #[wasm_bindgen(getter)]
    pub fn iss(&self) -> Option<String> {
        self.iss.clone()
    }

    /// Whether `tokenRequest` already consumed this response.
    #[wasm_bindgen(getter)]
    pub fn consumed(&self) -> bool {
        self.inner.is_none()
    }

    /// Public fields only: the authorization code is never serialized.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = new_object();
        set(&o, "state", &self.state.as_str().into());
        opt_str(&o, "iss", self.iss.as_deref());
        set(&o, "consumed", &self.inner.is_none().into());
        o
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        "[AuthorizationResponse]".to_owned()
    }
}

fn token_request_js(r: &TokenRequest) -> JsValue {
    let o = new_object();
    set(&o, "url", &r.url.as_str().into());
    set(&o, "method", &r.method.into());
    let headers = new_object();
    for (k, v) in r.headers {
        set(&headers, k, &v.into());
    }
    set(&o, "headers", &headers);
    set(&o, "body", &r.body.expose().into());
    o
}

fn token_info_js(i: &TokenInfo) -> JsValue {
    let o = new_object();
    set(&o, "tokenType", &i.token_type.into());
    if let Some(t) = i.expires_at {
        set(&o, "expiresAt", &(t as f64).into());
    }
    opt_str(&o, "scope", i.scope.as_deref());
    set(&o, "hasRefreshToken", &i.has_refresh_token.into());
    set(&o, "hasIdToken", &i.has_id_token.into());
    o
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

#[wasm_bindgen(js_class = OAuthClient)]
impl JsOAuthClient {
    /// Checks the configuration (https endpoints, no secret) and creates the client.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "OAuthClientConfig")] config: JsValue,
    ) -> JsResult<JsOAuthClient> {
        let o = js(Options::read(&config, "config", &CONFIG_KEYS))?;
        let mut c = ClientConfig::new(
            js(o.required_string("authorizationEndpoint"))?,
            js(o.required_string("tokenEndpoint"))?,
            js(o.required_string("clientId"))?,
            js(o.required_string("redirectUri"))?,
        );
        c.issuer = js(o.string("issuer"))?;
        c.iss_parameter_supported = js(o.bool("issParameterSupported"))?.unwrap_or(false);
        c.scope = js(o.string("scope"))?;
        c.dpop = js(o.bool("dpop"))?.unwrap_or(false);
        if let Some(ttl) = js(o.uint("pendingTtlMs"))? {
            c.pending_ttl_ms = ttl;
        }
        Ok(Self {
            inner: js(Core::new(c))?,
        })
    }

    /// Builds the authorization URL and remembers the flow (one-time, expiring).
    #[wasm_bindgen(unchecked_return_type = "AuthorizationRequest")]
    pub fn authorize(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AuthorizeOptions | undefined")] options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
            &options,
            "options",
            &[
                "scope",
                "nonce",
                "extraParams",
                "verifierLength",
                "carry",
                "now",
            ],
        ))?;
        let carry = js(o.bool("carry"))?.unwrap_or(false);
        let opts = AuthorizeOptions {
            scope: js(o.string("scope"))?,
            nonce: js(o.bool("nonce"))?.unwrap_or(false),
            extra: js(o.string_map("extraParams"))?,
            verifier_length: js(o.uint("verifierLength"))?
                .map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
        };
        let req = js(self.inner.authorize(opts, js(o.now())?))?;
        let out = new_object();
        set(&out, "url", &req.url.as_str().into());
        set(&out, "state", &req.state.as_str().into());
        opt_str(&out, "nonce", req.nonce.as_deref());
        if carry {
            // Only when the caller keeps the flow itself: otherwise the verifier
            // never leaves the wasm instance.
            set(&out, "codeVerifier", &req.code_verifier.expose().into());
            opt_str(&out, "scope", req.scope.as_deref());
        }
        set(&out, "expiresAt", &(req.expires_at as f64).into());
        Ok(out)
    }

    /// Checks a callback URL: redirect URI, structure, `iss`, `state` (one-time),
    /// then `error`. Returns a response for `tokenRequest`.
    #[wasm_bindgen(js_name = handleCallback)]
    pub fn handle_callback(
        &mut self,
        url: &str,
        #[wasm_bindgen(unchecked_param_type = "CallbackOptions | undefined")] options: JsValue,
    ) -> JsResult<JsAuthorizationResponse> {
        let o = js(Options::read(
            &options,
            "options",
            &[
                "now",
                "expectedState",
                "codeVerifier",
                "nonce",
                "expiresAt",
                "scope",
            ],
        ))?;
        let now = js(o.now())?;
        let carried = match (
            js(o.string("expectedState"))?,
            js(o.string("codeVerifier"))?,
        ) {
            (None, None) => None,
            (Some(expected_state), Some(v)) => {
                // Leaving `nonce` out would silently turn the ID token's nonce
                // check off; the caller must say `nonce: null` if none was sent.
                if !o.has("nonce") {
                    return Err(super::interop::to_js_error(Error::InvalidArgument {
                        field: "nonce",
                        reason: "with a carried flow, pass the nonce from authorize() (or null if none was sent)",
                    }));
                }
                Some(CarriedFlow {
                    expected_state,
                    code_verifier: js(CodeVerifier::parse(&v))?,
                    nonce: js(o.string("nonce"))?,
                    expires_at: js(o.uint("expiresAt"))?,
                    scope: js(o.string("scope"))?,
                })
            }
            _ => {
                return Err(super::interop::to_js_error(Error::InvalidArgument {
                    field: "expectedState",
                    reason: "`expectedState` and `codeVerifier` are given together or not at all",
                }))
            }
        };
        let r = js(self.inner.handle_callback(url, now, carried))?;
        Ok(JsAuthorizationResponse {
            state: r.state.clone(),
            nonce: r.nonce.clone(),
            iss: r.iss.clone(),
            inner: Some(r),
        })
    }

    /// The token request for a validated response (consumes it): `{ url, method, headers, body }`.
    #[wasm_bindgen(js_name = tokenRequest, unchecked_return_type = "TokenHttpRequest")]
    pub fn token_request(&mut self, response: &mut JsAuthorizationResponse) -> JsResult<JsValue> {
        let r = response.inner.take().ok_or(super::interop::to_js_error(
            VaultError::ResponseConsumed.into(),
        ))?;
        Ok(token_request_js(&js(self.inner.token_request(r))?))
    }

    /// The refresh request (`grant_type=refresh_token`) for your `fetch`.
    #[wasm_bindgen(js_name = refreshRequest, unchecked_return_type = "TokenHttpRequest")]
    pub fn refresh_request(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RefreshOptions | undefined")] options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(&options, "options", &["scope"]))?;
        let scope = js(o.string("scope"))?;
        Ok(token_request_js(&js(self
            .inner
            .refresh_request(scope.as_deref()))?))
    }

    /// Validates the token endpoint's response (the body text, or the parsed
    /// object) and stores the tokens. Returns public facts only.
    #[wasm_bindgen(js_name = acceptTokenResponse, unchecked_return_type = "TokenInfo")]
    pub fn accept_token_response(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TokenResponseOptions | undefined")] options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(&options, "options", &["now", "status"]))?;
        let status = match js(o.uint("status"))? {
            Some(s) => Some(js(u16::try_from(s).map_err(|_| Error::InvalidArgument {
                field: "status",
                reason: "not an HTTP status",
            }))?),
            None => None,
        };
        let text = Zeroizing::new(js(json_text(&body, "body"))?);
        let info = js(self
            .inner
            .accept_token_response(&text, status, js(o.now())?))?;
        Ok(token_info_js(&info))
    }

    /// `"Bearer <token>"` for an API call's `Authorization` header. This is the
    /// one way a token leaves the vault: send it, do not store or log it.
    #[wasm_bindgen(js_name = authorizationHeader, unchecked_return_type = "string")]
    pub fn authorization_header(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TimeOptions | undefined")] options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(&options, "options", &["now"]))?;
        let header = js(self.inner.authorization_header(js(o.now())?))?;
        // Straight from the zeroizing buffer into a JS string: no Rust copy left behind.
        Ok(JsValue::from_str(&header))
    }

    /// Whether the access token should be refreshed (none held, or expiring within the leeway).
    #[wasm_bindgen(js_name = needsRefresh)]
    pub fn needs_refresh(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NeedsRefreshOptions | undefined")] options: JsValue,
    ) -> JsResult<bool> {
        let o = js(Options::read(
            &options,
            "options",
            &["now", "leewaySeconds"],
        ))?;
        Ok(self
            .inner
            .needs_refresh(js(o.now())?, js(o.uint("leewaySeconds"))?.unwrap_or(60)))
    }

    /// Public facts about the held tokens, or `null`.
    #[wasm_bindgen(js_name = tokenInfo, unchecked_return_type = "TokenInfo | null")]
    pub fn token_info(&self) -> JsValue {
        self.inner
            .token_info()
            .as_ref()
            .map(token_info_js)
            .unwrap_or(JsValue::NULL)
    }

    /// The validated claims of the held ID token (`sub`, `email`, ...), or
    /// `null`. These are facts about the user, not the token.
    #[wasm_bindgen(js_name = idTokenClaims, unchecked_return_type = "Record<string, unknown> | null")]
    pub fn id_token_claims(&self) -> JsValue {
        self.inner
            .id_token_claims()
            .and_then(|c| super::host::json_parse(&c.json).ok())
            .unwrap_or(JsValue::NULL)
    }

    /// Forgets (and zeroizes) every token and pending authorization.
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// Configuration and token facts; never a token.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let c = self.inner.config();
        let o = new_object();
        set(&o, "clientId", &c.client_id.as_str().into());
        set(&o, "redirectUri", &c.redirect_uri.as_str().into());
        opt_str(&o, "issuer", c.issuer.as_deref());
        set(&o, "tokenInfo", &self.token_info());
        o
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let mut s = String::from("[OAuthClient ");
        s.push_str(&self.inner.config().client_id);
        s.push(']');
        s
    }
}
