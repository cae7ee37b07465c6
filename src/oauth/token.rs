//! Token endpoint requests and responses (RFC 6749 §4.1.3, §5, §6).

use alloc::borrow::ToOwned;
use alloc::string::String;

use core::fmt;

use crate::error::{Error, ErrorResponse, Result, TokenResponseError};
use crate::json::{self, Object, Value};
use crate::secret::Secret;

/// The largest token response accepted (ID tokens can be a few KB; this is far above).
pub const MAX_TOKEN_RESPONSE_LEN: usize = 256 * 1024;

/// An HTTP request for the caller's `fetch`: edge-sso builds it, the host sends it.
///
/// The body holds the authorization code or the refresh token, so it is kept
/// as a [`Secret`]: redacted in `Debug`, zeroized on drop. Hand it straight to
/// `fetch` and do not log it.
///
/// ```
/// # use edge_sso::oauth::TokenRequest;
/// fn send(req: &TokenRequest) {
///     assert_eq!(req.method, "POST");
///     assert_eq!(req.headers[0], ("content-type", "application/x-www-form-urlencoded"));
/// }
/// ```
pub struct TokenRequest {
    /// The token endpoint.
    pub url: String,
    /// Always `POST`.
    pub method: &'static str,
    /// `content-type` (form) and `accept` (JSON).
    pub headers: [(&'static str, &'static str); 2],
    /// The form-encoded body.
    pub body: Secret,
    /// Which request this is, for [`super::OAuthClient::accept_token_response`].
    pub id: u32,
}

impl TokenRequest {
    pub(crate) fn form(url: &str, params: &[(&str, &str)], id: u32) -> Self {
        Self {
            url: url.to_owned(),
            method: "POST",
            headers: [
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/json"),
            ],
            body: Secret::new(crate::url::form_encode(params)),
            id,
        }
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("body", &self.body)
            .finish()
    }
}

/// The token type a client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TokenType {
    /// RFC 6750 bearer tokens (the default).
    #[default]
    Bearer,
    /// RFC 9449 DPoP-bound tokens (the caller adds the DPoP proof header).
    DPoP,
}

impl TokenType {
    /// The HTTP authorization scheme.
    pub fn scheme(self) -> &'static str {
        match self {
            Self::Bearer => "Bearer",
            Self::DPoP => "DPoP",
        }
    }
}

/// A successful token response, validated; the token values are secrets.
#[derive(Debug)]
pub(crate) struct TokenSet {
    pub access_token: Secret,
    pub token_type: TokenType,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<Secret>,
    pub scope: Option<String>,
}

/// Validates a token endpoint response body (RFC 6749 §5.1/§5.2).
///
/// `status` is the HTTP status when the caller has it: a non-2xx status with
/// an OAuth error body is that error; without one it is
/// [`TokenResponseError::HttpStatus`]. A 2xx body with `error` is an error too.
// Out of line: inlined into its one caller it made the OAuth-only module
// larger (its error returns and drops were laid out again there).
#[inline(never)]
pub(crate) fn parse_response(
    body: &str,
    status: Option<u16>,
    accept: TokenType,
) -> Result<TokenSet> {
    if body.len() > MAX_TOKEN_RESPONSE_LEN {
        return Err(TokenResponseError::TooLarge.into());
    }
    let parsed = json::parse_object(body);
    let ok_status = status.is_none_or(|s| (200..300).contains(&s));
    let Some(mut map) = parsed else {
        return Err(match status {
            Some(s) if !ok_status => TokenResponseError::HttpStatus(s),
            _ => TokenResponseError::NotJsonObject,
        }
        .into());
    };
    // Move every token out of the map first, so that on any error below it is
    // dropped as a zeroizing Secret rather than as a plain String.
    let access_raw = take_secret(&mut map, "access_token");
    let refresh_raw = take_secret(&mut map, "refresh_token");
    let id_raw = take_secret(&mut map, "id_token");
    if let Some(error) = map.get("error") {
        let text = |k: &str| map.get(k).and_then(Value::as_str);
        let response = error
            .as_str()
            .and_then(|e| {
                ErrorResponse::from_parts(e, text("error_description"), text("error_uri"))
            })
            .ok_or(TokenResponseError::InvalidMember("error"))?;
        return Err(Error::TokenError(response));
    }
    if let Some(s) = status.filter(|_| !ok_status) {
        return Err(TokenResponseError::HttpStatus(s).into());
    }

    let access_token = match access_raw {
        // A space is VSCHAR, but neither RFC 6750's b64token nor RFC 9449's
        // token68 has one, and it would split the header value (fetch would
        // even trim one at either end). Only the space is refused here: the
        // other VSCHARs outside b64token (`"`, `,`, `\`, ...) cannot break
        // the header and are the server's to reject.
        Some(Ok(s)) if crate::ascii::find(s.expose().as_bytes(), b' ').is_some() => {
            return Err(TokenResponseError::InvalidMember("access_token").into())
        }
        Some(Ok(s)) if !s.expose().is_empty() => s,
        Some(Ok(_)) | None => return Err(TokenResponseError::AccessTokenMissing.into()),
        Some(Err(())) => return Err(TokenResponseError::InvalidMember("access_token").into()),
    };
    let token_type = match map.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") && accept == TokenType::Bearer => {
            TokenType::Bearer
        }
        Some(t) if t.eq_ignore_ascii_case("dpop") && accept == TokenType::DPoP => TokenType::DPoP,
        _ => return Err(TokenResponseError::TokenTypeUnsupported.into()),
    };
    let expires_in = match map.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(lifetime_seconds(v).ok_or(TokenResponseError::InvalidMember("expires_in"))?)
        }
    };
    let optional_secret = |v: Option<core::result::Result<Secret, ()>>,
                           name: &'static str|
     -> Result<Option<Secret>> {
        match v {
            None => Ok(None),
            Some(Ok(s)) if !s.expose().is_empty() => Ok(Some(s)),
            Some(_) => Err(TokenResponseError::InvalidMember(name).into()),
        }
    };
    let refresh_token = optional_secret(refresh_raw, "refresh_token")?;
    let id_token = optional_secret(id_raw, "id_token")?;
    // Three parts means two dots (counted as bytes: no char searcher).
    if id_token
        .as_ref()
        .is_some_and(|t| t.expose().bytes().filter(|b| *b == b'.').count() != 2)
    {
        return Err(TokenResponseError::InvalidMember("id_token").into());
    }
    let scope = match map.remove("scope") {
        None | Some(Value::Null) => None,
        // "" is no scope granted (GitHub sends it): kept as it came, not read
        // as absent, which would mean the scope asked for (RFC 6749 §5.1).
        Some(Value::String(s)) if s.is_empty() || valid_scope(&s) => Some(s.into_owned()),
        Some(_) => return Err(TokenResponseError::InvalidMember("scope").into()),
    };
    Ok(TokenSet {
        access_token,
        token_type,
        expires_in,
        refresh_token,
        id_token,
        scope,
    })
}

/// Removes a member: a string becomes a [`Secret`] at once, `null` counts as
/// absent, any other type is `Err` (callers check emptiness themselves), and
/// so is a string with a character outside VSCHAR (%x20-7E): RFC 6749
/// Appendix A.12 and A.17 allow nothing else in an access or refresh token
/// (an ID token, a JWS compact serialization, is narrower still), and it is
/// what keeps a control character, a line break above all, out of the
/// `Authorization` header.
fn take_secret(map: &mut Object<'_>, key: &str) -> Option<core::result::Result<Secret, ()>> {
    match map.remove(key)? {
        Value::Null => None,
        Value::String(s) if crate::ascii::all(s.as_bytes(), crate::ascii::vschar) => {
            Some(Ok(Secret::new(s.into_owned())))
        }
        _ => Some(Err(())),
    }
}

/// A lifetime in seconds (`expires_in` of a token or PAR response): a
/// non-negative JSON number, a fraction rounded down (the token is then
/// thought to expire a little early, never late), or a string of decimal
/// digits, which Azure AD's v1 endpoint sends (`"3599"`). Larger than u64
/// saturates ("does not expire in practice"). Anything else is `None`.
pub(crate) fn lifetime_seconds(v: &Value<'_>) -> Option<u64> {
    match v {
        Value::Number(n) => n.to_u64().map(|(seconds, _)| seconds),
        Value::String(s) => crate::ascii::decimal_u64(s),
        _ => None,
    }
}

/// RFC 6749 §3.3: space-delimited `scope-token`s of `NQCHAR`s
/// ([`crate::ascii::nqchar`]).
pub(crate) fn valid_scope(s: &str) -> bool {
    s.as_bytes()
        .split(|b| *b == b' ')
        .all(|tok| !tok.is_empty() && crate::ascii::all(tok, crate::ascii::nqchar))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ok(body: &str) -> TokenSet {
        parse_response(body, Some(200), TokenType::Bearer).unwrap()
    }
    fn code(body: &str, status: Option<u16>) -> &'static str {
        parse_response(body, status, TokenType::Bearer)
            .unwrap_err()
            .code()
    }

    #[test]
    fn accepts_a_full_response() {
        let t = ok(
            r#"{"access_token":"AT","token_type":"bearer","expires_in":3600,"refresh_token":"RT","scope":"openid email","id_token":"a.b.c","extra":1}"#,
        );
        assert_eq!(t.access_token.expose(), "AT");
        assert_eq!(t.token_type, TokenType::Bearer);
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.refresh_token.unwrap().expose(), "RT");
        assert_eq!(t.id_token.unwrap().expose(), "a.b.c");
        assert_eq!(t.scope.as_deref(), Some("openid email"));
    }

    #[test]
    fn token_type_is_case_insensitive_bearer_only() {
        assert_eq!(
            ok(r#"{"access_token":"A","token_type":"BEARER"}"#).token_type,
            TokenType::Bearer
        );
        assert_eq!(
            code(r#"{"access_token":"A","token_type":"mac"}"#, None),
            "oauth.token.type_unsupported"
        );
        assert_eq!(
            code(r#"{"access_token":"A"}"#, None),
            "oauth.token.type_unsupported"
        );
        assert_eq!(
            code(r#"{"access_token":"A","token_type":"DPoP"}"#, None),
            "oauth.token.type_unsupported"
        );
        let d = parse_response(
            r#"{"access_token":"A","token_type":"DPoP"}"#,
            None,
            TokenType::DPoP,
        )
        .unwrap();
        assert_eq!(d.token_type, TokenType::DPoP);
        assert!(parse_response(
            r#"{"access_token":"A","token_type":"Bearer"}"#,
            None,
            TokenType::DPoP
        )
        .is_err());
    }

    #[test]
    fn requires_access_token() {
        assert_eq!(
            code(r#"{"token_type":"Bearer"}"#, None),
            "oauth.token.access_token_missing"
        );
        assert_eq!(
            code(r#"{"access_token":"","token_type":"Bearer"}"#, None),
            "oauth.token.access_token_missing"
        );
        assert_eq!(
            code(r#"{"access_token":5,"token_type":"Bearer"}"#, None),
            "oauth.token.invalid_member"
        );
    }

    #[test]
    fn an_empty_scope_is_no_scope_granted_not_absent() {
        let t = ok(r#"{"access_token":"A","token_type":"Bearer","scope":""}"#);
        assert_eq!(t.scope.as_deref(), Some(""));
        let t = ok(r#"{"access_token":"A","token_type":"Bearer"}"#);
        assert_eq!(t.scope, None);
    }

    #[test]
    fn rejects_bad_member_types() {
        for body in [
            r#"{"access_token":"A","token_type":"Bearer","expires_in":"36 00"}"#,
            r#"{"access_token":"A","token_type":"Bearer","expires_in":-1}"#,
            r#"{"access_token":"A","token_type":"Bearer","expires_in":{}}"#,
            r#"{"access_token":"A","token_type":"Bearer","refresh_token":7}"#,
            r#"{"access_token":"A","token_type":"Bearer","refresh_token":""}"#,
            r#"{"access_token":"A","token_type":"Bearer","id_token":"not-a-jwt"}"#,
            r#"{"access_token":"A","token_type":"Bearer","scope":"a  b"}"#,
            r#"{"access_token":"A","token_type":"Bearer","scope":" "}"#,
            r#"{"access_token":"A","token_type":"Bearer","scope":"openid "}"#,
            r#"{"access_token":"A","token_type":"Bearer","scope":["a"]}"#,
        ] {
            assert_eq!(code(body, None), "oauth.token.invalid_member", "{body}");
        }
    }

    #[test]
    fn error_bodies_become_typed_errors() {
        let e = parse_response(
            r#"{"error":"invalid_grant","error_description":"code expired"}"#,
            Some(400),
            TokenType::Bearer,
        )
        .unwrap_err();
        assert_eq!(e.code(), "oauth.token.error");
        assert_eq!(e.error_response().unwrap().error, "invalid_grant");
        assert_eq!(
            e.error_response().unwrap().description.as_deref(),
            Some("code expired")
        );
        // an error member in a 200 response is still an error
        assert_eq!(
            code(r#"{"error":"invalid_grant","access_token":"A"}"#, Some(200)),
            "oauth.token.error"
        );
        assert_eq!(
            code(r#"{"error":5}"#, Some(400)),
            "oauth.token.invalid_member"
        );
    }

    #[test]
    fn non_success_status_without_error_body() {
        assert_eq!(
            code("<html>bad gateway</html>", Some(502)),
            "oauth.token.http_status"
        );
        assert_eq!(
            code(r#"{"access_token":"A","token_type":"Bearer"}"#, Some(500)),
            "oauth.token.http_status"
        );
    }

    #[test]
    fn rejects_non_objects_and_oversized() {
        for body in ["", "null", "[]", "\"x\"", "{", "{\"access_token\":\"A\",}"] {
            assert_eq!(code(body, Some(200)), "oauth.token.malformed", "{body}");
        }
        let big = format!(
            r#"{{"access_token":"{}","token_type":"Bearer"}}"#,
            "a".repeat(MAX_TOKEN_RESPONSE_LEN)
        );
        assert_eq!(code(&big, None), "oauth.token.too_large");
    }

    #[test]
    fn refuses_duplicate_members() {
        // Which access_token would another parser have kept?
        for body in [
            r#"{"access_token":"A","access_token":"B","token_type":"Bearer"}"#,
            r#"{"access_token":"A","token_type":"Bearer","token_type":"DPoP"}"#,
            r#"{"access_token":"A","token_type":"Bearer","\u0061ccess_token":"B"}"#,
            r#"{"error":"invalid_grant","error":"access_denied"}"#,
        ] {
            assert_eq!(code(body, Some(200)), "oauth.token.malformed", "{body}");
        }
    }

    #[test]
    fn expires_in_is_a_number_or_a_string_of_digits() {
        let e = |v: &str| {
            parse_response(
                &format!(r#"{{"access_token":"A","token_type":"Bearer","expires_in":{v}}}"#),
                None,
                TokenType::Bearer,
            )
        };
        assert_eq!(e("3600.0").unwrap().expires_in, Some(3600));
        assert_eq!(e("36e2").unwrap().expires_in, Some(3600));
        assert_eq!(e("-0").unwrap().expires_in, Some(0));
        assert_eq!(e("null").unwrap().expires_in, None);
        assert_eq!(e("1e30").unwrap().expires_in, Some(u64::MAX));
        // A fraction rounds down; Azure AD v1's string of digits is read.
        assert_eq!(e("3599.5").unwrap().expires_in, Some(3599));
        assert_eq!(e("1e-1").unwrap().expires_in, Some(0));
        assert_eq!(e("\"3599\"").unwrap().expires_in, Some(3599));
        assert_eq!(e("\"007\"").unwrap().expires_in, Some(7));
        assert_eq!(
            e("\"99999999999999999999999\"").unwrap().expires_in,
            Some(u64::MAX)
        );
        for bad in [
            "-1", "-0.5", "true", "\"\"", "\" 60\"", "\"60s\"", "\"-1\"", "\"1.5\"", "\"١٢\"",
            "[60]",
        ] {
            assert_eq!(
                e(bad).unwrap_err().code(),
                "oauth.token.invalid_member",
                "{bad}"
            );
        }
        assert_eq!(
            e("1e400").unwrap_err().code(),
            "oauth.token.malformed",
            "beyond a double"
        );
    }

    #[test]
    fn tokens_are_vschar_only() {
        // JSON escapes, decoded by the reader: U+0001, LF, DEL, é, TAB.
        for bad in [r"AT\u0001x", r"AT\nx", r"AT\u007fx", r"AT\u00e9x", r"AT\tx"] {
            let body = format!(r#"{{"access_token":"{bad}","token_type":"Bearer"}}"#);
            assert_eq!(code(&body, None), "oauth.token.invalid_member", "{bad}");
            let body =
                format!(r#"{{"access_token":"ok","token_type":"Bearer","refresh_token":"{bad}"}}"#);
            assert_eq!(code(&body, None), "oauth.token.invalid_member", "{bad}");
        }
        // An access token goes into an Authorization header, where a space
        // cannot be (RFC 6750 b64token, RFC 9449 token68); a refresh token
        // may have one.
        for spaced in ["AT x", " AT", "AT "] {
            let body = format!(r#"{{"access_token":"{spaced}","token_type":"Bearer"}}"#);
            assert_eq!(
                code(&body, None),
                "oauth.token.invalid_member",
                "{spaced:?}"
            );
        }
        let body = r#"{"access_token":"ok","token_type":"Bearer","refresh_token":"R T"}"#;
        assert_eq!(ok(body).refresh_token.unwrap().expose(), "R T");
        // Every other printable ASCII character is VSCHAR.
        let all: String = (0x21u8..=0x7e)
            .map(char::from)
            .filter(|c| *c != '"' && *c != '\\')
            .collect();
        let body = format!(r#"{{"access_token":"{all}\"\\","token_type":"Bearer"}}"#);
        assert_eq!(ok(&body).access_token.expose().len(), all.len() + 2);
    }

    #[test]
    fn escaped_tokens_are_decoded() {
        let t = ok(r#"{"access_token":"a\/b\u002Bc","token_type":"Bearer"}"#);
        assert_eq!(t.access_token.expose(), "a/b+c");
    }

    #[test]
    fn request_debug_hides_the_body() {
        let r = TokenRequest::form("https://op/token", &[("code", "SECRET-CODE")], 0);
        assert!(r.body.expose().contains("SECRET-CODE"));
        assert!(!format!("{r:?}").contains("SECRET-CODE"));
    }
}
