//! Base64 blocks: `decode_prefix` (whole 16-character blocks of the
//! standard alphabet, by SIMD) and its scalar twin (no block; the `base64`
//! crate decodes everything), compared through their caller,
//! `binding::base64_decode`. See `saml/simd_twins.rs`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::decode_prefix;
use crate::saml::binding::base64_decode;
use crate::saml::simd_twins::{lengths, twins, Rng, Tally};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use wasm_bindgen_test::wasm_bindgen_test;

fn alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Checks `decode_prefix` on `input` against its contract: it takes every
/// leading whole block of alphabet characters and no more, appends (keeps
/// what `out` held) exactly what the crate decodes from those blocks.
fn check_prefix(input: &[u8]) {
    let blocks = input
        .chunks_exact(16)
        .take_while(|block| block.iter().all(|&b| alphabet(b)))
        .count();
    let mut out = vec![0xa5, 0x5a];
    let used = decode_prefix(input, &mut out);
    assert_eq!(used, 16 * blocks, "{:?}", String::from_utf8_lossy(input));
    let mut want = vec![0xa5, 0x5a];
    want.extend(STANDARD.decode(&input[..used]).unwrap());
    assert_eq!(out, want, "{:?}", String::from_utf8_lossy(input));
}

#[wasm_bindgen_test]
fn block_decoder_takes_exactly_the_leading_alphabet_blocks() {
    let mut tally = Tally::new("b64 decode_prefix (every byte value at every offset)");
    // Every alphabet character in every lane (the translation), and every
    // byte value at every offset (the validation).
    let all: Vec<u8> = (b'A'..=b'Z')
        .chain(b'a'..=b'z')
        .chain(b'0'..=b'9')
        .chain([b'+', b'/'])
        .collect();
    for shift in 0..64 {
        let input: Vec<u8> = (0..64).map(|i| all[(i + shift) % 64]).collect();
        check_prefix(&input);
        tally.agreed();
    }
    for len in 0..=64 {
        for at in 0..len {
            for v in 0..=255u8 {
                let mut input: Vec<u8> = (0..len).map(|i| all[(i * 7 + at) % 64]).collect();
                input[at] = v;
                check_prefix(&input);
                tally.agreed();
            }
        }
    }
    let mut rng = Rng::new(0xb64);
    for len in lengths() {
        for _ in 0..16 {
            let input: Vec<u8> = (0..len).map(|_| rng.pick(&all)).collect();
            check_prefix(&input);
            tally.agreed();
        }
    }
    tally.report();
}

fn check(tally: &mut Tally, s: &str) {
    let (simd, scalar) = twins(|| base64_decode(s));
    assert_eq!(simd, scalar, "base64_decode twins differ on {s:?}");
    check_prefix(s.as_bytes());
    tally.agreed();
}

#[wasm_bindgen_test]
fn base64_decoding_agrees_with_its_scalar_twin() {
    let mut tally = Tally::new("b64 base64_decode");
    let mut rng = Rng::new(0xb64d);
    // What may stand in for a character: padding, whitespace, the URL-safe
    // pair, other ASCII, non-ASCII.
    let odd = [
        "=", " ", "\n", "\r\n", "\t", "-", "_", ".", "\0", "é", "\u{ff0b}",
    ];
    for n in 0..=64 {
        let data: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        let encoded = STANDARD.encode(&data);
        check(&mut tally, &encoded);
        check(&mut tally, encoded.trim_end_matches('='));
        for at in 0..encoded.len() {
            for o in odd {
                let mut s = encoded.clone();
                s.replace_range(at..=at, o);
                check(&mut tally, &s);
                let mut s = encoded.clone();
                s.insert_str(at, o);
                check(&mut tally, &s);
            }
        }
    }
    // Posted Responses are a few KB, often broken into 76-character lines.
    for len in lengths() {
        for _ in 0..8 {
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let encoded = STANDARD.encode(&data);
            check(&mut tally, &encoded);
            let lines: Vec<&str> = encoded
                .as_bytes()
                .chunks(76)
                .map(|l| core::str::from_utf8(l).unwrap())
                .collect();
            check(&mut tally, &lines.join("\r\n"));
            if !encoded.is_empty() {
                let mut s = encoded.clone();
                let at = rng.below(s.len());
                s.replace_range(at..=at, rng.pick(&odd));
                check(&mut tally, &s);
            }
        }
    }
    tally.report();
}
