//! HTTP-Redirect signatures made by OpenSSL (scripts/fixtures/redirect_signatures.py):
//! every fixture must behave as its manifest says, and tampering with any
//! signed part must fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edge_sso::saml::keys::parse_certificates;

mod common;
use edge_sso::saml::redirect::RedirectOptions;
use edge_sso::saml::sp::SamlServiceProvider;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/redirect");

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/manifest.json")).unwrap()).unwrap()
}

fn sp_with(certs: &[&str], allow_sha1: bool) -> SamlServiceProvider {
    common::sp_from_manifest(DIR, &manifest(), certs, allow_sha1)
}

fn now() -> u64 {
    manifest()["nowMs"].as_u64().unwrap()
}

#[test]
fn every_fixture_behaves_as_labelled() {
    let m = manifest();
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "the fixture set is complete");
    let (mut ok, mut refused) = (0, 0);
    for c in cases {
        let certs: Vec<&str> = c["certs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut sp = sp_with(&certs, c["allowSha1"].as_bool().unwrap());
        let opts = RedirectOptions {
            allow_unsigned: c["allowUnsigned"].as_bool().unwrap(),
            expected_request_id: c["expectedRequestId"].as_str().map(str::to_owned),
            ..Default::default()
        };
        let result = sp.verify_redirect(c["url"].as_str().unwrap(), now(), opts.clone());
        let name = c["name"].as_str().unwrap();
        match c["expect"].as_str().unwrap() {
            "ok" => {
                let v = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                assert_eq!(v.message.kind.name(), c["kind"].as_str().unwrap(), "{name}");
                if let Some(again) = c["expectAgain"].as_str() {
                    let second =
                        sp.verify_redirect(c["url"].as_str().unwrap(), now(), opts.clone());
                    assert_eq!(
                        second.map(|_| ()).unwrap_err().code(),
                        again,
                        "{name} (second time)"
                    );
                }
                ok += 1;
            }
            code => {
                assert_eq!(result.map(|_| ()).unwrap_err().code(), code, "{name}");
                refused += 1;
            }
        }
    }
    assert!(
        ok >= 13 && refused >= 15,
        "{ok} accepted, {refused} refused"
    );
}

fn tamper_base() -> String {
    let m = manifest();
    let base = m["tamperBase"].as_str().unwrap().to_owned();
    m["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == base.as_str())
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_untampered_base_verifies_and_reports_the_message() {
    let v = sp_with(&["rsa.pem"], false)
        .verify_redirect(&tamper_base(), now(), RedirectOptions::default())
        .unwrap();
    assert_eq!(v.relay_state.as_deref(), Some("/after logout?x=1&y=é"));
    assert_eq!(v.message.id, "_lr1");
    assert_eq!(
        v.message.issuer.as_deref(),
        Some("https://idp.example/metadata")
    );
    assert_eq!(
        v.message.name_id.as_deref(),
        Some("4b124ae2-0126-102b-8852-001a641049bb")
    );
    assert_eq!(v.message.session_indexes, vec!["session-42"]);
}

#[test]
fn tampering_with_any_signed_part_fails() {
    let base = tamper_base();
    let mut sp = sp_with(&["rsa.pem"], false);
    let mut check = |url: String, code: &str| {
        assert_eq!(
            sp.verify_redirect(&url, now(), RedirectOptions::default())
                .unwrap_err()
                .code(),
            code,
            "{url}"
        );
    };
    // RelayState changed
    check(
        base.replace("RelayState=%2Fafter", "RelayState=%2Fbefore"),
        "saml.signature.invalid",
    );
    // RelayState removed
    let without_relay = {
        let (head, tail) = base.split_once("&RelayState=").unwrap();
        format!("{head}&{}", tail.split_once('&').unwrap().1)
    };
    check(without_relay, "saml.signature.invalid");
    // SigAlg swapped for another RSA algorithm
    check(
        base.replace("rsa-sha256", "rsa-sha512"),
        "saml.signature.invalid",
    );
    // the message value changed by one base64 character
    let i = base.find("SAMLRequest=").unwrap() + "SAMLRequest=".len() + 10;
    let mut bytes = base.clone().into_bytes();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    check(String::from_utf8(bytes).unwrap(), "saml.signature.invalid");
    // the same values, re-encoded with lowercase escapes: different octets
    let relowered = regex_lite_lower(&base);
    check(relowered, "saml.signature.invalid");
    // a second SAMLRequest, or a Signature without SigAlg
    check(format!("{base}&SAMLRequest=x"), "saml.redirect.malformed");
    check(
        base.replace("&SigAlg=", "&SigAlgX="),
        "saml.redirect.malformed",
    );
    // signature bytes that are not base64
    check(
        base.replace("&Signature=", "&Signature=%21%21"),
        "saml.redirect.malformed",
    );
}

/// Lowercases `%XX` escapes outside the Signature parameter.
fn regex_lite_lower(url: &str) -> String {
    let (head, sig) = url.split_once("&Signature=").unwrap();
    let mut out = String::new();
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                out.push(chars.next().unwrap().to_ascii_lowercase());
            }
        }
    }
    assert_ne!(out, head, "the base has escapes to lowercase");
    format!("{out}&Signature={sig}")
}

#[test]
fn allow_sha1_per_call_overrides_the_configuration() {
    let m = manifest();
    let rsa1 = m["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rsa-sha1 with allowSha1")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut sp = sp_with(&["rsa.pem"], false);
    assert!(sp
        .verify_redirect(
            &rsa1,
            now(),
            RedirectOptions {
                allow_sha1: Some(true),
                ..Default::default()
            }
        )
        .is_ok());
    let mut strict = sp_with(&["rsa.pem"], true);
    assert_eq!(
        strict
            .verify_redirect(
                &rsa1,
                now(),
                RedirectOptions {
                    allow_sha1: Some(false),
                    ..Default::default()
                }
            )
            .unwrap_err()
            .code(),
        "saml.signature.sha1_refused"
    );
}

#[test]
fn weak_and_garbage_certificates_are_refused_at_configuration() {
    let weak = std::fs::read_to_string(format!("{DIR}/weak-rsa1024.pem")).unwrap();
    assert_eq!(
        parse_certificates(&weak).unwrap_err().code(),
        "saml.certificate.weak_rsa"
    );
    let rsa = std::fs::read_to_string(format!("{DIR}/rsa.pem")).unwrap();
    let b64: String = rsa.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(
        parse_certificates(&b64).unwrap().len(),
        1,
        "bare base64 DER, as in metadata"
    );
    let two = format!(
        "{rsa}\n{}",
        std::fs::read_to_string(format!("{DIR}/ec.pem")).unwrap()
    );
    assert_eq!(parse_certificates(&two).unwrap().len(), 2);
    assert_eq!(
        parse_certificates(&b64[..b64.len() / 2])
            .unwrap_err()
            .code(),
        "saml.certificate.invalid"
    );
    assert_eq!(
        parse_certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
            .unwrap_err()
            .code(),
        "saml.certificate.invalid"
    );
}
