//! The UserInfo response (OpenID Connect Core §5.3.2–§5.3.4) and the errors
//! a protected resource answers with (RFC 6750 §3, RFC 9449 §7.1).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorResponse, ProviderError, Result};
use crate::json::{self, Value};

/// Largest UserInfo response read, as for token responses.
pub const MAX_USERINFO_LEN: usize = 256 * 1024;

/// What came back from the UserInfo endpoint.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserinfoAnswer<'a> {
    /// The body.
    pub body: &'a str,
    /// The HTTP status, if known.
    pub status: Option<u16>,
    /// The `Content-Type` header, if known.
    pub content_type: Option<&'a str>,
    /// The `WWW-Authenticate` header, if any.
    pub www_authenticate: Option<&'a str>,
}

/// Checks a UserInfo answer against the held ID token's `sub` and returns the
/// claims as JSON text.
///
/// JSON only: a signed or encrypted response (`application/jwt`) is refused
/// rather than read unverified. `sub` must equal the ID token's exactly
/// (§5.3.4: otherwise the response must not be used; a substituted
/// response is the attack). An error status with a `WWW-Authenticate`
/// challenge is that error (RFC 6750 §3).
///
/// ```
/// use edge_sso::oauth::{check_userinfo, UserinfoAnswer};
/// let ok = UserinfoAnswer { body: r#"{"sub":"alice","email":"a@x"}"#, status: Some(200), ..Default::default() };
/// assert!(check_userinfo(&ok, "alice").is_ok());
/// assert_eq!(check_userinfo(&ok, "bob").unwrap_err().code(), "oauth.userinfo.sub_mismatch");
/// let denied = UserinfoAnswer { body: "", status: Some(401),
///     www_authenticate: Some(r#"Bearer error="invalid_token", error_description="expired""#), ..Default::default() };
/// assert_eq!(check_userinfo(&denied, "alice").unwrap_err().code(), "oauth.userinfo.error");
/// ```
pub fn check_userinfo(answer: &UserinfoAnswer<'_>, subject: &str) -> Result<String> {
    let status = answer.status.unwrap_or(200);
    if !(200..300).contains(&status) {
        if let Some(e) = answer.www_authenticate.and_then(challenge_error) {
            return Err(Error::ResourceError(e));
        }
        return Err(ProviderError::UserinfoStatus(status).into());
    }
    if let Some(ct) = answer.content_type {
        // The media type before any parameter, without the optional white
        // space around it (RFC 9110 §8.3.1, §5.6.3). Bytes, not str's
        // split and trim: their char searchers are code of their own.
        let ct = ct.as_bytes();
        let mut mime = ct
            .get(..crate::ascii::find(ct, b';').unwrap_or(ct.len()))
            .unwrap_or(b"");
        while let [b' ' | b'\t', rest @ ..] = mime {
            mime = rest;
        }
        while let [rest @ .., b' ' | b'\t'] = mime {
            mime = rest;
        }
        if mime.eq_ignore_ascii_case(b"application/jwt") {
            return Err(ProviderError::UserinfoSigned.into());
        }
        if !mime.eq_ignore_ascii_case(b"application/json") {
            return Err(ProviderError::UserinfoMalformed(
                "the content type is not application/json",
            )
            .into());
        }
    }
    if answer.body.len() > MAX_USERINFO_LEN {
        return Err(ProviderError::UserinfoMalformed("the response is larger than 256 KiB").into());
    }
    let claims = json::parse_object(answer.body).ok_or(ProviderError::UserinfoMalformed(
        "the response is not a JSON object (a signed one needs a server to verify it)",
    ))?;
    match claims.get("sub") {
        Some(Value::String(s)) if crate::secret::ct_eq_str(s, subject) => {}
        Some(Value::String(_)) => return Err(ProviderError::UserinfoSubjectMismatch.into()),
        _ => {
            return Err(ProviderError::UserinfoMalformed("`sub` is missing or not a string").into())
        }
    }
    Ok(String::from(answer.body))
}

/// The `error` of the first challenge in a `WWW-Authenticate` value that has
/// one (RFC 9110 §11.6.1 syntax; RFC 6750 §3 and RFC 9449 §7.1 parameters).
pub(crate) fn challenge_error(header: &str) -> Option<ErrorResponse> {
    // Bytes, not chars: every delimiter is ASCII, and byte indexing with
    // `get` has no panic path (a str slice's brings core::fmt along).
    let b = header.as_bytes();
    let at = |i: usize, set: &[u8]| b.get(i).is_some_and(|c| set.contains(c));
    let (mut error, mut description, mut uri) = (None, None, None);
    // Which of the three parameters read here the challenge being read has
    // given: RFC 9110 §11.2 lets each occur once, and a challenge that
    // repeats one (two `error`s, say) has no one meaning, so the header is
    // not read at all. Three flags, not a list of every name seen: a header
    // of many parameters must cost one pass, not a pass per parameter.
    let mut seen = [false; 3];
    let mut i = 0;
    while i < b.len() {
        while at(i, b" \t,") {
            i += 1;
        }
        let start = i;
        while i < b.len() && !at(i, b"= \t,") {
            i += 1;
        }
        let name = header.get(start..i)?;
        while at(i, b" \t") {
            i += 1;
        }
        // A name without `=` is a scheme: the next challenge starts, and
        // what the last one said without an `error` is not this one's.
        if !at(i, b"=") {
            if error.is_some() {
                break;
            }
            (description, uri) = (None, None);
            seen = [false; 3];
            continue;
        }
        i += 1;
        while at(i, b" \t") {
            i += 1;
        }
        let value = if at(i, b"\"") {
            i += 1;
            let mut v = Vec::new();
            loop {
                match *b.get(i)? {
                    b'"' => break,
                    b'\\' => {
                        i += 1;
                        v.push(*b.get(i)?);
                    }
                    c => v.push(c),
                }
                i += 1;
            }
            i += 1;
            String::from_utf8(v).ok()?
        } else {
            let s = i;
            while i < b.len() && !at(i, b", \t") {
                i += 1;
            }
            String::from(header.get(s..i)?)
        };
        for ((key, slot), given) in [
            ("error", &mut error),
            ("error_description", &mut description),
            ("error_uri", &mut uri),
        ]
        .into_iter()
        .zip(&mut seen)
        {
            if name.eq_ignore_ascii_case(key) {
                if *given {
                    return None;
                }
                (*slot, *given) = (Some(value), true);
                break;
            }
        }
    }
    ErrorResponse::from_parts(&error?, description.as_deref(), uri.as_deref())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn answer(body: &str) -> UserinfoAnswer<'_> {
        UserinfoAnswer {
            body,
            status: Some(200),
            content_type: Some("application/json; charset=utf-8"),
            www_authenticate: None,
        }
    }

    #[test]
    fn sub_must_equal_the_id_tokens_exactly() {
        assert!(check_userinfo(&answer(r#"{"sub":"alice"}"#), "alice").is_ok());
        for body in [
            r#"{"sub":"Alice"}"#,
            r#"{"sub":"alice "}"#,
            r#"{"sub":"bob"}"#,
        ] {
            assert_eq!(
                check_userinfo(&answer(body), "alice").unwrap_err().code(),
                "oauth.userinfo.sub_mismatch"
            );
        }
        for body in [r#"{"name":"x"}"#, r#"{"sub":1}"#, "[]", "eyJhbGciOi.x.y"] {
            assert_eq!(
                check_userinfo(&answer(body), "alice").unwrap_err().code(),
                "oauth.userinfo.malformed",
                "{body}"
            );
        }
    }

    #[test]
    fn a_signed_or_encrypted_response_is_refused() {
        let mut a = answer("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        a.content_type = Some("application/jwt");
        assert_eq!(
            check_userinfo(&a, "alice").unwrap_err().code(),
            "oauth.userinfo.signed_unsupported"
        );
        a.content_type = Some("text/html");
        assert_eq!(
            check_userinfo(&a, "alice").unwrap_err().code(),
            "oauth.userinfo.malformed"
        );
    }

    #[test]
    fn the_media_type_is_read_without_its_parameters_and_white_space() {
        let mut a = answer(r#"{"sub":"alice"}"#);
        for ok in [
            "application/json",
            " Application/JSON ;charset=utf-8",
            "\tapplication/json\t; q=1",
        ] {
            a.content_type = Some(ok);
            assert!(check_userinfo(&a, "alice").is_ok(), "{ok:?}");
        }
        for (ct, code) in [
            ("application/jsonx", "oauth.userinfo.malformed"),
            ("application/json-seq", "oauth.userinfo.malformed"),
            ("", "oauth.userinfo.malformed"),
            (";application/json", "oauth.userinfo.malformed"),
            (
                " APPLICATION/JWT; charset=x",
                "oauth.userinfo.signed_unsupported",
            ),
        ] {
            a.content_type = Some(ct);
            assert_eq!(
                check_userinfo(&a, "alice").unwrap_err().code(),
                code,
                "{ct:?}"
            );
        }
    }

    #[test]
    fn www_authenticate_errors_are_typed() {
        let mut a = answer("");
        a.status = Some(401);
        a.www_authenticate = Some(
            r#"DPoP algs="ES256", error="invalid_token", error_description="The access token expired""#,
        );
        let e = check_userinfo(&a, "alice").unwrap_err();
        assert_eq!(e.code(), "oauth.userinfo.error");
        let r = e.error_response().unwrap();
        assert_eq!(r.error, "invalid_token");
        assert_eq!(r.description.as_deref(), Some("The access token expired"));
        // Two challenges: the first one that has an error.
        a.www_authenticate = Some(r#"Bearer realm="x", DPoP error="use_dpop_nonce""#);
        assert_eq!(
            check_userinfo(&a, "alice")
                .unwrap_err()
                .error_response()
                .unwrap()
                .error,
            "use_dpop_nonce"
        );
        // Each challenge's parameters are its own: no description from
        // the challenge before the one with the error.
        a.www_authenticate = Some(
            r#"Bearer error_description="not this", error_uri="https://x.example/", DPoP error="use_dpop_nonce""#,
        );
        let e = check_userinfo(&a, "alice").unwrap_err();
        let r = e.error_response().unwrap();
        assert_eq!(r.error, "use_dpop_nonce");
        assert_eq!((r.description.as_deref(), r.uri.as_deref()), (None, None));
        // A parameter twice in one challenge (RFC 9110 §11.2): no meaning,
        // so no typed error from it, whichever order the two come in.
        for header in [
            r#"Bearer error="invalid_token", error="insufficient_scope""#,
            r#"Bearer error="invalid_token", ERROR="use_dpop_nonce""#,
            r#"DPoP error_description="a", error="invalid_token", error_description="b""#,
        ] {
            a.www_authenticate = Some(header);
            assert_eq!(
                check_userinfo(&a, "alice").unwrap_err().code(),
                "oauth.userinfo.status",
                "{header}"
            );
        }
        // The same name in two challenges is two challenges' own.
        a.www_authenticate = Some(r#"Bearer realm="a", DPoP realm="a", error="invalid_token""#);
        assert_eq!(
            check_userinfo(&a, "alice")
                .unwrap_err()
                .error_response()
                .unwrap()
                .error,
            "invalid_token"
        );
        a.www_authenticate = Some(r#"Bearer realm="example""#);
        assert_eq!(
            check_userinfo(&a, "alice").unwrap_err().code(),
            "oauth.userinfo.status"
        );
        a.www_authenticate = None;
        a.status = Some(500);
        assert_eq!(
            check_userinfo(&a, "alice").unwrap_err().code(),
            "oauth.userinfo.status"
        );
    }
}
