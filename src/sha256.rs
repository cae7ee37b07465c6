//! SHA-256 (FIPS 180-4) for the OAuth path: the PKCE `S256` challenge and
//! the digests under which [`crate::one_time`] remembers retired keys.
//!
//! The full module hashes with the `sha2` crate, whose unrolled compression
//! function is what SAML signature checks need to be fast. The OAuth-only
//! module hashes a verifier or a `state` (one or two blocks) a few times per
//! login, so it carries this rolled implementation instead: a fifth of
//! `sha2`'s size there, and no slicing that could panic. Both are checked
//! against the FIPS 180-4 / NIST examples and against each other on random
//! inputs of every length around the block boundaries (tests below).

#[cfg(any(test, not(feature = "saml")))]
use zeroize::Zeroize;

/// `SHA-256(data)`.
#[cfg(feature = "saml")]
pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// `SHA-256(data)`.
#[cfg(not(feature = "saml"))]
pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
    compact(data)
}

/// The first 32 bits of the fractional parts of the cube roots of the first
/// 64 primes (FIPS 180-4 §4.2.2).
#[cfg(any(test, not(feature = "saml")))]
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial hash value (FIPS 180-4 §5.3.3).
#[cfg(any(test, not(feature = "saml")))]
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The rolled implementation: the message and its padding go byte by byte
/// through one 64-byte block buffer; the 64 rounds are one loop and the
/// message schedule a 16-word window.
#[cfg(any(test, not(feature = "saml")))]
fn compact(data: &[u8]) -> [u8; 32] {
    // Padding (§5.1.1): 0x80, zeros up to 56 mod 64, then the length in bits
    // as a big-endian u64.
    let zeros = 55usize.wrapping_sub(data.len()) % 64;
    let bits = (data.len() as u64).wrapping_mul(8);
    // Byte `i` of the padded message, read by index (a chain of iterators
    // linked its adapters into the OAuth-only module).
    let total = data.len() + 1 + zeros + 8;
    let length = bits.to_be_bytes();
    let mut state = H0;
    let mut block = [0u8; 64];
    for i in 0..total {
        let byte = match data.get(i) {
            Some(b) => *b,
            None if i == data.len() => 0x80,
            // Zeros, then the length in the last 8 bytes (`total - 8` is
            // past the 0x80, so the wrapped index of a zero misses).
            None => length.get(i.wrapping_sub(total - 8)).copied().unwrap_or(0),
        };
        if let Some(slot) = block.get_mut(i % 64) {
            *slot = byte;
        }
        if i % 64 == 63 {
            compress(&mut state, &block);
        }
    }
    block.zeroize();
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        let word = state.get(i / 4).copied().unwrap_or(0);
        *o = (word >> (24 - 8 * (i % 4))) as u8;
    }
    out
}

/// One 64-byte block into `state` (§6.2.2).
#[cfg(any(test, not(feature = "saml")))]
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    for (t, word) in w.iter_mut().enumerate() {
        for j in 0..4 {
            *word = *word << 8 | u32::from(block.get(4 * t + j).copied().unwrap_or(0));
        }
    }
    // Word t of the schedule lives at t mod 16; `get` with a masked index
    // cannot miss, and the optimiser drops the fallback.
    let at = |w: &[u32; 16], t: usize| w.get(t & 15).copied().unwrap_or(0);
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, k) in K.iter().enumerate() {
        if t >= 16 {
            let (w15, w2) = (at(&w, t + 1), at(&w, t + 14));
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            let next = at(&w, t)
                .wrapping_add(s0)
                .wrapping_add(at(&w, t + 9))
                .wrapping_add(s1);
            if let Some(slot) = w.get_mut(t & 15) {
                *slot = next;
            }
        }
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(at(&w, t));
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
    w.zeroize();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use sha2::Digest as _;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn fips_180_4_examples() {
        // FIPS 180-4 / NIST CSRC "SHA256.pdf" examples, and NIST's
        // SHA256ShortMsg/LongMsg-style boundary lengths.
        let cases: [(&[u8], &str); 4] = [
            (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(hex(&compact(input)), want);
        }
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(&compact(&million_a)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        // RFC 7636 appendix B: the challenge of its example verifier.
        assert_eq!(
            crate::b64url::encode(&compact(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn agrees_with_sha2_on_every_length_to_300_and_random_inputs() {
        let mut next = crate::test_rng::xorshift64(0x2545_f491_4f6c_dd1d);
        let mut checked = 0;
        for len in (0..300).chain([511, 512, 513, 1000, 4096, 65_537]) {
            for _ in 0..3 {
                let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                assert_eq!(
                    compact(&data),
                    <[u8; 32]>::from(sha2::Sha256::digest(&data)),
                    "length {len}"
                );
                checked += 1;
            }
        }
        assert!(checked > 900);
        // The build's own digest (sha2 with the saml feature, `compact`
        // without) against FIPS 180-4's example, not against itself.
        assert_eq!(
            hex(&digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
