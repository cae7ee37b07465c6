//! edge-sso's ECDSA (`ecdsa.rs`) against RustCrypto's `p256` and `p384`
//! (dev-dependencies): keys and signatures those crates make from random
//! secrets and digests, then each signature changed (digest, r, s, high s,
//! out-of-range and zero scalars, the other curve's digest sizes) and random
//! points in both SEC 1 forms: every verdict must be the crates'. Edge keys:
//! the generator itself (G + Q is a doubling) and its negation (G + Q is
//! infinity). The seed is printed (`EDGE_SSO_ECDSA_SEED` repeats a run,
//! `EDGE_SSO_ECDSA_CASES` resizes it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::ecdsa::{Curve, EcPublicKey, P256, P384};
use crate::test_rng::{env_number, seed, xorshift64, Draw};

fn bytes(rng: &mut impl Draw, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// `a + k` (k small) over a big-endian number of fixed width, wrapping.
fn plus(a: &[u8], k: u8) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut carry = u16::from(k);
    for b in out.iter_mut().rev() {
        let s = u16::from(*b) + carry;
        *b = s as u8;
        carry = s >> 8;
    }
    out
}

/// `a − b` for big-endian numbers of one width, a ≥ b.
fn minus(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut borrow = 0i16;
    for (o, &y) in out.iter_mut().zip(b).rev() {
        let d = i16::from(*o) - i16::from(y) - borrow;
        *o = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    out
}

/// What the run saw, to show that each kind of case happened.
#[derive(Default, Debug)]
struct Tally {
    accepted: usize,
    refused: usize,
}

macro_rules! differential {
    ($name:ident, $krate:ident, $curve:expr) => {
        #[test]
        fn $name() {
            use $krate::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
            use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};

            let curve: &'static Curve = $curve;
            let size = curve.byte_len();
            let s0 = seed("EDGE_SSO_ECDSA_SEED");
            let cases = env_number("EDGE_SSO_ECDSA_CASES").unwrap_or(40) as usize;
            println!(
                "{}: seed {s0} (EDGE_SSO_ECDSA_SEED), {cases} keys",
                stringify!($name)
            );
            let mut rng = xorshift64(s0);
            let mut tally = Tally::default();
            // The order n, big-endian: the scalar one past the largest.
            let n_minus_1 = {
                let mut v = vec![0u8; size];
                // The largest scalar the crate takes, found from its refusal
                // of n: n − 1 is accepted as a secret, n is not.
                let one = SigningKey::from_slice(&plus(&vec![0; size], 1)).unwrap();
                let minus_one = (-*one.as_nonzero_scalar().as_ref()).to_bytes();
                v.copy_from_slice(&minus_one);
                v
            };
            let n = plus(&n_minus_1, 1);
            assert!(
                SigningKey::from_slice(&n).is_err(),
                "n itself is not a scalar"
            );

            let mut check = |ours: &EcPublicKey,
                             theirs: &VerifyingKey,
                             digest: &[u8],
                             r: &[u8],
                             s: &[u8],
                             what: &str| {
                // Their scalars are fixed-width: a magnitude's leading zeros go.
                let strip =
                    |v: &[u8]| v[v.iter().position(|&b| b != 0).unwrap_or(v.len())..].to_vec();
                let (given_r, given_s) = (r, s);
                let (r, s) = (&strip(r)[..], &strip(s)[..]);
                let reference = {
                    let mut fr = vec![0u8; size];
                    let mut fs = vec![0u8; size];
                    if r.len() > size || s.len() > size {
                        false
                    } else {
                        fr[size - r.len()..].copy_from_slice(r);
                        fs[size - s.len()..].copy_from_slice(s);
                        Signature::from_scalars(
                            *$krate::FieldBytes::from_slice(&fr),
                            *$krate::FieldBytes::from_slice(&fs),
                        )
                        .is_ok_and(|sig| theirs.verify_prehash(digest, &sig).is_ok())
                    }
                };
                // Ours takes magnitudes as given, leading zeros and all.
                let verdict = ours.verify(digest, given_r, given_s);
                assert_eq!(
                    verdict, reference,
                    "{what}: seed {s0}, digest {digest:02x?}, r {r:02x?}, s {s:02x?}"
                );
                if verdict {
                    tally.accepted += 1;
                } else {
                    tally.refused += 1;
                }
            };

            let mut keys = 0;
            let mut secrets: Vec<Vec<u8>> = vec![plus(&vec![0; size], 1), n_minus_1.clone()];
            while secrets.len() < cases {
                secrets.push(bytes(&mut rng, size));
            }
            for secret in &secrets {
                let Ok(signer) = SigningKey::from_slice(secret) else {
                    continue;
                };
                keys += 1;
                let theirs = VerifyingKey::from(&signer);
                let compressed = rng.one_in(2);
                let point = theirs.to_encoded_point(compressed);
                let ours = EcPublicKey::from_sec1(curve, point.as_bytes())
                    .unwrap_or_else(|| panic!("their key refused: seed {s0}, {point:?}"));
                // The other form of the same point is the same key.
                let other = theirs.to_encoded_point(!compressed);
                assert_eq!(
                    EcPublicKey::from_sec1(curve, other.as_bytes()),
                    Some(ours.clone())
                );

                // Digests of SHA-256, -384 and -512's sizes (their crate
                // refuses one shorter than half the field).
                let dlen = [32, 48, 64][rng.below(3)];
                let digest = bytes(&mut rng, dlen);
                let sig: Signature = signer.sign_prehash(&digest).unwrap();
                let (r, s) = (sig.r().to_bytes().to_vec(), sig.s().to_bytes().to_vec());
                check(&ours, &theirs, &digest, &r, &s, "their signature");
                assert!(ours.verify(&digest, &r, &s), "their signature verifies");

                let mut changed = digest.clone();
                let at = rng.below(changed.len());
                changed[at] ^= 1 << rng.below(8);
                check(&ours, &theirs, &changed, &r, &s, "digest changed");
                check(&ours, &theirs, &digest, &plus(&r, 1), &s, "r + 1");
                check(&ours, &theirs, &digest, &r, &plus(&s, 1), "s + 1");
                check(&ours, &theirs, &digest, &s, &r, "r and s swapped");
                check(
                    &ours,
                    &theirs,
                    &digest,
                    &r,
                    &minus(&n, &s),
                    "high s (n − s)",
                );
                check(&ours, &theirs, &digest, &n, &s, "r = n");
                check(&ours, &theirs, &digest, &r, &n, "s = n");
                check(&ours, &theirs, &digest, &[0], &s, "r = 0");
                check(&ours, &theirs, &digest, &r, &[], "s = 0");
                check(
                    &ours,
                    &theirs,
                    &digest,
                    &bytes(&mut rng, size),
                    &bytes(&mut rng, size),
                    "random r, s",
                );
                // Leading zero bytes are a magnitude's, not a different value.
                check(
                    &ours,
                    &theirs,
                    &digest,
                    &[&[0, 0][..], &r].concat(),
                    &s,
                    "r with leading zeros",
                );
                // A longer digest's extra bytes are beyond the leftmost bits.
                let mut longer = digest.clone();
                longer.extend(bytes(&mut rng, 16));
                check(&ours, &theirs, &longer, &r, &s, "digest extended");
            }

            // Random points: x with a square root is a key in both; the
            // crates and this must agree on which.
            for _ in 0..cases {
                let x = bytes(&mut rng, size);
                for tag in [2u8, 3] {
                    let enc = [&[tag][..], &x].concat();
                    let theirs = VerifyingKey::from_sec1_bytes(&enc).ok();
                    let ours = EcPublicKey::from_sec1(curve, &enc);
                    assert_eq!(
                        ours.is_some(),
                        theirs.is_some(),
                        "point {enc:02x?}: seed {s0}"
                    );
                    if let (Some(ours), Some(theirs)) = (ours, theirs) {
                        let un = theirs.to_encoded_point(false);
                        assert_eq!(EcPublicKey::from_sec1(curve, un.as_bytes()), Some(ours));
                        // The same x with y + 1 is off the curve.
                        let mut off = un.as_bytes().to_vec();
                        let tail = plus(&off[1 + size..], 1);
                        off[1 + size..].copy_from_slice(&tail);
                        assert_eq!(
                            EcPublicKey::from_sec1(curve, &off).is_some(),
                            VerifyingKey::from_sec1_bytes(&off).is_ok(),
                        );
                    }
                }
            }
            // The identity, a coordinate of p or more, lengths off by one.
            let g = VerifyingKey::from(&SigningKey::from_slice(&plus(&vec![0; size], 1)).unwrap())
                .to_encoded_point(false);
            let gb = g.as_bytes();
            for enc in [
                vec![0u8],
                [&[4u8][..], &vec![0xff; 2 * size]].concat(),
                gb[..gb.len() - 1].to_vec(),
                [gb, &[0][..]].concat(),
                [&[2u8][..], &gb[1..=size], &[0][..]].concat(),
                [&[6u8][..], &gb[1..]].concat(),
            ] {
                assert_eq!(
                    EcPublicKey::from_sec1(curve, &enc).is_some(),
                    VerifyingKey::from_sec1_bytes(&enc).is_ok(),
                    "{enc:02x?}"
                );
            }
            println!("{}: {tally:?}", stringify!($name));
            // Per key, their signature, high s and r with leading zeros
            // verify, and eight changes do not (a changed or extended
            // digest may only change bits beyond the order's size).
            assert!(
                tally.accepted >= 3 * keys && tally.refused >= 8 * keys && keys >= cases - 1,
                "{keys} keys: {tally:?}"
            );
        }
    };
}

differential!(p256_agrees_with_the_p256_crate, p256, &P256);
differential!(p384_agrees_with_the_p384_crate, p384, &P384);
