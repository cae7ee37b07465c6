//! edge-sso's own RSA (src/saml/bignum.rs, src/saml/pkcs1.rs) against other
//! implementations: modular exponentiation against `num-bigint-dig` (the
//! `BigUint` of RustCrypto's `rsa`) on random moduli of every width the
//! arithmetic switches between, and PKCS#1 v1.5 verification against the
//! `rsa` crate on OpenSSL-checked signatures over right and wrong blocks
//! (tests/fixtures/pkcs1, scripts/fixtures/rsa_pkcs1_vectors.py).
//!
//! A unit test rather than an integration test: `bignum` and `pkcs1` are
//! crate-private (neither is constant-time, which is right for the public
//! values of signature verification and wrong for anything else).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use base64::Engine as _;
use rsa::pkcs1::der::Decode as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{BigUint, Pkcs1v15Sign};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::bignum::{Modulus, MAX_BITS};
use super::pkcs1::{Hash, RsaPublicKey};

/// xorshift64: the same inputs on every run, so a failure reproduces.
fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

fn random_bytes(next: &mut impl FnMut() -> u64, len: usize) -> Vec<u8> {
    (0..len).map(|_| next() as u8).collect()
}

/// A random odd number of exactly `bits` bits, big-endian.
fn random_modulus(next: &mut impl FnMut() -> u64, bits: usize) -> Vec<u8> {
    let mut n = random_bytes(next, bits.div_ceil(8));
    let top = (bits - 1) % 8;
    n[0] &= (1u16 << (top + 1)).wrapping_sub(1) as u8;
    n[0] |= 1 << top;
    *n.last_mut().unwrap() |= 1;
    n
}

/// `base^exp mod n` by num-bigint-dig, as `byte_len` big-endian bytes.
fn reference_pow(base: &[u8], exp: &[u8], n: &[u8], byte_len: usize) -> Vec<u8> {
    let r = BigUint::from_bytes_be(base)
        .modpow(&BigUint::from_bytes_be(exp), &BigUint::from_bytes_be(n))
        .to_bytes_be(); // [0] for zero
    [vec![0; byte_len - r.len()], r].concat()
}

#[test]
fn modular_exponentiation_agrees_with_num_bigint_dig() {
    let mut next = rng(0x9e37_79b9_7f4a_7c15);
    // Small sizes (one or two limbs), the RSA sizes and their neighbours,
    // the switch from 28-bit to 27-bit limbs (3,554 to 3,555 bits), 8,192
    // (the largest RSA key) and the largest modulus accepted.
    let mut sizes = vec![
        2, 3, 7, 8, 9, 27, 28, 29, 31, 32, 33, 55, 56, 57, 63, 64, 65, 127, 129, 255, 1023, 1024,
        1025, 2047, 2048, 2049, 3071, 3072, 3553, 3554, 3555, 3556, 4095, 4096, 4097, 8191, 8192,
        MAX_BITS,
    ];
    // And random sizes across the RSA range.
    sizes.extend((0..8).map(|_| 1024 + (next() % 7169) as usize));
    let mut compared = 0;
    for &bits in &sizes {
        let n = random_modulus(&mut next, bits);
        let m = Modulus::new(&n).unwrap_or_else(|| panic!("{bits}-bit odd modulus refused"));
        assert_eq!(m.bits(), bits);
        let k = m.byte_len();
        let nn = BigUint::from_bytes_be(&n);
        let below = |v: &[u8]| BigUint::from_bytes_be(v) < nn;
        let minus = |d: u8| {
            let b = (&nn - BigUint::from(d)).to_bytes_be();
            [vec![0; k - b.len()], b].concat()
        };
        // edge-sso's arithmetic is unoptimised in a debug build and costs
        // the square of the size: small moduli get every base and long
        // exponents, large ones the edge bases and RSA's exponents.
        let mut bases = vec![vec![1], minus(1), minus(2), random_bytes(&mut next, k)];
        let mut exps: Vec<Vec<u8>> = vec![vec![2], vec![3]];
        if bits < MAX_BITS {
            exps.push(vec![1, 0, 1]);
        }
        if bits <= 1100 {
            bases.push(vec![0]);
            bases.extend((0..3).map(|_| random_bytes(&mut next, k)));
            bases.push(random_bytes(&mut next, k / 2 + 1));
            bases.push([vec![0, 0], random_bytes(&mut next, k.saturating_sub(1))].concat());
            exps.extend([vec![], vec![0], vec![1]]);
            for _ in 0..3 {
                let len = 1 + (next() % 8) as usize;
                exps.push(random_bytes(&mut next, len));
            }
        }
        for base in &bases {
            let fits = below(base);
            for exp in &exps {
                let got = m.pow(base, exp);
                if !fits {
                    assert_eq!(got, None, "{bits} bits: a base >= n is refused");
                    continue;
                }
                let want = reference_pow(base, exp, &n, k);
                assert_eq!(
                    got.as_deref(),
                    Some(&want[..]),
                    "{bits} bits, base {base:02x?}, exponent {exp:02x?}"
                );
                compared += 1;
            }
        }
        // A base of n and above: refused, never reduced.
        assert_eq!(m.pow(&n, &[3]), None, "{bits} bits: base n");
    }
    println!("{} moduli, {compared} powers compared", sizes.len());
    assert!(compared > 500, "{compared}");
}

/// `Modulus::mul`, `reduce` and `is_below` (DSA's arithmetic) against
/// num-bigint-dig, on moduli from one limb up and across the switch from 28-
/// to 27-bit limbs, with values below the modulus, reductions of inputs of
/// every length up to 99 bytes, and comparisons at the modulus itself.
#[test]
fn multiplication_and_reduction_agree_with_num_bigint_dig() {
    let mut next = rng(0x5eed_d5a0);
    let mut cases = 0;
    let widths = (2..=300).chain([1024, 2048, 3072, 3553, 3554, 3555, 3556, 3557]);
    for bits in widths {
        let n_be = random_modulus(&mut next, bits);
        let m = Modulus::new(&n_be).unwrap();
        let n = BigUint::from_bytes_be(&n_be);
        let width = |v: BigUint| {
            let b = v.to_bytes_be();
            [vec![0; m.byte_len() - b.len()], b].concat()
        };
        for _ in 0..8 {
            let a = BigUint::from_bytes_be(&random_bytes(&mut next, n_be.len())) % &n;
            let b = BigUint::from_bytes_be(&random_bytes(&mut next, n_be.len())) % &n;
            let got = m.mul(&a.to_bytes_be(), &b.to_bytes_be()).unwrap();
            assert_eq!(got, width((&a * &b) % &n), "mul, {bits} bits");
            let len = (next() % 100) as usize;
            let x = random_bytes(&mut next, len);
            assert_eq!(
                m.reduce(&x),
                width(BigUint::from_bytes_be(&x) % &n),
                "reduce, {bits} bits"
            );
            assert!(m.is_below(&a.to_bytes_be()));
            cases += 3;
        }
        // At and around the modulus.
        let n_minus_1 = (&n - 1u32).to_bytes_be();
        assert!(m.is_below(&n_minus_1) && !m.is_below(&n_be));
        assert!(!m.is_below(&(&n + 1u32).to_bytes_be()));
        assert!(m.mul(&n_be, &[1]).is_none(), "an operand of n is refused");
        assert_eq!(m.reduce(&n_be), vec![0; m.byte_len()]);
        assert_eq!(
            m.mul(&n_minus_1, &n_minus_1).unwrap(),
            width(BigUint::from(1u32))
        );
    }
    println!("Modulus::mul, reduce, is_below: {cases} cases against num-bigint-dig");
}

fn hash_of(name: &str, msg: &[u8]) -> (Hash, Vec<u8>) {
    match name {
        "sha256" => (Hash::Sha256, Sha256::digest(msg).to_vec()),
        "sha384" => (Hash::Sha384, Sha384::digest(msg).to_vec()),
        "sha512" => (Hash::Sha512, Sha512::digest(msg).to_vec()),
        other => panic!("hash {other}"),
    }
}

fn library_verifies(key: &rsa::RsaPublicKey, hash: &str, digest: &[u8], sig: &[u8]) -> bool {
    let scheme = match hash {
        "sha256" => Pkcs1v15Sign::new::<Sha256>(),
        "sha384" => Pkcs1v15Sign::new::<Sha384>(),
        "sha512" => Pkcs1v15Sign::new::<Sha512>(),
        other => panic!("hash {other}"),
    };
    key.verify(scheme, digest, sig).is_ok()
}

#[test]
fn pkcs1_verification_agrees_with_the_rsa_crate_and_openssl() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pkcs1/vectors.json"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let b64 = |s: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().unwrap())
            .unwrap()
    };
    let mut keys = BTreeMap::new();
    for k in v["keys"].as_array().unwrap() {
        let der = b64(&k["pkcs1"]);
        let bits = k["bits"].as_u64().unwrap() as usize;
        // 1024 bits only with allowWeakRsa, as configuration reads it.
        let ours = RsaPublicKey::from_pkcs1_der_with(&der, bits < 2048).unwrap();
        assert_eq!(ours.bits(), bits);
        let parsed = rsa::pkcs1::RsaPublicKey::from_der(&der).unwrap();
        let theirs = rsa::RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(parsed.modulus.as_bytes()),
            BigUint::from_bytes_be(parsed.public_exponent.as_bytes()),
            8192,
        )
        .unwrap();
        assert_eq!(theirs.n().bits(), bits);
        keys.insert(k["id"].as_str().unwrap().to_owned(), (ours, theirs));
    }
    // Per key: valid verified, invalid refused (by both), and disagreements.
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for c in v["cases"].as_array().unwrap() {
        let id = c["key"].as_str().unwrap();
        let (ours, theirs) = &keys[id];
        let hash = c["hash"].as_str().unwrap();
        let msg = hex(c["msg"].as_str().unwrap());
        let sig = b64(&c["sig"]);
        let valid = c["valid"].as_bool().unwrap();
        let (h, digest) = hash_of(hash, &msg);
        let edge = ours.verify(h, &digest, &sig);
        let lib = library_verifies(theirs, hash, &digest, &sig);
        if edge != valid || lib != valid {
            wrong.push(format!(
                "{id} {hash} {}: OpenSSL {valid}, edge-sso {edge}, rsa crate {lib}",
                c["case"]
            ));
            continue;
        }
        let e = counts.entry(id.to_owned()).or_default();
        if valid {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    for (id, (ok, refused)) in &counts {
        println!("{id:<14} valid {ok} verified, invalid {refused} refused, by edge-sso, the rsa crate and OpenSSL alike");
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(counts.len(), keys.len(), "every key ran");
    assert!(counts.values().all(|&(ok, refused)| ok > 0 && refused > 0));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
