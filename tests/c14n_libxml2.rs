//! Exclusive C14N against libxml2: every vector written by
//! scripts/fixtures/c14n_vectors.py must come out byte for byte the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edge_sso::saml::c14n::{canonicalize, C14nOptions};
use edge_sso::saml::xml::{parse, Element};
use serde_json::Value;

fn find<'e, 'a>(e: &'e Element<'a>, id: &str) -> Option<&'e Element<'a>> {
    if e.attr("ID") == Some(id) {
        return Some(e);
    }
    e.elements().find_map(|c| find(c, id))
}

#[test]
fn every_libxml2_vector_matches_byte_for_byte() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/c14n/vectors.json"
    ))
    .unwrap();
    let m: Value = serde_json::from_str(&text).unwrap();
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() >= 24);
    let mut failures = Vec::new();
    for c in cases {
        let doc =
            parse(c["input"].as_str().unwrap()).unwrap_or_else(|e| panic!("{}: {e:?}", c["name"]));
        let apex = match c["apexId"].as_str() {
            Some(id) => find(&doc.root, id).unwrap(),
            None => &doc.root,
        };
        let prefixes: Vec<String> = c["inclusivePrefixes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let opts = C14nOptions {
            with_comments: c["withComments"].as_bool().unwrap(),
            inclusive_prefixes: &prefixes,
        };
        let got = canonicalize(&doc.root, apex, None, &opts).unwrap();
        if got != c["expected"].as_str().unwrap() {
            failures.push(format!(
                "{}\n  want: {:?}\n  got:  {:?}",
                c["name"],
                c["expected"].as_str().unwrap(),
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
