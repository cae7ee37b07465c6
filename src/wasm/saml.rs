//! The SAML API's wasm side: `RawSamlServiceProvider`, whose methods are
//! the public `SamlServiceProvider`'s under the same JS names, and the
//! binding functions (`parseIdpMetadata`, `encodeRedirect`, ...), each
//! answering one string as `answer.rs` says. Options arrive as JSON text
//! read by [`crate::options`]; a long string (a posted message, a URL, an
//! XML document) arrives as the JS string itself, read in one copy by
//! `text_in` and refused by length before any copy.
//!
//! The public class and functions are thin JavaScript in `js/saml-api.js`,
//! declared in `js/saml.d.ts`. `validateResponseWithStore`'s waiting is
//! there too: this side has only synchronous steps, `prepareResponse` (every
//! check, nothing consumed, the prepared validation kept under a number)
//! and `finishResponse` (the store's answer, judged when it comes).

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::answer::{arg, done, named_options, reply, Answer};
use crate::error::Error;
use crate::error::SamlError;
use crate::json_out::JsonObject;
use crate::options::Options;
use crate::saml::authn_request::{
    AuthnRequestOptions, Comparison, NameIdPolicy, RequestedAuthnContext,
};
use crate::saml::binding;
use crate::saml::keys::{parse_certificates_with, IdpCertificate, KeyPolicy};
use crate::saml::logout::{
    LogoutRequestInit, LogoutRequestOptions, LogoutResponseInit, LogoutResponseOptions,
};
use crate::saml::message::MessageInfo;
use crate::saml::metadata::{
    read_idp_metadata, sp_metadata, IdpMetadata, MetadataOptions, MetadataRequest, METADATA_LIMITS,
};
use crate::saml::redirect::RedirectOptions;
use crate::saml::response::{PreparedResponse, ValidateOptions, ValidatedResponse};
use crate::saml::sp::{IdpConfig, Outgoing, RequestBinding, SamlServiceProvider as Core, SpConfig};
use crate::saml::verify::SigAlg;

// An SP's state in the module: its core, and the validations prepared by
// `prepareResponse` that await their store's answer, each under a number.
// (A `//` comment: the raw class is the JS layer's, not the public API's.)
#[wasm_bindgen]
pub struct RawSamlServiceProvider {
    inner: Option<Core>,
    /// Validations awaiting `finishResponse`, by number.
    prepared: Vec<(u32, Prepared)>,
    next_id: u32,
}

/// A validation that passed every check and awaits its store's answer.
struct Prepared {
    response: PreparedResponse,
    /// The caller's `now`, and the host clock when the store was asked:
    /// the answer is judged at `now` plus the time the store took.
    now: u64,
    asked_at: f64,
}

/// `now` from the options, else the host clock.
fn now(o: &Options<'_>) -> crate::Result<u64> {
    Ok(o.now()?.unwrap_or_else(|| super::host::date_now() as u64))
}

const IDP_KEYS: [&str; 7] = [
    "entityId",
    "ssoRedirectUrl",
    "ssoPostUrl",
    "sloRedirectUrl",
    "sloPostUrl",
    "sloResponseUrl",
    "certificates",
];

/// The certificates under `field`: one PEM (or base64 DER) string or a list
/// of them, each PEM possibly holding several blocks; none when absent.
fn certificates_of(
    o: &Options<'_>,
    field: &'static str,
    policy: KeyPolicy,
) -> crate::Result<Vec<IdpCertificate>> {
    let mut certs = Vec::new();
    for pem in o.string_or_list(field)? {
        certs.extend(parse_certificates_with(&pem, policy)?);
    }
    Ok(certs)
}

/// Reads IdP metadata with the options an SP config or `parseIdpMetadata`
/// gave: the entityID under `entity_key`, the signer certificates under
/// `signers_key`, `allowSha1` and `now`.
fn read_metadata(
    o: &Options<'_>,
    xml: &str,
    lift: MetadataOptions,
    entity_key: &'static str,
    signers_key: &'static str,
) -> crate::Result<IdpMetadata> {
    let policy = KeyPolicy {
        allow_weak_rsa: lift.allow_weak_rsa,
    };
    let signers = signer_certificates(o, signers_key, policy)?;
    let entity = o.string(entity_key)?;
    let request = MetadataRequest {
        options: lift,
        entity_id: entity.as_deref(),
        signers: signers.as_deref(),
        allow_sha1: o.bool("allowSha1")?.unwrap_or(false),
        allow_missing_valid_until: o.bool("allowMissingValidUntil")?.unwrap_or(false),
    };
    read_idp_metadata(xml, now(o)?, &request)
}

/// The metadata signer certificates under `field` (a PEM string or a list),
/// or `None` when the member is left out; `undefined`, `null` or an empty
/// list is refused, since it could never verify and would read as
/// "unsigned is fine".
fn signer_certificates(
    o: &Options<'_>,
    field: &'static str,
    policy: KeyPolicy,
) -> crate::Result<Option<Vec<IdpCertificate>>> {
    // Only leaving the member out reads metadata unsigned: a member that is
    // there but undefined or null (an unset environment variable) would
    // otherwise turn the signature check off without a word. (The JS layer
    // writes an `undefined` one as `null`, so that it is seen here.)
    if !o.has(field) {
        return Ok(None);
    }
    let certs = certificates_of(o, field, policy)?;
    if certs.is_empty() {
        return Err(Error::InvalidArgument {
            field,
            reason: "must hold at least one certificate",
        });
    }
    Ok(Some(certs))
}

fn idp_config(o: &Options<'_>, policy: KeyPolicy) -> crate::Result<IdpConfig> {
    Ok(IdpConfig {
        entity_id: o.required_string("entityId")?,
        sso_redirect_url: o.string("ssoRedirectUrl")?,
        sso_post_url: o.string("ssoPostUrl")?,
        slo_redirect_url: o.string("sloRedirectUrl")?,
        slo_post_url: o.string("sloPostUrl")?,
        slo_response_url: o.string("sloResponseUrl")?,
        certificates: certificates_of(o, "certificates", policy)?,
        metadata_valid_until: None,
    })
}

fn authn_options(o: &mut Options<'_>) -> crate::Result<AuthnRequestOptions> {
    let name_id_policy = match o.take_object(
        "nameIdPolicy",
        &["format", "allowCreate", "spNameQualifier"],
    )? {
        None => None,
        Some(p) => Some(NameIdPolicy {
            format: p.string("format")?,
            allow_create: p.bool("allowCreate")?,
            sp_name_qualifier: p.string("spNameQualifier")?,
        }),
    };
    let requested_authn_context =
        match o.take_object("requestedAuthnContext", &["classRefs", "comparison"])? {
            None => None,
            Some(c) => Some(RequestedAuthnContext {
                class_refs: c.string_list("classRefs")?,
                comparison: match c.string("comparison")? {
                    Some(s) => Comparison::parse(&s)?,
                    None => Comparison::Exact,
                },
            }),
        };
    let index = match o.uint("attributeConsumingServiceIndex")? {
        Some(i) => Some(u16::try_from(i).map_err(|_| Error::InvalidArgument {
            field: "attributeConsumingServiceIndex",
            reason: "at most 65535",
        })?),
        None => None,
    };
    Ok(AuthnRequestOptions {
        name_id_policy,
        force_authn: o.bool("forceAuthn")?.unwrap_or(false),
        is_passive: o.bool("isPassive")?.unwrap_or(false),
        requested_authn_context,
        provider_name: o.string("providerName")?,
        attribute_consuming_service_index: index,
    })
}

const CONFIG_KEYS: [&str; 15] = [
    "entityId",
    "acsUrl",
    "sloUrl",
    "idp",
    "idpMetadataXml",
    "idpEntityId",
    "metadataSignerCertificates",
    "allowMissingValidUntil",
    "clockSkewSeconds",
    "allowSha1",
    "allowWeakRsa",
    "allowHttp",
    "requestTtlMs",
    "replayCapacity",
    "now",
];

/// `new SamlServiceProvider(config)`: the core, its configuration checked.
fn configure(config: &Option<Zeroizing<String>>) -> crate::Result<Core> {
    let mut o = named_options(config, "config", &CONFIG_KEYS)?;
    let lift = MetadataOptions {
        allow_weak_rsa: o.bool("allowWeakRsa")?.unwrap_or(false),
        allow_http: o.bool("allowHttp")?.unwrap_or(false),
    };
    let policy = KeyPolicy {
        allow_weak_rsa: lift.allow_weak_rsa,
    };
    let idp = match (
        o.take_object("idp", &IDP_KEYS)?,
        o.string("idpMetadataXml")?,
    ) {
        (Some(i), None) => idp_config(&i, policy)?,
        (None, Some(xml)) => {
            read_metadata(&o, &xml, lift, "idpEntityId", "metadataSignerCertificates")?.idp
        }
        _ => {
            return Err(Error::InvalidArgument {
                field: "idp",
                reason: "give either `idp` or `idpMetadataXml`",
            })
        }
    };
    let mut c = SpConfig::new(
        o.required_string("entityId")?,
        o.required_string("acsUrl")?,
        idp,
    );
    if let Some(s) = o.uint("clockSkewSeconds")? {
        c.clock_skew_seconds = s;
    }
    c.allow_sha1 = o.bool("allowSha1")?.unwrap_or(false);
    c.allow_weak_rsa = lift.allow_weak_rsa;
    c.allow_http = lift.allow_http;
    c.slo_url = o.string("sloUrl")?;
    if let Some(t) = o.uint("requestTtlMs")? {
        c.request_ttl_ms = t;
    }
    if let Some(n) = o.uint("replayCapacity")? {
        c.replay_capacity = usize::try_from(n).unwrap_or(usize::MAX);
    }
    Core::new(c)
}

/// A string as the answer: a JSON string, in a buffer sized for the usual
/// case rather than the worst (nothing these answers carry is a secret, and
/// an XML document is large); wiped on drop like every `Answer`.
fn text_answer(s: &str) -> Answer {
    let mut out = String::with_capacity(s.len() + s.len() / 8 + 16);
    crate::json_out::push_string(&mut out, s);
    Ok(Zeroizing::new(out))
}

/// A posted SAMLResponse or SAMLRequest, or a redirect URL or value: at
/// most the binding's limit, read in one copy (see `text_in`).
fn binding_value(value: &JsValue, field: &'static str) -> crate::Result<String> {
    super::text_in::read_string(
        value,
        field,
        binding::MAX_ENCODED,
        SamlError::TooLarge.into(),
    )
}

/// An XML document argument: at most the XML reader's limit.
fn xml_arg(value: &JsValue, max: usize) -> crate::Result<String> {
    super::text_in::read_string(value, "xml", max, crate::XmlError::TooLarge.into())
}

const VALIDATE_KEYS: [&str; 6] = [
    "now",
    "expectedRequestId",
    "clockSkewSeconds",
    "allowSha1",
    "allowUnsolicited",
    "storeTimeoutMs",
];

/// `validateResponse`'s options (`with_store`: and `storeTimeoutMs`).
fn validate_options(o: &Options<'_>) -> crate::Result<(ValidateOptions, u64)> {
    let opts = ValidateOptions {
        expected_request_id: o.string("expectedRequestId")?,
        allow_unsolicited: o.bool("allowUnsolicited")?.unwrap_or(false),
        allow_sha1: o.bool("allowSha1")?,
        clock_skew_seconds: o.uint("clockSkewSeconds")?,
    };
    Ok((opts, now(o)?))
}

/// How long `validateResponseWithStore` waits for the store by default.
const DEFAULT_STORE_TIMEOUT_MS: u64 = 5_000;
/// The longest wait that may be asked for.
const MAX_STORE_TIMEOUT_MS: u64 = 60_000;

fn validated(v: &ValidatedResponse) -> Answer {
    // One string, one JSON.parse (see `ValidatedResponse::to_json`).
    Ok(Zeroizing::new(v.to_json()))
}

/// A logout message's `sigAlg` option: the XML-DSig URI of the algorithm the
/// server will sign the redirect with, under the SP's SHA-1 policy.
fn sig_alg(o: &Options<'_>, allow_sha1: bool) -> crate::Result<Option<SigAlg>> {
    o.string("sigAlg")?
        .map(|uri| SigAlg::from_uri(&uri, allow_sha1))
        .transpose()
}

/// What a sent logout message answers: its ID, XML, redirect URL and, with a
/// `sigAlg`, the octets the server signs.
fn sent_json(id: &str, xml: &str, url: &str, signing_input: Option<&str>) -> JsonObject {
    let mut out = JsonObject::with_capacity(2 * xml.len() + 2 * url.len() + 256);
    out.string("id", id)
        .string("xml", xml)
        .string("url", url)
        .opt_string("signingInput", signing_input);
    out
}

/// A message's facts, as `verifyRedirect` and the POST readers answer them.
fn message_json(m: &MessageInfo, capacity: usize) -> JsonObject {
    let mut o = JsonObject::with_capacity(capacity + 512);
    o.string("kind", m.kind.name())
        .string("id", &m.id)
        .opt_string("issuer", m.issuer.as_deref())
        .opt_string("inResponseTo", m.in_response_to.as_deref())
        .opt_string("destination", m.destination.as_deref())
        .number("issueInstant", m.issue_instant);
    if let Some(s) = &m.status {
        o.object("status", |st| {
            st.string("code", &s.code)
                .opt_string("secondLevel", s.second_level.as_deref())
                .opt_string("message", s.message.as_deref())
                .boolean("success", s.is_success());
        });
    }
    o.opt_string("nameId", m.name_id.as_deref())
        .opt_string("nameIdFormat", m.name_id_format.as_deref())
        .strings("sessionIndexes", &m.session_indexes);
    o
}

#[wasm_bindgen(js_class = RawSamlServiceProvider)]
impl RawSamlServiceProvider {
    /// An unconfigured SP; `configure` configures it.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self {
            inner: None,
            prepared: Vec::new(),
            next_id: 0,
        }
    }

    /// `new SamlServiceProvider(config)`: `config` as JSON.
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn configure(&mut self, config: Option<String>) -> JsValue {
        let answer = configure(&arg(config)).map(|core| {
            self.inner = Some(core);
            Zeroizing::new(String::from("true"))
        });
        reply(answer)
    }

    #[wasm_bindgen(js_name = authnRequest, unchecked_return_type = "string")]
    pub fn authn_request(&mut self, init: Option<String>) -> JsValue {
        let init = arg(init);
        reply(self.core().and_then(|core| {
            let mut o = named_options(
                &init,
                "init",
                &[
                    "binding",
                    "relayState",
                    "nameIdPolicy",
                    "forceAuthn",
                    "isPassive",
                    "requestedAuthnContext",
                    "providerName",
                    "attributeConsumingServiceIndex",
                    "now",
                ],
            )?;
            let binding = match o.string("binding")?.as_deref() {
                None | Some("redirect") => RequestBinding::Redirect,
                Some("post") => RequestBinding::Post,
                Some(_) => {
                    return Err(Error::InvalidArgument {
                        field: "binding",
                        reason: "\"redirect\" or \"post\"",
                    })
                }
            };
            let options = authn_options(&mut o)?;
            let sent = core.authn_request(options, binding, o.string("relayState")?, now(&o)?)?;
            let mut out = JsonObject::with_capacity(4 * sent.xml.len() + 1024);
            out.string("id", &sent.id).string("xml", &sent.xml);
            match &sent.outgoing {
                Outgoing::Redirect { url } => {
                    out.string("binding", "redirect").string("url", url);
                }
                Outgoing::Post {
                    action,
                    saml_request,
                    html,
                } => {
                    out.string("binding", "post")
                        .string("action", action)
                        .string("samlRequest", saml_request)
                        .string("html", html);
                }
            }
            out.opt_string("relayState", sent.relay_state.as_deref())
                .number("expiresAt", sent.expires_at);
            done(out)
        }))
    }

    #[wasm_bindgen(js_name = verifyRedirect, unchecked_return_type = "string")]
    pub fn verify_redirect(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] url: JsValue,
        options: Option<String>,
    ) -> JsValue {
        let options = arg(options);
        reply(self.core().and_then(|core| {
            let o = named_options(
                &options,
                "options",
                &["now", "allowSha1", "allowUnsigned", "expectedRequestId"],
            )?;
            let opts = RedirectOptions {
                allow_unsigned: o.bool("allowUnsigned")?.unwrap_or(false),
                allow_sha1: o.bool("allowSha1")?,
                expected_request_id: o.string("expectedRequestId")?,
            };
            let url = binding_value(&url, "url")?;
            let v = core.verify_redirect(&url, now(&o)?, opts)?;
            let mut out = message_json(&v.message, 2 * v.xml.len());
            out.opt_string("relayState", v.relay_state.as_deref())
                .boolean("signed", v.sig_alg.is_some())
                .opt_string("sigAlg", v.sig_alg.map(|a| a.uri()))
                .string("xml", &v.xml);
            done(out)
        }))
    }

    #[wasm_bindgen(js_name = logoutRequest, unchecked_return_type = "string")]
    pub fn logout_request(&mut self, init: Option<String>) -> JsValue {
        let init = arg(init);
        reply(self.core().and_then(|core| {
            let o = named_options(
                &init,
                "init",
                &[
                    "nameId",
                    "nameIdFormat",
                    "nameQualifier",
                    "spNameQualifier",
                    "sessionIndexes",
                    "relayState",
                    "sigAlg",
                    "now",
                ],
            )?;
            let sig_alg = sig_alg(&o, core.config().allow_sha1)?;
            let sent = core.logout_request(
                LogoutRequestInit {
                    name_id: o.required_string("nameId")?,
                    name_id_format: o.string("nameIdFormat")?,
                    name_qualifier: o.string("nameQualifier")?,
                    sp_name_qualifier: o.string("spNameQualifier")?,
                    session_indexes: o.string_list("sessionIndexes")?,
                    relay_state: o.string("relayState")?,
                    sig_alg,
                },
                now(&o)?,
            )?;
            let mut out = sent_json(
                &sent.id,
                &sent.xml,
                &sent.url,
                sent.signing_input.as_deref(),
            );
            out.number("expiresAt", sent.expires_at);
            done(out)
        }))
    }

    #[wasm_bindgen(js_name = readLogoutResponse, unchecked_return_type = "string")]
    pub fn read_logout_response(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "unknown")]
        saml_response: JsValue,
        options: Option<String>,
    ) -> JsValue {
        let options = arg(options);
        reply(self.core().and_then(|core| {
            let o = named_options(
                &options,
                "options",
                &["now", "expectedRequestId", "allowUnsigned"],
            )?;
            let opts = LogoutResponseOptions {
                expected_request_id: o.string("expectedRequestId")?,
                allow_unsigned: o.bool("allowUnsigned")?.unwrap_or(false),
            };
            let saml_response = binding_value(&saml_response, "samlResponse")?;
            let (msg, signed) = core.read_logout_response_post(&saml_response, now(&o)?, opts)?;
            let mut out = message_json(&msg, 0);
            out.boolean("signed", signed);
            done(out)
        }))
    }

    #[wasm_bindgen(js_name = readLogoutRequest, unchecked_return_type = "string")]
    pub fn read_logout_request(
        &mut self,
        #[wasm_bindgen(js_name = samlRequest, unchecked_param_type = "unknown")]
        saml_request: JsValue,
        options: Option<String>,
    ) -> JsValue {
        let options = arg(options);
        reply(self.core().and_then(|core| {
            let o = named_options(&options, "options", &["now", "allowUnsigned"])?;
            let opts = LogoutRequestOptions {
                allow_unsigned: o.bool("allowUnsigned")?.unwrap_or(false),
            };
            let value = binding_value(&saml_request, "samlRequest")?;
            let (msg, signed) = core.read_logout_request_post(&value, now(&o)?, opts)?;
            let mut out = message_json(&msg, 0);
            out.boolean("signed", signed);
            done(out)
        }))
    }

    #[wasm_bindgen(js_name = logoutResponse, unchecked_return_type = "string")]
    pub fn logout_response(&mut self, init: Option<String>) -> JsValue {
        let init = arg(init);
        reply(self.core().and_then(|core| {
            let o = named_options(
                &init,
                "init",
                &[
                    "inResponseTo",
                    "statusCode",
                    "secondLevelStatusCode",
                    "relayState",
                    "sigAlg",
                    "now",
                ],
            )?;
            let sig_alg = sig_alg(&o, core.config().allow_sha1)?;
            let sent = core.logout_response(
                LogoutResponseInit {
                    in_response_to: o.required_string("inResponseTo")?,
                    status_code: o.string("statusCode")?,
                    second_level_status_code: o.string("secondLevelStatusCode")?,
                    relay_state: o.string("relayState")?,
                    sig_alg,
                },
                now(&o)?,
            )?;
            done(sent_json(
                &sent.id,
                &sent.xml,
                &sent.url,
                sent.signing_input.as_deref(),
            ))
        }))
    }

    #[wasm_bindgen(js_name = validateResponse, unchecked_return_type = "string")]
    pub fn validate_response(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "unknown")]
        saml_response: JsValue,
        options: Option<String>,
    ) -> JsValue {
        let options = arg(options);
        reply(self.core().and_then(|core| {
            let saml_response = binding_value(&saml_response, "samlResponse")?;
            let o = named_options(&options, "options", &VALIDATE_KEYS[..5])?;
            let (opts, now) = validate_options(&o)?;
            validated(&core.validate_response(&saml_response, now, opts)?)
        }))
    }

    /// `validateResponseWithStore`'s first step: every check, nothing
    /// consumed. Answers `n` (for `finishResponse`), the `assertionId` and
    /// `until` to give the store, and the `timeoutMs` to wait for it.
    #[wasm_bindgen(js_name = prepareResponse, unchecked_return_type = "string")]
    pub fn prepare_response(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "unknown")]
        saml_response: JsValue,
        options: Option<String>,
    ) -> JsValue {
        let options = arg(options);
        let answer = (|| {
            let core = self.inner.as_mut().ok_or(NOT_CONFIGURED)?;
            let saml_response = binding_value(&saml_response, "samlResponse")?;
            let o = named_options(&options, "options", &VALIDATE_KEYS)?;
            let (opts, now) = validate_options(&o)?;
            let timeout = o
                .uint("storeTimeoutMs")?
                .unwrap_or(DEFAULT_STORE_TIMEOUT_MS);
            if !(1..=MAX_STORE_TIMEOUT_MS).contains(&timeout) {
                return Err(Error::InvalidArgument {
                    field: "storeTimeoutMs",
                    reason: "between 1 and 60000",
                });
            }
            // The clock as the store is asked; its answer is judged at
            // `now` plus the time the store took (see `finishResponse`).
            let asked_at = super::host::date_now();
            let response = core.prepare_response(&saml_response, now, opts)?;
            let n = self.next_id;
            self.next_id = n.wrapping_add(1);
            let mut out = JsonObject::with_capacity(256);
            out.number("n", u64::from(n))
                .string("assertionId", response.assertion_id())
                .number("until", response.remember_until())
                .number("timeoutMs", timeout);
            self.prepared.push((
                n,
                Prepared {
                    response,
                    now,
                    asked_at,
                },
            ));
            done(out)
        })();
        reply(answer)
    }

    /// `validateResponseWithStore`'s last step for prepared validation `n`:
    /// `outcome` is the store's answer, 1 for `true` (first use), 0 for
    /// `false` (`saml.replayed`), 2 when it failed (`saml.store.failed`), 3
    /// when it did not answer in time (`saml.store.timeout`). In those last
    /// two cases nothing is consumed and the response may be retried.
    #[wasm_bindgen(js_name = finishResponse, unchecked_return_type = "string")]
    pub fn finish_response(&mut self, n: u32, outcome: u32) -> JsValue {
        let answer = (|| {
            let core = self.inner.as_mut().ok_or(NOT_CONFIGURED)?;
            let i = self.prepared.iter().position(|(id, _)| *id == n).ok_or(
                Error::InvalidArgument {
                    field: "n",
                    reason: "names no prepared response",
                },
            )?;
            let (_, p) = self.prepared.swap_remove(i);
            let first = match outcome {
                0 => false,
                1 => true,
                3 => return Err(SamlError::StoreTimeout.into()),
                _ => return Err(SamlError::StoreFailed.into()),
            };
            // Time captured before the wait is stale after it: a store may
            // take up to `storeTimeoutMs`, during which the request or the
            // assertion may expire. A clock that went back counts as no wait.
            let waited = (super::host::date_now() - p.asked_at).max(0.0) as u64;
            validated(&core.finish_response(p.response, first, p.now.saturating_add(waited))?)
        })();
        reply(answer)
    }

    #[wasm_bindgen(js_name = metadataXml, unchecked_return_type = "string")]
    pub fn metadata_xml(&mut self, options: Option<String>) -> JsValue {
        let options = arg(options);
        reply(self.core().and_then(|core| {
            let o = named_options(&options, "options", &["nameIdFormats"])?;
            text_answer(&sp_metadata(
                core.config(),
                &o.string_list("nameIdFormats")?,
            )?)
        }))
    }

    #[wasm_bindgen(js_name = pendingCount)]
    pub fn pending_count(&self) -> usize {
        self.inner.as_ref().map_or(0, Core::pending_count)
    }

    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "string")]
    pub fn to_json(&self) -> JsValue {
        reply(self.inner.as_ref().ok_or(NOT_CONFIGURED).and_then(|core| {
            let c = core.config();
            let mut o = JsonObject::with_capacity(256);
            o.string("entityId", &c.entity_id)
                .string("acsUrl", &c.acs_url)
                .string("idpEntityId", &c.idp.entity_id);
            done(o)
        }))
    }
}

/// What every method answers before `configure` succeeded (the JS layer
/// never calls one then).
const NOT_CONFIGURED: Error = Error::InvalidArgument {
    field: "sp",
    reason: "it is not configured",
};

impl RawSamlServiceProvider {
    fn core(&mut self) -> crate::Result<&mut Core> {
        self.inner.as_mut().ok_or(NOT_CONFIGURED)
    }
}

impl Default for RawSamlServiceProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_name = parseIdpMetadata, unchecked_return_type = "string")]
pub fn parse_idp_metadata_js(
    #[wasm_bindgen(unchecked_param_type = "unknown")] xml: JsValue,
    options: Option<String>,
) -> JsValue {
    let options = arg(options);
    reply((|| {
        let xml = xml_arg(&xml, METADATA_LIMITS.max_bytes)?;
        let o = named_options(
            &options,
            "options",
            &[
                "now",
                "allowWeakRsa",
                "allowHttp",
                "entityId",
                "signerCertificates",
                "allowSha1",
                "allowMissingValidUntil",
            ],
        )?;
        let lift = MetadataOptions {
            allow_weak_rsa: o.bool("allowWeakRsa")?.unwrap_or(false),
            allow_http: o.bool("allowHttp")?.unwrap_or(false),
        };
        let m = read_metadata(&o, &xml, lift, "entityId", "signerCertificates")?;
        let mut out = JsonObject::with_capacity(1024);
        out.string("entityId", &m.idp.entity_id)
            .opt_string("ssoRedirectUrl", m.idp.sso_redirect_url.as_deref())
            .opt_string("ssoPostUrl", m.idp.sso_post_url.as_deref())
            .opt_string("sloRedirectUrl", m.idp.slo_redirect_url.as_deref())
            .opt_string("sloPostUrl", m.idp.slo_post_url.as_deref())
            .opt_string("sloResponseUrl", m.idp.slo_response_url.as_deref())
            .number("certificateCount", m.idp.certificates.len() as u64)
            .opt_number("validUntil", m.valid_until)
            .opt_number("cacheDurationSeconds", m.cache_duration_seconds)
            .boolean("signed", m.signed);
        done(out)
    })())
}

#[wasm_bindgen(js_name = encodeRedirect, unchecked_return_type = "string")]
pub fn encode_redirect(#[wasm_bindgen(unchecked_param_type = "unknown")] xml: JsValue) -> JsValue {
    let max = crate::saml::xml::Limits::default().max_bytes;
    reply(xml_arg(&xml, max).and_then(|xml| text_answer(&binding::deflate_encode(&xml))))
}

#[wasm_bindgen(js_name = decodeRedirect, unchecked_return_type = "string")]
pub fn decode_redirect(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> JsValue {
    reply(
        binding_value(&value, "value")
            .and_then(|v| binding::decode_redirect(&v))
            .and_then(|xml| text_answer(&xml)),
    )
}

#[wasm_bindgen(js_name = decodePost, unchecked_return_type = "string")]
pub fn decode_post(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> JsValue {
    reply(
        binding_value(&value, "value")
            .and_then(|v| binding::decode_post(&v))
            .and_then(|xml| text_answer(&xml)),
    )
}
