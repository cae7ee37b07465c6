//! Wycheproof's vectors for the signatures edge-sso verifies: RSASSA-PKCS1-v1_5
//! (src/saml/pkcs1.rs on src/saml/bignum.rs) and ECDSA on P-256 and P-384
//! (src/saml/ecdsa.rs), each the crate's own code. DSA's vectors use SHA-224
//! and SHA-256, which XML-DSig never pairs with DSA, so they run at the
//! arithmetic's level instead (src/saml/tests_dsa.rs).
//!
//! The vectors come from the `wycheproof` crate (a dev-dependency; it embeds
//! the upstream JSON files, Apache-2.0, and names its data's date in its
//! NEWS.md). Each goes through the path a SAML signature takes: the group's
//! SubjectPublicKeyInfo inside a certificate read by `parse_certificates_with`,
//! the algorithm from its XML-DSig URI by `SigAlg::from_uri`, and
//! `verify_with_any`, which XML signatures and redirect-binding signatures
//! both end in.
//!
//! The files: RSA with 2048, 3072 and 4096-bit keys and SHA-256/384/512;
//! ECDSA on P-256 with SHA-256 and SHA-512 and on P-384 with SHA-256, -384
//! and -512, each in DER and in P1363 (r‖s, XML-DSig's form; edge-sso reads
//! both, src/saml/verify.rs), except P-384 with SHA-256, which Wycheproof
//! has in DER only. Not run: the 8192-bit RSA files (edge-sso accepts keys up
//! to 8192 bits), which take about a minute in a debug build; 4096 bits
//! already runs on the 27-bit limbs that 8192 bits uses (src/saml/bignum.rs),
//! and src/saml/tests_rsa_differential.rs takes 8192-bit keys to another verifier.
//!
//! Every `valid` vector must verify and every `invalid` one must fail. An
//! `acceptable` vector has the verdict stated for its flags in
//! [`acceptable_verdict`]; one whose flags are not listed there fails the
//! test. A vector is never left out unnamed: a key edge-sso's policy refuses
//! is counted under a named reason, and its group's refusal is itself checked
//! against the policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use edge_sso::saml::keys::{
    parse_certificates_with, IdpCertificate, KeyPolicy, MAX_RSA_BITS, MIN_RSA_BITS,
    MIN_WEAK_RSA_BITS,
};
use edge_sso::saml::verify::{verify_with_any, SigAlg};
use wycheproof::{ecdsa, rsa_pkcs1_verify as rsa, HashFunction, TestResult};

#[path = "common/certificate.rs"]
mod certificate;
use certificate::{certificate_around, tlv};

/// What happened to the vectors of one file.
#[derive(Default)]
struct Tally {
    valid_verified: usize,
    invalid_refused: usize,
    acceptable_verified: usize,
    acceptable_refused: usize,
    /// Vectors not run, by the reason (a key the policy refuses).
    skipped: BTreeMap<&'static str, usize>,
    /// Vectors whose outcome contradicts their verdict.
    wrong: Vec<String>,
}

impl Tally {
    fn ran(&self) -> usize {
        self.valid_verified
            + self.invalid_refused
            + self.acceptable_verified
            + self.acceptable_refused
            + self.wrong.len()
    }

    fn line(&self, name: &str, via: &str) -> String {
        let mut out = format!(
            "{name:<40} valid {} verified, invalid {} refused, acceptable {} verified / {} refused",
            self.valid_verified,
            self.invalid_refused,
            self.acceptable_verified,
            self.acceptable_refused
        );
        for (reason, n) in &self.skipped {
            write!(out, ", skipped {n} ({reason})").unwrap();
        }
        if !self.wrong.is_empty() {
            write!(out, ", WRONG {}", self.wrong.len()).unwrap();
        }
        if !via.is_empty() {
            write!(out, " [{via}]").unwrap();
        }
        out
    }

    /// Records one vector's outcome against its verdict (`acceptable`
    /// decided by `acceptable`).
    fn record(&mut self, id: String, result: TestResult, acceptable: Option<bool>, ok: bool) {
        match (result, ok) {
            (TestResult::Valid, true) => self.valid_verified += 1,
            (TestResult::Invalid, false) => self.invalid_refused += 1,
            (TestResult::Acceptable, _) if acceptable == Some(ok) => {
                if ok {
                    self.acceptable_verified += 1;
                } else {
                    self.acceptable_refused += 1;
                }
            }
            (TestResult::Acceptable, _) => self.wrong.push(format!(
                "{id}: acceptable, {}, but edge-sso's stated verdict is {acceptable:?}",
                if ok { "verified" } else { "refused" }
            )),
            (_, ok) => self.wrong.push(format!(
                "{id}: {result:?}, but edge-sso {}",
                if ok { "verified it" } else { "refused it" }
            )),
        }
    }
}

/// edge-sso's verdict on each kind of `acceptable` vector, by its flags:
/// `Some(true)` verifies, `Some(false)` is refused, `None` has not been
/// decided (and fails the test).
fn acceptable_verdict(flags: &[String]) -> Option<bool> {
    match flags {
        // A DigestInfo without the NULL parameters of its AlgorithmIdentifier.
        // Refused: pkcs1.rs compares the whole encoded block against the one
        // encoding RFC 8017 §9.2 (note 1) gives, which has the NULL, and
        // XML-DSig signers (xmlsec1/OpenSSL, .NET, Java, ADFS) all write it. A
        // second accepted encoding would be leniency no IdP needs.
        [f] if f == "MissingNull" => Some(false),
        _ => None,
    }
}

/// A refusal the key policy is expected to make: why, and its error code.
type Refusal = (&'static str, &'static str);

/// The configured certificate for a group's key, or the reason the policy
/// refuses it. `expect_refusal` is the policy as the group's metadata says
/// it should apply; reading the key must agree with it, down to the code.
fn configure(
    spki: &[u8],
    policy: KeyPolicy,
    expect_refusal: Option<Refusal>,
    group: &str,
) -> Result<Vec<IdpCertificate>, &'static str> {
    match (
        parse_certificates_with(&certificate_around(spki), policy),
        expect_refusal,
    ) {
        (Ok(certs), None) => {
            assert_eq!(certs.len(), 1, "{group}");
            Ok(certs)
        }
        (Err(e), Some((reason, code))) => {
            assert_eq!(e.code(), code, "{group}: refused ({reason}), but as {e}");
            Err(reason)
        }
        (Err(e), None) => panic!("{group}: a key edge-sso's policy accepts was refused: {e}"),
        (Ok(_), Some((reason, _))) => {
            panic!("{group}: a key that should be refused ({reason}) was read")
        }
    }
}

fn rsa_uri(hash: HashFunction) -> &'static str {
    match hash {
        HashFunction::Sha2_256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        HashFunction::Sha2_384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        HashFunction::Sha2_512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        other => panic!("no XML-DSig RSA algorithm for {other:?}"),
    }
}

/// The policy's verdict on an RSA key, from the group's metadata alone
/// (src/saml/pkcs1.rs: 2048–8192 bits, 1024–2047 with `allowWeakRsa`; an
/// odd exponent from 3 to 2⁶⁴).
fn rsa_policy(bits: usize, e: &[u8], allow_weak: bool) -> Option<Refusal> {
    let e: Vec<u8> = e.iter().copied().skip_while(|&b| b == 0).collect();
    const UNSUPPORTED: &str = "saml.certificate.unsupported";
    if bits < MIN_WEAK_RSA_BITS {
        Some(("RSA modulus below 1024 bits, always refused", UNSUPPORTED))
    } else if bits > MAX_RSA_BITS {
        Some(("RSA modulus above 8192 bits, refused", UNSUPPORTED))
    } else if bits < MIN_RSA_BITS && !allow_weak {
        Some((
            "RSA modulus of 1024-2047 bits, refused without allowWeakRsa",
            "saml.certificate.weak_rsa",
        ))
    } else if e.len() > 8 || e == [1] || e.last().is_none_or(|b| b & 1 == 0) {
        Some((
            "RSA exponent outside edge-sso's policy (odd, 3 to 2^64)",
            UNSUPPORTED,
        ))
    } else {
        None
    }
}

/// Runs one RSA file under the default key policy (no `allowWeakRsa`:
/// every Wycheproof PKCS#1 key is 2048 bits or more).
fn run_rsa(name: rsa::TestName) -> Tally {
    let set = rsa::TestSet::load(name).unwrap();
    let policy = KeyPolicy::default();
    let mut tally = Tally::default();
    for (g, group) in set.test_groups.iter().enumerate() {
        let label = format!("{name:?} group {g}");
        let expected = rsa_policy(group.key_size, &group.key.e, false);
        let certs = match configure(&group.der, policy, expected, &label) {
            Ok(certs) => certs,
            Err(reason) => {
                *tally.skipped.entry(reason).or_default() += group.tests.len();
                continue;
            }
        };
        let alg = SigAlg::from_uri(rsa_uri(group.hash), false).unwrap();
        for t in &group.tests {
            let ok = verify_with_any(&certs, alg, &t.msg, &t.sig).is_ok();
            let flags: Vec<String> = t.flags.iter().map(|f| format!("{f:?}")).collect();
            let id = format!("{label} tcId {} ({}; {flags:?})", t.tc_id, t.comment);
            tally.record(id, t.result, acceptable_verdict(&flags), ok);
        }
    }
    tally
}

/// How an ECDSA file's hash reaches `verify_with_any`: ECDSA-SHA256 and
/// -SHA384 by their XML-DSig URIs; ECDSA-SHA512 is refused by
/// `SigAlg::from_uri` (edge-sso accepts ECDSA with SHA-256 and SHA-384
/// only), so its vectors check the verifier itself through
/// `SigAlg::EcdsaSha512`, which no SAML message reaches today.
fn ecdsa_alg(hash: HashFunction) -> (SigAlg, &'static str) {
    let uri = |h| format!("http://www.w3.org/2001/04/xmldsig-more#ecdsa-{h}");
    match hash {
        HashFunction::Sha2_256 => (SigAlg::from_uri(&uri("sha256"), false).unwrap(), ""),
        HashFunction::Sha2_384 => (SigAlg::from_uri(&uri("sha384"), false).unwrap(), ""),
        HashFunction::Sha2_512 => {
            assert_eq!(
                SigAlg::from_uri(&uri("sha512"), false).unwrap_err().code(),
                "saml.signature.algorithm_unsupported"
            );
            (
                SigAlg::EcdsaSha512,
                "verifier only: from_uri refuses ecdsa-sha512",
            )
        }
        other => panic!("no XML-DSig ECDSA algorithm for {other:?}"),
    }
}

fn run_ecdsa(name: ecdsa::TestName) -> (Tally, &'static str) {
    let set = ecdsa::TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    let mut via = "";
    for (g, group) in set.test_groups.iter().enumerate() {
        let label = format!("{name:?} group {g}");
        // P-256 and P-384 keys carry no policy beyond their curve.
        let certs = configure(&group.der, KeyPolicy::default(), None, &label).unwrap();
        let (alg, how) = ecdsa_alg(group.hash);
        via = how;
        for t in &group.tests {
            let ok = verify_with_any(&certs, alg, &t.msg, &t.sig).is_ok();
            let flags: Vec<String> = t.flags.iter().map(|f| format!("{f:?}")).collect();
            let id = format!("{label} tcId {} ({}; {flags:?})", t.tc_id, t.comment);
            tally.record(id, t.result, acceptable_verdict(&flags), ok);
        }
    }
    (tally, via)
}

/// Prints every file's counts, then fails on any wrong outcome or on a file
/// that ran nothing.
fn report(results: &[(String, Tally, &str)]) {
    let mut wrong = Vec::new();
    for (name, tally, via) in results {
        println!("{}", tally.line(name, via));
        wrong.extend(tally.wrong.iter().cloned());
    }
    for (name, tally, _) in results {
        assert!(tally.ran() > 0, "{name}: no vector ran");
        assert!(tally.valid_verified > 0, "{name}: no valid vector verified");
        assert!(
            tally.invalid_refused > 0,
            "{name}: no invalid vector refused"
        );
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

fn run_rsa_files(names: &[rsa::TestName]) {
    let results: Vec<_> = names
        .iter()
        .map(|&n| (format!("{n:?}"), run_rsa(n), ""))
        .collect();
    report(&results);
}

fn run_ecdsa_files(names: &[ecdsa::TestName]) {
    let results: Vec<_> = names
        .iter()
        .map(|&n| {
            let (tally, via) = run_ecdsa(n);
            (format!("{n:?}"), tally, via)
        })
        .collect();
    report(&results);
}

// One test per key size and per curve, so that the test threads share the
// work (the RSA arithmetic is edge-sso's own, unoptimised in a debug build).

#[test]
fn rsa_pkcs1_v1_5_2048_sha256_sha384_sha512() {
    use rsa::TestName::*;
    run_rsa_files(&[Rsa2048Sha256, Rsa2048Sha384, Rsa2048Sha512]);
}

#[test]
fn rsa_pkcs1_v1_5_3072_sha256_sha384_sha512() {
    use rsa::TestName::*;
    run_rsa_files(&[Rsa3072Sha256, Rsa3072Sha384, Rsa3072Sha512]);
}

#[test]
fn rsa_pkcs1_v1_5_4096_sha256_sha384_sha512() {
    use rsa::TestName::*;
    run_rsa_files(&[Rsa4096Sha256, Rsa4096Sha384, Rsa4096Sha512]);
}

#[test]
fn ecdsa_p256_sha256_sha512_der_and_p1363() {
    use ecdsa::TestName::*;
    run_ecdsa_files(&[
        EcdsaSecp256r1Sha256,
        EcdsaSecp256r1Sha256P1363,
        EcdsaSecp256r1Sha512,
        EcdsaSecp256r1Sha512P1363,
    ]);
}

/// Wycheproof has P-384 with SHA-256 in DER only.
#[test]
fn ecdsa_p384_sha256_sha384_sha512_der_and_p1363() {
    use ecdsa::TestName::*;
    run_ecdsa_files(&[
        EcdsaSecp384r1Sha256,
        EcdsaSecp384r1Sha384,
        EcdsaSecp384r1Sha384P1363,
        EcdsaSecp384r1Sha512,
        EcdsaSecp384r1Sha512P1363,
    ]);
}

/// The policy the groups are checked against, on keys no vector has (both
/// ends of each size range, refused exponents): reading them must agree
/// with [`rsa_policy`], which is what lets a group it refuses count as
/// skipped for that reason.
#[test]
fn rsa_key_policy_agrees_on_sizes_and_exponents_no_vector_has() {
    // A DER INTEGER of the unsigned `v`: a leading zero only before a high bit.
    let int = |v: &[u8]| {
        let pad: &[u8] = if v[0] & 0x80 != 0 { &[0] } else { &[] };
        tlv(0x02, &[pad, v].concat())
    };
    let spki = |n: &[u8], e: &[u8]| {
        let rsa_encryption = tlv(
            0x30,
            &[
                tlv(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
                ),
                tlv(0x05, &[]),
            ]
            .concat(),
        );
        let key = tlv(0x30, &[int(n), int(e)].concat());
        tlv(
            0x30,
            &[rsa_encryption, tlv(0x03, &[&[0u8][..], &key].concat())].concat(),
        )
    };
    let modulus = |bits: usize| {
        // An odd number of exactly `bits` bits.
        let mut n = vec![0xa7u8; bits.div_ceil(8)];
        n[0] = 0xff >> ((8 - bits % 8) % 8);
        *n.last_mut().unwrap() |= 1;
        n
    };
    let mut checked = 0;
    for bits in [512, 1016, 1023, 1024, 1536, 2047, 2048, 3072, 8192, 8193] {
        for e in [
            &[1, 0, 1][..],
            &[3],
            &[1],
            &[1, 0, 0],
            &[1; 9],
            &[0x80, 0, 0, 0, 0, 0, 0, 1],
        ] {
            for allow_weak in [false, true] {
                let label = format!("{bits} bits, e = {e:02x?}, allowWeakRsa {allow_weak}");
                let expected = rsa_policy(bits, e, allow_weak);
                let policy = KeyPolicy {
                    allow_weak_rsa: allow_weak,
                };
                let _ = configure(&spki(&modulus(bits), e), policy, expected, &label);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 120);
}
