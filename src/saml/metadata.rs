//! SAML 2.0 metadata: reading an IdP's `EntityDescriptor`, writing the SP's.
//!
//! Metadata is configuration, and configuration is where trust comes from, so
//! it gets the same reader as messages (DOCTYPE refused, limits) and its URLs
//! the same checks as configured ones (`https:`, or `http:` on loopback or, with `allowHttp`, any host; never
//! `javascript:` and the like, crewjam CVE-2023-45683 class).
//!
//! Signed metadata (federations, MDQ services) is verified when the caller
//! names the signer's certificates: the root element's enveloped signature,
//! under the same rules as a Response's (one Signature, a Reference to the
//! root's unique ID, enveloped + exclusive C14N, the algorithm and key-size
//! policy), and everything is then read from that verified root. Without
//! signer certificates the metadata is read as given and reported as
//! `signed: false`: its trust is the channel's (TLS from the IdP, or a pin).
//!
//! A federation aggregate holds thousands of entities, so metadata has its own
//! reader limits ([`METADATA_LIMITS`]); `entity_id` picks the IdP, and only
//! the `validUntil` of the descriptors on the path to it counts.

use super::authn_request::{BINDING_HTTP_POST, BINDING_HTTP_REDIRECT};
use super::dsig::{signature_of, verify_enveloped};
use super::escape::{xml_attr, xml_text};
use super::keys::{parse_certificates_with, IdpCertificate, KeyPolicy};
use super::sp::{IdpConfig, SpConfig};
use super::xml::{parse_with, xml_split, xml_trim, Element, Limits};
use super::{time, NS_DSIG, NS_METADATA, NS_PROTOCOL};
use crate::error::{Error, Result, SamlError};
use crate::url::check_saml_endpoint;

/// The reader limits for metadata: room for a federation aggregate of about
/// 4,000 entities (8 MiB, 300,000 nodes; BENCHMARKS.md has the nodes of the
/// 2,000-entity test aggregate), far past the 1 MiB of a message, and bounded because
/// the tree is built before the signature can be checked and wasm memory
/// never shrinks (BENCHMARKS.md has what it takes). Depth and attributes per
/// element stay as tight as for messages.
pub const METADATA_LIMITS: Limits = Limits {
    max_bytes: 8 * 1024 * 1024,
    max_depth: 48,
    max_attributes: 64,
    max_nodes: 300_000,
    max_namespace_declarations: 50_000,
};

/// IdP configuration read from metadata, with the metadata's `validUntil`.
#[derive(Clone, Debug)]
pub struct IdpMetadata {
    /// Entity ID, endpoints and signing certificates.
    pub idp: IdpConfig,
    /// The earliest `validUntil` (ms since the epoch) on the path to the IdP, if stated.
    pub valid_until: Option<u64>,
    /// The shortest `cacheDuration` on the path to the IdP, in seconds, if
    /// stated and well-formed (years count 365 days, months 30: it is a hint
    /// for how long to cache, not a check).
    pub cache_duration_seconds: Option<u64>,
    /// Whether the metadata's signature was verified with a signer
    /// certificate the caller gave (never `true` otherwise).
    pub signed: bool,
}

/// The opt-ins that reading metadata honours, as on the SP config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// Accept certificates with RSA keys of 1024–2047 bits (`allowWeakRsa`).
    pub allow_weak_rsa: bool,
    /// Accept `http:` endpoint URLs on hosts that are not loopback (`allowHttp`).
    pub allow_http: bool,
}

/// What to read from metadata and how to trust it.
#[derive(Clone, Copy, Debug, Default)]
pub struct MetadataRequest<'a> {
    /// The opt-ins (weak RSA keys, http endpoints).
    pub options: MetadataOptions,
    /// The IdP's entityID, compared exactly; required when the document
    /// holds more than one IdP.
    pub entity_id: Option<&'a str>,
    /// When given, the root's enveloped signature must verify with one of
    /// these (the federation's or the MDQ service's signing certificates).
    pub signers: Option<&'a [IdpCertificate]>,
    /// Accept an RSA-SHA1 or SHA-1-digest metadata signature (`allowSha1`).
    pub allow_sha1: bool,
    /// Accept signed metadata that states no `validUntil`
    /// (`allowMissingValidUntil`). Without it signed metadata must expire:
    /// its trust comes from the signature, not from the channel, so anyone
    /// who can serve an old signed copy could otherwise bring back a key the
    /// federation has since withdrawn.
    pub allow_missing_valid_until: bool,
}

/// Reads IdP metadata: an `EntityDescriptor` (or an `EntitiesDescriptor`
/// holding exactly one IdP) with an `IDPSSODescriptor` supporting SAML 2.0.
/// `now` checks `validUntil`. Strict: see [`read_idp_metadata`].
pub fn parse_idp_metadata(xml: &str, now: u64) -> Result<IdpMetadata> {
    parse_idp_metadata_with(xml, now, MetadataOptions::default())
}

/// [`parse_idp_metadata`] with the opt-ins of `options`.
pub fn parse_idp_metadata_with(
    xml: &str,
    now: u64,
    options: MetadataOptions,
) -> Result<IdpMetadata> {
    read_idp_metadata(
        xml,
        now,
        &MetadataRequest {
            options,
            ..MetadataRequest::default()
        },
    )
}

/// Reads one IdP out of metadata: an `EntityDescriptor`, or an
/// `EntitiesDescriptor` aggregate (nested ones too) from which
/// `request.entity_id` picks it; with `request.signers`, only after the root's
/// signature verified with one of them.
///
/// ```
/// use edge_sso::saml::metadata::{read_idp_metadata, MetadataRequest};
/// let xml = r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>"#;
/// let r = MetadataRequest { entity_id: Some("https://idp.example"), ..MetadataRequest::default() };
/// assert_eq!(read_idp_metadata(xml, 0, &r).unwrap_err().code(), "saml.metadata.entity_not_found");
/// ```
pub fn read_idp_metadata(xml: &str, now: u64, request: &MetadataRequest) -> Result<IdpMetadata> {
    let http = request.options.allow_http;
    let policy = KeyPolicy {
        allow_weak_rsa: request.options.allow_weak_rsa,
    };
    let doc = parse_with(xml, METADATA_LIMITS)?;
    let root = &doc.root;
    let signed = match request.signers {
        None => false,
        Some(signers) => {
            if signature_of(root)?.is_none() {
                return Err(SamlError::MetadataUnsigned.into());
            }
            verify_enveloped(root, root, signers, request.allow_sha1)?;
            true
        }
    };
    let (entity, ancestors) = if root.is(NS_METADATA, "EntityDescriptor") {
        if request
            .entity_id
            .is_some_and(|want| root.attr("entityID") != Some(want))
        {
            return Err(SamlError::MetadataEntityNotFound.into());
        }
        (root, Vec::new())
    } else if root.is(NS_METADATA, "EntitiesDescriptor") {
        pick_entity(root, request.entity_id)?
    } else {
        return Err(SamlError::MetadataInvalid.into());
    };
    let entity_id = entity
        .attr("entityID")
        .filter(|v| !xml_trim(v).is_empty())
        .ok_or(SamlError::MetadataInvalid)?;
    let descriptor = idp_descriptor(entity).ok_or(match request.entity_id {
        Some(_) => SamlError::MetadataEntityNotFound,
        None => SamlError::MetadataInvalid,
    })?;
    // The earliest validUntil, and the shortest cacheDuration, of the
    // descriptors from the root down to the IdP's role govern.
    let path = ancestors.iter().copied().chain([entity, descriptor]);
    let mut valid_until = None;
    let mut cache_duration_seconds = None;
    for e in path {
        if let Some(t) = check_valid_until(e, now)? {
            valid_until = Some(valid_until.map_or(t, |v: u64| v.min(t)));
        }
        if let Some(d) = e.attr("cacheDuration").and_then(duration_seconds) {
            cache_duration_seconds = Some(cache_duration_seconds.map_or(d, |v: u64| v.min(d)));
        }
    }
    if signed && valid_until.is_none() && !request.allow_missing_valid_until {
        return Err(SamlError::MetadataValidUntilMissing.into());
    }

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
        for url in [e.attr("Location"), e.attr("ResponseLocation")]
            .into_iter()
            .flatten()
        {
            check_saml_endpoint("metadata endpoint", url, http)?;
        }
    }
    // Every signing key is trusted (a rollover publishes the old and the new
    // one side by side); an encryption-only key never verifies anything.
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
        slo_response_url: descriptor
            .children_named(NS_METADATA, "SingleLogoutService")
            .find(|e| e.attr("Binding") == Some(BINDING_HTTP_REDIRECT))
            .and_then(|e| e.attr("ResponseLocation"))
            .map(str::to_owned),
        certificates,
        metadata_valid_until: valid_until,
    };
    if idp.sso_redirect_url.is_none() && idp.sso_post_url.is_none() {
        return Err(SamlError::MetadataInvalid.into());
    }
    if idp.certificates.is_empty() {
        return Err(SamlError::MetadataInvalid.into());
    }
    Ok(IdpMetadata {
        idp,
        valid_until,
        cache_duration_seconds,
        signed,
    })
}

/// The entity an aggregate names: the one with `want` as its entityID (once,
/// at any depth of nested `EntitiesDescriptor`s), or without `want` its only
/// IdP. Returns it with the `EntitiesDescriptor`s that enclose it.
fn pick_entity<'e, 'a>(
    root: &'e Element<'a>,
    want: Option<&str>,
) -> Result<(&'e Element<'a>, Vec<&'e Element<'a>>)> {
    let mut found = None;
    let mut path = vec![root];
    visit_group(root, want, &mut path, &mut found)?;
    found.ok_or_else(|| match want {
        Some(_) => SamlError::MetadataEntityNotFound.into(),
        None => SamlError::MetadataInvalid.into(),
    })
}

/// One group of [`pick_entity`]'s walk. `path` is the one chain of enclosing
/// groups, pushed and popped as the walk goes (copied only for the hit), so
/// a document of many nested groups costs no more than its nodes; the
/// reader's depth limit bounds the recursion.
fn visit_group<'e, 'a>(
    group: &'e Element<'a>,
    want: Option<&str>,
    path: &mut Vec<&'e Element<'a>>,
    found: &mut Option<(&'e Element<'a>, Vec<&'e Element<'a>>)>,
) -> Result<()> {
    for child in group.elements() {
        if child.is(NS_METADATA, "EntitiesDescriptor") {
            path.push(child);
            visit_group(child, want, path, found)?;
            path.pop();
        } else if child.is(NS_METADATA, "EntityDescriptor") {
            let hit = match want {
                Some(id) => child.attr("entityID") == Some(id),
                None => idp_descriptor(child).is_some(),
            };
            if !hit {
                continue;
            }
            if found.is_some() {
                return Err(match want {
                    Some(_) => SamlError::MetadataEntityDuplicate,
                    None => SamlError::MetadataEntityRequired,
                }
                .into());
            }
            *found = Some((child, path.clone()));
        }
    }
    Ok(())
}

/// An `xs:duration` in whole seconds (fractions dropped; years 365 days,
/// months 30), or `None` if it is negative or not one.
fn duration_seconds(text: &str) -> Option<u64> {
    let rest = xml_trim(text).strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: u64 = 0;
    let mut any = false;
    let mut add = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut s = part;
        let mut next = 0;
        while !s.is_empty() {
            let end = s.find(|c: char| !c.is_ascii_digit() && c != '.')?;
            let (number, tail) = s.split_at(end);
            let unit = tail.chars().next()?;
            let at = units.get(next..)?.iter().position(|(u, _)| *u == unit)? + next;
            // Digits, and for seconds only one `.` and more digits after it.
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            if whole.is_empty() || fraction.contains('.') || (number.contains('.') && unit != 'S') {
                return None;
            }
            let n: u64 = whole.parse().ok()?;
            total = total.checked_add(n.checked_mul(units.get(at)?.1)?)?;
            any = true;
            next = at + 1;
            s = tail.get(unit.len_utf8()..)?;
        }
        Some(())
    };
    add(
        date,
        &[('Y', 365 * 86_400), ('M', 30 * 86_400), ('D', 86_400)],
    )?;
    if let Some(t) = time {
        add(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
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

#[cfg(test)]
mod tests {
    use super::duration_seconds;

    /// xs:duration (XML Schema 1.1 Part 2, 3.3.6): the forms federations
    /// publish, each unit once and in order; anything else is no duration.
    #[test]
    fn cache_durations_in_seconds() {
        for (text, want) in [
            ("PT6H", Some(21_600)),
            ("P1D", Some(86_400)),
            ("PT1H30M", Some(5_400)),
            ("PT0.5S", Some(0)),
            (
                "P1Y2M3DT4H5M6.7S",
                Some(365 * 86_400 + 60 * 86_400 + 3 * 86_400 + 4 * 3600 + 5 * 60 + 6),
            ),
            (" PT10M\n", Some(600)),
            ("P", None),
            ("PT", None),
            ("P1DT", None),
            ("-PT1H", None),
            ("PT1H1H", None),
            ("PT5M1H", None),
            ("P1.5D", None),
            ("P1W", None),
            ("PT.5S", None),
            ("PT1.2.3S", None),
            ("PT1.S", Some(1)),
            ("6 hours", None),
            ("P99999999999999999999Y", None),
        ] {
            assert_eq!(duration_seconds(text), want, "{text:?}");
        }
    }
}
