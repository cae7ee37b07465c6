//! edge-sso's DSA (`dsa.rs`) against Wycheproof's DSA vectors and against
//! RustCrypto's `dsa` crate (a dev-dependency).
//!
//! Wycheproof: every file (2048/224, 2048/256 and 3072/256-bit groups,
//! SHA-224 and SHA-256, DER and r ‖ s signatures), each signature read as
//! XML-DSig verification reads it (`verify::either_encoding`). Every
//! `valid` vector must verify and every `invalid` one must fail.
//!
//! The `dsa` crate: keys from random secrets in those groups and in the
//! 1024/160-bit group of the OpenSSL-made DSA certificate of
//! tests/fixtures/redirect (what DSA-SHA1 IdPs have), signatures the crate
//! makes over random digests, then each one changed; every verdict must be
//! the crate's. The seed is printed (`EDGE_SSO_DSA_SEED` repeats a run).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use ::dsa::{BigUint, Components, SigningKey, VerifyingKey};
use base64::Engine as _;
use sha2::{Digest, Sha224, Sha256};
use wycheproof::{dsa as vectors, HashFunction, TestResult};

use super::der;
use super::dsa::DsaPublicKey;
use super::verify::either_encoding;
use crate::test_rng::{seed, xorshift64, Draw};

/// The one kind of `acceptable` vector in Wycheproof's DSA files, and
/// edge-sso's verdict on it: an r or s whose DER INTEGER lacks the leading
/// zero (so reads as negative) is refused, as DER says (`der::Reader::read_uint`).
fn acceptable_verdict(flags: &[vectors::TestFlag]) -> Option<bool> {
    match flags {
        [vectors::TestFlag::MissingZero] => Some(false),
        _ => None,
    }
}

/// Runs one Wycheproof DSA file; a test per file, so that they run in parallel.
fn run(name: vectors::TestName) {
    let set = vectors::TestSet::load(name).unwrap();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    let mut wrong = Vec::new();
    for group in &set.test_groups {
        let k = &group.key;
        let key = DsaPublicKey::new(&k.p, &k.q, &k.g, &k.y)
            .unwrap_or_else(|| panic!("{name:?}: the group's key is refused"));
        for t in &group.tests {
            let digest = match group.hash {
                HashFunction::Sha2_224 => Sha224::digest(&t.msg).to_vec(),
                HashFunction::Sha2_256 => Sha256::digest(&t.msg).to_vec(),
                h => panic!("{name:?}: hash {h:?} not expected"),
            };
            let ok = either_encoding(&t.sig, key.q_byte_len(), |r, s| key.verify(&digest, r, s));
            match (t.result, ok) {
                (TestResult::Valid, true) => valid += 1,
                (TestResult::Invalid, false) => invalid += 1,
                (TestResult::Acceptable, _) if acceptable_verdict(&t.flags) == Some(ok) => {
                    acceptable += 1
                }
                _ => wrong.push(format!(
                    "{name:?} tcId {} ({}; {:?}): {:?}, verified: {ok}",
                    t.tc_id, t.comment, t.flags, t.result
                )),
            }
        }
    }
    println!("{name:?}: valid {valid} verified, invalid {invalid} refused, acceptable {acceptable} refused");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(valid > 0 && invalid > 0, "{name:?} ran nothing");
}

macro_rules! wycheproof_files {
    ($($test:ident: $name:ident,)*) => {
        $(#[test]
        fn $test() {
            run(vectors::TestName::$name);
        })*
    };
}

wycheproof_files! {
    wycheproof_dsa_2048_224_sha224: Dsa2048_224Sha224,
    wycheproof_dsa_2048_224_sha256: Dsa2048_224Sha256,
    wycheproof_dsa_2048_256_sha256: Dsa2048_256Sha256,
    wycheproof_dsa_3072_256_sha256: Dsa3072_256Sha256,
    wycheproof_dsa_2048_224_sha224_p1363: Dsa2048_224Sha224P1363,
    wycheproof_dsa_2048_224_sha256_p1363: Dsa2048_224Sha256P1363,
    wycheproof_dsa_2048_256_sha256_p1363: Dsa2048_256Sha256P1363,
    wycheproof_dsa_3072_256_sha256_p1363: Dsa3072_256Sha256P1363,
}

/// p, q, g of the DSA certificate the redirect fixtures were signed with.
fn fixture_group() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let pem = include_str!("../../tests/fixtures/redirect/dsa.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let cert = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let spki = der::certificate_spki(&cert).unwrap();
    assert_eq!(spki.algorithm, der::OID_DSA);
    let mut params = der::Reader::new(spki.parameters.unwrap());
    let mut pqg = der::Reader::new(params.read(der::TAG_SEQUENCE).unwrap());
    let (p, q, g) = (
        pqg.read_uint().unwrap(),
        pqg.read_uint().unwrap(),
        pqg.read_uint().unwrap(),
    );
    (p.to_vec(), q.to_vec(), g.to_vec())
}

/// `v + 1`, big-endian.
fn plus_one(v: &[u8]) -> Vec<u8> {
    (BigUint::from_bytes_be(v) + 1u32).to_bytes_be()
}

#[test]
fn dsa_agrees_with_the_dsa_crate() {
    let s0 = seed("EDGE_SSO_DSA_SEED");
    println!("dsa differential: seed {s0} (EDGE_SSO_DSA_SEED)");
    let mut rng = xorshift64(s0);
    let mut groups = vec![fixture_group()];
    for name in [
        vectors::TestName::Dsa2048_224Sha224,
        vectors::TestName::Dsa2048_256Sha256,
        vectors::TestName::Dsa3072_256Sha256,
    ] {
        let k = &vectors::TestSet::load(name).unwrap().test_groups[0].key;
        groups.push((k.p.to_vec(), k.q.to_vec(), k.g.to_vec()));
    }
    let (mut accepted, mut refused) = (0, 0);
    for (p, q, g) in &groups {
        let (pb, qb, gb) = (
            BigUint::from_bytes_be(p),
            BigUint::from_bytes_be(q),
            BigUint::from_bytes_be(g),
        );
        for _ in 0..6 {
            let x_bytes: Vec<u8> = (0..q.len()).map(|_| rng.next_u64() as u8).collect();
            let x = BigUint::from_bytes_be(&x_bytes) % &qb;
            if x == BigUint::from(0u32) {
                continue;
            }
            let y = gb.modpow(&x, &pb);
            let components =
                Components::from_components(pb.clone(), qb.clone(), gb.clone()).unwrap();
            let theirs = VerifyingKey::from_components(components, y.clone()).unwrap();
            let signer = SigningKey::from_components(theirs.clone(), x).unwrap();
            let ours = DsaPublicKey::new(p, q, g, &y.to_bytes_be()).unwrap();

            let digest: Vec<u8> = (0..[20, 28, 32][rng.below(3)])
                .map(|_| rng.next_u64() as u8)
                .collect();
            let sig = signer.sign_prehash(&digest).unwrap();
            let (r, s) = (sig.r().to_bytes_be(), sig.s().to_bytes_be());
            let mut check = |digest: &[u8], r: &[u8], s: &[u8], what: &str| {
                let reference = ::dsa::Signature::from_components(
                    BigUint::from_bytes_be(r),
                    BigUint::from_bytes_be(s),
                )
                .is_ok_and(|sig| theirs.verify_prehash(digest, &sig).is_ok());
                let verdict = ours.verify(digest, r, s);
                assert_eq!(verdict, reference, "{what}: seed {s0}, q {q:02x?}");
                if verdict {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            };
            check(&digest, &r, &s, "their signature");
            let mut changed = digest.clone();
            let at = rng.below(changed.len().min(q.len()));
            changed[at] ^= 1 << rng.below(8);
            check(&changed, &r, &s, "digest changed");
            check(&digest, &plus_one(&r), &s, "r + 1");
            check(&digest, &r, &plus_one(&s), "s + 1");
            check(&digest, &s, &r, "r and s swapped");
            check(&digest, q, &s, "r = q");
            check(&digest, &r, q, "s = q");
            check(&digest, &[0], &s, "r = 0");
            check(&digest, &r, &[0], "s = 0");
            let random = |rng: &mut dyn FnMut() -> u64| -> Vec<u8> {
                (0..q.len()).map(|_| rng() as u8).collect()
            };
            let (rr, rs) = (random(&mut rng), random(&mut rng));
            check(&digest, &rr, &rs, "random r, s");
        }
    }
    println!("dsa differential: {accepted} verified, {refused} refused");
    assert!(
        accepted >= 20 && refused >= 8 * 20,
        "{accepted} / {refused}"
    );
}

#[test]
fn keys_outside_the_group_are_refused() {
    let (p, q, g) = fixture_group();
    let y =
        BigUint::from_bytes_be(&g).modpow(&BigUint::from(12345u32), &BigUint::from_bytes_be(&p));
    let y = y.to_bytes_be();
    assert!(DsaPublicKey::new(&p, &q, &g, &y).is_some());
    // y of order other than q (p − 1 has order 2), y = 1, y = p, g = 1, an even q.
    let p_minus_1 = (BigUint::from_bytes_be(&p) - 1u32).to_bytes_be();
    assert!(DsaPublicKey::new(&p, &q, &g, &p_minus_1).is_none());
    assert!(DsaPublicKey::new(&p, &q, &g, &[1]).is_none());
    assert!(DsaPublicKey::new(&p, &q, &g, &p).is_none());
    assert!(DsaPublicKey::new(&p, &q, &[1], &y).is_none());
    assert!(DsaPublicKey::new(&p, &plus_one(&q), &g, &y).is_none());
}
