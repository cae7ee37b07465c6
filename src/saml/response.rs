//! Validating a SAML `<samlp:Response>` (Web Browser SSO profile, SAML
//! Profiles §4.1.4.2–4.1.4.3), then reading what it says.
//!
//! Order: parse once; Status; structure (exactly one Assertion, a direct child
//! of the Response; nothing encrypted); signatures (on the Response and/or the
//! Assertion, with configured keys); then every profile check on the verified
//! Assertion only; and only when all passed, the state changes: the request
//! ID is consumed and the assertion ID recorded against replay. Everything
//! returned is read from the [`VerifiedAssertion`], which can only be built
//! from a signature check on that very element (or on its Response).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::binding::decode_post;
use super::dsig::{signature_of, verify_enveloped, Verified};
use super::message;
use super::replay::ReplayStore;
use super::sp::{SamlServiceProvider, MAX_CLOCK_SKEW_SECONDS};
use super::time;
use super::xml::{parse, xml_split, xml_trim, xml_trim_start, Element};
use super::{NS_ASSERTION, NS_PROTOCOL};
use crate::error::{Result, SamlError};
use crate::one_time::Miss;
use crate::secret::ct_eq_str;

const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

/// Options of [`SamlServiceProvider::validate_response`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// The AuthnRequest ID the caller carried (e.g. in an HttpOnly cookie);
    /// without it the SP's memory of sent requests is used.
    pub expected_request_id: Option<String>,
    /// Accept a response that answers no request (IdP-initiated SSO).
    pub allow_unsolicited: bool,
    /// Overrides the SP's `allowSha1`.
    pub allow_sha1: Option<bool>,
    /// Overrides the SP's `clockSkewSeconds` (default 180). At most
    /// [`MAX_CLOCK_SKEW_SECONDS`](super::sp::MAX_CLOCK_SKEW_SECONDS), as for
    /// the SP: a larger value is refused (`arg.invalid`), not capped.
    pub clock_skew_seconds: Option<u64>,
}

/// The `OrangeAPIToken` attribute: XML whitespace removed, and URL-encoded
/// for use in calls to the other Orange APIs. A token: its `Debug` shows
/// only its length, and both strings are wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct OrangeApiToken {
    /// The token with XML whitespace (space, tab, CR, LF) removed.
    pub value: String,
    /// The same, percent-encoded.
    pub url_encoded: String,
}

impl core::fmt::Debug for OrangeApiToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OrangeApiToken")
            .field("len", &self.value.len())
            .finish_non_exhaustive()
    }
}

impl Drop for OrangeApiToken {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
        zeroize::Zeroize::zeroize(&mut self.url_encoded);
    }
}

/// What a valid response says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedResponse {
    /// The IdP (the assertion's `Issuer`).
    pub issuer: String,
    /// `NameID`, XML whitespace (space, tab, CR, LF; not U+00A0 and the
    /// like) trimmed (comments never truncate it).
    pub name_id: String,
    /// `NameID/@Format`.
    pub name_id_format: Option<String>,
    /// `AuthnStatement/@SessionIndex`.
    pub session_index: Option<String>,
    /// `AuthnStatement/@AuthnInstant` (ms).
    pub authn_instant: Option<u64>,
    /// `AuthnContextClassRef`, XML whitespace trimmed.
    pub authn_context_class_ref: Option<String>,
    /// `AuthnStatement/@SessionNotOnOrAfter` (ms).
    pub session_not_on_or_after: Option<u64>,
    /// The assertion's own expiry (`Conditions/@NotOnOrAfter`, ms).
    pub not_on_or_after: Option<u64>,
    /// Attributes by name, every value kept, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
    /// The Orange `OrangeAPIToken`, if present.
    pub orange_api_token: Option<OrangeApiToken>,
    /// The Response `ID`.
    pub response_id: String,
    /// The Assertion `ID` (remembered against replay).
    pub assertion_id: String,
    /// Until when (ms) the assertion ID is remembered against replay: the
    /// latest of its expiries, but no later than the assertion's
    /// `IssueInstant` can still pass the freshness check, plus the clock skew.
    pub replay_until: u64,
    /// The request this answers, or `None` for an allowed unsolicited response.
    pub in_response_to: Option<String>,
    /// Which signatures verified: `(response, assertion)`.
    pub signed: (bool, bool),
}

impl ValidatedResponse {
    /// The result as JSON text, in the shape the JS facade returns
    /// (`nameId`, `attributes: { name: [values] }`, times in ms, absent
    /// members left out): one string crosses into JavaScript instead of a
    /// boundary call per member.
    ///
    /// ```
    /// # use edge_sso::saml::response::ValidatedResponse;
    /// let v = ValidatedResponse {
    ///     issuer: "https://idp.example".into(), name_id: "alice".into(), name_id_format: None,
    ///     session_index: None, authn_instant: Some(1), authn_context_class_ref: None,
    ///     session_not_on_or_after: None, not_on_or_after: None,
    ///     attributes: vec![("mail".into(), vec!["a@example.com".into()])], orange_api_token: None,
    ///     response_id: "_r".into(), assertion_id: "_a".into(), replay_until: 2, in_response_to: None,
    ///     signed: (false, true),
    /// };
    /// assert_eq!(v.to_json(), concat!(r#"{"issuer":"https://idp.example","nameId":"alice","authnInstant":1,"#,
    ///     r#""attributes":{"mail":["a@example.com"]},"responseId":"_r","assertionId":"_a","#,
    ///     r#""signed":{"response":false,"assertion":true},"replayUntil":2}"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut o = crate::json_out::JsonObject::with_capacity(512);
        o.string("issuer", &self.issuer)
            .string("nameId", &self.name_id)
            .opt_string("nameIdFormat", self.name_id_format.as_deref())
            .opt_string("sessionIndex", self.session_index.as_deref())
            .opt_number("authnInstant", self.authn_instant)
            .opt_number("sessionNotOnOrAfter", self.session_not_on_or_after)
            .opt_number("notOnOrAfter", self.not_on_or_after)
            .opt_string(
                "authnContextClassRef",
                self.authn_context_class_ref.as_deref(),
            )
            .object("attributes", |a| {
                for (name, values) in &self.attributes {
                    a.strings(name, values);
                }
            });
        if let Some(t) = &self.orange_api_token {
            o.object("orangeApiToken", |o| {
                o.string("value", &t.value)
                    .string("urlEncoded", &t.url_encoded);
            });
        }
        o.string("responseId", &self.response_id)
            .string("assertionId", &self.assertion_id)
            .opt_string("inResponseTo", self.in_response_to.as_deref())
            .object("signed", |o| {
                o.boolean("response", self.signed.0)
                    .boolean("assertion", self.signed.1);
            })
            .number("replayUntil", self.replay_until);
        o.finish()
    }
}

/// A response that passed every check and waits for the replay store's
/// answer (see [`SamlServiceProvider::prepare_response`]). Only this module
/// makes one; nothing has been consumed or recorded for it yet.
#[derive(Debug)]
#[must_use = "a prepared response is not accepted until finish_response"]
pub struct PreparedResponse {
    result: ValidatedResponse,
    carried: bool,
    request_reused: bool,
    /// The first instant at which a time check passed in `prepare_response`
    /// fails: a store may take its time, and the response is accepted when
    /// it is finished, not when it arrived.
    valid_until: Deadline,
}

/// The earliest instant (ms) at which one of the time checks made fails,
/// and the refusal it then is.
#[derive(Clone, Copy, Debug)]
struct Deadline {
    at: u64,
    error: SamlError,
}

impl Deadline {
    const NEVER: Self = Self {
        at: u64::MAX,
        error: SamlError::IssueInstantInvalid,
    };

    /// The earlier of this and "fails with `error` from `at` on".
    fn or(self, at: u64, error: SamlError) -> Self {
        if at < self.at {
            Self { at, error }
        } else {
            self
        }
    }

    /// The deadline of an `IssueInstant` check: `instant + MAX_MESSAGE_AGE_MS + skew < now`
    /// fails, so the first failing `now` is one past it.
    fn issue_instant(self, instant: u64, skew: u64) -> Self {
        let last = instant.saturating_add(super::redirect::MAX_MESSAGE_AGE_MS + skew);
        self.or(last.saturating_add(1), SamlError::IssueInstantInvalid)
    }
}

impl PreparedResponse {
    /// The assertion ID to record in the replay store.
    pub fn assertion_id(&self) -> &str {
        &self.result.assertion_id
    }

    /// Until when (ms since the epoch) the store must remember it.
    pub fn remember_until(&self) -> u64 {
        self.result.replay_until
    }
}

/// An Assertion whose signature (or whose Response's signature) verified.
/// Only this module builds one (from a `Verified` proof); the profile checks and the reading
/// take it, so a skipped signature check does not compile.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedAssertion<'d>(&'d Element<'d>);

fn assertion_from<'d>(
    response: &'d Element,
    response_sig: Option<Verified<'d>>,
    assertion_sig: Option<Verified<'d>>,
) -> Option<VerifiedAssertion<'d>> {
    if let Some(v) = assertion_sig {
        return Some(VerifiedAssertion(v.element()));
    }
    // A verified Response covers its one direct-child Assertion (by position).
    let signed_response = response_sig?;
    debug_assert!(std::ptr::eq(signed_response.element(), response));
    signed_response
        .element()
        .child(NS_ASSERTION, "Assertion")
        .map(VerifiedAssertion)
}

fn request_error(miss: Miss) -> SamlError {
    match miss {
        Miss::Unknown => SamlError::InResponseToMismatch,
        Miss::Reused => SamlError::InResponseToReused,
        Miss::Expired => SamlError::InResponseToExpired,
    }
}

fn count_named(e: &Element, ns: &str, local: &str) -> usize {
    usize::from(e.is(ns, local))
        + e.elements()
            .map(|c| count_named(c, ns, local))
            .sum::<usize>()
}

/// `Assertion` and `EncryptedAssertion` elements anywhere under `e`, counted
/// in one walk.
fn count_assertions(e: &Element) -> (usize, usize) {
    let here = match e.local {
        "Assertion" if e.is(NS_ASSERTION, "Assertion") => (1, 0),
        "EncryptedAssertion" if e.is(NS_ASSERTION, "EncryptedAssertion") => (0, 1),
        _ => (0, 0),
    };
    e.elements()
        .map(count_assertions)
        .fold(here, |(a, b), (c, d)| (a + c, b + d))
}

fn time_attr(e: &Element, name: &str) -> Result<Option<u64>> {
    e.attr(name).map(time::parse).transpose()
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl SamlServiceProvider {
    /// Validates a posted `SAMLResponse` (base64, or the XML itself) and
    /// returns what it says. `now` is ms since the epoch. Assertion IDs are
    /// remembered against replay in this SP's own memory.
    pub fn validate_response(
        &mut self,
        saml_response: &str,
        now: u64,
        opts: ValidateOptions,
    ) -> Result<ValidatedResponse> {
        let mut seen = std::mem::take(&mut self.seen_messages);
        let result = self.validate_response_with(saml_response, now, opts, &mut seen);
        self.seen_messages = seen;
        result
    }

    /// [`validate_response`](Self::validate_response) with the assertion IDs
    /// remembered in `replay` instead: a store shared by every instance that
    /// serves the site (see [`super::replay`]). The request is consumed only
    /// after the store has recorded the assertion; a store error leaves it
    /// answerable, so the same response may be retried.
    ///
    /// ```
    /// # use edge_sso::saml::{replay::ReplayStore, response::ValidateOptions, sp::*};
    /// # let idp = IdpConfig { entity_id: "https://idp.example".into(),
    /// #     sso_redirect_url: Some("https://idp.example/sso".into()), ..Default::default() };
    /// # let mut sp = SamlServiceProvider::new(SpConfig::new("https://sp.example", "https://sp.example/acs", idp)).unwrap();
    /// struct Asked(Vec<String>);
    /// impl ReplayStore for Asked {
    ///     fn first_sighting(&mut self, id: &str, _: u64, _: u64) -> edge_sso::Result<bool> {
    ///         self.0.push(id.to_owned());
    ///         Ok(true)
    ///     }
    /// }
    /// let mut store = Asked(Vec::new());
    /// let err = sp.validate_response_with("PHgvPg==", 0, ValidateOptions::default(), &mut store).unwrap_err();
    /// assert_eq!(err.code(), "saml.message.unexpected");
    /// assert!(store.0.is_empty(), "nothing is recorded for a refused response");
    /// ```
    pub fn validate_response_with(
        &mut self,
        saml_response: &str,
        now: u64,
        opts: ValidateOptions,
        replay: &mut dyn ReplayStore,
    ) -> Result<ValidatedResponse> {
        let prepared = self.prepare_response(saml_response, now, opts)?;
        let first =
            replay.first_sighting(prepared.assertion_id(), prepared.remember_until(), now)?;
        self.finish_response(prepared, first, now)
    }

    /// The first half of validation for a replay store that answers later
    /// (asynchronously): every check, and nothing consumed or recorded. Record
    /// [`PreparedResponse::assertion_id`] until
    /// [`PreparedResponse::remember_until`] in the store, then hand its
    /// answer to [`finish_response`](Self::finish_response). If the store
    /// fails, drop the `PreparedResponse`: the request stays answerable.
    ///
    /// ```
    /// # use edge_sso::saml::{response::ValidateOptions, sp::*};
    /// # let idp = IdpConfig { entity_id: "https://idp.example".into(),
    /// #     sso_redirect_url: Some("https://idp.example/sso".into()), ..Default::default() };
    /// # let mut sp = SamlServiceProvider::new(SpConfig::new("https://sp.example", "https://sp.example/acs", idp)).unwrap();
    /// let err = sp.prepare_response("PHgvPg==", 0, ValidateOptions::default()).unwrap_err();
    /// assert_eq!(err.code(), "saml.message.unexpected");
    /// ```
    pub fn prepare_response(
        &mut self,
        saml_response: &str,
        now: u64,
        opts: ValidateOptions,
    ) -> Result<PreparedResponse> {
        // The SP's rule for its own skew holds for the per-call one: a value
        // above the maximum is refused, never capped; and before any work, so
        // a caller's mistake is reported as one.
        let skew = super::sp::check_clock_skew(
            opts.clock_skew_seconds
                .unwrap_or(self.config().clock_skew_seconds),
        )?
        .saturating_mul(1000);
        let xml = if xml_trim_start(saml_response).starts_with('<') {
            saml_response.to_owned()
        } else {
            decode_post(saml_response)?
        };
        let doc = parse(&xml)?;
        let root = &doc.root;
        if !root.is(NS_PROTOCOL, "Response") {
            return Err(SamlError::UnexpectedMessage.into());
        }
        let envelope = message::read_root(root)?;
        envelope
            .status
            .as_ref()
            .ok_or(SamlError::UnexpectedMessage)
            .map_err(crate::Error::from)?
            .require_success()?;

        // Structure: nothing encrypted, exactly one Assertion in the whole
        // document, and it is a direct child of the Response.
        let (assertions, encrypted) = count_assertions(root);
        if encrypted > 0 {
            return Err(SamlError::AssertionEncrypted.into());
        }
        let direct: Vec<&Element> = root.children_named(NS_ASSERTION, "Assertion").collect();
        if direct.len() != 1 || assertions != 1 {
            return Err(SamlError::AssertionCount.into());
        }
        let child = direct.first().copied().ok_or(SamlError::AssertionCount)?;

        // Signatures, configured keys only.
        let allow_sha1 = opts.allow_sha1.unwrap_or(self.config().allow_sha1);
        let certs = self.certificates();
        let response_sig = match signature_of(root)? {
            Some(_) => Some(verify_enveloped(root, root, certs, allow_sha1)?),
            None => None,
        };
        let assertion_sig = match signature_of(child)? {
            Some(_) => Some(verify_enveloped(root, child, certs, allow_sha1)?),
            None => None,
        };
        let signed = (response_sig.is_some(), assertion_sig.is_some());
        let assertion =
            assertion_from(root, response_sig, assertion_sig).ok_or(SamlError::SignatureMissing)?;

        // The Response envelope (Issuer optional there; Destination required when it is signed).
        if envelope
            .issuer
            .as_deref()
            .is_some_and(|i| i != self.config().idp.entity_id)
        {
            return Err(SamlError::IssuerMismatch.into());
        }
        match envelope.destination.as_deref() {
            Some(d) if d == self.config().acs_url => {}
            Some(_) => return Err(SamlError::DestinationMismatch.into()),
            None if signed.0 => return Err(SamlError::DestinationMismatch.into()),
            None => {}
        }
        if self
            .config()
            .idp
            .metadata_valid_until
            .is_some_and(|t| now >= t)
        {
            return Err(SamlError::MetadataExpired.into());
        }
        let instant = envelope.issue_instant;
        if instant > now.saturating_add(skew)
            || instant.saturating_add(super::redirect::MAX_MESSAGE_AGE_MS + skew) < now
        {
            return Err(SamlError::IssueInstantInvalid.into());
        }
        let mut valid_until = Deadline::NEVER.issue_instant(instant, skew);
        if let Some(t) = self.config().idp.metadata_valid_until {
            valid_until = valid_until.or(t, SamlError::MetadataExpired);
        }

        // Which request this answers (not consumed until everything passed).
        let in_response_to = envelope.in_response_to.clone();
        let expected = match (&opts.expected_request_id, &in_response_to) {
            (Some(e), Some(got)) if ct_eq_str(e, got) => Some(got.clone()),
            (Some(_), _) => return Err(SamlError::InResponseToMismatch.into()),
            (None, Some(got)) => Some(got.clone()),
            (None, None) if opts.allow_unsolicited => None,
            (None, None) => return Err(SamlError::InResponseToMismatch.into()),
        };

        let facts = self.check_assertion(assertion, expected.as_deref(), now, skew)?;

        // All checks passed. The request must be one we can answer before
        // anything is recorded, so a response refused for its request does not
        // burn its assertion. A request already answered may mean a replay,
        // which the replay store tells apart (`saml.replayed` rather than
        // `InResponseToReused`), so that verdict waits for the store's answer.
        let carried = opts.expected_request_id.is_some();
        let request_reused = match &expected {
            Some(id) if carried => {
                self.used_requests.contains(id, now) || self.pending_was_used(id)
            }
            Some(id) => match self.pending_peek(id, now) {
                Ok(()) => false,
                Err(Miss::Reused) => true,
                Err(_) if self.used_requests.contains(id, now) => true,
                Err(miss) => return Err(request_error(miss).into()),
            },
            None => false,
        };
        // A request about to be answered needs a place in the memory of
        // answered ones (a reused one already has it).
        if expected.is_some() && !request_reused && !self.used_requests.has_room(now) {
            return Err(SamlError::ReplayMemoryFull.into());
        }
        let mut result = facts.result;
        result.replay_until = facts.replay_until.saturating_add(skew);
        result.response_id = envelope.id;
        result.in_response_to = expected;
        result.signed = signed;
        let facts_until = facts.valid_until;
        Ok(PreparedResponse {
            result,
            carried,
            request_reused,
            valid_until: valid_until.or(facts_until.at, facts_until.error),
        })
    }

    /// The second half: given the replay store's answer for a
    /// [`PreparedResponse`] (`true`: recorded now, first sighting), consumes
    /// the request and returns the result; `false` is a replay. `now` is
    /// when the store answered, not when `prepare_response` ran: a time
    /// check that has run out meanwhile (the request's, or the assertion's
    /// own) refuses the response. The request is checked again, since
    /// another response may have answered it while the store was asked.
    ///
    /// ```
    /// # use edge_sso::saml::{response::ValidateOptions, sp::*};
    /// # let idp = IdpConfig { entity_id: "https://idp.example".into(),
    /// #     sso_redirect_url: Some("https://idp.example/sso".into()), ..Default::default() };
    /// # let mut sp = SamlServiceProvider::new(SpConfig::new("https://sp.example", "https://sp.example/acs", idp)).unwrap();
    /// // A `PreparedResponse` comes only from `prepare_response`, so a
    /// // response cannot be finished without passing every check.
    /// assert!(sp.prepare_response("PHgvPg==", 0, ValidateOptions::default()).is_err());
    /// ```
    pub fn finish_response(
        &mut self,
        prepared: PreparedResponse,
        first_sighting: bool,
        now: u64,
    ) -> Result<ValidatedResponse> {
        let PreparedResponse {
            result,
            carried,
            request_reused,
            valid_until,
        } = prepared;
        if !first_sighting {
            return Err(SamlError::Replayed.into());
        }
        // `now` is when the store answered: a check that has since run out
        // of time refuses the response (its ID stays recorded, and a copy
        // would be refused for its time anyway).
        if now >= valid_until.at {
            return Err(valid_until.error.into());
        }
        if request_reused {
            return Err(SamlError::InResponseToReused.into());
        }
        if let Some(id) = &result.in_response_to {
            if carried && self.pending_was_used(id) {
                return Err(SamlError::InResponseToReused.into());
            }
            if !carried {
                self.pending_take(id, now).map_err(request_error)?;
            }
            // Remembered in both modes, so neither mode can answer it again
            // once the pending store's short memory of retired IDs has moved
            // on. Room was checked in `prepare_response`; finishes in flight
            // at once may go past the capacity by their number, rather than
            // lose a login the replay store has already recorded.
            if !self
                .used_requests
                .record_past_capacity(id, result.replay_until, now)
            {
                return Err(SamlError::InResponseToReused.into());
            }
            if carried {
                // Answered here too, should this instance have sent it
                // (`pending_take` already retired it in the other mode).
                self.pending_mark_used(id);
            }
        }
        Ok(result)
    }

    /// Every Web Browser SSO profile check on the verified assertion.
    fn check_assertion(
        &self,
        verified: VerifiedAssertion<'_>,
        expected_irt: Option<&str>,
        now: u64,
        skew: u64,
    ) -> Result<Checked> {
        let a = verified.0;
        let invalid = SamlError::AssertionInvalid;
        if a.attr("Version") != Some("2.0") {
            return Err(SamlError::VersionUnsupported.into());
        }
        let assertion_id = a
            .attr("ID")
            .filter(|v| !v.is_empty())
            .ok_or(invalid("no ID"))?
            .to_owned();
        // The Response's IssueInstant may be unsigned (only the Assertion signed),
        // so the signed assertion's own IssueInstant gets the freshness window.
        let issued = time::parse(a.attr("IssueInstant").ok_or(invalid("no IssueInstant"))?)?;
        if issued > now.saturating_add(skew)
            || issued.saturating_add(super::redirect::MAX_MESSAGE_AGE_MS + skew) < now
        {
            return Err(SamlError::IssueInstantInvalid.into());
        }
        let mut valid_until = Deadline::NEVER.issue_instant(issued, skew);
        let issuer_el = a
            .unique_child(NS_ASSERTION, "Issuer")?
            .ok_or(invalid("no Issuer"))?;
        // Profiles §4.1.4.2: the assertion's Issuer is an entity ID.
        if issuer_el.attr("Format").is_some_and(|f| f != ENTITY_FORMAT) {
            return Err(SamlError::IssuerMismatch.into());
        }
        let issuer = xml_trim(&issuer_el.simple_text()?).to_owned();
        if issuer != self.config().idp.entity_id {
            return Err(SamlError::IssuerMismatch.into());
        }

        // Subject: a NameID (never encrypted), and a bearer confirmation that fits.
        let subject = a
            .unique_child(NS_ASSERTION, "Subject")?
            .ok_or(invalid("no Subject"))?;
        if subject.child(NS_ASSERTION, "EncryptedID").is_some()
            || count_named(a, NS_ASSERTION, "EncryptedAttribute") > 0
        {
            return Err(SamlError::AssertionEncrypted.into());
        }
        let name_id_el = subject
            .unique_child(NS_ASSERTION, "NameID")?
            .ok_or(invalid("no NameID"))?;
        let name_id = xml_trim(&name_id_el.simple_text()?).to_owned();
        if name_id.is_empty() {
            return Err(invalid("empty NameID").into());
        }
        let mut confirmation_until = None;
        for sc in subject.children_named(NS_ASSERTION, "SubjectConfirmation") {
            // Only a bearer confirmation can confirm a browser's POST; others
            // (holder-of-key, sender-vouches) beside it are not for this
            // profile and are passed over. With none that fits, refused.
            if sc.attr("Method") != Some(BEARER) {
                continue;
            }
            let Some(data) = sc.unique_child(NS_ASSERTION, "SubjectConfirmationData")? else {
                continue;
            };
            let until = time_attr(data, "NotOnOrAfter")?;
            let fits = data.attr("Recipient") == Some(self.config().acs_url.as_str())
                && data.attr("NotBefore").is_none()
                && until.is_some_and(|t| now < t.saturating_add(skew))
                && data.attr("InResponseTo") == expected_irt;
            if fits {
                confirmation_until = until;
                break;
            }
        }
        let confirmation_until = confirmation_until.ok_or(SamlError::SubjectConfirmationInvalid)?;
        valid_until = valid_until.or(
            confirmation_until.saturating_add(skew),
            SamlError::SubjectConfirmationInvalid,
        );

        // Conditions: time window with skew, and an audience that names us.
        let conditions = a
            .unique_child(NS_ASSERTION, "Conditions")?
            .ok_or(SamlError::AudienceMismatch)?;
        if time_attr(conditions, "NotBefore")?.is_some_and(|t| t > now.saturating_add(skew)) {
            return Err(SamlError::ConditionsNotYetValid.into());
        }
        let not_on_or_after = time_attr(conditions, "NotOnOrAfter")?;
        if not_on_or_after.is_some_and(|t| now >= t.saturating_add(skew)) {
            return Err(SamlError::ConditionsExpired.into());
        }
        if let Some(t) = not_on_or_after {
            valid_until = valid_until.or(t.saturating_add(skew), SamlError::ConditionsExpired);
        }
        // SAML Core §2.5.1: a condition that is not understood makes the
        // assertion Indeterminate, which is not valid.
        for c in conditions.elements() {
            let known = c.ns == Some(NS_ASSERTION)
                && matches!(
                    c.local,
                    "AudienceRestriction" | "OneTimeUse" | "ProxyRestriction"
                );
            if !known {
                return Err(invalid("a condition that is not understood").into());
            }
        }
        let mut restrictions = conditions
            .children_named(NS_ASSERTION, "AudienceRestriction")
            .peekable();
        if restrictions.peek().is_none() {
            return Err(SamlError::AudienceMismatch.into());
        }
        for r in restrictions {
            let mut names_us = false;
            for aud in r.children_named(NS_ASSERTION, "Audience") {
                names_us |= xml_trim(&aud.simple_text()?) == self.config().entity_id;
            }
            if !names_us {
                return Err(SamlError::AudienceMismatch.into());
            }
        }

        // AuthnStatement (the profile requires one); every one's session must
        // still be open, and the earliest end is the one reported.
        let authn = a
            .children_named(NS_ASSERTION, "AuthnStatement")
            .next()
            .ok_or(invalid("no AuthnStatement"))?;
        let mut session_not_on_or_after: Option<u64> = None;
        for statement in a.children_named(NS_ASSERTION, "AuthnStatement") {
            if let Some(t) = time_attr(statement, "SessionNotOnOrAfter")? {
                if now >= t {
                    return Err(SamlError::SessionExpired.into());
                }
                session_not_on_or_after = Some(session_not_on_or_after.map_or(t, |s| s.min(t)));
            }
        }
        if let Some(t) = session_not_on_or_after {
            valid_until = valid_until.or(t, SamlError::SessionExpired);
        }
        let authn_context_class_ref = authn
            .child(NS_ASSERTION, "AuthnContext")
            .and_then(|c| c.child(NS_ASSERTION, "AuthnContextClassRef"))
            .map(|c| c.simple_text().map(|t| xml_trim(&t).to_owned()))
            .transpose()?;

        // Attributes, every value, in order.
        // Attributes with the same Name are merged; the index by name keeps
        // that linear in the number of attributes (a search per attribute
        // made 10,000 distinct names quadratic).
        let mut attributes: Vec<(String, Vec<String>)> = Vec::new();
        let mut by_name: std::collections::BTreeMap<&str, usize> = Default::default();
        for statement in a.children_named(NS_ASSERTION, "AttributeStatement") {
            for attr in statement.children_named(NS_ASSERTION, "Attribute") {
                let name = attr
                    .attr("Name")
                    .ok_or(invalid("an Attribute has no Name"))?;
                let values = attr
                    .children_named(NS_ASSERTION, "AttributeValue")
                    .map(|v| v.text().into_owned());
                match by_name.get(name).and_then(|&i| attributes.get_mut(i)) {
                    Some((_, existing)) => existing.extend(values),
                    None => {
                        by_name.insert(name, attributes.len());
                        attributes.push((name.to_owned(), values.collect()));
                    }
                }
            }
        }
        let orange_api_token = attributes
            .iter()
            .find(|(n, _)| n == "OrangeAPIToken")
            .and_then(|(_, v)| v.first())
            .map(|raw| {
                // XML whitespace out (the IdP folds the token over lines), a
                // run at a time rather than a char at a time.
                let mut value = String::with_capacity(raw.len());
                xml_split(raw).for_each(|run| value.push_str(run));
                let url_encoded: String = utf8_percent_encode(&value, URL_ENCODE).collect();
                OrangeApiToken { value, url_encoded }
            });

        // Remembered until the assertion expires, but never past the last
        // instant its IssueInstant can pass the freshness check (with the
        // largest skew a call may ask for): a replay after that is refused
        // anyway, and an IdP's hours-long NotOnOrAfter would otherwise let
        // one user's scripted logins fill the bounded memory.
        let fresh_until = issued
            .saturating_add(super::redirect::MAX_MESSAGE_AGE_MS)
            .saturating_add(MAX_CLOCK_SKEW_SECONDS * 1000);
        let replay_until = [Some(confirmation_until), not_on_or_after]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(confirmation_until)
            .min(fresh_until);
        Ok(Checked {
            replay_until,
            valid_until,
            result: ValidatedResponse {
                issuer,
                name_id,
                name_id_format: name_id_el.attr("Format").map(str::to_owned),
                session_index: authn.attr("SessionIndex").map(str::to_owned),
                authn_instant: time_attr(authn, "AuthnInstant")?,
                authn_context_class_ref,
                session_not_on_or_after,
                not_on_or_after,
                attributes,
                orange_api_token,
                response_id: String::new(),
                assertion_id,
                replay_until: 0,
                in_response_to: None,
                signed: (false, false),
            },
        })
    }
}

struct Checked {
    replay_until: u64,
    /// When the time checks made on the assertion fail.
    valid_until: Deadline,
    result: ValidatedResponse,
}

#[cfg(test)]
mod tests {
    //! Which request a response answers, across the two modes, and the time
    //! a store's answer is judged at; on xmlsec1-signed responses
    //! (scripts/fixtures/distinct_responses.py) that answer `_q<i>`.
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_orange_api_token_debug_shows_its_length_not_the_token() {
        let t = OrangeApiToken {
            value: "SECRET-TOKEN".into(),
            url_encoded: "SECRET-TOKEN".into(),
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("12"), "{shown}");
    }
    use crate::one_time::SeenStore;
    use crate::saml::keys::parse_certificates;
    use crate::saml::sp::{IdpConfig, SpConfig};

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/distinct");
    /// The fixtures' `nowMs` (issued at 10:00:00Z, validated 30 s later).
    const NOW: u64 = 1_714_557_630_000;
    /// 10:05:00Z (the bearer confirmation's NotOnOrAfter) plus the default
    /// 180 s skew: the first instant the fixtures are refused.
    const DEADLINE: u64 = 1_714_557_600_000 + 480_000;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{DIR}/{name}.xml")).unwrap()
    }

    fn sp() -> SamlServiceProvider {
        let pem = std::fs::read_to_string(format!("{DIR}/idp.pem")).unwrap();
        let idp = IdpConfig {
            entity_id: "https://idp.example/metadata".into(),
            sso_redirect_url: Some("https://idp.example/sso".into()),
            certificates: parse_certificates(&pem).unwrap(),
            ..Default::default()
        };
        SamlServiceProvider::new(SpConfig::new(
            "https://sp.example/metadata",
            "https://sp.example/acs",
            idp,
        ))
        .unwrap()
    }

    fn carried(id: &str) -> ValidateOptions {
        ValidateOptions {
            expected_request_id: Some(id.into()),
            ..ValidateOptions::default()
        }
    }

    /// Each answer through a fresh shared store, so that only the SP's
    /// memory of answered requests can refuse it (not the assertion's ID).
    fn answer(
        sp: &mut SamlServiceProvider,
        name: &str,
        opts: ValidateOptions,
    ) -> Result<ValidatedResponse> {
        sp.validate_response_with(&fixture(name), NOW, opts, &mut SeenStore::default())
    }

    #[test]
    fn a_pending_mode_answer_is_not_accepted_again_in_carried_mode() {
        let mut sp = sp();
        sp.expect_request_for_test("_q0", NOW + 60_000, NOW);
        let first = answer(&mut sp, "d0", ValidateOptions::default()).unwrap();
        assert_eq!(first.in_response_to.as_deref(), Some("_q0"));
        // Another validly signed answer to _q0, its request ID now carried.
        let err = answer(&mut sp, "d0-second-answer", carried("_q0")).unwrap_err();
        assert_eq!(err.code(), "saml.in_response_to.reused");
        // And the first answer again, carried: refused for its request too.
        let err = answer(&mut sp, "d0", carried("_q0")).unwrap_err();
        assert_eq!(err.code(), "saml.in_response_to.reused");
    }

    #[test]
    fn a_carried_answer_is_not_accepted_again_in_pending_mode() {
        let mut sp = sp();
        sp.expect_request_for_test("_q0", NOW + 60_000, NOW);
        answer(&mut sp, "d0", carried("_q0")).unwrap();
        let err = answer(&mut sp, "d0-second-answer", ValidateOptions::default()).unwrap_err();
        assert_eq!(err.code(), "saml.in_response_to.reused");
    }

    /// `finish_response` judges at its own `now`: the assertion's time ran
    /// out while the store was asked (prepared before the deadline, answered
    /// at it), so it is refused; the same answer a moment earlier is not.
    #[test]
    fn an_assertion_that_expires_while_the_store_is_asked_is_refused() {
        let mut sp = sp();
        let prepared = sp
            .prepare_response(&fixture("d2"), DEADLINE - 100, carried("_q2"))
            .unwrap();
        let err = sp.finish_response(prepared, true, DEADLINE).unwrap_err();
        assert_eq!(err.code(), "saml.subject_confirmation.invalid");
        // Refused without consuming the request: a fresh response to it could still be taken.
        let prepared = sp
            .prepare_response(&fixture("d2"), DEADLINE - 100, carried("_q2"))
            .unwrap();
        assert!(sp.finish_response(prepared, true, DEADLINE - 1).is_ok());
    }

    /// Pending mode: a request that expired while the store was asked is
    /// refused as expired, not taken at the time the response arrived.
    #[test]
    fn a_request_that_expires_while_the_store_is_asked_is_refused() {
        let mut sp = sp();
        sp.expect_request_for_test("_q3", NOW + 1_000, NOW);
        let prepared = sp
            .prepare_response(&fixture("d3"), NOW, ValidateOptions::default())
            .unwrap();
        let err = sp.finish_response(prepared, true, NOW + 1_000).unwrap_err();
        assert_eq!(err.code(), "saml.in_response_to.expired");
    }
}
