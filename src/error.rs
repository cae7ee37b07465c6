//! The one error type of edge-sso.
//!
//! Every failure has a stable, machine-readable [`Error::code`] (the JS facade
//! copies it to `error.code`) and a message written for a developer. Neither
//! ever contains a token, an authorization code, a verifier or a whole input
//! document: messages name *which* check failed, not *what* the input held.
//!
//! Caller mistakes (bad configuration, bad arguments) are kept apart from
//! failures caused by what came back from the network, so an application can
//! tell "fix your code" from "this login attempt is hostile or broken".

use alloc::borrow::ToOwned;
use alloc::string::String;

use core::fmt;

/// Result alias used across the crate.
pub type Result<T> = core::result::Result<T, Error>;

/// Every failure edge-sso reports.
///
/// ```
/// use edge_sso::Error;
/// let err = Error::PkcePlainRefused;
/// assert_eq!(err.code(), "pkce.plain_refused");
/// assert!(err.to_string().contains("S256"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed a value that cannot be used.
    InvalidArgument {
        /// Which option or argument.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An option object held a key edge-sso does not know (a typo would
    /// otherwise silently disable a check).
    UnknownOption {
        /// The unknown key, shortened to 64 characters.
        name: String,
    },
    /// Something that needs a secret was asked of a module that never holds one.
    SecretRefused {
        /// The option or feature that was refused.
        field: &'static str,
    },
    /// A URL that must use `https:` (or `http:` on loopback) did not, or is
    /// not written as a browser writes it (which an exact comparison needs).
    InsecureUrl {
        /// Which option held the URL.
        field: &'static str,
    },
    /// A SAML endpoint URL (the SP's own or the IdP's) is a well-formed
    /// `http:` URL on a host that is not loopback, and `allowHttp` is off.
    /// The same code as [`Error::InsecureUrl`] (`config.insecure_url`): it
    /// is that refusal, in the one place it can be lifted.
    #[cfg(feature = "saml")]
    HttpRefused {
        /// Which option held the URL.
        field: &'static str,
    },
    /// An extra authorization parameter would override one the client owns.
    ReservedParameter {
        /// The parameter name (one of a fixed list, so never attacker text).
        name: &'static str,
    },
    /// A PKCE code verifier does not match RFC 7636 §4.1.
    PkceVerifierInvalid,
    /// PKCE `plain` was asked for; only `S256` is supported.
    PkcePlainRefused,
    /// The host gave no cryptographically secure randomness.
    RandomUnavailable,
    /// The authorization callback failed a structural or security check.
    Callback(CallbackError),
    /// The authorization server answered the authorization request with an
    /// error (reported only after `iss` and `state` matched).
    AuthorizationError(ErrorResponse),
    /// The token endpoint answered with an error (RFC 6749 §5.2).
    TokenError(ErrorResponse),
    /// The token endpoint's answer is not a usable RFC 6749 §5.1 response.
    TokenResponse(TokenResponseError),
    /// The ID token's claims failed a check (OIDC Core §3.1.3.7, §12.2).
    IdToken(IdTokenError),
    /// The token vault cannot do what was asked.
    Vault(VaultError),
    /// A protected resource (the UserInfo endpoint) answered with an
    /// RFC 6750 §3 error in `WWW-Authenticate`.
    ResourceError(ErrorResponse),
    /// A server's metadata, UserInfo or pushed-authorization answer is not
    /// usable, or the server requires what was not done.
    Provider(ProviderError),
    /// An XML document was refused by the reader.
    #[cfg(feature = "saml")]
    Xml(XmlError),
    /// A SAML message, binding or configuration check failed.
    #[cfg(feature = "saml")]
    Saml(SamlError),
    /// The IdP answered with a non-success SAML status.
    #[cfg(feature = "saml")]
    SamlStatus(Box<StatusError>),
}

/// A non-success `<samlp:Status>` (SAML Core §3.2.2.2), reported as an error.
#[cfg(feature = "saml")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusError {
    /// Top-level status code URI.
    pub code: String,
    /// Second-level status code URI, if any.
    pub second_level: Option<String>,
    /// `StatusMessage` (IdP text: escape it before display).
    pub message: Option<String>,
}

/// Why a SAML operation was refused.
#[cfg(feature = "saml")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SamlError {
    /// An `xs:dateTime` could not be read (or had no time zone).
    BadTime,
    /// RelayState is longer than the 80 bytes the bindings allow.
    RelayStateTooLong,
    /// A binding value is not base64 (only whitespace is tolerated).
    Base64Invalid,
    /// A binding value or its inflated content is larger than the limit.
    TooLarge,
    /// A redirect-binding value does not inflate (raw DEFLATE).
    InflateFailed,
    /// A decoded message is not UTF-8.
    NotUtf8,
    /// A configured certificate could not be read (PEM or base64 DER X.509).
    CertificateInvalid,
    /// A configured certificate's key is too weak (RSA under 1024 bits, a
    /// small DSA group) or of an unsupported type.
    CertificateUnsupported,
    /// A configured certificate's RSA key has 1024–2047 bits and
    /// `allowWeakRsa` is off.
    WeakRsaKey {
        /// The modulus size in bits.
        bits: u16,
    },
    /// A signature algorithm is unknown or refused (HMAC needs a shared secret).
    AlgorithmUnsupported,
    /// A SHA-1 algorithm was used and `allowSha1` is off.
    Sha1Refused,
    /// No configured certificate has a key for the signature's algorithm.
    NoMatchingKey,
    /// The signature does not verify with any configured key.
    SignatureInvalid,
    /// The message is not signed and unsigned messages were not allowed.
    SignatureMissing,
    /// A redirect-binding query is malformed (missing or repeated parameters, bad encoding).
    RedirectMalformed,
    /// The message is not one the SP accepts here.
    UnexpectedMessage,
    /// The message's `Version` is not `2.0`.
    VersionUnsupported,
    /// The message's `Destination` is not this SP's endpoint.
    DestinationMismatch,
    /// The message's `Issuer` is not the configured IdP.
    IssuerMismatch,
    /// `IssueInstant` is in the future or too old.
    IssueInstantInvalid,
    /// IdP metadata lacks something required or is not metadata.
    MetadataInvalid,
    /// IdP metadata is past its `validUntil`.
    MetadataExpired,
    /// Metadata signer certificates were given but the metadata's root
    /// carries no signature.
    MetadataUnsigned,
    /// A LogoutRequest names no one: no NameID, or an empty one (an
    /// EncryptedID or BaseID is not read), so whose sessions to end is unknown.
    LogoutNameIdMissing,
    /// Signed metadata states no `validUntil` on the path to the IdP, so an
    /// old copy could be replayed for ever (`allowMissingValidUntil` lifts it).
    MetadataValidUntilMissing,
    /// The requested entityID is not an IdP in the metadata.
    MetadataEntityNotFound,
    /// The requested entityID appears more than once in the metadata.
    MetadataEntityDuplicate,
    /// The metadata holds several IdPs and no entityID says which one.
    MetadataEntityRequired,
    /// `InResponseTo` is missing or matches no request this SP is waiting for.
    InResponseToMismatch,
    /// `InResponseTo` matches a request that was already answered.
    InResponseToReused,
    /// `InResponseTo` matches a request that has expired.
    InResponseToExpired,
    /// A message (by its ID) was already accepted once.
    Replayed,
    /// The SP's own memory of accepted message IDs (or of answered request
    /// IDs) holds `replayCapacity` unexpired ones; forgetting one would let
    /// its replay through, so the message is refused (its request stays
    /// answerable).
    ReplayMemoryFull,
    /// A shared replay store threw, rejected, or answered something other
    /// than `true` or `false`; nothing was consumed here, so the same
    /// response may be retried (unless the store recorded it before failing).
    StoreFailed,
    /// A shared replay store did not answer within `storeTimeoutMs`; nothing
    /// was consumed here.
    StoreTimeout,
    /// A message's `NotOnOrAfter` has passed.
    Expired,
    /// An XML signature's structure breaks a rule (placement, counts, Reference, transforms).
    SignatureStructure(&'static str),
    /// The digest of the signed element does not match its Reference's DigestValue.
    DigestMismatch,
    /// A canonicalization or transform algorithm other than exclusive C14N.
    TransformUnsupported,
    /// Not exactly one Assertion in the document, or not where the profile puts it.
    AssertionCount,
    /// An EncryptedAssertion/EncryptedID/EncryptedAttribute: decryption needs a key, so a server.
    AssertionEncrypted,
    /// The assertion lacks something the Web Browser SSO profile requires.
    AssertionInvalid(&'static str),
    /// No bearer SubjectConfirmation satisfies Recipient, NotOnOrAfter, InResponseTo, no NotBefore.
    SubjectConfirmationInvalid,
    /// `Conditions/@NotOnOrAfter` has passed.
    ConditionsExpired,
    /// `Conditions/@NotBefore` is still in the future.
    ConditionsNotYetValid,
    /// An `AudienceRestriction` does not name this SP.
    AudienceMismatch,
    /// `AuthnStatement/@SessionNotOnOrAfter` has passed.
    SessionExpired,
}

/// Why an XML document was refused.
#[cfg(feature = "saml")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlError {
    /// Larger than the size limit.
    TooLarge,
    /// Nested deeper than the limit.
    TooDeep,
    /// An element has more attributes than the limit.
    TooManyAttributes,
    /// More nodes than the limit.
    TooManyNodes,
    /// A DOCTYPE (and with it any entity declaration) was present.
    DoctypeRefused,
    /// A reference to an entity other than the five predefined ones.
    UndefinedEntity,
    /// A prefix with no namespace declaration in scope.
    UnboundPrefix,
    /// An encoding other than UTF-8 was declared.
    EncodingUnsupported,
    /// Not well-formed XML.
    Malformed,
    /// An element that may appear once appears more than once.
    DuplicateElement,
    /// An element whose schema type is a string (Issuer, NameID, Audience,
    /// AuthnContextClassRef) holds a child element: its value is not the
    /// text it seems to be.
    NotSimpleContent,
}

/// Why an ID token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a JWS compact serialization with JSON header and payload, or a
    /// required claim is missing or of the wrong type (the name says which).
    Malformed(&'static str),
    /// The header says `alg: none`.
    AlgNone,
    /// `iss` is not the configured issuer.
    IssuerMismatch,
    /// `aud` does not contain the client ID, or `azp` is missing or not the client ID.
    AudienceMismatch,
    /// `exp` has passed (beyond the allowed clock skew).
    Expired,
    /// `nbf` or `iat` is still in the future (beyond the allowed clock skew;
    /// RFC 7519 §4.1.5, OIDC Core §3.1.3.7 item 10).
    NotYetValid,
    /// `max_age` was sent but the ID token has no `auth_time` (OIDC Core §3.1.2.1).
    AuthTimeMissing,
    /// The user authenticated longer ago than the `max_age` sent allows.
    AuthTooOld,
    /// The JOSE header's `crit` names an extension edge-sso does not
    /// implement, or is malformed (RFC 7515 §4.1.11).
    CriticalUnsupported,
    /// `nonce` differs from the one sent with the authorization request.
    NonceMismatch,
    /// A refreshed ID token is about another subject or from another issuer.
    SubjectMismatch,
    /// A nonce or `max_age` was sent (an OpenID Connect login) but no ID token came back.
    Missing,
    /// An ID token came back but no `issuer` is configured to check it against.
    Unverifiable,
}

/// Why a callback URL was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// Longer than the callback size limit.
    TooLarge,
    /// Not an absolute URL, bad percent-encoding, not UTF-8, control characters.
    Malformed(&'static str),
    /// Scheme, host, port, path or fixed query differ from the redirect URI.
    RedirectUriMismatch,
    /// A parameter appeared more than once.
    DuplicateParameter,
    /// Tokens arrived in the URL (implicit or hybrid flow), which we never ask for.
    ImplicitResponse,
    /// Both `code` and `error` are present.
    CodeAndError,
    /// Neither `code` nor `error` is present.
    CodeMissing,
    /// The issuer advertises RFC 9207 but `iss` is missing.
    IssMissing,
    /// `iss` differs from the configured issuer (mix-up attack defence).
    IssMismatch,
    /// `iss` is present but no issuer is configured to compare it with.
    IssUnverifiable,
    /// No `state` parameter.
    StateMissing,
    /// `state` matches no pending authorization.
    StateMismatch,
    /// `state` matched an authorization that was already completed.
    StateReused,
    /// `state` matched an authorization that has expired.
    StateExpired,
}

/// Why a token endpoint response was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenResponseError {
    /// Larger than the response size limit.
    TooLarge,
    /// Not a JSON object.
    NotJsonObject,
    /// A member has the wrong type or an impossible value.
    InvalidMember(&'static str),
    /// `access_token` is missing or empty.
    AccessTokenMissing,
    /// `token_type` is missing or not the one this client accepts.
    TokenTypeUnsupported,
    /// A non-2xx HTTP status without an RFC 6749 §5.2 error body.
    HttpStatus(u16),
}

/// Why the token vault refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VaultError {
    /// No access token is held.
    Empty,
    /// The access token has expired (refresh first).
    Expired,
    /// A refresh was asked for but no refresh token is held.
    NoRefreshToken,
    /// The ID token was asked for (`id_token_hint`) but none is held.
    NoIdToken,
    /// An authorization response was already exchanged for a token request.
    ResponseConsumed,
    /// A token response was given while several token requests await an
    /// answer, without saying which one it answers.
    RequestAmbiguous,
    /// The token request this response answers is not awaiting one: it was
    /// answered already, made by another client, or pushed out by later ones.
    NotOutstanding,
    /// A refresh answered after another answer replaced the grant it refreshed,
    /// or a login answered after a newer login's answer was stored.
    Superseded,
}

/// Why a server's metadata, UserInfo or PAR answer was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderError {
    /// The metadata's `issuer` is not the issuer it was fetched for.
    DiscoveryIssuerMismatch,
    /// The metadata is not a JSON object, or the named member is wrong.
    DiscoveryMalformed(&'static str),
    /// `code_challenge_methods_supported` is listed without `S256`.
    PkceUnsupported,
    /// `dpop_signing_alg_values_supported` is listed without `ES256`.
    DpopUnsupported,
    /// The UserInfo response is signed or encrypted (`application/jwt`).
    UserinfoSigned,
    /// The UserInfo response is not a JSON object with a string `sub`.
    UserinfoMalformed(&'static str),
    /// The UserInfo `sub` is not the ID token's.
    UserinfoSubjectMismatch,
    /// No ID token is held, so the UserInfo `sub` cannot be checked.
    UserinfoNoIdToken,
    /// The UserInfo endpoint answered an error status without an RFC 6750 error.
    UserinfoStatus(u16),
    /// The server requires pushed authorization requests (RFC 9126 §5).
    ParRequired,
    /// The pushed authorization response is not usable.
    ParMalformed(&'static str),
}

/// An OAuth error response (RFC 6749 §4.1.2.1 and §5.2).
///
/// The values are checked against the RFC's character set and length-limited
/// before they are kept, so they are safe to log (but, like any external text,
/// must still be escaped before being put into HTML).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The `error` code, e.g. `access_denied`.
    pub error: String,
    /// `error_description`, if present: as sent when well-formed, else with
    /// each character outside the grammar replaced by a space.
    pub description: Option<String>,
    /// `error_uri`, if present and well-formed.
    pub uri: Option<String>,
}

impl ErrorResponse {
    const MAX_CODE: usize = 128;
    const MAX_TEXT: usize = 1024;

    /// Builds an error response from raw values, checking RFC 6749's grammar:
    /// `error` and `error_description` use `%x20-21 / %x23-5B / %x5D-7E`
    /// (`error` without the space), `error_uri` `%x21 / %x23-5B / %x5D-7E`.
    /// Returns `None` when `error` itself is malformed; a malformed URI is
    /// dropped rather than repeated. A description outside the grammar is
    /// kept with each such character (a line break, `"`, `\`, anything not
    /// ASCII) replaced by a space, and cut to 1,024 characters: Entra ID ends
    /// every one with `\r\nTrace ID: …`, and dropping it would lose the
    /// reason (`AADSTS…`) with it.
    ///
    /// ```
    /// use edge_sso::ErrorResponse;
    /// let e = ErrorResponse::from_parts("access_denied", Some("User said no"), None).unwrap();
    /// assert_eq!(e.error, "access_denied");
    /// assert!(ErrorResponse::from_parts("bad\"code", None, None).is_none());
    /// let e = ErrorResponse::from_parts("invalid_grant", Some("AADSTS70008: expired.\r\nTrace ID: 1"), None).unwrap();
    /// assert_eq!(e.description.as_deref(), Some("AADSTS70008: expired.  Trace ID: 1"));
    /// ```
    pub fn from_parts(error: &str, description: Option<&str>, uri: Option<&str>) -> Option<Self> {
        // Byte by byte, as crate::ascii::nqchar says why.
        let code_ok: fn(u8) -> bool = crate::ascii::nqchar;
        let text_ok: fn(u8) -> bool = |b| b == b' ' || crate::ascii::nqchar(b);
        let valid = |s: &str, max: usize, space: bool| {
            !s.is_empty()
                && s.len() <= max
                && crate::ascii::all(s.as_bytes(), if space { text_ok } else { code_ok })
        };
        if !valid(error, Self::MAX_CODE, false) {
            return None;
        }
        let description = description.filter(|d| !d.is_empty()).map(|d| {
            if valid(d, Self::MAX_TEXT, true) {
                return d.to_owned();
            }
            let mut out = String::with_capacity(d.len().min(Self::MAX_TEXT));
            for c in d.chars().take(Self::MAX_TEXT) {
                out.push(match u8::try_from(c) {
                    Ok(b) if text_ok(b) => c,
                    _ => ' ',
                });
            }
            out
        });
        // Nothing left but spaces: no description.
        let description = description.filter(|d| d.bytes().any(|b| b != b' '));
        Some(Self {
            error: error.to_owned(),
            description,
            uri: uri
                .filter(|s| valid(s, Self::MAX_TEXT, false))
                .map(str::to_owned),
        })
    }
}

impl Error {
    /// The stable machine-readable code of this error (listed in the README).
    ///
    /// ```
    /// use edge_sso::{CallbackError, Error};
    /// assert_eq!(Error::Callback(CallbackError::StateReused).code(), "oauth.state.reused");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument { .. } => "arg.invalid",
            Self::UnknownOption { .. } => "arg.unknown_option",
            Self::SecretRefused { .. } => "config.secret_refused",
            Self::InsecureUrl { .. } => "config.insecure_url",
            #[cfg(feature = "saml")]
            Self::HttpRefused { .. } => "config.insecure_url",
            Self::ReservedParameter { .. } => "oauth.authorize.reserved_parameter",
            Self::PkceVerifierInvalid => "pkce.verifier_invalid",
            Self::PkcePlainRefused => "pkce.plain_refused",
            Self::RandomUnavailable => "random.unavailable",
            Self::Callback(e) => e.code(),
            Self::AuthorizationError(_) => "oauth.authorization.error",
            Self::TokenError(_) => "oauth.token.error",
            Self::TokenResponse(e) => match e {
                TokenResponseError::TooLarge => "oauth.token.too_large",
                TokenResponseError::NotJsonObject => "oauth.token.malformed",
                TokenResponseError::InvalidMember(_) => "oauth.token.invalid_member",
                TokenResponseError::AccessTokenMissing => "oauth.token.access_token_missing",
                TokenResponseError::TokenTypeUnsupported => "oauth.token.type_unsupported",
                TokenResponseError::HttpStatus(_) => "oauth.token.http_status",
            },
            Self::IdToken(e) => match e {
                IdTokenError::Malformed(_) => "oidc.id_token.malformed",
                IdTokenError::AlgNone => "oidc.id_token.alg_none",
                IdTokenError::IssuerMismatch => "oidc.id_token.issuer_mismatch",
                IdTokenError::AudienceMismatch => "oidc.id_token.audience_mismatch",
                IdTokenError::Expired => "oidc.id_token.expired",
                IdTokenError::NotYetValid => "oidc.id_token.not_yet_valid",
                IdTokenError::AuthTimeMissing => "oidc.id_token.auth_time_missing",
                IdTokenError::AuthTooOld => "oidc.id_token.auth_too_old",
                IdTokenError::CriticalUnsupported => "oidc.id_token.crit_unsupported",
                IdTokenError::NonceMismatch => "oidc.id_token.nonce_mismatch",
                IdTokenError::SubjectMismatch => "oidc.id_token.subject_mismatch",
                IdTokenError::Missing => "oidc.id_token.missing",
                IdTokenError::Unverifiable => "oidc.id_token.unverifiable",
            },
            #[cfg(feature = "saml")]
            Self::Xml(e) => e.code(),
            #[cfg(feature = "saml")]
            Self::Saml(e) => e.code(),
            #[cfg(feature = "saml")]
            Self::SamlStatus(_) => "saml.status.not_success",
            Self::ResourceError(_) => "oauth.userinfo.error",
            Self::Provider(e) => match e {
                ProviderError::DiscoveryIssuerMismatch => "oauth.discovery.issuer_mismatch",
                ProviderError::DiscoveryMalformed(_) => "oauth.discovery.malformed",
                ProviderError::PkceUnsupported => "oauth.discovery.pkce_unsupported",
                ProviderError::DpopUnsupported => "oauth.discovery.dpop_unsupported",
                ProviderError::UserinfoSigned => "oauth.userinfo.signed_unsupported",
                ProviderError::UserinfoMalformed(_) => "oauth.userinfo.malformed",
                ProviderError::UserinfoSubjectMismatch => "oauth.userinfo.sub_mismatch",
                ProviderError::UserinfoNoIdToken => "oauth.userinfo.no_id_token",
                ProviderError::UserinfoStatus(_) => "oauth.userinfo.status",
                ProviderError::ParRequired => "oauth.par.required",
                ProviderError::ParMalformed(_) => "oauth.par.malformed",
            },
            Self::Vault(e) => match e {
                VaultError::Empty => "oauth.vault.empty",
                VaultError::Expired => "oauth.vault.expired",
                VaultError::NoRefreshToken => "oauth.vault.no_refresh_token",
                VaultError::NoIdToken => "oauth.vault.no_id_token",
                VaultError::ResponseConsumed => "oauth.response.consumed",
                VaultError::RequestAmbiguous => "oauth.token.request_ambiguous",
                VaultError::NotOutstanding => "oauth.token.not_outstanding",
                VaultError::Superseded => "oauth.token.superseded",
            },
        }
    }

    /// The OAuth error response carried by this error, if it is one.
    ///
    /// ```
    /// use edge_sso::{Error, ErrorResponse};
    /// let e = Error::TokenError(ErrorResponse::from_parts("invalid_grant", None, None).unwrap());
    /// assert_eq!(e.error_response().unwrap().error, "invalid_grant");
    /// ```
    pub fn error_response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::AuthorizationError(r) | Self::TokenError(r) | Self::ResourceError(r) => Some(r),
            _ => None,
        }
    }

    /// True when the error is the caller's mistake (configuration or
    /// arguments) rather than something the network sent.
    ///
    /// ```
    /// use edge_sso::Error;
    /// assert!(Error::PkcePlainRefused.is_caller_error());
    /// ```
    pub fn is_caller_error(&self) -> bool {
        #[cfg(feature = "saml")]
        if matches!(self, Self::HttpRefused { .. }) {
            return true;
        }
        matches!(
            self,
            Self::InvalidArgument { .. }
                | Self::UnknownOption { .. }
                | Self::SecretRefused { .. }
                | Self::InsecureUrl { .. }
                | Self::ReservedParameter { .. }
                | Self::PkceVerifierInvalid
                | Self::PkcePlainRefused
                | Self::Vault(_)
        )
    }
}

impl CallbackError {
    fn code(self) -> &'static str {
        match self {
            Self::TooLarge => "oauth.callback.too_large",
            Self::Malformed(_) => "oauth.callback.malformed",
            Self::RedirectUriMismatch => "oauth.callback.redirect_uri_mismatch",
            Self::DuplicateParameter => "oauth.callback.duplicate_parameter",
            Self::ImplicitResponse => "oauth.callback.implicit_response",
            Self::CodeAndError => "oauth.callback.code_and_error",
            Self::CodeMissing => "oauth.callback.code_missing",
            Self::IssMissing => "oauth.iss.missing",
            Self::IssMismatch => "oauth.iss.mismatch",
            Self::IssUnverifiable => "oauth.iss.unverifiable",
            Self::StateMissing => "oauth.state.missing",
            Self::StateMismatch => "oauth.state.mismatch",
            Self::StateReused => "oauth.state.reused",
            Self::StateExpired => "oauth.state.expired",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "the callback URL is longer than the limit",
            Self::Malformed(why) => why,
            Self::RedirectUriMismatch => "the callback URL does not match the configured redirect URI",
            Self::DuplicateParameter => "a parameter appears more than once in the callback",
            Self::ImplicitResponse => {
                "the callback carries tokens (implicit or hybrid flow); only the code flow is accepted"
            }
            Self::CodeAndError => "the callback carries both `code` and `error`",
            Self::CodeMissing => "the callback carries neither `code` nor `error`",
            Self::IssMissing => {
                "the issuer supports RFC 9207 but the callback has no `iss` parameter"
            }
            Self::IssMismatch => {
                "the callback's `iss` is not the configured issuer (possible mix-up attack)"
            }
            Self::IssUnverifiable => {
                "the callback has an `iss` parameter but no `issuer` is configured to check it against"
            }
            Self::StateMissing => "the callback has no `state` parameter",
            Self::StateMismatch => "the callback's `state` matches no pending authorization",
            Self::StateReused => "the callback's `state` belongs to an authorization already completed",
            Self::StateExpired => "the callback's `state` belongs to an authorization that has expired",
        }
    }
}

impl Error {
    /// The developer message, the text of [`Display`](fmt::Display). Built by
    /// concatenation rather than `format!`, so the OAuth-only module carries
    /// no `core::fmt` formatting machinery for it.
    pub(crate) fn message(&self) -> String {
        let fixed = match self {
            Self::InvalidArgument { field, reason } => return cat(&["invalid `", field, "`: ", reason]),
            Self::UnknownOption { name } => return cat(&["unknown option `", name, "`"]),
            Self::SecretRefused { field } => {
                return cat(&["`", field, "` needs a secret; edge-sso never holds secrets: do this on your server"])
            }
            Self::InsecureUrl { field } => {
                return cat(&["`", field, "` must be an absolute https: URL (http: only on loopback) written as a browser writes it: no userinfo, no dot segments, no character a browser would encode, IPv4 as four decimal octets, IPv6 in RFC 5952 form"])
            }
            #[cfg(feature = "saml")]
            Self::HttpRefused { field } => {
                return cat(&["`", field, "` is a plain http: URL on a host that is not loopback; set allowHttp (on the SP config, or in parseIdpMetadata's options) to accept it"])
            }
            Self::ReservedParameter { name } => {
                return cat(&["extra parameter `", name, "` is set by the client itself and cannot be overridden"])
            }
            Self::PkceVerifierInvalid => {
                "the PKCE code verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)"
            }
            Self::PkcePlainRefused => "PKCE method `plain` is refused; only S256 is supported",
            Self::RandomUnavailable => "the host gave no cryptographically secure random numbers",
            Self::Callback(e) => e.message(),
            Self::AuthorizationError(r) => return error_response_message("authorization server", r),
            Self::TokenError(r) => return error_response_message("token endpoint", r),
            Self::TokenResponse(e) => match e {
                TokenResponseError::TooLarge => "the token response is larger than the limit",
                TokenResponseError::NotJsonObject => {
                    "the token response is not one well-formed JSON object with unique member names"
                }
                TokenResponseError::InvalidMember(m) => {
                    return cat(&["the token response member `", m, "` has an invalid type or value"])
                }
                TokenResponseError::AccessTokenMissing => "the token response has no `access_token`",
                TokenResponseError::TokenTypeUnsupported => "the token response's `token_type` is missing or not accepted",
                TokenResponseError::HttpStatus(s) => {
                    let mut digits = [0u8; 5];
                    return cat(&["the token endpoint answered HTTP ", decimal(*s, &mut digits), " without an OAuth error body"]);
                }
            },
            Self::IdToken(e) => match e {
                IdTokenError::Malformed(what) => return cat(&["the ID token is malformed (`", what, "`)"]),
                IdTokenError::AlgNone => "the ID token is unsigned (`alg: none`)",
                IdTokenError::IssuerMismatch => "the ID token's `iss` is not the configured issuer",
                IdTokenError::AudienceMismatch => "the ID token is not for this client (`aud` or `azp`)",
                IdTokenError::Expired => "the ID token has expired (beyond `clockSkewSeconds`, default 120)",
                IdTokenError::NotYetValid => "the ID token's `iat` or `nbf` is in the future (beyond `clockSkewSeconds`, default 120)",
                IdTokenError::AuthTimeMissing => "`max_age` was sent but the ID token has no `auth_time` (OIDC Core §3.1.2.1)",
                IdTokenError::AuthTooOld => "the user authenticated longer ago than the `max_age` sent allows (`auth_time`)",
                IdTokenError::CriticalUnsupported => {
                    "the ID token's header has a `crit` this client does not understand"
                }
                IdTokenError::NonceMismatch => "the ID token's `nonce` is not the one sent with the authorization request",
                IdTokenError::SubjectMismatch => "the refreshed ID token is about another subject or from another issuer",
                IdTokenError::Missing => "a nonce or max_age was sent (OpenID Connect) but the token response has no `id_token`",
                IdTokenError::Unverifiable => "the token response has an `id_token` but no `issuer` is configured to check it",
            },
            #[cfg(feature = "saml")]
            Self::Xml(e) => e.message(),
            // These two carry a reason; the prefix is SamlError's own message.
            #[cfg(feature = "saml")]
            Self::Saml(e @ (SamlError::SignatureStructure(why) | SamlError::AssertionInvalid(why))) => {
                return cat(&[e.message(), ": ", why])
            }
            #[cfg(feature = "saml")]
            Self::Saml(SamlError::WeakRsaKey { bits }) => {
                let mut digits = [0u8; 5];
                return cat(&[
                    "an IdP certificate's RSA key has ",
                    decimal(*bits, &mut digits),
                    " bits, under the 2048 required; set allowWeakRsa to accept RSA keys of 1024 to 2047 bits",
                ]);
            }
            #[cfg(feature = "saml")]
            Self::Saml(e) => e.message(),
            #[cfg(feature = "saml")]
            Self::SamlStatus(s) => {
                let second = s.second_level.as_deref();
                return cat(&["the IdP answered with status ", &s.code, second.map_or("", |_| " / "), second.unwrap_or("")]);
            }
            Self::ResourceError(r) => return error_response_message("UserInfo endpoint", r),
            Self::Provider(e) => match e {
                ProviderError::DiscoveryIssuerMismatch => {
                    "the metadata's `issuer` is not the issuer it was fetched for (RFC 8414 §3.3): a mix-up or an impostor"
                }
                ProviderError::DiscoveryMalformed(what) => {
                    return cat(&["the authorization server metadata is not usable (`", what, "`)"])
                }
                ProviderError::PkceUnsupported => {
                    "the server's code_challenge_methods_supported does not list S256, the only PKCE method edge-sso uses"
                }
                ProviderError::DpopUnsupported => {
                    "the server's dpop_signing_alg_values_supported does not list ES256, the algorithm of edge-sso's DPoP proofs"
                }
                ProviderError::UserinfoSigned => {
                    "the UserInfo response is signed or encrypted (application/jwt); edge-sso reads JSON UserInfo only: verify a signed one on your server"
                }
                ProviderError::UserinfoMalformed(what) => {
                    return cat(&["the UserInfo response is not usable: ", what])
                }
                ProviderError::UserinfoSubjectMismatch => {
                    "the UserInfo `sub` is not the ID token's (OIDC Core §5.3.4): the response must not be used"
                }
                ProviderError::UserinfoNoIdToken => {
                    "no ID token is held, so the UserInfo `sub` cannot be checked (OIDC Core §5.3.4)"
                }
                ProviderError::UserinfoStatus(s) => {
                    let mut digits = [0u8; 5];
                    return cat(&["the UserInfo endpoint answered HTTP ", decimal(*s, &mut digits), " without an RFC 6750 error"]);
                }
                ProviderError::ParRequired => {
                    "the server requires pushed authorization requests: use pushedAuthorizationRequest() instead of authorize()"
                }
                ProviderError::ParMalformed(what) => {
                    return cat(&["the pushed authorization response is not usable: ", what])
                }
            },
            Self::Vault(e) => match e {
                VaultError::Empty => "no access token is held",
                VaultError::Expired => "the access token has expired; refresh it first",
                VaultError::NoRefreshToken => "no refresh token is held",
                VaultError::NoIdToken => "no ID token is held: leave `idTokenHint` out",
                VaultError::ResponseConsumed => "this authorization response was already used for a token request",
                VaultError::RequestAmbiguous => "several token requests await an answer: pass the request this response answers (`request`)",
                VaultError::NotOutstanding => "no such token request awaits an answer (answered already, another client's, or one of more than 8 outstanding)",
                VaultError::Superseded => "tokens stored since this request was made replace what it asked for (a refresh of a replaced grant, or a login older than the one held); its tokens were not stored",
            },
        };
        fixed.to_owned()
    }
}

fn cat(parts: &[&str]) -> String {
    let mut len = 0;
    for p in parts {
        len += p.len();
    }
    let mut out = String::with_capacity(len);
    for p in parts {
        out.push_str(p);
    }
    out
}

/// `n` in decimal, written into `buf`.
fn decimal(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    core::str::from_utf8(buf.get(start..).unwrap_or_default()).unwrap_or_default()
}

fn error_response_message(who: &str, r: &ErrorResponse) -> String {
    let d = r.description.as_deref();
    cat(&[
        "the ",
        who,
        " returned error `",
        &r.error,
        "`",
        d.map_or("", |_| ": "),
        d.unwrap_or(""),
    ])
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in ["Error(", self.code(), ": ", &self.message(), ")"] {
            f.write_str(part)?;
        }
        Ok(())
    }
}

#[cfg(feature = "saml")]
impl XmlError {
    fn code(self) -> &'static str {
        match self {
            Self::TooLarge => "xml.too_large",
            Self::TooDeep => "xml.too_deep",
            Self::TooManyAttributes => "xml.too_many_attributes",
            Self::TooManyNodes => "xml.too_many_nodes",
            Self::DoctypeRefused => "xml.doctype_refused",
            Self::UndefinedEntity => "xml.undefined_entity",
            Self::UnboundPrefix => "xml.unbound_prefix",
            Self::EncodingUnsupported => "xml.encoding_unsupported",
            Self::Malformed => "xml.malformed",
            Self::DuplicateElement => "xml.duplicate_element",
            Self::NotSimpleContent => "xml.not_simple_content",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "the XML document is larger than the limit",
            Self::TooDeep => "the XML document is nested deeper than the limit",
            Self::TooManyAttributes => "an XML element has more attributes than the limit",
            Self::TooManyNodes => "the XML document has more nodes than the limit",
            Self::DoctypeRefused => "the XML document has a DOCTYPE; DTDs and entities are refused",
            Self::UndefinedEntity => "the XML document refers to an undefined entity",
            Self::UnboundPrefix => "the XML document uses a namespace prefix that is not declared",
            Self::EncodingUnsupported => "the XML document declares an encoding other than UTF-8",
            Self::Malformed => "the XML document is not well-formed",
            Self::DuplicateElement => "an XML element that may appear once appears more than once",
            Self::NotSimpleContent => {
                "an XML element that holds a string value (Issuer, NameID, Audience, AuthnContextClassRef) has a child element"
            }
        }
    }
}

#[cfg(feature = "saml")]
impl SamlError {
    fn code(self) -> &'static str {
        match self {
            Self::BadTime => "saml.time.invalid",
            Self::RelayStateTooLong => "saml.relay_state.too_long",
            Self::Base64Invalid => "saml.binding.base64_invalid",
            Self::TooLarge => "saml.binding.too_large",
            Self::InflateFailed => "saml.binding.inflate_failed",
            Self::NotUtf8 => "saml.binding.not_utf8",
            Self::CertificateInvalid => "saml.certificate.invalid",
            Self::CertificateUnsupported => "saml.certificate.unsupported",
            Self::WeakRsaKey { .. } => "saml.certificate.weak_rsa",
            Self::AlgorithmUnsupported => "saml.signature.algorithm_unsupported",
            Self::Sha1Refused => "saml.signature.sha1_refused",
            Self::NoMatchingKey => "saml.signature.no_matching_key",
            Self::SignatureInvalid => "saml.signature.invalid",
            Self::SignatureMissing => "saml.signature.missing",
            Self::RedirectMalformed => "saml.redirect.malformed",
            Self::UnexpectedMessage => "saml.message.unexpected",
            Self::VersionUnsupported => "saml.version.unsupported",
            Self::DestinationMismatch => "saml.destination.mismatch",
            Self::IssuerMismatch => "saml.issuer.mismatch",
            Self::IssueInstantInvalid => "saml.issue_instant.invalid",
            Self::MetadataInvalid => "saml.metadata.invalid",
            Self::MetadataExpired => "saml.metadata.expired",
            Self::MetadataUnsigned => "saml.metadata.unsigned",
            Self::LogoutNameIdMissing => "saml.logout.name_id_missing",
            Self::MetadataValidUntilMissing => "saml.metadata.valid_until_missing",
            Self::MetadataEntityNotFound => "saml.metadata.entity_not_found",
            Self::MetadataEntityDuplicate => "saml.metadata.entity_duplicate",
            Self::MetadataEntityRequired => "saml.metadata.entity_required",
            Self::InResponseToMismatch => "saml.in_response_to.mismatch",
            Self::InResponseToReused => "saml.in_response_to.reused",
            Self::InResponseToExpired => "saml.in_response_to.expired",
            Self::Replayed => "saml.replayed",
            Self::ReplayMemoryFull => "saml.replay.memory_full",
            Self::StoreFailed => "saml.store.failed",
            Self::StoreTimeout => "saml.store.timeout",
            Self::Expired => "saml.expired",
            Self::SignatureStructure(_) => "saml.signature.structure",
            Self::DigestMismatch => "saml.signature.digest_mismatch",
            Self::TransformUnsupported => "saml.signature.transform_unsupported",
            Self::AssertionCount => "saml.assertion.count",
            Self::AssertionEncrypted => "saml.assertion.encrypted",
            Self::AssertionInvalid(_) => "saml.assertion.invalid",
            Self::SubjectConfirmationInvalid => "saml.subject_confirmation.invalid",
            Self::ConditionsExpired => "saml.conditions.expired",
            Self::ConditionsNotYetValid => "saml.conditions.not_yet_valid",
            Self::AudienceMismatch => "saml.audience.mismatch",
            Self::SessionExpired => "saml.session.expired",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::BadTime => "a SAML time value is not an xs:dateTime with a time zone",
            Self::RelayStateTooLong => "RelayState is longer than 80 bytes (SAML Bindings §3.4.3, §3.5.3)",
            Self::Base64Invalid => "the SAML binding value is not valid base64",
            Self::TooLarge => "the SAML binding value or its decoded content is larger than the limit",
            Self::InflateFailed => "the SAML redirect-binding value does not inflate (raw DEFLATE expected)",
            Self::NotUtf8 => "the decoded SAML message is not UTF-8",
            Self::CertificateInvalid => "an IdP certificate is not a readable X.509 certificate (PEM or base64 DER)",
            Self::CertificateUnsupported => {
                "an IdP certificate's key is unsupported or too weak (RSA needs 2048 bits, or 1024 with allowWeakRsa, never less; EC P-256/P-384; DSA with p of 1024 and q of 160 bits)"
            }
            // Written by Error::message, which gives the size.
            Self::WeakRsaKey { .. } => "an IdP certificate's RSA key is under 2048 bits; set allowWeakRsa to accept it",
            Self::AlgorithmUnsupported => {
                "the signature algorithm is unknown or refused (HMAC would need a shared secret)"
            }
            Self::Sha1Refused => "the signature uses SHA-1 (RSA-SHA1 or DSA-SHA1); set allowSha1 to accept it",
            Self::NoMatchingKey => "no configured IdP certificate has a key for this signature algorithm",
            Self::SignatureInvalid => "the signature does not verify with any configured IdP certificate",
            Self::SignatureMissing => {
                "the message is not signed (a logout message is accepted unsigned only with allowUnsigned; a Response's assertion must always be signed)"
            }
            Self::RedirectMalformed => {
                "the redirect-binding query is malformed (a parameter missing, repeated or badly encoded)"
            }
            Self::UnexpectedMessage => "the SAML message is not of a kind accepted here",
            Self::VersionUnsupported => "the SAML message's Version is not 2.0",
            Self::DestinationMismatch => "the SAML message's Destination is not this service provider's endpoint",
            Self::IssuerMismatch => "the SAML message's Issuer is not the configured IdP",
            Self::IssueInstantInvalid => {
                "the SAML message's IssueInstant is in the future or too old, beyond clockSkewSeconds"
            }
            Self::MetadataInvalid => {
                "the IdP metadata is not a SAML 2.0 EntityDescriptor with an IDPSSODescriptor, SSO endpoint and signing certificate"
            }
            Self::MetadataExpired => "the IdP metadata is past its validUntil",
            Self::MetadataUnsigned => {
                "the metadata is not signed (no Signature on its root element), but signer certificates were given to verify it"
            }
            Self::LogoutNameIdMissing => {
                "the LogoutRequest names no one: it needs a non-empty NameID (an EncryptedID or a BaseID is not supported)"
            }
            Self::MetadataValidUntilMissing => {
                "the signed metadata has no validUntil, so a stale copy (with keys revoked since) would verify for ever; allowMissingValidUntil accepts it"
            }
            Self::MetadataEntityNotFound => {
                "no EntityDescriptor in the metadata has the requested entityID and an IDPSSODescriptor for SAML 2.0"
            }
            Self::MetadataEntityDuplicate => {
                "the requested entityID appears more than once in the metadata, so which one is meant is unknown"
            }
            Self::MetadataEntityRequired => {
                "the metadata holds more than one IdP: pass the entityId of the one to use"
            }
            Self::InResponseToMismatch => {
                "the message's InResponseTo is missing or matches no request this service provider sent (an IdP-initiated, unsolicited response is accepted only with allowUnsolicited)"
            }
            Self::InResponseToReused => "the message answers a request that was already answered",
            Self::InResponseToExpired => {
                "the message answers a request that has expired (requestTtlMs sets how long a request stays answerable)"
            }
            Self::Replayed => "the SAML message was already accepted once (replay)",
            Self::ReplayMemoryFull => {
                "this service provider's own memory of accepted message and request IDs is full (replayCapacity) and forgets none before it expires: raise replayCapacity, or spread logins over more instances with a shared replay store"
            }
            Self::StoreFailed => {
                "the replay store failed (threw, rejected, or answered other than true or false); nothing was consumed here, so the response may be retried (a store that recorded the ID before failing will refuse the retry as a replay)"
            }
            Self::StoreTimeout => {
                "the replay store did not answer within storeTimeoutMs; nothing was consumed here, so the response may be retried (a store that records the ID late will refuse the retry as a replay)"
            }
            Self::Expired => "the SAML message's NotOnOrAfter has passed",
            Self::SignatureStructure(_) => "the XML signature is not acceptable",
            Self::DigestMismatch => {
                "the digest of the signed element does not match its Reference (the element was changed after signing)"
            }
            Self::TransformUnsupported => {
                "the signature uses a canonicalization or transform other than exclusive C14N and enveloped-signature"
            }
            Self::AssertionCount => {
                "the response must hold exactly one Assertion, as a direct child of the Response (signature wrapping?)"
            }
            Self::AssertionEncrypted => {
                "encrypted assertions, IDs and attributes need a private key: decrypt them on your server"
            }
            Self::AssertionInvalid(_) => "the assertion is not acceptable",
            Self::SubjectConfirmationInvalid => {
                "no bearer SubjectConfirmation matches (Recipient = ACS URL, NotOnOrAfter in the future, InResponseTo, no NotBefore)"
            }
            Self::ConditionsExpired => {
                "the assertion's Conditions NotOnOrAfter has passed, beyond clockSkewSeconds"
            }
            Self::ConditionsNotYetValid => {
                "the assertion's Conditions NotBefore is in the future, beyond clockSkewSeconds"
            }
            Self::AudienceMismatch => "the assertion's AudienceRestriction does not name this service provider",
            Self::SessionExpired => "the authentication session (SessionNotOnOrAfter) is over",
        }
    }
}

impl core::error::Error for Error {}

impl From<CallbackError> for Error {
    fn from(e: CallbackError) -> Self {
        Self::Callback(e)
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        Self::Provider(e)
    }
}

impl From<TokenResponseError> for Error {
    fn from(e: TokenResponseError) -> Self {
        Self::TokenResponse(e)
    }
}

impl From<IdTokenError> for Error {
    fn from(e: IdTokenError) -> Self {
        Self::IdToken(e)
    }
}

#[cfg(feature = "saml")]
impl From<XmlError> for Error {
    fn from(e: XmlError) -> Self {
        Self::Xml(e)
    }
}

#[cfg(feature = "saml")]
impl From<SamlError> for Error {
    fn from(e: SamlError) -> Self {
        Self::Saml(e)
    }
}

impl From<VaultError> for Error {
    fn from(e: VaultError) -> Self {
        Self::Vault(e)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_unique_and_dotted() {
        #[allow(unused_mut)] // extended only with the saml feature
        let mut all = [
            Error::InvalidArgument {
                field: "x",
                reason: "y",
            },
            Error::UnknownOption { name: "x".into() },
            Error::SecretRefused {
                field: "clientSecret",
            },
            Error::InsecureUrl {
                field: "tokenEndpoint",
            },
            Error::ReservedParameter { name: "state" },
            Error::PkceVerifierInvalid,
            Error::PkcePlainRefused,
            Error::RandomUnavailable,
            Error::AuthorizationError(ErrorResponse::from_parts("a", None, None).unwrap()),
            Error::TokenError(ErrorResponse::from_parts("a", None, None).unwrap()),
        ]
        .into_iter()
        .chain(
            [
                CallbackError::TooLarge,
                CallbackError::Malformed("m"),
                CallbackError::RedirectUriMismatch,
                CallbackError::DuplicateParameter,
                CallbackError::ImplicitResponse,
                CallbackError::CodeAndError,
                CallbackError::CodeMissing,
                CallbackError::IssMissing,
                CallbackError::IssMismatch,
                CallbackError::IssUnverifiable,
                CallbackError::StateMissing,
                CallbackError::StateMismatch,
                CallbackError::StateReused,
                CallbackError::StateExpired,
            ]
            .map(Error::Callback),
        )
        .chain(
            [
                TokenResponseError::TooLarge,
                TokenResponseError::NotJsonObject,
                TokenResponseError::InvalidMember("expires_in"),
                TokenResponseError::AccessTokenMissing,
                TokenResponseError::TokenTypeUnsupported,
                TokenResponseError::HttpStatus(500),
            ]
            .map(Error::TokenResponse),
        )
        .chain(
            [
                IdTokenError::Malformed("x"),
                IdTokenError::AlgNone,
                IdTokenError::IssuerMismatch,
                IdTokenError::AudienceMismatch,
                IdTokenError::Expired,
                IdTokenError::NotYetValid,
                IdTokenError::AuthTimeMissing,
                IdTokenError::AuthTooOld,
                IdTokenError::CriticalUnsupported,
                IdTokenError::NonceMismatch,
                IdTokenError::SubjectMismatch,
                IdTokenError::Missing,
                IdTokenError::Unverifiable,
            ]
            .map(Error::IdToken),
        )
        .chain(
            [
                VaultError::Empty,
                VaultError::Expired,
                VaultError::NoRefreshToken,
                VaultError::NoIdToken,
                VaultError::ResponseConsumed,
                VaultError::RequestAmbiguous,
                VaultError::NotOutstanding,
                VaultError::Superseded,
            ]
            .map(Error::Vault),
        )
        .chain(
            [
                ProviderError::DiscoveryIssuerMismatch,
                ProviderError::DiscoveryMalformed("issuer"),
                ProviderError::PkceUnsupported,
                ProviderError::DpopUnsupported,
                ProviderError::UserinfoSigned,
                ProviderError::UserinfoMalformed("x"),
                ProviderError::UserinfoSubjectMismatch,
                ProviderError::UserinfoNoIdToken,
                ProviderError::UserinfoStatus(401),
                ProviderError::ParRequired,
                ProviderError::ParMalformed("x"),
            ]
            .map(Error::Provider),
        )
        .chain(core::iter::once(Error::ResourceError(
            ErrorResponse::from_parts("invalid_token", None, None).unwrap(),
        )))
        .collect::<Vec<_>>();
        #[cfg(feature = "saml")]
        all.extend(saml_errors());
        let mut codes: Vec<_> = all.iter().map(Error::code).collect();
        assert!(codes.iter().all(|c| c.contains('.')
            && c.chars().all(|ch| ch.is_ascii_lowercase()
                || ch.is_ascii_digit()
                || ch == '.'
                || ch == '_')));
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate error code");
        assert!(all.iter().all(|e| !e.to_string().is_empty()));
    }

    #[cfg(feature = "saml")]
    fn saml_errors() -> impl Iterator<Item = Error> {
        core::iter::empty()
            .chain(
                [
                    XmlError::TooLarge,
                    XmlError::TooDeep,
                    XmlError::TooManyAttributes,
                    XmlError::TooManyNodes,
                    XmlError::DoctypeRefused,
                    XmlError::UndefinedEntity,
                    XmlError::UnboundPrefix,
                    XmlError::EncodingUnsupported,
                    XmlError::Malformed,
                    XmlError::DuplicateElement,
                    XmlError::NotSimpleContent,
                ]
                .map(Error::Xml),
            )
            .chain(
                [
                    SamlError::BadTime,
                    SamlError::RelayStateTooLong,
                    SamlError::Base64Invalid,
                    SamlError::TooLarge,
                    SamlError::InflateFailed,
                    SamlError::NotUtf8,
                    SamlError::CertificateInvalid,
                    SamlError::CertificateUnsupported,
                    SamlError::WeakRsaKey { bits: 1024 },
                    SamlError::AlgorithmUnsupported,
                    SamlError::Sha1Refused,
                    SamlError::NoMatchingKey,
                    SamlError::SignatureInvalid,
                    SamlError::SignatureMissing,
                    SamlError::RedirectMalformed,
                    SamlError::UnexpectedMessage,
                    SamlError::VersionUnsupported,
                    SamlError::DestinationMismatch,
                    SamlError::IssuerMismatch,
                    SamlError::IssueInstantInvalid,
                    SamlError::MetadataInvalid,
                    SamlError::MetadataExpired,
                    SamlError::MetadataUnsigned,
                    SamlError::LogoutNameIdMissing,
                    SamlError::MetadataValidUntilMissing,
                    SamlError::MetadataEntityNotFound,
                    SamlError::MetadataEntityDuplicate,
                    SamlError::MetadataEntityRequired,
                    SamlError::InResponseToMismatch,
                    SamlError::InResponseToReused,
                    SamlError::InResponseToExpired,
                    SamlError::Replayed,
                    SamlError::ReplayMemoryFull,
                    SamlError::StoreFailed,
                    SamlError::StoreTimeout,
                    SamlError::Expired,
                    SamlError::SignatureStructure("x"),
                    SamlError::DigestMismatch,
                    SamlError::TransformUnsupported,
                    SamlError::AssertionCount,
                    SamlError::AssertionEncrypted,
                    SamlError::AssertionInvalid("x"),
                    SamlError::SubjectConfirmationInvalid,
                    SamlError::ConditionsExpired,
                    SamlError::ConditionsNotYetValid,
                    SamlError::AudienceMismatch,
                    SamlError::SessionExpired,
                ]
                .map(Error::Saml),
            )
            .chain([Error::SamlStatus(Box::new(StatusError {
                code: "x".into(),
                second_level: None,
                message: None,
            }))])
    }

    #[test]
    fn error_response_keeps_only_rfc_charset() {
        let r = ErrorResponse::from_parts(
            "invalid_request",
            Some("bad \"quote\"\\ é\n\u{7f}end"),
            Some("https://x/\u{7f}"),
        )
        .unwrap();
        // Outside the grammar: each character a space, one per character.
        assert_eq!(r.description.as_deref(), Some("bad  quote      end"));
        assert_eq!(r.uri, None);
        let long = format!("{}{}", "x".repeat(1000), "é".repeat(2000));
        let long = ErrorResponse::from_parts("e", Some(&long), None).unwrap();
        assert_eq!(
            long.description.unwrap(),
            format!("{}{}", "x".repeat(1000), " ".repeat(24))
        );
        let blank = ErrorResponse::from_parts("e", Some("é\r\n"), None).unwrap();
        assert_eq!(blank.description, None);
        let fine = ErrorResponse::from_parts("e", Some("ok: (1) [2] {3}"), None).unwrap();
        assert_eq!(fine.description.as_deref(), Some("ok: (1) [2] {3}"));
        assert_eq!(
            ErrorResponse::from_parts("e", Some(""), None)
                .unwrap()
                .description,
            None
        );
        assert!(ErrorResponse::from_parts("", None, None).is_none());
        assert!(ErrorResponse::from_parts("has space", None, None).is_none());
        assert!(ErrorResponse::from_parts(&"a".repeat(129), None, None).is_none());
    }

    #[test]
    fn authorization_error_message_names_the_code() {
        let r = ErrorResponse::from_parts("access_denied", Some("User cancelled"), None).unwrap();
        let e = Error::AuthorizationError(r);
        assert_eq!(
            e.to_string(),
            "the authorization server returned error `access_denied`: User cancelled"
        );
        assert_eq!(format!("{e:?}"), "Error(oauth.authorization.error: the authorization server returned error `access_denied`: User cancelled)");
        let bare =
            Error::TokenError(ErrorResponse::from_parts("invalid_grant", None, None).unwrap());
        assert_eq!(
            bare.to_string(),
            "the token endpoint returned error `invalid_grant`"
        );
    }

    #[test]
    fn messages_name_their_field_and_status() {
        assert_eq!(
            Error::InvalidArgument {
                field: "scope",
                reason: "is bad"
            }
            .to_string(),
            "invalid `scope`: is bad"
        );
        assert_eq!(
            Error::TokenResponse(TokenResponseError::InvalidMember("expires_in")).to_string(),
            "the token response member `expires_in` has an invalid type or value"
        );
        assert_eq!(
            Error::IdToken(IdTokenError::Malformed("aud")).to_string(),
            "the ID token is malformed (`aud`)"
        );
        for (status, text) in [
            (0, "0"),
            (7, "7"),
            (404, "404"),
            (502, "502"),
            (65535, "65535"),
        ] {
            let e = Error::TokenResponse(TokenResponseError::HttpStatus(status));
            assert_eq!(
                e.to_string(),
                format!("the token endpoint answered HTTP {text} without an OAuth error body")
            );
        }
    }

    /// Strict by default, liftable by name: every refusal a deployment may
    /// need to lift says which option lifts it.
    #[cfg(feature = "saml")]
    #[test]
    fn liftable_refusals_name_their_option() {
        for (e, option) in [
            (Error::Saml(SamlError::Sha1Refused), "allowSha1"),
            (
                Error::Saml(SamlError::WeakRsaKey { bits: 1024 }),
                "allowWeakRsa",
            ),
            (
                Error::Saml(SamlError::CertificateUnsupported),
                "allowWeakRsa",
            ),
            (Error::HttpRefused { field: "acsUrl" }, "allowHttp"),
            (
                Error::Saml(SamlError::InResponseToMismatch),
                "allowUnsolicited",
            ),
            (Error::Saml(SamlError::SignatureMissing), "allowUnsigned"),
            (Error::Saml(SamlError::ReplayMemoryFull), "replayCapacity"),
            (
                Error::Saml(SamlError::MetadataValidUntilMissing),
                "allowMissingValidUntil",
            ),
            (Error::Saml(SamlError::InResponseToExpired), "requestTtlMs"),
            (
                Error::Saml(SamlError::IssueInstantInvalid),
                "clockSkewSeconds",
            ),
            (
                Error::Saml(SamlError::ConditionsExpired),
                "clockSkewSeconds",
            ),
            (
                Error::Saml(SamlError::ConditionsNotYetValid),
                "clockSkewSeconds",
            ),
        ] {
            let msg = e.to_string();
            assert!(msg.contains(option), "{}: {msg}", e.code());
        }
        // The weak key's size is in its message.
        for bits in [1024, 1536, 2047] {
            let msg = Error::Saml(SamlError::WeakRsaKey { bits }).to_string();
            assert!(msg.contains(&format!("has {bits} bits")), "{msg}");
        }
        // The http refusal keeps the stable code of every insecure URL.
        assert_eq!(
            Error::HttpRefused { field: "acsUrl" }.code(),
            Error::InsecureUrl { field: "acsUrl" }.code()
        );
        assert!(Error::HttpRefused { field: "acsUrl" }.is_caller_error());
        // An OAuth endpoint has no such option, and its message names none.
        assert!(!Error::InsecureUrl {
            field: "tokenEndpoint"
        }
        .to_string()
        .contains("allowHttp"));
    }

    #[cfg(feature = "saml")]
    #[test]
    fn saml_messages_carry_their_detail() {
        assert_eq!(
            Error::Saml(SamlError::SignatureStructure("two SignedInfo")).to_string(),
            "the XML signature is not acceptable: two SignedInfo"
        );
        let status = |second: Option<&str>| {
            Error::SamlStatus(Box::new(StatusError {
                code: "urn:x:Requester".into(),
                second_level: second.map(Into::into),
                message: None,
            }))
            .to_string()
        };
        assert_eq!(status(None), "the IdP answered with status urn:x:Requester");
        assert_eq!(
            status(Some("urn:x:NoPassive")),
            "the IdP answered with status urn:x:Requester / urn:x:NoPassive"
        );
    }
}
