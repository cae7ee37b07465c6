//! `xml-exc-c14n#WithComments` on a bare-name same-document Reference
//! (`URI="#id"`) keeps no comment: XML-DSig 1.1 §4.4.3.3 deletes the comment
//! nodes when such a reference is dereferenced, before the transforms run.
//! SignedInfo's own `#WithComments` CanonicalizationMethod still signs the
//! comments inside SignedInfo. Fixtures: scripts/fixtures/with_comments.py,
//! signed by xmlsec1 and each outcome checked with `xmlsec1 --verify`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use edge_sso::saml::c14n::{canonicalize, C14nOptions};
use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::xml::{parse, Element};
use edge_sso::saml::NS_DSIG;
use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/with-comments");

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/manifest.json")).unwrap()).unwrap()
}

fn read(file: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{file}")).unwrap()
}

fn by_id<'e, 'a>(e: &'e Element<'a>, id: &str) -> Option<&'e Element<'a>> {
    if e.attr("ID") == Some(id) {
        return Some(e);
    }
    e.elements().find_map(|c| by_id(c, id))
}

#[test]
fn with_comments_fixtures_behave_as_labelled() {
    let m = manifest();
    let cases = m["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    let mut failures = Vec::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let mut sp = common::sp_from_manifest(DIR, &m, &["idp.pem"], false);
        let opts = ValidateOptions {
            expected_request_id: Some(m["requestId"].as_str().unwrap().to_owned()),
            ..Default::default()
        };
        let got = sp.validate_response(
            &read(c["file"].as_str().unwrap()),
            m["nowMs"].as_u64().unwrap(),
            opts,
        );
        match (c["expect"].as_str().unwrap(), got) {
            // The comment inside the NameID neither truncates it nor stays in it.
            ("ok", Ok(v)) if v.name_id == m["nameId"].as_str().unwrap() => {}
            (code, Err(e)) if e.code() == code => {}
            (want, got) => failures.push(format!(
                "{name}: expected {want}, got {:?}",
                got.map(|v| v.name_id)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the rule changes: the signed element holds comments, and xmlsec1's
/// DigestValue is the digest of its canonical form without them; with them
/// kept (what `#WithComments` would mean if the URI's dereference did not
/// drop them) the digest is another one.
#[test]
fn the_digest_is_over_the_signed_element_without_its_comments() {
    for (file, id) in [
        ("assertion-signed.xml", "_a1"),
        ("response-signed.xml", "_r1"),
    ] {
        let xml = read(file);
        let doc = parse(&xml).unwrap();
        let signed = by_id(&doc.root, id).unwrap();
        let signature = signed.child(NS_DSIG, "Signature").unwrap();
        let reference = signature
            .child(NS_DSIG, "SignedInfo")
            .and_then(|si| si.child(NS_DSIG, "Reference"))
            .unwrap();
        let transform = reference
            .child(NS_DSIG, "Transforms")
            .unwrap()
            .elements()
            .nth(1)
            .unwrap();
        assert_eq!(
            transform.attr("Algorithm"),
            Some("http://www.w3.org/2001/10/xml-exc-c14n#WithComments")
        );
        let digest_value = reference.child(NS_DSIG, "DigestValue").unwrap().text();
        let prefixes = ["xs".to_owned()];
        let digest = |with_comments: bool| {
            let c = canonicalize(
                &doc.root,
                signed,
                Some(signature),
                &C14nOptions {
                    with_comments,
                    inclusive_prefixes: &prefixes,
                },
            )
            .unwrap();
            assert_eq!(c.contains("<!--"), with_comments, "{file}");
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(c.as_bytes()))
        };
        assert_eq!(digest(false), digest_value.as_ref(), "{file}");
        assert_ne!(digest(true), digest_value.as_ref(), "{file}");
    }
}
