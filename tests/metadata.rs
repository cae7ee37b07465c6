//! IdP metadata reading and SP metadata writing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use edge_sso::saml::metadata::{parse_idp_metadata, sp_metadata};
use edge_sso::saml::sp::{IdpConfig, SpConfig};
use edge_sso::saml::xml::parse;
use edge_sso::saml::{NS_METADATA, NS_PROTOCOL};

const NOW: u64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

fn cert_b64(name: &str) -> String {
    let pem = std::fs::read_to_string(format!(
        "{}/tests/fixtures/redirect/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn idp_xml(extra_attr: &str, sso_location: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example/metadata" {extra_attr}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{rsa}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{ec}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{other}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_location}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
        rsa = cert_b64("rsa.pem"),
        ec = cert_b64("ec.pem"),
        other = cert_b64("other.pem"),
    )
}

#[test]
fn reads_endpoints_and_signing_certificates() {
    let m = parse_idp_metadata(
        &idp_xml(
            r#"validUntil="2030-01-01T00:00:00Z""#,
            "https://idp.example/sso",
        ),
        NOW,
    )
    .unwrap();
    assert_eq!(m.idp.entity_id, "https://idp.example/metadata");
    assert_eq!(
        m.idp.sso_redirect_url.as_deref(),
        Some("https://idp.example/sso")
    );
    assert_eq!(
        m.idp.sso_post_url.as_deref(),
        Some("https://idp.example/sso/post")
    );
    assert_eq!(
        m.idp.slo_redirect_url.as_deref(),
        Some("https://idp.example/slo")
    );
    assert_eq!(m.idp.slo_post_url, None);
    assert_eq!(
        m.idp.certificates.len(),
        2,
        "signing and unspecified use; not encryption"
    );
    assert_eq!(m.valid_until, Some(1_893_456_000_000));
}

#[test]
fn default_namespace_metadata_reads_the_same() {
    let xml = idp_xml("", "https://idp.example/sso")
        .replace("md:", "")
        .replace("xmlns:md=", "xmlns=");
    assert!(xml.contains(r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata""#));
    let m = parse_idp_metadata(&xml, NOW).unwrap();
    assert_eq!(m.idp.certificates.len(), 2);
}

#[test]
fn refuses_expired_hostile_and_incomplete_metadata() {
    let code = |xml: &str| parse_idp_metadata(xml, NOW).unwrap_err().code();
    assert_eq!(
        code(&idp_xml(
            r#"validUntil="2020-01-01T00:00:00Z""#,
            "https://idp.example/sso"
        )),
        "saml.metadata.expired"
    );
    assert_eq!(
        code(&idp_xml(r#"validUntil="soon""#, "https://idp.example/sso")),
        "saml.time.invalid"
    );
    assert_eq!(
        code(&idp_xml("", "javascript:alert(document.cookie)")),
        "config.insecure_url"
    );
    assert_eq!(
        code(&idp_xml("", "http://idp.example/sso")),
        "config.insecure_url"
    );
    let doctype = idp_xml("", "https://idp.example/sso").replacen(
        "<md:EntityDescriptor",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><md:EntityDescriptor",
        1,
    );
    assert_eq!(code(&doctype), "xml.doctype_refused");
    let no_certs = idp_xml("", "https://idp.example/sso")
        .replace("use=\"signing\"", "use=\"encryption\"")
        .replace(
            "<md:KeyDescriptor><ds",
            "<md:KeyDescriptor use=\"encryption\"><ds",
        );
    assert_eq!(code(&no_certs), "saml.metadata.invalid");
    let saml11_only = idp_xml("", "https://idp.example/sso")
        .replace(" urn:oasis:names:tc:SAML:2.0:protocol\"", "\"");
    assert_eq!(code(&saml11_only), "saml.metadata.invalid");
    assert_eq!(
        code(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>"#
        ),
        "saml.metadata.invalid"
    );
    assert_eq!(code("<html/>"), "saml.metadata.invalid");
    let bad_cert = idp_xml("", "https://idp.example/sso").replacen("MII", "XXX", 1);
    assert_eq!(code(&bad_cert), "saml.certificate.invalid");
}

#[test]
fn entities_descriptor_with_exactly_one_idp() {
    let one = idp_xml("", "https://idp.example/sso");
    let inner = one
        .split_once("?>")
        .unwrap()
        .1
        .replace("xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" ", "");
    let wrap = |body: &str| {
        format!(r#"<md:EntitiesDescriptor xmlns:md="{NS_METADATA}">{body}</md:EntitiesDescriptor>"#)
    };
    let sp_only = r#"<md:EntityDescriptor entityID="sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#;
    assert_eq!(
        parse_idp_metadata(&wrap(&format!("{sp_only}{inner}")), NOW)
            .unwrap()
            .idp
            .entity_id,
        "https://idp.example/metadata"
    );
    assert_eq!(
        parse_idp_metadata(&wrap(&format!("{inner}{inner}")), NOW)
            .unwrap_err()
            .code(),
        "saml.metadata.entity_required",
        "two IdPs: which one must be named"
    );
}

#[test]
fn sp_metadata_is_well_formed_with_every_endpoint() {
    let mut c = SpConfig::new(
        "https://sp.example/?a=1&b=\"2\"",
        "https://sp.example/acs",
        IdpConfig::default(),
    );
    c.slo_url = Some("https://sp.example/slo".into());
    let xml = sp_metadata(
        &c,
        &["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into()],
    )
    .unwrap();
    let doc = parse(&xml).unwrap();
    assert!(doc.root.is(NS_METADATA, "EntityDescriptor"));
    assert_eq!(
        doc.root.attr("entityID"),
        Some("https://sp.example/?a=1&b=\"2\"")
    );
    let d = doc.root.child(NS_METADATA, "SPSSODescriptor").unwrap();
    assert_eq!(d.attr("AuthnRequestsSigned"), Some("false"));
    assert_eq!(d.attr("WantAssertionsSigned"), Some("true"));
    assert_eq!(d.attr("protocolSupportEnumeration"), Some(NS_PROTOCOL));
    let names: Vec<_> = d.elements().map(|e| e.local).collect();
    assert_eq!(
        names,
        [
            "SingleLogoutService",
            "NameIDFormat",
            "AssertionConsumerService"
        ],
        "schema order"
    );
    let acs = d.child(NS_METADATA, "AssertionConsumerService").unwrap();
    assert_eq!(acs.attr("Location"), Some("https://sp.example/acs"));
    assert_eq!(
        acs.attr("Binding"),
        Some("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
    );
    assert!(sp_metadata(&c, &[" ".into()]).is_err());
}
