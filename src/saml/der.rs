//! A strict DER reader (X.690 §10) for the few structures signature
//! verification reads: certificates down to their SubjectPublicKeyInfo
//! (RFC 5280 §4.1), bare SubjectPublicKeyInfos, `RSAPublicKey` (RFC 8017
//! A.1.1) and the `SEQUENCE { r, s }` of ECDSA and DSA signatures (RFC 3279
//! §2.2.2–§2.2.3).
//!
//! Every value is a tag-length-value triple read through [`Reader`], which
//! refuses indefinite lengths and non-minimal length encodings, which DER
//! forbids, and high tag numbers, which no structure read here uses. It borrows from its input and never
//! allocates; errors are `None` (callers turn them into
//! `SamlError::CertificateInvalid` or a refused signature): which rule a
//! malformed key broke is of no use to the caller.
//!
//! It replaces the `der`, `spki` and `x509-cert` crates, which decode every
//! field of a certificate into owned types the service provider never reads
//! (names, times, extensions), at several times this code's size in the
//! wasm module. The tests below hold it to those crates' answers.

/// A SEQUENCE or SEQUENCE OF.
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// An INTEGER.
pub(crate) const TAG_INTEGER: u8 = 0x02;
/// A BIT STRING.
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
/// An OBJECT IDENTIFIER.
pub(crate) const TAG_OID: u8 = 0x06;

/// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1), as DER content bytes.
pub(crate) const OID_RSA_ENCRYPTION: &[u8] =
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// id-dsa, 1.2.840.10040.4.1 (RFC 3279 §2.3.2).
pub(crate) const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
/// prime256v1 (P-256), 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1 (P-384), 1.3.132.0.34 (RFC 5480 §2.1.1.1).
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// A cursor over DER input: each read takes one whole TLV from the front,
/// or takes nothing and returns `None`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input` (often the content of an enclosing TLV).
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// Whether all the input has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// `Some(())` if all the input has been read: the end of a structure,
    /// which must have nothing after its last field.
    pub(crate) fn finish(&self) -> Option<()> {
        self.is_empty().then_some(())
    }

    /// The next TLV whatever its tag: `(tag, content, whole TLV)`.
    ///
    /// The tag must be in the low-tag-number form (one byte; `0x1f` in its
    /// low bits announces a multi-byte tag, which nothing here uses). The
    /// length must be definite and minimal: the short form below 128, else
    /// the long form with 1–4 length bytes, no leading zero byte and at
    /// least 128. The content must fit the input.
    pub(crate) fn read_any(&mut self) -> Option<(u8, &'a [u8], &'a [u8])> {
        let (&tag, after_tag) = self.rest.split_first()?;
        if tag & 0x1f == 0x1f {
            return None;
        }
        let (&first, mut after_len) = after_tag.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // 0x80 is the indefinite form; more than 4 bytes is more than
            // any input here (and than u32, wasm32's usize).
            let count = usize::from(first & 0x7f);
            if !(1..=4).contains(&count) {
                return None;
            }
            let (bytes, after) = after_len.split_at_checked(count)?;
            after_len = after;
            if bytes.first() == Some(&0) {
                return None;
            }
            let len = bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            if len < 0x80 {
                return None;
            }
            usize::try_from(len).ok()?
        };
        let (content, rest) = after_len.split_at_checked(len)?;
        let header_len = self.rest.len() - after_len.len();
        let whole = self.rest.get(..header_len + len)?;
        self.rest = rest;
        Some((tag, content, whole))
    }

    /// The content of the next TLV if its tag is `tag`; `None` (and nothing
    /// read) for another tag, malformed input or the end.
    pub(crate) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let mut ahead = *self;
        match ahead.read_any()? {
            (t, content, _) if t == tag => {
                *self = ahead;
                Some(content)
            }
            _ => None,
        }
    }

    /// For an OPTIONAL field: `Some(Some(content))` if the next TLV has tag
    /// `tag`, `Some(None)` (nothing read) if the next byte is another tag or
    /// the input has ended, `None` if it has the tag but is malformed.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.rest.first() == Some(&tag) {
            self.read(tag).map(Some)
        } else {
            Some(None)
        }
    }

    /// An INTEGER that is non-negative, as its big-endian magnitude: the
    /// content without the `0x00` that keeps a high first bit positive.
    /// The encoding must be minimal (not empty; no `0x00` before a byte
    /// below `0x80`). Zero is `[0]`. This is what `der`'s `UintRef`
    /// accepts and returns.
    pub(crate) fn read_uint(&mut self) -> Option<&'a [u8]> {
        let mut ahead = *self;
        let value = match ahead.read(TAG_INTEGER)? {
            [] => return None,
            content @ [0] => content,
            [0, next, ..] if *next < 0x80 => return None,
            [0, magnitude @ ..] => magnitude,
            [first, ..] if *first >= 0x80 => return None,
            content => content,
        };
        *self = ahead;
        Some(value)
    }
}

/// A SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), borrowed from its DER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spki<'a> {
    /// The whole SubjectPublicKeyInfo TLV.
    pub(crate) der: &'a [u8],
    /// The algorithm's OBJECT IDENTIFIER, as content bytes: compare it with
    /// the `OID_*` constants. It is not checked to be a well-formed OID,
    /// which only matters for one that equals none of them.
    pub(crate) algorithm: &'a [u8],
    /// The algorithm's parameters, the whole TLV (of any tag), if present.
    pub(crate) parameters: Option<&'a [u8]>,
    /// The subjectPublicKey BIT STRING's bytes, after its unused-bits octet
    /// (which must be zero: every key here is whole octets).
    pub(crate) key: &'a [u8],
}

/// Reads a bare DER SubjectPublicKeyInfo, with nothing after it:
/// `SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`
/// with `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER,
/// parameters ANY OPTIONAL }` (RFC 5280 §4.1.1.2). Only tests read a bare
/// one: configuration gives certificates.
#[cfg(test)]
pub(crate) fn spki(der: &[u8]) -> Option<Spki<'_>> {
    let mut outer = Reader::new(der);
    let spki = read_spki(&mut outer)?;
    outer.finish()?;
    Some(spki)
}

/// The next TLV as a SubjectPublicKeyInfo.
fn read_spki<'a>(reader: &mut Reader<'a>) -> Option<Spki<'a>> {
    let (tag, content, der) = reader.read_any()?;
    if tag != TAG_SEQUENCE {
        return None;
    }
    let mut fields = Reader::new(content);
    let mut algorithm_id = Reader::new(fields.read(TAG_SEQUENCE)?);
    let bits = fields.read(TAG_BIT_STRING)?;
    fields.finish()?;
    let algorithm = algorithm_id.read(TAG_OID)?;
    let parameters = if algorithm_id.is_empty() {
        None
    } else {
        Some(algorithm_id.read_any()?.2)
    };
    algorithm_id.finish()?;
    let key = match bits.split_first()? {
        (0, key) => key,
        _ => return None,
    };
    Some(Spki {
        der,
        algorithm,
        parameters,
        key,
    })
}

/// The SubjectPublicKeyInfo of a DER X.509 certificate, with nothing after
/// the certificate (RFC 5280 §4.1):
///
/// ```text
/// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
/// TBSCertificate ::= SEQUENCE { [0] EXPLICIT version OPTIONAL, serialNumber INTEGER,
///     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
///     subjectPublicKeyInfo, [1] issuerUniqueID OPTIONAL, [2] subjectUniqueID OPTIONAL,
///     [3] EXPLICIT extensions OPTIONAL }
/// ```
///
/// The SubjectPublicKeyInfo is read in full. The fields around it are
/// not used (the certificate is trusted by configuration, not by its
/// contents) and are only checked to be well-formed TLVs with their tag, in
/// their order. Deliberately lenient, where `x509-cert` refuses:
/// - the serial number's value: RFC 5280 §4.1.2.2 allows 20 octets and
///   x509-cert refuses over 21, but IdPs' self-signed certificates have
///   longer ones (and negative ones, which x509-cert accepts; "certificate
///   users SHOULD be prepared to gracefully handle" them), and it is never
///   read;
/// - the version's value, and the contents of the signature algorithms,
///   issuer, validity, subject, unique identifiers, extensions and
///   signatureValue (no time, name or extension is read);
/// - the algorithm OID is not checked to be a well-formed OID, nor the
///   parameters to have a tag `der` knows ([`Spki`]).
///
/// Stricter, where `x509-cert` accepts: the subjectPublicKey must have no
/// unused bits.
pub(crate) fn certificate_spki(der: &[u8]) -> Option<Spki<'_>> {
    let mut outer = Reader::new(der);
    let mut certificate = Reader::new(outer.read(TAG_SEQUENCE)?);
    outer.finish()?;
    let mut tbs = Reader::new(certificate.read(TAG_SEQUENCE)?);
    certificate.read(TAG_SEQUENCE)?;
    certificate.read(TAG_BIT_STRING)?;
    certificate.finish()?;

    if let Some(version) = tbs.read_optional(0xa0)? {
        let mut version = Reader::new(version);
        version.read(TAG_INTEGER)?;
        version.finish()?;
    }
    tbs.read(TAG_INTEGER)?; // serialNumber
    for _signature_issuer_validity_subject in 0..4 {
        tbs.read(TAG_SEQUENCE)?;
    }
    let spki = read_spki(&mut tbs)?;
    tbs.read_optional(0x81)?; // [1] IMPLICIT issuerUniqueID
    tbs.read_optional(0x82)?; // [2] IMPLICIT subjectUniqueID
    if let Some(extensions) = tbs.read_optional(0xa3)? {
        let mut extensions = Reader::new(extensions);
        extensions.read(TAG_SEQUENCE)?;
        extensions.finish()?;
    }
    tbs.finish()?;
    Some(spki)
}

/// `SEQUENCE { r INTEGER, s INTEGER }` with nothing after it, the DER form
/// of ECDSA and DSA signatures (RFC 3279 §2.2.2, §2.2.3): `(r, s)` as
/// big-endian magnitudes ([`Reader::read_uint`]).
pub(crate) fn signature_pair(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Reader::new(der);
    let mut pair = Reader::new(outer.read(TAG_SEQUENCE)?);
    outer.finish()?;
    let r = pair.read_uint()?;
    let s = pair.read_uint()?;
    pair.finish()?;
    Some((r, s))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;
    use crate::test_rng::{self, Draw};
    use ::der::asn1::{AnyRef, BitString, ObjectIdentifier, UintRef};
    use ::der::{Decode, Encode, Reader as _, SliceReader};
    use std::collections::{BTreeMap, BTreeSet};

    /// A DER TLV with a minimal length.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(min_len(body.len()));
        out.extend_from_slice(body);
        out
    }

    fn min_len(len: usize) -> Vec<u8> {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        match len {
            l if l < 0x80 => vec![l as u8],
            _ => [&[0x80 | (4 - skip) as u8][..], &bytes[skip..]].concat(),
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn one(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let mut r = Reader::new(input);
        let got = r.read_any()?;
        r.finish()?;
        Some(got)
    }

    fn uint(content: &[u8]) -> Option<&[u8]> {
        let der = tlv(TAG_INTEGER, content);
        let mut r = Reader::new(&der);
        let got = r.read_uint()?;
        r.finish()?;
        // Borrowing from `content`, which `der` ends with.
        Some(&content[content.len() - got.len()..])
    }

    #[test]
    fn reads_short_and_long_lengths() {
        assert_eq!(
            one(&[0x04, 0x02, 1, 2]),
            Some((0x04, &[1u8, 2][..], &[0x04, 0x02, 1, 2][..]))
        );
        assert_eq!(one(&[0x05, 0x00]).unwrap().1, b"");
        for len in [0x80, 0xff, 0x100, 0x1_0000] {
            let der = tlv(0x04, &vec![7; len]);
            assert_eq!(one(&der).unwrap().1.len(), len);
        }
        // The cursor moves past one TLV at a time, its whole TLV returned.
        let mut r = Reader::new(&[0x02, 0x01, 0x05, 0x30, 0x00]);
        assert_eq!(r.read(TAG_SEQUENCE), None, "another tag reads nothing");
        assert_eq!(r.read_optional(TAG_SEQUENCE), Some(None));
        assert_eq!(r.read_uint(), Some(&[5u8][..]));
        assert!(!r.is_empty());
        assert_eq!(r.finish(), None);
        assert_eq!(r.read_any(), Some((0x30, &[][..], &[0x30, 0x00][..])));
        assert_eq!(r.finish(), Some(()));
        assert_eq!(r.read_optional(TAG_SEQUENCE), Some(None), "at the end");
    }

    #[test]
    fn rejects_indefinite_length() {
        assert_eq!(one(&[0x30, 0x80, 0x00, 0x00]), None);
    }

    #[test]
    fn rejects_non_minimal_lengths() {
        assert_eq!(
            one(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),
            None,
            "long form below 128"
        );
        let mut just_short = vec![0x04, 0x81, 0x7f];
        just_short.extend([0; 0x7f]);
        assert_eq!(one(&just_short), None, "long form for 127");
        let mut zero_led = vec![0x04, 0x82, 0x00, 0x80];
        zero_led.extend([0; 0x80]);
        assert_eq!(one(&zero_led), None, "leading zero length byte");
        let mut ok = vec![0x04, 0x81, 0x80];
        ok.extend([0; 0x80]);
        assert!(one(&ok).is_some());
    }

    #[test]
    fn rejects_five_length_bytes() {
        assert_eq!(one(&[0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00]), None);
        // Whose last four bytes would be a good length, with content to match.
        let mut five = vec![0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x81];
        five.extend([0; 0x81]);
        assert_eq!(one(&five), None);
        assert!(one(&[&[0x04, 0x81, 0x81][..], &[0; 0x81]].concat()).is_some());
        assert_eq!(one(&[0x04, 0xff]), None);
    }

    #[test]
    fn rejects_length_past_the_end() {
        assert_eq!(one(&[0x04, 0x03, 1, 2]), None);
        assert_eq!(one(&[0x04, 0x82, 0x01]), None, "length bytes cut short");
        assert_eq!(one(&[0x04]), None, "no length");
        assert_eq!(one(&[]), None);
        assert_eq!(one(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0]), None);
    }

    #[test]
    fn rejects_high_tag_number() {
        assert_eq!(one(&[0x1f, 0x01, 0x00]), None);
        assert_eq!(one(&[0xbf, 0x81, 0x00, 0x00]), None);
        assert!(one(&[0x1e, 0x00]).is_some());
    }

    #[test]
    fn integers() {
        assert_eq!(uint(&[0x01]), Some(&[1u8][..]));
        assert_eq!(
            uint(&[0x00]),
            Some(&[0u8][..]),
            "zero is one zero byte, as UintRef"
        );
        assert_eq!(uint(&[0x7f, 0xff]), Some(&[0x7fu8, 0xff][..]));
        assert_eq!(
            uint(&[0x00, 0x80]),
            Some(&[0x80u8][..]),
            "sign byte before a high bit"
        );
        assert_eq!(uint(&[0x00, 0xff, 0x00]), Some(&[0xffu8, 0x00][..]));
    }

    #[test]
    fn rejects_negative_integer() {
        assert_eq!(uint(&[0x80]), None);
        assert_eq!(uint(&[0xff, 0x01]), None);
    }

    #[test]
    fn rejects_non_minimal_integer() {
        assert_eq!(uint(&[0x00, 0x01]), None);
        assert_eq!(uint(&[0x00, 0x00]), None);
        assert_eq!(uint(&[0x00, 0x7f, 0xff]), None);
    }

    #[test]
    fn rejects_empty_integer() {
        assert_eq!(uint(&[]), None);
    }

    #[test]
    fn rejects_non_integer_as_integer() {
        let mut r = Reader::new(&[0x0a, 0x01, 0x01]);
        assert_eq!(r.read_uint(), None);
        assert_eq!(r.read_any().unwrap().0, 0x0a, "nothing read");
    }

    fn key_spki(oid: &[u8], params: Option<&[u8]>, bits: &[u8]) -> Vec<u8> {
        let alg = tlv(
            TAG_SEQUENCE,
            &[tlv(TAG_OID, oid), params.unwrap_or_default().to_vec()].concat(),
        );
        tlv(TAG_SEQUENCE, &[alg, tlv(TAG_BIT_STRING, bits)].concat())
    }

    /// A certificate around `spki`, with the optional fields given.
    fn certificate(version: bool, spki: &[u8], after_spki: &[u8], trailing: &[u8]) -> Vec<u8> {
        let alg = tlv(TAG_SEQUENCE, &tlv(TAG_OID, OID_RSA_ENCRYPTION));
        let name = tlv(TAG_SEQUENCE, &[]);
        let mut tbs = Vec::new();
        if version {
            tbs.extend(tlv(0xa0, &tlv(TAG_INTEGER, &[2])));
        }
        tbs.extend(tlv(TAG_INTEGER, &[1]));
        tbs.extend([alg.clone(), name.clone(), tlv(TAG_SEQUENCE, &[]), name].concat());
        tbs.extend_from_slice(spki);
        tbs.extend_from_slice(after_spki);
        let cert = [
            tlv(TAG_SEQUENCE, &tbs),
            alg,
            tlv(TAG_BIT_STRING, &[0, 1, 2]),
        ]
        .concat();
        [tlv(TAG_SEQUENCE, &cert), trailing.to_vec()].concat()
    }

    #[test]
    fn reads_spki() {
        let params = tlv(TAG_OID, OID_P256);
        let der = key_spki(OID_EC_PUBLIC_KEY, Some(&params), &[0, 4, 1, 2]);
        let want = Spki {
            der: &der,
            algorithm: OID_EC_PUBLIC_KEY,
            parameters: Some(&params),
            key: &[4, 1, 2],
        };
        assert_eq!(spki(&der), Some(want));
        let bare = key_spki(OID_DSA, None, &[0]);
        assert_eq!(spki(&bare).unwrap().parameters, None);
        assert_eq!(spki(&bare).unwrap().key, b"");
        let ext = tlv(0xa3, &tlv(TAG_SEQUENCE, &[]));
        for (version, after) in [
            (false, vec![]),
            (true, ext.clone()),
            (true, [tlv(0x81, &[0]), tlv(0x82, &[0]), ext].concat()),
        ] {
            assert_eq!(
                certificate_spki(&certificate(version, &der, &after, &[])),
                Some(want)
            );
        }
    }

    #[test]
    fn rejects_trailing_bytes() {
        let der = key_spki(OID_RSA_ENCRYPTION, Some(&[0x05, 0x00]), &[0, 1]);
        assert!(certificate_spki(&certificate(true, &der, &[], &[])).is_some());
        assert_eq!(
            certificate_spki(&certificate(true, &der, &[], &[0])),
            None,
            "after the certificate"
        );
        assert_eq!(
            spki(&[der.as_slice(), &[0]].concat()),
            None,
            "after the spki"
        );
        // Inside the TBSCertificate, after its last field, and fields out of order.
        assert_eq!(
            certificate_spki(&certificate(true, &der, &[0x05, 0x00], &[])),
            None
        );
        assert_eq!(
            certificate_spki(&certificate(
                true,
                &der,
                &[tlv(0xa3, &tlv(0x30, &[])), tlv(0x81, &[0])].concat(),
                &[]
            )),
            None
        );
        let alg_extra = tlv(
            TAG_SEQUENCE,
            &[tlv(TAG_OID, OID_DSA), vec![5, 0, 5, 0]].concat(),
        );
        assert_eq!(
            spki(&tlv(
                TAG_SEQUENCE,
                &[alg_extra, tlv(TAG_BIT_STRING, &[0])].concat()
            )),
            None,
            "two parameters"
        );
    }

    #[test]
    fn rejects_unused_bits_in_key() {
        let der = key_spki(OID_RSA_ENCRYPTION, None, &[1, 0x80]);
        assert_eq!(spki(&der), None);
        assert_eq!(certificate_spki(&certificate(false, &der, &[], &[])), None);
        assert_eq!(
            spki(&key_spki(OID_RSA_ENCRYPTION, None, &[])),
            None,
            "no unused-bits octet"
        );
    }

    #[test]
    fn signature_pairs() {
        let pair = |a: &[u8], b: &[u8]| tlv(TAG_SEQUENCE, &[tlv(2, a), tlv(2, b)].concat());
        assert_eq!(
            signature_pair(&pair(&[0, 0x80], &[1])),
            Some((&[0x80u8][..], &[1u8][..]))
        );
        assert_eq!(signature_pair(&pair(&[0x80], &[1])), None, "negative");
        assert_eq!(signature_pair(&pair(&[0, 1], &[1])), None, "non-minimal");
        assert_eq!(
            signature_pair(&[pair(&[1], &[1]), vec![0]].concat()),
            None,
            "trailing"
        );
        assert_eq!(
            signature_pair(&tlv(
                TAG_SEQUENCE,
                &[tlv(2, &[1]), tlv(2, &[1]), tlv(2, &[1])].concat()
            )),
            None
        );
        assert_eq!(signature_pair(&tlv(TAG_SEQUENCE, &tlv(2, &[1]))), None);
    }

    #[test]
    fn oid_constants_match_their_dotted_names() {
        for (bytes, dotted) in [
            (OID_RSA_ENCRYPTION, "1.2.840.113549.1.1.1"),
            (OID_EC_PUBLIC_KEY, "1.2.840.10045.2.1"),
            (OID_DSA, "1.2.840.10040.4.1"),
            (OID_P256, "1.2.840.10045.3.1.7"),
            (OID_P384, "1.3.132.0.34"),
        ] {
            assert_eq!(
                ObjectIdentifier::from_bytes(bytes).unwrap().to_string(),
                dotted
            );
        }
    }

    // --- Differential tests against x509-cert, spki and der. ---

    /// Every certificate in the fixtures: PEM blocks and the content of
    /// `X509Certificate` elements, decoded, without repeats.
    fn fixture_certificates() -> Vec<Vec<u8>> {
        fn walk(dir: &std::path::Path, out: &mut BTreeSet<Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let mut bodies = Vec::new();
                for (at, _) in text.match_indices("-----BEGIN CERTIFICATE-----") {
                    let body = &text[at + 27..];
                    bodies.extend(body.find("-----END").map(|end| &body[..end]));
                }
                for (at, m) in text.match_indices("X509Certificate>") {
                    // An opening tag's content, not a closing tag's.
                    let closing = text[..at]
                        .rfind('<')
                        .is_some_and(|open| text[open + 1..].starts_with('/'));
                    let body = &text[at + m.len()..];
                    if let (false, Some(end)) = (closing, body.find('<')) {
                        bodies.push(&body[..end]);
                    }
                }
                for body in bodies {
                    if let Ok(der) = crate::saml::binding::base64_decode(body) {
                        out.insert(der);
                    }
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            &mut out,
        );
        out.into_iter().collect()
    }

    /// x509-cert's answer in `Spki`'s terms: (spki, oid, parameters, unused
    /// bits, key).
    type Theirs = (Vec<u8>, Vec<u8>, Option<Vec<u8>>, u8, Vec<u8>);

    fn theirs(der: &[u8]) -> Option<Theirs> {
        let cert = x509_cert::Certificate::from_der(der).ok()?;
        let spki = cert.tbs_certificate.subject_public_key_info;
        Some((
            spki.to_der().unwrap(),
            spki.algorithm.oid.as_bytes().to_vec(),
            spki.algorithm.parameters.map(|p| p.to_der().unwrap()),
            spki.subject_public_key.unused_bits(),
            spki.subject_public_key.raw_bytes().to_vec(),
        ))
    }

    fn same(mine: &Spki<'_>, theirs: &Theirs) -> bool {
        mine.der == theirs.0
            && mine.algorithm == theirs.1
            && mine.parameters.map(<[u8]>::to_vec) == theirs.2
            && theirs.3 == 0
            && mine.key == theirs.4
    }

    /// Which of the fields `certificate_spki` does not read x509-cert
    /// refuses, for a certificate that `certificate_spki` accepted: the
    /// named leniency that explains the difference, if one does.
    ///
    /// Each TLV the reader framed is first checked to be framed the same by
    /// der (`AnyRef`): a leniency is about contents the reader does not
    /// read, never about the DER around them.
    fn leniency(der: &[u8]) -> Option<&'static str> {
        use x509_cert::{
            certificate::Version, ext::Extensions, name::Name, serial_number::SerialNumber,
            time::Validity,
        };
        type Check = fn(&[u8]) -> bool;
        // The next TLV, if der frames it too.
        fn next<'a>(r: &mut Reader<'a>) -> Option<(u8, &'a [u8], &'a [u8])> {
            r.read_any()
                .filter(|(_, _, whole)| AnyRef::from_der(whole).is_ok())
        }
        let mut found = Vec::new();
        let mut check = |whole: &[u8], f: Check, kind: &'static str| {
            if !f(whole) {
                found.push(kind);
            }
        };
        let mut outer = Reader::new(der);
        let mut cert = Reader::new(next(&mut outer)?.1);
        outer.finish()?;
        let mut tbs = Reader::new(next(&mut cert)?.1);
        let (mut tag, mut content, mut whole) = next(&mut tbs)?;
        if tag == 0xa0 {
            check(content, |v| Version::from_der(v).is_ok(), "version");
            (tag, content, whole) = next(&mut tbs)?;
        }
        let _ = (tag, content);
        check(
            whole,
            |f| SerialNumber::<x509_cert::certificate::Rfc5280>::from_der(f).is_ok(),
            "serial",
        );
        let tbs_fields: [(Check, &str); 4] = [
            (
                |f| spki::AlgorithmIdentifierOwned::from_der(f).is_ok(),
                "signature algorithm",
            ),
            (|f| Name::from_der(f).is_ok(), "issuer"),
            (|f| Validity::from_der(f).is_ok(), "validity"),
            (|f| Name::from_der(f).is_ok(), "subject"),
        ];
        for (f, kind) in tbs_fields {
            check(next(&mut tbs)?.2, f, kind);
        }
        let spki_der = next(&mut tbs)?.2;
        if spki::SubjectPublicKeyInfoRef::from_der(spki_der).is_err() {
            let mine = spki(spki_der)?;
            let oid_bad = ObjectIdentifier::from_bytes(mine.algorithm).is_err();
            let params_bad = mine
                .parameters
                .is_some_and(|p| AnyRef::from_der(p).is_err());
            if !(oid_bad || params_bad) || (params_bad && !mine.parameters.is_some_and(unknown_tag))
            {
                return None;
            }
            check(
                mine.algorithm,
                |o| ObjectIdentifier::from_bytes(o).is_ok(),
                "algorithm OID",
            );
            if params_bad {
                check(&[], |_| false, "parameters");
            }
        }
        while !tbs.is_empty() {
            let (tag, content, whole) = next(&mut tbs)?;
            if tag == 0xa3 {
                check(content, |e| Extensions::from_der(e).is_ok(), "extensions");
            } else {
                // [1] and [2] IMPLICIT BIT STRING, read as the BIT STRING.
                let as_bits = [&[TAG_BIT_STRING][..], &whole[1..]].concat();
                check(
                    &as_bits,
                    |b| BitString::from_der(b).is_ok(),
                    "unique identifier",
                );
            }
        }
        check(
            next(&mut cert)?.2,
            |f| spki::AlgorithmIdentifierOwned::from_der(f).is_ok(),
            "outer signature algorithm",
        );
        check(
            next(&mut cert)?.2,
            |f| BitString::from_der(f).is_ok(),
            "signatureValue",
        );
        cert.finish()?;
        found.first().copied()
    }

    /// Whether der refuses the TLV `tlv` only for its tag: one in the
    /// low-tag-number form that der does not know, its length framed as der
    /// frames lengths.
    fn unknown_tag(tlv: &[u8]) -> bool {
        let Some((&tag, rest)) = tlv.split_first() else {
            return false;
        };
        if tag & 0x1f == 0x1f || ::der::Tag::try_from(tag).is_ok() {
            return false;
        }
        let Ok(mut r) = SliceReader::new(rest) else {
            return false;
        };
        ::der::Length::decode(&mut r).is_ok_and(|len| r.remaining_len() == len)
    }

    #[derive(Clone, Debug)]
    struct Node {
        tag: u8,
        /// 0: minimal length; 1: long form with a leading zero byte; 2: long
        /// form for a short length; 3: indefinite (with end-of-contents).
        form: u8,
        body: Body,
    }

    #[derive(Clone, Debug)]
    enum Body {
        Leaf(Vec<u8>),
        Cons(Vec<Node>),
    }

    fn parse(der: &[u8]) -> Option<Vec<Node>> {
        let mut r = Reader::new(der);
        let mut out = Vec::new();
        while !r.is_empty() {
            let (tag, content, _) = r.read_any()?;
            let body = match (tag & 0x20 != 0).then(|| parse(content)).flatten() {
                Some(children) => Body::Cons(children),
                None => Body::Leaf(content.to_vec()),
            };
            out.push(Node { tag, form: 0, body });
        }
        Some(out)
    }

    fn encode(nodes: &[Node], out: &mut Vec<u8>) {
        for node in nodes {
            let mut content = Vec::new();
            match &node.body {
                Body::Leaf(b) => content.extend_from_slice(b),
                Body::Cons(c) => encode(c, &mut content),
            }
            out.push(node.tag);
            let len = content.len();
            match node.form {
                1 => {
                    let l = min_len(len);
                    let bytes = if len < 0x80 { &l[..] } else { &l[1..] };
                    out.push(0x81 + bytes.len() as u8);
                    out.push(0);
                    out.extend_from_slice(bytes);
                }
                2 if len < 0x80 => out.extend([0x81, len as u8]),
                3 => {
                    out.push(0x80);
                    content.extend([0, 0]);
                }
                _ => out.extend(min_len(len)),
            }
            out.extend(content);
        }
    }

    fn count(nodes: &[Node]) -> usize {
        nodes
            .iter()
            .map(|n| {
                1 + if let Body::Cons(c) = &n.body {
                    count(c)
                } else {
                    0
                }
            })
            .sum()
    }

    /// The siblings of the `k`th node in document order, and its index.
    fn pick(nodes: &mut Vec<Node>, mut k: usize) -> (&mut Vec<Node>, usize) {
        let mut i = 0;
        loop {
            let size = 1 + if let Body::Cons(c) = &nodes[i].body {
                count(c)
            } else {
                0
            };
            if k == 0 {
                return (nodes, i);
            }
            if k < size {
                let Body::Cons(c) = &mut nodes[i].body else {
                    unreachable!()
                };
                return pick(c, k - 1);
            }
            k -= size;
            i += 1;
        }
    }

    const INTERESTING: [u8; 16] = [
        0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x1f, 0x30, 0x31, 0x7f, 0x80, 0x81, 0xa0, 0xa3, 0xff,
        0x04,
    ];

    fn interesting(rng: &mut impl Draw) -> u8 {
        if rng.one_in(2) {
            INTERESTING[rng.below(INTERESTING.len())]
        } else {
            rng.next_u64() as u8
        }
    }

    /// One to three changes to the structure of `der` (re-encoded with
    /// consistent lengths), then maybe one to its bytes.
    fn mutate(der: &[u8], rng: &mut impl Draw) -> (Vec<u8>, &'static str) {
        let Some(mut tree) = parse(der) else {
            return (der.to_vec(), "unparsed");
        };
        let mut what = "bytes";
        for _ in 0..1 + rng.below(3) {
            let k = rng.below(count(&tree));
            let (siblings, i) = pick(&mut tree, k);
            let has_next = i + 1 < siblings.len();
            what = match rng.below(9) {
                0 => {
                    siblings.remove(i);
                    "delete a TLV"
                }
                1 => {
                    let copy = siblings[i].clone();
                    siblings.insert(i, copy);
                    "repeat a TLV"
                }
                2 if has_next => {
                    siblings.swap(i, i + 1);
                    "swap TLVs"
                }
                3 => {
                    let node = &mut siblings[i];
                    node.tag = if rng.one_in(2) {
                        node.tag ^ 0x20
                    } else {
                        interesting(rng)
                    };
                    "change a tag"
                }
                4 => {
                    siblings[i].form = 1 + rng.below(3) as u8;
                    "length form"
                }
                _ => match &mut siblings[i].body {
                    Body::Leaf(b) => {
                        let at = rng.below(b.len() + 1);
                        match rng.below(4) {
                            0 if at < b.len() => b[at] = interesting(rng),
                            1 if at < b.len() => {
                                b.remove(at);
                            }
                            2 => b.insert(0, interesting(rng)),
                            _ => b.insert(at, interesting(rng)),
                        }
                        "change content"
                    }
                    Body::Cons(c) => {
                        c.push(Node {
                            tag: interesting(rng),
                            form: 0,
                            body: Body::Leaf(vec![interesting(rng); rng.below(3)]),
                        });
                        "append a TLV"
                    }
                },
            };
            if tree.is_empty() {
                return (Vec::new(), what);
            }
        }
        let mut out = Vec::new();
        encode(&tree, &mut out);
        if rng.one_in(3) && !out.is_empty() {
            let at = rng.below(out.len());
            match rng.below(4) {
                0 => out[at] ^= 1 << rng.below(8),
                1 => out.insert(at, interesting(rng)),
                2 => {
                    out.remove(at);
                }
                _ => out.truncate(at),
            }
            what = "raw bytes";
        }
        (out, what)
    }

    #[test]
    fn certificates_match_x509_cert() {
        let certs = fixture_certificates();
        assert!(
            certs.len() >= 5,
            "only {} fixture certificates",
            certs.len()
        );
        let mut algorithms = BTreeSet::new();
        for der in &certs {
            let want = theirs(der).unwrap_or_else(|| panic!("x509-cert refuses {}", hex(der)));
            let mine = certificate_spki(der).unwrap_or_else(|| panic!("refused {}", hex(der)));
            assert!(same(&mine, &want), "{}", hex(der));
            assert_eq!(spki(mine.der), Some(mine));
            algorithms.insert(hex(mine.algorithm));
        }
        println!(
            "{} fixture certificates, algorithms {algorithms:?}",
            certs.len()
        );

        let seed = test_rng::seed("DER_SEED");
        let cases = test_rng::env_number("DER_CASES").unwrap_or(8000);
        println!("DER_SEED={seed} DER_CASES={cases}");
        let mut rng = test_rng::xorshift64(seed);
        let mut tally: BTreeMap<String, usize> = BTreeMap::new();
        for case in 0..cases {
            let (der, what) = mutate(&certs[rng.below(certs.len())], &mut rng);
            let mine = certificate_spki(&der);
            let kind = match (mine, theirs(&der)) {
                (Some(mine), Some(want)) => {
                    assert!(
                        same(&mine, &want),
                        "case {case} ({what}): different SPKI for {}",
                        hex(&der)
                    );
                    "both accept".to_string()
                }
                (None, Some(want)) => match strictness(&der, &want) {
                    Some(kind) => format!("stricter: {kind}"),
                    None => panic!(
                        "case {case} ({what}): x509-cert accepts, refused: {}",
                        hex(&der)
                    ),
                },
                (Some(mine), None) => match leniency(&der) {
                    // The key is still read as spki reads it.
                    Some(kind) if spki_matches(&mine) => format!("lenient: {kind}"),
                    Some(kind) => panic!(
                        "case {case} ({what}): lenient ({kind}), but its key is not read as spki reads it: {}",
                        hex(&der)
                    ),
                    None => panic!(
                        "case {case} ({what}): accepted, x509-cert refuses, unexplained: {}",
                        hex(&der)
                    ),
                },
                (None, None) => "both refuse".to_string(),
            };
            *tally.entry(kind).or_default() += 1;
        }
        println!("{tally:#?}");
        for kind in ["both accept", "both refuse"] {
            assert!(
                tally.get(kind).is_some_and(|&n| n > 0),
                "no case was {kind:?}: {tally:?}"
            );
        }
    }

    /// Why `certificate_spki` refuses a certificate that x509-cert
    /// accepts (as `want`), if a named strictness explains it.
    fn strictness(der: &[u8], want: &Theirs) -> Option<&'static str> {
        if want.3 != 0 {
            return Some("unused bits in the key");
        }
        // der skips a context-specific field whose number is below the
        // one it looks for next (a [0] before [1], say): take out every
        // context-specific field after the SubjectPublicKeyInfo that is not
        // [1], [2] or [3], and the rest must read the same.
        let mut tree = parse(der)?;
        let Body::Cons(cert) = &mut tree.first_mut()?.body else {
            return None;
        };
        let Body::Cons(tbs) = &mut cert.first_mut()?.body else {
            return None;
        };
        let after_spki = usize::from(tbs.first()?.tag == 0xa0) + 6;
        let before = tbs.len();
        let mut i = 0;
        tbs.retain(|n| {
            i += 1;
            i <= after_spki || n.tag & 0xc0 != 0x80 || [0x81, 0x82, 0xa3].contains(&n.tag)
        });
        if tbs.len() == before {
            return None;
        }
        let mut stripped = Vec::new();
        encode(&tree, &mut stripped);
        same(&certificate_spki(&stripped)?, want).then_some("context-specific field der skips")
    }

    /// Whether spki reads `mine.der` as `mine`, where spki accepts it.
    fn spki_matches(mine: &Spki<'_>) -> bool {
        spki::SubjectPublicKeyInfoRef::from_der(mine.der).map_or(true, |s| {
            s.algorithm.oid.as_bytes() == mine.algorithm
                && s.algorithm.parameters.map(|p| p.to_der().unwrap())
                    == mine.parameters.map(<[u8]>::to_vec)
                && s.subject_public_key.unused_bits() == 0
                && s.subject_public_key.raw_bytes() == mine.key
        })
    }

    /// Real IdPs' certificates have serial numbers RFC 5280 says CAs must
    /// not issue (over 20 octets, negative): x509-cert refuses the long
    /// ones (and non-minimal ones), the reader does not look.
    #[test]
    fn accepts_long_and_negative_serial_numbers() {
        for der in fixture_certificates() {
            let want = certificate_spki(&der).unwrap().der.to_vec();
            for serial in [
                vec![0x7f; 22],
                [&[0u8][..], &[0xff; 21]].concat(),
                vec![0, 1],
                vec![0x80, 1],
                vec![0xff],
            ] {
                let negative = serial[0] >= 0x80;
                let mut tree = parse(&der).unwrap();
                let Body::Cons(cert) = &mut tree[0].body else {
                    panic!()
                };
                let Body::Cons(tbs) = &mut cert[0].body else {
                    panic!()
                };
                let at = usize::from(tbs[0].tag == 0xa0);
                assert_eq!(tbs[at].tag, TAG_INTEGER);
                tbs[at].body = Body::Leaf(serial.clone());
                let mut mutated = Vec::new();
                encode(&tree, &mut mutated);
                assert_eq!(
                    certificate_spki(&mutated).map(|s| s.der),
                    Some(&want[..]),
                    "serial {}",
                    hex(&serial)
                );
                if negative {
                    assert!(theirs(&mutated).is_some(), "{}", hex(&serial));
                } else {
                    assert!(theirs(&mutated).is_none(), "{}", hex(&serial));
                    assert_eq!(leniency(&mutated), Some("serial"));
                }
            }
        }
    }

    fn theirs_pair(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut r = SliceReader::new(der).ok()?;
        let (a, b) = r
            .sequence(|r| Ok((UintRef::decode(r)?, UintRef::decode(r)?)))
            .ok()?;
        r.is_finished()
            .then(|| (a.as_bytes().to_vec(), b.as_bytes().to_vec()))
    }

    #[test]
    fn signature_pairs_match_der() {
        let seed = test_rng::seed("DER_SEED");
        let cases = test_rng::env_number("DER_CASES").unwrap_or(4000);
        println!("DER_SEED={seed} DER_CASES={cases}");
        let mut rng = test_rng::xorshift64(seed);
        let mut accepted = 0;
        for case in 0..cases {
            let mut ints = Vec::new();
            let n = if rng.one_in(4) { rng.below(4) } else { 2 };
            for _ in 0..n {
                let mut content: Vec<u8> =
                    (0..rng.below(34)).map(|_| rng.next_u64() as u8).collect();
                if let Some(first) = content.first_mut() {
                    if rng.one_in(2) {
                        *first = [0x00, 0x7f, 0x80, 0xff][rng.below(4)];
                    }
                }
                if content.len() > 1 && rng.one_in(3) {
                    content[0] = 0;
                }
                if rng.one_in(2) {
                    // Usually a well-formed one: the minimal encoding.
                    let first = content
                        .iter()
                        .position(|&b| b != 0)
                        .unwrap_or(content.len());
                    content.drain(..first);
                    if content.first().is_none_or(|&b| b >= 0x80) {
                        content.insert(0, 0);
                    }
                }
                let tag = if rng.one_in(10) {
                    interesting(&mut rng)
                } else {
                    TAG_INTEGER
                };
                ints.push(tlv(tag, &content));
            }
            let tag = if rng.one_in(10) {
                interesting(&mut rng)
            } else {
                TAG_SEQUENCE
            };
            let mut der = tlv(tag, &ints.concat());
            if rng.one_in(4) {
                // Re-read as a tree for a length form or a raw change.
                der = mutate(&der, &mut rng).0;
            }
            let mine = signature_pair(&der).map(|(r, s)| (r.to_vec(), s.to_vec()));
            assert_eq!(mine, theirs_pair(&der), "case {case}: {}", hex(&der));
            accepted += usize::from(mine.is_some());
        }
        println!("{accepted} of {cases} accepted");
        assert!(accepted > cases as usize / 10 && accepted < cases as usize * 9 / 10);
    }
}
