//! Verifying an HTTP-Redirect binding message (SAML Bindings §3.4.4.1).
//!
//! The signed octets are the query parameters *exactly as received*:
//! `SAMLRequest=…` or `SAMLResponse=…`, then `&RelayState=…` if present, then
//! `&SigAlg=…`, never re-encoded, because IdPs differ in percent-encoding case
//! and a re-encoder would break valid signatures or, worse, make two
//! encodings of different bytes verify alike.

use super::binding::{base64_decode, decode_redirect, MAX_ENCODED};
use super::message::{self, MessageInfo, MessageKind};
use super::sp::SamlServiceProvider;
use super::verify::{verify_with_any, SigAlg};
use crate::error::{Result, SamlError};
use crate::url::form_decode;

/// The most query parameters a redirect URL may carry.
pub const MAX_PARAMS: usize = 32;

/// How old a message's `IssueInstant` may be (beyond the clock skew).
pub const MAX_MESSAGE_AGE_MS: u64 = 5 * 60 * 1000;

/// Options of [`SamlServiceProvider::verify_redirect`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedirectOptions {
    /// For a LogoutResponse: the LogoutRequest ID the caller carried.
    pub expected_request_id: Option<String>,
    /// Accept a message without a signature (then it proves nothing about its sender).
    pub allow_unsigned: bool,
    /// Overrides the SP's `allowSha1` for this call.
    pub allow_sha1: Option<bool>,
}

/// A redirect-binding message that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRedirect {
    /// The message envelope.
    pub message: MessageInfo,
    /// The inflated XML.
    pub xml: String,
    /// RelayState, decoded.
    pub relay_state: Option<String>,
    /// The algorithm that verified, or `None` for an allowed unsigned message.
    pub sig_alg: Option<SigAlg>,
}

struct RawParam<'a> {
    name: String,
    raw: &'a str,
    value: String,
}

fn params(query: &str) -> Result<Vec<RawParam<'_>>> {
    let mut out: Vec<RawParam<'_>> = Vec::new();
    for seg in query.split('&').filter(|s| !s.is_empty()) {
        // A redirect message has at most five parameters of its own; a bound
        // keeps the duplicate check (and any hostile query) cheap.
        if out.len() >= MAX_PARAMS {
            return Err(SamlError::RedirectMalformed.into());
        }
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        let name = form_decode(k.as_bytes()).ok_or(SamlError::RedirectMalformed)?;
        if out.iter().any(|p| p.name == name) {
            return Err(SamlError::RedirectMalformed.into());
        }
        out.push(RawParam {
            name,
            raw: v,
            value: form_decode(v.as_bytes()).ok_or(SamlError::RedirectMalformed)?,
        });
    }
    Ok(out)
}

impl SamlServiceProvider {
    /// Verifies a redirect-binding URL (or its query) sent by the IdP: a
    /// `LogoutRequest` or `LogoutResponse` (a `Response` is refused: the SSO
    /// profile never sends one by redirect). The signature is
    /// checked with the configured IdP certificates only; then `Version`,
    /// `Issuer`, `Destination` and `IssueInstant` freshness.
    pub fn verify_redirect(
        &mut self,
        url_or_query: &str,
        now: u64,
        opts: RedirectOptions,
    ) -> Result<VerifiedRedirect> {
        if url_or_query.len() > MAX_ENCODED {
            return Err(SamlError::TooLarge.into());
        }
        let query = url_or_query.split('#').next().unwrap_or("");
        let query = query.split_once('?').map_or(query, |(_, q)| q);
        let params = params(query)?;
        let get = |n: &str| params.iter().find(|p| p.name == n);
        let (msg_name, msg) = match (get("SAMLRequest"), get("SAMLResponse")) {
            (Some(m), None) => ("SAMLRequest", m),
            (None, Some(m)) => ("SAMLResponse", m),
            _ => return Err(SamlError::RedirectMalformed.into()),
        };
        let relay = get("RelayState");
        let sig_alg = match (get("Signature"), get("SigAlg")) {
            (Some(sig), Some(alg)) => {
                let allow_sha1 = opts.allow_sha1.unwrap_or(self.config().allow_sha1);
                let alg_value = SigAlg::from_uri(&alg.value, allow_sha1)?;
                let mut signed = format!("{msg_name}={}", msg.raw);
                if let Some(r) = relay {
                    signed.push_str("&RelayState=");
                    signed.push_str(r.raw);
                }
                signed.push_str("&SigAlg=");
                signed.push_str(alg.raw);
                let sig_bytes =
                    base64_decode(&sig.value).map_err(|_| SamlError::RedirectMalformed)?;
                verify_with_any(
                    self.certificates(),
                    alg_value,
                    signed.as_bytes(),
                    &sig_bytes,
                )?;
                Some(alg_value)
            }
            (None, None) if opts.allow_unsigned => None,
            (None, None) => return Err(SamlError::SignatureMissing.into()),
            _ => return Err(SamlError::RedirectMalformed.into()),
        };

        let xml = decode_redirect(&msg.value)?;
        let message = message::read(&xml)?;
        // A <Response> never travels by HTTP-Redirect (Profiles §4.1.2): it is
        // validated as a whole by the POST path, never here.
        let expected_destination = match message.kind {
            MessageKind::LogoutRequest if msg_name == "SAMLRequest" => {
                self.config().slo_url.as_deref()
            }
            MessageKind::LogoutResponse if msg_name == "SAMLResponse" => {
                self.config().slo_url.as_deref()
            }
            _ => return Err(SamlError::UnexpectedMessage.into()),
        };
        let expected_destination = expected_destination.map(str::to_owned);
        self.check_envelope(
            &message,
            expected_destination.as_deref(),
            sig_alg.is_some(),
            now,
        )?;
        match message.kind {
            MessageKind::LogoutResponse => {
                self.check_logout_answer(&message, opts.expected_request_id.as_deref(), now)?;
                super::logout::require_success(&message)?;
            }
            MessageKind::LogoutRequest => self.check_logout_request(&message, now)?,
            _ => {}
        }
        Ok(VerifiedRedirect {
            message,
            xml,
            relay_state: relay.map(|r| r.value.clone()),
            sig_alg,
        })
    }
}
