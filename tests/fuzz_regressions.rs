//! Replays the fuzz seed corpora (fuzz/corpus) and every input a fuzz run
//! ever crashed on (tests/fuzz_regressions, kept by scripts/fuzz.sh) through
//! the same entry points the fuzz targets use: none may panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

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

/// Raw inputs of a target: its seeds, then every input it crashed on.
fn raw_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
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
                out.push((e.file_name().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// The token-response targets' client (fuzz/fuzz_targets/oauth_common.rs):
/// a carried code flow (with a nonce when `nonce`) whose token request was made.
fn awaiting_token_response(nonce: bool) -> OAuthClient {
    use edge_sso::oauth::{CarriedFlow, CodeVerifier};
    let state = "s-fuzz-0123456789abcdefghij";
    let mut config = ClientConfig::new(
        "https://op.example/authorize",
        "https://op.example/token",
        "spa",
        "https://app.example/cb",
    );
    config.issuer = Some("https://op.example".into());
    let mut client = OAuthClient::new(config).unwrap();
    let flow = CarriedFlow {
        expected_state: state.into(),
        code_verifier: CodeVerifier::parse("v-fuzz-0123456789abcdefghijklmnopqrstuvwxyz0123456789")
            .unwrap(),
        nonce: nonce.then(|| "n-fuzz-0123456789abcdefghij".into()),
        expires_at: None,
        scope: None,
        max_age: None,
    };
    let back =
        format!("https://app.example/cb?code=c0de&state={state}&iss=https%3A%2F%2Fop.example");
    let response = client.handle_callback(&back, FUZZ_NOW, Some(flow)).unwrap();
    client.token_request(response).unwrap();
    client
}

const FUZZ_NOW: u64 = 1_700_000_000_000;

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The token-response seeds go through the JSON reader; the well-formed
/// ones are accepted (so the fuzzer starts from inputs that reach the end).
#[test]
fn token_response_corpus() {
    let mut accepted = Vec::new();
    for (name, bytes) in raw_inputs("token_response") {
        let Some((first, rest)) = bytes.split_first() else {
            continue;
        };
        let Ok(body) = std::str::from_utf8(rest) else {
            continue;
        };
        let status = match first {
            0..=159 => Some(200),
            160..=199 => Some(400),
            200..=229 => None,
            230..=254 => Some(401),
            255 => Some(500),
        };
        let mut client = awaiting_token_response(false);
        if client
            .accept_token_response(body, status, FUZZ_NOW + 1_000)
            .is_ok()
        {
            accepted.push(name);
        }
    }
    for seed in ["bearer", "refresh", "escapes", "null-members"] {
        assert!(
            accepted.iter().any(|n| n == seed),
            "{seed} accepted: {accepted:?}"
        );
    }
    for seed in ["error", "duplicate", "lone-surrogate", "dpop", "http-400"] {
        assert!(!accepted.iter().any(|n| n == seed), "{seed} refused");
    }
}

/// The ID-token seeds, wrapped as the target wraps them: the good ones are
/// accepted, the near misses refused.
#[test]
fn id_token_corpus() {
    let mut accepted = Vec::new();
    for (name, data) in raw_inputs("id_token") {
        let (header, payload) = match data.iter().position(|&b| b == b'\n') {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (&b"{\"alg\":\"RS256\"}"[..], &data[..]),
        };
        let token = format!("{}.{}.c2lnbmF0dXJl", b64url(header), b64url(payload));
        let body = format!(
            r#"{{"access_token":"at","token_type":"Bearer","expires_in":300,"refresh_token":"rt","id_token":"{token}"}}"#
        );
        let mut client = awaiting_token_response(true);
        if client
            .accept_token_response(&body, Some(200), FUZZ_NOW + 1_000)
            .is_ok()
        {
            assert!(client.id_token_claims().is_some());
            accepted.push(name);
        }
    }
    for seed in ["good", "aud-list-azp", "nbf", "fraction", "escaped-claims"] {
        assert!(
            accepted.iter().any(|n| n == seed),
            "{seed} accepted: {accepted:?}"
        );
    }
    for seed in ["expired", "wrong-nonce", "alg-none", "crit"] {
        assert!(!accepted.iter().any(|n| n == seed), "{seed} refused");
    }
}

/// Every certificate seed is read (as DER and as PEM), weak RSA only when
/// the mode byte allows it.
#[test]
fn certificate_corpus() {
    use edge_sso::saml::binding::base64_encode;
    use edge_sso::saml::keys::{parse_certificates_with, KeyPolicy};
    let mut read = 0;
    for (name, bytes) in raw_inputs("certificate") {
        let Some((mode, rest)) = bytes.split_first() else {
            continue;
        };
        let policy = KeyPolicy {
            allow_weak_rsa: mode & 1 == 1,
        };
        let result = if mode & 2 == 0 {
            parse_certificates_with(&base64_encode(rest), policy)
        } else {
            parse_certificates_with(std::str::from_utf8(rest).unwrap(), policy)
        };
        let weak_refused = name == "rsa1024-der";
        assert_eq!(result.is_err(), weak_refused, "{name}");
        read += usize::from(result.is_ok());
    }
    assert!(read >= 15, "{read} seeds read");
}

/// OpenSSL's signatures of the `signature` target's message verify with the
/// target's keys, DER and r||s alike; garbage does not.
#[test]
fn signature_corpus() {
    use edge_sso::saml::keys::{parse_certificates_with, KeyPolicy};
    use edge_sso::saml::verify::{verify_with_any, SigAlg};
    let algs = [
        SigAlg::RsaSha1,
        SigAlg::RsaSha256,
        SigAlg::RsaSha384,
        SigAlg::RsaSha512,
        SigAlg::DsaSha1,
        SigAlg::EcdsaSha256,
        SigAlg::EcdsaSha384,
    ];
    let keys = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/keys/signers.pem"
    ))
    .unwrap();
    let certs = parse_certificates_with(
        &keys,
        KeyPolicy {
            allow_weak_rsa: true,
        },
    )
    .unwrap();
    let message = b"edge-sso fuzz: signed message\n";
    let mut verified = 0;
    for (name, bytes) in raw_inputs("signature") {
        let Some((&pick, sig)) = bytes.split_first() else {
            continue;
        };
        let alg = algs[usize::from(pick) % algs.len()];
        let ok = verify_with_any(&certs, alg, message, sig).is_ok();
        let signed = name.ends_with("-der") || (name.ends_with("-raw") && !name.starts_with("dsa"));
        if signed {
            assert!(ok, "{name} verifies");
            verified += 1;
        } else if ["empty", "short", "garbage-512"].contains(&name.as_str()) {
            assert!(!ok, "{name} does not verify");
        }
    }
    assert!(verified >= 10, "{verified} signatures verified");
}
