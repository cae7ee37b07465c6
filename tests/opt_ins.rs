//! The liftable refusals ("strict by default, liftable by name"): weak RSA
//! keys (`allowWeakRsa`), plain http (`allowHttp`), and values that differ
//! from the configured ones only by a character that is not XML whitespace.
//! Fixtures: scripts/fixtures/opt_ins.py (xmlsec1 and the OpenSSL CLI).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use edge_sso::saml::keys::{parse_certificates, parse_certificates_with, KeyPolicy};
use edge_sso::saml::metadata::{parse_idp_metadata, parse_idp_metadata_with, MetadataOptions};
use edge_sso::saml::redirect::RedirectOptions;
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig, MAX_CLOCK_SKEW_SECONDS};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/opt-ins");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn manifest() -> Value {
    serde_json::from_str(&read("manifest.json")).unwrap()
}

fn now() -> u64 {
    manifest()["nowMs"].as_u64().unwrap()
}

const WEAK: KeyPolicy = KeyPolicy {
    allow_weak_rsa: true,
};

/// The SP of the fixtures, trusting `cert` (read with `policy`).
fn config(cert: &str, policy: KeyPolicy) -> SpConfig {
    let m = manifest();
    let idp = IdpConfig {
        entity_id: m["idpEntityId"].as_str().unwrap().into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates: parse_certificates_with(&read(cert), policy).unwrap(),
        ..Default::default()
    };
    let mut c = SpConfig::new(
        m["sp"]["entityId"].as_str().unwrap(),
        m["sp"]["acsUrl"].as_str().unwrap(),
        idp,
    );
    c.slo_url = m["sp"]["sloUrl"].as_str().map(str::to_owned);
    c
}

fn answering_req1() -> ValidateOptions {
    ValidateOptions {
        expected_request_id: Some(manifest()["expectedRequestId"].as_str().unwrap().into()),
        ..Default::default()
    }
}

#[test]
fn a_1024_bit_certificate_is_refused_by_name_without_allow_weak_rsa() {
    let e = parse_certificates(&read("rsa1024.pem")).unwrap_err();
    assert_eq!(e.code(), "saml.certificate.weak_rsa");
    let msg = e.to_string();
    assert!(msg.contains("1024 bits"), "{msg}");
    assert!(msg.contains("allowWeakRsa"), "{msg}");
    // Read with the policy but the SP not told: SP creation refuses it.
    let e = SamlServiceProvider::new(config("rsa1024.pem", WEAK)).unwrap_err();
    assert_eq!(e.code(), "saml.certificate.weak_rsa");
    assert!(e.to_string().contains("allowWeakRsa"));
    // From metadata too.
    let e = parse_idp_metadata(&read("metadata-rsa1024.xml"), now()).unwrap_err();
    assert_eq!(e.code(), "saml.certificate.weak_rsa");
}

#[test]
fn a_1024_bit_certificate_is_accepted_with_allow_weak_rsa() {
    let mut c = config("rsa1024.pem", WEAK);
    c.allow_weak_rsa = true;
    assert!(SamlServiceProvider::new(c).is_ok());
    let m = parse_idp_metadata_with(
        &read("metadata-rsa1024.xml"),
        now(),
        MetadataOptions {
            allow_weak_rsa: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.idp.certificates[0].weak_rsa_bits(), Some(1024));
}

#[test]
fn keys_under_1024_bits_are_refused_even_with_allow_weak_rsa() {
    for name in ["rsa768.pem", "rsa512.pem"] {
        for policy in [KeyPolicy::default(), WEAK] {
            assert_eq!(
                parse_certificates_with(&read(name), policy)
                    .unwrap_err()
                    .code(),
                "saml.certificate.unsupported",
                "{name} {policy:?}"
            );
        }
    }
}

#[test]
fn a_response_signed_by_a_1024_bit_key_verifies_with_allow_weak_rsa() {
    let mut c = config("rsa1024.pem", WEAK);
    c.allow_weak_rsa = true;
    let mut sp = SamlServiceProvider::new(c).unwrap();
    let v = sp
        .validate_response(&read("response-rsa1024.xml"), now(), answering_req1())
        .unwrap();
    assert_eq!(v.name_id, "4b124ae2-0126-102b-8852-001a641049bb");
    // The 768-bit signer's response does not verify with the 1024-bit key
    // (its own key can never be configured).
    let mut c = config("rsa1024.pem", WEAK);
    c.allow_weak_rsa = true;
    let mut sp = SamlServiceProvider::new(c).unwrap();
    assert_eq!(
        sp.validate_response(&read("response-rsa768.xml"), now(), answering_req1())
            .unwrap_err()
            .code(),
        "saml.signature.invalid"
    );
}

#[test]
fn a_redirect_signed_by_a_1024_bit_key_verifies_with_allow_weak_rsa() {
    let mut c = config("rsa1024.pem", WEAK);
    c.allow_weak_rsa = true;
    let mut sp = SamlServiceProvider::new(c).unwrap();
    let url = read("logout-request-rsa1024.url");
    let v = sp
        .verify_redirect(url.trim_end(), now(), RedirectOptions::default())
        .unwrap();
    assert_eq!(v.message.id, "_lr_weak");
    // One bit of the signed query changed: refused.
    let mut c = config("rsa1024.pem", WEAK);
    c.allow_weak_rsa = true;
    let mut sp = SamlServiceProvider::new(c).unwrap();
    let tampered = url.trim_end().replacen("RelayState=r", "RelayState=s", 1);
    assert_eq!(
        sp.verify_redirect(&tampered, now(), RedirectOptions::default())
            .unwrap_err()
            .code(),
        "saml.signature.invalid"
    );
}

#[test]
fn allow_http_lifts_only_http() {
    let http_acs = |allow: bool| {
        let mut c = config("idp.pem", KeyPolicy::default());
        c.acs_url = "http://sp.example/acs".into();
        c.slo_url = Some("http://sp.example/slo".into());
        c.idp.sso_redirect_url = Some("http://idp.example/sso".into());
        c.idp.sso_post_url = Some("http://idp.example/sso-post".into());
        c.idp.slo_redirect_url = Some("http://idp.example/slo".into());
        c.allow_http = allow;
        SamlServiceProvider::new(c)
    };
    let e = http_acs(false).unwrap_err();
    assert_eq!(e.code(), "config.insecure_url");
    assert!(e.to_string().contains("allowHttp"), "{e}");
    let mut sp = http_acs(true).unwrap();
    // The IdP's http endpoints are used as configured.
    for binding in [
        edge_sso::saml::sp::RequestBinding::Redirect,
        edge_sso::saml::sp::RequestBinding::Post,
    ] {
        sp.authn_request(Default::default(), binding, None, now())
            .unwrap();
    }
    // Each URL alone is refused without the option, by name.
    type Set = fn(&mut SpConfig);
    let each: [(&str, Set); 4] = [
        ("acsUrl", |c| c.acs_url = "http://sp.example/acs".into()),
        ("sloUrl", |c| {
            c.slo_url = Some("http://sp.example/slo".into())
        }),
        ("idp.ssoRedirectUrl", |c| {
            c.idp.sso_redirect_url = Some("http://idp.example/sso".into())
        }),
        ("idp.sloPostUrl", |c| {
            c.idp.slo_post_url = Some("http://idp.example/slo".into())
        }),
    ];
    for (field, set) in each {
        let mut c = config("idp.pem", KeyPolicy::default());
        set(&mut c);
        let e = SamlServiceProvider::new(c.clone()).unwrap_err();
        assert!(e.to_string().contains(field) && e.to_string().contains("allowHttp"));
        c.allow_http = true;
        assert!(SamlServiceProvider::new(c).is_ok(), "{field}");
    }
    // Other schemes stay refused with the option.
    for url in [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://sp.example/acs",
        "file:///etc/passwd",
        "vbscript:x",
    ] {
        let mut c = config("idp.pem", KeyPolicy::default());
        c.allow_http = true;
        c.acs_url = url.into();
        assert_eq!(
            SamlServiceProvider::new(c.clone()).unwrap_err().code(),
            "config.insecure_url",
            "{url}"
        );
        let mut c = config("idp.pem", KeyPolicy::default());
        c.allow_http = true;
        c.idp.sso_redirect_url = Some(url.into());
        assert!(SamlServiceProvider::new(c).is_err(), "{url}");
    }
}

#[test]
fn allow_http_for_metadata_endpoints() {
    let xml =
        read("metadata-rsa1024.xml").replace("https://idp.example/sso", "http://idp.example/sso");
    let weak_only = MetadataOptions {
        allow_weak_rsa: true,
        allow_http: false,
    };
    let e = parse_idp_metadata_with(&xml, now(), weak_only).unwrap_err();
    assert_eq!(e.code(), "config.insecure_url");
    assert!(e.to_string().contains("allowHttp"));
    let both = MetadataOptions {
        allow_weak_rsa: true,
        allow_http: true,
    };
    let m = parse_idp_metadata_with(&xml, now(), both).unwrap();
    assert_eq!(
        m.idp.sso_redirect_url.as_deref(),
        Some("http://idp.example/sso")
    );
    let js = read("metadata-rsa1024.xml").replace("https://idp.example/sso", "javascript:alert(1)");
    assert_eq!(
        parse_idp_metadata_with(&js, now(), both)
            .unwrap_err()
            .code(),
        "config.insecure_url"
    );
}

#[test]
fn a_name_id_ending_in_nbsp_is_reported_exactly() {
    let mut sp = SamlServiceProvider::new(config("idp.pem", KeyPolicy::default())).unwrap();
    let v = sp
        .validate_response(&read("nameid-nbsp.xml"), now(), answering_req1())
        .unwrap();
    assert_eq!(v.name_id, "admin\u{a0}");
    assert_ne!(v.name_id, "admin");
}

#[test]
fn an_issuer_ending_in_nbsp_is_not_the_configured_idp() {
    let mut sp = SamlServiceProvider::new(config("idp.pem", KeyPolicy::default())).unwrap();
    assert_eq!(
        sp.validate_response(&read("issuer-nbsp.xml"), now(), answering_req1())
            .unwrap_err()
            .code(),
        "saml.issuer.mismatch"
    );
    // The Response's own (unsigned here) Issuer, read by the envelope reader.
    let envelope = read("nameid-nbsp.xml").replacen(
        "<saml:Issuer>https://idp.example/metadata</saml:Issuer><samlp:Status>",
        "<saml:Issuer>https://idp.example/metadata&#xA0;</saml:Issuer><samlp:Status>",
        1,
    );
    assert_ne!(envelope, read("nameid-nbsp.xml"));
    let mut sp = SamlServiceProvider::new(config("idp.pem", KeyPolicy::default())).unwrap();
    assert_eq!(
        sp.validate_response(&envelope, now(), answering_req1())
            .unwrap_err()
            .code(),
        "saml.issuer.mismatch"
    );
    // XML whitespace around it is still trimmed.
    let spaced = read("nameid-nbsp.xml").replacen(
        "<saml:Issuer>https://idp.example/metadata</saml:Issuer><samlp:Status>",
        "<saml:Issuer>\n\t https://idp.example/metadata\r\n</saml:Issuer><samlp:Status>",
        1,
    );
    let mut sp = SamlServiceProvider::new(config("idp.pem", KeyPolicy::default())).unwrap();
    assert!(sp
        .validate_response(&spaced, now(), answering_req1())
        .is_ok());
}

#[test]
fn clock_skew_has_one_maximum_for_the_sp_and_each_call() {
    let mut c = config("idp.pem", KeyPolicy::default());
    c.clock_skew_seconds = MAX_CLOCK_SKEW_SECONDS + 1;
    let sp_err = SamlServiceProvider::new(c).unwrap_err();
    let mut c = config("idp.pem", KeyPolicy::default());
    c.clock_skew_seconds = MAX_CLOCK_SKEW_SECONDS;
    let mut sp = SamlServiceProvider::new(c).unwrap();
    let call_err = sp
        .validate_response(
            &read("nameid-nbsp.xml"),
            now(),
            ValidateOptions {
                clock_skew_seconds: Some(MAX_CLOCK_SKEW_SECONDS + 1),
                ..answering_req1()
            },
        )
        .unwrap_err();
    assert_eq!(sp_err, call_err, "the same typed error");
    assert_eq!(call_err.code(), "arg.invalid");
    assert!(call_err.to_string().contains("clockSkewSeconds"));
    // At the maximum, the same call passes.
    sp.validate_response(
        &read("nameid-nbsp.xml"),
        now(),
        ValidateOptions {
            clock_skew_seconds: Some(MAX_CLOCK_SKEW_SECONDS),
            ..answering_req1()
        },
    )
    .unwrap();
}
