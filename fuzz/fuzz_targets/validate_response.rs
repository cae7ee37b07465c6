#![no_main]
use edge_sso::saml::keys::parse_certificates;
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};
use libfuzzer_sys::fuzz_target;

const CERT: &str = include_str!("../../tests/fixtures/responses/idp.pem");
const NOW: u64 = 1_714_557_630_000;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let idp = IdpConfig {
        entity_id: "https://idp.example/metadata".into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates: parse_certificates(CERT).expect("fixture certificate"),
        ..Default::default()
    };
    let mut sp = SamlServiceProvider::new(SpConfig::new(
        "https://sp.example/metadata",
        "https://sp.example/acs",
        idp,
    ))
    .expect("config");
    let opts = ValidateOptions {
        expected_request_id: Some("_req1".into()),
        allow_unsolicited: true,
        ..Default::default()
    };
    let _ = sp.validate_response(s, NOW, opts);
});
