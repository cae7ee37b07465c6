//! `OAuthClient`: one public client, its pending authorizations and its vault.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::callback;
use super::dpop::{self, DpopKey, Nonces};
use super::id_token::{self, Expected, IdTokenClaims};
use super::pkce::{CodeVerifier, VERIFIER_DEFAULT_LEN};
use super::token::{parse_response, valid_scope, TokenRequest, TokenType};
use super::vault::{Replace, TokenInfo, TokenVault};
use crate::error::{CallbackError, Error, IdTokenError, ProviderError, Result, VaultError};
use crate::one_time::{Miss, OneTimeStore};
use crate::random;
use crate::secret::{ct_eq_str, Secret};
use crate::url::{append_query, check_endpoint, HttpUrl};

/// How long a pending authorization stays valid by default (10 minutes).
pub const DEFAULT_PENDING_TTL_MS: u64 = 10 * 60 * 1000;

/// Configuration of a public client. There is no field for a secret: a client
/// that needs one is a confidential client and belongs on a server.
///
/// ```
/// use edge_sso::oauth::ClientConfig;
/// let config = ClientConfig::new(
///     "https://op.example/authorize",
///     "https://op.example/token",
///     "my-spa",
///     "https://app.example/callback",
/// );
/// assert_eq!(config.pending_ttl_ms, 600_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The authorization endpoint (may carry a query, which is kept).
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The client identifier.
    pub client_id: String,
    /// The registered redirect URI, matched exactly on callback.
    pub redirect_uri: String,
    /// The issuer identifier, compared with `iss` on callback (RFC 9207).
    pub issuer: Option<String>,
    /// Whether the issuer advertises `authorization_response_iss_parameter_supported`;
    /// then `iss` is required on every callback.
    pub iss_parameter_supported: bool,
    /// The default scope of authorization requests.
    pub scope: Option<String>,
    /// Accept DPoP-bound tokens instead of bearer tokens.
    pub dpop: bool,
    /// How long a pending authorization stays valid, in milliseconds.
    pub pending_ttl_ms: u64,
    /// The UserInfo endpoint (OIDC Core §5.3).
    pub userinfo_endpoint: Option<String>,
    /// The revocation endpoint (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// The end-session endpoint (OIDC RP-Initiated Logout 1.0).
    pub end_session_endpoint: Option<String>,
    /// The pushed authorization request endpoint (RFC 9126).
    pub par_endpoint: Option<String>,
    /// The server accepts only pushed authorization requests: then
    /// [`OAuthClient::authorize`] is refused.
    pub require_par: bool,
    /// The clock difference allowed with the issuer for the ID token's
    /// `exp`, `iat`, `nbf` and `auth_time`, in seconds (`clockSkewSeconds`,
    /// default [`ID_TOKEN_CLOCK_SKEW_SECONDS`](super::id_token::ID_TOKEN_CLOCK_SKEW_SECONDS), at most 3600).
    pub clock_skew_seconds: u64,
}

impl ClientConfig {
    /// A configuration with the four required values and defaults elsewhere.
    pub fn new(
        authorization_endpoint: impl Into<String>,
        token_endpoint: impl Into<String>,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            authorization_endpoint: authorization_endpoint.into(),
            token_endpoint: token_endpoint.into(),
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            issuer: None,
            iss_parameter_supported: false,
            scope: None,
            dpop: false,
            pending_ttl_ms: DEFAULT_PENDING_TTL_MS,
            userinfo_endpoint: None,
            revocation_endpoint: None,
            end_session_endpoint: None,
            par_endpoint: None,
            require_par: false,
            clock_skew_seconds: super::id_token::ID_TOKEN_CLOCK_SKEW_SECONDS,
        }
    }

    // Out of line in the OAuth-only module, where inlining it into
    // `OAuthClient::new` made that module larger; the full module is smaller
    // with it inlined (BENCHMARKS.md, "Figures behind code comments").
    #[cfg_attr(not(feature = "saml"), inline(never))]
    fn validate(&self) -> Result<()> {
        check_endpoint("authorizationEndpoint", &self.authorization_endpoint)?;
        check_endpoint("tokenEndpoint", &self.token_endpoint)?;
        check_endpoint("redirectUri", &self.redirect_uri)?;
        for (field, url) in [
            ("userinfoEndpoint", &self.userinfo_endpoint),
            ("revocationEndpoint", &self.revocation_endpoint),
            ("endSessionEndpoint", &self.end_session_endpoint),
            ("pushedAuthorizationRequestEndpoint", &self.par_endpoint),
        ] {
            if let Some(u) = url {
                check_endpoint(field, u)?;
            }
        }
        if self.require_par && self.par_endpoint.is_none() {
            return Err(Error::InvalidArgument {
                field: "pushedAuthorizationRequestEndpoint",
                reason: "required when the server requires pushed authorization requests",
            });
        }
        if let Some(issuer) = &self.issuer {
            check_endpoint("issuer", issuer)?;
        } else if self.iss_parameter_supported {
            return Err(Error::InvalidArgument {
                field: "issuer",
                reason: "required when the issuer supports the RFC 9207 `iss` parameter",
            });
        }
        if self.client_id.is_empty()
            || !crate::ascii::all(self.client_id.as_bytes(), crate::ascii::vschar)
        {
            return Err(Error::InvalidArgument {
                field: "clientId",
                reason: "must be non-empty printable ASCII",
            });
        }
        if self.scope.as_deref().is_some_and(|s| !valid_scope(s)) {
            return Err(Error::InvalidArgument {
                field: "scope",
                reason: "not a space-separated list of scope tokens",
            });
        }
        if self.clock_skew_seconds > 3600 {
            return Err(Error::InvalidArgument {
                field: "clockSkewSeconds",
                reason: "at most 3600 (one hour)",
            });
        }
        if !(1_000..=24 * 3600 * 1000).contains(&self.pending_ttl_ms) {
            return Err(Error::InvalidArgument {
                field: "pendingTtlMs",
                reason: "must be between 1 second and 24 hours",
            });
        }
        let endpoint =
            HttpUrl::parse(&self.authorization_endpoint).map_err(|_| Error::InsecureUrl {
                field: "authorizationEndpoint",
            })?;
        let fixed = crate::url::parse_query(endpoint.query.unwrap_or("")).ok_or(
            Error::InvalidArgument {
                field: "authorizationEndpoint",
                reason: "its query has bad percent-encoding",
            },
        )?;
        for (name, _) in fixed {
            if let Some(owned) = reserved(&name) {
                return Err(owned);
            }
        }
        // A credential fixed in the token endpoint's own query would be sent
        // with every token request: refused like one in an authorization
        // request (it belongs on a server).
        let token = HttpUrl::parse(&self.token_endpoint).map_err(|_| Error::InsecureUrl {
            field: "tokenEndpoint",
        })?;
        let fixed =
            crate::url::parse_query(token.query.unwrap_or("")).ok_or(Error::InvalidArgument {
                field: "tokenEndpoint",
                reason: "its query has bad percent-encoding",
            })?;
        for (name, _) in fixed {
            if let Some(n) = TOKEN_CREDENTIALS.iter().find(|n| **n == name) {
                return Err(Error::SecretRefused { field: n });
            }
        }
        Ok(())
    }
}

/// An optional endpoint the call needs, or an error naming its option.
fn configured<'a>(field: &'static str, url: &'a Option<String>) -> Result<&'a str> {
    url.as_deref().ok_or(Error::InvalidArgument {
        field,
        reason: "is not configured",
    })
}

/// Parameters that carry a client or user credential to the token endpoint.
const TOKEN_CREDENTIALS: [&str; 5] = [
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "password",
    "username",
];

/// Parameters the client sets itself, and those that would need a secret.
fn reserved(name: &str) -> Option<Error> {
    const OWNED: [&str; 10] = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "response_mode",
        // Set by `acceptParResponse` from the server's answer (RFC 9126 §4),
        // never beside the parameters it stands for.
        "request_uri",
    ];
    const NEED_SECRET: [&str; 4] = [
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "request",
    ];
    if let Some(n) = OWNED.iter().find(|n| **n == name) {
        return Some(Error::ReservedParameter { name: n });
    }
    NEED_SECRET
        .iter()
        .find(|n| **n == name)
        .map(|n| Error::SecretRefused { field: n })
}

/// Options of one authorization request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeOptions {
    /// Overrides the configured scope.
    pub scope: Option<String>,
    /// Send an OpenID Connect `nonce` (generated here).
    pub nonce: bool,
    /// Further parameters (`prompt`, `login_hint`, `resource`, ...). Those the
    /// client owns, and those that would need a secret, are refused.
    pub extra: Vec<(String, String)>,
    /// Length of the PKCE verifier (43–128, default 64).
    pub verifier_length: Option<usize>,
}

/// A started authorization: where to send the user, and what to carry if the
/// caller keeps the flow itself (a page that navigates away, an edge worker
/// with a cookie) instead of leaving it in this client's memory.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// The authorization URL.
    pub url: String,
    /// The `state` sent (public, but one-time).
    pub state: String,
    /// The `nonce` sent, if asked for.
    pub nonce: Option<String>,
    /// The PKCE verifier (secret until the token request: carry it only in an
    /// HttpOnly cookie or in memory).
    pub code_verifier: CodeVerifier,
    /// When the pending authorization expires (ms since the epoch).
    pub expires_at: u64,
    /// The scope requested.
    pub scope: Option<String>,
    /// The `max_age` sent (in `extra`), in seconds: the ID token must then
    /// have an `auth_time` no older (OIDC Core §3.1.2.1).
    pub max_age: Option<u64>,
}

/// A pushed authorization request: the POST for the PAR endpoint, and the
/// flow it starts (its `url` comes from [`OAuthClient::accept_par_response`]).
#[derive(Debug)]
pub struct PushedRequest {
    /// The request for the PAR endpoint.
    pub request: TokenRequest,
    /// The flow, as [`OAuthClient::authorize`] returns it, with an empty `url`.
    pub authorization: AuthorizationRequest,
}

/// A request to a protected resource.
#[derive(Debug)]
pub struct ResourceRequest {
    /// The `Authorization` header value (`Bearer …` or `DPoP …`): a secret.
    pub authorization: Zeroizing<String>,
    /// With DPoP: the signing input of the request's proof.
    pub dpop_input: Option<String>,
}

/// Which token to revoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// The access token.
    AccessToken,
    /// The refresh token.
    RefreshToken,
}

/// Options of [`OAuthClient::logout_url`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutOptions {
    /// Where the server sends the user afterwards (registered with it).
    pub post_logout_redirect_uri: Option<String>,
    /// A value the server hands back with that redirect.
    pub state: Option<String>,
    /// Put the held ID token in the URL as `id_token_hint`.
    pub id_token_hint: bool,
    /// `ui_locales`.
    pub ui_locales: Option<String>,
}

/// A flow the caller carried itself, handed back to [`OAuthClient::handle_callback`].
#[derive(Debug)]
pub struct CarriedFlow {
    /// The `state` that was sent; compared in constant time.
    pub expected_state: String,
    /// The PKCE verifier that was generated.
    pub code_verifier: CodeVerifier,
    /// The nonce that was sent, if any.
    pub nonce: Option<String>,
    /// When the flow expires (ms); `None` when the carrier (e.g. a cookie's
    /// `Max-Age`) enforces expiry itself.
    pub expires_at: Option<u64>,
    /// The scope that was requested, if it differs from the configured one.
    pub scope: Option<String>,
    /// The `max_age` that was sent, if any.
    pub max_age: Option<u64>,
}

/// A callback that passed every check: proof that `iss` and `state` matched.
///
/// Only [`OAuthClient::handle_callback`] can make one, and
/// [`OAuthClient::token_request`] consumes it, so a code is exchanged at most
/// once and never without its checks.
#[derive(Debug)]
pub struct AuthorizationResponse {
    client_instance: u64,
    code: Secret,
    verifier: CodeVerifier,
    /// The state that matched.
    pub state: String,
    /// The nonce that was sent with this authorization, if any.
    pub nonce: Option<String>,
    /// The `iss` parameter, if the server sent one (already checked).
    pub iss: Option<String>,
    scope: Option<String>,
    max_age: Option<u64>,
}

/// What a pending authorization must bring back to the callback.
#[derive(Debug)]
struct Pending {
    verifier: CodeVerifier,
    nonce: Option<String>,
    scope: Option<String>,
    max_age: Option<u64>,
}

/// What a token-endpoint request expects of its answer.
#[derive(Debug)]
enum Expecting {
    /// A code exchange: a new grant, with this scope, nonce and `max_age`.
    Code {
        scope: Option<String>,
        nonce: Option<String>,
        max_age: Option<u64>,
    },
    /// A refresh of the grant held when it was made.
    Refresh { scope: Option<String> },
}

/// A token-endpoint request whose answer may still come.
#[derive(Debug)]
struct Outstanding {
    id: u32,
    expecting: Expecting,
    /// [`OAuthClient::grant`] when the request was made: a refresh answered
    /// after the grant changed is the old grant's, and is refused.
    grant: u32,
}

/// Most token-endpoint requests awaiting an answer at once; a request whose
/// fetch failed is never answered, so the oldest makes room for a new one.
const MAX_OUTSTANDING: usize = 8;

/// RFC 6749 §10.10: a state carried by the caller must have at least 128
/// bits; 22 base64url characters is the shortest such string.
const MIN_CARRIED_STATE_LEN: usize = 22;

/// A public OAuth 2.0 client (authorization code + PKCE), with its pending
/// authorizations and its token vault, all in memory.
///
/// ```
/// use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
/// let mut config = ClientConfig::new(
///     "https://op.example/authorize", "https://op.example/token",
///     "my-spa", "https://app.example/callback");
/// config.issuer = Some("https://op.example".into());
/// let mut client = OAuthClient::new(config).unwrap();
/// let now = 1_700_000_000_000;
/// let req = client.authorize(AuthorizeOptions::default(), now).unwrap();
/// // ... the user logs in and comes back:
/// let back = format!("https://app.example/callback?code=abc&state={}&iss=https%3A%2F%2Fop.example", req.state);
/// let response = client.handle_callback(&back, now + 5_000, None).unwrap();
/// let token_request = client.token_request(response).unwrap();
/// assert!(token_request.body.expose().contains("grant_type=authorization_code"));
/// // ... fetch it, then:
/// let info = client.accept_token_response(
///     r#"{"access_token":"at","token_type":"Bearer","expires_in":300}"#, Some(200), now + 6_000).unwrap();
/// assert_eq!(info.expires_at, Some(now + 306_000));
/// assert_eq!(&*client.authorization_header(now + 7_000).unwrap(), "Bearer at");
/// ```
#[derive(Debug)]
pub struct OAuthClient {
    config: ClientConfig,
    instance: u64,
    pending: OneTimeStore<Pending>,
    vault: TokenVault,
    outstanding: Vec<Outstanding>,
    next_request: u32,
    /// Counts the answers stored: which grant the vault holds.
    grant: u32,
    /// The request number of the code exchange whose answer is held: an
    /// older login's answer must not replace it.
    held_login: Option<u32>,
    dpop_key: Option<DpopKey>,
    nonces: Nonces,
}

impl OAuthClient {
    /// Checks the configuration and creates the client.
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        let mut id = [0u8; 8];
        random::fill(&mut id)?;
        Ok(Self {
            config,
            instance: u64::from_le_bytes(id),
            pending: OneTimeStore::default(),
            vault: TokenVault::default(),
            outstanding: Vec::new(),
            next_request: 0,
            grant: 0,
            held_login: None,
            dpop_key: None,
            nonces: Nonces::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Builds the authorization URL and remembers the flow (one-time, expiring).
    /// Refused ([`ProviderError::ParRequired`]) when the server requires
    /// pushed authorization requests: use [`Self::pushed_authorization_request`].
    pub fn authorize(
        &mut self,
        options: AuthorizeOptions,
        now: u64,
    ) -> Result<AuthorizationRequest> {
        if self.config.require_par {
            return Err(ProviderError::ParRequired.into());
        }
        Ok(self.start(options, now, false)?.0)
    }

    /// The pushed authorization request (RFC 9126 §2.1) for the caller's
    /// `fetch`: the authorization parameters as a form POSTed to the PAR
    /// endpoint, and the flow, remembered as [`Self::authorize`] remembers
    /// it (its `url` is empty: [`Self::accept_par_response`] makes it).
    ///
    /// ```
    /// use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
    /// let mut c = ClientConfig::new("https://op.example/auth", "https://op.example/token",
    ///     "spa", "https://app.example/cb");
    /// c.par_endpoint = Some("https://op.example/par".into());
    /// c.require_par = true;
    /// let mut client = OAuthClient::new(c).unwrap();
    /// assert_eq!(client.authorize(AuthorizeOptions::default(), 0).unwrap_err().code(), "oauth.par.required");
    /// let pushed = client.pushed_authorization_request(AuthorizeOptions::default(), 0).unwrap();
    /// assert!(pushed.request.body.expose().contains("code_challenge_method=S256"));
    /// let url = client.accept_par_response(
    ///     r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#, Some(201)).unwrap();
    /// assert_eq!(url, "https://op.example/auth?client_id=spa&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc");
    /// ```
    pub fn pushed_authorization_request(
        &mut self,
        options: AuthorizeOptions,
        now: u64,
    ) -> Result<PushedRequest> {
        configured(
            "pushedAuthorizationRequestEndpoint",
            &self.config.par_endpoint,
        )?;
        let (authorization, request) = self.start(options, now, true)?;
        let request = request.ok_or(Error::InvalidArgument {
            field: "pushedAuthorizationRequestEndpoint",
            reason: "is not configured",
        })?;
        Ok(PushedRequest {
            request,
            authorization,
        })
    }

    /// The authorization URL from the PAR endpoint's answer (RFC 9126 §2.2,
    /// §4): the authorization endpoint with `client_id` and `request_uri`.
    pub fn accept_par_response(&self, body: &str, status: Option<u16>) -> Result<String> {
        if body.len() > super::MAX_TOKEN_RESPONSE_LEN {
            return Err(ProviderError::ParMalformed("the response is larger than 256 KiB").into());
        }
        let map = crate::json::parse_object(body);
        // RFC 9126 §2.2: a pushed request is answered with 201 Created, and
        // nothing else is success; an unknown status (a caller passing the
        // body alone) is judged by the body.
        let ok_status = status.is_none_or(|s| s == 201);
        if let Some(m) = &map {
            if let Some(e) = m.get("error") {
                let text = |k: &str| m.get(k).and_then(crate::json::Value::as_str);
                let r = e
                    .as_str()
                    .and_then(|e| {
                        crate::ErrorResponse::from_parts(
                            e,
                            text("error_description"),
                            text("error_uri"),
                        )
                    })
                    .ok_or(ProviderError::ParMalformed(
                        "its `error` is not an OAuth error code",
                    ))?;
                return Err(Error::TokenError(r));
            }
        }
        let map = match map {
            Some(m) if ok_status => m,
            Some(_) => {
                return Err(ProviderError::ParMalformed(
                    "the status is not 201 Created (RFC 9126 §2.2)",
                )
                .into())
            }
            None => return Err(ProviderError::ParMalformed("not a JSON object").into()),
        };
        let uri = map
            .get("request_uri")
            .and_then(crate::json::Value::as_str)
            .filter(|u| crate::ascii::find(u.as_bytes(), b':').is_some())
            .filter(|u| crate::ascii::all(u.as_bytes(), crate::ascii::vschar))
            .ok_or(ProviderError::ParMalformed(
                "`request_uri` is missing or not a URI",
            ))?;
        if map
            .get("expires_in")
            .and_then(super::token::lifetime_seconds)
            .is_none_or(|v| v == 0)
        {
            return Err(ProviderError::ParMalformed(
                "`expires_in` is missing or not a positive number of seconds",
            )
            .into());
        }
        Ok(append_query(
            &self.config.authorization_endpoint,
            &[("client_id", &self.config.client_id), ("request_uri", uri)],
        ))
    }

    /// The authorization parameters of a new flow, remembered as pending;
    /// as a URL, or (`pushed`) as the body of a PAR request.
    fn start(
        &mut self,
        options: AuthorizeOptions,
        now: u64,
        pushed: bool,
    ) -> Result<(AuthorizationRequest, Option<TokenRequest>)> {
        let scope = options.scope.or_else(|| self.config.scope.clone());
        if scope.as_deref().is_some_and(|s| !valid_scope(s)) {
            return Err(Error::InvalidArgument {
                field: "scope",
                reason: "not a space-separated list of scope tokens",
            });
        }
        for (name, _) in &options.extra {
            if let Some(e) = reserved(name) {
                return Err(e);
            }
            if name.is_empty() {
                return Err(Error::InvalidArgument {
                    field: "extraParams",
                    reason: "a parameter name is empty",
                });
            }
        }
        for (i, (name, _)) in options.extra.iter().enumerate() {
            if options.extra.iter().skip(i + 1).any(|(n, _)| n == name) {
                return Err(Error::InvalidArgument {
                    field: "extraParams",
                    reason: "a parameter is given twice",
                });
            }
        }
        // OIDC Core §3.1.2.1: with `max_age` the ID token must say when the
        // user authenticated, and not longer ago than that.
        let max_age = match options.extra.iter().find(|(k, _)| k == "max_age") {
            None => None,
            Some((_, v)) => Some(crate::ascii::decimal_u64(v).ok_or(Error::InvalidArgument {
                field: "extraParams",
                reason: "`max_age` must be a number of seconds (decimal digits)",
            })?),
        };
        let verifier =
            CodeVerifier::generate(options.verifier_length.unwrap_or(VERIFIER_DEFAULT_LEN))?;
        let challenge = verifier.challenge();
        let state = random::random_state()?;
        let nonce = if options.nonce {
            Some(random::random_nonce()?)
        } else {
            None
        };

        let mut params: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &self.config.client_id),
            ("redirect_uri", &self.config.redirect_uri),
        ];
        if let Some(s) = &scope {
            params.push(("scope", s));
        }
        params.push(("state", &state));
        params.push(("code_challenge", challenge.as_str()));
        params.push(("code_challenge_method", challenge.method()));
        if let Some(n) = &nonce {
            params.push(("nonce", n));
        }
        for (k, v) in &options.extra {
            params.push((k, v));
        }
        let (url, request) = match (pushed, &self.config.par_endpoint) {
            (true, Some(par)) => (
                String::new(),
                Some(TokenRequest::form(par, &params, u32::MAX)),
            ),
            _ => (
                append_query(&self.config.authorization_endpoint, &params),
                None,
            ),
        };

        let expires_at = now.saturating_add(self.config.pending_ttl_ms);
        let carried_copy = CodeVerifier::parse(verifier.expose())?;
        self.pending.insert(
            state.clone(),
            Pending {
                verifier,
                nonce: nonce.clone(),
                scope: scope.clone(),
                max_age,
            },
            expires_at,
            now,
        );
        Ok((
            AuthorizationRequest {
                url,
                state,
                nonce,
                code_verifier: carried_copy,
                expires_at,
                scope,
                max_age,
            },
            request,
        ))
    }

    /// Checks the callback URL and returns the validated response.
    ///
    /// Order (RFC 9700 §4.4, RFC 9207): structure and redirect URI, then
    /// `iss`, then `state` (constant time, one-time), and only then `error`
    /// (an error response is not believed before its state matched) or `code`.
    ///
    /// With `carried = None` the state is looked up among this client's pending
    /// authorizations; with `Some`, the caller supplies the flow it kept.
    pub fn handle_callback(
        &mut self,
        url: &str,
        now: u64,
        carried: Option<CarriedFlow>,
    ) -> Result<AuthorizationResponse> {
        let raw = callback::parse(url, &self.config.redirect_uri)?;
        match (&self.config.issuer, &raw.iss) {
            (Some(expected), Some(got)) if got != expected => {
                return Err(CallbackError::IssMismatch.into())
            }
            (Some(_), None) if self.config.iss_parameter_supported => {
                return Err(CallbackError::IssMissing.into())
            }
            (None, Some(_)) => return Err(CallbackError::IssUnverifiable.into()),
            _ => {}
        }
        let state = raw.state.as_deref().ok_or(CallbackError::StateMissing)?;
        let pending = match carried {
            None => self.pending.take(state, now).map_err(|miss| match miss {
                Miss::Unknown => CallbackError::StateMismatch,
                Miss::Reused => CallbackError::StateReused,
                Miss::Expired => CallbackError::StateExpired,
            })?,
            Some(flow) => {
                if flow.expected_state.len() < MIN_CARRIED_STATE_LEN {
                    return Err(Error::InvalidArgument {
                        field: "expectedState",
                        reason: "a state must carry at least 128 bits (22 or more characters)",
                    });
                }
                if !ct_eq_str(&flow.expected_state, state) {
                    return Err(CallbackError::StateMismatch.into());
                }
                if self.pending.was_used(state) {
                    return Err(CallbackError::StateReused.into());
                }
                self.pending.mark_used(state);
                if flow.expires_at.is_some_and(|t| now >= t) {
                    return Err(CallbackError::StateExpired.into());
                }
                Pending {
                    verifier: flow.code_verifier,
                    nonce: flow.nonce,
                    scope: flow.scope,
                    max_age: flow.max_age,
                }
            }
        };
        if let Some(error) = raw.error_response() {
            return Err(Error::AuthorizationError(error?));
        }
        let code = raw.code.ok_or(CallbackError::CodeMissing)?;
        Ok(AuthorizationResponse {
            client_instance: self.instance,
            code,
            verifier: pending.verifier,
            state: state.to_owned(),
            nonce: pending.nonce,
            scope: pending.scope,
            max_age: pending.max_age,
            iss: raw.iss,
        })
    }

    /// The token request exchanging a validated response's code
    /// (`grant_type=authorization_code`, RFC 6749 §4.1.3 + RFC 7636 §4.5).
    pub fn token_request(&mut self, response: AuthorizationResponse) -> Result<TokenRequest> {
        if response.client_instance != self.instance {
            return Err(Error::InvalidArgument {
                field: "response",
                reason: "this authorization response was validated by another client",
            });
        }
        let id = self.expect(Expecting::Code {
            scope: response.scope.or_else(|| self.config.scope.clone()),
            nonce: response.nonce,
            max_age: response.max_age,
        });
        Ok(TokenRequest::form(
            &self.config.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", response.code.expose()),
                ("redirect_uri", &self.config.redirect_uri),
                ("client_id", &self.config.client_id),
                ("code_verifier", response.verifier.expose()),
            ],
            id,
        ))
    }

    /// The refresh request (`grant_type=refresh_token`, RFC 6749 §6). `scope`
    /// may narrow the grant.
    ///
    /// A refresh still awaiting its answer stays outstanding: a rotating
    /// server honours at most one of two that spend the same refresh token,
    /// and which one is known only from the answers, so the first answer that
    /// succeeds is kept and the other is then refused as superseded (its
    /// grant is no longer held). Dropping the first instead would lose the
    /// rotated refresh token whenever the server honoured the first.
    pub fn refresh_request(&mut self, scope: Option<&str>) -> Result<TokenRequest> {
        if scope.is_some_and(|s| !valid_scope(s)) {
            return Err(Error::InvalidArgument {
                field: "scope",
                reason: "not a space-separated list of scope tokens",
            });
        }
        if self.vault.refresh_token().is_none() {
            return Err(VaultError::NoRefreshToken.into());
        }
        let id = self.expect(Expecting::Refresh {
            scope: scope.map(str::to_owned),
        });
        let refresh = self
            .vault
            .refresh_token()
            .ok_or(VaultError::NoRefreshToken)?;
        let mut params = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", self.config.client_id.as_str()),
        ];
        if let Some(s) = scope {
            params.push(("scope", s));
        }
        Ok(TokenRequest::form(&self.config.token_endpoint, &params, id))
    }

    /// Whether every outstanding request is a refresh of the held grant for
    /// one scope: any of them may take an answer that names none.
    fn refreshes_alike(&self) -> bool {
        let mut scopes = self.outstanding.iter().map(|o| match &o.expecting {
            Expecting::Refresh { scope } if o.grant == self.grant => Some(scope),
            _ => None,
        });
        match scopes.next() {
            Some(Some(first)) => scopes.all(|s| s == Some(first)),
            _ => false,
        }
    }

    /// Remembers a request about to be made, under a new number.
    fn expect(&mut self, expecting: Expecting) -> u32 {
        if self.outstanding.len() >= MAX_OUTSTANDING {
            self.outstanding.remove(0);
        }
        let id = self.next_request;
        self.next_request = id.wrapping_add(1);
        self.outstanding.push(Outstanding {
            id,
            expecting,
            grant: self.grant,
        });
        id
    }

    /// Validates the token endpoint's answer to the one token request
    /// awaiting an answer and stores the tokens. Returns public facts only.
    /// With several outstanding, [`Self::accept_token_response_for`] says
    /// which one it answers.
    ///
    /// Each answer is checked against what its own request expects (a code
    /// exchange's nonce and scope), so two requests in flight cannot trade
    /// answers. A code exchange's answer is a new login and replaces what is
    /// held, unless a login asked for after it is held already (an older
    /// login answered last does not replace the newer one: refused as
    /// [`VaultError::Superseded`]). A refresh's answer is refused as
    /// superseded once another answer was stored after the refresh was asked
    /// for: it belongs to a grant no longer held.
    ///
    /// Without a request number, the one outstanding request is answered;
    /// several are ambiguous unless they are all refreshes of the held grant
    /// for the same scope, which expect the same answer (a refresh asked for
    /// again after a failed fetch, say).
    ///
    /// An ID token in the response has its claims checked (OIDC Core
    /// §3.1.3.7): `iss`, `aud`/`azp`, `exp`, `iat`, and `nonce` when one was
    /// sent; on refresh, the same subject, issuer and audience (§12.2). Its
    /// signature is not verified: it came straight from the token endpoint
    /// over TLS, which §3.1.3.7 item 6 accepts in its place.
    pub fn accept_token_response(
        &mut self,
        body: &str,
        status: Option<u16>,
        now: u64,
    ) -> Result<TokenInfo> {
        self.accept(body, status, now, None)
    }

    /// Validates the token endpoint's answer to request `id` (its
    /// [`TokenRequest::id`]), as [`Self::accept_token_response`] does.
    ///
    /// ```
    /// # use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
    /// # let mut client = OAuthClient::new(ClientConfig::new("https://op.example/a",
    /// #     "https://op.example/t", "spa", "https://app.example/cb")).unwrap();
    /// # let mut login = |c: &mut OAuthClient| {
    /// #     let req = c.authorize(AuthorizeOptions::default(), 0).unwrap();
    /// #     let back = format!("https://app.example/cb?code=c&state={}", req.state);
    /// #     let r = c.handle_callback(&back, 1, None).unwrap();
    /// #     c.token_request(r).unwrap()
    /// # };
    /// let first = login(&mut client);
    /// let second = login(&mut client);
    /// let body = r#"{"access_token":"at","token_type":"Bearer"}"#;
    /// // Two requests await an answer: say which one this is.
    /// assert!(client.accept_token_response(body, Some(200), 2).is_err());
    /// assert!(client.accept_token_response_for(second.id, body, Some(200), 2).is_ok());
    /// // The older login, answered last, does not replace the newer one.
    /// let late = client.accept_token_response_for(first.id, body, Some(200), 3);
    /// assert_eq!(late.unwrap_err().code(), "oauth.token.superseded");
    /// ```
    pub fn accept_token_response_for(
        &mut self,
        id: u32,
        body: &str,
        status: Option<u16>,
        now: u64,
    ) -> Result<TokenInfo> {
        self.accept(body, status, now, Some(id))
    }

    fn accept(
        &mut self,
        body: &str,
        status: Option<u16>,
        now: u64,
        request: Option<u32>,
    ) -> Result<TokenInfo> {
        let i = match request {
            Some(id) => self.outstanding.iter().position(|o| o.id == id),
            None if self.outstanding.len() > 1 && !self.refreshes_alike() => {
                return Err(VaultError::RequestAmbiguous.into())
            }
            None => self.outstanding.len().checked_sub(1),
        }
        .ok_or(VaultError::NotOutstanding)?;
        // The request is answered by this response whatever its outcome: a
        // failed exchange needs a new request, never a second answer.
        let answered = self.outstanding.remove(i);
        let (how, sent_nonce, max_age, requested_scope) = match answered.expecting {
            // Request numbers wrap; the difference read as signed orders
            // any two made fewer than 2^31 requests apart.
            Expecting::Code { .. }
                if self
                    .held_login
                    .is_some_and(|held| held.wrapping_sub(answered.id) as i32 > 0) =>
            {
                return Err(VaultError::Superseded.into())
            }
            Expecting::Code {
                nonce,
                max_age,
                scope,
            } => (Replace::All, nonce, max_age, scope),
            Expecting::Refresh { .. } if answered.grant != self.grant => {
                return Err(VaultError::Superseded.into())
            }
            Expecting::Refresh { scope } => (Replace::Refresh, None, None, scope),
        };
        let accept = if self.config.dpop {
            TokenType::DPoP
        } else {
            TokenType::Bearer
        };
        // A refusal changes nothing held: of two refreshes of one grant, the
        // one a rotating server honoured may answer after the other's
        // invalid_grant, and is still taken (the caller decides whether a
        // refusal ends the session while another refresh it sent awaits).
        let set = parse_response(body, status, accept)?;
        let claims = match &set.id_token {
            // A nonce or a max_age sent: an OpenID Connect login, whose ID
            // token is what those are checked against.
            None if sent_nonce.is_some() || max_age.is_some() => {
                return Err(IdTokenError::Missing.into())
            }
            None => None,
            Some(token) => {
                let issuer = self
                    .config
                    .issuer
                    .as_deref()
                    .ok_or(IdTokenError::Unverifiable)?;
                let previous = match how {
                    Replace::Refresh => self.vault.id_token_claims(),
                    Replace::All => None,
                };
                let expected = Expected {
                    issuer,
                    client_id: &self.config.client_id,
                    nonce: sent_nonce.as_deref(),
                    max_age,
                    previous,
                    now_ms: now,
                    skew: self.config.clock_skew_seconds,
                };
                Some(id_token::validate(token.expose(), &expected)?)
            }
        };
        self.grant = self.grant.wrapping_add(1);
        if how == Replace::All {
            self.held_login = Some(answered.id);
        }
        Ok(self
            .vault
            .store(set, claims, now, how, requested_scope.as_deref()))
    }

    /// The validated claims of the held ID token, if any (not the token).
    pub fn id_token_claims(&self) -> Option<&IdTokenClaims> {
        self.vault.id_token_claims()
    }

    /// `"Bearer <access token>"` for the `Authorization` header of an API call.
    /// This is the one way a token leaves the vault; send it, do not keep it.
    pub fn authorization_header(&self, now: u64) -> Result<Zeroizing<String>> {
        self.vault.authorization_header(now)
    }

    /// Whether to refresh now (before expiry, with a leeway).
    pub fn needs_refresh(&self, now: u64, leeway_seconds: u64) -> bool {
        self.vault.needs_refresh(now, leeway_seconds)
    }

    /// Public facts about the held tokens, if any.
    pub fn token_info(&self) -> Option<TokenInfo> {
        self.vault.info()
    }

    /// Number of pending authorizations.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Uses `key` (the public half of a non-extractable ES256 key pair the
    /// host holds) for DPoP proofs from now on; tokens must then be DPoP-bound.
    pub fn set_dpop_key(&mut self, key: DpopKey) {
        self.dpop_key = Some(key);
        self.config.dpop = true;
    }

    /// Remembers a `DPoP-Nonce` that `url`'s server sent (RFC 9449 §8, §9);
    /// an empty `url` is the token endpoint's.
    pub fn set_dpop_nonce(&mut self, url: &str, nonce: &str) -> Result<()> {
        let url = if url.is_empty() {
            self.config.token_endpoint.as_str()
        } else {
            url
        };
        self.nonces.set(url, nonce)
    }

    /// The signing input of a DPoP proof for a `method` request to `url`, or
    /// `None` without a DPoP key. `bound` (a resource request) adds `ath`,
    /// the hash of the held access token.
    ///
    /// ```
    /// use edge_sso::oauth::{ClientConfig, DpopKey, OAuthClient};
    /// let mut client = OAuthClient::new(ClientConfig::new("https://op.example/auth",
    ///     "https://op.example/token", "spa", "https://app.example/cb")).unwrap();
    /// assert_eq!(client.dpop_input("POST", "https://op.example/token", 0, false).unwrap(), None);
    /// client.set_dpop_key(DpopKey::from_coordinates(&"A".repeat(43), &"A".repeat(43)).unwrap());
    /// let input = client.dpop_input("POST", "https://op.example/token", 0, false).unwrap().unwrap();
    /// assert_eq!(input.matches('.').count(), 1);
    /// ```
    pub fn dpop_input(
        &self,
        method: &str,
        url: &str,
        now: u64,
        bound: bool,
    ) -> Result<Option<String>> {
        let Some(key) = &self.dpop_key else {
            return Ok(None);
        };
        let token = match bound {
            true => Some(self.vault.access_token(now)?.expose()),
            false => None,
        };
        dpop::signing_input(key, method, url, now / 1000, self.nonces.get(url), token).map(Some)
    }

    /// The DPoP proof: a signing input from [`Self::dpop_input`] and its
    /// 64-byte ES256 signature (`r ‖ s`, as WebCrypto returns it).
    pub fn dpop_proof(&self, input: &str, signature: &[u8]) -> Result<String> {
        dpop::assemble(input, signature)
    }

    /// A request to a protected resource with the held access token:
    /// `Authorization` (`Bearer` or `DPoP`), and with DPoP the proof's
    /// signing input (bound to the token by `ath`).
    pub fn resource_request(&self, method: &str, url: &str, now: u64) -> Result<ResourceRequest> {
        dpop::check_method(method)?;
        check_endpoint("url", url)?;
        Ok(ResourceRequest {
            authorization: self.vault.authorization_header(now)?,
            dpop_input: self.dpop_input(method, url, now, true)?,
        })
    }

    /// The UserInfo request (a GET with the access token, OIDC Core §5.3.1).
    pub fn userinfo_request(&self, now: u64) -> Result<(String, ResourceRequest)> {
        let url = String::from(configured(
            "userinfoEndpoint",
            &self.config.userinfo_endpoint,
        )?);
        let r = self.resource_request("GET", &url, now)?;
        Ok((url, r))
    }

    /// Checks the UserInfo answer against the held ID token's `sub` (see
    /// [`super::check_userinfo`]) and returns the claims as JSON text.
    pub fn accept_userinfo(&self, answer: &super::UserinfoAnswer<'_>) -> Result<String> {
        // The status first: an error answer is that error even without an ID token.
        if answer.status.is_some_and(|s| !(200..300).contains(&s)) {
            return super::check_userinfo(answer, "");
        }
        let claims = self
            .vault
            .id_token_claims()
            .ok_or(ProviderError::UserinfoNoIdToken)?;
        super::check_userinfo(answer, &claims.subject)
    }

    /// The revocation request (RFC 7009 §2.1) for the refresh token, or the
    /// access token; by default the refresh token when one is held (revoking
    /// it revokes the grant at most servers), else the access token.
    ///
    /// ```
    /// # use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
    /// let mut c = ClientConfig::new("https://op.example/auth", "https://op.example/token",
    ///     "spa", "https://app.example/cb");
    /// c.revocation_endpoint = Some("https://op.example/revoke".into());
    /// let mut client = OAuthClient::new(c).unwrap();
    /// // Nothing held, nothing to revoke:
    /// assert_eq!(client.revocation_request(None).unwrap_err().code(), "oauth.vault.empty");
    /// ```
    pub fn revocation_request(&self, kind: Option<TokenKind>) -> Result<TokenRequest> {
        let url = configured("revocationEndpoint", &self.config.revocation_endpoint)?;
        let refresh = self.vault.refresh_token();
        let (token, hint) = match (kind, refresh) {
            (Some(TokenKind::RefreshToken), None) => return Err(VaultError::NoRefreshToken.into()),
            (Some(TokenKind::RefreshToken) | None, Some(r)) => (r, "refresh_token"),
            (Some(TokenKind::AccessToken) | None, _) => (
                self.vault.any_access_token().ok_or(VaultError::Empty)?,
                "access_token",
            ),
        };
        Ok(TokenRequest::form(
            url,
            &[
                ("token", token.expose()),
                ("token_type_hint", hint),
                ("client_id", &self.config.client_id),
            ],
            u32::MAX,
        ))
    }

    /// The RP-Initiated Logout URL (OIDC RP-Initiated Logout 1.0 §2):
    /// `client_id` always; the ID token only when asked for (`id_token_hint`
    /// puts it in a URL, which browsers record in history and servers in logs).
    ///
    /// ```
    /// use edge_sso::oauth::{ClientConfig, LogoutOptions, OAuthClient};
    /// let mut c = ClientConfig::new("https://op.example/auth", "https://op.example/token",
    ///     "spa", "https://app.example/cb");
    /// c.end_session_endpoint = Some("https://op.example/logout".into());
    /// let client = OAuthClient::new(c).unwrap();
    /// let url = client.logout_url(&LogoutOptions {
    ///     post_logout_redirect_uri: Some("https://app.example/bye".into()),
    ///     state: Some("s1".into()), ..Default::default() }).unwrap();
    /// assert_eq!(url, "https://op.example/logout?client_id=spa&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s1");
    /// ```
    pub fn logout_url(&self, options: &LogoutOptions) -> Result<String> {
        let endpoint = configured("endSessionEndpoint", &self.config.end_session_endpoint)?;
        let mut params: Vec<(&str, &str)> = vec![("client_id", &self.config.client_id)];
        if let Some(u) = &options.post_logout_redirect_uri {
            check_endpoint("postLogoutRedirectUri", u)?;
            params.push(("post_logout_redirect_uri", u));
        }
        for (name, field, value) in [
            ("state", "state", &options.state),
            ("ui_locales", "uiLocales", &options.ui_locales),
        ] {
            if let Some(v) = value {
                if v.is_empty()
                    || !crate::ascii::all(v.as_bytes(), |b| b == b' ' || crate::ascii::vschar(b))
                {
                    return Err(Error::InvalidArgument {
                        field,
                        reason: "must be non-empty printable ASCII",
                    });
                }
                params.push((name, v));
            }
        }
        if options.id_token_hint {
            let t = self.vault.id_token().ok_or(VaultError::NoIdToken)?;
            params.push(("id_token_hint", t.expose()));
        }
        Ok(append_query(endpoint, &params))
    }

    /// Forgets every token (zeroized) and every pending authorization.
    pub fn clear(&mut self) {
        self.vault.clear();
        self.pending.clear();
        self.outstanding.clear();
        // Answers to requests made before the clear are not this session's.
        self.grant = self.grant.wrapping_add(1);
    }
}
