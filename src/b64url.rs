//! Unpadded base64url (RFC 4648 §5), the only base64 OAuth needs: PKCE
//! verifiers and challenges, `state` and `nonce`, and JWS segments.
//!
//! Written here because the `base64` crate's general engine (tables, fast
//! paths, padding modes) was several kilobytes of the OAuth-only module
//! (BENCHMARKS.md, the lever table); this is a character computation per
//! sextet. Decoding is strict the way that crate's
//! `URL_SAFE_NO_PAD` is: only the 64 characters, no padding, no whitespace, a
//! length of 1 mod 4 refused, and the unused low bits of the last character
//! must be zero, so every byte string has exactly one encoding.

use alloc::string::String;
use alloc::vec::Vec;

fn char_of(sextet: u32) -> char {
    let c = match sextet & 63 {
        v @ 0..=25 => b'A' + v as u8,
        v @ 26..=51 => b'a' + (v - 26) as u8,
        v @ 52..=61 => b'0' + (v - 52) as u8,
        62 => b'-',
        _ => b'_',
    };
    char::from(c)
}

fn sextet_of(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 4).div_ceil(3));
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char_of(n >> (18 - 6 * i)));
        }
    }
    out
}

/// Decodes unpadded base64url (given as bytes: JWS segments are split on
/// bytes), or `None` if `text` is not the canonical
/// encoding of some byte string.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for chunk in text.chunks(4) {
        // 2, 3 or 4 characters carry 1, 2 or 3 bytes; 1 character cannot.
        let bytes = chunk.len().checked_sub(1).filter(|n| *n > 0)?;
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= sextet_of(*c)? << (18 - 6 * i);
        }
        if n & ((1 << (8 * (3 - bytes))) - 1) != 0 {
            return None;
        }
        out.extend_from_slice(n.to_be_bytes().get(1..=bytes)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded.as_bytes()).unwrap(), plain.as_bytes());
        }
        assert_eq!(
            encode(&[0xfb, 0xff, 0xbf]),
            "-_-_",
            "the URL-safe characters"
        );
        assert_eq!(decode(b"-_-_").unwrap(), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn refuses_what_is_not_canonical_unpadded_base64url() {
        for bad in [
            "Z", "Zm9vY", "Zg==", "Zm8=", "Zm+v", "Zm/v", "Zm9 v", "Zm9\nv", "Zh", "Zm9", "Zm9vYh",
            "é",
        ] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn agrees_with_the_base64_crate() {
        let mut rand = crate::test_rng::xorshift64(0x9e37_79b9_7f4a_7c15);
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| rand() as u8).collect();
            let coded = encode(&bytes);
            assert_eq!(coded, URL_SAFE_NO_PAD.encode(&bytes));
            assert_eq!(decode(coded.as_bytes()).unwrap(), bytes);
        }
        // Random strings over the alphabet and some strangers: same verdict, same bytes.
        let chars = b"AZaz09-_+/=Qgw. ";
        for _ in 0..50_000 {
            let len = (rand() % 12) as usize;
            let text: String = (0..len)
                .map(|_| char::from(chars[(rand() % chars.len() as u64) as usize]))
                .collect();
            assert_eq!(
                decode(text.as_bytes()),
                URL_SAFE_NO_PAD.decode(&text).ok(),
                "{text:?}"
            );
        }
    }
}
