//! Replays the fuzz seed corpora (fuzz/corpus) and every input a fuzz run
//! ever crashed on (tests/fuzz_regressions, kept by scripts/fuzz.sh) through
//! the same entry points the fuzz targets use: none may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
use edge_sso::saml::binding::{base64_decode, decode_post, decode_redirect};
use edge_sso::saml::c14n::{canonicalize, C14nOptions};
use edge_sso::saml::keys::parse_certificates;
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};
use edge_sso::saml::xml::parse;

fn inputs(target: &str) -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in [
        format!("{root}/fuzz/corpus/{target}"),
        format!("{root}/tests/fuzz_regressions/{target}"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    out
}

#[test]
fn reader_and_c14n_corpus() {
    let mut n = 0;
    for s in inputs("xml_reader").into_iter().chain(inputs("c14n")) {
        if let Ok(doc) = parse(&s) {
            for with_comments in [false, true] {
                let opts = C14nOptions {
                    with_comments,
                    inclusive_prefixes: &[],
                };
                assert!(canonicalize(&doc.root, &doc.root, None, &opts).is_some());
            }
        }
        n += 1;
    }
    assert!(n >= 40, "the seed corpus is there ({n} inputs)");
}

#[test]
fn binding_corpus() {
    let all = inputs("binding_decode");
    assert!(!all.is_empty());
    for s in all {
        let _ = base64_decode(&s);
        let _ = decode_post(&s);
        let _ = decode_redirect(&s);
    }
}

#[test]
fn validate_response_corpus() {
    let cert = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/responses/idp.pem"
    ))
    .unwrap();
    let all = inputs("validate_response");
    assert!(all.len() >= 40);
    for s in all {
        let idp = IdpConfig {
            entity_id: "https://idp.example/metadata".into(),
            sso_redirect_url: Some("https://idp.example/sso".into()),
            certificates: parse_certificates(&cert).unwrap(),
            ..Default::default()
        };
        let mut sp = SamlServiceProvider::new(SpConfig::new(
            "https://sp.example/metadata",
            "https://sp.example/acs",
            idp,
        ))
        .unwrap();
        let opts = ValidateOptions {
            expected_request_id: Some("_req1".into()),
            allow_unsolicited: true,
            ..Default::default()
        };
        let _ = sp.validate_response(&s, 1_714_557_630_000, opts);
    }
}

#[test]
fn oauth_callback_corpus() {
    for s in inputs("oauth_callback") {
        let mut config = ClientConfig::new(
            "https://op.example/authorize",
            "https://op.example/token",
            "spa",
            "https://app.example/cb",
        );
        config.issuer = Some("https://op.example".into());
        let mut client = OAuthClient::new(config).unwrap();
        client.authorize(AuthorizeOptions::default(), 0).unwrap();
        if let Ok(resp) = client.handle_callback(&s, 1, None) {
            let _ = client.token_request(resp);
        }
        let _ = client.accept_token_response(&s, Some(200), 1);
    }
}
