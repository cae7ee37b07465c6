//! The C14N escaper: `skip_plain` (whole 16-byte blocks without a byte that
//! must be escaped, by SIMD) and its scalar twin (no block; `escape_with`
//! looks at every byte itself). See `saml/simd_twins.rs`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::{escape_attr, escape_text, skip_plain};
use crate::saml::simd_twins::{lengths, twins, Rng, Tally};
use wasm_bindgen_test::wasm_bindgen_test;

/// The bytes `escape_text` and `escape_attr` replace (Exclusive C14N §2.3:
/// text nodes, attribute values).
const TEXT: [u8; 4] = [b'&', b'<', b'>', b'\r'];
const ATTR: [u8; 6] = [b'&', b'<', b'"', b'\t', b'\n', b'\r'];

/// What `skip_plain` must return: from `i`, past every whole block without
/// a byte of `specials`, no further and no less.
fn past_plain_blocks(bytes: &[u8], mut i: usize, specials: &[u8]) -> usize {
    while let Some(block) = bytes.get(i..i + 16) {
        if block.iter().any(|b| specials.contains(b)) {
            break;
        }
        i += 16;
    }
    i
}

#[wasm_bindgen_test]
fn skip_plain_stops_at_the_first_block_with_a_special_byte() {
    let mut tally = Tally::new("c14n skip_plain (every byte value as the special, every offset)");
    // Every byte value, alone as the set to stop at, at every offset of a
    // block run, from every start.
    for len in [15, 16, 17, 31, 32, 33, 48, 64] {
        for at in 0..len {
            for v in 0..=255u8 {
                let mut bytes = vec![if v == b'a' { b'b' } else { b'a' }; len];
                bytes[at] = v;
                for from in [0, 1, at.saturating_sub(16), at, at + 1] {
                    assert_eq!(
                        skip_plain(&bytes, from, [v]),
                        past_plain_blocks(&bytes, from, &[v]),
                        "byte {v:#04x} at {at} of {len}, from {from}"
                    );
                    tally.agreed();
                }
            }
        }
    }
    tally.report();
}

fn check(tally: &mut Tally, s: &str) {
    let escape = |f: fn(&mut String, &str)| {
        let mut out = String::from("<kept>");
        f(&mut out, s);
        out
    };
    let (simd, scalar) = twins(|| escape(escape_text));
    assert_eq!(simd, scalar, "escape_text twins differ on {s:?}");
    let (simd, scalar) = twins(|| escape(escape_attr));
    assert_eq!(simd, scalar, "escape_attr twins differ on {s:?}");
    let bytes = s.as_bytes();
    for from in 0..=bytes.len().min(40) {
        assert_eq!(
            skip_plain(bytes, from, TEXT),
            past_plain_blocks(bytes, from, &TEXT)
        );
        assert_eq!(
            skip_plain(bytes, from, ATTR),
            past_plain_blocks(bytes, from, &ATTR)
        );
    }
    tally.agreed();
}

#[wasm_bindgen_test]
fn escapers_agree_with_their_scalar_twins() {
    let mut tally = Tally::new("c14n escape_text and escape_attr");
    let specials: Vec<char> = TEXT.iter().chain(&ATTR).map(|&b| char::from(b)).collect();
    // Every ASCII character (the specials among them) and a few others at
    // every offset, then two specials at every pair of offsets.
    for len in 0..=64 {
        for at in 0..len {
            for c in (0..0x80u8)
                .map(char::from)
                .chain(['é', '\u{fffd}', '\u{10000}'])
            {
                let mut s: String = "a".repeat(at);
                s.push(c);
                s.push_str(&"b".repeat(len - at - 1));
                check(&mut tally, &s);
            }
        }
    }
    for len in [16, 32, 33, 48] {
        for i in 0..len {
            for j in i + 1..len {
                let mut s: Vec<char> = vec!['x'; len];
                s[i] = specials[(i + j) % specials.len()];
                s[j] = specials[(i * j) % specials.len()];
                check(&mut tally, &s.into_iter().collect::<String>());
            }
        }
    }
    let mut rng = Rng::new(0xc14e);
    let others = ['a', ' ', 'é', '\u{3000}', '\u{10348}', ']'];
    for len in lengths() {
        for _ in 0..24 {
            let every = 1 + rng.below(200);
            let s: String = (0..len)
                .map(|_| {
                    if rng.below(every) == 0 {
                        rng.pick(&specials)
                    } else {
                        rng.pick(&others)
                    }
                })
                .collect();
            check(&mut tally, &s);
        }
    }
    tally.report();
}
