//! Reading the authorization callback URL (RFC 6749 §4.1.2, RFC 9207, RFC 9700).
//!
//! This module only takes the URL apart and applies the structural rules that
//! trust nothing: size, encoding, redirect URI, duplicates, implicit-flow
//! parameters, `code` together with `error`. The checks that decide whether
//! the response is *ours* (`iss`, then `state`) and only then what it *says*
//! (`error` or `code`) are sequenced by [`super::OAuthClient::handle_callback`].

use alloc::string::String;

use crate::error::{CallbackError, ErrorResponse, Result};
use crate::secret::Secret;
use crate::url::{parse_query, HttpUrl};

/// The longest callback URL accepted. Codes are short; anything near this is
/// an attack or a bug.
pub const MAX_CALLBACK_LEN: usize = 16 * 1024;

/// Parameters that only an implicit or hybrid flow puts in a redirect.
const IMPLICIT_PARAMS: [&str; 4] = ["access_token", "id_token", "token_type", "expires_in"];
/// Parameters that would mean the response was put in the fragment.
const RESPONSE_PARAMS: [&str; 4] = ["code", "state", "error", "iss"];

/// The callback's parameters after the structural checks, not yet trusted.
#[derive(Debug)]
pub(crate) struct RawCallback {
    pub code: Option<Secret>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<(String, Option<String>, Option<String>)>,
}

impl RawCallback {
    /// The AS's error response; an `error` value outside RFC 6749's character
    /// set is itself a malformed callback.
    pub fn error_response(&self) -> Option<Result<ErrorResponse>> {
        self.error.as_ref().map(|(e, d, u)| {
            ErrorResponse::from_parts(e, d.as_deref(), u.as_deref())
                .ok_or(CallbackError::Malformed("the callback's `error` value is not valid").into())
        })
    }
}

/// Takes the callback URL apart and applies the structural checks.
// Out of line: inlined into its one caller it made the OAuth-only module
// larger (its error returns and drops were laid out again there).
#[inline(never)]
pub(crate) fn parse(url: &str, redirect_uri: &str) -> Result<RawCallback> {
    if url.len() > MAX_CALLBACK_LEN {
        return Err(CallbackError::TooLarge.into());
    }
    let got = HttpUrl::parse(url).map_err(CallbackError::Malformed)?;
    let want = HttpUrl::parse(redirect_uri).map_err(CallbackError::Malformed)?;

    if let Some(fragment) = got.fragment {
        check_fragment(fragment)?;
    }
    if !got.same_endpoint(&want) {
        return Err(CallbackError::RedirectUriMismatch.into());
    }
    let mut params = parse_query(got.query.unwrap_or("")).ok_or(CallbackError::Malformed(
        "the callback query has bad percent-encoding or is not UTF-8",
    ))?;
    for (i, (name, _)) in params.iter().enumerate() {
        if params.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(CallbackError::DuplicateParameter.into());
        }
    }
    // RFC 6749 §3.1.2: a query in the registered redirect URI is retained, so
    // each of its parameters must come back unchanged; then it is not part of
    // the response.
    let fixed = parse_query(want.query.unwrap_or("")).ok_or(CallbackError::Malformed(
        "the redirect URI query is malformed",
    ))?;
    for (name, value) in fixed {
        // Names in `params` are unique (checked above), so this drops at most
        // the one pair (a Vec::remove would link its panic formatting).
        let before = params.len();
        params.retain(|(n, v)| !(*n == name && *v == value));
        if params.len() == before {
            return Err(CallbackError::RedirectUriMismatch.into());
        }
    }
    if params
        .iter()
        .any(|(n, _)| IMPLICIT_PARAMS.contains(&n.as_str()))
    {
        return Err(CallbackError::ImplicitResponse.into());
    }

    let mut take = |name: &str| {
        params
            .iter()
            .position(|(n, _)| n == name)
            .map(|p| params.swap_remove(p).1)
    };
    let code = take("code");
    let state = take("state");
    let iss = take("iss");
    let error = take("error");
    let description = take("error_description");
    let uri = take("error_uri");
    if code.is_some() && error.is_some() {
        return Err(CallbackError::CodeAndError.into());
    }
    if code.as_deref() == Some("") {
        return Err(CallbackError::Malformed("the callback's `code` is empty").into());
    }
    Ok(RawCallback {
        code: code.map(Secret::new),
        state,
        iss,
        error: error.map(|e| (e, description, uri)),
    })
}

fn check_fragment(fragment: &str) -> Result<()> {
    // A fragment is not sent to servers; some providers append a harmless one
    // (`#_=_`). It matters only if it carries a response.
    let Some(params) = parse_query(fragment) else {
        // A fragment we cannot decode strictly could hide `access_token`.
        return Err(
            CallbackError::Malformed("the callback URL fragment has bad percent-encoding").into(),
        );
    };
    if params
        .iter()
        .any(|(n, _)| IMPLICIT_PARAMS.contains(&n.as_str()))
    {
        return Err(CallbackError::ImplicitResponse.into());
    }
    if params
        .iter()
        .any(|(n, _)| RESPONSE_PARAMS.contains(&n.as_str()))
    {
        return Err(CallbackError::Malformed(
            "the response is in the URL fragment; only the query response mode is accepted",
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::Error;

    const R: &str = "https://app.example/cb";

    fn err(url: &str) -> Error {
        parse(url, R).unwrap_err()
    }

    #[test]
    fn reads_code_state_iss() {
        let c = parse(
            "https://app.example/cb?code=abc%2B1&state=s&iss=https%3A%2F%2Fop",
            R,
        )
        .unwrap();
        assert_eq!(c.code.unwrap().expose(), "abc+1");
        assert_eq!(c.state.as_deref(), Some("s"));
        assert_eq!(c.iss.as_deref(), Some("https://op"));
    }

    #[test]
    fn rejects_duplicate_parameters() {
        assert_eq!(
            err("https://app.example/cb?code=a&state=s&state=t").code(),
            "oauth.callback.duplicate_parameter"
        );
        assert_eq!(
            err("https://app.example/cb?code=a&code=a&state=s").code(),
            "oauth.callback.duplicate_parameter"
        );
        assert_eq!(
            err("https://app.example/cb?code=a&state=s&%73tate=s").code(),
            "oauth.callback.duplicate_parameter"
        );
    }

    #[test]
    fn rejects_other_redirect_targets() {
        for u in [
            "https://evil.example/cb?code=a&state=s",
            "https://app.example/cb2?code=a&state=s",
            "https://app.example/CB?code=a&state=s",
            "http://app.example/cb?code=a&state=s",
            "https://app.example:8443/cb?code=a&state=s",
            "https://app.example.evil/cb?code=a&state=s",
        ] {
            assert_eq!(err(u).code(), "oauth.callback.redirect_uri_mismatch", "{u}");
        }
    }

    #[test]
    fn redirect_uri_query_must_be_retained_and_is_not_a_response_parameter() {
        let r = "https://app.example/cb?tenant=a";
        assert!(parse("https://app.example/cb?tenant=a&code=c&state=s", r).is_ok());
        assert_eq!(
            parse("https://app.example/cb?code=c&state=s", r)
                .unwrap_err()
                .code(),
            "oauth.callback.redirect_uri_mismatch"
        );
        assert_eq!(
            parse("https://app.example/cb?tenant=b&code=c&state=s", r)
                .unwrap_err()
                .code(),
            "oauth.callback.redirect_uri_mismatch"
        );
    }

    #[test]
    fn rejects_implicit_flow_responses() {
        assert_eq!(
            err("https://app.example/cb?access_token=t&state=s").code(),
            "oauth.callback.implicit_response"
        );
        assert_eq!(
            err("https://app.example/cb?code=c&id_token=x&state=s").code(),
            "oauth.callback.implicit_response"
        );
        assert_eq!(
            err("https://app.example/cb#access_token=t&state=s").code(),
            "oauth.callback.implicit_response"
        );
        assert_eq!(
            err("https://app.example/cb#code=c&state=s").code(),
            "oauth.callback.malformed"
        );
        assert!(parse("https://app.example/cb?code=c&state=s#_=_", R).is_ok());
        assert_eq!(
            err("https://app.example/cb?code=c&state=s#access_token=AT&x=%").code(),
            "oauth.callback.malformed"
        );
        assert_eq!(
            err("https://app.example/cb?code=c&state=s#%61ccess_token=AT").code(),
            "oauth.callback.implicit_response"
        );
    }

    #[test]
    fn rejects_code_with_error() {
        assert_eq!(
            err("https://app.example/cb?code=c&error=access_denied&state=s").code(),
            "oauth.callback.code_and_error"
        );
    }

    #[test]
    fn rejects_oversized_and_malformed_urls() {
        let long = format!(
            "https://app.example/cb?code=c&state={}",
            "a".repeat(MAX_CALLBACK_LEN)
        );
        assert_eq!(err(&long).code(), "oauth.callback.too_large");
        for u in [
            "",
            "cb?code=a",
            "/cb?code=a&state=s",
            "https://app.example/cb?code=%zz&state=s",
            "https://app.example/cb?code=%&state=s",
            "https://app.example/cb?code=%C3&state=s",
            "https://app.example/cb?code=a b&state=s",
            "https://app.example/cb?code=a\n&state=s",
            "https://app.example/cb?code=&state=s",
            "javascript:alert(1)//app.example/cb",
        ] {
            assert_eq!(err(u).code(), "oauth.callback.malformed", "{u:?}");
        }
    }
}
