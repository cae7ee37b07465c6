//! SAML 2.0 metadata: reading an IdP's `EntityDescriptor`, writing the SP's.
//!
//! Metadata is configuration, and configuration is where trust comes from, so
//! it gets the same reader as messages (DOCTYPE refused, limits) and its URLs
//! the same checks as configured ones (`https:`, or `http:` on loopback or, with `allowHttp`, any host; never
//! `javascript:` and the like, crewjam CVE-2023-45683 class). Its own
//! signature, if any, is not checked here: fetch it over TLS from the IdP, or
//! pin it in your deployment.

use super::authn_request::{BINDING_HTTP_POST, BINDING_HTTP_REDIRECT};
use super::escape::{xml_attr, xml_text};
use super::keys::{parse_certificates_with, KeyPolicy};
use super::sp::{IdpConfig, SpConfig};
use super::xml::{parse, xml_split, xml_trim, Element};
use super::{time, NS_DSIG, NS_METADATA, NS_PROTOCOL};
use crate::error::{Error, Result, SamlError};
use crate::url::check_saml_endpoint;

/// IdP configuration read from metadata, with the metadata's `validUntil`.
#[derive(Clone, Debug)]
pub struct IdpMetadata {
    /// Entity ID, endpoints and signing certificates.
    pub idp: IdpConfig,
    /// `validUntil` (ms since the epoch), if stated.
    pub valid_until: Option<u64>,
}

/// The opt-ins that reading metadata honours, as on the SP config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// Accept certificates with RSA keys of 1024–2047 bits (`allowWeakRsa`).
    pub allow_weak_rsa: bool,
    /// Accept `http:` endpoint URLs on hosts that are not loopback (`allowHttp`).
    pub allow_http: bool,
}

/// Reads IdP metadata: an `EntityDescriptor` (or an `EntitiesDescriptor`
/// holding exactly one IdP) with an `IDPSSODescriptor` supporting SAML 2.0.
/// `now` checks `validUntil`. Strict: see [`parse_idp_metadata_with`].
pub fn parse_idp_metadata(xml: &str, now: u64) -> Result<IdpMetadata> {
    parse_idp_metadata_with(xml, now, MetadataOptions::default())
}

/// [`parse_idp_metadata`] with the opt-ins of `options`.
pub fn parse_idp_metadata_with(
    xml: &str,
    now: u64,
    options: MetadataOptions,
) -> Result<IdpMetadata> {
    let http = options.allow_http;
    let policy = KeyPolicy {
        allow_weak_rsa: options.allow_weak_rsa,
    };
    let doc = parse(xml)?;
    let root = &doc.root;
    let mut outer_valid_until = None;
    let entity = if root.is(NS_METADATA, "EntityDescriptor") {
        root
    } else if root.is(NS_METADATA, "EntitiesDescriptor") {
        outer_valid_until = check_valid_until(root, now)?;
        let mut idps = root
            .children_named(NS_METADATA, "EntityDescriptor")
            .filter(|e| idp_descriptor(e).is_some());
        let first = idps.next().ok_or(SamlError::MetadataInvalid)?;
        if idps.next().is_some() {
            return Err(SamlError::MetadataInvalid.into()); // which one would be a guess
        }
        first
    } else {
        return Err(SamlError::MetadataInvalid.into());
    };
    let valid_until = check_valid_until(entity, now)?;
    let entity_id = entity
        .attr("entityID")
        .filter(|v| !xml_trim(v).is_empty())
        .ok_or(SamlError::MetadataInvalid)?;
    let descriptor = idp_descriptor(entity).ok_or(SamlError::MetadataInvalid)?;
    // The earliest validUntil of the enclosing descriptors governs.
    let valid_until = [
        outer_valid_until,
        valid_until,
        check_valid_until(descriptor, now)?,
    ]
    .into_iter()
    .flatten()
    .min();

    let endpoint = |local: &str, binding: &str| -> Result<Option<String>> {
        let found = descriptor
            .children_named(NS_METADATA, local)
            .find(|e| e.attr("Binding") == Some(binding))
            .and_then(|e| e.attr("Location"));
        match found {
            Some(url) => {
                check_saml_endpoint("metadata endpoint", url, http)?;
                Ok(Some(url.to_owned()))
            }
            None => Ok(None),
        }
    };
    // Every endpoint URL is checked, also those of bindings we do not use.
    for e in descriptor.elements().filter(|e| e.ns == Some(NS_METADATA)) {
        if let Some(url) = e.attr("Location") {
            check_saml_endpoint("metadata endpoint", url, http)?;
        }
    }
    let mut certificates = Vec::new();
    for kd in descriptor.children_named(NS_METADATA, "KeyDescriptor") {
        if !matches!(kd.attr("use"), None | Some("signing")) {
            continue;
        }
        let key_info = kd
            .child(NS_DSIG, "KeyInfo")
            .ok_or(SamlError::MetadataInvalid)?;
        for data in key_info.children_named(NS_DSIG, "X509Data") {
            for cert in data.children_named(NS_DSIG, "X509Certificate") {
                certificates.extend(parse_certificates_with(&cert.text(), policy)?);
            }
        }
    }
    let idp = IdpConfig {
        entity_id: entity_id.to_owned(),
        sso_redirect_url: endpoint("SingleSignOnService", BINDING_HTTP_REDIRECT)?,
        sso_post_url: endpoint("SingleSignOnService", BINDING_HTTP_POST)?,
        slo_redirect_url: endpoint("SingleLogoutService", BINDING_HTTP_REDIRECT)?,
        slo_post_url: endpoint("SingleLogoutService", BINDING_HTTP_POST)?,
        certificates,
        metadata_valid_until: valid_until,
    };
    if idp.sso_redirect_url.is_none() && idp.sso_post_url.is_none() {
        return Err(SamlError::MetadataInvalid.into());
    }
    if idp.certificates.is_empty() {
        return Err(SamlError::MetadataInvalid.into());
    }
    Ok(IdpMetadata { idp, valid_until })
}

fn idp_descriptor<'e, 'a>(entity: &'e Element<'a>) -> Option<&'e Element<'a>> {
    entity
        .children_named(NS_METADATA, "IDPSSODescriptor")
        .find(|d| {
            d.attr("protocolSupportEnumeration")
                .is_some_and(|p| xml_split(p).any(|x| x == NS_PROTOCOL))
        })
}

fn check_valid_until(e: &Element, now: u64) -> Result<Option<u64>> {
    match e.attr("validUntil") {
        None => Ok(None),
        Some(v) => {
            let t = time::parse(v)?;
            if now >= t {
                return Err(SamlError::MetadataExpired.into());
            }
            Ok(Some(t))
        }
    }
}

/// The SP's metadata: entity ID, the ACS (HTTP-POST), the SLO endpoint if
/// configured, NameID formats; `AuthnRequestsSigned="false"` (edge-sso holds
/// no key) and `WantAssertionsSigned="true"`.
///
/// ```
/// use edge_sso::saml::metadata::sp_metadata;
/// use edge_sso::saml::sp::{IdpConfig, SpConfig};
/// let c = SpConfig::new("https://sp.example", "https://sp.example/acs", IdpConfig::default());
/// let xml = sp_metadata(&c, &[]).unwrap();
/// assert!(xml.contains(r#"AuthnRequestsSigned="false" WantAssertionsSigned="true""#));
/// ```
pub fn sp_metadata(config: &SpConfig, name_id_formats: &[String]) -> Result<String> {
    for f in name_id_formats {
        if xml_trim(f).is_empty() || !super::escape::is_xml_safe(f) {
            return Err(Error::InvalidArgument {
                field: "nameIdFormats",
                reason: "each must be a non-empty URI",
            });
        }
    }
    let mut body = String::new();
    if let Some(slo) = &config.slo_url {
        body.push_str(&format!(
            r#"<md:SingleLogoutService Binding="{BINDING_HTTP_REDIRECT}" Location="{}"/>"#,
            xml_attr(slo)
        ));
    }
    for f in name_id_formats {
        body.push_str(&format!(
            "<md:NameIDFormat>{}</md:NameIDFormat>",
            xml_text(f)
        ));
    }
    body.push_str(&format!(
        r#"<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{}" index="0" isDefault="true"/>"#,
        xml_attr(&config.acs_url)
    ));
    Ok(format!(
        concat!(
            r#"<md:EntityDescriptor xmlns:md="{md}" entityID="{id}">"#,
            r#"<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="{p}">"#,
            "{body}</md:SPSSODescriptor></md:EntityDescriptor>"
        ),
        md = NS_METADATA,
        id = xml_attr(&config.entity_id),
        p = NS_PROTOCOL,
        body = body
    ))
}
