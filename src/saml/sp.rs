//! `SamlServiceProvider`: the SP's configuration, its IdP, and the AuthnRequests
//! it has sent and not yet seen answered.

use super::authn_request::{self, AuthnRequestOptions, RequestParts};
use super::binding::{self, base64_encode, check_relay_state, MessageParam};
use super::keys::IdpCertificate;
use super::xml::xml_trim;
use crate::error::SamlError;
use crate::error::{Error, Result};
use crate::one_time::{OneTimeStore, SeenStore, DEFAULT_SEEN_CAPACITY, MAX_SEEN_CAPACITY};
use crate::random;
use crate::url::check_saml_endpoint;

/// How long a sent AuthnRequest is remembered by default (10 minutes).
pub const DEFAULT_REQUEST_TTL_MS: u64 = 10 * 60 * 1000;
/// How many unexpired assertion IDs an SP remembers by default
/// ([`SpConfig::replay_capacity`]).
pub const DEFAULT_REPLAY_CAPACITY: usize = DEFAULT_SEEN_CAPACITY;
/// The largest [`SpConfig::replay_capacity`].
pub const MAX_REPLAY_CAPACITY: usize = MAX_SEEN_CAPACITY;
/// Default allowed clock difference with the IdP, in seconds.
pub const DEFAULT_CLOCK_SKEW_SECONDS: u64 = 180;
/// The largest allowed clock difference, in seconds (one hour), for the SP
/// (`clockSkewSeconds`) and for one call
/// ([`ValidateOptions::clock_skew_seconds`](super::response::ValidateOptions)):
/// a larger value is refused, never capped.
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 3600;

/// Refuses a clock skew above [`MAX_CLOCK_SKEW_SECONDS`]: one rule for the
/// SP's configuration and each call's option.
pub(crate) fn check_clock_skew(seconds: u64) -> Result<u64> {
    if seconds > MAX_CLOCK_SKEW_SECONDS {
        return Err(Error::InvalidArgument {
            field: "clockSkewSeconds",
            reason: "at most 3600 (one hour)",
        });
    }
    Ok(seconds)
}

/// The identity provider, as configured (or read from its metadata).
#[derive(Clone, Debug, Default)]
pub struct IdpConfig {
    /// The IdP's entity ID (the `Issuer` of its messages).
    pub entity_id: String,
    /// SingleSignOnService for the HTTP-Redirect binding.
    pub sso_redirect_url: Option<String>,
    /// SingleSignOnService for the HTTP-POST binding.
    pub sso_post_url: Option<String>,
    /// SingleLogoutService for the HTTP-Redirect binding.
    pub slo_redirect_url: Option<String>,
    /// SingleLogoutService for the HTTP-POST binding.
    pub slo_post_url: Option<String>,
    /// The redirect SingleLogoutService's `ResponseLocation`: where the SP's
    /// LogoutResponse goes when it differs from `slo_redirect_url`
    /// (Metadata §2.2.2).
    pub slo_response_url: Option<String>,
    /// The IdP's signing certificates (several for key rollover). Trust comes
    /// from this configuration only.
    pub certificates: Vec<IdpCertificate>,
    /// When the metadata this came from stops being valid (ms); messages are
    /// refused after it, so a long-lived SP does not outlive its trust anchor.
    pub metadata_valid_until: Option<u64>,
}

/// The service provider's configuration. No private key: edge-sso never signs.
#[derive(Clone, Debug)]
pub struct SpConfig {
    /// The SP's entity ID (the `Issuer` of its requests, the expected `Audience`).
    pub entity_id: String,
    /// The Assertion Consumer Service URL (HTTP-POST), the expected `Destination`/`Recipient`.
    pub acs_url: String,
    /// The SP's Single Logout URL, the expected `Destination` of logout messages.
    pub slo_url: Option<String>,
    /// The identity provider.
    pub idp: IdpConfig,
    /// Allowed clock difference, in seconds.
    pub clock_skew_seconds: u64,
    /// Accept SHA-1 signatures (RSA-SHA1, DSA-SHA1).
    pub allow_sha1: bool,
    /// Accept IdP certificates with RSA keys of 1024–2047 bits
    /// (`allowWeakRsa`; below 1024 bits never). Certificates are read before
    /// the SP exists: read them with
    /// [`parse_certificates_with`](super::keys::parse_certificates_with) and
    /// set this too, or [`SamlServiceProvider::new`] refuses them
    /// (`saml.certificate.weak_rsa`).
    pub allow_weak_rsa: bool,
    /// Accept plain `http:` URLs on hosts that are not loopback for the SP's
    /// own URLs (`acsUrl`, `sloUrl`) and the IdP's endpoints (`allowHttp`).
    /// No other scheme is ever accepted.
    pub allow_http: bool,
    /// How long a sent AuthnRequest stays answerable, in milliseconds.
    pub request_ttl_ms: u64,
    /// How many unexpired message IDs (and, apart, answered request IDs)
    /// this SP remembers against replay in its own memory. When full, new
    /// messages are refused (`saml.replay.memory_full`) rather than an ID
    /// forgotten. With a shared store (`validate_response_with`) assertion
    /// IDs live there, and only answered request IDs count here.
    pub replay_capacity: usize,
}

impl SpConfig {
    /// A configuration with defaults for the optional values.
    pub fn new(entity_id: impl Into<String>, acs_url: impl Into<String>, idp: IdpConfig) -> Self {
        Self {
            entity_id: entity_id.into(),
            acs_url: acs_url.into(),
            slo_url: None,
            idp,
            clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            allow_sha1: false,
            allow_weak_rsa: false,
            allow_http: false,
            request_ttl_ms: DEFAULT_REQUEST_TTL_MS,
            replay_capacity: DEFAULT_SEEN_CAPACITY,
        }
    }

    fn validate(&self) -> Result<()> {
        if xml_trim(&self.entity_id).is_empty() {
            return Err(Error::InvalidArgument {
                field: "entityId",
                reason: "is required",
            });
        }
        if xml_trim(&self.idp.entity_id).is_empty() {
            return Err(Error::InvalidArgument {
                field: "idp.entityId",
                reason: "is required",
            });
        }
        let http = self.allow_http;
        check_saml_endpoint("acsUrl", &self.acs_url, http)?;
        if let Some(u) = &self.slo_url {
            check_saml_endpoint("sloUrl", u, http)?;
        }
        for (field, url) in [
            ("idp.ssoRedirectUrl", &self.idp.sso_redirect_url),
            ("idp.ssoPostUrl", &self.idp.sso_post_url),
            ("idp.sloRedirectUrl", &self.idp.slo_redirect_url),
            ("idp.sloPostUrl", &self.idp.slo_post_url),
            ("idp.sloResponseUrl", &self.idp.slo_response_url),
        ] {
            if let Some(u) = url {
                check_saml_endpoint(field, u, http)?;
            }
        }
        if self.idp.sso_redirect_url.is_none() && self.idp.sso_post_url.is_none() {
            return Err(Error::InvalidArgument {
                field: "idp.ssoRedirectUrl",
                reason: "the IdP needs an SSO URL",
            });
        }
        check_clock_skew(self.clock_skew_seconds)?;
        if !self.allow_weak_rsa {
            if let Some(bits) = self.idp.certificates.iter().find_map(|c| c.weak_rsa_bits()) {
                return Err(SamlError::WeakRsaKey {
                    bits: u16::try_from(bits).unwrap_or(u16::MAX),
                }
                .into());
            }
        }
        if !(1..=MAX_REPLAY_CAPACITY).contains(&self.replay_capacity) {
            return Err(Error::InvalidArgument {
                field: "replayCapacity",
                reason: "between 1 and 1000000",
            });
        }
        if !(1_000..=24 * 3600 * 1000).contains(&self.request_ttl_ms) {
            return Err(Error::InvalidArgument {
                field: "requestTtlMs",
                reason: "between 1 second and 24 hours",
            });
        }
        Ok(())
    }
}

/// Which binding carries the AuthnRequest to the IdP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestBinding {
    /// HTTP-Redirect (the default; the Orange flow's).
    #[default]
    Redirect,
    /// HTTP-POST (an auto-submitting form).
    Post,
}

/// How the request reaches the IdP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// Send the browser to this URL (HTTP 302 or `location.assign`).
    Redirect {
        /// The IdP SSO URL with `SAMLRequest` (and `RelayState`).
        url: String,
    },
    /// Serve this page; it posts the request to `action`.
    Post {
        /// The IdP SSO URL.
        action: String,
        /// The base64 `SAMLRequest` value.
        saml_request: String,
        /// The auto-submitting page (every value escaped).
        html: String,
    },
}

/// A sent AuthnRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAuthnRequest {
    /// The request ID (`_` + 256 random bits in hex), the expected `InResponseTo`.
    pub id: String,
    /// The request XML.
    pub xml: String,
    /// Where it goes and how.
    pub outgoing: Outgoing,
    /// The RelayState sent, if any.
    pub relay_state: Option<String>,
    /// Until when the response is expected (ms since the epoch).
    pub expires_at: u64,
}

/// A SAML 2.0 service provider (Web Browser SSO profile, SP side).
///
/// ```
/// use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig, Outgoing};
/// let idp = IdpConfig {
///     entity_id: "https://idp.example".into(),
///     sso_redirect_url: Some("https://idp.example/sso".into()),
///     ..Default::default()
/// };
/// let mut sp = SamlServiceProvider::new(SpConfig::new("https://sp.example", "https://sp.example/acs", idp)).unwrap();
/// let sent = sp.authn_request(Default::default(), Default::default(), None, 1_700_000_000_000).unwrap();
/// let Outgoing::Redirect { url } = &sent.outgoing else { unreachable!() };
/// assert!(url.starts_with("https://idp.example/sso?SAMLRequest="));
/// assert_eq!(sent.id.len(), 65);
/// ```
#[derive(Debug)]
pub struct SamlServiceProvider {
    config: SpConfig,
    pending: OneTimeStore<()>,
    pub(crate) pending_logout: OneTimeStore<()>,
    pub(crate) seen_messages: SeenStore,
    /// Carried request IDs (`expectedRequestId`) already answered, each until
    /// the response that answered it stops being valid.
    pub(crate) used_requests: SeenStore,
}

impl SamlServiceProvider {
    /// Checks the configuration and creates the SP.
    pub fn new(config: SpConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            pending: OneTimeStore::default(),
            pending_logout: OneTimeStore::default(),
            seen_messages: SeenStore::with_capacity(config.replay_capacity),
            used_requests: SeenStore::with_capacity(config.replay_capacity),
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SpConfig {
        &self.config
    }

    /// Builds an AuthnRequest, encodes it for `binding`, and remembers its ID
    /// (one-time, expiring) for the response's `InResponseTo`.
    pub fn authn_request(
        &mut self,
        options: AuthnRequestOptions,
        binding: RequestBinding,
        relay_state: Option<String>,
        now: u64,
    ) -> Result<SentAuthnRequest> {
        if let Some(rs) = &relay_state {
            check_relay_state(rs)?;
        }
        let destination = match binding {
            RequestBinding::Redirect => self.config.idp.sso_redirect_url.as_deref(),
            RequestBinding::Post => self.config.idp.sso_post_url.as_deref(),
        }
        .ok_or(Error::InvalidArgument {
            field: "binding",
            reason: "the IdP has no SSO URL for this binding",
        })?;
        let id = new_request_id()?;
        let xml = authn_request::build(
            &RequestParts {
                id: &id,
                issue_instant: now,
                destination,
                issuer: &self.config.entity_id,
                acs_url: &self.config.acs_url,
            },
            &options,
        )?;
        let outgoing = match binding {
            RequestBinding::Redirect => Outgoing::Redirect {
                url: binding::redirect_url_with(
                    destination,
                    MessageParam::Request,
                    &xml,
                    relay_state.as_deref(),
                    self.config.allow_http,
                )?,
            },
            RequestBinding::Post => Outgoing::Post {
                action: destination.to_owned(),
                saml_request: base64_encode(xml.as_bytes()),
                html: binding::post_form_with(
                    destination,
                    MessageParam::Request,
                    &xml,
                    relay_state.as_deref(),
                    self.config.allow_http,
                )?,
            },
        };
        let expires_at = now.saturating_add(self.config.request_ttl_ms);
        self.pending.insert(id.clone(), (), expires_at, now);
        Ok(SentAuthnRequest {
            id,
            xml,
            outgoing,
            relay_state,
            expires_at,
        })
    }

    pub(crate) fn pending_take(
        &mut self,
        id: &str,
        now: u64,
    ) -> core::result::Result<(), crate::one_time::Miss> {
        self.pending.take(id, now)
    }

    pub(crate) fn pending_peek(
        &self,
        id: &str,
        now: u64,
    ) -> core::result::Result<(), crate::one_time::Miss> {
        self.pending.peek(id, now)
    }

    pub(crate) fn pending_was_used(&self, id: &str) -> bool {
        self.pending.was_used(id)
    }

    pub(crate) fn pending_mark_used(&mut self, id: &str) {
        self.pending.mark_used(id);
    }

    /// As if this SP had sent an AuthnRequest with `id`: the fixtures'
    /// responses answer fixed request IDs, and pending mode needs its own.
    #[cfg(test)]
    pub(crate) fn expect_request_for_test(&mut self, id: &str, expires_at: u64, now: u64) {
        self.pending.insert(id.to_owned(), (), expires_at, now);
    }

    /// The configured IdP certificates.
    pub fn certificates(&self) -> &[IdpCertificate] {
        &self.config.idp.certificates
    }

    /// The checks every incoming message gets: the IdP as `Issuer`, the
    /// expected `Destination` (required on signed redirect messages, Bindings
    /// §3.4.5.2), and an `IssueInstant` that is neither in the future nor
    /// older than [`super::redirect::MAX_MESSAGE_AGE_MS`] (both with the skew).
    pub(crate) fn check_envelope(
        &self,
        message: &super::message::MessageInfo,
        expected_destination: Option<&str>,
        destination_required: bool,
        now: u64,
    ) -> Result<()> {
        if self
            .config
            .idp
            .metadata_valid_until
            .is_some_and(|t| now >= t)
        {
            return Err(SamlError::MetadataExpired.into());
        }
        if message.issuer.as_deref() != Some(self.config.idp.entity_id.as_str()) {
            return Err(SamlError::IssuerMismatch.into());
        }
        match (message.destination.as_deref(), expected_destination) {
            (Some(d), Some(e)) if d == e => {}
            (Some(_), _) => return Err(SamlError::DestinationMismatch.into()),
            (None, _) if destination_required => return Err(SamlError::DestinationMismatch.into()),
            (None, _) => {}
        }
        let skew = self.config.clock_skew_seconds.saturating_mul(1000);
        let instant = message.issue_instant;
        if instant > now.saturating_add(skew)
            || instant.saturating_add(super::redirect::MAX_MESSAGE_AGE_MS + skew) < now
        {
            return Err(SamlError::IssueInstantInvalid.into());
        }
        Ok(())
    }

    /// Number of AuthnRequests awaiting a response.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }
}

/// A request ID: `_` then 256 random bits in hex (xs:ID must not start with a digit).
pub(crate) fn new_request_id() -> Result<String> {
    let mut bytes = [0u8; 32];
    random::fill(&mut bytes)?;
    let mut id = String::with_capacity(65);
    id.push('_');
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::saml::binding::decode_redirect;
    use crate::saml::xml::parse;
    use crate::saml::NS_PROTOCOL;
    use crate::url::parse_query;

    const NOW: u64 = 1_700_000_000_000;

    fn idp() -> IdpConfig {
        IdpConfig {
            entity_id: "https://idp.example".into(),
            sso_redirect_url: Some("https://idp.example/sso?tenant=7".into()),
            sso_post_url: Some("https://idp.example/sso-post".into()),
            ..Default::default()
        }
    }

    fn sp() -> SamlServiceProvider {
        SamlServiceProvider::new(SpConfig::new(
            "https://sp.example",
            "https://sp.example/acs",
            idp(),
        ))
        .unwrap()
    }

    #[test]
    fn redirect_request_round_trips_and_is_remembered() {
        let mut sp = sp();
        let sent = sp
            .authn_request(
                AuthnRequestOptions::default(),
                RequestBinding::Redirect,
                Some("/cart".into()),
                NOW,
            )
            .unwrap();
        let Outgoing::Redirect { url } = &sent.outgoing else {
            panic!("redirect expected")
        };
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://idp.example/sso");
        let q = parse_query(query).unwrap();
        assert_eq!(q[0], ("tenant".into(), "7".into()));
        assert_eq!(q[1].0, "SAMLRequest");
        assert_eq!(decode_redirect(&q[1].1).unwrap(), sent.xml);
        assert_eq!(q[2], ("RelayState".into(), "/cart".into()));
        let doc = parse(&sent.xml).unwrap();
        assert!(doc.root.is(NS_PROTOCOL, "AuthnRequest"));
        assert_eq!(doc.root.attr("ID"), Some(sent.id.as_str()));
        assert_eq!(
            doc.root.attr("Destination"),
            Some("https://idp.example/sso?tenant=7")
        );
        assert_eq!(sent.expires_at, NOW + DEFAULT_REQUEST_TTL_MS);
        assert_eq!(sp.pending_count(), 1);
    }

    #[test]
    fn post_request_form() {
        let mut sp = sp();
        let sent = sp
            .authn_request(
                AuthnRequestOptions::default(),
                RequestBinding::Post,
                None,
                NOW,
            )
            .unwrap();
        let Outgoing::Post {
            action,
            saml_request,
            html,
        } = &sent.outgoing
        else {
            panic!("post expected")
        };
        assert_eq!(action, "https://idp.example/sso-post");
        assert_eq!(binding::decode_post(saml_request).unwrap(), sent.xml);
        assert!(html.contains(saml_request.as_str()));
        assert_eq!(
            parse(&sent.xml).unwrap().root.attr("Destination"),
            Some("https://idp.example/sso-post")
        );
    }

    #[test]
    fn request_ids_are_fresh_ncnames_with_256_bits() {
        let mut sp = sp();
        let a = sp
            .authn_request(Default::default(), Default::default(), None, NOW)
            .unwrap()
            .id;
        let b = sp
            .authn_request(Default::default(), Default::default(), None, NOW)
            .unwrap()
            .id;
        assert_ne!(a, b);
        assert!(
            a.starts_with('_') && a.len() == 65 && a[1..].bytes().all(|c| c.is_ascii_hexdigit())
        );
    }

    #[test]
    fn configuration_is_checked() {
        let bad = |f: fn(&mut SpConfig)| {
            let mut c = SpConfig::new("https://sp.example", "https://sp.example/acs", idp());
            f(&mut c);
            SamlServiceProvider::new(c).unwrap_err().code()
        };
        assert_eq!(bad(|c| c.entity_id = " ".into()), "arg.invalid");
        assert_eq!(bad(|c| c.idp.entity_id = String::new()), "arg.invalid");
        assert_eq!(
            bad(|c| c.acs_url = "http://sp.example/acs".into()),
            "config.insecure_url"
        );
        assert_eq!(
            bad(|c| c.idp.sso_redirect_url = Some("javascript:alert(1)".into())),
            "config.insecure_url"
        );
        assert_eq!(
            bad(|c| {
                c.idp.sso_redirect_url = None;
                c.idp.sso_post_url = None;
            }),
            "arg.invalid"
        );
    }

    #[test]
    fn missing_binding_url_and_long_relay_state_are_refused() {
        let mut c = SpConfig::new("https://sp.example", "https://sp.example/acs", idp());
        c.idp.sso_post_url = None;
        let mut sp = SamlServiceProvider::new(c).unwrap();
        assert_eq!(
            sp.authn_request(Default::default(), RequestBinding::Post, None, NOW)
                .unwrap_err()
                .code(),
            "arg.invalid"
        );
        assert_eq!(
            sp.authn_request(
                Default::default(),
                RequestBinding::Redirect,
                Some("x".repeat(81)),
                NOW
            )
            .unwrap_err()
            .code(),
            "saml.relay_state.too_long"
        );
        assert_eq!(sp.pending_count(), 0);
    }
}
