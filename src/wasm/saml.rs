//! `SamlServiceProvider` and the binding helpers for JS.

use wasm_bindgen::prelude::*;

use super::interop::{js, new_object, opt_str, set, to_js_error, JsResult, Options};
use crate::error::Error;
use crate::error::SamlError;
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
use crate::saml::response::{ValidateOptions, ValidatedResponse};
use crate::saml::sp::{IdpConfig, Outgoing, RequestBinding, SamlServiceProvider as Core, SpConfig};
use crate::saml::verify::SigAlg;
use alloc::rc::Rc;
use core::cell::RefCell;

#[wasm_bindgen(typescript_custom_section)]
const TS_SAML: &'static str = r#"
/** The identity provider. */
export interface IdpConfig {
  entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoRedirectUrl?: string;
  /** SingleSignOnService, HTTP-POST binding. */
  ssoPostUrl?: string;
  sloRedirectUrl?: string;
  sloPostUrl?: string;
  /** Where the SP's LogoutResponse goes, if not `sloRedirectUrl` (metadata's ResponseLocation). */
  sloResponseUrl?: string;
  /** The IdP's signing certificate(s): PEM (one or more blocks) or base64 DER. Several for key
   * rollover. Trust comes from here only; an expired certificate is still the configured key. */
  certificates?: string | string[];
}
/** A SAML service provider. There is no field for a private key: edge-sso never signs. */
export interface SamlServiceProviderConfig {
  entityId: string;
  /** The Assertion Consumer Service URL (HTTP-POST). */
  acsUrl: string;
  /** The SP's Single Logout URL: the expected Destination of logout messages. */
  sloUrl?: string;
  /** The IdP, given directly... */
  idp?: IdpConfig;
  /** ...or read from its metadata (an EntityDescriptor, or an EntitiesDescriptor aggregate with
   * `idpEntityId`; DOCTYPE refused; validUntil checked). */
  idpMetadataXml?: string;
  /** The IdP to take out of `idpMetadataXml` (exact entityID); required when it holds several. */
  idpEntityId?: string;
  /** PEM certificates of the metadata's signer (the federation, the MDQ service): with them the
   * metadata's root signature must verify before any key in it is trusted. */
  metadataSignerCertificates?: string | string[];
  /** Accept signed `idpMetadataXml` without a validUntil (by default refused). */
  allowMissingValidUntil?: boolean;
  /** When `idpMetadataXml`'s validUntil is checked (ms since the epoch, default now). */
  now?: number;
  /** Default 180, at most 3600 (more is refused with `arg.invalid`). */
  clockSkewSeconds?: number;
  /** Accept RSA-SHA1 / DSA-SHA1 signatures. Default false. */
  allowSha1?: boolean;
  /** Accept IdP certificates (configured or in `idpMetadataXml`) whose RSA keys have 1024 to 2047
   * bits. Below 1024 bits a key is always refused. Default false (`saml.certificate.weak_rsa`). */
  allowWeakRsa?: boolean;
  /** Accept plain `http:` URLs on hosts that are not loopback for `acsUrl`, `sloUrl` and the IdP's
   * endpoints (also from metadata). Other schemes are always refused. Default false. */
  allowHttp?: boolean;
  /** How long a sent AuthnRequest stays answerable (ms, default 600000). */
  requestTtlMs?: number;
  /** How many unexpired assertion IDs this SP remembers against replay in its own memory (default
   * 10000, at most 1000000), and apart from them, as many answered request IDs. When full, new
   * responses are refused with `saml.replay.memory_full` instead of an ID being forgotten; with
   * `validateResponseWithStore` the assertion IDs live in the store and only request IDs count here. */
  replayCapacity?: number;
}
export interface AuthnRequestInit {
  /** "redirect" (default) or "post". */
  binding?: "redirect" | "post";
  /** At most 80 bytes. */
  relayState?: string;
  nameIdPolicy?: { format?: string; allowCreate?: boolean; spNameQualifier?: string };
  forceAuthn?: boolean;
  isPassive?: boolean;
  requestedAuthnContext?: { classRefs: string[]; comparison?: "exact" | "minimum" | "maximum" | "better" };
  providerName?: string;
  attributeConsumingServiceIndex?: number;
  now?: number;
}
export interface VerifyRedirectOptions {
  now?: number; allowSha1?: boolean; /** Accept a message with no signature. */ allowUnsigned?: boolean;
  /** For a LogoutResponse: the LogoutRequest ID you carried (else this instance's memory is used). */
  expectedRequestId?: string;
}
export interface LogoutRequestInit {
  nameId: string; nameIdFormat?: string; nameQualifier?: string; spNameQualifier?: string;
  sessionIndexes?: string[]; relayState?: string;
  /** The algorithm your server will sign with: adds SigAlg and returns `signingInput`. */
  sigAlg?: string; now?: number;
}
/** `url` has no Signature: edge-sso holds no key. With `sigAlg`, sign `signingInput` on your server and
 * append `&Signature=` + encodeURIComponent(base64 signature). */
export interface SentLogoutRequest { id: string; xml: string; url: string; signingInput?: string; expiresAt: number; }
export interface ReadLogoutResponseOptions { now?: number; expectedRequestId?: string; allowUnsigned?: boolean; }
/** Options of `readLogoutRequest`. */
export interface ReadLogoutRequestOptions { now?: number; /** Accept a LogoutRequest with no signature. */ allowUnsigned?: boolean; }
/** The SP's answer to a LogoutRequest the IdP sent (`logoutResponse`). */
export interface LogoutResponseInit {
  /** The `id` of the IdP's LogoutRequest (from readLogoutRequest or verifyRedirect). */
  inResponseTo: string;
  /** A top-level status code URI; default `urn:oasis:names:tc:SAML:2.0:status:Success`. */
  statusCode?: string;
  /** A second-level status code URI, e.g. `urn:oasis:names:tc:SAML:2.0:status:PartialLogout`. */
  secondLevelStatusCode?: string;
  /** The RelayState that came with the LogoutRequest, handed back. */
  relayState?: string;
  /** The algorithm your server will sign the query with: adds SigAlg and returns `signingInput`. */
  sigAlg?: string;
  now?: number;
}
/** A LogoutResponse for the IdP's HTTP-Redirect SLO endpoint: send the browser to `url` (append
 * `&Signature=` from your server when you asked for `signingInput`). */
export interface SentLogoutResponse { id: string; xml: string; url: string; signingInput?: string; }
export interface SamlStatus { code: string; secondLevel?: string; message?: string; success: boolean; }
/** A verified redirect-binding message. */
export interface VerifiedRedirect {
  kind: "Response" | "LogoutRequest" | "LogoutResponse"; id: string; issuer?: string; inResponseTo?: string;
  destination?: string; issueInstant: number; status?: SamlStatus; nameId?: string; nameIdFormat?: string;
  sessionIndexes: string[]; relayState?: string; signed: boolean; sigAlg?: string; xml: string;
}
export interface ValidateResponseOptions {
  now?: number;
  /** The AuthnRequest ID you carried (else the SP's memory of sent requests is used). */
  expectedRequestId?: string;
  /** Default: the SP's (180); at most 3600, as for the SP. */
  clockSkewSeconds?: number;
  allowSha1?: boolean;
  /** Accept an IdP-initiated response that answers no request. */
  allowUnsolicited?: boolean;
}
export interface ValidateResponseWithStoreOptions extends ValidateResponseOptions {
  /** How long to wait for `store.remember` (ms, default 5000, at most 60000); then
   * `saml.store.timeout`, with the request left answerable here (a store that records the ID after
   * the timeout refuses the retry as `saml.replayed`: keep this above the store's worst latency). */
  storeTimeoutMs?: number;
}
/** A replay cache shared by every instance that serves the site (a Durable Object, a KV with
 * compare-and-set, a database row). `remember` must record `assertionId` until `expiresAt` (ms since
 * the epoch) and answer `true`, or answer `false` when it is already recorded and not expired, in one
 * atomic step. */
export interface ReplayStore {
  remember(assertionId: string, expiresAt: number): boolean | Promise<boolean>;
}
/** A validated SAML Response: only facts read from the verified assertion. */
export interface ValidatedResponse {
  issuer: string; nameId: string; nameIdFormat?: string; sessionIndex?: string; authnInstant?: number;
  authnContextClassRef?: string; sessionNotOnOrAfter?: number; notOnOrAfter?: number;
  attributes: Record<string, string[]>;
  /** Orange's OrangeAPIToken: XML whitespace removed, and URL-encoded for API calls. */
  orangeApiToken?: { value: string; urlEncoded: string };
  responseId: string; assertionId: string; inResponseTo?: string;
  /** Until when (ms) the assertion ID is remembered against replay. */
  replayUntil: number;
  signed: { response: boolean; assertion: boolean };
}
/** IdP configuration read from metadata. */
export interface IdpMetadataInfo {
  entityId: string; ssoRedirectUrl?: string; ssoPostUrl?: string; sloRedirectUrl?: string; sloPostUrl?: string;
  /** The redirect SingleLogoutService's ResponseLocation, if any: where logoutResponse sends the answer. */
  sloResponseUrl?: string;
  certificateCount: number; validUntil?: number;
  /** The shortest cacheDuration on the path to the IdP, in seconds (years 365 days, months 30). */
  cacheDurationSeconds?: number;
  /** Whether the metadata's signature was verified with `signerCertificates` (never true without them). */
  signed: boolean;
}
/** `authnRequest`'s options for the HTTP-Redirect binding (the default). */
export interface RedirectAuthnRequestInit extends AuthnRequestInit { binding?: "redirect"; }
/** `authnRequest`'s options for the HTTP-POST binding. */
export interface PostAuthnRequestInit extends AuthnRequestInit { binding: "post"; }
/** An AuthnRequest sent by the HTTP-Redirect binding: send the browser to `url` (a 302). Keep `id`
 * (e.g. in an HttpOnly cookie) if this instance will not see the response. */
export interface SentRedirectAuthnRequest {
  id: string; xml: string; binding: "redirect";
  /** The IdP's SSO URL with SAMLRequest (and RelayState). */
  url: string;
  action?: undefined; samlRequest?: undefined; html?: undefined;
  relayState?: string; expiresAt: number;
}
/** An AuthnRequest sent by the HTTP-POST binding: serve `html`, an escaped self-submitting form that
 * posts `samlRequest` (and RelayState) to `action`. Keep `id` as for the redirect binding. */
export interface SentPostAuthnRequest {
  id: string; xml: string; binding: "post";
  url?: undefined;
  /** The IdP's SSO URL for the POST binding. */
  action: string;
  /** The SAMLRequest form value (base64 of `xml`). */
  samlRequest: string;
  html: string;
  relayState?: string; expiresAt: number;
}
/** A sent AuthnRequest: narrow it on `binding`. */
export type SentAuthnRequest = SentRedirectAuthnRequest | SentPostAuthnRequest;
/** Options of `metadataXml`. */
export interface SpMetadataOptions { nameIdFormats?: string[]; }
/** Options of `parseIdpMetadata`. */
export interface ParseIdpMetadataOptions {
  now?: number; allowWeakRsa?: boolean; allowHttp?: boolean;
  /** The IdP to pick (exact entityID); required when the document holds more than one. */
  entityId?: string;
  /** PEM certificates of the metadata's signer: the root's signature must verify with one of them. */
  signerCertificates?: string | string[];
  /** Accept an RSA-SHA1 / SHA-1 metadata signature. */
  allowSha1?: boolean;
  /** Accept signed metadata without a validUntil (by default refused: an old signed copy would verify for ever). */
  allowMissingValidUntil?: boolean;
}
/** The SP's public configuration, as `JSON.stringify` shows it. */
export interface SamlServiceProviderJson { entityId: string; acsUrl: string; idpEntityId: string; }
/** Thrown for `saml.status.not_success`: the IdP's status. */
export interface EdgeSsoError {
  /** The top-level StatusCode URI. */
  statusCode?: string;
  secondLevelStatusCode?: string;
  statusMessage?: string;
}
export interface SamlServiceProvider {
  /**
   * Builds an AuthnRequest for the redirect (default) or POST binding and
   * remembers its ID (one-time, expiring) for the response.
   */
  authnRequest(init?: RedirectAuthnRequestInit): SentRedirectAuthnRequest;
  authnRequest(init: PostAuthnRequestInit): SentPostAuthnRequest;
  authnRequest(init?: AuthnRequestInit): SentAuthnRequest;
}
"#;

/// A SAML 2.0 service provider.
#[wasm_bindgen(js_name = SamlServiceProvider)]
pub struct JsSamlServiceProvider {
    /// Shared with the continuation of `validateResponseWithStore`, which
    /// finishes the validation when the store answers. JavaScript runs one
    /// thing at a time, and that continuation runs from the microtask queue,
    /// never inside a method, so the `RefCell` is never borrowed twice.
    inner: Rc<RefCell<Core>>,
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
    o: &Options,
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
    o: &Options,
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
    read_idp_metadata(xml, o.now()?, &request)
}

/// The metadata signer certificates under `field` (a PEM string or a list),
/// or `None` when the member is left out; `undefined`, `null` or an empty
/// list is refused, since it could never verify and would read as
/// "unsigned is fine".
fn signer_certificates(
    o: &Options,
    field: &'static str,
    policy: KeyPolicy,
) -> crate::Result<Option<Vec<IdpCertificate>>> {
    // Only leaving the member out reads metadata unsigned: a member that is
    // there but undefined or null (an unset environment variable) would
    // otherwise turn the signature check off without a word.
    if !o.present(field) {
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

fn idp_config(value: &JsValue, policy: KeyPolicy) -> crate::Result<IdpConfig> {
    let o = Options::read(value, "idp", &IDP_KEYS)?;
    Ok(IdpConfig {
        entity_id: o.required_string("entityId")?,
        sso_redirect_url: o.string("ssoRedirectUrl")?,
        sso_post_url: o.string("ssoPostUrl")?,
        slo_redirect_url: o.string("sloRedirectUrl")?,
        slo_post_url: o.string("sloPostUrl")?,
        slo_response_url: o.string("sloResponseUrl")?,
        certificates: certificates_of(&o, "certificates", policy)?,
        metadata_valid_until: None,
    })
}

fn authn_options(o: &Options) -> crate::Result<AuthnRequestOptions> {
    let name_id_policy = match o.object("nameIdPolicy")? {
        None => None,
        Some(v) => {
            let p = Options::read(
                &v,
                "nameIdPolicy",
                &["format", "allowCreate", "spNameQualifier"],
            )?;
            Some(NameIdPolicy {
                format: p.string("format")?,
                allow_create: p.bool("allowCreate")?,
                sp_name_qualifier: p.string("spNameQualifier")?,
            })
        }
    };
    let requested_authn_context = match o.object("requestedAuthnContext")? {
        None => None,
        Some(v) => {
            let c = Options::read(&v, "requestedAuthnContext", &["classRefs", "comparison"])?;
            Some(RequestedAuthnContext {
                class_refs: c.string_list("classRefs")?,
                comparison: match c.string("comparison")? {
                    Some(s) => Comparison::parse(&s)?,
                    None => Comparison::Exact,
                },
            })
        }
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

#[wasm_bindgen(js_class = SamlServiceProvider)]
impl JsSamlServiceProvider {
    /// Checks the configuration (https endpoints, required IDs) and creates the SP.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SamlServiceProviderConfig")] config: JsValue,
    ) -> JsResult<JsSamlServiceProvider> {
        let o = js(Options::read(
            &config,
            "config",
            &[
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
            ],
        ))?;
        let lift = MetadataOptions {
            allow_weak_rsa: js(o.bool("allowWeakRsa"))?.unwrap_or(false),
            allow_http: js(o.bool("allowHttp"))?.unwrap_or(false),
        };
        let policy = KeyPolicy {
            allow_weak_rsa: lift.allow_weak_rsa,
        };
        let idp = match (js(o.object("idp"))?, js(o.string("idpMetadataXml"))?) {
            (Some(v), None) => js(idp_config(&v, policy))?,
            (None, Some(xml)) => {
                js(read_metadata(
                    &o,
                    &xml,
                    lift,
                    "idpEntityId",
                    "metadataSignerCertificates",
                ))?
                .idp
            }
            _ => {
                return Err(to_js_error(Error::InvalidArgument {
                    field: "idp",
                    reason: "give either `idp` or `idpMetadataXml`",
                }))
            }
        };
        let mut c = SpConfig::new(
            js(o.required_string("entityId"))?,
            js(o.required_string("acsUrl"))?,
            idp,
        );
        if let Some(s) = js(o.uint("clockSkewSeconds"))? {
            c.clock_skew_seconds = s;
        }
        c.allow_sha1 = js(o.bool("allowSha1"))?.unwrap_or(false);
        c.allow_weak_rsa = lift.allow_weak_rsa;
        c.allow_http = lift.allow_http;
        c.slo_url = js(o.string("sloUrl"))?;
        if let Some(t) = js(o.uint("requestTtlMs"))? {
            c.request_ttl_ms = t;
        }
        if let Some(n) = js(o.uint("replayCapacity"))? {
            c.replay_capacity = usize::try_from(n).unwrap_or(usize::MAX);
        }
        Ok(Self {
            inner: Rc::new(RefCell::new(js(Core::new(c))?)),
        })
    }

    /// Builds an AuthnRequest for the redirect (default) or POST binding and
    /// remembers its ID (one-time, expiring) for the response.
    ///
    /// Its TypeScript is in `TS_SAML`: one overload per binding.
    #[wasm_bindgen(js_name = authnRequest, skip_typescript)]
    pub fn authn_request(&mut self, init: JsValue) -> JsResult<JsValue> {
        let o = js(Options::read(
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
        ))?;
        let binding = match js(o.string("binding"))?.as_deref() {
            None | Some("redirect") => RequestBinding::Redirect,
            Some("post") => RequestBinding::Post,
            Some(_) => {
                return Err(to_js_error(Error::InvalidArgument {
                    field: "binding",
                    reason: "\"redirect\" or \"post\"",
                }))
            }
        };
        let sent = js(self.inner.borrow_mut().authn_request(
            js(authn_options(&o))?,
            binding,
            js(o.string("relayState"))?,
            js(o.now())?,
        ))?;
        let out = new_object();
        set(&out, "id", &sent.id.as_str().into());
        set(&out, "xml", &sent.xml.as_str().into());
        match &sent.outgoing {
            Outgoing::Redirect { url } => {
                set(&out, "binding", &"redirect".into());
                set(&out, "url", &url.as_str().into());
            }
            Outgoing::Post {
                action,
                saml_request,
                html,
            } => {
                set(&out, "binding", &"post".into());
                set(&out, "action", &action.as_str().into());
                set(&out, "samlRequest", &saml_request.as_str().into());
                set(&out, "html", &html.as_str().into());
            }
        }
        opt_str(&out, "relayState", sent.relay_state.as_deref());
        set(&out, "expiresAt", &(sent.expires_at as f64).into());
        Ok(out)
    }

    /// Verifies an HTTP-Redirect message from the IdP (LogoutRequest,
    /// LogoutResponse or Response): the signature over the query exactly as
    /// received, with the configured certificates only; then Version, Issuer,
    /// Destination and IssueInstant.
    #[wasm_bindgen(js_name = verifyRedirect, unchecked_return_type = "VerifiedRedirect")]
    pub fn verify_redirect(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyRedirectOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
            &options,
            "options",
            &["now", "allowSha1", "allowUnsigned", "expectedRequestId"],
        ))?;
        let opts = RedirectOptions {
            allow_unsigned: js(o.bool("allowUnsigned"))?.unwrap_or(false),
            allow_sha1: js(o.bool("allowSha1"))?,
            expected_request_id: js(o.string("expectedRequestId"))?,
        };
        let url = binding_value(&url, "url")?;
        let v = js(self
            .inner
            .borrow_mut()
            .verify_redirect(&url, js(o.now())?, opts))?;
        let out = message_js(&v.message);
        opt_str(&out, "relayState", v.relay_state.as_deref());
        set(&out, "signed", &v.sig_alg.is_some().into());
        opt_str(&out, "sigAlg", v.sig_alg.map(|a| a.uri()));
        set(&out, "xml", &v.xml.as_str().into());
        Ok(out)
    }

    /// A LogoutRequest for the IdP's redirect SLO endpoint (its ID remembered
    /// one-time for the LogoutResponse).
    #[wasm_bindgen(js_name = logoutRequest, unchecked_return_type = "SentLogoutRequest")]
    pub fn logout_request(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LogoutRequestInit")] init: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
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
        ))?;
        let sig_alg = match js(o.string("sigAlg"))? {
            Some(uri) => Some(js(SigAlg::from_uri(
                &uri,
                self.inner.borrow().config().allow_sha1,
            ))?),
            None => None,
        };
        let sent = js(self.inner.borrow_mut().logout_request(
            LogoutRequestInit {
                name_id: js(o.required_string("nameId"))?,
                name_id_format: js(o.string("nameIdFormat"))?,
                name_qualifier: js(o.string("nameQualifier"))?,
                sp_name_qualifier: js(o.string("spNameQualifier"))?,
                session_indexes: js(o.string_list("sessionIndexes"))?,
                relay_state: js(o.string("relayState"))?,
                sig_alg,
            },
            js(o.now())?,
        ))?;
        let out = new_object();
        set(&out, "id", &sent.id.as_str().into());
        set(&out, "xml", &sent.xml.as_str().into());
        set(&out, "url", &sent.url.as_str().into());
        opt_str(&out, "signingInput", sent.signing_input.as_deref());
        set(&out, "expiresAt", &(sent.expires_at as f64).into());
        Ok(out)
    }

    /// Reads a LogoutResponse posted by the IdP (HTTP-POST binding): its XML
    /// signature with the configured certificates (unsigned only with
    /// `allowUnsigned: true`), Issuer, Destination, IssueInstant, InResponseTo
    /// (one-time) and Success.
    #[wasm_bindgen(js_name = readLogoutResponse, unchecked_return_type = "VerifiedRedirect")]
    pub fn read_logout_response(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "string")]
        saml_response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ReadLogoutResponseOptions")]
        options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
            &options,
            "options",
            &["now", "expectedRequestId", "allowUnsigned"],
        ))?;
        let opts = LogoutResponseOptions {
            expected_request_id: js(o.string("expectedRequestId"))?,
            allow_unsigned: js(o.bool("allowUnsigned"))?.unwrap_or(false),
        };
        let saml_response = read_saml_response(&saml_response)?;
        let (msg, signed) = js(self.inner.borrow_mut().read_logout_response_post(
            &saml_response,
            js(o.now())?,
            opts,
        ))?;
        let out = message_js(&msg);
        set(&out, "signed", &signed.into());
        Ok(out)
    }

    /// Reads a LogoutRequest the IdP posted (HTTP-POST binding, a logout the
    /// IdP started): its XML signature with the configured certificates
    /// (unsigned only with `allowUnsigned: true`), Issuer, Destination (this
    /// SP's `sloUrl`), IssueInstant, NotOnOrAfter, and once only. End the
    /// session of its `nameId` / `sessionIndexes`, then answer with
    /// `logoutResponse`.
    #[wasm_bindgen(js_name = readLogoutRequest, unchecked_return_type = "VerifiedRedirect")]
    pub fn read_logout_request(
        &mut self,
        #[wasm_bindgen(js_name = samlRequest, unchecked_param_type = "string")]
        saml_request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ReadLogoutRequestOptions")]
        options: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
            &options,
            "options",
            &["now", "allowUnsigned"],
        ))?;
        let opts = LogoutRequestOptions {
            allow_unsigned: js(o.bool("allowUnsigned"))?.unwrap_or(false),
        };
        let value = binding_value(&saml_request, "samlRequest")?;
        let (msg, signed) =
            js(self
                .inner
                .borrow_mut()
                .read_logout_request_post(&value, js(o.now())?, opts))?;
        let out = message_js(&msg);
        set(&out, "signed", &signed.into());
        Ok(out)
    }

    /// The SP's LogoutResponse to a LogoutRequest the IdP sent, for the IdP's
    /// HTTP-Redirect SLO endpoint (unsigned, or with `signingInput` for your
    /// server to sign, as `logoutRequest`).
    #[wasm_bindgen(js_name = logoutResponse, unchecked_return_type = "SentLogoutResponse")]
    pub fn logout_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LogoutResponseInit")] init: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
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
        ))?;
        let core = self.inner.borrow();
        let sig_alg = match js(o.string("sigAlg"))? {
            Some(uri) => Some(js(SigAlg::from_uri(&uri, core.config().allow_sha1))?),
            None => None,
        };
        let sent = js(core.logout_response(
            LogoutResponseInit {
                in_response_to: js(o.required_string("inResponseTo"))?,
                status_code: js(o.string("statusCode"))?,
                second_level_status_code: js(o.string("secondLevelStatusCode"))?,
                relay_state: js(o.string("relayState"))?,
                sig_alg,
            },
            js(o.now())?,
        ))?;
        let out = new_object();
        set(&out, "id", &sent.id.as_str().into());
        set(&out, "xml", &sent.xml.as_str().into());
        set(&out, "url", &sent.url.as_str().into());
        opt_str(&out, "signingInput", sent.signing_input.as_deref());
        Ok(out)
    }

    /// Validates a posted SAMLResponse (base64, or the XML): signature with the
    /// configured certificates, wrapping-proof selection, Status, Destination,
    /// InResponseTo (one-time), Issuer, Conditions, Audience, bearer
    /// SubjectConfirmation, replay; then returns the NameID and attributes.
    #[wasm_bindgen(js_name = validateResponse, unchecked_return_type = "ValidatedResponse")]
    pub fn validate_response(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "string")]
        saml_response: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ValidateResponseOptions")] options: JsValue,
    ) -> JsResult<JsValue> {
        let saml_response = read_saml_response(&saml_response)?;
        let (opts, now) = validate_options(&options)?;
        let v = js(self
            .inner
            .borrow_mut()
            .validate_response(&saml_response, now, opts))?;
        validated_js(&v)
    }

    /// `validateResponse`, with the assertion ID remembered in `store` (shared
    /// by every instance that serves the site) instead of this instance's
    /// memory. Every check runs first; only then is `store.remember` called
    /// (after this method has returned, so a store may call back into this
    /// SP), and the request is consumed only once the store has answered
    /// `true`. Rejects with `saml.replayed` when it answers `false`, with
    /// `saml.store.failed` when it throws, rejects or answers anything else,
    /// and with `saml.store.timeout` after `storeTimeoutMs` (default 5000):
    /// in those two cases nothing was consumed and the same response may be
    /// retried.
    #[wasm_bindgen(js_name = validateResponseWithStore, unchecked_return_type = "Promise<ValidatedResponse>")]
    pub fn validate_response_with_store(
        &mut self,
        #[wasm_bindgen(js_name = samlResponse, unchecked_param_type = "string")]
        saml_response: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ReplayStore")] store: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ValidateResponseWithStoreOptions")]
        options: JsValue,
    ) -> js_sys::Promise {
        let read = read_saml_response(&saml_response);
        match read.and_then(|text| self.validate_deferred(&text, &store, &options)) {
            Ok(promise) => promise,
            Err(e) => js_sys::Promise::reject(&e),
        }
    }

    fn validate_deferred(
        &mut self,
        saml_response: &str,
        store: &JsValue,
        options: &JsValue,
    ) -> JsResult<js_sys::Promise> {
        use js_sys::{Array, Function, Promise, Reflect};
        use wasm_bindgen::JsCast;
        let remember = Reflect::get(store, &"remember".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                to_js_error(Error::InvalidArgument {
                    field: "store",
                    reason: "needs a remember(assertionId, expiresAt) method",
                })
            })?;
        let (opts, now, timeout_ms) = validate_store_options(options)?;
        // The clock as it was asked; the store's answer is judged at `now`
        // plus the time the store took (see `finish_response`).
        let asked_at = super::host::date_now();
        let prepared = js(self
            .inner
            .borrow_mut()
            .prepare_response(saml_response, now, opts))?;
        let until = prepared.remember_until() as f64;

        // All native promise plumbing, so the only Rust closure is the one
        // that decides, and it is always called (`allSettled` always
        // fulfils): nothing is leaked per call, whatever the store does.
        //   race([resolve().then(remember.bind(store, id, until)), timeout])
        // The store is scheduled last, once nothing else can fail: a store
        // asked for a call that then rejected would record a login that no
        // one finishes.
        let global = js_sys::global();
        let set_timeout: Function = Reflect::get(&global, &"setTimeout".into())?.dyn_into()?;
        let clear_timeout: Function = Reflect::get(&global, &"clearTimeout".into())?.dyn_into()?;
        let marker: JsValue = js_sys::Object::new().into();
        let mut timer = Ok(JsValue::UNDEFINED);
        let timeout = Promise::new(&mut |_resolve, reject| {
            timer = set_timeout.call3(&global, &reject, &timeout_ms.into(), &marker);
        });
        let timer = timer?;
        let bound = remember.bind2(store, &prepared.assertion_id().into(), &until.into());
        let asked = match then(&Promise::resolve(&JsValue::UNDEFINED), &bound) {
            Ok(asked) => asked,
            Err(e) => {
                // No one would observe the timer's rejection.
                let _ = clear_timeout.call1(&global, &timer);
                return Err(e);
            }
        };
        let race = Promise::race(&Array::of2(&asked, &timeout));
        let settled = Promise::all_settled(&Array::of1(&race));

        let sp = Rc::clone(&self.inner);
        let decide = Closure::once_into_js(move |outcomes: JsValue| -> JsResult<JsValue> {
            // Failing to clear only leaves a timer that rejects a promise
            // nobody awaits any more.
            let _ = clear_timeout.call1(&js_sys::global(), &timer);
            let outcome = Reflect::get_u32(&outcomes, 0)?;
            let status = Reflect::get(&outcome, &"status".into())?;
            let first = if status.as_string().as_deref() == Some("fulfilled") {
                Reflect::get(&outcome, &"value".into())?.as_bool()
            } else {
                let reason = Reflect::get(&outcome, &"reason".into())?;
                let error = if js_sys::Object::is(&reason, &marker) {
                    SamlError::StoreTimeout
                } else {
                    SamlError::StoreFailed
                };
                let e = to_js_error(error.into());
                if error == SamlError::StoreFailed {
                    set(&e, "cause", &reason);
                }
                return Err(e);
            };
            let first = first.ok_or_else(|| to_js_error(SamlError::StoreFailed.into()))?;
            // Time captured before the wait is stale after it: a store may
            // take up to `storeTimeoutMs`, during which the request or the
            // assertion may expire. A clock that went back counts as no wait.
            let waited = (super::host::date_now() - asked_at).max(0.0) as u64;
            let answered_at = now.saturating_add(waited);
            let v = js(sp
                .borrow_mut()
                .finish_response(prepared, first, answered_at))?;
            validated_js(&v)
        });
        then(&settled, &decide)
    }
}

/// `promise.then(f)` for any function value: js-sys's typed `then` wants a
/// scoped Rust closure, and these must outlive the call.
fn then(promise: &js_sys::Promise, f: &JsValue) -> JsResult<js_sys::Promise> {
    use wasm_bindgen::JsCast;
    let then: js_sys::Function = js_sys::Reflect::get(promise, &"then".into())?.dyn_into()?;
    Ok(then.call1(promise, f)?.unchecked_into())
}

/// A posted SAMLResponse (base64, or the XML) read in one copy (see
/// `text_in`).
fn read_saml_response(value: &JsValue) -> JsResult<String> {
    binding_value(value, "samlResponse")
}

/// A binding value, URL or posted message: at most the binding's limit.
fn binding_value(value: &JsValue, field: &'static str) -> JsResult<String> {
    let max = crate::saml::binding::MAX_ENCODED;
    text_arg(value, field, max, crate::SamlError::TooLarge.into())
}

/// A string argument read in one copy, refused before any copy when it has
/// more UTF-16 units than `max` bytes (a string has at least as many UTF-8
/// bytes as UTF-16 units, so it is over the core's byte limit anyway): wasm
/// memory, once grown for a hostile argument, never shrinks.
fn text_arg(
    value: &JsValue,
    field: &'static str,
    max: usize,
    too_long: crate::Error,
) -> JsResult<String> {
    js(super::text_in::read_string(value, field, max, too_long))
}

/// The largest XML document the reader accepts, in bytes.
fn max_xml() -> usize {
    crate::saml::xml::Limits::default().max_bytes
}

const VALIDATE_KEYS: [&str; 5] = [
    "now",
    "expectedRequestId",
    "clockSkewSeconds",
    "allowSha1",
    "allowUnsolicited",
];

fn validate_options(options: &JsValue) -> JsResult<(ValidateOptions, u64)> {
    let o = js(Options::read(options, "options", &VALIDATE_KEYS))?;
    read_validate_options(&o)
}

fn read_validate_options(o: &Options) -> JsResult<(ValidateOptions, u64)> {
    let opts = ValidateOptions {
        expected_request_id: js(o.string("expectedRequestId"))?,
        allow_unsolicited: js(o.bool("allowUnsolicited"))?.unwrap_or(false),
        allow_sha1: js(o.bool("allowSha1"))?,
        clock_skew_seconds: js(o.uint("clockSkewSeconds"))?,
    };
    Ok((opts, js(o.now())?))
}

/// How long `validateResponseWithStore` waits for the store by default.
const DEFAULT_STORE_TIMEOUT_MS: u64 = 5_000;
/// The longest wait that may be asked for.
const MAX_STORE_TIMEOUT_MS: u64 = 60_000;

/// `validateResponseWithStore`'s options: `validateResponse`'s and
/// `storeTimeoutMs`.
fn validate_store_options(options: &JsValue) -> JsResult<(ValidateOptions, u64, f64)> {
    let mut keys = VALIDATE_KEYS.to_vec();
    keys.push("storeTimeoutMs");
    let o = js(Options::read(options, "options", &keys))?;
    let (opts, now) = read_validate_options(&o)?;
    let timeout = js(o.uint("storeTimeoutMs"))?.unwrap_or(DEFAULT_STORE_TIMEOUT_MS);
    if !(1..=MAX_STORE_TIMEOUT_MS).contains(&timeout) {
        return Err(to_js_error(Error::InvalidArgument {
            field: "storeTimeoutMs",
            reason: "between 1 and 60000",
        }));
    }
    Ok((opts, now, timeout as f64))
}

fn validated_js(v: &ValidatedResponse) -> JsResult<JsValue> {
    // One string and one JSON.parse (see `ValidatedResponse::to_json`). The
    // text is ours and always valid JSON; were parse ever to fail, the call
    // fails with it rather than answering a successful validation with null.
    super::host::json_parse(&v.to_json())
}

#[wasm_bindgen(js_class = SamlServiceProvider)]
impl JsSamlServiceProvider {
    /// This SP's metadata (AuthnRequestsSigned="false", WantAssertionsSigned="true").
    #[wasm_bindgen(js_name = metadataXml)]
    pub fn metadata_xml(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SpMetadataOptions")] options: JsValue,
    ) -> JsResult<String> {
        let o = js(Options::read(&options, "options", &["nameIdFormats"]))?;
        js(sp_metadata(
            self.inner.borrow().config(),
            &js(o.string_list("nameIdFormats"))?,
        ))
    }

    /// Number of AuthnRequests awaiting a response.
    #[wasm_bindgen(js_name = pendingCount)]
    pub fn pending_count(&self) -> usize {
        self.inner.borrow().pending_count()
    }

    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "SamlServiceProviderJson")]
    pub fn to_json(&self) -> JsValue {
        let inner = self.inner.borrow();
        let c = inner.config();
        let o = new_object();
        set(&o, "entityId", &c.entity_id.as_str().into());
        set(&o, "acsUrl", &c.acs_url.as_str().into());
        set(&o, "idpEntityId", &c.idp.entity_id.as_str().into());
        o
    }
}

fn message_js(m: &MessageInfo) -> JsValue {
    let out = new_object();
    set(&out, "kind", &m.kind.name().into());
    set(&out, "id", &m.id.as_str().into());
    opt_str(&out, "issuer", m.issuer.as_deref());
    opt_str(&out, "inResponseTo", m.in_response_to.as_deref());
    opt_str(&out, "destination", m.destination.as_deref());
    set(&out, "issueInstant", &(m.issue_instant as f64).into());
    if let Some(s) = &m.status {
        let st = new_object();
        set(&st, "code", &s.code.as_str().into());
        opt_str(&st, "secondLevel", s.second_level.as_deref());
        opt_str(&st, "message", s.message.as_deref());
        set(&st, "success", &s.is_success().into());
        set(&out, "status", &st);
    }
    opt_str(&out, "nameId", m.name_id.as_deref());
    opt_str(&out, "nameIdFormat", m.name_id_format.as_deref());
    let list = js_sys::Array::new();
    for s in &m.session_indexes {
        list.push(&s.as_str().into());
    }
    set(&out, "sessionIndexes", &list);
    out
}

/// Reads IdP metadata (for display or to check it before use).
#[wasm_bindgen(js_name = parseIdpMetadata, unchecked_return_type = "IdpMetadataInfo")]
pub fn parse_idp_metadata_js(
    #[wasm_bindgen(unchecked_param_type = "string")] xml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ParseIdpMetadataOptions")] options: JsValue,
) -> JsResult<JsValue> {
    let xml = text_arg(
        &xml,
        "xml",
        METADATA_LIMITS.max_bytes,
        crate::XmlError::TooLarge.into(),
    )?;
    let o = js(Options::read(
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
    ))?;
    let lift = MetadataOptions {
        allow_weak_rsa: js(o.bool("allowWeakRsa"))?.unwrap_or(false),
        allow_http: js(o.bool("allowHttp"))?.unwrap_or(false),
    };
    let m = js(read_metadata(
        &o,
        &xml,
        lift,
        "entityId",
        "signerCertificates",
    ))?;
    let out = new_object();
    set(&out, "entityId", &m.idp.entity_id.as_str().into());
    opt_str(&out, "ssoRedirectUrl", m.idp.sso_redirect_url.as_deref());
    opt_str(&out, "ssoPostUrl", m.idp.sso_post_url.as_deref());
    opt_str(&out, "sloRedirectUrl", m.idp.slo_redirect_url.as_deref());
    opt_str(&out, "sloPostUrl", m.idp.slo_post_url.as_deref());
    opt_str(&out, "sloResponseUrl", m.idp.slo_response_url.as_deref());
    set(
        &out,
        "certificateCount",
        &(m.idp.certificates.len() as u32).into(),
    );
    if let Some(t) = m.valid_until {
        set(&out, "validUntil", &(t as f64).into());
    }
    if let Some(d) = m.cache_duration_seconds {
        set(&out, "cacheDurationSeconds", &(d as f64).into());
    }
    set(&out, "signed", &m.signed.into());
    Ok(out)
}

/// Raw DEFLATE + base64 of a message: the HTTP-Redirect encoding (before percent-encoding).
#[wasm_bindgen(js_name = encodeRedirect)]
pub fn encode_redirect(
    #[wasm_bindgen(unchecked_param_type = "string")] xml: JsValue,
) -> JsResult<String> {
    let xml = text_arg(&xml, "xml", max_xml(), crate::XmlError::TooLarge.into())?;
    Ok(binding::deflate_encode(&xml))
}

/// Decodes a redirect-binding value (as taken from the query string): base64
/// (whitespace tolerated), raw inflate (refused past 256 KiB, never truncated), UTF-8.
#[wasm_bindgen(js_name = decodeRedirect)]
pub fn decode_redirect(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
) -> JsResult<String> {
    js(binding::decode_redirect(&binding_value(&value, "value")?))
}

/// Decodes an HTTP-POST binding value: base64 (whitespace tolerated), UTF-8.
#[wasm_bindgen(js_name = decodePost)]
pub fn decode_post(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
) -> JsResult<String> {
    js(binding::decode_post(&binding_value(&value, "value")?))
}
