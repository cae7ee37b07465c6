#![no_main]
//! IdP certificates, hostile: X.509 and SubjectPublicKeyInfo reading, the
//! RSA key reader (src/saml/pkcs1.rs) and the key policy, then a
//! verification with every algorithm against whatever key was read.
//! Byte 0 picks the form: bit 0 allows weak RSA, bit 1 reads the rest as
//! text (PEM or bare base64) instead of as DER (base64-encoded here, since
//! that is how every certificate arrives).
use edge_sso::saml::binding::base64_encode;
use edge_sso::saml::keys::{parse_certificates_with, KeyPolicy};
use edge_sso::saml::pkcs1::RsaPublicKey;
use edge_sso::saml::verify::{verify_with_any, SigAlg};
use libfuzzer_sys::fuzz_target;

const ALGS: [SigAlg; 7] = [
    SigAlg::RsaSha1,
    SigAlg::RsaSha256,
    SigAlg::RsaSha384,
    SigAlg::RsaSha512,
    SigAlg::DsaSha1,
    SigAlg::EcdsaSha256,
    SigAlg::EcdsaSha384,
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let policy = KeyPolicy { allow_weak_rsa: mode & 1 == 1 };
    let certs = if mode & 2 == 0 {
        parse_certificates_with(&base64_encode(rest), policy)
    } else {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        parse_certificates_with(text, policy)
    };
    if let Ok(certs) = certs {
        for alg in ALGS {
            // The input's own tail as the signature: hostile bytes for a key
            // that was read.
            let sig = rest.get(rest.len().saturating_sub(128)..).unwrap_or_default();
            let verified = verify_with_any(&certs, alg, b"signed", sig).is_ok();
            assert!(!(verified && sig.is_empty()), "an empty signature never verifies");
        }
    }
    // The RSAPublicKey reader on its own (the content of an RSA SPKI's bit string).
    if let Ok(key) = RsaPublicKey::from_pkcs1_der_with(rest, mode & 1 == 1) {
        assert!((1024..=8192).contains(&key.bits()));
    }
});
