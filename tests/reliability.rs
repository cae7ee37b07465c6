//! Reliability rules on validly signed responses (xmlsec1,
//! scripts/fixtures/distinct_responses.py): replay memory that cannot be
//! pushed out, one answer per carried request, attribute collection that
//! stays linear; and the profile rules on what a value is (simple content,
//! the Issuer's Format, which SubjectConfirmations count).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use edge_sso::saml::response::ValidateOptions;
use edge_sso::saml::sp::SamlServiceProvider;

mod common;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/distinct");
const RESPONSES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/responses");

fn now() -> u64 {
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/manifest.json")).unwrap())
            .unwrap();
    m["nowMs"].as_u64().unwrap()
}

fn sp(capacity: usize) -> SamlServiceProvider {
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{RESPONSES}/manifest.json")).unwrap(),
    )
    .unwrap();
    let base = common::sp_from_manifest(DIR, &m, &["idp.pem"], false);
    let mut config = base.config().clone();
    config.replay_capacity = capacity;
    SamlServiceProvider::new(config).unwrap()
}

fn distinct(i: usize) -> String {
    std::fs::read_to_string(format!("{DIR}/d{i}.xml")).unwrap()
}

fn carried(id: String) -> ValidateOptions {
    ValidateOptions {
        expected_request_id: Some(id),
        ..ValidateOptions::default()
    }
}

/// More distinct assertions than the capacity: the SP refuses the newcomers
/// (`saml.replay.memory_full`, naming the option) and every replay of one it
/// accepted is still refused. The old memory evicted the entry closest to
/// expiry, so past its bound the oldest replay got through.
#[test]
fn a_full_replay_memory_refuses_newcomers_and_never_forgets_an_accepted_id() {
    let now = now();
    let capacity = 3;
    let mut sp = sp(capacity);
    for i in 0..capacity {
        sp.validate_response(&distinct(i), now, carried(format!("_q{i}")))
            .unwrap();
    }
    for i in capacity..10 {
        let err = sp
            .validate_response(&distinct(i), now, carried(format!("_q{i}")))
            .unwrap_err();
        assert_eq!(err.code(), "saml.replay.memory_full", "d{i}");
        assert!(err.to_string().contains("replayCapacity"), "{err}");
    }
    for i in 0..capacity {
        let err = sp
            .validate_response(&distinct(i), now + 1, carried(format!("_q{i}")))
            .unwrap_err();
        assert_eq!(err.code(), "saml.replayed", "replay of d{i}");
    }
}

fn sp_with_room() -> SamlServiceProvider {
    sp(edge_sso::saml::sp::DEFAULT_REPLAY_CAPACITY)
}

/// A carried request ID that was answered stays answered while the response
/// could be valid: a different, validly signed response to it is refused,
/// however many other carried requests were answered in between (the old
/// memory kept the last 64, and this test answers 69 more).
#[test]
fn a_carried_request_id_is_answered_once_however_many_follow() {
    let now = now();
    let mut sp = sp_with_room();
    sp.validate_response(&distinct(0), now, carried("_q0".into()))
        .unwrap();
    for i in 1..70 {
        sp.validate_response(&distinct(i), now, carried(format!("_q{i}")))
            .unwrap();
    }
    let second = std::fs::read_to_string(format!("{DIR}/d0-second-answer.xml")).unwrap();
    let err = sp
        .validate_response(&second, now, carried("_q0".into()))
        .unwrap_err();
    assert_eq!(err.code(), "saml.in_response_to.reused");
    // On a fresh SP the same response is fine: it is refused for its request only.
    sp_with_room()
        .validate_response(&second, now, carried("_q0".into()))
        .unwrap();
}

/// 10,000 distinct attribute names in one signed assertion: every one is
/// returned, in document order, with its value (collection is linear; its
/// time per attribute is measured by `npm run bench`, not asserted here).
#[test]
fn ten_thousand_distinct_attribute_names_are_all_collected_in_order() {
    let now = now();
    for n in [100usize, 10_000] {
        let input = std::fs::read_to_string(format!("{DIR}/attrs-{n}.xml")).unwrap();
        let v = sp_with_room()
            .validate_response(&input, now, carried(format!("_qs{n}")))
            .unwrap();
        let extra: Vec<_> = v
            .attributes
            .iter()
            .filter(|(name, _)| name.starts_with("attr"))
            .collect();
        assert_eq!(extra.len(), n);
        for (k, (name, values)) in extra.iter().enumerate() {
            assert_eq!(name, &format!("attr{k}"));
            assert_eq!(values, &vec![format!("v{k}")]);
        }
    }
}

fn rule(name: &str) -> Result<edge_sso::saml::response::ValidatedResponse, String> {
    let input = std::fs::read_to_string(format!("{DIR}/rule-{name}.xml")).unwrap();
    sp_with_room()
        .validate_response(&input, now(), carried("_qr".into()))
        .map_err(|e| e.code().to_owned())
}

/// A string-typed element holding a child element is refused, not read as
/// its direct text (which would make `admin<x>.evil</x>` read as `admin`).
#[test]
fn a_string_value_with_a_child_element_is_refused() {
    assert_eq!(
        rule("nameid-with-child").unwrap_err(),
        "xml.not_simple_content"
    );
    assert_eq!(
        rule("audience-with-child").unwrap_err(),
        "xml.not_simple_content"
    );
}

/// Profiles §4.1.4.2: the assertion's Issuer Format is absent or `entity`.
#[test]
fn the_assertion_issuer_format_is_absent_or_entity() {
    assert_eq!(
        rule("issuer-format-transient").unwrap_err(),
        "saml.issuer.mismatch"
    );
    assert_eq!(
        rule("issuer-format-entity").unwrap().issuer,
        "https://idp.example/metadata"
    );
}

/// A fitting bearer confirmation is enough; a holder-of-key one beside it
/// is passed over, and one alone confirms nothing.
#[test]
fn only_bearer_confirmations_count_and_others_beside_one_are_ignored() {
    assert!(rule("holder-of-key-beside-bearer").is_ok());
    assert_eq!(
        rule("holder-of-key-only").unwrap_err(),
        "saml.subject_confirmation.invalid"
    );
}
