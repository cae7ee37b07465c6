//! Byte scans shared by the URL, PKCE, scope, JSON and error-response checks.
//!
//! Each `.bytes().all(|b| ...)` or `.position(|b| b == x)` with its own
//! closure is its own copy of core's iterator code (`try_fold`), and at
//! opt-level "z" those copies are not inlined away, and a dozen of them
//! added up in the OAuth-only module (BENCHMARKS.md, "Figures behind code
//! comments"). These take the test as a plain function pointer, so there is
//! one loop of each kind.

/// Whether every byte of `s` passes `ok`.
#[inline(never)]
pub(crate) fn all(s: &[u8], ok: fn(u8) -> bool) -> bool {
    for &b in s {
        if !ok(b) {
            return false;
        }
    }
    true
}

/// The index of the first `byte` in `s`.
#[inline(never)]
pub(crate) fn find(s: &[u8], byte: u8) -> Option<usize> {
    for (i, &b) in s.iter().enumerate() {
        if b == byte {
            return Some(i);
        }
    }
    None
}

/// RFC 6749's `NQCHAR` (Appendix A): `%x21 / %x23-5B / %x5D-7E`, printable
/// ASCII without space, `"` and `\`.
/// Byte by byte is the same test as by `char`: every allowed character is
/// ASCII, and every byte of a non-ASCII character is above `0x7e`.
pub(crate) fn nqchar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e)
}

/// RFC 6749 `VSCHAR` (Appendix A): printable ASCII, `%x20-7E`.
pub(crate) fn vschar(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

/// A multiplication that saturates at `u64::MAX`, checked by a division:
/// `u64::saturating_mul` needs a 128-bit product on wasm32 (`__multi3`).
pub(crate) fn saturating_mul(a: u64, b: u64) -> u64 {
    match u64::MAX.checked_div(b) {
        Some(most) if a > most => u64::MAX,
        _ => a.wrapping_mul(b),
    }
}

/// A non-empty string of ASCII decimal digits as a number, saturating at
/// `u64::MAX`; `None` for anything else (a sign, a space, a point, other
/// scripts' digits).
pub(crate) fn decimal_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |acc, d| {
        saturating_mul(acc, 10).saturating_add(u64::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_u64_reads_what_str_parse_reads_without_a_sign_and_saturates() {
        // str::parse::<u64> accepts a leading `+`; decimal_u64 (an HTTP
        // value's digits) does not, and saturates where parse overflows.
        let cases = [
            "",
            "0",
            "007",
            "3599",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1.5",
            "1e3",
            "٣",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "0x10",
            "１",
        ];
        for s in cases {
            let want = match s.parse::<u64>() {
                _ if s.starts_with('+') => None,
                Ok(v) => Some(v),
                Err(e) if *e.kind() == core::num::IntErrorKind::PosOverflow => Some(u64::MAX),
                Err(_) => None,
            };
            assert_eq!(decimal_u64(s), want, "{s:?}");
        }
    }

    #[test]
    fn scans_and_saturation() {
        assert!(all(b"", |_| false));
        assert!(all(b"abc", |b| b.is_ascii_lowercase()));
        assert!(!all(b"abC", |b| b.is_ascii_lowercase()));
        assert_eq!(find(b"a?b?", b'?'), Some(1));
        assert_eq!(find(b"ab", b'?'), None);
        assert_eq!(find(b"", b'?'), None);
        let nq: Vec<u8> = (0..=255u8).filter(|&b| nqchar(b)).collect();
        let want: Vec<u8> = (0x21..=0x7eu8)
            .filter(|&b| b != b'"' && b != b'\\')
            .collect();
        assert_eq!(nq, want);
        let cases = [
            (0, 0),
            (0, u64::MAX),
            (u64::MAX, 0),
            (1, u64::MAX),
            (2, u64::MAX / 2),
            (2, u64::MAX / 2 + 1),
            (u64::MAX / 1000, 1000),
            (u64::MAX / 1000 + 1, 1000),
            (3, 7),
            (1 << 32, 1 << 32),
            ((1 << 32) - 1, 1 << 32),
        ];
        for (a, b) in cases {
            assert_eq!(saturating_mul(a, b), a.saturating_mul(b), "{a} * {b}");
            assert_eq!(saturating_mul(b, a), b.saturating_mul(a), "{b} * {a}");
        }
    }
}
