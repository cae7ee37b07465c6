//! A caller's options object, read strictly from the JSON text the JS
//! layer (`encode` in `js/wasm-support.js`) makes of it.
//!
//! Why JSON text and not the JS object itself: reading a JS object member by
//! member takes a dozen imported JS operations (`Object.entries`, type tests,
//! value getters) and a handle table in the module; one string and the JSON
//! reader the token response already needs cost nothing extra, and keep the
//! rules here in plain Rust, tested natively.
//!
//! The encoder (`encode` in `js/wasm-support.js`) writes the JSON
//! itself, keeping the distinctions `JSON.stringify` would lose: options
//! that are `undefined` as a whole become `null` (no options), a member that
//! is `undefined` is left out (as `JSON.stringify` does: a required member
//! that is unset arrives missing and is refused, where `null` would be read
//! as "none"; an explicit `null` is kept, which [`Options::has`] sees and
//! the getters read as absent; SAML's metadata signer certificates, whose
//! absence reads metadata unsigned, are written as `null` when `undefined`,
//! see `js/saml-api.js`), and every value that must not be read as
//! something else becomes `[[]]`, which every getter refuses as the wrong
//! type: a function, a symbol, a BigInt, `NaN`, ±Infinity, a number of
//! magnitude 1e308 or more, a list inside a list, an object nested deeper
//! than an option's own object (`extraParams`, SAML's `idp`). A list is
//! written as one (SAML's certificates and session indexes; every scalar
//! getter refuses it). A string that is not well-formed UTF-16 and an
//! object that is not plain (a `Map`'s entries are not its properties) are
//! refused by the encoder itself. Only own
//! enumerable string-keyed members are written (a non-enumerable one is
//! refused by the wrapper), each getter runs once, so an inherited member
//! from a polluted `Object.prototype` is never read and the value checked
//! is the value used.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{self, Str, Value};

/// Option names that would carry a secret. They get `config.secret_refused`
/// (with the promise spelled out) instead of a plain "unknown option".
pub(crate) const SECRET_NAMES: [&str; 14] = [
    "clientSecret",
    "client_secret",
    "secret",
    "privateKey",
    "private_key",
    "privateKeyPem",
    "signingKey",
    "hmacKey",
    "clientAssertion",
    "client_assertion",
    "jwk",
    "key",
    "password",
    "tokenEndpointAuthMethod",
];

/// The largest integer JavaScript holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// Refuses an option name the function does not know: a typo must not
/// silently turn a check off, and a name that would carry a secret is told so.
pub(crate) fn check_name(name: &str, allowed: &[&str]) -> crate::Result<()> {
    if allowed.contains(&name) {
        return Ok(());
    }
    if let Some(s) = SECRET_NAMES.iter().find(|s| **s == name) {
        return Err(Error::SecretRefused { field: s });
    }
    Err(Error::UnknownOption {
        name: first_chars(name, 64).into(),
    })
}

/// The first `n` characters of `s` (all of it if shorter): it ends where the
/// (n+1)th character starts, found by counting the bytes that start a UTF-8
/// sequence.
fn first_chars(s: &str, n: usize) -> &str {
    let mut starts = 0;
    for (i, b) in s.bytes().enumerate() {
        if (b & 0xc0) != 0x80 {
            if starts == n {
                return s.get(..i).unwrap_or(s);
            }
            starts += 1;
        }
    }
    s
}

/// An options object whose names have all been checked.
pub(crate) struct Options<'a> {
    members: Vec<(Str<'a>, Value<'a>)>,
}

impl<'a> Options<'a> {
    /// Reads `text`: `null` (the wrapper's `undefined`) is no options; any
    /// other non-object is refused as `what`; every name must be `allowed`.
    pub fn parse(text: &'a str, what: &'static str, allowed: &[&str]) -> crate::Result<Self> {
        let not_object = Error::InvalidArgument {
            field: what,
            reason: "must be an object",
        };
        let members = match json::parse(text) {
            Some(Value::Null) => Vec::new(),
            Some(Value::Object(o)) => o.into_members(),
            _ => return Err(not_object),
        };
        for (name, _) in &members {
            check_name(name, allowed)?;
        }
        Ok(Self { members })
    }

    /// No options at all.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub fn empty() -> Self {
        Self {
            members: Vec::new(),
        }
    }

    /// Whether the caller wrote `key` at all (even as `null` or `undefined`).
    pub fn has(&self, key: &str) -> bool {
        self.members.iter().any(|(k, _)| **k == *key)
    }

    /// The value of `key`; `null` (and so `undefined`) reads as absent.
    fn get(&self, key: &str) -> Option<&Value<'a>> {
        let (_, v) = self.members.iter().find(|(k, _)| **k == *key)?;
        (!matches!(v, Value::Null)).then_some(v)
    }

    /// A string member, borrowed (no copy: for a secret such as a verifier).
    pub fn str(&self, key: &'static str) -> crate::Result<Option<&str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(key, "must be a string")),
        }
    }

    /// A string member.
    pub fn string(&self, key: &'static str) -> crate::Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(String::from(&**s))),
            Some(_) => Err(invalid(key, "must be a string")),
        }
    }

    /// A string member that must be there.
    pub fn required_string(&self, key: &'static str) -> crate::Result<String> {
        self.string(key)?.ok_or(invalid(key, "is required"))
    }

    /// A boolean member.
    pub fn bool(&self, key: &'static str) -> crate::Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(invalid(key, "must be a boolean")),
        }
    }

    /// A non-negative integer that is a JS safe integer (`1.0` is one:
    /// JavaScript has no separate integer type; `1.5` is not).
    pub fn uint(&self, key: &'static str) -> crate::Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.to_u64() {
                Some((v, true)) if v <= MAX_SAFE_INTEGER => Ok(Some(v)),
                _ => Err(invalid(key, "must be a non-negative integer")),
            },
            Some(_) => Err(invalid(key, "must be a non-negative integer")),
        }
    }

    /// `now` in ms since the epoch, or `None` for the host clock.
    pub fn now(&self) -> crate::Result<Option<u64>> {
        self.uint("now")
    }

    /// A `{ name: "value" }` object as ordered pairs.
    pub fn string_map(&self, key: &'static str) -> crate::Result<Vec<(String, String)>> {
        let members = match self.get(key) {
            None => return Ok(Vec::new()),
            Some(Value::Object(o)) => o.members(),
            Some(_) => return Err(invalid(key, "must be an object of strings")),
        };
        members
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((String::from(&**k), String::from(&**s))),
                _ => Err(invalid(key, "every value must be a string")),
            })
            .collect()
    }
}

#[cfg(feature = "saml")]
impl<'a> Options<'a> {
    /// A list of strings (absent is none).
    pub fn string_list(&self, key: &'static str) -> crate::Result<Vec<String>> {
        let items = match self.get(key) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(invalid(key, "must be an array of strings")),
        };
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(String::from(&**s)),
                _ => Err(invalid(key, "must be an array of strings")),
            })
            .collect()
    }

    /// A string, or a list of strings, as a list (absent is none).
    pub fn string_or_list(&self, key: &'static str) -> crate::Result<Vec<String>> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(alloc::vec![String::from(&**s)]),
            _ => self.string_list(key),
        }
    }

    /// A nested options object, its names checked against `allowed`, taken
    /// out of this one (absent is `None`; read it once).
    pub fn take_object(
        &mut self,
        key: &'static str,
        allowed: &[&str],
    ) -> crate::Result<Option<Options<'a>>> {
        let Some((_, v)) = self.members.iter_mut().find(|(k, _)| **k == *key) else {
            return Ok(None);
        };
        match core::mem::replace(v, Value::Null) {
            Value::Null => Ok(None),
            Value::Object(o) => {
                let members = o.into_members();
                for (name, _) in &members {
                    check_name(name, allowed)?;
                }
                Ok(Some(Options { members }))
            }
            _ => Err(invalid(key, "must be an object")),
        }
    }
}

fn invalid(field: &'static str, reason: &'static str) -> Error {
    Error::InvalidArgument { field, reason }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn code<T>(r: crate::Result<T>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn null_is_no_options_and_non_objects_are_refused() {
        let o = Options::parse("null", "options", &["now"]).unwrap();
        assert_eq!(o.now().unwrap(), None);
        assert!(!o.has("now"));
        for bad in ["[]", "\"x\"", "1", "true", "", "{", "{} {}"] {
            assert_eq!(
                code(Options::parse(bad, "options", &["now"])),
                "arg.invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn names_are_checked_secrets_first() {
        assert_eq!(
            code(Options::parse(r#"{"nw":1}"#, "o", &["now"])),
            "arg.unknown_option"
        );
        assert_eq!(
            code(Options::parse(r#"{"clientSecret":"s"}"#, "o", &["now"])),
            "config.secret_refused"
        );
        let long = "é".repeat(100);
        match Options::parse(&alloc::format!("{{\"{long}\":1}}"), "o", &[]) {
            Err(Error::UnknownOption { name }) => assert_eq!(name.chars().count(), 64),
            _ => panic!("expected an unknown option"),
        }
        // A duplicate name is not JSON the wrapper could have made.
        assert_eq!(
            code(Options::parse(r#"{"now":1,"now":2}"#, "o", &["now"])),
            "arg.invalid"
        );
    }

    #[test]
    fn types_are_strict() {
        let o = Options::parse(
            r#"{"s":"x","b":true,"n":5,"f":1.5,"neg":-1,"big":9007199254740992,"one":1.0,"e":1e3,"bad":[],"nul":null,"m":{"a":"1","b":"2"},"mb":{"a":1}}"#,
            "o",
            &["s", "b", "n", "f", "neg", "big", "one", "e", "bad", "nul", "m", "mb"],
        )
        .unwrap();
        assert_eq!(o.string("s").unwrap().as_deref(), Some("x"));
        assert_eq!(o.str("s").unwrap(), Some("x"));
        assert_eq!(o.str("nul").unwrap(), None);
        assert_eq!(code(o.str("b")), "arg.invalid");
        assert_eq!(code(o.string("b")), "arg.invalid");
        assert_eq!(code(o.string("bad")), "arg.invalid");
        assert_eq!(o.bool("b").unwrap(), Some(true));
        assert_eq!(code(o.bool("s")), "arg.invalid");
        assert_eq!(code(o.bool("bad")), "arg.invalid");
        assert_eq!(o.uint("n").unwrap(), Some(5));
        assert_eq!(o.uint("one").unwrap(), Some(1));
        assert_eq!(o.uint("e").unwrap(), Some(1000));
        for k in ["f", "neg", "big", "bad", "s"] {
            assert_eq!(code(o.uint(k)), "arg.invalid", "{k}");
        }
        assert_eq!(o.string("nul").unwrap(), None);
        assert!(o.has("nul") && !o.has("absent"));
        assert_eq!(code(o.required_string("nul")), "arg.invalid");
        assert_eq!(
            o.string_map("m").unwrap(),
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(code(o.string_map("mb")), "arg.invalid");
        assert_eq!(code(o.string_map("s")), "arg.invalid");
        assert!(o.string_map("absent").unwrap().is_empty());
    }

    #[cfg(feature = "saml")]
    #[test]
    fn lists_and_nested_objects() {
        // `[[]]` is what the wrapper writes for a value it must not name.
        let mut o = Options::parse(
            r#"{"l":["a","b"],"e":[],"mixed":["a",1],"s":"x","bad":[[]],"n":{"a":"1"},"u":{"zz":1},"nul":null}"#,
            "o",
            &["l", "e", "mixed", "s", "bad", "n", "u", "nul"],
        )
        .unwrap();
        assert_eq!(o.string_list("l").unwrap(), ["a", "b"]);
        assert!(o.string_list("e").unwrap().is_empty());
        assert!(o.string_list("absent").unwrap().is_empty());
        assert!(o.string_list("nul").unwrap().is_empty());
        assert_eq!(code(o.string_list("mixed")), "arg.invalid");
        assert_eq!(code(o.string_list("s")), "arg.invalid");
        assert_eq!(code(o.string_list("bad")), "arg.invalid");
        assert_eq!(o.string_or_list("s").unwrap(), ["x"]);
        assert_eq!(o.string_or_list("l").unwrap(), ["a", "b"]);
        assert_eq!(code(o.string_or_list("bad")), "arg.invalid");
        // The scalar getters refuse lists, as they refused the sentinel.
        assert_eq!(code(o.string("l")), "arg.invalid");
        assert_eq!(code(o.bool("e")), "arg.invalid");
        let n = o.take_object("n", &["a"]).unwrap().unwrap();
        assert_eq!(n.string("a").unwrap().as_deref(), Some("1"));
        assert_eq!(code(o.take_object("u", &["a"])), "arg.unknown_option");
        assert_eq!(code(o.take_object("l", &[])), "arg.invalid");
        assert_eq!(code(o.take_object("bad", &[])), "arg.invalid");
        assert!(o.take_object("nul", &[]).unwrap().is_none());
        assert!(o.take_object("absent", &[]).unwrap().is_none());
    }
}
