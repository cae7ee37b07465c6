#![no_main]
//! IdP certificates, hostile: X.509 and SubjectPublicKeyInfo reading, the
//! RSA key reader (src/saml/pkcs1.rs) and the key policy, then a
//! verification with every algorithm against whatever key was read.
//! Byte 0 picks the form: bit 0 allows weak RSA, bit 1 reads the rest as
//! text (PEM or bare base64) instead of as DER (base64-encoded here, since
//! that is how every certificate arrives).
use edge_sso::saml::binding::base64_encode;
use edge_sso::saml::keys::{parse_certificates_with, KeyPolicy, PublicKey};
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
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let policy = KeyPolicy {
        allow_weak_rsa: mode & 1 == 1,
    };
    let certs = if mode & 2 == 0 {
        parse_certificates_with(&base64_encode(rest), policy)
    } else {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        parse_certificates_with(text, policy)
    };
    if let Ok(certs) = certs {
        for alg in ALGS {
            // The input's own tail as the signature: hostile bytes for a key
            // that was read.
            let sig = rest
                .get(rest.len().saturating_sub(128)..)
                .unwrap_or_default();
            let verified = verify_with_any(&certs, alg, b"signed", sig).is_ok();
            assert!(
                !(verified && sig.is_empty()),
                "an empty signature never verifies"
            );
        }
    }
    // The RSAPublicKey reader on its own: the bytes as the content of an RSA
    // SubjectPublicKeyInfo's bit string, in a certificate of filler (the
    // reader is crate-private; this is the one way in).
    let weak = mode & 1 == 1;
    let cert = base64_encode(&certificate_around_rsa_key(rest));
    if let Ok(certs) = parse_certificates_with(
        &cert,
        KeyPolicy {
            allow_weak_rsa: weak,
        },
    ) {
        let [cert] = certs.as_slice() else {
            panic!("one certificate, one key")
        };
        assert!(matches!(cert.key, PublicKey::Rsa(_)));
        if let Some(bits) = cert.weak_rsa_bits() {
            assert!(weak && (1024..2048).contains(&bits));
        }
    }
});

/// A DER TLV with a minimal length.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match u8::try_from(body.len()) {
        Ok(len) if len < 0x80 => out.push(len),
        _ => {
            let len = body.len().to_be_bytes();
            let first = len.iter().position(|&b| b != 0).unwrap_or(len.len());
            out.push(0x80 | (len.len() - first) as u8);
            out.extend_from_slice(&len[first..]);
        }
    }
    out.extend_from_slice(body);
    out
}

/// A certificate whose key is `rsa_public_key` under rsaEncryption; edge-sso
/// reads only the key from it, so the rest is filler (empty names, a zero
/// signature).
fn certificate_around_rsa_key(rsa_public_key: &[u8]) -> Vec<u8> {
    let alg = |oid: &[u8]| tlv(0x30, &[tlv(0x06, oid), tlv(0x05, &[])].concat());
    let sha256_with_rsa = alg(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
    let rsa_encryption = alg(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
    let spki = tlv(
        0x30,
        &[rsa_encryption, tlv(0x03, &[&[0], rsa_public_key].concat())].concat(),
    );
    let name = tlv(0x30, &[]);
    let validity = tlv(
        0x30,
        &[tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")].concat(),
    );
    let tbs = tlv(
        0x30,
        &[
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            sha256_with_rsa.clone(),
            name.clone(),
            validity,
            name,
            spki,
        ]
        .concat(),
    );
    tlv(0x30, &[tbs, sha256_with_rsa, tlv(0x03, &[0, 0])].concat())
}
