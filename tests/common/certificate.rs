//! DER for tests and benchmarks that need a certificate around a key they
//! made: a minimal-length TLV writer and a filler certificate.
#![allow(dead_code)]

use base64::Engine as _;

/// A DER TLV with a minimal length.
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// A certificate around `spki`, as bare base64 DER (the form of metadata's
/// `<ds:X509Certificate>`). edge-sso takes the key from configuration and
/// checks neither the certificate's own signature nor its dates, so the
/// rest is filler: empty names, a zero signature.
pub fn certificate_around(spki: &[u8]) -> String {
    let sha256_with_rsa = tlv(
        0x30,
        &[
            tlv(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
            ),
            tlv(0x05, &[]),
        ]
        .concat(),
    );
    let name = tlv(0x30, &[]);
    let validity = tlv(
        0x30,
        &[tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")].concat(),
    );
    let tbs = tlv(
        0x30,
        &[
            tlv(0xa0, &tlv(0x02, &[2])), // version v3
            tlv(0x02, &[1]),             // serial number
            sha256_with_rsa.clone(),
            name.clone(),
            validity,
            name,
            spki.to_vec(),
        ]
        .concat(),
    );
    let cert = tlv(0x30, &[tbs, sha256_with_rsa, tlv(0x03, &[0, 0])].concat());
    base64::engine::general_purpose::STANDARD.encode(cert)
}
