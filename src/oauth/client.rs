//! `OAuthClient`: one public client, its pending authorizations and its vault.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use super::callback;
use super::id_token::{self, Expected, IdTokenClaims};
use super::pkce::{CodeVerifier, VERIFIER_DEFAULT_LEN};
use super::token::{parse_response, valid_scope, TokenRequest, TokenType};
use super::vault::{Replace, TokenInfo, TokenVault};
use crate::error::{CallbackError, Error, IdTokenError, Result, VaultError};
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
        }
    }

    // Out of line in the OAuth-only module: inlined into `OAuthClient::new`
    // it made that module larger (-57 B gzip out of line); the full module
    // is smaller with it inlined (+241 B gzip out of line).
    #[cfg_attr(not(feature = "saml"), inline(never))]
    fn validate(&self) -> Result<()> {
        check_endpoint("authorizationEndpoint", &self.authorization_endpoint)?;
        check_endpoint("tokenEndpoint", &self.token_endpoint)?;
        check_endpoint("redirectUri", &self.redirect_uri)?;
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
    const OWNED: [&str; 9] = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "response_mode",
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
}

/// What a pending authorization must bring back to the callback.
#[derive(Debug)]
struct Pending {
    verifier: CodeVerifier,
    nonce: Option<String>,
    scope: Option<String>,
}

/// The outstanding token-endpoint request whose answer is expected next.
#[derive(Debug)]
enum Awaiting {
    Nothing,
    Code {
        scope: Option<String>,
        nonce: Option<String>,
    },
    Refresh {
        scope: Option<String>,
    },
}

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
    awaiting: Awaiting,
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
            awaiting: Awaiting::Nothing,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Builds the authorization URL and remembers the flow (one-time, expiring).
    pub fn authorize(
        &mut self,
        options: AuthorizeOptions,
        now: u64,
    ) -> Result<AuthorizationRequest> {
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
        let url = append_query(&self.config.authorization_endpoint, &params);

        let expires_at = now.saturating_add(self.config.pending_ttl_ms);
        let carried_copy = CodeVerifier::parse(verifier.expose())?;
        self.pending.insert(
            state.clone(),
            Pending {
                verifier,
                nonce: nonce.clone(),
                scope: scope.clone(),
            },
            expires_at,
            now,
        );
        Ok(AuthorizationRequest {
            url,
            state,
            nonce,
            code_verifier: carried_copy,
            expires_at,
            scope,
        })
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
        let request = TokenRequest::form(
            &self.config.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", response.code.expose()),
                ("redirect_uri", &self.config.redirect_uri),
                ("client_id", &self.config.client_id),
                ("code_verifier", response.verifier.expose()),
            ],
        );
        self.awaiting = Awaiting::Code {
            scope: response.scope.or_else(|| self.config.scope.clone()),
            nonce: response.nonce,
        };
        Ok(request)
    }

    /// The refresh request (`grant_type=refresh_token`, RFC 6749 §6). `scope`
    /// may narrow the grant.
    pub fn refresh_request(&mut self, scope: Option<&str>) -> Result<TokenRequest> {
        if scope.is_some_and(|s| !valid_scope(s)) {
            return Err(Error::InvalidArgument {
                field: "scope",
                reason: "not a space-separated list of scope tokens",
            });
        }
        if matches!(self.awaiting, Awaiting::Code { .. }) {
            return Err(VaultError::ExchangePending.into());
        }
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
        let request = TokenRequest::form(&self.config.token_endpoint, &params);
        self.awaiting = Awaiting::Refresh {
            scope: scope.map(str::to_owned),
        };
        Ok(request)
    }

    /// Validates the token endpoint's answer to the last token or refresh
    /// request and stores the tokens. Returns public facts only.
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
        // The outstanding request is answered by this response whatever its
        // outcome: a failed exchange needs a new request, never a second answer.
        let (how, sent_nonce, requested_scope) =
            match core::mem::replace(&mut self.awaiting, Awaiting::Nothing) {
                Awaiting::Nothing => {
                    return Err(Error::InvalidArgument {
                        field: "tokenResponse",
                        reason: "no token or refresh request is outstanding",
                    })
                }
                Awaiting::Code { nonce, scope } => (Replace::All, nonce, scope),
                Awaiting::Refresh { scope } => (Replace::Refresh, None, scope),
            };
        let accept = if self.config.dpop {
            TokenType::DPoP
        } else {
            TokenType::Bearer
        };
        let set = parse_response(body, status, accept)?;
        let claims = match &set.id_token {
            None if sent_nonce.is_some() => return Err(IdTokenError::Missing.into()),
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
                    previous,
                    now_ms: now,
                };
                Some(id_token::validate(token.expose(), &expected)?)
            }
        };
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

    /// Forgets every token (zeroized) and every pending authorization.
    pub fn clear(&mut self) {
        self.vault.clear();
        self.pending.clear();
        self.awaiting = Awaiting::Nothing;
    }
}
