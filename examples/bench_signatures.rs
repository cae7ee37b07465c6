//! The native signature-verification figures of `npm run bench`: edge-sso's
//! own ECDSA (P-256, P-384) and DSA against RustCrypto's `p256`, `p384` and
//! `dsa` (dev-dependencies; what the module used before), in one process, on
//! the same keys and messages. edge-sso's side is the path an XML signature
//! takes: the configured certificate's key, the digest, `verify_with_any`.
//!
//! ```text
//! cargo run --release --example bench_signatures [-- --quick]
//! ```
//!
//! Prints one JSON line: per algorithm, the median µs per verification of
//! each side and their ratio (RustCrypto's time / edge-sso's).
// A benchmark harness over fixed inputs it makes itself: a failure is a bug
// in the harness, and stopping with its message is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

use base64::Engine as _;
use edge_sso::saml::keys::{parse_certificates_with, IdpCertificate, KeyPolicy};
use edge_sso::saml::verify::{verify_with_any, SigAlg};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384};

#[path = "../tests/common/certificate.rs"]
mod certificate;
use certificate::{certificate_around, tlv};

/// An id-ecPublicKey SubjectPublicKeyInfo (RFC 5480) of `point` on the named `curve`.
fn ec_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
    let alg = tlv(
        0x30,
        &[
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            tlv(0x06, curve),
        ]
        .concat(),
    );
    tlv(
        0x30,
        &[alg, tlv(0x03, &[&[0u8][..], point].concat())].concat(),
    )
}

/// The configured certificate of `spki` (edge-sso reads only its key).
fn certificate(spki: &[u8]) -> Vec<IdpCertificate> {
    parse_certificates_with(&certificate_around(spki), KeyPolicy::default())
        .expect("the benchmark's certificate")
}

/// The median of `batches` timings of `per` calls of `f`, in µs per call.
fn median_us(batches: usize, per: usize, mut f: impl FnMut() -> bool) -> f64 {
    assert!(f(), "the benchmark's signature must verify");
    let mut times: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per {
                assert!(std::hint::black_box(f()));
            }
            t.elapsed().as_secs_f64() * 1e6 / per as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    let quick = std::env::args().any(|a| a == "--quick");
    let (batches, per) = if quick { (5, 20) } else { (15, 50) };
    let data = b"<ds:SignedInfo>the canonical SignedInfo of a SAML Response, a few hundred bytes</ds:SignedInfo>".repeat(4);
    let mut out = Vec::new();

    let secret = [7u8; 32];
    let signer = p256::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let theirs = p256::ecdsa::VerifyingKey::from(&signer);
    let sig: p256::ecdsa::Signature = signer.sign_prehash(&Sha256::digest(&data)).unwrap();
    let certs = certificate(&ec_spki(
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        theirs.to_encoded_point(false).as_bytes(),
    ));
    let sig_bytes = sig.to_bytes();
    let ours = median_us(batches, per, || {
        verify_with_any(&certs, SigAlg::EcdsaSha256, &data, &sig_bytes).is_ok()
    });
    let rc = median_us(batches, per, || {
        theirs.verify_prehash(&Sha256::digest(&data), &sig).is_ok()
    });
    out.push(("ecdsa-sha256 P-256", ours, rc));

    let secret = [7u8; 48];
    let signer = p384::ecdsa::SigningKey::from_slice(&secret).unwrap();
    let theirs = p384::ecdsa::VerifyingKey::from(&signer);
    let sig: p384::ecdsa::Signature = signer.sign_prehash(&Sha384::digest(&data)).unwrap();
    let certs = certificate(&ec_spki(
        &[0x2b, 0x81, 0x04, 0x00, 0x22],
        theirs.to_encoded_point(false).as_bytes(),
    ));
    let sig_bytes = sig.to_bytes();
    let ours = median_us(batches, per, || {
        verify_with_any(&certs, SigAlg::EcdsaSha384, &data, &sig_bytes).is_ok()
    });
    let rc = median_us(batches, per, || {
        theirs.verify_prehash(&Sha384::digest(&data), &sig).is_ok()
    });
    out.push(("ecdsa-sha384 P-384", ours, rc));

    // DSA-SHA1 in the 1024/160-bit group of the DSA-SHA1 fixtures' certificate.
    {
        use der::{Decode as _, Encode as _};
        use dsa::signature::hazmat::{PrehashSigner as _, PrehashVerifier as _};
        use dsa::{BigUint, SigningKey, VerifyingKey};
        use spki::{DecodePublicKey as _, EncodePublicKey as _};
        let pem = include_str!("../tests/fixtures/redirect/dsa.pem");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let cert = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let cert = x509_cert::Certificate::from_der(&cert).unwrap();
        let group = VerifyingKey::from_public_key_der(
            &cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .unwrap(),
        )
        .unwrap();
        let c = group.components().clone();
        let x = BigUint::from_bytes_be(&[0x5a; 19]);
        let y = c.g().modpow(&x, c.p());
        let theirs = VerifyingKey::from_components(c, y).unwrap();
        let signer = SigningKey::from_components(theirs.clone(), x).unwrap();
        let sig = signer.sign_prehash(&Sha1::digest(&data)).unwrap();
        let pad = |v: &BigUint| {
            let b = v.to_bytes_be();
            [vec![0; 20 - b.len()], b].concat()
        };
        let sig_bytes = [pad(sig.r()), pad(sig.s())].concat();
        let certs = certificate(theirs.to_public_key_der().unwrap().as_bytes());
        let ours = median_us(batches, per, || {
            verify_with_any(&certs, SigAlg::DsaSha1, &data, &sig_bytes).is_ok()
        });
        let rc = median_us(batches, per, || {
            theirs.verify_prehash(&Sha1::digest(&data), &sig).is_ok()
        });
        out.push(("dsa-sha1 1024/160", ours, rc));
    }
    let fields: Vec<String> = out
        .iter()
        .map(|(name, ours, rc)| {
            format!("\"{name}\": {{\"edgeSsoUs\": {ours:.1}, \"rustCryptoUs\": {rc:.1}, \"ratio\": {:.2}}}", rc / ours)
        })
        .collect();
    println!("{{{}}}", fields.join(", "));
}
