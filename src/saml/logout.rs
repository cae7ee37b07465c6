//! SAML Single Logout, SP side (Profiles §4.4): the SP's `LogoutRequest` for
//! the redirect binding and the IdP's `LogoutResponse`; and a logout the IdP
//! starts: its `LogoutRequest` (by HTTP-POST here, by HTTP-Redirect in
//! `redirect.rs`) and the SP's `LogoutResponse` for the redirect binding.
//!
//! The SLO profile asks for signed logout messages. edge-sso holds no key, so
//! it cannot sign: with a `SigAlg` it returns the exact octets to sign
//! (`signing_input`) for the caller's server, which appends
//! `&Signature=<percent-encoded base64>` to the URL. Without one the request
//! goes unsigned, which only IdPs configured to accept it will take.

use super::binding::{check_relay_state, decode_post, deflate_encode};
use super::escape::{xml_attr, xml_safe, xml_text};
use super::message::{self, MessageInfo, MessageKind};
use super::sp::SamlServiceProvider;
use super::time::format_utc;
use super::verify::SigAlg;
use super::{NS_ASSERTION, NS_PROTOCOL};
use crate::error::{Error, Result, SamlError};
use crate::one_time::{Miss, NotRecorded};

/// What to log out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutRequestInit {
    /// The NameID from the assertion.
    pub name_id: String,
    /// Its `Format`.
    pub name_id_format: Option<String>,
    /// Its `NameQualifier`.
    pub name_qualifier: Option<String>,
    /// Its `SPNameQualifier`.
    pub sp_name_qualifier: Option<String>,
    /// `SessionIndex` values from the AuthnStatement.
    pub session_indexes: Vec<String>,
    /// RelayState (at most 80 bytes).
    pub relay_state: Option<String>,
    /// The algorithm the caller's server will sign with; adds `SigAlg` and
    /// returns `signing_input`.
    pub sig_alg: Option<SigAlg>,
}

/// A LogoutRequest ready for the redirect binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentLogoutRequest {
    /// The request ID (the expected `InResponseTo` of the LogoutResponse).
    pub id: String,
    /// The request XML.
    pub xml: String,
    /// The IdP SLO URL with `SAMLRequest`, `RelayState`, `SigAlg` (no `Signature`).
    pub url: String,
    /// With a `SigAlg`: the octets the server must sign (Bindings §3.4.4.1).
    pub signing_input: Option<String>,
    /// Until when the response is expected (ms since the epoch).
    pub expires_at: u64,
}

/// Options for reading a LogoutResponse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutResponseOptions {
    /// The LogoutRequest ID the caller carried (instead of this instance's memory).
    pub expected_request_id: Option<String>,
    /// Accept it without a signature.
    pub allow_unsigned: bool,
}

/// The SP's answer to a LogoutRequest the IdP sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutResponseInit {
    /// The `ID` of the IdP's LogoutRequest.
    pub in_response_to: String,
    /// The top-level status code URI; `None` is Success.
    pub status_code: Option<String>,
    /// A second-level status code URI (e.g. `...:status:PartialLogout`).
    pub second_level_status_code: Option<String>,
    /// The RelayState that came with the request, to hand back (at most 80 bytes).
    pub relay_state: Option<String>,
    /// The algorithm the caller's server will sign with; adds `SigAlg` and
    /// returns `signing_input`.
    pub sig_alg: Option<SigAlg>,
}

/// A LogoutResponse ready for the redirect binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentLogoutResponse {
    /// The response ID.
    pub id: String,
    /// The response XML.
    pub xml: String,
    /// The IdP SLO URL with `SAMLResponse`, `RelayState`, `SigAlg` (no `Signature`).
    pub url: String,
    /// With a `SigAlg`: the octets the server must sign (Bindings §3.4.4.1).
    pub signing_input: Option<String>,
}

/// Options for reading a LogoutRequest the IdP posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogoutRequestOptions {
    /// Accept it without a signature.
    pub allow_unsigned: bool,
}

/// The top-level status codes (Core §3.2.2.2); a LogoutResponse carries one.
const TOP_LEVEL_STATUS: [&str; 4] = [
    "urn:oasis:names:tc:SAML:2.0:status:Success",
    "urn:oasis:names:tc:SAML:2.0:status:Requester",
    "urn:oasis:names:tc:SAML:2.0:status:Responder",
    "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
];

/// The query of a redirect-binding message (`param` = `SAMLRequest` or
/// `SAMLResponse`) to `destination`: the URL and, with a `SigAlg`, the
/// octets to sign.
fn redirect_url(
    destination: &str,
    param: &str,
    xml: &str,
    relay_state: Option<&str>,
    sig_alg: Option<SigAlg>,
) -> (String, Option<String>) {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair(param, &deflate_encode(xml));
    if let Some(rs) = relay_state {
        ser.append_pair("RelayState", rs);
    }
    if let Some(alg) = sig_alg {
        ser.append_pair("SigAlg", alg.uri());
    }
    let query = ser.finish();
    let sep = if destination.contains('?') { '&' } else { '?' };
    (format!("{destination}{sep}{query}"), sig_alg.map(|_| query))
}

/// The IdP's redirect SLO endpoint, which both the SP's LogoutRequest and its
/// LogoutResponse go to.
fn slo_redirect_url(sp: &SamlServiceProvider) -> Result<String> {
    sp.config()
        .idp
        .slo_redirect_url
        .clone()
        .ok_or(Error::InvalidArgument {
            field: "idp.sloRedirectUrl",
            reason: "the IdP has no redirect SLO endpoint",
        })
}

/// A LogoutResponse must report Success; anything else (partial logout, a
/// responder error) is a typed error carrying the status codes and message.
pub(crate) fn require_success(msg: &MessageInfo) -> Result<()> {
    msg.status
        .as_ref()
        .ok_or(SamlError::UnexpectedMessage)?
        .require_success()
}

impl SamlServiceProvider {
    /// Builds a LogoutRequest for the IdP's HTTP-Redirect SLO endpoint and
    /// remembers its ID (one-time, expiring) for the LogoutResponse.
    pub fn logout_request(
        &mut self,
        init: LogoutRequestInit,
        now: u64,
    ) -> Result<SentLogoutRequest> {
        let destination = slo_redirect_url(self)?;
        if super::xml::xml_trim(&init.name_id).is_empty() {
            return Err(Error::InvalidArgument {
                field: "nameId",
                reason: "is required",
            });
        }
        if let Some(rs) = &init.relay_state {
            check_relay_state(rs)?;
        }
        let id = super::sp::new_request_id()?;
        let mut name_attrs = String::new();
        for (name, field, value) in [
            ("Format", "nameIdFormat", &init.name_id_format),
            ("NameQualifier", "nameQualifier", &init.name_qualifier),
            (
                "SPNameQualifier",
                "spNameQualifier",
                &init.sp_name_qualifier,
            ),
        ] {
            if let Some(v) = value {
                name_attrs.push_str(&format!(r#" {name}="{}""#, xml_attr(xml_safe(field, v)?)));
            }
        }
        let mut body = format!(
            "<saml:Issuer>{}</saml:Issuer><saml:NameID{name_attrs}>{}</saml:NameID>",
            xml_text(xml_safe("entityId", &self.config().entity_id)?),
            xml_text(xml_safe("nameId", &init.name_id)?)
        );
        for s in &init.session_indexes {
            body.push_str(&format!(
                "<samlp:SessionIndex>{}</samlp:SessionIndex>",
                xml_text(xml_safe("sessionIndex", s)?)
            ));
        }
        let xml = format!(
            r#"<samlp:LogoutRequest xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{}">{body}</samlp:LogoutRequest>"#,
            format_utc(now),
            xml_attr(xml_safe("idp.sloRedirectUrl", &destination)?)
        );
        let (url, signing_input) = redirect_url(
            &destination,
            "SAMLRequest",
            &xml,
            init.relay_state.as_deref(),
            init.sig_alg,
        );
        let expires_at = now.saturating_add(self.config().request_ttl_ms);
        self.pending_logout.insert(id.clone(), (), expires_at, now);
        Ok(SentLogoutRequest {
            id,
            xml,
            url,
            signing_input,
            expires_at,
        })
    }

    /// Reads a LogoutResponse posted by the IdP (HTTP-POST binding): its
    /// enveloped XML signature (with the configured certificates; an unsigned
    /// one only with `allow_unsigned`), Issuer, Destination, IssueInstant,
    /// InResponseTo (one-time) and Success. Returns the message and whether
    /// a signature verified.
    pub fn read_logout_response_post(
        &mut self,
        value: &str,
        now: u64,
        opts: LogoutResponseOptions,
    ) -> Result<(MessageInfo, bool)> {
        let (msg, signed) =
            self.read_post(value, MessageKind::LogoutResponse, opts.allow_unsigned)?;
        self.check_envelope(&msg, self.config().slo_url.clone().as_deref(), signed, now)?;
        self.check_logout_answer(&msg, opts.expected_request_id.as_deref(), now)?;
        require_success(&msg)?;
        Ok((msg, signed))
    }

    /// Reads a LogoutRequest posted by the IdP (HTTP-POST binding, a logout
    /// the IdP started): its enveloped XML signature with the configured
    /// certificates (unsigned only with `allow_unsigned`), Issuer,
    /// Destination (this SP's SLO URL), IssueInstant, NotOnOrAfter, and once
    /// only. Returns the message (NameID, SessionIndexes) and whether a
    /// signature verified; answer it with [`Self::logout_response`].
    pub fn read_logout_request_post(
        &mut self,
        value: &str,
        now: u64,
        opts: LogoutRequestOptions,
    ) -> Result<(MessageInfo, bool)> {
        let (msg, signed) =
            self.read_post(value, MessageKind::LogoutRequest, opts.allow_unsigned)?;
        self.check_envelope(&msg, self.config().slo_url.clone().as_deref(), signed, now)?;
        self.check_logout_request(&msg, now)?;
        Ok((msg, signed))
    }

    /// A posted message of `kind`: base64-decoded, read, and its enveloped
    /// signature verified on the very root that was read (unsigned only with
    /// `allow_unsigned`).
    fn read_post(
        &self,
        value: &str,
        kind: MessageKind,
        allow_unsigned: bool,
    ) -> Result<(MessageInfo, bool)> {
        let xml = decode_post(value)?;
        let doc = super::xml::parse(&xml)?;
        let msg = message::read_root(&doc.root)?;
        if msg.kind != kind {
            return Err(SamlError::UnexpectedMessage.into());
        }
        let signed = match super::dsig::signature_of(&doc.root)? {
            Some(_) => {
                super::dsig::verify_enveloped(
                    &doc.root,
                    &doc.root,
                    self.certificates(),
                    self.config().allow_sha1,
                )?;
                true
            }
            None if allow_unsigned => false,
            None => return Err(SamlError::SignatureMissing.into()),
        };
        Ok((msg, signed))
    }

    /// The SP's LogoutResponse to a LogoutRequest the IdP sent (read with
    /// [`Self::read_logout_request_post`] or `verify_redirect`), for the IdP's
    /// HTTP-Redirect SLO endpoint: `InResponseTo`, `Destination` = that
    /// endpoint, and the Status. Unsigned, or with a `SigAlg` the octets for
    /// the caller's server to sign, as for [`Self::logout_request`].
    pub fn logout_response(
        &self,
        init: LogoutResponseInit,
        now: u64,
    ) -> Result<SentLogoutResponse> {
        // Metadata §2.2.2: a response goes to ResponseLocation when the IdP names one.
        let destination = match &self.config().idp.slo_response_url {
            Some(url) => url.clone(),
            None => slo_redirect_url(self)?,
        };
        if super::xml::xml_trim(&init.in_response_to).is_empty() {
            return Err(Error::InvalidArgument {
                field: "inResponseTo",
                reason: "is required: the ID of the IdP's LogoutRequest",
            });
        }
        if let Some(rs) = &init.relay_state {
            check_relay_state(rs)?;
        }
        let code = init.status_code.as_deref().unwrap_or(TOP_LEVEL_STATUS[0]);
        if !TOP_LEVEL_STATUS.contains(&code) {
            return Err(Error::InvalidArgument {
                field: "statusCode",
                reason: "must be a top-level status code URI (Success, Requester, Responder, VersionMismatch)",
            });
        }
        let second = match &init.second_level_status_code {
            Some(c) if c.starts_with("urn:oasis:names:tc:SAML:2.0:status:") => format!(
                r#"<samlp:StatusCode Value="{}"/>"#,
                xml_attr(xml_safe("secondLevelStatusCode", c)?)
            ),
            Some(_) => {
                return Err(Error::InvalidArgument {
                    field: "secondLevelStatusCode",
                    reason: "must be a urn:oasis:names:tc:SAML:2.0:status: URI",
                })
            }
            None => String::new(),
        };
        let id = super::sp::new_request_id()?;
        let xml = format!(
            r#"<samlp:LogoutResponse xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml:Issuer>{}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{code}">{second}</samlp:StatusCode></samlp:Status></samlp:LogoutResponse>"#,
            format_utc(now),
            xml_attr(xml_safe("idp.sloResponseUrl", &destination)?),
            xml_attr(xml_safe("inResponseTo", &init.in_response_to)?),
            xml_text(xml_safe("entityId", &self.config().entity_id)?),
        );
        let (url, signing_input) = redirect_url(
            &destination,
            "SAMLResponse",
            &xml,
            init.relay_state.as_deref(),
            init.sig_alg,
        );
        Ok(SentLogoutResponse {
            id,
            xml,
            url,
            signing_input,
        })
    }

    /// A LogoutRequest from the IdP: not past its `NotOnOrAfter`, and accepted
    /// once (its ID is remembered until it could no longer pass the time checks).
    pub(crate) fn check_logout_request(&mut self, msg: &MessageInfo, now: u64) -> Result<()> {
        // Core §3.7.1: exactly one of BaseID, NameID or EncryptedID. Only a
        // NameID is read; without one, a caller ending sessions by
        // SessionIndex alone could end another user's. Refused before the ID
        // is remembered.
        if msg.name_id.as_deref().is_none_or(str::is_empty) {
            return Err(SamlError::LogoutNameIdMissing.into());
        }
        let skew = self.config().clock_skew_seconds.saturating_mul(1000);
        if msg
            .not_on_or_after
            .is_some_and(|t| now >= t.saturating_add(skew))
        {
            return Err(SamlError::Expired.into());
        }
        let remember_until = msg
            .issue_instant
            .saturating_add(super::redirect::MAX_MESSAGE_AGE_MS + 2 * skew);
        match self
            .seen_messages
            .first_sighting(&msg.id, remember_until, now)
        {
            Ok(()) => Ok(()),
            Err(NotRecorded::Seen) => Err(SamlError::Replayed.into()),
            Err(NotRecorded::Full) => Err(SamlError::ReplayMemoryFull.into()),
        }
    }

    /// A LogoutResponse must answer a LogoutRequest this SP sent: one-time.
    pub(crate) fn check_logout_answer(
        &mut self,
        msg: &MessageInfo,
        expected: Option<&str>,
        now: u64,
    ) -> Result<()> {
        let got = msg
            .in_response_to
            .as_deref()
            .ok_or(SamlError::InResponseToMismatch)?;
        match expected {
            Some(e) => {
                if !crate::secret::ct_eq_str(e, got) {
                    return Err(SamlError::InResponseToMismatch.into());
                }
                if self.pending_logout.was_used(got) {
                    return Err(SamlError::InResponseToReused.into());
                }
                self.pending_logout.mark_used(got);
                Ok(())
            }
            None => self.pending_logout.take(got, now).map_err(|m| {
                match m {
                    Miss::Unknown => SamlError::InResponseToMismatch,
                    Miss::Reused => SamlError::InResponseToReused,
                    Miss::Expired => SamlError::InResponseToExpired,
                }
                .into()
            }),
        }
    }
}
