//! The one way arguments are read and answers written at the JS boundary,
//! for OAuth and SAML alike.
//!
//! Arguments arrive as strings: an options object as JSON text (made by
//! `encode` in `js/wasm-support.js`, read by [`crate::options`]), or a plain
//! string (a URL, a response body, a posted message); a number where the
//! method takes one. `undefined` (`None`) means "not given", or a value of
//! the wrong type where the method says so.
//!
//! Every answer is a JS string: a JSON text written by [`crate::json_out`],
//! or `!` followed by the error as JSON (`code`, `message`, and the fields
//! of an OAuth error response or a SAML status), which `answer` in
//! `js/wasm-support.js` throws as an `EdgeSsoError`. One string per call:
//! building a JS object member by member would cost a crossing per member.
//!
//! Answers that may hold a token are built in zeroizing buffers sized so
//! they never grow (a grown buffer leaves its old copy in freed memory), and
//! arguments are wiped when dropped (`Zeroizing`).

use alloc::string::String;

use wasm_bindgen::JsValue;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::json_out::JsonObject;
use crate::options::Options;

/// An answer: the text, or the error.
pub(crate) type Answer = crate::Result<Zeroizing<String>>;

/// A string argument, to be wiped when dropped.
pub(crate) type Arg = Option<Zeroizing<String>>;

/// Takes a string argument over (wiped when dropped).
pub(crate) fn arg(s: Option<String>) -> Arg {
    s.map(Zeroizing::new)
}

/// The answer as the JS string the wrapper reads.
pub(crate) fn reply(answer: Answer) -> JsValue {
    match answer {
        Ok(text) => JsValue::from_str(&text),
        Err(e) => JsValue::from_str(&error_text(&e)),
    }
}

/// `!` and the error as JSON, for the wrapper to throw.
fn error_text(e: &Error) -> String {
    let mut o = JsonObject::with_capacity(128);
    o.string("code", e.code()).string("message", &e.message());
    if let Some(r) = e.error_response() {
        o.string("error", &r.error)
            .opt_string("errorDescription", r.description.as_deref())
            .opt_string("errorUri", r.uri.as_deref());
    }
    #[cfg(feature = "saml")]
    if let Error::SamlStatus(st) = e {
        o.string("statusCode", &st.code)
            .opt_string("secondLevelStatusCode", st.second_level.as_deref())
            .opt_string("statusMessage", st.message.as_deref());
    }
    let mut out = String::from("!");
    out.push_str(&o.finish());
    out
}

/// A finished JSON object as the answer.
pub(crate) fn done(o: JsonObject) -> Answer {
    Ok(Zeroizing::new(o.finish()))
}

/// A JSON string as the answer.
pub(crate) fn json_str(s: &str) -> Answer {
    // A C0 control escapes to six bytes (`\u0001`): sized for the worst
    // case so a token in `s` is never copied by a growing buffer.
    let mut out = Zeroizing::new(String::with_capacity(6 * s.len() + 2));
    crate::json_out::push_string(&mut out, s);
    Ok(out)
}

/// `true` or `false` as the answer.
pub(crate) fn json_bool(b: bool) -> Answer {
    Ok(Zeroizing::new(String::from(if b {
        "true"
    } else {
        "false"
    })))
}

/// A string argument, or an error naming `field`.
pub(crate) fn text<'a>(arg: &'a Arg, field: &'static str) -> crate::Result<&'a str> {
    match arg {
        Some(s) => Ok(s.as_str()),
        None => Err(Error::InvalidArgument {
            field,
            reason: "must be a string",
        }),
    }
}

/// The options argument named "options" (absent is none).
pub(crate) fn options<'a>(arg: &'a Arg, allowed: &[&str]) -> crate::Result<Options<'a>> {
    named_options(arg, "options", allowed)
}

/// An options argument named `what` (absent is none).
pub(crate) fn named_options<'a>(
    arg: &'a Arg,
    what: &'static str,
    allowed: &[&str],
) -> crate::Result<Options<'a>> {
    match arg {
        Some(s) => Options::parse(s, what, allowed),
        None => Ok(Options::empty()),
    }
}
