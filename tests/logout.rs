//! SP-side Single Logout: the LogoutRequest and the LogoutResponse answering it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use edge_sso::saml::binding::{base64_encode, decode_redirect};
use edge_sso::saml::logout::{LogoutRequestInit, LogoutResponseOptions};
use edge_sso::saml::sp::{IdpConfig, SamlServiceProvider, SpConfig};
use edge_sso::saml::verify::SigAlg;
use edge_sso::saml::xml::parse;
use edge_sso::saml::{NS_ASSERTION, NS_PROTOCOL};

const NOW: u64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

fn sp() -> SamlServiceProvider {
    let idp = IdpConfig {
        entity_id: "https://idp.example".into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        slo_redirect_url: Some("https://idp.example/slo?tenant=1".into()),
        ..Default::default()
    };
    let mut c = SpConfig::new("https://sp.example", "https://sp.example/acs", idp);
    c.slo_url = Some("https://sp.example/slo".into());
    SamlServiceProvider::new(c).unwrap()
}

fn init() -> LogoutRequestInit {
    LogoutRequestInit {
        name_id: "4b124ae2-0126-102b-8852-001a641049bb".into(),
        name_id_format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into()),
        session_indexes: vec!["s-1".into(), "s-2".into()],
        relay_state: Some("/bye".into()),
        ..Default::default()
    }
}

fn response_with(in_response_to: &str, status: &str) -> String {
    base64_encode(format!(
        r#"<samlp:LogoutResponse xmlns:samlp="{NS_PROTOCOL}" ID="_r" Version="2.0" IssueInstant="2024-05-01T10:00:05Z" Destination="https://sp.example/slo" InResponseTo="{in_response_to}"><Issuer xmlns="{NS_ASSERTION}">https://idp.example</Issuer><samlp:Status>{status}</samlp:Status></samlp:LogoutResponse>"#
    ).as_bytes())
}

const PARTIAL: &str = r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/></samlp:StatusCode><samlp:StatusMessage>one SP did not answer</samlp:StatusMessage>"#;
const SUCCESS: &str = r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>"#;

fn response(in_response_to: &str) -> String {
    response_with(in_response_to, SUCCESS)
}

#[test]
fn logout_request_carries_name_id_and_session_indexes() {
    let mut sp = sp();
    let sent = sp.logout_request(init(), NOW).unwrap();
    let (base, query) = sent.url.split_once("?tenant=1&").unwrap();
    assert_eq!(base, "https://idp.example/slo");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(pairs[0].0, "SAMLRequest");
    assert_eq!(decode_redirect(&pairs[0].1).unwrap(), sent.xml);
    assert_eq!(pairs[1], ("RelayState".into(), "/bye".into()));
    assert_eq!(pairs.len(), 2, "no SigAlg without a signer");
    assert!(sent.signing_input.is_none());
    let doc = parse(&sent.xml).unwrap();
    let r = &doc.root;
    assert!(r.is(NS_PROTOCOL, "LogoutRequest"));
    assert_eq!(r.attr("ID"), Some(sent.id.as_str()));
    assert_eq!(
        r.attr("Destination"),
        Some("https://idp.example/slo?tenant=1")
    );
    assert_eq!(
        r.child(NS_ASSERTION, "Issuer").unwrap().text(),
        "https://sp.example"
    );
    let n = r.child(NS_ASSERTION, "NameID").unwrap();
    assert_eq!(n.text(), "4b124ae2-0126-102b-8852-001a641049bb");
    assert_eq!(
        n.attr("Format"),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    let idx: Vec<_> = r
        .children_named(NS_PROTOCOL, "SessionIndex")
        .map(|e| e.text())
        .collect();
    assert_eq!(idx, ["s-1", "s-2"]);
}

#[test]
fn with_a_sig_alg_the_signing_input_is_exactly_the_signed_query() {
    let mut sp = sp();
    let sent = sp
        .logout_request(
            LogoutRequestInit {
                sig_alg: Some(SigAlg::RsaSha256),
                ..init()
            },
            NOW,
        )
        .unwrap();
    let input = sent.signing_input.unwrap();
    assert!(input.starts_with("SAMLRequest="));
    assert!(input.contains(
        "&RelayState=%2Fbye&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
    ));
    assert!(
        sent.url.ends_with(&input),
        "the server appends &Signature= to this URL"
    );
    assert!(
        !input.contains("tenant="),
        "the endpoint's own query is not signed"
    );
}

#[test]
fn logout_response_answers_our_request_once() {
    let mut sp = sp();
    let sent = sp.logout_request(init(), NOW).unwrap();
    let unsigned = LogoutResponseOptions {
        allow_unsigned: true,
        ..Default::default()
    };
    assert_eq!(
        sp.read_logout_response_post(&response(&sent.id), NOW, LogoutResponseOptions::default())
            .unwrap_err()
            .code(),
        "saml.signature.missing"
    );
    let err = sp
        .read_logout_response_post(
            &response_with(&sent.id, PARTIAL),
            NOW + 5_000,
            unsigned.clone(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "saml.status.not_success");
    let edge_sso::Error::SamlStatus(status) = err else {
        unreachable!()
    };
    assert_eq!(status.code, "urn:oasis:names:tc:SAML:2.0:status:Responder");
    assert_eq!(
        status.second_level.as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:status:PartialLogout")
    );
    assert_eq!(status.message.as_deref(), Some("one SP did not answer"));
    // the partial-logout answer consumed the request
    assert_eq!(
        sp.read_logout_response_post(&response(&sent.id), NOW + 5_000, unsigned.clone())
            .unwrap_err()
            .code(),
        "saml.in_response_to.reused"
    );
    let second = sp.logout_request(init(), NOW).unwrap();
    let (msg, signed) = sp
        .read_logout_response_post(&response(&second.id), NOW + 5_000, unsigned.clone())
        .unwrap();
    assert!(msg.status.unwrap().is_success());
    assert!(!signed);
    assert_eq!(
        sp.read_logout_response_post(&response("_other"), NOW + 5_000, unsigned.clone())
            .unwrap_err()
            .code(),
        "saml.in_response_to.mismatch"
    );
    let carried = LogoutResponseOptions {
        expected_request_id: Some("_carried".into()),
        allow_unsigned: true,
    };
    assert!(sp
        .read_logout_response_post(&response("_carried"), NOW + 5_000, carried.clone())
        .is_ok());
    assert_eq!(
        sp.read_logout_response_post(&response("_carried"), NOW + 5_000, carried)
            .unwrap_err()
            .code(),
        "saml.in_response_to.reused"
    );
}

#[test]
fn refuses_bad_logout_requests() {
    let mut sp = sp();
    assert_eq!(
        sp.logout_request(
            LogoutRequestInit {
                name_id: " ".into(),
                ..init()
            },
            NOW
        )
        .unwrap_err()
        .code(),
        "arg.invalid"
    );
    assert_eq!(
        sp.logout_request(
            LogoutRequestInit {
                relay_state: Some("x".repeat(81)),
                ..init()
            },
            NOW
        )
        .unwrap_err()
        .code(),
        "saml.relay_state.too_long"
    );
    assert_eq!(
        sp.logout_request(
            LogoutRequestInit {
                name_id: "a\u{1}".into(),
                ..init()
            },
            NOW
        )
        .unwrap_err()
        .code(),
        "arg.invalid"
    );
    let hostile = sp
        .logout_request(
            LogoutRequestInit {
                name_id: "</saml:NameID><x/>".into(),
                ..init()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(
        parse(&hostile.xml)
            .unwrap()
            .root
            .child(NS_ASSERTION, "NameID")
            .unwrap()
            .text(),
        "</saml:NameID><x/>"
    );
}

#[test]
fn a_posted_logout_response_signed_by_xmlsec1_verifies_and_a_tampered_one_does_not() {
    use edge_sso::saml::keys::parse_certificates;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");
    let idp = IdpConfig {
        entity_id: "https://idp.example/metadata".into(),
        sso_redirect_url: Some("https://idp.example/sso".into()),
        certificates: parse_certificates(
            &std::fs::read_to_string(format!("{dir}/idp.pem")).unwrap(),
        )
        .unwrap(),
        ..Default::default()
    };
    let mut c = SpConfig::new("https://sp.example/metadata", "https://sp.example/acs", idp);
    c.slo_url = Some("https://sp.example/slo".into());
    let now = 1_714_557_630_000; // the fixtures' now
    let carried = LogoutResponseOptions {
        expected_request_id: Some("_lreq1".into()),
        allow_unsigned: false,
    };
    let signed = base64_encode(
        std::fs::read_to_string(format!("{dir}/logout-response-signed.xml"))
            .unwrap()
            .as_bytes(),
    );
    let (msg, was_signed) = SamlServiceProvider::new(c.clone())
        .unwrap()
        .read_logout_response_post(&signed, now, carried.clone())
        .unwrap();
    assert!(was_signed);
    assert_eq!(msg.in_response_to.as_deref(), Some("_lreq1"));
    let tampered = base64_encode(
        std::fs::read_to_string(format!("{dir}/logout-response-tampered.xml"))
            .unwrap()
            .as_bytes(),
    );
    assert_eq!(
        SamlServiceProvider::new(c)
            .unwrap()
            .read_logout_response_post(&tampered, now, carried)
            .unwrap_err()
            .code(),
        "saml.signature.digest_mismatch"
    );
}

mod started_by_the_idp {
    //! A logout the IdP starts: its LogoutRequest posted (fixtures signed by
    //! xmlsec1, tests/fixtures/logout-post), and the SP's LogoutResponse.
    use super::*;
    use edge_sso::saml::keys::parse_certificates;
    use edge_sso::saml::logout::{LogoutRequestOptions, LogoutResponseInit};

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logout-post");
    const NOW: u64 = 1_714_557_630_000; // manifest.json's nowMs

    fn file(name: &str) -> String {
        std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
    }

    fn sp() -> SamlServiceProvider {
        let idp = IdpConfig {
            entity_id: "https://idp.example/metadata".into(),
            sso_redirect_url: Some("https://idp.example/sso".into()),
            slo_redirect_url: Some("https://idp.example/slo".into()),
            certificates: parse_certificates(&file("idp.pem")).unwrap(),
            ..Default::default()
        };
        let mut c = SpConfig::new("https://sp.example/metadata", "https://sp.example/acs", idp);
        c.slo_url = Some("https://sp.example/slo".into());
        SamlServiceProvider::new(c).unwrap()
    }

    fn read(
        sp: &mut SamlServiceProvider,
        name: &str,
        allow_unsigned: bool,
    ) -> edge_sso::Result<(edge_sso::saml::message::MessageInfo, bool)> {
        sp.read_logout_request_post(
            &base64_encode(file(name).as_bytes()),
            NOW,
            LogoutRequestOptions { allow_unsigned },
        )
    }

    #[test]
    fn a_posted_logout_request_signed_by_the_idp_is_read_once() {
        let mut sp = sp();
        let (msg, signed) = read(&mut sp, "signed.xml", false).unwrap();
        assert!(signed);
        assert_eq!(msg.id, "_idp_lr1");
        assert_eq!(
            msg.name_id.as_deref(),
            Some("4b124ae2-0126-102b-8852-001a641049bb")
        );
        assert_eq!(msg.session_indexes, ["session-42"]);
        assert_eq!(
            read(&mut sp, "signed.xml", false).unwrap_err().code(),
            "saml.replayed"
        );
    }

    #[test]
    fn a_posted_logout_request_that_is_not_exactly_what_the_idp_signed_is_refused() {
        let mut sp = sp();
        for (name, code) in [
            ("tampered.xml", "saml.signature.digest_mismatch"),
            ("other-signer.xml", "saml.signature.invalid"),
            ("unsigned.xml", "saml.signature.missing"),
            ("wrapped.xml", "saml.signature.missing"),
            ("wrong-destination.xml", "saml.destination.mismatch"),
            ("expired.xml", "saml.expired"),
            ("encrypted-id.xml", "saml.logout.name_id_missing"),
            ("empty-name-id.xml", "saml.logout.name_id_missing"),
        ] {
            assert_eq!(
                read(&mut sp, name, false).unwrap_err().code(),
                code,
                "{name}"
            );
        }
        // Unsigned only by name; the envelope checks still run.
        let (msg, signed) = read(&mut sp, "unsigned.xml", true).unwrap();
        assert!(!signed);
        assert_eq!(msg.id, "_idp_lr3");
        assert_eq!(
            read(&mut sp, "tampered.xml", true).unwrap_err().code(),
            "saml.signature.digest_mismatch",
            "a bad signature is never passed over"
        );
    }

    #[test]
    fn the_logout_response_answers_the_request_at_the_idps_slo_endpoint() {
        let mut sp = sp();
        let (msg, _) = read(&mut sp, "signed.xml", false).unwrap();
        let sent = sp
            .logout_response(
                LogoutResponseInit {
                    in_response_to: msg.id.clone(),
                    relay_state: Some("r-1".into()),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        let (base, query) = sent.url.split_once('?').unwrap();
        assert_eq!(base, "https://idp.example/slo");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs[0].0, "SAMLResponse");
        assert_eq!(decode_redirect(&pairs[0].1).unwrap(), sent.xml);
        assert_eq!(pairs[1], ("RelayState".into(), "r-1".into()));
        assert!(sent.signing_input.is_none());
        let doc = parse(&sent.xml).unwrap();
        let r = &doc.root;
        assert!(r.is(NS_PROTOCOL, "LogoutResponse"));
        assert_eq!(r.attr("InResponseTo"), Some("_idp_lr1"));
        assert_eq!(r.attr("Destination"), Some("https://idp.example/slo"));
        assert_eq!(r.attr("ID"), Some(sent.id.as_str()));
        assert_eq!(
            r.child(NS_ASSERTION, "Issuer").unwrap().text(),
            "https://sp.example/metadata"
        );
        let code = r
            .child(NS_PROTOCOL, "Status")
            .unwrap()
            .child(NS_PROTOCOL, "StatusCode")
            .unwrap();
        assert_eq!(
            code.attr("Value"),
            Some("urn:oasis:names:tc:SAML:2.0:status:Success")
        );
    }

    #[test]
    fn the_logout_response_can_say_partial_logout_and_be_signed_by_the_callers_server() {
        let sp = sp();
        let sent = sp
            .logout_response(
                LogoutResponseInit {
                    in_response_to: "_idp_lr1".into(),
                    status_code: Some("urn:oasis:names:tc:SAML:2.0:status:Responder".into()),
                    second_level_status_code: Some(
                        "urn:oasis:names:tc:SAML:2.0:status:PartialLogout".into(),
                    ),
                    sig_alg: Some(SigAlg::RsaSha256),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        let query = sent.url.split_once('?').unwrap().1;
        assert_eq!(
            sent.signing_input.as_deref(),
            Some(query),
            "the signing input is exactly the query"
        );
        assert!(query
            .ends_with("&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"));
        assert!(sent.xml.contains(r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/></samlp:StatusCode>"#));
        for (init, field) in [
            (
                LogoutResponseInit {
                    in_response_to: " ".into(),
                    ..Default::default()
                },
                "inResponseTo",
            ),
            (
                LogoutResponseInit {
                    in_response_to: "_x".into(),
                    status_code: Some("urn:oasis:names:tc:SAML:2.0:status:PartialLogout".into()),
                    ..Default::default()
                },
                "statusCode",
            ),
            (
                LogoutResponseInit {
                    in_response_to: "_x".into(),
                    second_level_status_code: Some("https://evil.example".into()),
                    ..Default::default()
                },
                "secondLevelStatusCode",
            ),
        ] {
            let e = sp.logout_response(init, NOW).unwrap_err();
            assert_eq!(e.code(), "arg.invalid");
            assert!(e.to_string().contains(field), "{e}");
        }
    }
}

/// Core §3.7.1: a LogoutRequest names its principal; one that names no one
/// (no NameID, an empty one, an EncryptedID) is refused before its ID is
/// remembered, by the redirect binding as by POST.
#[test]
fn a_logout_request_by_redirect_that_names_no_one_is_refused_and_not_spent() {
    use edge_sso::saml::binding::deflate_encode;
    use edge_sso::saml::redirect::RedirectOptions;
    let request = |name_id: &str| {
        format!(
            r#"<samlp:LogoutRequest xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" ID="_lr_x" Version="2.0" IssueInstant="2024-05-01T10:00:00Z" Destination="https://sp.example/slo"><saml:Issuer>https://idp.example</saml:Issuer>{name_id}<samlp:SessionIndex>s-1</samlp:SessionIndex></samlp:LogoutRequest>"#
        )
    };
    let url = |xml: &str| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("SAMLRequest", &deflate_encode(xml));
        format!("https://sp.example/slo?{}", q.finish())
    };
    let unsigned = || RedirectOptions {
        allow_unsigned: true,
        ..Default::default()
    };
    let mut sp = sp();
    for name_id in [
        "",
        "<saml:NameID/>",
        "<saml:EncryptedID/>",
        "<saml:BaseID/>",
    ] {
        let e = sp
            .verify_redirect(&url(&request(name_id)), NOW, unsigned())
            .unwrap_err();
        assert_eq!(e.code(), "saml.logout.name_id_missing", "{name_id}");
    }
    // The same ID, now naming its principal, is accepted: the refusals spent nothing.
    let ok = sp
        .verify_redirect(
            &url(&request("<saml:NameID>alice</saml:NameID>")),
            NOW,
            unsigned(),
        )
        .unwrap();
    assert_eq!(ok.message.name_id.as_deref(), Some("alice"));
}

/// Metadata §2.2.2: the LogoutResponse goes to the SingleLogoutService's
/// `ResponseLocation` when the IdP names one, read from its metadata.
#[test]
fn the_logout_response_goes_to_the_response_location_from_metadata() {
    use edge_sso::saml::logout::LogoutResponseInit;
    use edge_sso::saml::metadata::parse_idp_metadata;
    let cert = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logout-post/idp.pem"
    ))
    .unwrap();
    let b64: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
    let xml = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"><md:IDPSSODescriptor protocolSupportEnumeration="{NS_PROTOCOL}"><md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo" ResponseLocation="https://idp.example/slo/done"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    let idp = parse_idp_metadata(&xml, NOW).unwrap().idp;
    assert_eq!(
        idp.slo_response_url.as_deref(),
        Some("https://idp.example/slo/done")
    );
    let sp = SamlServiceProvider::new(SpConfig::new(
        "https://sp.example",
        "https://sp.example/acs",
        idp,
    ))
    .unwrap();
    let sent = sp
        .logout_response(
            LogoutResponseInit {
                in_response_to: "_lr".into(),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert!(
        sent.url
            .starts_with("https://idp.example/slo/done?SAMLResponse="),
        "{}",
        sent.url
    );
    assert!(sent
        .xml
        .contains(r#"Destination="https://idp.example/slo/done""#));
    // A ResponseLocation is an endpoint like any other: javascript: is refused.
    let hostile = xml.replace("https://idp.example/slo/done", "javascript:alert(1)");
    assert_eq!(
        parse_idp_metadata(&hostile, NOW).unwrap_err().code(),
        "config.insecure_url"
    );
}
