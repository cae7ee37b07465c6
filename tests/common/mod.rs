//! Shared by the fixture tests: an SP configured from a fixture manifest.
#![allow(clippy::unwrap_used, dead_code)]

use edge_sso::saml::keys::parse_certificates;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};
use serde_json::Value;

/// An SP as the manifest in `dir` describes it, trusting the certificate files `certs`.
pub fn sp_from_manifest(
    dir: &str,
    m: &Value,
    certs: &[&str],
    allow_sha1: bool,
) -> SamlServiceProvider {
    let mut certificates = Vec::new();
    for c in certs {
        certificates.extend(
            parse_certificates(&std::fs::read_to_string(format!("{dir}/{c}")).unwrap()).unwrap(),
        );
    }
    let idp = IdpConfig {
        entity_id: m["idpEntityId"].as_str().unwrap().into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates,
        ..Default::default()
    };
    let mut config = SpConfig::new(
        m["sp"]["entityId"].as_str().unwrap(),
        m["sp"]["acsUrl"].as_str().unwrap(),
        idp,
    );
    config.slo_url = m["sp"]["sloUrl"].as_str().map(str::to_owned);
    config.allow_sha1 = allow_sha1;
    SamlServiceProvider::new(config).unwrap()
}
