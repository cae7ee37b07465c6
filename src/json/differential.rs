//! The JSON reader against serde_json on generated documents, value by value.
//!
//! Each document is read by both. They must agree on accepting it, except
//! where this reader refuses by its own rules (the module documentation):
//! a member name twice in one object (serde_json keeps the last), more than
//! [`MAX_MEMBERS`] members in one object, a number of magnitude 10^308 or
//! more. Depth is not an exception: [`MAX_DEPTH`] is serde_json's limit.
//! Where both accept, the values must be the same: strings equal after
//! decoding, object members in document order (read from serde_json with a
//! visitor of our own, so no `preserve_order` is needed), arrays item by
//! item, and numbers as this reader exposes them: its text must parse to
//! the very double serde_json read (`float_roundtrip`, so serde_json's is
//! correctly rounded) or to its integer, and [`Number::to_u64`] must be the
//! exact floor of the decimal (checked against a decimal reference here, and
//! against serde_json's double where that double cannot be on the wrong side
//! of an integer).
//!
//! The generator writes nested objects and arrays, strings with every
//! escape (surrogate pairs, lone and misordered surrogates, bad escapes, raw
//! control characters), numbers in every form the grammar allows and some it
//! does not (exponents, `-0`, integers past `u64`, hundreds of digits), names
//! that repeat (also written with different escapes), JSON's four whitespace
//! characters and, rarely, others (U+00A0, `\v`, `\f`, U+2028, a BOM...),
//! which both must refuse outside strings, and breakage (trailing commas,
//! missing colons, trailing data, comments).
//!
//! The seed changes from run to run and is printed; `EDGE_SSO_JSON_SEED=<n>`
//! repeats a run, `EDGE_SSO_JSON_DOCS=<n>` sets how many documents (10,000
//! by default).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::fmt::Write as _;

use super::{parse, Number, Value, MAX_DEPTH, MAX_MEMBERS};

/// A value as serde_json read it.
#[derive(Debug)]
enum Ref {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Arr(Vec<Ref>),
    Obj(Vec<(String, Ref)>),
}

impl<'de> serde::Deserialize<'de> for Ref {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ref;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Ref, E> {
                Ok(Ref::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Ref, E> {
                Ok(Ref::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Ref, E> {
                Ok(Ref::U64(n))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Ref, E> {
                Ok(Ref::I64(n))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Ref, E> {
                Ok(Ref::F64(n))
            }
            fn visit_str<E>(self, s: &str) -> Result<Ref, E> {
                Ok(Ref::Str(s.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Ref, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = a.next_element()? {
                    items.push(v);
                }
                Ok(Ref::Arr(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Ref, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = a.next_key::<String>()? {
                    members.push((name, a.next_value()?));
                }
                Ok(Ref::Obj(members))
            }
        }
        d.deserialize_any(V)
    }
}

/// What in a document serde_json read makes this reader refuse it.
#[derive(Default)]
struct Refusals {
    duplicate_name: bool,
    too_many_members: bool,
    number_1e308: bool,
    /// A double so close to 10^308 that it does not tell on which side the
    /// decimal was (the reader decides on the digits, and so does the test:
    /// [`at_least_1e308`] on the numbers the generator wrote).
    ambiguous: bool,
}

fn refusals(r: &Ref, out: &mut Refusals) {
    match r {
        Ref::F64(f) => {
            let m = f.abs();
            out.number_1e308 |= m >= 1e308;
            out.ambiguous |= (1e308 * (1.0 - 1e-15)..=1e308 * (1.0 + 1e-15)).contains(&m);
        }
        Ref::Arr(items) => items.iter().for_each(|v| refusals(v, out)),
        Ref::Obj(members) => {
            out.too_many_members |= members.len() > MAX_MEMBERS;
            for (i, (name, v)) in members.iter().enumerate() {
                out.duplicate_name |= members[..i].iter().any(|(n, _)| n == name);
                refusals(v, out);
            }
        }
        _ => {}
    }
}

/// The floor of the decimal `text` (grammar already checked) as a `u64`,
/// saturating, and whether it is an integer; `None` below zero. Written on
/// the digit string with std's integer parsing, apart from the reader's
/// digit loop.
fn exact_floor(text: &str) -> Option<(u64, bool)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, "0"),
    };
    let exp_digits = exp.trim_start_matches(['+', '-']).trim_start_matches('0');
    let exp: i64 = if exp_digits.len() > 6 {
        if exp.starts_with('-') {
            -1_000_000
        } else {
            1_000_000
        }
    } else {
        exp.trim_start_matches('+').parse().unwrap_or(0)
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let zero = digits.bytes().all(|b| b == b'0');
    if negative && !zero {
        return None;
    }
    if zero {
        return Some((0, true));
    }
    let point = int.len() as i64 + exp;
    if point <= 0 {
        return Some((0, false));
    }
    let point = point as usize;
    let (whole, fraction) = if point >= digits.len() {
        if point > 60 {
            return Some((u64::MAX, true));
        }
        (digits.clone() + &"0".repeat(point - digits.len()), "")
    } else {
        (digits[..point].to_owned(), &digits[point..])
    };
    let whole = whole.trim_start_matches('0');
    let value = if whole.is_empty() {
        0
    } else if whole.len() > 20 {
        u64::MAX
    } else {
        whole.parse().unwrap_or(u64::MAX)
    };
    Some((value, fraction.bytes().all(|b| b == b'0')))
}

/// Whether the magnitude of the decimal `text` is 10^308 or more, from its
/// digits.
fn at_least_1e308(text: &str) -> bool {
    let rest = text.trim_start_matches('-');
    let (mantissa, exp) = rest.split_once(['e', 'E']).unwrap_or((rest, "0"));
    let exp: i64 = exp.trim_start_matches('+').parse().unwrap_or(0);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    match digits.find(|c| c != '0') {
        Some(first) => {
            // The power of ten of the leading digit.
            let leading = int.len() as i64 - first as i64 - 1 + exp;
            leading >= 308
        }
        None => false,
    }
}

/// How many significant digits the decimal `text` has.
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_matches('0').len()
}

fn number_agrees(n: Number<'_>, r: &Ref) -> Result<(), String> {
    let text = n.0;
    let ours = n.to_u64();
    let exact = exact_floor(text);
    if ours != exact {
        return Err(format!(
            "{text}: to_u64 {ours:?}, the exact floor is {exact:?}"
        ));
    }
    match *r {
        Ref::U64(u) if text.parse::<u64>() == Ok(u) && ours == Some((u, true)) => Ok(()),
        Ref::I64(i) if text.parse::<i64>() == Ok(i) && i < 0 && ours.is_none() => Ok(()),
        Ref::F64(f) => {
            let std = text.parse::<f64>().unwrap();
            if std.to_bits() != f.to_bits() {
                return Err(format!("{text}: serde_json {f:e}, the text {std:e}"));
            }
            // A double from 15 significant digits or fewer, below 2^53 and
            // not an underflow, is never on the wrong side of an integer.
            let digits = significant_digits(text);
            let safe = digits <= 15
                && f.abs() < 9_007_199_254_740_992.0
                && if f == 0.0 {
                    digits == 0
                } else {
                    f.abs() >= 1e-300
                };
            let by_double = if f < 0.0 {
                None
            } else {
                Some((f.floor() as u64, f.fract() == 0.0))
            };
            if safe && ours != by_double {
                return Err(format!(
                    "{text}: to_u64 {ours:?}, serde_json's {f:e} says {by_double:?}"
                ));
            }
            Ok(())
        }
        _ => Err(format!("{text}: serde_json read {r:?}, to_u64 {ours:?}")),
    }
}

/// Whether the reader's value is serde_json's, or the first difference.
fn same(ours: &Value<'_>, theirs: &Ref, path: &str, stats: &mut Stats) -> Result<(), String> {
    let differ = || Err(format!("at {path}: ours {ours:?}, serde_json {theirs:?}"));
    match (ours, theirs) {
        (Value::Null, Ref::Null) => Ok(()),
        (Value::Bool(a), Ref::Bool(b)) if a == b => Ok(()),
        (Value::Number(n), r) => {
            stats.numbers += 1;
            number_agrees(*n, r).map_err(|e| format!("at {path}: {e}"))
        }
        (Value::String(a), Ref::Str(b)) if **a == **b => {
            stats.strings += 1;
            stats.decoded += usize::from(matches!(a, super::Str::Decoded(_)));
            Ok(())
        }
        (Value::String(a), Ref::Str(b)) => {
            Err(format!("at {path}: ours {:?}, serde_json {b:?}", &**a))
        }
        (Value::Array(a), Ref::Arr(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"), stats)?;
            }
            Ok(())
        }
        (Value::Object(a), Ref::Obj(b)) if a.members().len() == b.len() => {
            for ((ka, va), (kb, vb)) in a.members().iter().zip(b) {
                if **ka != **kb {
                    return Err(format!("at {path}: member {:?}, serde_json {kb:?}", &**ka));
                }
                stats.members += 1;
                same(va, vb, &format!("{path}.{kb}"), stats)?;
            }
            Ok(())
        }
        _ => differ(),
    }
}

#[derive(Default)]
struct Stats {
    numbers: usize,
    strings: usize,
    /// Strings with escapes.
    decoded: usize,
    members: usize,
}

/// The document generator.
struct Gen<R> {
    rng: R,
    /// One in `breakage` chances to break something (0: never).
    breakage: u64,
    /// The numbers written into the document so far.
    numbers: Vec<String>,
}

impl<R: FnMut() -> u64> Gen<R> {
    fn below(&mut self, n: u64) -> u64 {
        (self.rng)() % n
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    fn broken(&mut self) -> bool {
        self.breakage != 0 && self.one_in(self.breakage)
    }

    fn hex4(&mut self, u: u32, out: &mut String) {
        if self.one_in(2) {
            write!(out, "\\u{u:04x}").unwrap();
        } else {
            write!(out, "\\u{u:04X}").unwrap();
        }
    }

    fn ws(&mut self, out: &mut String) {
        if self.one_in(300) {
            let other = [
                '\u{a0}', '\u{b}', '\u{c}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{3000}',
                '\u{85}', '\u{1680}', '\u{200b}', '\u{0}',
            ];
            out.push(self.pick(&other));
        }
        for _ in 0..self.pick(&[0, 0, 0, 1, 1, 2, 4]) {
            out.push(self.pick(&[' ', '\t', '\n', '\r']));
        }
    }

    fn digits(&mut self, n: u64, out: &mut String) {
        for _ in 0..n {
            out.push(char::from(b'0' + self.below(10) as u8));
        }
    }

    fn number(&mut self, out: &mut String) {
        let start = out.len();
        self.number_text(out);
        self.numbers.push(out[start..].to_owned());
    }

    fn number_text(&mut self, out: &mut String) {
        if self.broken() {
            let bad = [
                "01",
                "1.",
                ".5",
                "+1",
                "-",
                "1e",
                "1e+",
                "0x10",
                "NaN",
                "Infinity",
                "-Infinity",
                "1.e5",
                "00",
                "-01",
                "1_000",
                "1E",
                "--1",
                "1.5.5",
                "0.",
                "-.5",
                "1e1.5",
            ];
            out.push_str(self.pick(&bad));
            return;
        }
        match self.below(9) {
            0 => write!(out, "{}", self.below(1000)).unwrap(),
            1 => write!(out, "-{}", self.below(1000)).unwrap(),
            2 => out.push_str(self.pick(&[
                "-0",
                "0",
                "-0.0",
                "0e0",
                "-0e-0",
                "0.000",
                "0E+5",
                "-0e400",
                "1e-400",
                "-1e-400",
                "18446744073709551615",
                "18446744073709551616",
                "18446744073709551615.5",
                "9223372036854775807",
                "-9223372036854775808",
                "-9223372036854775809",
                "9007199254740993",
                "9007199254740993.0",
                "1e19",
                "1.8446744073709551615e19",
                "1e308",
                "9.99e307",
                "-1e308",
                "1.7976931348623157e308",
                "1e309",
                "100e306",
                "0.1e309",
                "99999999999999999999e288",
            ])),
            3 => {
                // Integers past u64, some of them hundreds of digits long.
                if self.one_in(2) {
                    out.push('-');
                }
                out.push(char::from(b'1' + self.below(8) as u8));
                let n = if self.one_in(8) {
                    300 + self.below(12)
                } else {
                    18 + self.below(25)
                };
                self.digits(n, out);
            }
            4 | 5 => {
                if self.one_in(3) {
                    out.push('-');
                }
                if self.one_in(3) {
                    out.push('0');
                } else {
                    out.push(char::from(b'1' + self.below(9) as u8));
                    let n = self.below(6);
                    self.digits(n, out);
                }
                out.push('.');
                let n = 1 + self.below(22);
                self.digits(n, out);
            }
            _ => {
                if self.one_in(3) {
                    out.push('-');
                }
                if self.one_in(4) {
                    out.push('0');
                } else {
                    out.push(char::from(b'1' + self.below(9) as u8));
                    let n = self.below(4);
                    self.digits(n, out);
                }
                if self.one_in(2) {
                    out.push('.');
                    let n = 1 + self.below(5);
                    self.digits(n, out);
                }
                out.push(self.pick(&['e', 'E']));
                out.push_str(self.pick(&["", "+", "-"]));
                if self.one_in(4) {
                    out.push('0');
                }
                write!(out, "{}", self.below(420)).unwrap();
            }
        }
    }

    fn string(&mut self, out: &mut String) {
        out.push('"');
        for _ in 0..self.below(6) {
            if self.broken() {
                let bad = [
                    "\\x41",
                    "\\u12G4",
                    "\\u12",
                    "\\U0041",
                    "\\'",
                    "\\a",
                    "\\0",
                    "\u{1}",
                    "\u{1f}",
                    "\n",
                    "\t",
                    "\u{0}",
                    "\\",
                    "\\u",
                    "\\uD83D\\u",
                ];
                out.push_str(self.pick(&bad));
                continue;
            }
            match self.below(24) {
                0..=5 => {
                    for _ in 0..1 + self.below(8) {
                        out.push(char::from(b'a' + self.below(26) as u8));
                    }
                }
                6..=8 => out.push_str(self.pick(&[
                    "é", "ß", "😀", "\u{2028}", "\u{7f}", "\u{a0}", "中", " ", "/", "'",
                ])),
                9..=11 => out.push_str(
                    self.pick(&["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]),
                ),
                12..=15 => {
                    let u = loop {
                        let u = if self.one_in(2) {
                            self.below(0x100) as u32
                        } else {
                            self.below(0x1_0000) as u32
                        };
                        if !(0xD800..=0xDFFF).contains(&u) {
                            break u;
                        }
                    };
                    self.hex4(u, out);
                }
                16..=21 => {
                    let c = 0x1_0000 + self.below(0x10_0000) as u32;
                    self.hex4(0xD800 + ((c - 0x1_0000) >> 10), out);
                    self.hex4(0xDC00 + ((c - 0x1_0000) & 0x3ff), out);
                }
                _ => {
                    // Surrogates that do not make a pair.
                    let high = 0xD800 + self.below(0x400) as u32;
                    let low = 0xDC00 + self.below(0x400) as u32;
                    match self.below(5) {
                        0 => self.hex4(high, out),
                        1 => self.hex4(low, out),
                        2 => {
                            self.hex4(high, out);
                            self.hex4(0x41, out);
                        }
                        3 => {
                            self.hex4(high, out);
                            self.hex4(high, out);
                        }
                        _ => {
                            self.hex4(low, out);
                            self.hex4(high, out);
                        }
                    }
                }
            }
        }
        if !self.broken() {
            out.push('"');
        }
    }

    fn name(&mut self, out: &mut String) {
        // A small pool, so that names repeat, also as different spellings of one name.
        if self.one_in(3) {
            out.push_str(self.pick(&[
                "\"a\"",
                "\"\\u0061\"",
                "\"b\"",
                "\"access_token\"",
                "\"access\\u005ftoken\"",
                "\"\"",
                "\"\\ud83d\\ude00\"",
                "\"😀\"",
            ]));
        } else {
            self.string(out);
        }
    }

    fn value(&mut self, depth: usize, out: &mut String) {
        self.ws(out);
        // Mostly a container at the top, mostly scalars deep down.
        let kind = match depth {
            0 if !self.one_in(4) => 5 + self.below(3),
            0..=5 => self.below(8),
            _ => self.below(5),
        };
        match kind {
            0 => out.push_str(if self.broken() {
                self.pick(&["nul", "True", "undefined", "'a'"])
            } else {
                "null"
            }),
            1 => out.push_str(self.pick(&["true", "false"])),
            2 | 3 => self.number(out),
            4 => self.string(out),
            5 => {
                out.push('[');
                let n = self.below(5);
                for i in 0..n {
                    if i > 0 && !self.broken() {
                        out.push(',');
                    }
                    self.value(depth + 1, out);
                }
                if n > 0 && self.broken() {
                    out.push(',');
                }
                self.ws(out);
                out.push(']');
            }
            _ => {
                out.push('{');
                let n = self.below(5);
                self.members(n, depth, out);
                out.push('}');
            }
        }
        self.ws(out);
    }

    fn members(&mut self, n: u64, depth: usize, out: &mut String) {
        for i in 0..n {
            if i > 0 && !self.broken() {
                out.push(',');
            }
            self.ws(out);
            self.name(out);
            self.ws(out);
            if !self.broken() {
                out.push(':');
            }
            self.value(depth + 1, out);
        }
        if n > 0 && self.broken() {
            out.push(',');
        }
        self.ws(out);
    }

    fn document(&mut self) -> String {
        self.numbers.clear();
        self.breakage = self.pick(&[0, 0, 0, 40, 150]);
        let mut out = String::new();
        match self.below(400) {
            // Nesting around the depth limit.
            0..=7 => {
                let n = MAX_DEPTH - 3 + self.below(7) as usize;
                let mut close = String::new();
                for _ in 0..n {
                    if self.one_in(2) {
                        out.push('[');
                        close.insert(0, ']');
                    } else {
                        out.push_str("{\"k\":");
                        close.insert(0, '}');
                    }
                }
                self.value(MAX_DEPTH, &mut out);
                out.push_str(&close);
            }
            // An object around the member limit.
            8 => {
                out.push('{');
                let n = MAX_MEMBERS as u64 - 2 + self.below(5);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    write!(out, "\"m{i}\":{i}").unwrap();
                }
                out.push('}');
            }
            _ => self.value(0, &mut out),
        }
        if self.broken() {
            let (before, after) = self.pick(&[
                ("", " x"),
                ("", ","),
                ("", "]"),
                ("", " 1"),
                ("", "/* c */"),
                ("\u{feff}", ""),
                ("// c\n", ""),
                ("[", ""),
            ]);
            out.insert_str(0, before);
            out.push_str(after);
        }
        out
    }
}

#[test]
fn decoded_values_agree_with_serde_json_on_generated_documents() {
    let seed = crate::test_rng::seed("EDGE_SSO_JSON_SEED");
    let docs = crate::test_rng::env_number("EDGE_SSO_JSON_DOCS").unwrap_or(10_000);
    println!(
        "json differential: seed {seed} (EDGE_SSO_JSON_SEED={seed} repeats it), {docs} documents"
    );
    let mut gen = Gen {
        rng: crate::test_rng::xorshift64(seed.max(1)),
        breakage: 0,
        numbers: Vec::new(),
    };
    let mut stats = Stats::default();
    let (mut both, mut neither, mut near_1e308) = (0, 0, 0);
    let (mut dup, mut members, mut big) = (0, 0, 0);
    let mut wrong = Vec::new();
    for _ in 0..docs {
        let text = gen.document();
        let theirs = serde_json::from_str::<Ref>(&text);
        let ours = parse(&text);
        let mut why = Refusals::default();
        if let Ok(r) = &theirs {
            refusals(r, &mut why);
        }
        if why.ambiguous {
            near_1e308 += 1;
            why.number_1e308 = gen.numbers.iter().any(|n| at_least_1e308(n));
        }
        let expected =
            theirs.is_ok() && !why.duplicate_name && !why.too_many_members && !why.number_1e308;
        if ours.is_some() != expected {
            wrong.push(format!(
                "{text:?}: ours {}, serde_json {:?}",
                if ours.is_some() { "accepts" } else { "refuses" },
                theirs
                    .as_ref()
                    .map(|_| "accepts")
                    .map_err(ToString::to_string),
            ));
            continue;
        }
        match (&ours, &theirs) {
            (Some(v), Ok(r)) => match same(v, r, "$", &mut stats) {
                Ok(()) => both += 1,
                Err(e) => wrong.push(format!("{text:?}: {e}")),
            },
            (None, Err(_)) => neither += 1,
            _ => {
                dup += usize::from(why.duplicate_name);
                members += usize::from(why.too_many_members);
                big += usize::from(why.number_1e308);
            }
        }
    }
    println!(
        "json differential: {both} accepted by both with the same values ({} numbers, {} strings \
         of which {} with escapes, {} members compared), {neither} refused by both; refused by edge-sso only, by its rules: \
         {dup} with a repeated name, {members} with over {MAX_MEMBERS} members, {big} with a number \
         of 1e308 or more ({near_1e308} documents with a double too close to 1e308 to tell, decided on the digits)",
        stats.numbers, stats.strings, stats.decoded, stats.members
    );
    assert!(
        wrong.is_empty(),
        "seed {seed}: {} disagreements, the first ones:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(10)].join("\n")
    );
    if docs >= 5_000 {
        assert!(
            both > docs as usize / 4 && neither > docs as usize / 10,
            "both outcomes are exercised"
        );
        assert!(
            dup > 0 && members > 0 && big > 0,
            "each of the reader's own refusals is exercised"
        );
    }
}

#[test]
fn the_decimal_reference_is_right() {
    for (text, want) in [
        ("0", Some((0, true))),
        ("-0", Some((0, true))),
        ("-0.0e5", Some((0, true))),
        ("-1e-400", None),
        ("1e-400", Some((0, false))),
        ("12.5", Some((12, false))),
        ("12.50e1", Some((125, true))),
        ("1.5e1", Some((15, true))),
        ("150e-2", Some((1, false))),
        ("18446744073709551615", Some((u64::MAX, true))),
        ("18446744073709551616", Some((u64::MAX, true))),
        ("1e400", Some((u64::MAX, true))),
        ("0.001e3", Some((1, true))),
        ("-5", None),
    ] {
        assert_eq!(exact_floor(text), want, "{text}");
    }
}
