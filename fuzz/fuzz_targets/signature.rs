#![no_main]
//! Signature values, hostile, against configured keys of every kind (RSA
//! 2048 and a weak 1024 allowed, ECDSA P-256 and P-384, DSA; throwaway
//! certificates made by scripts/fixtures/fuzz_seeds.py, which also signs
//! the corpus's inputs with OpenSSL). Byte 0 picks the algorithm, the rest is
//! the SignatureValue's bytes over a fixed message.
use edge_sso::saml::keys::{parse_certificates_with, KeyPolicy};
use edge_sso::saml::verify::{verify_with_any, SigAlg};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const ALGS: [SigAlg; 7] = [
    SigAlg::RsaSha1,
    SigAlg::RsaSha256,
    SigAlg::RsaSha384,
    SigAlg::RsaSha512,
    SigAlg::DsaSha1,
    SigAlg::EcdsaSha256,
    SigAlg::EcdsaSha384,
];
/// What the seeds sign.
const MESSAGE: &[u8] = b"edge-sso fuzz: signed message\n";
const KEYS: &str = include_str!("../keys/signers.pem");

fn certs() -> &'static [edge_sso::saml::keys::IdpCertificate] {
    static CERTS: OnceLock<Vec<edge_sso::saml::keys::IdpCertificate>> = OnceLock::new();
    CERTS.get_or_init(|| {
        parse_certificates_with(
            KEYS,
            KeyPolicy {
                allow_weak_rsa: true,
            },
        )
        .expect("fuzz/keys/signers.pem")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, sig)) = data.split_first() else {
        return;
    };
    let alg = ALGS[usize::from(pick) % ALGS.len()];
    // Verifies (a seed) or not; never panics.
    let valid = verify_with_any(certs(), alg, MESSAGE, sig).is_ok();
    // One flipped bit in the message is never valid with the same signature.
    if valid {
        let mut other = MESSAGE.to_vec();
        other[0] ^= 1;
        assert!(verify_with_any(certs(), alg, &other, sig).is_err());
    }
});
