//! The XML character scan: `plain_ascii_prefix` (whole 16-byte blocks of
//! printable ASCII, TAB, LF and CR by SIMD) and its scalar twin (no block;
//! `all_xml_chars` checks every byte itself). See `saml/simd_twins.rs`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::{all_xml_chars, is_xml_char, plain_ascii_prefix};
use crate::saml::simd_twins::{lengths, twins, Rng, Tally};
use wasm_bindgen_test::wasm_bindgen_test;

/// A byte the SIMD blocks may pass over.
fn plain(b: u8) -> bool {
    matches!(b, 0x20..=0x7f | b'\t' | b'\n' | b'\r')
}

/// What the scan must return: every leading whole block of plain bytes,
/// no more (a wrong character skipped) and no fewer (SIMD left unused).
fn whole_plain_blocks(bytes: &[u8]) -> usize {
    16 * bytes
        .chunks_exact(16)
        .take_while(|block| block.iter().all(|&b| plain(b)))
        .count()
}

/// Characters around every boundary the scan and the check draw: the
/// allowed controls, the refused ones, DEL, every UTF-8 length, the ends of
/// the XML `Char` ranges and just past them.
const CHARS: &[char] = &[
    '\0',
    '\u{1}',
    '\t',
    '\n',
    '\u{b}',
    '\u{c}',
    '\r',
    '\u{1f}',
    ' ',
    'a',
    '~',
    '\u{7f}',
    '\u{80}',
    '\u{ff}',
    '\u{7ff}',
    '\u{800}',
    '\u{d7ff}',
    '\u{e000}',
    '\u{fffd}',
    '\u{fffe}',
    '\u{ffff}',
    '\u{10000}',
    '\u{10ffff}',
];

#[wasm_bindgen_test]
fn scan_blocks_are_exactly_the_leading_plain_ones() {
    let mut tally = Tally::new("xml plain_ascii_prefix (every byte value at every offset)");
    for len in (0..=64).chain([100]) {
        for at in 0..len {
            for v in 0..=255u8 {
                let mut bytes = vec![b'a'; len];
                bytes[at] = v;
                assert_eq!(
                    plain_ascii_prefix(&bytes),
                    whole_plain_blocks(&bytes),
                    "byte {v:#04x} at {at} of {len}"
                );
                tally.agreed();
            }
        }
    }
    tally.report();
}

fn check(tally: &mut Tally, s: &str) {
    let (simd, scalar) = twins(|| all_xml_chars(s));
    assert_eq!(simd, scalar, "all_xml_chars twins differ on {s:?}");
    assert_eq!(simd, s.chars().all(is_xml_char), "{s:?}");
    assert_eq!(
        plain_ascii_prefix(s.as_bytes()),
        whole_plain_blocks(s.as_bytes()),
        "{s:?}"
    );
    tally.agreed();
}

#[wasm_bindgen_test]
fn xml_char_check_agrees_with_its_scalar_twin() {
    let mut tally = Tally::new("xml all_xml_chars");
    for len in 0..=64 {
        for at in 0..len {
            for c in (0..0x80u8).map(char::from).chain(CHARS.iter().copied()) {
                let mut s: String = "a".repeat(at);
                s.push(c);
                s.push_str(&"b".repeat(len - at - 1));
                check(&mut tally, &s);
            }
        }
    }
    let mut rng = Rng::new(0x786d6c);
    for len in lengths() {
        for _ in 0..24 {
            // Mostly plain, now and then anything from the list.
            let s: String = (0..len)
                .map(|_| {
                    if rng.below(64) == 0 {
                        rng.pick(CHARS)
                    } else {
                        char::from(0x20 + rng.below(0x5f) as u8)
                    }
                })
                .collect();
            check(&mut tally, &s);
        }
        // One bad character near the end of a long plain run.
        if len > 0 {
            let mut s = "x".repeat(len - 1);
            s.push('\u{1}');
            check(&mut tally, &s);
        }
    }
    tally.report();
}
