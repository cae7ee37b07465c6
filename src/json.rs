//! A strict JSON reader (RFC 8259) for the two JSON documents OAuth hands us:
//! the token endpoint's response and the ID token's header and payload.
//!
//! Written here rather than taken from `serde_json` because the OAuth-only
//! module has a size budget and `serde_json` with its `BTreeMap`-backed
//! `Value` was a large share of it (BENCHMARKS.md, the lever table). What it does not accept is as deliberate as what
//! it does; each rule is a test below:
//! - exactly one value, with only JSON whitespace around it (no BOM, no
//!   comments, no trailing data);
//! - strings: no unescaped control characters, only the escapes RFC 8259 §7
//!   lists, and `\u` surrogates only as a high + low pair (a lone surrogate is
//!   not a Unicode scalar value, and `serde_json` refused it too);
//! - numbers: the §6 grammar (no leading zeros, `+`, `.5`, `1.`, hex, `NaN`);
//!   a number of magnitude 10^308 or more is refused. That covers every
//!   number too large for an IEEE double, which JavaScript's `JSON.parse`
//!   would turn into `Infinity` (`serde_json` refused those too), and also
//!   the finite doubles from 10^308 to `f64::MAX` (≈1.798 × 10^308): no
//!   token response or claim comes near them, and the exact boundary took a
//!   309-digit table and a digit comparison, bytes the OAuth-only module
//!   cannot spare (BENCHMARKS.md has the figure);
//! - objects: a member name that appears twice is refused anywhere in the
//!   document. RFC 8259 §4 leaves duplicates to the implementation; parsers
//!   disagree (first wins, last wins), and an `access_token` or `nonce` whose
//!   value depends on which parser reads it is the classic parser differential.
//!   `serde_json` silently kept the last one;
//! - at most [`MAX_DEPTH`] nested arrays and objects (`serde_json`'s limit:
//!   nothing it read is refused for depth, and recursion cannot exhaust the
//!   wasm stack) and [`MAX_MEMBERS`] members per object (the duplicate check
//!   is quadratic; no token response or claim set comes near it).
//!
//! Strings without escapes borrow from the input; those with escapes are
//! decoded into a buffer allocated once, at the escaped length (which is never
//! shorter), so a token is never copied by a growing buffer that leaves pieces
//! of it behind in freed memory. That buffer is a [`Str::Decoded`], wiped when
//! it is dropped wherever that happens: halfway through decoding it, when the
//! document fails to parse after it, with a member nobody reads. Only
//! [`Str::into_owned`] takes it out unwiped: for a caller that moves it into
//! its own zeroizing type (the token response's `Secret`s), or for a value
//! that is not secret (a token response's `scope`).

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Deref;

use zeroize::Zeroizing;

/// The deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 127;

/// The most members one object may have.
pub(crate) const MAX_MEMBERS: usize = 1024;

/// A JSON value borrowed from the text it was read from.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum Value<'a> {
    Null,
    // Read by the options of the wasm API (src/options.rs) only.
    Bool(#[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))] bool),
    Number(Number<'a>),
    String(Str<'a>),
    Array(Vec<Value<'a>>),
    Object(Object<'a>),
}

/// A string value or member name, as read.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum Str<'a> {
    /// Written without escapes: borrowed from the text.
    Borrowed(&'a str),
    /// Decoded from escapes into its own buffer, which is wiped on drop.
    Decoded(Zeroizing<String>),
}

impl Str<'_> {
    /// The string as a plain `String`: a decoded one is moved out of its
    /// buffer without a copy (the buffer left behind is empty), so the caller
    /// takes over wiping it; a borrowed one is copied.
    pub fn into_owned(self) -> String {
        match self {
            Self::Borrowed(s) => String::from(s),
            Self::Decoded(mut s) => core::mem::take(&mut *s),
        }
    }
}

impl Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Decoded(s) => s,
        }
    }
}

impl<'a> Value<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }
}

/// An object's members in document order; names are unique.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Object<'a>(Vec<(Str<'a>, Value<'a>)>);

impl<'a> Object<'a> {
    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.0.iter().find(|(k, _)| **k == *name).map(|(_, v)| v)
    }

    /// The members, in document order.
    #[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
    pub fn members(&self) -> &[(Str<'a>, Value<'a>)] {
        &self.0
    }

    /// The members, in document order, taken out.
    #[cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]
    pub fn into_members(self) -> Vec<(Str<'a>, Value<'a>)> {
        self.0
    }

    /// Takes member `name` out (so a token can move into a zeroizing buffer).
    pub fn remove(&mut self, name: &str) -> Option<Value<'a>> {
        let i = self.0.iter().position(|(k, _)| **k == *name)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// A number, kept as the text that passed the RFC 8259 §6 grammar. Values are
/// read from the decimal digits exactly, never through a float.
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Number<'a>(&'a str);

impl<'a> Number<'a> {
    /// Sign, the digits before and after the point, and the exponent
    /// (saturated far beyond any meaningful value).
    fn parts(self) -> (bool, &'a [u8], &'a [u8], i64) {
        let s = self.0.as_bytes();
        let (negative, s) = match s.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, s),
        };
        let (mantissa, exp) = match s.iter().position(|b| matches!(b, b'e' | b'E')) {
            Some(i) => s.split_at(i),
            None => (s, &b""[..]),
        };
        let (int, frac) = match crate::ascii::find(mantissa, b'.') {
            Some(i) => (
                mantissa.split_at(i).0,
                mantissa.get(i + 1..).unwrap_or_default(),
            ),
            None => (mantissa, &b""[..]),
        };
        let exp_negative = exp.get(1) == Some(&b'-');
        let magnitude = exp
            .iter()
            .filter(|b| b.is_ascii_digit())
            // Capped at 2^40 at every step, so `acc * 10 + 9` cannot overflow.
            .fold(0i64, |acc, d| (acc * 10 + i64::from(d - b'0')).min(1 << 40));
        (
            negative,
            int,
            frac,
            if exp_negative { -magnitude } else { magnitude },
        )
    }

    /// The number rounded down to an integer, saturating at `u64::MAX`, and
    /// whether it was an integer already (`1.0` and `1e2` are; `1.5` is not).
    /// `None` for a negative number (`-0` is zero, not negative).
    pub fn to_u64(self) -> Option<(u64, bool)> {
        let (negative, int, frac, exp) = self.parts();
        // The integer part is the first `point` digits of int ‖ frac.
        let point = (int.len() as i64).saturating_add(exp);
        let (mut value, mut exact, mut zero) = (0u64, true, true);
        let mut i = 0i64;
        let mut k = 0;
        while let Some(b) = digit(int, frac, k) {
            let d = u64::from(b - b'0');
            zero &= d == 0;
            if i < point {
                value = crate::ascii::saturating_mul(value, 10).saturating_add(d);
            } else {
                exact &= d == 0;
            }
            i += 1;
            k += 1;
        }
        for _ in 0..point.saturating_sub(i).min(20) {
            value = crate::ascii::saturating_mul(value, 10);
        }
        (!negative || zero).then_some((value, exact))
    }

    /// Whether the magnitude is below 10^308 (see the module documentation).
    fn below_1e308(self) -> bool {
        let (_, int, frac, exp) = self.parts();
        let mut first = 0;
        loop {
            match digit(int, frac, first) {
                None => return true,
                Some(b'0') => first += 1,
                Some(_) => break,
            }
        }
        let leading_exp = (int.len() as i64)
            .saturating_add(exp)
            .saturating_sub(first as i64 + 1);
        leading_exp < 308
    }
}

/// The `k`-th digit of `int` followed by `frac` (a number's digits without
/// its point), or `None` past the end.
///
/// Index loops over this read the digits where `int.iter().chain(frac)`
/// did: the chained iterator linked `Chain`, `Copied` and `Skip` code into
/// the OAuth-only module for two loops.
fn digit(int: &[u8], frac: &[u8], k: usize) -> Option<u8> {
    match k.checked_sub(int.len()) {
        None => int.get(k).copied(),
        Some(j) => frac.get(j).copied(),
    }
}

/// Reads `text` as exactly one JSON value, or `None` if it is not one (by the
/// rules in the module documentation).
pub(crate) fn parse(text: &str) -> Option<Value<'_>> {
    let mut r = Reader {
        text,
        pos: 0,
        depth: 0,
    };
    let v = r.value()?;
    r.skip_ws();
    (r.pos == text.len()).then_some(v)
}

/// Reads `text` as one JSON object.
pub(crate) fn parse_object(text: &str) -> Option<Object<'_>> {
    match parse(text)? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, consumed.
    fn next_token(&mut self) -> Option<u8> {
        self.skip_ws();
        self.next()
    }

    fn value(&mut self) -> Option<Value<'a>> {
        self.skip_ws();
        let v = match self.peek()? {
            open @ (b'{' | b'[') => {
                if self.depth == MAX_DEPTH {
                    return None;
                }
                self.depth += 1;
                self.pos += 1;
                let v = if open == b'{' {
                    Value::Object(self.object()?)
                } else {
                    Value::Array(self.array()?)
                };
                self.depth -= 1;
                v
            }
            b'"' => {
                self.pos += 1;
                Value::String(self.string()?)
            }
            b'-' | b'0'..=b'9' => Value::Number(self.number()?),
            _ => {
                let rest = self.text.get(self.pos..)?;
                let (v, len) = if rest.starts_with("true") {
                    (Value::Bool(true), 4)
                } else if rest.starts_with("false") {
                    (Value::Bool(false), 5)
                } else if rest.starts_with("null") {
                    (Value::Null, 4)
                } else {
                    return None;
                };
                self.pos += len;
                v
            }
        };
        Some(v)
    }

    /// After `[`.
    fn array(&mut self) -> Option<Vec<Value<'a>>> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(items);
        }
        loop {
            items.push(self.value()?);
            match self.next_token()? {
                b',' => {}
                b']' => return Some(items),
                _ => return None,
            }
        }
    }

    /// After `{`.
    fn object(&mut self) -> Option<Object<'a>> {
        let mut members: Vec<(Str<'a>, Value<'a>)> = Vec::new();
        let mut token = self.next_token()?;
        if token == b'}' {
            return Some(Object(members));
        }
        loop {
            if token != b'"' || members.len() == MAX_MEMBERS {
                return None;
            }
            let name = self.string()?;
            if members.iter().any(|(k, _)| **k == *name) || self.next_token()? != b':' {
                return None;
            }
            members.push((name, self.value()?));
            match self.next_token()? {
                b',' => token = self.next_token()?,
                b'}' => return Some(Object(members)),
                _ => return None,
            }
        }
    }

    /// After the opening quote: up to and including the closing one.
    fn string(&mut self) -> Option<Str<'a>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        // First find the end, so that a decoded string is allocated once at
        // its final size (escapes only ever shrink the text).
        let mut escaped = false;
        let mut end = start;
        loop {
            match *bytes.get(end)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    end += 2;
                }
                0..=0x1f => return None,
                _ => end += 1,
            }
        }
        self.pos = end + 1;
        let raw = self.text.get(start..end)?;
        if !escaped {
            return Some(Str::Borrowed(raw));
        }
        // Wiped if an escape further on turns out to be invalid.
        let mut out = Zeroizing::new(String::with_capacity(raw.len()));
        let mut rest = raw;
        while let Some(i) = crate::ascii::find(rest.as_bytes(), b'\\') {
            out.push_str(rest.get(..i)?);
            let esc = rest.get(i + 1..)?;
            let (c, used) = match esc.as_bytes().first()? {
                b'"' => ('"', 1),
                b'\\' => ('\\', 1),
                b'/' => ('/', 1),
                b'b' => ('\u{8}', 1),
                b'f' => ('\u{c}', 1),
                b'n' => ('\n', 1),
                b'r' => ('\r', 1),
                b't' => ('\t', 1),
                b'u' => unicode_escape(esc)?,
                _ => return None,
            };
            out.push(c);
            rest = esc.get(used..)?;
        }
        out.push_str(rest);
        Some(Str::Decoded(out))
    }

    fn number(&mut self) -> Option<Number<'a>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = start;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => return None,
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                return None;
            }
        }
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            if matches!(bytes.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            if !digits(&mut pos) {
                return None;
            }
        }
        self.pos = pos;
        let n = Number(self.text.get(start..pos)?);
        n.below_1e308().then_some(n)
    }
}

/// `esc` starts at the `u` of `\uXXXX`: the character and how many bytes of
/// `esc` it used (a surrogate pair uses `uXXXX\uXXXX`).
fn unicode_escape(esc: &str) -> Option<(char, usize)> {
    let first = hex4(esc, 1)?;
    match first {
        0xD800..=0xDBFF => {
            if esc.get(5..7)? != "\\u" {
                return None;
            }
            let low = hex4(esc, 7).filter(|u| (0xDC00..=0xDFFF).contains(u))?;
            Some((
                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))?,
                11,
            ))
        }
        _ => Some((char::from_u32(first)?, 5)),
    }
}

/// The four hexadecimal digits of `s` at byte `at` (either case), or `None`
/// if any of them is not one or `s` is too short.
///
/// By hand rather than `u32::from_str_radix`, whose general radix parsing was
/// its own function in the OAuth-only module.
fn hex4(s: &str, at: usize) -> Option<u32> {
    let mut value = 0;
    for &b in s.as_bytes().get(at..at + 4)? {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        value = value << 4 | u32::from(digit);
    }
    Some(value)
}

// Decoded values against serde_json's, on generated documents.
#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    /// 2^1024 − 2^970, the least magnitude an IEEE double rounds to infinity,
    /// written out: every number from it up is refused (it is far above
    /// 10^308), and numbers around it exercise long digit strings.
    const F64_OVERFLOW_TEXT: &str = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

    fn accepts(text: &str) -> bool {
        parse(text).is_some()
    }

    fn string(text: &str) -> String {
        match parse(text).unwrap() {
            Value::String(s) => s.into_owned(),
            other => panic!("not a string: {other:?}"),
        }
    }

    fn number(text: &str) -> Option<(u64, bool)> {
        match parse(text).unwrap() {
            Value::Number(n) => n.to_u64(),
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn reads_every_kind_of_value() {
        let v = parse(r#" {"a": [1, -2.5e3, true, false, null, "x"], "b": {}, "c": []} "#).unwrap();
        let Value::Object(o) = v else { panic!() };
        let Some(Value::Array(items)) = o.get("a") else {
            panic!()
        };
        assert_eq!(items.len(), 6);
        assert_eq!(items[2], Value::Bool(true));
        assert_eq!(items[3], Value::Bool(false));
        assert_eq!(items[4], Value::Null);
        assert_eq!(items[5].as_str(), Some("x"));
        assert_eq!(o.get("b"), Some(&Value::Object(Object(Vec::new()))));
        assert_eq!(o.get("c"), Some(&Value::Array(Vec::new())));
        assert_eq!(o.get("d"), None);
        for scalar in [
            "0",
            "-0",
            "1",
            "\"\"",
            "true",
            "false",
            "null",
            " \t\r\n1\n",
        ] {
            assert!(accepts(scalar), "{scalar:?}");
        }
    }

    #[test]
    fn strings_without_escapes_borrow_and_with_escapes_decode() {
        assert!(matches!(
            parse(r#""plain""#),
            Some(Value::String(Str::Borrowed("plain")))
        ));
        assert_eq!(string(r#""\"\\\/\b\f\n\r\t""#), "\"\\/\u{8}\u{c}\n\r\t");
        assert_eq!(string(r#""a\u0041\u00e9\u20AC""#), "aAé€");
        assert_eq!(string(r#""\uD834\uDD1E""#), "\u{1D11E}");
        assert_eq!(
            string(r#""\ud83d\ude39\ud83d\udc8d""#),
            "\u{1F639}\u{1F48D}"
        );
        assert_eq!(string(r#""\uDBFF\uDFFF""#), "\u{10FFFF}");
        assert_eq!(string(r#""\u0000""#), "\0");
        assert_eq!(string(r#""\\u0000""#), "\\u0000");
        assert_eq!(string("\"\u{7f}π\u{2028}€𝄞\""), "\u{7f}π\u{2028}€𝄞");
        assert_eq!(string(r#""\uFFFF\uFDD0""#), "\u{FFFF}\u{FDD0}");
        let decoded = parse(r#""a\nb""#).unwrap();
        assert!(
            matches!(decoded, Value::String(Str::Decoded(ref s)) if s.capacity() == 4),
            "allocated once, at the escaped length"
        );
    }

    #[test]
    fn refuses_bad_strings() {
        for bad in [
            "\"",
            "\"abc",
            "\"\\\"",
            "\"\\",
            r#""\x41""#,
            r#""\a""#,
            r#""\'""#,
            r#""\U0041""#,
            r#""\u00""#,
            r#""\u00G1""#,
            r#""\u+041""#,
            r#""\uD800""#,
            r#""\uDFAA""#,
            r#""\uD800abc""#,
            r#""\uD800\n""#,
            r#""\uD888\u1234""#,
            r#""\uDD1E\uD834""#,
            r#""\uD800\uD800""#,
            r#""\uD800\u""#,
            r#""\uD800\u1x""#,
            r#""\uD834\uDd""#,
            "\"\u{0}\"",
            "\"a\tb\"",
            "\"a\nb\"",
            "\"\u{1f}\"",
            "'single'",
            "\"\"x",
        ] {
            assert!(!accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn reads_numbers_by_the_grammar() {
        for good in [
            "0",
            "-0",
            "0.0",
            "-0.0e-0",
            "0e+1",
            "0E1",
            "20e1",
            "1E22",
            "1e-2",
            "1E+2",
            "123.456e78",
            "-123",
            "1.0e+28",
        ] {
            assert!(accepts(good), "{good}");
        }
        for bad in [
            "01",
            "-01",
            "00",
            "-",
            "+1",
            ".1",
            "-.1",
            "1.",
            "-2.",
            "2.e3",
            "0.e1",
            "1e",
            "1e+",
            "1E-",
            "0x1",
            "1eE2",
            "Infinity",
            "-Infinity",
            "NaN",
            "-NaN",
            "1 000",
            "1.0.",
            "0.1.2",
            "1+2",
            "- 1",
            "1ea",
            "-1x",
            "1.2a-3",
            "\u{FF11}",
        ] {
            assert!(!accepts(bad), "{bad}");
        }
    }

    #[test]
    fn numbers_become_integers_exactly() {
        assert_eq!(number("3600"), Some((3600, true)));
        assert_eq!(number("3600.000"), Some((3600, true)));
        assert_eq!(number("36e2"), Some((3600, true)));
        assert_eq!(number("360000e-2"), Some((3600, true)));
        assert_eq!(number("0.36e4"), Some((3600, true)));
        assert_eq!(number("1.5"), Some((1, false)));
        assert_eq!(number("15e-1"), Some((1, false)));
        assert_eq!(number("0.999"), Some((0, false)));
        assert_eq!(number("1e-400"), Some((0, false)));
        assert_eq!(number("-0"), Some((0, true)));
        assert_eq!(number("-0.0e5"), Some((0, true)));
        assert_eq!(number("-1"), None);
        assert_eq!(number("-0.5"), None);
        assert_eq!(number("18446744073709551615"), Some((u64::MAX, true)));
        assert_eq!(
            number("18446744073709551616"),
            Some((u64::MAX, true)),
            "saturates"
        );
        assert_eq!(number("1e300"), Some((u64::MAX, true)));
        assert_eq!(number("0e99999999999999999999"), Some((0, true)));
        assert_eq!(number("1700000000.25"), Some((1_700_000_000, false)));
    }

    /// `to_u64` as it was before the digit loops (chained iterators), kept
    /// as the reference for the test below.
    fn previous_to_u64(n: Number<'_>) -> Option<(u64, bool)> {
        let (negative, int, frac, exp) = n.parts();
        let point = (int.len() as i64).saturating_add(exp);
        let (mut value, mut exact, mut zero) = (0u64, true, true);
        let mut i = 0i64;
        for d in int.iter().chain(frac).map(|b| u64::from(b - b'0')) {
            zero &= d == 0;
            if i < point {
                value = crate::ascii::saturating_mul(value, 10).saturating_add(d);
            } else {
                exact &= d == 0;
            }
            i += 1;
        }
        for _ in 0..point.saturating_sub(i).min(20) {
            value = crate::ascii::saturating_mul(value, 10);
        }
        (!negative || zero).then_some((value, exact))
    }

    /// `below_1e308` by Rust's own float parser, where the rounding to a
    /// double cannot blur the answer (`None` within 0.01 % of 10^308).
    fn reference_below_1e308(text: &str) -> Option<bool> {
        let f = text.parse::<f64>().unwrap().abs();
        if f < 0.9999e308 {
            Some(true)
        } else if f >= 1.0001e308 {
            Some(false)
        } else {
            None
        }
    }

    #[test]
    fn digit_loops_agree_with_the_previous_chained_iterators() {
        // Numbers by the grammar, from pieces chosen to hit every branch:
        // zeros, integers around u64::MAX, fractions, exponents that move
        // the point past the digits, and long digit strings (the f64
        // overflow threshold's digits, one less, one more, shorter, longer).
        let threshold = F64_OVERFLOW_TEXT;
        let mut ints: Vec<String> = [
            "0",
            "1",
            "9",
            "10",
            "3600",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "1797693134862315",
            "179769313486231580793728971405303",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        ints.push(threshold.to_owned());
        let mut below = threshold.as_bytes().to_vec();
        *below.last_mut().unwrap() -= 1;
        ints.push(String::from_utf8(below).unwrap());
        let mut above = threshold.as_bytes().to_vec();
        *above.last_mut().unwrap() += 1;
        ints.push(String::from_utf8(above).unwrap());
        ints.push(threshold[..threshold.len() - 20].to_owned());
        ints.push(format!("{threshold}0000"));
        let fracs = [
            "",
            "0",
            "000",
            "5",
            "25",
            "0001",
            "999999999999999999999",
            "79",
        ];
        let exps = [
            "",
            "e0",
            "e1",
            "E2",
            "e+3",
            "e-1",
            "e-2",
            "e-20",
            "e19",
            "e20",
            "e21",
            "e274",
            "e275",
            "e276",
            "e307",
            "e308",
            "e309",
            "e-308",
            "e99999",
            "e-99999",
            "e99999999999999999999",
        ];
        let mut checked = 0;
        for sign in ["", "-"] {
            for int in &ints {
                for frac in fracs {
                    for exp in exps {
                        let dot = if frac.is_empty() { "" } else { "." };
                        let text = format!("{sign}{int}{dot}{frac}{exp}");
                        let n = Number(&text);
                        assert_eq!(n.to_u64(), previous_to_u64(n), "to_u64({text})");
                        if let Some(want) = reference_below_1e308(&text) {
                            assert_eq!(n.below_1e308(), want, "below_1e308({text})");
                        }
                        checked += 1;
                    }
                }
            }
        }
        // Values just around the threshold with the exponent that lines the
        // leading digit up with 10^308, at every length of prefix.
        for len in 1..=threshold.len() + 2 {
            for tail in ["", "0", "1", "9"] {
                let digits: String = threshold.chars().chain("5".chars()).take(len).collect();
                let text = format!("0.{digits}{tail}e309");
                let n = Number(&text);
                if let Some(want) = reference_below_1e308(&text) {
                    assert_eq!(n.below_1e308(), want, "below_1e308({text})");
                }
                assert_eq!(n.to_u64(), previous_to_u64(n), "to_u64({text})");
                checked += 1;
            }
        }
        assert!(checked > 5000, "{checked}");
    }

    #[test]
    fn hex4_agrees_with_the_previous_from_str_radix() {
        let previous = |s: &str, at: usize| {
            u32::from_str_radix(
                s.get(at..at + 4)
                    .filter(|h| crate::ascii::all(h.as_bytes(), |b| b.is_ascii_hexdigit()))?,
                16,
            )
            .ok()
        };
        let mut checked = 0;
        // Every value in both cases, at two offsets, and every truncation.
        for v in 0..=0xFFFFu32 {
            for text in [
                format!("u{v:04x}"),
                format!("u{v:04X}x"),
                format!("\\u{v:04X}"),
            ] {
                for at in 0..text.len() {
                    assert_eq!(hex4(&text, at), previous(&text, at), "{text:?} at {at}");
                    checked += 1;
                }
            }
        }
        // Digits mixed with every other byte, including a sign and non-ASCII.
        let others = [
            "+", "-", " ", "g", "G", "x", "/", ":", "@", "`", "é", "€", "😀",
        ];
        for other in others {
            for pos in 0..4 {
                let mut text = String::from("u");
                for i in 0..4 {
                    text.push_str(if i == pos { other } else { "a" });
                }
                text.push_str("00");
                for at in 0..text.len() {
                    assert_eq!(hex4(&text, at), previous(&text, at), "{text:?} at {at}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 900_000, "{checked}");
    }

    #[test]
    fn refuses_numbers_of_magnitude_1e308_and_above() {
        assert!(accepts("9.999999999999999e307"));
        assert!(accepts("-99999999999999999999999999999e278"));
        assert!(accepts("0.0999e309"), "leading digit at 10^307");
        assert!(accepts("1e-99999"), "underflow is zero, as in JSON.parse");
        assert!(accepts(
            "0.000000000000000000000000000000000000000000000000000000000000000000000000001"
        ));
        assert!(accepts("0e99999"), "zero with any exponent");
        // Finite doubles from 10^308 to f64::MAX are refused too: stricter
        // than JSON.parse, never looser (see the module documentation).
        for big in [
            "1e308",
            "-1e308",
            "10e307",
            "1.7976931348623157e308",
            "0.1e309",
        ] {
            assert!(
                big.parse::<f64>().unwrap().is_finite(),
                "the test itself: {big}"
            );
            assert!(!accepts(big), "{big}");
        }
        // Everything JSON.parse would make Infinity, the exact rounding
        // threshold 2^1024 − 2^970 included.
        let threshold = F64_OVERFLOW_TEXT;
        for huge in [
            threshold,
            "1.7976931348623159e308",
            "1e309",
            "-1e400",
            "1.5e+9999",
            "123123e100000",
            "9999E9999",
        ] {
            assert!(
                huge.parse::<f64>().unwrap().is_infinite(),
                "the test itself: {huge}"
            );
            assert!(!accepts(huge), "{huge}");
        }
    }

    #[test]
    fn refuses_bad_structure() {
        for bad in [
            "",
            " ",
            "[",
            "]",
            "{",
            "}",
            "[1",
            "[1,",
            "[1,]",
            "[,1]",
            "[,]",
            "[1,,2]",
            "[1 true]",
            "[3[4]]",
            "[\"\": 1]",
            "[\"x\"]]",
            "[][]",
            "{}}",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\" 1}",
            "{\"a\"::1}",
            "{\"a\":1,}",
            "{\"a\":1,,\"b\":2}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "{'a':1}",
            "{1:1}",
            "{null:null}",
            "{[:\"x\"}",
            "{]",
            "[}",
            "tru",
            "fals",
            "nul",
            "True",
            "nulll",
            "[1]x",
            "{\"a\":1}#",
            "{\"a\":1}/**/",
            "{\"a\":/*c*/1}",
            "1]",
            "[1] [2]",
            "\u{feff}{}",
            "\u{feff}",
            "[\u{c}]",
            "[\u{b}1]",
            "[\u{a0}1]",
            "[\u{2060}]",
            "<null>",
            "[\\u0020\"a\"]",
            "*",
            "é",
        ] {
            assert!(!accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn refuses_duplicate_member_names_at_any_depth() {
        assert!(!accepts(r#"{"a":1,"a":1}"#));
        assert!(!accepts(r#"{"a":1,"b":2,"a":3}"#));
        assert!(!accepts(r#"{"x":{"a":1,"a":2}}"#));
        assert!(!accepts(r#"[{"a":1,"a":2}]"#));
        assert!(
            !accepts(r#"{"a":1,"\u0061":2}"#),
            "names are compared decoded"
        );
        assert!(accepts(r#"{"a":1,"A":2,"x":{"a":3}}"#));
        assert!(accepts(r#"{"":0,"foo\u0000bar":1}"#));
    }

    #[test]
    fn limits_depth_and_members() {
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(accepts(&nested(MAX_DEPTH)));
        assert!(!accepts(&nested(MAX_DEPTH + 1)));
        assert!(!accepts(&"[".repeat(100_000)), "no stack overflow");
        assert!(!accepts(&"[{\"\":".repeat(50_000)));
        let objects = |n: usize| "{\"a\":".repeat(n) + "1" + &"}".repeat(n);
        assert!(accepts(&objects(MAX_DEPTH)));
        assert!(!accepts(&objects(MAX_DEPTH + 1)));
        let members = |n: usize| {
            let body: Vec<String> = (0..n).map(|i| format!("\"m{i}\":{i}")).collect();
            format!("{{{}}}", body.join(","))
        };
        assert!(accepts(&members(MAX_MEMBERS)));
        assert!(!accepts(&members(MAX_MEMBERS + 1)));
    }

    #[test]
    fn object_lookup_and_removal() {
        let mut o = parse_object(r#"{"a":"1","b":"2","c":"3"}"#).unwrap();
        assert_eq!(o.remove("a").unwrap().as_str(), Some("1"));
        assert!(o.remove("a").is_none());
        assert_eq!(o.get("c").and_then(Value::as_str), Some("3"));
        assert_eq!(o.get("b").and_then(Value::as_str), Some("2"));
        assert!(parse_object("[]").is_none());
        assert!(parse_object("\"{}\"").is_none());
    }

    /// Whether serde_json (an independent implementation) reads `text`, and
    /// whether some object in it has a repeated member name (which serde_json
    /// keeps silently and this reader refuses).
    fn serde_json_reading(text: &str) -> Option<bool> {
        use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
        struct Dups(bool);
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Dups;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_unit<E>(self) -> Result<Dups, E> {
                Ok(Dups(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Dups, A::Error> {
                let mut dup = false;
                while let Some(Dups(d)) = a.next_element()? {
                    dup |= d;
                }
                Ok(Dups(dup))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Dups, A::Error> {
                let (mut names, mut dup) = (Vec::<String>::new(), false);
                while let Some(name) = a.next_key::<String>()? {
                    dup |= names.contains(&name);
                    names.push(name);
                    dup |= a.next_value::<Dups>()?.0;
                }
                Ok(Dups(dup))
            }
        }
        impl<'de> Deserialize<'de> for Dups {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V)
            }
        }
        serde_json::from_str::<Dups>(text).ok().map(|d| d.0)
    }

    fn agree_with_serde_json(text: &str) {
        let expected = serde_json_reading(text) == Some(false);
        assert_eq!(
            accepts(text),
            expected,
            "{text:?}: serde_json reads it: {:?}",
            serde_json_reading(text)
        );
    }

    /// Every string of up to three pieces over an alphabet of JSON's
    /// structural pieces and some wrong ones, read by both.
    #[test]
    fn agrees_with_serde_json_on_every_short_sequence() {
        let alphabet = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"a\"",
            "\"\\u0061\"",
            "\"\\ud800\"",
            "1",
            "-0",
            "2.5e1",
            "01",
            "1.",
            "true",
            "nul",
            " ",
            "\"\\x\"",
            "\u{c}",
        ];
        let mut checked = 0;
        let mut level = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for prefix in &level {
                for piece in alphabet {
                    let text = prefix.clone() + piece;
                    agree_with_serde_json(&text);
                    checked += 1;
                    next.push(text);
                }
            }
            level = next;
        }
        assert_eq!(checked, 19 + 19 * 19 + 19 * 19 * 19 + 19 * 19 * 19 * 19);
    }

    /// Random byte edits of realistic documents, read by both.
    #[test]
    fn agrees_with_serde_json_on_mutated_documents() {
        let docs = [
            r#"{"access_token":"eyJ\u0041b.c-d_e","token_type":"Bearer","expires_in":3600,"scope":"openid email","id_token":"a.b.c"}"#,
            r#"{"iss":"https://op.example","sub":"alice","aud":["spa","api"],"exp":1700000300,"iat":1.7e9,"nonce":"n\/1","x":[null,true,{"y":-0.5E-3,"z":"\ud83d\ude39"}]}"#,
        ];
        let mut rng = crate::test_rng::xorshift64(0x2545_f491_4f6c_dd1d);
        let mut rand = move || rng() as usize;
        let pieces = b"{}[],:\"\\ .-+eE0123456789aunltrfx/\t\n";
        let (mut accepted, mut refused) = (0, 0);
        for doc in docs {
            assert!(accepts(doc));
            for _ in 0..20_000 {
                let mut b = doc.as_bytes().to_vec();
                for _ in 0..1 + rand() % 3 {
                    let at = rand() % b.len();
                    let piece = pieces[rand() % pieces.len()];
                    match rand() % 3 {
                        0 => b[at] = piece,
                        1 => {
                            b.remove(at);
                        }
                        _ => b.insert(at, piece),
                    }
                }
                let text = String::from_utf8(b).unwrap();
                agree_with_serde_json(&text);
                if accepts(&text) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(
            accepted > 1_000 && refused > 1_000,
            "the mutations exercise both outcomes: {accepted} / {refused}"
        );
    }

    #[test]
    fn depth_limit_is_serde_json_s() {
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        agree_with_serde_json(&nested(MAX_DEPTH));
        agree_with_serde_json(&nested(MAX_DEPTH + 1));
    }
}
