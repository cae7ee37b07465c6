//! Client-level tests: the client's security rules, end to end in Rust.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::error::Error;
use crate::url::parse_query;

const NOW: u64 = 1_700_000_000_000;
const ISSUER: &str = "https://op.example";
const REDIRECT: &str = "https://app.example/cb";

fn config() -> ClientConfig {
    let mut c = ClientConfig::new(
        "https://op.example/authorize",
        "https://op.example/token",
        "spa",
        REDIRECT,
    );
    c.issuer = Some(ISSUER.into());
    c.scope = Some("openid profile".into());
    c
}

fn client() -> OAuthClient {
    OAuthClient::new(config()).unwrap()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    parse_query(url.split_once('?').unwrap().1).unwrap()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn callback(state: &str, extra: &str) -> String {
    format!("{REDIRECT}?code=the-code&state={state}&iss=https%3A%2F%2Fop.example{extra}")
}

fn token_json(access: &str, refresh: Option<&str>) -> String {
    match refresh {
        Some(r) => format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600,"refresh_token":"{r}"}}"#
        ),
        None => format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600}}"#),
    }
}

fn code_of(r: Result<impl core::fmt::Debug, Error>) -> &'static str {
    r.unwrap_err().code()
}

// --- configuration --------------------------------------------------------

#[test]
fn config_refuses_insecure_endpoints() {
    for f in [0, 1, 2] {
        let mut c = config();
        let bad = "http://op.example/x".to_owned();
        match f {
            0 => c.authorization_endpoint = bad,
            1 => c.token_endpoint = bad,
            _ => c.redirect_uri = bad,
        }
        assert_eq!(code_of(OAuthClient::new(c)), "config.insecure_url");
    }
    let mut c = config();
    c.redirect_uri = "http://127.0.0.1:8080/cb".into();
    assert!(
        OAuthClient::new(c).is_ok(),
        "http on loopback is allowed for development"
    );
}

#[test]
fn config_requires_issuer_when_iss_is_advertised() {
    let mut c = config();
    c.issuer = None;
    c.iss_parameter_supported = true;
    assert_eq!(code_of(OAuthClient::new(c)), "arg.invalid");
}

#[test]
fn config_refuses_owned_parameters_in_the_endpoint_query() {
    let mut c = config();
    c.authorization_endpoint = "https://op.example/authorize?state=fixed".into();
    assert_eq!(
        code_of(OAuthClient::new(c)),
        "oauth.authorize.reserved_parameter"
    );
    let mut c = config();
    c.authorization_endpoint = "https://op.example/authorize?p=B2C_1_signin".into();
    let mut client = OAuthClient::new(c).unwrap();
    let req = client.authorize(AuthorizeOptions::default(), NOW).unwrap();
    assert!(req
        .url
        .starts_with("https://op.example/authorize?p=B2C_1_signin&response_type=code&"));
}

// --- authorization request --------------------------------------------------

#[test]
fn authorize_builds_a_pkce_s256_code_request() {
    let mut c = client();
    let req = c
        .authorize(
            AuthorizeOptions {
                nonce: true,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let q = query_of(&req.url);
    assert_eq!(param(&q, "response_type"), Some("code"));
    assert_eq!(param(&q, "client_id"), Some("spa"));
    assert_eq!(param(&q, "redirect_uri"), Some(REDIRECT));
    assert_eq!(param(&q, "scope"), Some("openid profile"));
    assert_eq!(param(&q, "state"), Some(req.state.as_str()));
    assert_eq!(param(&q, "code_challenge_method"), Some("S256"));
    assert_eq!(
        param(&q, "code_challenge"),
        Some(req.code_verifier.challenge().as_str())
    );
    assert_eq!(param(&q, "nonce"), req.nonce.as_deref());
    assert_eq!(req.state.len(), 43);
    assert_eq!(req.nonce.as_ref().unwrap().len(), 43);
    assert_eq!(req.code_verifier.expose().len(), 64);
    assert_eq!(req.expires_at, NOW + DEFAULT_PENDING_TTL_MS);
    assert!(
        !req.url.contains(req.code_verifier.expose()),
        "the verifier never goes into the URL"
    );
    assert_eq!(c.pending_count(), 1);
}

#[test]
fn authorize_without_nonce_sends_none_and_encodes_extras() {
    let mut c = client();
    let extra = vec![
        ("login_hint".to_owned(), "a b&c=d@x".to_owned()),
        ("prompt".into(), "login".into()),
    ];
    let req = c
        .authorize(
            AuthorizeOptions {
                extra,
                scope: Some("openid".into()),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let q = query_of(&req.url);
    assert_eq!(param(&q, "nonce"), None);
    assert!(req.nonce.is_none());
    assert_eq!(param(&q, "login_hint"), Some("a b&c=d@x"));
    assert_eq!(param(&q, "scope"), Some("openid"));
    assert!(req.url.contains("login_hint=a+b%26c%3Dd%40x"));
}

#[test]
fn authorize_refuses_owned_and_secret_parameters() {
    let mut c = client();
    for (name, code) in [
        ("state", "oauth.authorize.reserved_parameter"),
        ("redirect_uri", "oauth.authorize.reserved_parameter"),
        (
            "code_challenge_method",
            "oauth.authorize.reserved_parameter",
        ),
        ("response_type", "oauth.authorize.reserved_parameter"),
        ("client_secret", "config.secret_refused"),
        ("client_assertion", "config.secret_refused"),
        ("request", "config.secret_refused"),
        ("request_uri", "oauth.authorize.reserved_parameter"),
    ] {
        let opts = AuthorizeOptions {
            extra: vec![(name.into(), "x".into())],
            ..Default::default()
        };
        assert_eq!(code_of(c.authorize(opts, NOW)), code, "{name}");
    }
    assert_eq!(
        c.pending_count(),
        0,
        "a refused request leaves nothing pending"
    );
}

#[test]
fn each_authorization_is_fresh() {
    let mut c = client();
    let a = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let b = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    assert_ne!(a.state, b.state);
    assert_ne!(a.code_verifier.expose(), b.code_verifier.expose());
}

// --- callback ---------------------------------------------------------------

#[test]
fn callback_round_trip_then_state_is_one_time() {
    let mut c = client();
    let req = c
        .authorize(
            AuthorizeOptions {
                nonce: true,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let url = callback(&req.state, "");
    let resp = c.handle_callback(&url, NOW + 1, None).unwrap();
    assert_eq!(resp.state, req.state);
    assert_eq!(resp.nonce, req.nonce);
    assert_eq!(resp.iss.as_deref(), Some(ISSUER));
    assert_eq!(
        code_of(c.handle_callback(&url, NOW + 2, None)),
        "oauth.state.reused"
    );
}

#[test]
fn callback_rejects_missing_unknown_and_expired_state() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let no_state = format!("{REDIRECT}?code=x&iss=https%3A%2F%2Fop.example");
    assert_eq!(
        code_of(c.handle_callback(&no_state, NOW, None)),
        "oauth.state.missing"
    );
    assert_eq!(
        code_of(c.handle_callback(&callback("forged", ""), NOW, None)),
        "oauth.state.mismatch"
    );
    let late = NOW + DEFAULT_PENDING_TTL_MS;
    assert_eq!(
        code_of(c.handle_callback(&callback(&req.state, ""), late, None)),
        "oauth.state.expired"
    );
    assert_eq!(
        code_of(c.handle_callback(&callback(&req.state, ""), late, None)),
        "oauth.state.expired"
    );
}

#[test]
fn callback_checks_iss_before_state() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let wrong = format!(
        "{REDIRECT}?code=x&state={}&iss=https%3A%2F%2Fevil.example",
        req.state
    );
    assert_eq!(
        code_of(c.handle_callback(&wrong, NOW, None)),
        "oauth.iss.mismatch"
    );
    // the failed iss check did not consume the state: the real response still works
    assert!(c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .is_ok());
}

#[test]
fn callback_requires_iss_when_advertised() {
    let mut cfg = config();
    cfg.iss_parameter_supported = true;
    let mut c = OAuthClient::new(cfg).unwrap();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let no_iss = format!("{REDIRECT}?code=x&state={}", req.state);
    assert_eq!(
        code_of(c.handle_callback(&no_iss, NOW, None)),
        "oauth.iss.missing"
    );
    // without the advertisement, a missing iss is accepted (RFC 9207 §2.4)
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    assert!(c
        .handle_callback(&format!("{REDIRECT}?code=x&state={}", req.state), NOW, None)
        .is_ok());
}

#[test]
fn callback_with_iss_but_no_configured_issuer_is_unverifiable() {
    let mut cfg = config();
    cfg.issuer = None;
    let mut c = OAuthClient::new(cfg).unwrap();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    assert_eq!(
        code_of(c.handle_callback(&callback(&req.state, ""), NOW, None)),
        "oauth.iss.unverifiable"
    );
}

#[test]
fn error_response_is_believed_only_after_state_matched() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let forged =
        format!("{REDIRECT}?error=access_denied&state=forged&iss=https%3A%2F%2Fop.example");
    assert_eq!(
        code_of(c.handle_callback(&forged, NOW, None)),
        "oauth.state.mismatch"
    );
    let real = format!(
        "{REDIRECT}?error=access_denied&error_description=User+cancelled&state={}&iss=https%3A%2F%2Fop.example",
        req.state
    );
    let err = c.handle_callback(&real, NOW, None).unwrap_err();
    assert_eq!(err.code(), "oauth.authorization.error");
    let r = err.error_response().unwrap();
    assert_eq!(r.error, "access_denied");
    assert_eq!(r.description.as_deref(), Some("User cancelled"));
    // the error consumed the state
    assert_eq!(
        code_of(c.handle_callback(&callback(&req.state, ""), NOW, None)),
        "oauth.state.reused"
    );
}

#[test]
fn hostile_callbacks_are_refused() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let s = &req.state;
    for (url, code) in [
        (
            format!("{REDIRECT}?code=a&state={s}&state={s}&iss=https%3A%2F%2Fop.example"),
            "oauth.callback.duplicate_parameter",
        ),
        (
            format!("{REDIRECT}?code=a&code=b&state={s}&iss=https%3A%2F%2Fop.example"),
            "oauth.callback.duplicate_parameter",
        ),
        (
            format!("{REDIRECT}?access_token=x&state={s}&iss=https%3A%2F%2Fop.example"),
            "oauth.callback.implicit_response",
        ),
        (
            format!("{REDIRECT}?code=a&error=x&state={s}&iss=https%3A%2F%2Fop.example"),
            "oauth.callback.code_and_error",
        ),
        (
            format!("https://evil.example/cb?code=a&state={s}"),
            "oauth.callback.redirect_uri_mismatch",
        ),
        (
            format!("{REDIRECT}?code=%ZZ&state={s}"),
            "oauth.callback.malformed",
        ),
        (
            format!(
                "{REDIRECT}?code=a&state={s}&x={}",
                "y".repeat(MAX_CALLBACK_LEN)
            ),
            "oauth.callback.too_large",
        ),
        (
            format!("{REDIRECT}?error=bad%22code&state={s}&iss=https%3A%2F%2Fop.example"),
            "oauth.callback.malformed",
        ),
    ] {
        assert_eq!(
            code_of(c.handle_callback(&url, NOW, None)),
            code,
            "{url:.120}"
        );
    }
}

#[test]
fn callback_without_code_or_error() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let url = format!(
        "{REDIRECT}?state={}&iss=https%3A%2F%2Fop.example",
        req.state
    );
    assert_eq!(
        code_of(c.handle_callback(&url, NOW, None)),
        "oauth.callback.code_missing"
    );
}

#[test]
fn carried_flow_is_checked_and_once_per_instance() {
    let mut starter = client();
    let req = starter.authorize(AuthorizeOptions::default(), NOW).unwrap();
    // another instance (another isolate) gets the flow back from a cookie
    let mut other = client();
    let carried = |state: &str, expires_at| CarriedFlow {
        expected_state: state.to_owned(),
        code_verifier: CodeVerifier::parse(req.code_verifier.expose()).unwrap(),
        nonce: None,
        expires_at,
        scope: None,
        max_age: None,
    };
    let url = callback(&req.state, "");
    assert_eq!(
        code_of(other.handle_callback(
            &url,
            NOW,
            Some(carried("other-state-of-sufficient-length", None))
        )),
        "oauth.state.mismatch"
    );
    assert_eq!(
        code_of(other.handle_callback(
            &format!("{REDIRECT}?code=x&state="),
            NOW,
            Some(carried("", None))
        )),
        "arg.invalid"
    );
    assert_eq!(
        code_of(other.handle_callback(
            &format!("{REDIRECT}?code=x&state=short"),
            NOW,
            Some(carried("short", None))
        )),
        "arg.invalid"
    );
    assert_eq!(
        code_of(other.handle_callback(&url, NOW + 10, Some(carried(&req.state, Some(NOW + 10))))),
        "oauth.state.expired"
    );
    let mut fresh = client();
    let resp = fresh
        .handle_callback(&url, NOW, Some(carried(&req.state, Some(NOW + 10))))
        .unwrap();
    let token_req = fresh.token_request(resp).unwrap();
    assert!(token_req
        .body
        .expose()
        .contains(&format!("code_verifier={}", req.code_verifier.expose())));
    assert_eq!(
        code_of(fresh.handle_callback(&url, NOW, Some(carried(&req.state, None)))),
        "oauth.state.reused"
    );
}

// --- token request and response --------------------------------------------

#[test]
fn token_request_has_every_rfc_parameter_form_encoded() {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = c
        .handle_callback(
            &format!("{REDIRECT}?code=a%2Bb%20c&state={}", req.state),
            NOW,
            None,
        )
        .unwrap();
    let t = c.token_request(resp).unwrap();
    assert_eq!(t.url, "https://op.example/token");
    assert_eq!(t.method, "POST");
    let body = parse_query(t.body.expose()).unwrap();
    assert_eq!(param(&body, "grant_type"), Some("authorization_code"));
    assert_eq!(param(&body, "code"), Some("a+b c"));
    assert_eq!(param(&body, "redirect_uri"), Some(REDIRECT));
    assert_eq!(param(&body, "client_id"), Some("spa"));
    assert_eq!(
        param(&body, "code_verifier"),
        Some(req.code_verifier.expose())
    );
    assert_eq!(body.len(), 5, "no client_secret or anything else");
}

#[test]
fn a_response_from_another_client_is_refused() {
    let mut a = client();
    let mut b = client();
    let req = a.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = a
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    assert_eq!(code_of(b.token_request(resp)), "arg.invalid");
}

#[test]
fn token_response_needs_an_outstanding_request() {
    let mut c = client();
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT", None), Some(200), NOW)),
        "oauth.token.not_outstanding"
    );
}

fn logged_in(refresh: Option<&str>) -> OAuthClient {
    let mut c = client();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    c.accept_token_response(&token_json("AT-1-SECRET", refresh), Some(200), NOW)
        .unwrap();
    c
}

#[test]
fn accept_returns_facts_and_header_uses_the_token() {
    let c = logged_in(Some("RT-1-SECRET"));
    let info = c.token_info().unwrap();
    assert_eq!(info.token_type, "Bearer");
    assert_eq!(info.expires_at, Some(NOW + 3_600_000));
    assert_eq!(info.scope.as_deref(), Some("openid profile"));
    assert!(info.has_refresh_token);
    assert!(!format!("{info:?}").contains("SECRET"));
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT-1-SECRET");
    assert_eq!(
        code_of(c.authorization_header(NOW + 3_600_000)),
        "oauth.vault.expired"
    );
}

#[test]
fn refresh_rotates_and_old_refresh_token_is_gone() {
    let mut c = logged_in(Some("RT-1-SECRET"));
    assert!(!c.needs_refresh(NOW, 60));
    assert!(c.needs_refresh(NOW + 3_550_000, 60));
    let r = c.refresh_request(None).unwrap();
    let body = parse_query(r.body.expose()).unwrap();
    assert_eq!(param(&body, "grant_type"), Some("refresh_token"));
    assert_eq!(param(&body, "refresh_token"), Some("RT-1-SECRET"));
    assert_eq!(param(&body, "client_id"), Some("spa"));
    c.accept_token_response(&token_json("AT-2", Some("RT-2")), Some(200), NOW + 10)
        .unwrap();
    let r2 = c.refresh_request(Some("openid")).unwrap();
    let body2 = parse_query(r2.body.expose()).unwrap();
    assert_eq!(param(&body2, "refresh_token"), Some("RT-2"));
    assert_eq!(param(&body2, "scope"), Some("openid"));
    assert!(!r2.body.expose().contains("RT-1"));
}

#[test]
fn refresh_without_refresh_token_is_refused() {
    let mut c = logged_in(None);
    assert_eq!(
        code_of(c.refresh_request(None)),
        "oauth.vault.no_refresh_token"
    );
}

#[test]
fn token_error_keeps_the_vault_and_reports_the_code() {
    let mut c = logged_in(Some("RT"));
    c.refresh_request(None).unwrap();
    let e = c
        .accept_token_response(r#"{"error":"invalid_grant"}"#, Some(400), NOW)
        .unwrap_err();
    assert_eq!(e.code(), "oauth.token.error");
    assert!(c.token_info().is_some());
}

#[test]
fn clear_forgets_everything() {
    let mut c = logged_in(Some("RT"));
    c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    c.clear();
    assert!(c.token_info().is_none());
    assert_eq!(c.pending_count(), 0);
    assert_eq!(code_of(c.authorization_header(NOW)), "oauth.vault.empty");
    assert_eq!(
        code_of(c.refresh_request(None)),
        "oauth.vault.no_refresh_token"
    );
}

#[test]
fn no_token_in_debug_or_errors() {
    let mut c = logged_in(Some("RT-1-SECRET"));
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("SECRET"), "{dbg}");
    let r = c.refresh_request(None).unwrap();
    assert!(!format!("{r:?}").contains("SECRET"));
    let e = c
        .accept_token_response(
            r#"{"access_token":"AT-LEAK","token_type":"mac","refresh_token":"RT-LEAK"}"#,
            Some(200),
            NOW,
        )
        .unwrap_err();
    assert!(!e.to_string().contains("LEAK") && !format!("{e:?}").contains("LEAK"));
}

#[test]
fn dpop_clients_accept_dpop_tokens_only() {
    let mut cfg = config();
    cfg.dpop = true;
    let mut c = OAuthClient::new(cfg).unwrap();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT", None), None, NOW)),
        "oauth.token.type_unsupported"
    );
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    c.accept_token_response(r#"{"access_token":"AT","token_type":"DPoP"}"#, None, NOW)
        .unwrap();
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "DPoP AT");
}

// --- ID token claims (OIDC Core §3.1.3.7, §12.2) -----------------------------

fn id_token(nonce: Option<&str>, sub: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let mut claims = serde_json::json!({
        "iss": ISSUER, "sub": sub, "aud": "spa", "exp": NOW / 1000 + 600, "iat": NOW / 1000,
    });
    if let (Some(n), Some(map)) = (nonce, claims.as_object_mut()) {
        map.insert("nonce".into(), n.into());
    }
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn with_id_token(id_token: &str, refresh: Option<&str>) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&token_json("AT", refresh)).unwrap();
    v["id_token"] = id_token.into();
    v.to_string()
}

fn oidc_login(nonce: bool) -> (OAuthClient, Option<String>) {
    let mut c = client();
    let req = c
        .authorize(
            AuthorizeOptions {
                nonce,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    (c, req.nonce)
}

#[test]
fn id_token_with_the_sent_nonce_is_accepted_and_its_claims_kept() {
    let (mut c, nonce) = oidc_login(true);
    let info = c
        .accept_token_response(
            &with_id_token(&id_token(nonce.as_deref(), "alice"), Some("RT")),
            None,
            NOW,
        )
        .unwrap();
    assert!(info.has_id_token);
    let claims = c.id_token_claims().unwrap();
    assert_eq!(claims.subject, "alice");
    assert_eq!(claims.nonce, nonce);
}

#[test]
fn id_token_with_another_nonce_or_none_is_refused() {
    let (mut c, _) = oidc_login(true);
    assert_eq!(
        code_of(c.accept_token_response(
            &with_id_token(&id_token(Some("other"), "a"), None),
            None,
            NOW
        )),
        "oidc.id_token.nonce_mismatch"
    );
    assert!(c.token_info().is_none(), "nothing was stored");
    let (mut c, _) = oidc_login(true);
    assert_eq!(
        code_of(c.accept_token_response(&with_id_token(&id_token(None, "a"), None), None, NOW)),
        "oidc.id_token.nonce_mismatch"
    );
}

#[test]
fn a_nonce_was_sent_but_no_id_token_came_back() {
    let (mut c, _) = oidc_login(true);
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT", None), None, NOW)),
        "oidc.id_token.missing"
    );
}

#[test]
fn id_token_without_configured_issuer_is_unverifiable() {
    let mut cfg = config();
    cfg.issuer = None;
    let mut c = OAuthClient::new(cfg).unwrap();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let resp = c
        .handle_callback(&format!("{REDIRECT}?code=x&state={}", req.state), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(&with_id_token(&id_token(None, "a"), None), None, NOW)),
        "oidc.id_token.unverifiable"
    );
}

#[test]
fn refreshed_id_token_must_be_about_the_same_subject() {
    let (mut c, nonce) = oidc_login(true);
    c.accept_token_response(
        &with_id_token(&id_token(nonce.as_deref(), "alice"), Some("RT")),
        None,
        NOW,
    )
    .unwrap();
    c.refresh_request(None).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(
            &with_id_token(&id_token(None, "mallory"), None),
            None,
            NOW
        )),
        "oidc.id_token.subject_mismatch"
    );
    c.refresh_request(None).unwrap();
    c.accept_token_response(&with_id_token(&id_token(None, "alice"), None), None, NOW)
        .unwrap();
    assert_eq!(c.id_token_claims().unwrap().subject, "alice");
}

// --- review follow-ups ---------------------------------------------------------

/// A login started with a nonce, its token request made: the request and
/// the nonce.
fn nonce_login(c: &mut OAuthClient) -> (TokenRequest, String) {
    let req = c
        .authorize(
            AuthorizeOptions {
                nonce: true,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    (c.token_request(resp).unwrap(), req.nonce.unwrap())
}

#[test]
fn a_refresh_in_flight_cannot_have_a_login_answer_checked_as_its_own() {
    let mut c = logged_in(Some("RT"));
    let (login, _) = nonce_login(&mut c);
    let refresh = c.refresh_request(None).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT2", None), None, NOW)),
        "oauth.token.request_ambiguous"
    );
    // The login's answer is checked as a login's (the nonce is required),
    // whichever request was made last.
    assert_eq!(
        code_of(c.accept_token_response_for(login.id, &token_json("AT2", None), None, NOW)),
        "oidc.id_token.missing"
    );
    // ... and it was answered: the refresh is the only one left.
    c.accept_token_response(&token_json("AT3", None), None, NOW)
        .unwrap();
    assert_eq!(refresh.id, login.id + 1);
}

#[test]
fn each_of_two_logins_in_flight_is_checked_against_its_own_nonce() {
    let mut c = client();
    let (first, n1) = nonce_login(&mut c);
    let (second, n2) = nonce_login(&mut c);
    // An answer of the first login (its nonce) given as the second's fails.
    assert_ne!(n1, n2);
    let answer = |nonce: &str| with_id_token(&id_token(Some(nonce), "alice"), None);
    assert_eq!(
        code_of(c.accept_token_response_for(second.id, &answer(&n1), None, NOW)),
        "oidc.id_token.nonce_mismatch"
    );
    c.accept_token_response_for(first.id, &answer(&n1), None, NOW)
        .unwrap();
    // Both are answered now: no request awaits one.
    assert_eq!(
        code_of(c.accept_token_response(&answer(&n2), None, NOW)),
        "oauth.token.not_outstanding"
    );
}

#[test]
fn a_refresh_answered_after_a_new_login_is_refused_as_superseded() {
    let mut c = logged_in(Some("RT"));
    let refresh = c.refresh_request(None).unwrap();
    let (login, nonce) = nonce_login(&mut c);
    c.accept_token_response_for(
        login.id,
        &with_id_token(&id_token(Some(&nonce), "bob"), Some("RT-BOB")),
        None,
        NOW,
    )
    .unwrap();
    assert_eq!(
        code_of(c.accept_token_response_for(
            refresh.id,
            &token_json("AT-OLD", Some("RT-OLD")),
            None,
            NOW
        )),
        "oauth.token.superseded"
    );
    // The login's tokens are still the ones held.
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT");
    assert!(c
        .refresh_request(None)
        .unwrap()
        .body
        .expose()
        .contains("RT-BOB"));
}

#[test]
fn a_login_answered_after_a_refresh_still_replaces_the_grant() {
    let mut c = logged_in(Some("RT"));
    let (login, nonce) = nonce_login(&mut c);
    let refresh = c.refresh_request(None).unwrap();
    c.accept_token_response_for(refresh.id, &token_json("AT-R", Some("RT-R")), None, NOW)
        .unwrap();
    c.accept_token_response_for(
        login.id,
        &with_id_token(&id_token(Some(&nonce), "bob"), Some("RT-BOB")),
        None,
        NOW,
    )
    .unwrap();
    assert!(c
        .refresh_request(None)
        .unwrap()
        .body
        .expose()
        .contains("RT-BOB"));
}

#[test]
fn a_request_whose_answer_never_came_does_not_block_the_next() {
    let mut c = logged_in(Some("RT"));
    // Nine logins whose fetch failed: the oldest make room.
    let lost: Vec<u32> = (0..9).map(|_| nonce_login(&mut c).0.id).collect();
    assert_eq!(
        code_of(c.accept_token_response_for(lost[0], &token_json("AT2", None), None, NOW)),
        "oauth.token.not_outstanding"
    );
    // A refresh asked for again (its first fetch seemed to fail): whichever
    // answer comes first and succeeds is kept, the other is superseded.
    let first = c.refresh_request(None).unwrap();
    let second = c.refresh_request(None).unwrap();
    c.accept_token_response_for(second.id, &token_json("AT2", Some("RT2")), None, NOW)
        .unwrap();
    assert_eq!(
        code_of(c.accept_token_response_for(first.id, &token_json("AT3", None), None, NOW)),
        "oauth.token.superseded"
    );
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT2");
}

#[test]
fn the_first_of_two_refreshes_answered_keeps_its_rotated_token() {
    // The server honoured the first refresh (rotating the refresh token)
    // and refused the second, which spent the old one again.
    let mut c = logged_in(Some("RT"));
    let first = c.refresh_request(None).unwrap();
    let second = c.refresh_request(None).unwrap();
    c.accept_token_response_for(first.id, &token_json("AT2", Some("RT2")), None, NOW)
        .unwrap();
    assert_eq!(
        code_of(c.accept_token_response_for(
            second.id,
            r#"{"error":"invalid_grant"}"#,
            Some(400),
            NOW
        )),
        "oauth.token.superseded"
    );
    assert!(c
        .refresh_request(None)
        .unwrap()
        .body
        .expose()
        .contains("refresh_token=RT2"));
}

#[test]
fn a_refusal_of_one_refresh_answered_first_loses_nothing_the_other_saves() {
    // The server honoured the first refresh and refused the second (its
    // refresh token was spent), and the refusal arrives first.
    let mut c = logged_in(Some("RT"));
    let first = c.refresh_request(None).unwrap();
    let second = c.refresh_request(None).unwrap();
    assert_eq!(
        code_of(c.accept_token_response_for(
            second.id,
            r#"{"error":"invalid_grant"}"#,
            Some(400),
            NOW
        )),
        "oauth.token.error"
    );
    // Nothing was lost: the old tokens are still held...
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT-1-SECRET");
    // ...and the honoured refresh lands.
    c.accept_token_response_for(first.id, &token_json("AT2", Some("RT2")), None, NOW)
        .unwrap();
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT2");
}

#[test]
fn an_answer_naming_no_request_takes_any_of_alike_refreshes() {
    let mut c = logged_in(Some("RT"));
    c.refresh_request(None).unwrap();
    c.refresh_request(None).unwrap();
    c.accept_token_response(&token_json("AT2", Some("RT2")), None, NOW)
        .unwrap();
    assert_eq!(&*c.authorization_header(NOW).unwrap(), "Bearer AT2");
    // Refreshes for different scopes expect different answers.
    c.refresh_request(None).unwrap();
    c.refresh_request(Some("openid")).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT3", None), None, NOW)),
        "oauth.token.request_ambiguous"
    );
    // A refresh beside a login is ambiguous too.
    let mut c = logged_in(Some("RT"));
    c.refresh_request(None).unwrap();
    nonce_login(&mut c);
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT3", None), None, NOW)),
        "oauth.token.request_ambiguous"
    );
}

#[test]
fn an_older_login_answered_last_does_not_replace_the_newer_one() {
    let mut c = logged_in(Some("RT"));
    let (older, older_nonce) = nonce_login(&mut c);
    let (newer, newer_nonce) = nonce_login(&mut c);
    c.accept_token_response_for(
        newer.id,
        &with_id_token(&id_token(Some(&newer_nonce), "bob"), Some("RT-BOB")),
        None,
        NOW,
    )
    .unwrap();
    assert_eq!(
        code_of(c.accept_token_response_for(
            older.id,
            &with_id_token(&id_token(Some(&older_nonce), "carol"), Some("RT-CAROL")),
            None,
            NOW
        )),
        "oauth.token.superseded"
    );
    assert!(c
        .refresh_request(None)
        .unwrap()
        .body
        .expose()
        .contains("RT-BOB"));
}

#[test]
fn a_failed_response_closes_the_outstanding_request() {
    let mut c = logged_in(Some("RT"));
    c.refresh_request(None).unwrap();
    assert_eq!(
        code_of(c.accept_token_response("not json", None, NOW)),
        "oauth.token.malformed"
    );
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT2", None), None, NOW)),
        "oauth.token.not_outstanding"
    );
}

#[test]
fn the_scope_requested_per_call_is_the_one_recorded() {
    let mut c = client();
    let req = c
        .authorize(
            AuthorizeOptions {
                scope: Some("openid".into()),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    let info = c
        .accept_token_response(&token_json("AT", Some("RT")), None, NOW)
        .unwrap();
    assert_eq!(info.scope.as_deref(), Some("openid"));
    c.refresh_request(Some("email")).unwrap();
    let info = c
        .accept_token_response(&token_json("AT2", None), None, NOW)
        .unwrap();
    assert_eq!(
        info.scope.as_deref(),
        Some("email"),
        "a narrowed refresh without scope in the response"
    );
    c.refresh_request(None).unwrap();
    let info = c
        .accept_token_response(&token_json("AT3", None), None, NOW)
        .unwrap();
    assert_eq!(info.scope.as_deref(), Some("email"));
}

/// A credential in the token endpoint's own query would go with every token
/// request: refused at configuration, as in the authorization endpoint's.
#[test]
fn credentials_in_the_token_endpoint_query_are_refused() {
    for name in [
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "password",
        "username",
    ] {
        let mut c = config();
        c.token_endpoint = format!("https://op.example/token?tenant=a&{name}=x");
        let err = OAuthClient::new(c).unwrap_err();
        assert_eq!(err.code(), "config.secret_refused", "{name}");
    }
    let mut c = config();
    c.token_endpoint = "https://op.example/token?tenant=a".into();
    assert!(
        OAuthClient::new(c).is_ok(),
        "other fixed parameters are fine"
    );
}

#[test]
fn a_par_answer_is_success_only_as_201_created() {
    let c = client();
    let body = r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#;
    assert!(c.accept_par_response(body, Some(201)).is_ok());
    // The body alone (no status known) is judged by itself.
    assert!(c.accept_par_response(body, None).is_ok());
    // RFC 9126 §2.2: 201 and nothing else, not any 2xx.
    for status in [200, 202, 204, 302, 400, 500] {
        let e = c.accept_par_response(body, Some(status)).unwrap_err();
        assert_eq!(e.code(), "oauth.par.malformed", "{status}");
        assert!(e.to_string().contains("201"), "{status}: {e}");
    }
    // An error body at an error status is the OAuth error.
    let e = c
        .accept_par_response(r#"{"error":"invalid_request"}"#, Some(400))
        .unwrap_err();
    assert_eq!(e.code(), "oauth.token.error");
}

#[test]
fn logout_with_id_token_hint_needs_an_id_token() {
    let mut c = config();
    c.end_session_endpoint = Some("https://op.example/logout".into());
    let client = OAuthClient::new(c).unwrap();
    let hint = LogoutOptions {
        id_token_hint: true,
        ..Default::default()
    };
    // Asked for, and no ID token held: the vault's refusal (not a UserInfo one).
    assert_eq!(code_of(client.logout_url(&hint)), "oauth.vault.no_id_token");
    let plain = client.logout_url(&LogoutOptions::default()).unwrap();
    assert_eq!(plain, "https://op.example/logout?client_id=spa");
}

#[test]
fn resource_requests_take_an_upper_case_method_with_or_without_dpop() {
    let c = logged_in(None);
    // Bearer: the same rule as a DPoP proof's `htm`, which must be the method as sent.
    assert_eq!(
        code_of(c.resource_request("get", "https://api.example/me", NOW)),
        "arg.invalid"
    );
    assert_eq!(
        code_of(c.resource_request("", "https://api.example/me", NOW)),
        "arg.invalid"
    );
    let r = c
        .resource_request("PATCH", "https://api.example/me", NOW)
        .unwrap();
    assert_eq!(&*r.authorization, "Bearer AT-1-SECRET");
    assert!(r.dpop_input.is_none());
}

#[test]
fn max_age_sent_is_checked_against_auth_time_and_carried() {
    let mut c = client();
    let opts = |v: &str| AuthorizeOptions {
        nonce: true,
        extra: vec![("max_age".into(), v.into())],
        ..Default::default()
    };
    for bad in ["", "-1", "1.5", " 60", "60s"] {
        assert_eq!(
            code_of(c.authorize(opts(bad), NOW)),
            "arg.invalid",
            "{bad:?}"
        );
    }
    let req = c.authorize(opts("300"), NOW).unwrap();
    assert_eq!(req.max_age, Some(300));
    assert_eq!(param(&query_of(&req.url), "max_age"), Some("300"));
    let now_s = NOW / 1000;
    let id_token = |auth_time: Option<u64>, nonce: &str| {
        let mut claims = format!(
            r#"{{"iss":"{ISSUER}","sub":"alice","aud":"spa","exp":{},"iat":{now_s},"nonce":"{nonce}""#,
            now_s + 300,
        );
        if let Some(t) = auth_time {
            claims.push_str(&format!(r#","auth_time":{t}"#));
        }
        claims.push('}');
        let b64 = |s: &str| crate::b64url::encode(s.as_bytes());
        format!("{}.{}.c2ln", b64(r#"{"alg":"RS256"}"#), b64(&claims))
    };
    let answer = |t: Option<u64>, nonce: Option<&str>| {
        format!(
            r#"{{"access_token":"AT","token_type":"Bearer","id_token":"{}"}}"#,
            id_token(t, nonce.unwrap())
        )
    };
    // The flow carried by the caller keeps its max_age (another instance redeems it).
    let mut other = client();
    let flow = |max_age| CarriedFlow {
        expected_state: req.state.clone(),
        code_verifier: CodeVerifier::parse(req.code_verifier.expose()).unwrap(),
        nonce: req.nonce.clone(),
        expires_at: None,
        scope: None,
        max_age,
    };
    let resp = other
        .handle_callback(&callback(&req.state, ""), NOW, Some(flow(req.max_age)))
        .unwrap();
    other.token_request(resp).unwrap();
    assert_eq!(
        code_of(other.accept_token_response(&answer(None, req.nonce.as_deref()), Some(200), NOW)),
        "oidc.id_token.auth_time_missing"
    );
    // In memory: an auth_time older than max_age, then a recent one.
    for (t, want) in [
        (now_s - 1000, Some("oidc.id_token.auth_too_old")),
        (now_s - 10, None),
    ] {
        let r = c.authorize(opts("300"), NOW).unwrap();
        let resp = c
            .handle_callback(&callback(&r.state, ""), NOW, None)
            .unwrap();
        c.token_request(resp).unwrap();
        let got = c.accept_token_response(&answer(Some(t), r.nonce.as_deref()), Some(200), NOW);
        match want {
            Some(code) => assert_eq!(code_of(got), code),
            None => assert!(got.is_ok()),
        }
    }
}

#[test]
fn max_age_without_nonce_still_needs_an_id_token() {
    let mut c = client();
    let req = c
        .authorize(
            AuthorizeOptions {
                extra: vec![("max_age".into(), "60".into())],
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(req.nonce, None);
    let resp = c
        .handle_callback(&callback(&req.state, ""), NOW, None)
        .unwrap();
    c.token_request(resp).unwrap();
    assert_eq!(
        code_of(c.accept_token_response(&token_json("AT", None), Some(200), NOW)),
        "oidc.id_token.missing"
    );
}
