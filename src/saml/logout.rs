//! SAML Single Logout, SP side (Profiles §4.4): the SP's `LogoutRequest` for
//! the redirect binding, and the IdP's `LogoutResponse`.
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
        let destination =
            self.config()
                .idp
                .slo_redirect_url
                .clone()
                .ok_or(Error::InvalidArgument {
                    field: "idp.sloRedirectUrl",
                    reason: "the IdP has no redirect SLO endpoint",
                })?;
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
        let mut ser = form_urlencoded::Serializer::new(String::new());
        ser.append_pair("SAMLRequest", &deflate_encode(&xml));
        if let Some(rs) = &init.relay_state {
            ser.append_pair("RelayState", rs);
        }
        if let Some(alg) = init.sig_alg {
            ser.append_pair("SigAlg", alg.uri());
        }
        let query = ser.finish();
        let sep = if destination.contains('?') { '&' } else { '?' };
        let url = format!("{destination}{sep}{query}");
        let expires_at = now.saturating_add(self.config().request_ttl_ms);
        self.pending_logout.insert(id.clone(), (), expires_at, now);
        Ok(SentLogoutRequest {
            id,
            xml,
            url,
            signing_input: init.sig_alg.map(|_| query),
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
        let xml = decode_post(value)?;
        let doc = super::xml::parse(&xml)?;
        let msg = message::read_root(&doc.root)?;
        if msg.kind != MessageKind::LogoutResponse {
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
            None if opts.allow_unsigned => false,
            None => return Err(SamlError::SignatureMissing.into()),
        };
        self.check_envelope(&msg, self.config().slo_url.clone().as_deref(), signed, now)?;
        self.check_logout_answer(&msg, opts.expected_request_id.as_deref(), now)?;
        require_success(&msg)?;
        Ok((msg, signed))
    }

    /// A LogoutRequest from the IdP: not past its `NotOnOrAfter`, and accepted
    /// once (its ID is remembered until it could no longer pass the time checks).
    pub(crate) fn check_logout_request(&mut self, msg: &MessageInfo, now: u64) -> Result<()> {
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
