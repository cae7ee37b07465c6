//! `SamlServiceProvider` and the binding helpers for JS.

use wasm_bindgen::prelude::*;

use super::interop::{js, new_object, opt_str, set, to_js_error, JsResult, Options};
use crate::error::Error;
use crate::saml::authn_request::{AuthnRequestOptions, Comparison, NameIdPolicy, RequestedAuthnContext};
use crate::saml::binding;
use crate::saml::sp::{IdpConfig, Outgoing, RequestBinding, SamlServiceProvider as Core, SpConfig};

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
}
/** A SAML service provider. There is no field for a private key: edge-sso never signs. */
export interface SamlServiceProviderConfig {
  entityId: string;
  /** The Assertion Consumer Service URL (HTTP-POST). */
  acsUrl: string;
  idp: IdpConfig;
  /** Default 180. */
  clockSkewSeconds?: number;
  /** Accept RSA-SHA1 / DSA-SHA1 signatures. Default false. */
  allowSha1?: boolean;
  /** How long a sent AuthnRequest stays answerable (ms, default 600000). */
  requestTtlMs?: number;
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
/** A sent AuthnRequest: `url` for the redirect binding, `html`/`action`/`samlRequest` for POST.
 * Keep `id` (e.g. in an HttpOnly cookie) if this instance will not see the response. */
export interface SentAuthnRequest {
  id: string; xml: string; binding: "redirect" | "post"; url?: string; action?: string; samlRequest?: string;
  html?: string; relayState?: string; expiresAt: number;
}
"#;

/// A SAML 2.0 service provider.
#[wasm_bindgen(js_name = SamlServiceProvider)]
pub struct JsSamlServiceProvider {
    inner: Core,
}

const IDP_KEYS: [&str; 5] = ["entityId", "ssoRedirectUrl", "ssoPostUrl", "sloRedirectUrl", "sloPostUrl"];

fn idp_config(value: &JsValue) -> crate::Result<IdpConfig> {
    let o = Options::read(value, "idp", &IDP_KEYS)?;
    Ok(IdpConfig {
        entity_id: o.required_string("entityId")?,
        sso_redirect_url: o.string("ssoRedirectUrl")?,
        sso_post_url: o.string("ssoPostUrl")?,
        slo_redirect_url: o.string("sloRedirectUrl")?,
        slo_post_url: o.string("sloPostUrl")?,
    })
}

fn authn_options(o: &Options) -> crate::Result<AuthnRequestOptions> {
    let name_id_policy = match o.object("nameIdPolicy")? {
        None => None,
        Some(v) => {
            let p = Options::read(&v, "nameIdPolicy", &["format", "allowCreate", "spNameQualifier"])?;
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
            &["entityId", "acsUrl", "idp", "clockSkewSeconds", "allowSha1", "requestTtlMs"],
        ))?;
        let idp = js(o.object("idp").and_then(|v| v.ok_or(Error::InvalidArgument { field: "idp", reason: "is required" })))?;
        let mut c = SpConfig::new(js(o.required_string("entityId"))?, js(o.required_string("acsUrl"))?, js(idp_config(&idp))?);
        if let Some(s) = js(o.uint("clockSkewSeconds"))? {
            c.clock_skew_seconds = s;
        }
        c.allow_sha1 = js(o.bool("allowSha1"))?.unwrap_or(false);
        if let Some(t) = js(o.uint("requestTtlMs"))? {
            c.request_ttl_ms = t;
        }
        Ok(Self { inner: js(Core::new(c))? })
    }

    /// Builds an AuthnRequest for the redirect (default) or POST binding and
    /// remembers its ID (one-time, expiring) for the response.
    #[wasm_bindgen(js_name = authnRequest, unchecked_return_type = "SentAuthnRequest")]
    pub fn authn_request(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AuthnRequestInit | undefined")] init: JsValue,
    ) -> JsResult<JsValue> {
        let o = js(Options::read(
            &init,
            "init",
            &[
                "binding", "relayState", "nameIdPolicy", "forceAuthn", "isPassive", "requestedAuthnContext",
                "providerName", "attributeConsumingServiceIndex", "now",
            ],
        ))?;
        let binding = match js(o.string("binding"))?.as_deref() {
            None | Some("redirect") => RequestBinding::Redirect,
            Some("post") => RequestBinding::Post,
            Some(_) => return Err(to_js_error(Error::InvalidArgument { field: "binding", reason: "\"redirect\" or \"post\"" })),
        };
        let sent = js(self.inner.authn_request(js(authn_options(&o))?, binding, js(o.string("relayState"))?, js(o.now())?))?;
        let out = new_object();
        set(&out, "id", &sent.id.as_str().into());
        set(&out, "xml", &sent.xml.as_str().into());
        match &sent.outgoing {
            Outgoing::Redirect { url } => {
                set(&out, "binding", &"redirect".into());
                set(&out, "url", &url.as_str().into());
            }
            Outgoing::Post { action, saml_request, html } => {
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

    /// Number of AuthnRequests awaiting a response.
    #[wasm_bindgen(js_name = pendingCount)]
    pub fn pending_count(&self) -> usize {
        self.inner.pending_count()
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let c = self.inner.config();
        let o = new_object();
        set(&o, "entityId", &c.entity_id.as_str().into());
        set(&o, "acsUrl", &c.acs_url.as_str().into());
        set(&o, "idpEntityId", &c.idp.entity_id.as_str().into());
        o
    }
}

/// Raw DEFLATE + base64 of a message: the HTTP-Redirect encoding (before percent-encoding).
#[wasm_bindgen(js_name = encodeRedirect)]
pub fn encode_redirect(xml: &str) -> String {
    binding::deflate_encode(xml)
}

/// Decodes a redirect-binding value (as taken from the query string): base64
/// (whitespace tolerated), raw inflate (refused past 256 KiB, never truncated), UTF-8.
#[wasm_bindgen(js_name = decodeRedirect)]
pub fn decode_redirect(value: &str) -> JsResult<String> {
    js(binding::decode_redirect(value))
}

/// Decodes an HTTP-POST binding value: base64 (whitespace tolerated), UTF-8.
#[wasm_bindgen(js_name = decodePost)]
pub fn decode_post(value: &str) -> JsResult<String> {
    js(binding::decode_post(value))
}
