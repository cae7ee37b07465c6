//! A small JSON writer for handing results to JavaScript as one string.
//!
//! Why: building a result object member by member costs a boundary crossing
//! (and a UTF-8 decode) per key and per value; one JSON text and one
//! `JSON.parse` cost one. `JSON.parse` also makes every member an own data
//! property, so an attribute named `__proto__` is just a key, never a
//! prototype change.
// The native OAuth-only build (no SAML, no facade) writes only a few shapes.
#![cfg_attr(not(any(feature = "saml", target_arch = "wasm32")), allow(dead_code))]

use alloc::string::String;

/// Writes one JSON object; members are added in order, `None`s left out.
pub(crate) struct JsonObject {
    out: String,
    first: bool,
}

impl JsonObject {
    /// An object with room for about `capacity` bytes of text.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        Self { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    /// `"key":"value"`.
    pub(crate) fn string(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    /// `"key":"value"` when there is a value.
    pub(crate) fn opt_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.string(key, v);
        }
        self
    }

    /// `"key":n`; `n` must be a safe JS integer (times in ms are).
    pub(crate) fn number(&mut self, key: &str, n: u64) -> &mut Self {
        self.key(key);
        push_u64(&mut self.out, n);
        self
    }

    /// `"key":n` when there is a number.
    pub(crate) fn opt_number(&mut self, key: &str, n: Option<u64>) -> &mut Self {
        if let Some(n) = n {
            self.number(key, n);
        }
        self
    }

    /// `"key":true|false`.
    pub(crate) fn boolean(&mut self, key: &str, b: bool) -> &mut Self {
        self.key(key);
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    /// `"key":[…strings]`.
    #[cfg_attr(not(feature = "saml"), allow(dead_code))] // SAML's attribute values
    pub(crate) fn strings(&mut self, key: &str, values: &[String]) -> &mut Self {
        self.key(key);
        self.out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_string(&mut self.out, v);
        }
        self.out.push(']');
        self
    }

    /// `"key":{…}`, written by `f` into a nested object.
    pub(crate) fn object(&mut self, key: &str, f: impl FnOnce(&mut JsonObject)) -> &mut Self {
        self.key(key);
        let mut inner = JsonObject {
            out: core::mem::take(&mut self.out),
            first: true,
        };
        inner.out.push('{');
        f(&mut inner);
        self.out = inner.finish();
        self
    }

    /// The text, closed.
    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON string literal (RFC 8259 §7): quote, backslash and C0 controls
/// escaped; everything else, non-ASCII included, written as UTF-8 (since
/// ES2019 `JSON.parse` takes U+2028 and U+2029 as they are).
pub(crate) fn push_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            0..=0x1f => "",
            _ => continue,
        };
        // Every byte matched is ASCII, so `i` is a char boundary.
        out.push_str(s.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'),
            ));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn round_trips_through_an_independent_parser() {
        let nasty = "a\"b\\c\n\r\t\u{0}\u{1f}\u{7f}é😀\u{2028}\u{2029}€→\u{2027}</script>";
        let mut o = JsonObject::with_capacity(16);
        o.string("s", nasty)
            .opt_string("none", None)
            .number("n", 9_007_199_254_740_991)
            .number("z", 0);
        o.boolean("t", true)
            .strings("list", &["x".into(), nasty.into()]);
        o.object("nested", |n| {
            n.string("__proto__", "v").opt_number("m", Some(42));
        });
        let text = o.finish();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["s"], nasty);
        assert!(v.get("none").is_none());
        assert_eq!(v["n"], 9_007_199_254_740_991u64);
        assert_eq!(v["z"], 0);
        assert_eq!(v["t"], true);
        assert_eq!(v["list"][1], nasty);
        assert_eq!(v["nested"]["__proto__"], "v");
        assert_eq!(v["nested"]["m"], 42);
        assert!(!text.contains('\u{0}'), "{text}");
    }

    #[test]
    fn empty_object_and_list() {
        let mut o = JsonObject::with_capacity(0);
        o.strings("l", &[]).object("o", |_| {});
        assert_eq!(o.finish(), r#"{"l":[],"o":{}}"#);
        assert_eq!(JsonObject::with_capacity(0).finish(), "{}");
    }
}
