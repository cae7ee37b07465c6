//! Base64 (standard alphabet) decoding of whole 16-character blocks with
//! WebAssembly SIMD: the bulk of a posted SAMLResponse, before the `base64`
//! crate decodes what is left (the last block, padding, anything unusual).
//!
//! Why: with the crate's scalar code, decoding the base64 of a posted
//! Response was a visible share of a validation in Node (BENCHMARKS.md has
//! the profile); a block here is a few vector instructions. Base64 has no state across 4-character quanta, so decoding
//! a prefix of whole blocks and then the rest gives exactly what decoding the
//! whole would, and a block holding anything but the 64 alphabet characters
//! (padding, whitespace, a wrong character) ends the prefix: the crate then
//! meets it with its own rules.
//!
//! The validation and translation are Wojciech Muła's nibble-lookup method
//! (Muła and Lemire, "Faster Base64 Encoding and Decoding Using AVX2
//! Instructions", 2018), with `i8x16.swizzle` for `pshufb`.

/// Decodes whole 16-character blocks from the start of `input` into `out`
/// (12 bytes each) while every character is in the standard alphabet;
/// returns how many characters were consumed (a multiple of 16). Without
/// WebAssembly SIMD it consumes nothing.
///
/// The caller decodes the rest with the `base64` crate, and the two together
/// are the crate's decoding of the whole input, whether the prefix took three
/// blocks (with SIMD) or none:
///
/// ```
/// use base64::engine::general_purpose::STANDARD;
/// use base64::Engine as _;
/// use edge_sso::saml::b64_blocks::decode_prefix;
///
/// let input = b"VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZy4=";
/// let mut out = Vec::new();
/// let used = decode_prefix(input, &mut out);
/// assert!(used % 16 == 0 && used <= 48, "whole blocks, never the padded one");
/// assert_eq!(out.len(), used / 16 * 12);
/// STANDARD.decode_vec(&input[used..], &mut out).unwrap();
/// assert_eq!(out, b"The quick brown fox jumps over the lazy dog.");
///
/// // A block with anything but the alphabet (here a space) ends the prefix
/// // before it, and the crate refuses it.
/// let input = b"VGhlIHF1aWNrIGJy b3duIGZveCBqdW1w";
/// let mut out = Vec::new();
/// let used = decode_prefix(input, &mut out);
/// assert!(used <= 16);
/// assert_eq!(out.len(), used / 16 * 12);
/// assert!(STANDARD.decode_vec(&input[used..], &mut out).is_err());
/// ```
///
/// Doctests run natively, where the prefix is always empty, so this example
/// shows the contract but does not test the SIMD path: `simd_twins/b64_blocks.rs`
/// does, in wasm32 with `simd128`, and `tests/js/base64-post.test.mjs` against
/// the built module (both: every byte value at every position of a block).
pub fn decode_prefix(input: &[u8], out: &mut Vec<u8>) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // The wasm32 tests run the scalar twin (the branch below) through
        // the same callers: saml/simd_twins.rs.
        #[cfg(test)]
        if crate::saml::simd_twins::scalar_twin() {
            return 0;
        }
        simd::decode_prefix(input, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let _ = (input, out);
        0
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        i8x16, i8x16_add, i8x16_eq, i8x16_swizzle, u16x8_shl, u16x8_shr, u16x8_splat, u32x4_shl,
        u32x4_shr, u32x4_splat, u8x16_shr, u8x16_splat, v128, v128_and, v128_any_true, v128_or,
    };

    pub(super) fn decode_prefix(input: &[u8], out: &mut Vec<u8>) -> usize {
        // Per low nibble and per high nibble, bit sets whose AND is zero
        // exactly for A–Z, a–z, 0–9, '+' and '/'.
        let lut_lo = i8x16(
            0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b,
            0x1b, 0x1a,
        );
        let lut_hi = i8x16(
            0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
            0x10, 0x10,
        );
        // What to add to a valid character for its 6-bit value, by high
        // nibble ('/' shares '+'s nibble and is told apart by one compare).
        let lut_roll = i8x16(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
        // The three bytes of each 32-bit lane, most significant first; an
        // index of 16 or more gives 0.
        let order = i8x16(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
        // Room for every block at once (plus the 4 bytes a block's store
        // writes past its 12), so the loop only stores; cut back at the end.
        let start = out.len();
        out.resize(start + input.len() / 16 * 12 + 4, 0);
        let mut at = start;
        let mut i = 0;
        while let Some(block) = input.get(i..).and_then(<[u8]>::first_chunk::<16>) {
            let v: v128 = bytemuck::cast(*block);
            let hi = u8x16_shr(v, 4);
            let lo = v128_and(v, u8x16_splat(0x0f));
            if v128_any_true(v128_and(
                i8x16_swizzle(lut_lo, lo),
                i8x16_swizzle(lut_hi, hi),
            )) {
                break;
            }
            let slash = i8x16_eq(v, u8x16_splat(b'/')); // −1 where '/'
            let sextets = i8x16_add(v, i8x16_swizzle(lut_roll, i8x16_add(slash, hi)));
            // Two sextets per 16-bit lane (first in the low byte) to 12 bits,
            // two of those per 32-bit lane to 24.
            let pairs = v128_or(
                u16x8_shl(v128_and(sextets, u16x8_splat(0x00ff)), 6),
                u16x8_shr(sextets, 8),
            );
            let quads = v128_or(
                u32x4_shl(v128_and(pairs, u32x4_splat(0xffff)), 12),
                u32x4_shr(pairs, 16),
            );
            // All 16 lanes in one store (a 12-byte copy was a memcpy call per
            // block); the next block's store covers the 4 extra bytes.
            let Some(slot) = out.get_mut(at..).and_then(<[u8]>::first_chunk_mut::<16>) else {
                break;
            };
            *slot = bytemuck::cast(i8x16_swizzle(quads, order));
            at += 12;
            i += 16;
        }
        out.truncate(at);
        i
    }
}

#[cfg(all(test, target_arch = "wasm32", target_feature = "simd128"))]
#[path = "simd_twins/b64_blocks.rs"]
mod simd_twins;
