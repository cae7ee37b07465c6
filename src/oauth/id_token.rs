//! OpenID Connect ID token claims checks (OIDC Core §3.1.3.7 and §12.2).
//!
//! The ID token reaches edge-sso only from the token endpoint, over the TLS
//! connection the caller's `fetch` made to the configured issuer. OIDC Core
//! §3.1.3.7 item 6 allows that server authentication to stand in for the
//! signature check in the code flow, so the JWS signature is not verified
//! here; every claim rule is. An ID token from anywhere else (a URL, a
//! message) is refused long before this point.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::b64url;
use crate::error::{IdTokenError, Result};
use crate::json::{self, Object, Value};
use crate::secret::ct_eq_str;

/// The default clock difference allowed for `exp`, `iat`, `nbf` and
/// `auth_time`, in seconds (`clockSkewSeconds` changes it).
pub const ID_TOKEN_CLOCK_SKEW_SECONDS: u64 = 120;

/// The validated claims of an ID token (public: not the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// The payload as JSON text, for callers who want every claim.
    pub json: String,
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud`, always as a list.
    pub audience: Vec<String>,
    /// `azp`, if present.
    pub azp: Option<String>,
    /// `auth_time`, if present (seconds since the epoch).
    pub auth_time: Option<u64>,
    /// `exp`, seconds since the epoch.
    pub expires_at: u64,
    /// `nonce`, if present.
    pub nonce: Option<String>,
}

/// What the claims must match.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent with the authorization request (code grant only).
    pub nonce: Option<&'a str>,
    /// The `max_age` sent with it, in seconds (code grant only).
    pub max_age: Option<u64>,
    /// The claims of the ID token this one replaces (refresh grant only).
    pub previous: Option<&'a IdTokenClaims>,
    pub now_ms: u64,
    /// The clock difference allowed, in seconds.
    pub skew: u64,
}

/// A segment's JSON text (base64url, UTF-8). Trailing `=` are dropped.
fn segment(part: Option<&[u8]>, what: &'static str) -> Result<String> {
    let mut text = part.ok_or(IdTokenError::Malformed(what))?;
    while let [rest @ .., b'='] = text {
        text = rest;
    }
    let bytes = b64url::decode(text).ok_or(IdTokenError::Malformed(what))?;
    String::from_utf8(bytes).map_err(|_| IdTokenError::Malformed(what).into())
}

fn object<'a>(text: &'a str, what: &'static str) -> Result<Object<'a>> {
    json::parse_object(text).ok_or(IdTokenError::Malformed(what).into())
}

/// A NumericDate (RFC 7519 §2): seconds, possibly with a fraction, which is dropped.
fn seconds(map: &Object<'_>, claim: &'static str) -> Result<u64> {
    match map.get(claim) {
        Some(Value::Number(n)) => n
            .to_u64()
            .map(|(s, _)| s)
            .ok_or(IdTokenError::Malformed(claim).into()),
        _ => Err(IdTokenError::Malformed(claim).into()),
    }
}

/// Checks the ID token's claims and returns them.
// Out of line: inlined into its one caller it made the OAuth-only module
// larger (its error returns and drops were laid out again there).
#[inline(never)]
pub(crate) fn validate(token: &str, expected: &Expected<'_>) -> Result<IdTokenClaims> {
    // Split on the byte: `str::split(char)` would link core's char searcher.
    let mut parts = token.as_bytes().split(|b| *b == b'.');
    let header_text = segment(parts.next(), "header")?;
    let header = object(&header_text, "header")?;
    // The payload's own text is what callers get as `json`: it is exactly
    // what was read, and it parses the same in JavaScript because every
    // ambiguity (duplicate names, lone surrogates, huge numbers) was refused.
    let json = segment(parts.next(), "payload")?;
    let payload = object(&json, "payload")?;
    // A JWS always has a signature; an empty third part is an unsecured JWT.
    if parts.next().is_none_or(<[u8]>::is_empty) || parts.next().is_some() {
        return Err(IdTokenError::Malformed("compact serialization").into());
    }
    match header.get("alg").and_then(Value::as_str) {
        Some(alg) if !alg.eq_ignore_ascii_case("none") => {}
        Some(_) => return Err(IdTokenError::AlgNone.into()),
        None => return Err(IdTokenError::Malformed("alg").into()),
    }
    // RFC 7515 §4.1.11: this client implements no JWS extension, so any
    // `crit` refuses the token (an empty or malformed one is invalid anyway).
    if header.get("crit").is_some() {
        return Err(IdTokenError::CriticalUnsupported.into());
    }

    let text = |claim: &'static str| -> Result<String> {
        match payload.get(claim) {
            Some(Value::String(s)) if !s.is_empty() => Ok(String::from(&**s)),
            _ => Err(IdTokenError::Malformed(claim).into()),
        }
    };
    let issuer = text("iss")?;
    let subject = text("sub")?;
    let audience: Vec<String> = match payload.get("aud") {
        Some(Value::String(s)) => vec![String::from(&**s)],
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut list = Vec::with_capacity(items.len());
            for v in items {
                list.push(v.as_str().ok_or(IdTokenError::Malformed("aud"))?.to_owned());
            }
            list
        }
        _ => return Err(IdTokenError::Malformed("aud").into()),
    };
    let expires_at = seconds(&payload, "exp")?;
    let issued_at = seconds(&payload, "iat")?;
    let not_before = match payload.get("nbf") {
        None => None,
        Some(_) => Some(seconds(&payload, "nbf")?),
    };
    let nonce = match payload.get("nonce") {
        None => None,
        Some(Value::String(s)) => Some(String::from(&**s)),
        Some(_) => return Err(IdTokenError::Malformed("nonce").into()),
    };
    let azp = match payload.get("azp") {
        None => None,
        Some(Value::String(s)) => Some(String::from(&**s)),
        Some(_) => return Err(IdTokenError::Malformed("azp").into()),
    };
    let auth_time = match payload.get("auth_time") {
        None => None,
        Some(_) => Some(seconds(&payload, "auth_time")?),
    };

    if issuer != expected.issuer {
        return Err(IdTokenError::IssuerMismatch.into());
    }
    if !audience.iter().any(|a| a == expected.client_id) {
        return Err(IdTokenError::AudienceMismatch.into());
    }
    // §3.1.3.7 items 4-5: with several audiences the token must name us as its authorized party.
    match azp.as_deref() {
        Some(a) if a != expected.client_id => return Err(IdTokenError::AudienceMismatch.into()),
        None if audience.len() > 1 => return Err(IdTokenError::AudienceMismatch.into()),
        _ => {}
    }
    let now = expected.now_ms / 1000;
    let skew = expected.skew;
    if now >= expires_at.saturating_add(skew) {
        return Err(IdTokenError::Expired.into());
    }
    // Issued, or valid from, later than now: the issuer's clock is ahead.
    if issued_at > now.saturating_add(skew)
        || not_before.is_some_and(|t| t > now.saturating_add(skew))
    {
        return Err(IdTokenError::NotYetValid.into());
    }
    if let Some(max_age) = expected.max_age {
        let at = auth_time.ok_or(IdTokenError::AuthTimeMissing)?;
        // An authentication in the future (milliseconds sent for seconds,
        // say) would pass any max_age.
        if at > now.saturating_add(skew) {
            return Err(IdTokenError::NotYetValid.into());
        }
        if now > at.saturating_add(max_age).saturating_add(skew) {
            return Err(IdTokenError::AuthTooOld.into());
        }
    }
    if let Some(sent) = expected.nonce {
        if !nonce.as_deref().is_some_and(|got| ct_eq_str(got, sent)) {
            return Err(IdTokenError::NonceMismatch.into());
        }
    }
    // §12.2: a refreshed ID token is about the same subject, from the same
    // issuer, for the same audience; a nonce, if any, is the original one.
    if let Some(prev) = expected.previous {
        if prev.subject != subject || prev.issuer != issuer {
            return Err(IdTokenError::SubjectMismatch.into());
        }
        let same_set =
            |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        if !same_set(&prev.audience, &audience) || prev.azp != azp {
            return Err(IdTokenError::AudienceMismatch.into());
        }
        if auth_time.is_some() && auth_time != prev.auth_time {
            return Err(IdTokenError::SubjectMismatch.into());
        }
        if nonce.is_some() && nonce != prev.nonce {
            return Err(IdTokenError::NonceMismatch.into());
        }
    }
    Ok(IdTokenClaims {
        json,
        issuer,
        subject,
        audience,
        azp,
        auth_time,
        expires_at,
        nonce,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::{json, Map, Value};

    const NOW_MS: u64 = 1_700_000_000_000;
    const NOW: u64 = NOW_MS / 1000;

    fn jwt(header: Value, payload: Value) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        )
    }

    fn claims() -> Value {
        json!({"iss": "https://op.example", "sub": "alice", "aud": "spa", "exp": NOW + 300, "iat": NOW, "nonce": "n-1"})
    }

    fn with(f: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut c = claims();
        if let Value::Object(m) = &mut c {
            f(m);
        }
        jwt(json!({"alg": "RS256"}), c)
    }

    /// RFC 7519 §4.1.5: an ID token must not be accepted before its `nbf`
    /// (past the clock skew); an `nbf` that is not a number is malformed.
    #[test]
    fn an_id_token_is_refused_before_its_nbf() {
        let e = expected();
        let nbf = |v: Value| with(|m| drop(m.insert("nbf".into(), v)));
        let skew = ID_TOKEN_CLOCK_SKEW_SECONDS;
        assert_eq!(
            code(&nbf(json!(NOW + skew + 1)), &e),
            "oidc.id_token.not_yet_valid"
        );
        assert_eq!(code(&nbf(json!("later")), &e), "oidc.id_token.malformed");
        assert!(validate(&nbf(json!(NOW + skew)), &e).is_ok());
        assert!(validate(&nbf(json!(NOW - 60)), &e).is_ok());
    }

    /// RFC 7515 §4.1.11: a `crit` header naming an extension this client does
    /// not implement refuses the token, whatever it names.
    #[test]
    fn an_id_token_with_a_crit_header_is_refused() {
        let e = expected();
        for crit in [
            json!(["exp"]),
            json!(["urn:example:ext"]),
            json!([]),
            json!("b64"),
        ] {
            let token = jwt(json!({"alg": "RS256", "crit": crit}), claims());
            assert_eq!(code(&token, &e), "oidc.id_token.crit_unsupported", "{crit}");
        }
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://op.example",
            client_id: "spa",
            nonce: Some("n-1"),
            max_age: None,
            previous: None,
            now_ms: NOW_MS,
            skew: ID_TOKEN_CLOCK_SKEW_SECONDS,
        }
    }

    fn code(token: &str, e: &Expected<'_>) -> &'static str {
        validate(token, e).unwrap_err().code()
    }

    #[test]
    fn the_clock_skew_is_the_clients() {
        let ahead = with(|m| {
            m.insert("iat".into(), json!(NOW + 150));
        });
        let late = with(|m| {
            m.insert("exp".into(), json!(NOW - 200));
        });
        // The default 120 s: an issuer 150 s ahead, a token 200 s expired.
        assert_eq!(code(&ahead, &expected()), "oidc.id_token.not_yet_valid");
        assert_eq!(code(&late, &expected()), "oidc.id_token.expired");
        let lenient = Expected {
            skew: 300,
            ..expected()
        };
        assert!(validate(&ahead, &lenient).is_ok());
        assert!(validate(&late, &lenient).is_ok());
        let strict = Expected {
            skew: 0,
            ..expected()
        };
        let just = with(|m| {
            m.insert("iat".into(), json!(NOW + 1));
        });
        assert_eq!(code(&just, &strict), "oidc.id_token.not_yet_valid");
        assert!(validate(&just, &expected()).is_ok());
    }

    #[test]
    fn max_age_needs_a_recent_enough_auth_time() {
        let e = Expected {
            max_age: Some(600),
            ..expected()
        };
        let at = |t: u64| {
            with(|m| {
                m.insert("auth_time".into(), json!(t));
            })
        };
        assert_eq!(code(&with(|_| {}), &e), "oidc.id_token.auth_time_missing");
        assert!(validate(&at(NOW - 600), &e).is_ok());
        // Within the clock skew past max_age, then not.
        assert!(validate(&at(NOW - 600 - ID_TOKEN_CLOCK_SKEW_SECONDS), &e).is_ok());
        assert_eq!(
            code(&at(NOW - 601 - ID_TOKEN_CLOCK_SKEW_SECONDS), &e),
            "oidc.id_token.auth_too_old"
        );
        // max_age=0 (OIDC Core: authenticate afresh) leaves only the skew.
        let now_only = Expected {
            max_age: Some(0),
            ..expected()
        };
        assert!(validate(&at(NOW), &now_only).is_ok());
        assert_eq!(
            code(&at(NOW - 3600), &now_only),
            "oidc.id_token.auth_too_old"
        );
        // In the future: milliseconds where seconds belong, say.
        assert_eq!(code(&at(NOW_MS), &e), "oidc.id_token.not_yet_valid");
        assert!(validate(&at(NOW + ID_TOKEN_CLOCK_SKEW_SECONDS), &e).is_ok());
        // Without max_age, auth_time is only read.
        assert!(validate(&at(NOW - 86_400), &expected()).is_ok());
    }

    #[test]
    fn accepts_matching_claims() {
        let c = validate(&with(|_| {}), &expected()).unwrap();
        assert_eq!(c.subject, "alice");
        assert_eq!(c.audience, vec!["spa"]);
        assert!(c.json.contains("\"sub\":\"alice\""));
    }

    #[test]
    fn rejects_each_broken_claim() {
        let e = expected();
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("iss".into(), json!("https://evil"));
                }),
                &e
            ),
            "oidc.id_token.issuer_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("aud".into(), json!("other"));
                }),
                &e
            ),
            "oidc.id_token.audience_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("aud".into(), json!(["spa", "other"]));
                }),
                &e
            ),
            "oidc.id_token.audience_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("azp".into(), json!("other"));
                }),
                &e
            ),
            "oidc.id_token.audience_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("exp".into(), json!(NOW - 121));
                }),
                &e
            ),
            "oidc.id_token.expired"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("nonce".into(), json!("n-2"));
                }),
                &e
            ),
            "oidc.id_token.nonce_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.remove("nonce");
                }),
                &e
            ),
            "oidc.id_token.nonce_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.remove("sub");
                }),
                &e
            ),
            "oidc.id_token.malformed"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.remove("iat");
                }),
                &e
            ),
            "oidc.id_token.malformed"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("iat".into(), json!(NOW + 3600));
                }),
                &e
            ),
            "oidc.id_token.not_yet_valid"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("exp".into(), json!("soon"));
                }),
                &e
            ),
            "oidc.id_token.malformed"
        );
        assert_eq!(
            code(&jwt(json!({"alg": "none"}), claims()), &e),
            "oidc.id_token.alg_none"
        );
        assert_eq!(
            code(&jwt(json!({}), claims()), &e),
            "oidc.id_token.malformed"
        );
    }

    #[test]
    fn refuses_duplicate_claims() {
        let e = expected();
        let seg = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let claims = format!(
            r#"{{"iss":"https://op.example","sub":"alice","aud":"spa","exp":{},"iat":{NOW},"nonce":"n-1""#,
            NOW + 300
        );
        let token = |header: &str, payload: &str| format!("{}.{}.c2ln", seg(header), seg(payload));
        assert!(validate(&token(r#"{"alg":"RS256"}"#, &(claims.clone() + "}")), &e).is_ok());
        // Another parser might keep the other `sub` or `nonce`.
        for extra in [
            r#","sub":"mallory"}"#,
            r#","nonce":"n-2"}"#,
            r#","\u0073ub":"mallory"}"#,
        ] {
            assert_eq!(
                code(&token(r#"{"alg":"RS256"}"#, &(claims.clone() + extra)), &e),
                "oidc.id_token.malformed",
                "{extra}"
            );
        }
        assert_eq!(
            code(
                &token(r#"{"alg":"RS256","alg":"none"}"#, &(claims + "}")),
                &e
            ),
            "oidc.id_token.malformed"
        );
    }

    #[test]
    fn numeric_dates_may_have_fractions_and_json_is_the_payload_as_sent() {
        let payload = format!(
            r#"{{ "iss": "https://op.example", "sub": "alice", "aud": "spa", "exp": {}.75, "iat": {NOW}e0, "nonce": "n-1", "zz": 1 }}"#,
            NOW + 300
        );
        let token = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(&payload)
        );
        let c = validate(&token, &expected()).unwrap();
        assert_eq!(c.expires_at, NOW + 300);
        assert_eq!(c.json, payload);
        let not_utf8 = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(b"{\"sub\":\"\xff\"}")
        );
        assert_eq!(code(&not_utf8, &expected()), "oidc.id_token.malformed");
    }

    #[test]
    fn several_audiences_need_azp() {
        let t = with(|m| {
            m.insert("aud".into(), json!(["spa", "api"]));
            m.insert("azp".into(), json!("spa"));
        });
        assert!(validate(&t, &expected()).is_ok());
    }

    #[test]
    fn clock_skew_is_allowed_on_exp() {
        assert!(validate(
            &with(|m| {
                m.insert("exp".into(), json!(NOW - 60));
            }),
            &expected()
        )
        .is_ok());
    }

    #[test]
    fn rejects_garbage() {
        let e = expected();
        let unsigned = with(|_| {});
        let unsigned = unsigned.rsplit_once('.').unwrap().0.to_owned() + ".";
        assert_eq!(code(&unsigned, &e), "oidc.id_token.malformed");
        for t in [
            "",
            "a",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            "e30.e30.x",
            "W10.W10.x",
        ] {
            assert_eq!(code(t, &e), "oidc.id_token.malformed", "{t}");
        }
    }

    #[test]
    fn refreshed_token_must_keep_subject_issuer_audience() {
        let first = validate(&with(|_| {}), &expected()).unwrap();
        let refresh = Expected {
            nonce: None,
            previous: Some(&first),
            ..expected()
        };
        assert!(validate(
            &with(|m| {
                m.remove("nonce");
            }),
            &refresh
        )
        .is_ok());
        assert!(
            validate(&with(|_| {}), &refresh).is_ok(),
            "the original nonce may be repeated"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("sub".into(), json!("mallory"));
                }),
                &refresh
            ),
            "oidc.id_token.subject_mismatch"
        );
        assert_eq!(
            code(
                &with(|m| {
                    m.insert("nonce".into(), json!("other"));
                }),
                &refresh
            ),
            "oidc.id_token.nonce_mismatch"
        );
        let t = with(|m| {
            m.insert("aud".into(), json!(["spa", "api"]));
            m.insert("azp".into(), json!("spa"));
        });
        assert_eq!(code(&t, &refresh), "oidc.id_token.audience_mismatch");
        let t = with(|m| {
            m.remove("nonce");
            m.insert("auth_time".into(), json!(NOW - 5));
        });
        assert_eq!(
            code(&t, &refresh),
            "oidc.id_token.subject_mismatch",
            "auth_time appeared or changed"
        );
    }

    #[test]
    fn audience_order_does_not_matter_on_refresh() {
        let first_token = with(|m| {
            m.insert("aud".into(), json!(["spa", "api"]));
            m.insert("azp".into(), json!("spa"));
        });
        let first = validate(&first_token, &expected()).unwrap();
        let refresh = Expected {
            nonce: None,
            previous: Some(&first),
            ..expected()
        };
        let t = with(|m| {
            m.insert("aud".into(), json!(["api", "spa"]));
            m.insert("azp".into(), json!("spa"));
        });
        assert!(validate(&t, &refresh).is_ok());
    }
}
