//! SAML Responses signed by xmlsec1 (scripts/fixtures/saml_responses.py):
//! every valid and hostile fixture must behave as its manifest says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use edge_sso::saml::keys::parse_certificates;
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/manifest.json")).unwrap()).unwrap()
}

fn sp_for(m: &Value, certs: &[&str], allow_sha1: bool) -> SamlServiceProvider {
    let mut certificates = Vec::new();
    for c in certs {
        certificates.extend(parse_certificates(&std::fs::read_to_string(format!("{DIR}/{c}")).unwrap()).unwrap());
    }
    let idp = IdpConfig {
        entity_id: m["idpEntityId"].as_str().unwrap().into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates,
        ..Default::default()
    };
    let mut c = SpConfig::new(m["sp"]["entityId"].as_str().unwrap(), m["sp"]["acsUrl"].as_str().unwrap(), idp);
    c.allow_sha1 = allow_sha1;
    SamlServiceProvider::new(c).unwrap()
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
        let certs: Vec<&str> = c["certs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let mut sp = sp_for(&m, &certs, c["allowSha1"].as_bool().unwrap());
        let input = std::fs::read_to_string(format!("{DIR}/{}", c["file"].as_str().unwrap())).unwrap();
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
                        let want: Vec<&str> = u.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
                        let have = v.attributes.iter().find(|(n, _)| n == "usertype").map(|(_, v)| v.iter().map(String::as_str).collect::<Vec<_>>());
                        if have != Some(want) {
                            failures.push(format!("{name}: usertype {have:?}"));
                        }
                    }
                }
                if let Some(again) = c["expectAgain"].as_str() {
                    let opts2 = ValidateOptions { expected_request_id: c["expectedRequestId"].as_str().map(str::to_owned), ..opts };
                    match sp.validate_response(&input, now, opts2) {
                        Err(e) if e.code() == again => {}
                        other => failures.push(format!("{name} (second time): {other:?}")),
                    }
                }
            }
            ("ok", Err(e)) => failures.push(format!("{name}: expected ok, got {e:?}")),
            (code, Err(e)) if e.code() == code => refused += 1,
            (code, other) => failures.push(format!("{name}: expected {code}, got {:?}", other.map(|v| v.name_id))),
        }
    }
    assert!(failures.is_empty(), "{} of {} wrong:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(ok >= 10 && refused >= 30, "{ok} accepted, {refused} refused");
}
