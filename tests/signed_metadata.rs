//! Signed federation metadata (tests/fixtures/metadata, signed by xmlsec1):
//! the signature verified before any key is trusted, one IdP picked out of an
//! aggregate by entityID, validUntil enforced on the path to it, cacheDuration
//! reported, key rollover, and the 2,000-entity aggregate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use edge_sso::saml::keys::{parse_certificates, IdpCertificate};
use edge_sso::saml::metadata::{read_idp_metadata, IdpMetadata, MetadataRequest};

const NOW: u64 = 1_714_557_630_000; // manifest.json's nowMs: 2024-05-01T10:00:30Z
const IDP_A: &str = "https://idp-a.example/metadata";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/metadata/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn certs(name: &str) -> Vec<IdpCertificate> {
    parse_certificates(&fixture(name)).unwrap()
}

fn read(
    name: &str,
    entity: Option<&str>,
    signers: Option<&[IdpCertificate]>,
) -> edge_sso::Result<IdpMetadata> {
    let request = MetadataRequest {
        entity_id: entity,
        signers,
        ..MetadataRequest::default()
    };
    read_idp_metadata(&fixture(name), NOW, &request)
}

fn code(r: edge_sso::Result<IdpMetadata>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn a_signed_aggregate_verifies_and_yields_the_chosen_idp() {
    let fed = certs("fed.pem");
    let m = read("aggregate.xml", Some(IDP_A), Some(&fed)).unwrap();
    assert!(m.signed);
    assert_eq!(m.idp.entity_id, IDP_A);
    assert_eq!(
        m.idp.sso_redirect_url.as_deref(),
        Some("https://idp-a.example/sso")
    );
    assert_eq!(
        m.idp.slo_redirect_url.as_deref(),
        Some("https://idp-a.example/slo")
    );
    assert_eq!(m.valid_until, Some(1_717_200_000_000)); // the root's 2024-06-01
    assert_eq!(m.cache_duration_seconds, Some(6 * 3600));
}

#[test]
fn key_rollover_trusts_every_signing_key_and_never_an_encryption_key() {
    let fed = certs("fed.pem");
    let m = read("aggregate.xml", Some(IDP_A), Some(&fed)).unwrap();
    let (idp, idp2) = (&certs("idp.pem")[0], &certs("idp2.pem")[0]);
    assert_eq!(
        m.idp.certificates.len(),
        2,
        "two signing keys; the encryption key is not one"
    );
    assert_eq!(m.idp.certificates[0].sha256, idp.sha256);
    assert_eq!(m.idp.certificates[1].sha256, idp2.sha256);
}

#[test]
fn a_nested_group_gives_its_shorter_cache_duration_and_a_key_without_use_signs() {
    let fed = certs("fed.pem");
    let m = read(
        "aggregate.xml",
        Some("https://idp-b.example/metadata"),
        Some(&fed),
    )
    .unwrap();
    assert_eq!(m.cache_duration_seconds, Some(3600));
    assert_eq!(m.idp.certificates.len(), 1);
}

#[test]
fn tampered_metadata_is_refused() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read("aggregate-tampered.xml", Some(IDP_A), Some(&fed))),
        "saml.signature.digest_mismatch"
    );
}

#[test]
fn metadata_signed_by_another_key_is_refused() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read("aggregate-other-signer.xml", Some(IDP_A), Some(&fed))),
        "saml.signature.invalid"
    );
}

#[test]
fn unsigned_metadata_is_refused_when_signers_are_given_and_read_as_unsigned_otherwise() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read("aggregate-unsigned.xml", Some(IDP_A), Some(&fed))),
        "saml.metadata.unsigned"
    );
    let m = read("aggregate-unsigned.xml", Some(IDP_A), None).unwrap();
    assert!(!m.signed);
    // A signature that is there but not checked is not reported as checked.
    assert!(!read("aggregate.xml", Some(IDP_A), None).unwrap().signed);
}

#[test]
fn a_sha1_signature_needs_allow_sha1() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read("aggregate-sha1.xml", Some(IDP_A), Some(&fed))),
        "saml.signature.sha1_refused"
    );
    let request = MetadataRequest {
        entity_id: Some(IDP_A),
        signers: Some(&fed),
        allow_sha1: true,
        ..MetadataRequest::default()
    };
    assert!(
        read_idp_metadata(&fixture("aggregate-sha1.xml"), NOW, &request)
            .unwrap()
            .signed
    );
}

#[test]
fn an_entity_id_absent_or_present_twice_is_a_typed_error() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read(
            "aggregate.xml",
            Some("https://nobody.example"),
            Some(&fed)
        )),
        "saml.metadata.entity_not_found"
    );
    // An SP's entityID is present but names no IdP.
    assert_eq!(
        code(read(
            "aggregate.xml",
            Some("https://sp.example/metadata"),
            Some(&fed)
        )),
        "saml.metadata.entity_not_found"
    );
    // Exact comparison: no trimming, no case folding.
    assert_eq!(
        code(read(
            "aggregate.xml",
            Some("https://IDP-A.example/metadata"),
            Some(&fed)
        )),
        "saml.metadata.entity_not_found"
    );
    assert_eq!(
        code(read(
            "aggregate.xml",
            Some(" https://idp-a.example/metadata"),
            Some(&fed)
        )),
        "saml.metadata.entity_not_found"
    );
    assert_eq!(
        code(read("aggregate-duplicate.xml", Some(IDP_A), Some(&fed))),
        "saml.metadata.entity_duplicate"
    );
}

#[test]
fn an_aggregate_of_several_idps_needs_an_entity_id() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read("aggregate.xml", None, Some(&fed))),
        "saml.metadata.entity_required"
    );
}

#[test]
fn valid_until_counts_on_the_path_to_the_idp_only() {
    let fed = certs("fed.pem");
    assert_eq!(
        code(read(
            "aggregate.xml",
            Some("https://idp-old.example/metadata"),
            Some(&fed)
        )),
        "saml.metadata.expired"
    );
    assert!(
        read("aggregate.xml", Some(IDP_A), Some(&fed)).is_ok(),
        "the retired group does not expire the others"
    );
    // Past the root's validUntil everything is expired.
    let request = MetadataRequest {
        entity_id: Some(IDP_A),
        signers: Some(&fed),
        ..MetadataRequest::default()
    };
    let june = 1_717_200_000_000;
    assert_eq!(
        read_idp_metadata(&fixture("aggregate.xml"), june, &request)
            .unwrap_err()
            .code(),
        "saml.metadata.expired"
    );
}

#[test]
fn a_per_entity_signed_descriptor_as_an_mdq_service_serves_it() {
    let fed = certs("fed.pem");
    let m = read("entity.xml", None, Some(&fed)).unwrap();
    assert!(m.signed);
    assert_eq!(m.idp.entity_id, IDP_A);
    assert_eq!(m.cache_duration_seconds, Some(86_400));
    assert_eq!(
        read("entity.xml", Some(IDP_A), Some(&fed))
            .unwrap()
            .idp
            .entity_id,
        IDP_A
    );
    assert_eq!(
        code(read(
            "entity.xml",
            Some("https://idp-b.example/metadata"),
            Some(&fed)
        )),
        "saml.metadata.entity_not_found"
    );
}

#[test]
fn a_two_thousand_entity_aggregate_verifies_and_yields_the_chosen_idp() {
    let fed = certs("fed.pem");
    let xml = fixture("aggregate-2000.xml");
    assert!(xml.len() > 4_000_000, "{} bytes", xml.len());
    let m = read(
        "aggregate-2000.xml",
        Some("https://idp-1000.example/metadata"),
        Some(&fed),
    )
    .unwrap();
    assert!(m.signed);
    assert_eq!(
        m.idp.sso_redirect_url.as_deref(),
        Some("https://idp-1000.example/sso")
    );
    // One changed byte in one entity of the 2,000 breaks the signature.
    let tampered = xml.replacen(
        "https://idp-1998.example/sso\"",
        "https://idp-1999.example/sso\"",
        1,
    );
    let request = MetadataRequest {
        entity_id: Some("https://idp-1000.example/metadata"),
        signers: Some(&fed),
        ..MetadataRequest::default()
    };
    assert_eq!(
        read_idp_metadata(&tampered, NOW, &request)
            .unwrap_err()
            .code(),
        "saml.signature.digest_mismatch"
    );
}

#[test]
fn signed_metadata_without_valid_until_needs_allow_missing_valid_until() {
    let fed = certs("fed.pem");
    let request = |allow| MetadataRequest {
        signers: Some(&fed),
        allow_missing_valid_until: allow,
        ..MetadataRequest::default()
    };
    let xml = fixture("entity-no-valid-until.xml");
    let e = read_idp_metadata(&xml, NOW, &request(false)).unwrap_err();
    assert_eq!(e.code(), "saml.metadata.valid_until_missing");
    assert!(e.to_string().contains("allowMissingValidUntil"));
    assert!(read_idp_metadata(&xml, NOW, &request(true)).unwrap().signed);
    // Read unsigned, its trust is the channel's: no validUntil is needed.
    assert!(
        !read("entity-no-valid-until.xml", None, None)
            .unwrap()
            .signed
    );
}
