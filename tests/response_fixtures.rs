//! SAML Responses signed by xmlsec1 (scripts/fixtures/saml_responses.py):
//! every valid and hostile fixture must behave as its manifest says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::SamlServiceProvider;

mod common;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/manifest.json")).unwrap()).unwrap()
}

fn sp_for(m: &Value, certs: &[&str], allow_sha1: bool) -> SamlServiceProvider {
    common::sp_from_manifest(DIR, m, certs, allow_sha1)
}

#[test]
fn every_response_fixture_behaves_as_labelled() {
    let m = manifest();
    let now = m["nowMs"].as_u64().unwrap();
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() >= 45);
    let mut failures = Vec::new();
    let (mut ok, mut refused) = (0, 0);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let certs: Vec<&str> = c["certs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut sp = sp_for(&m, &certs, c["allowSha1"].as_bool().unwrap());
        let input =
            std::fs::read_to_string(format!("{DIR}/{}", c["file"].as_str().unwrap())).unwrap();
        let opts = ValidateOptions {
            expected_request_id: c["expectedRequestId"].as_str().map(str::to_owned),
            allow_unsolicited: c["allowUnsolicited"].as_bool().unwrap(),
            allow_sha1: None,
            clock_skew_seconds: None,
        };
        let got = sp.validate_response(&input, now, opts.clone());
        match (c["expect"].as_str().unwrap(), got) {
            ("ok", Ok(v)) => {
                ok += 1;
                if let Some(check) = c.get("check") {
                    if let Some(n) = check.get("nameId") {
                        if v.name_id != n.as_str().unwrap() {
                            failures.push(format!("{name}: nameId {:?}", v.name_id));
                        }
                    }
                    if let Some(t) = check.get("orangeApiToken") {
                        if v.orange_api_token.as_ref().map(|t| t.value.as_str()) != t.as_str() {
                            failures.push(format!("{name}: token {:?}", v.orange_api_token));
                        }
                    }
                    if let Some(u) = check.get("usertype") {
                        let want: Vec<&str> = u
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_str().unwrap())
                            .collect();
                        let have = v
                            .attributes
                            .iter()
                            .find(|(n, _)| n == "usertype")
                            .map(|(_, v)| v.iter().map(String::as_str).collect::<Vec<_>>());
                        if have != Some(want) {
                            failures.push(format!("{name}: usertype {have:?}"));
                        }
                    }
                }
                if let Some(again) = c["expectAgain"].as_str() {
                    let opts2 = ValidateOptions {
                        expected_request_id: c["expectedRequestId"].as_str().map(str::to_owned),
                        ..opts
                    };
                    match sp.validate_response(&input, now, opts2) {
                        Err(e) if e.code() == again => {}
                        other => failures.push(format!("{name} (second time): {other:?}")),
                    }
                }
            }
            ("ok", Err(e)) => failures.push(format!("{name}: expected ok, got {e:?}")),
            (code, Err(e)) if e.code() == code => refused += 1,
            (code, other) => failures.push(format!(
                "{name}: expected {code}, got {:?}",
                other.map(|v| v.name_id)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(
        ok >= 10 && refused >= 30,
        "{ok} accepted, {refused} refused"
    );
}

fn good_fixture() -> (Value, String) {
    let m = manifest();
    let c = m["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "assertion signed, rsa-sha256")
        .unwrap()
        .clone();
    let xml = std::fs::read_to_string(format!("{DIR}/{}", c["file"].as_str().unwrap())).unwrap();
    (m, xml)
}

/// Review finding: the PrefixList was attacker-controlled input to a costly
/// canonicalization that ran before any signature check.
#[test]
fn an_oversized_prefix_list_is_refused_before_any_canonicalization() {
    let (m, xml) = good_fixture();
    let now = m["nowMs"].as_u64().unwrap();
    let opts = ValidateOptions {
        expected_request_id: Some("_req1".into()),
        ..Default::default()
    };
    // many distinct prefixes: over the cap
    let distinct: String = (0..50_000).map(|i| format!("z{i} ")).collect();
    let hostile = xml.replacen(
        r#"PrefixList="xs""#,
        &format!(r#"PrefixList="{distinct}""#),
        1,
    );
    assert_ne!(hostile, xml);
    assert_eq!(
        sp_for(&m, &["idp.pem"], false)
            .validate_response(&hostile, now, opts.clone())
            .unwrap_err()
            .code(),
        "saml.signature.structure"
    );
    // one prefix repeated: deduplicated, then the changed SignedInfo fails its signature
    let repeated = xml.replacen(
        r#"PrefixList="xs""#,
        &format!(r#"PrefixList="{}""#, "zz ".repeat(50_000)),
        1,
    );
    assert_eq!(
        sp_for(&m, &["idp.pem"], false)
            .validate_response(&repeated, now, opts)
            .unwrap_err()
            .code(),
        "saml.signature.invalid"
    );
}

#[test]
fn a_forged_signed_info_fails_on_the_signature_before_the_body_is_canonicalized() {
    let (m, xml) = good_fixture();
    // a large, changed body; the SignedInfo (and its signature) as they were, so
    // only the digest would reveal the change, and it is never reached
    let body = "<saml:Attribute Name=\"pad\"><saml:AttributeValue>x</saml:AttributeValue></saml:Attribute>".repeat(10_000);
    let hostile = xml.replacen(
        "<saml:AttributeStatement>",
        &format!("<saml:AttributeStatement>{body}"),
        1,
    );
    let forged = hostile.replacen("<ds:SignatureValue>", "<ds:SignatureValue>AAAA", 1);
    let mut sp = sp_for(&m, &["idp.pem"], false);
    let opts = ValidateOptions {
        expected_request_id: Some("_req1".into()),
        ..Default::default()
    };
    assert_eq!(
        sp.validate_response(&forged, m["nowMs"].as_u64().unwrap(), opts)
            .unwrap_err()
            .code(),
        "saml.signature.invalid"
    );
}

/// A store shared by several SPs (as a Durable Object is shared by isolates).
#[derive(Default)]
struct Shared(std::collections::HashMap<String, u64>);

impl edge_sso::saml::replay::ReplayStore for Shared {
    fn first_sighting(&mut self, id: &str, expires_at: u64, now: u64) -> edge_sso::Result<bool> {
        Ok(match self.0.get(id) {
            Some(until) if *until > now => false,
            _ => {
                self.0.insert(id.to_owned(), expires_at);
                true
            }
        })
    }
}

#[test]
fn a_shared_replay_store_refuses_a_replay_to_another_instance() {
    let m = manifest();
    let now = m["nowMs"].as_u64().unwrap();
    let input = std::fs::read_to_string(format!("{DIR}/assertion-signed-rsa-sha256.xml")).unwrap();
    let opts = ValidateOptions {
        expected_request_id: Some("_req1".into()),
        ..ValidateOptions::default()
    };
    let mut store = Shared::default();
    let mut first = sp_for(&m, &["idp.pem"], false);
    let v = first
        .validate_response_with(&input, now, opts.clone(), &mut store)
        .unwrap();
    assert_eq!(store.0.get(&v.assertion_id), Some(&v.replay_until));
    assert!(v.replay_until > now);

    // A second instance has never seen the request or the assertion; only the
    // shared store knows.
    let mut second = sp_for(&m, &["idp.pem"], false);
    let err = second
        .validate_response_with(&input, now + 1_000, opts.clone(), &mut store)
        .unwrap_err();
    assert_eq!(err.code(), "saml.replayed");
    // Without the shared store, that instance would have accepted it.
    assert!(second.validate_response(&input, now + 1_000, opts).is_ok());
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn carried(id: &str) -> ValidateOptions {
    ValidateOptions {
        expected_request_id: Some(id.into()),
        ..ValidateOptions::default()
    }
}

/// A store that cannot answer burns nothing: the same response, retried with
/// a store that works, is accepted once.
#[test]
fn a_failing_replay_store_leaves_the_request_answerable() {
    struct Down;
    impl edge_sso::saml::replay::ReplayStore for Down {
        fn first_sighting(&mut self, _: &str, _: u64, _: u64) -> edge_sso::Result<bool> {
            Err(edge_sso::SamlError::StoreFailed.into())
        }
    }
    let m = manifest();
    let now = m["nowMs"].as_u64().unwrap();
    let input = fixture("assertion-signed-rsa-sha256.xml");
    let mut sp = sp_for(&m, &["idp.pem"], false);
    let err = sp
        .validate_response_with(&input, now, carried("_req1"), &mut Down)
        .unwrap_err();
    assert_eq!(err.code(), "saml.store.failed");
    let mut store = Shared::default();
    sp.validate_response_with(&input, now + 1, carried("_req1"), &mut store)
        .unwrap();
    let err = sp
        .validate_response_with(&input, now + 2, carried("_req1"), &mut store)
        .unwrap_err();
    assert_eq!(err.code(), "saml.replayed");
}

/// The two halves for an asynchronous store: nothing is consumed by
/// `prepare_response`, so a prepared response that is dropped (the store
/// timed out) leaves the request answerable, and `false` is a replay.
#[test]
fn prepare_consumes_nothing_and_finish_consumes_once() {
    let m = manifest();
    let now = m["nowMs"].as_u64().unwrap();
    let input = fixture("assertion-signed-rsa-sha256.xml");
    let mut sp = sp_for(&m, &["idp.pem"], false);
    let dropped = sp.prepare_response(&input, now, carried("_req1")).unwrap();
    let remember_until = dropped.remember_until();
    assert!(remember_until > now);
    drop(dropped);
    let a = sp.prepare_response(&input, now, carried("_req1")).unwrap();
    let b = sp.prepare_response(&input, now, carried("_req1")).unwrap();
    assert_eq!(a.assertion_id(), b.assertion_id());
    let v = sp.finish_response(a, true, now).unwrap();
    assert_eq!(v.replay_until, remember_until);
    // The concurrent copy: the store answered `false`.
    assert_eq!(
        sp.finish_response(b, false, now).unwrap_err().code(),
        "saml.replayed"
    );
    // Even a store that wrongly answered `true` twice cannot get the
    // carried request answered twice.
    let c = sp.prepare_response(&input, now, carried("_req1")).unwrap();
    assert_eq!(
        sp.finish_response(c, true, now).unwrap_err().code(),
        "saml.in_response_to.reused"
    );
}
