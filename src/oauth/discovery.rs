//! Authorization server metadata: where to fetch it (OpenID Connect
//! Discovery 1.0 §4, RFC 8414 §3.1) and what a client may take from it
//! (RFC 8414 §3.3, Discovery §4.3: the document must name the issuer it was
//! fetched for, exactly).

use alloc::string::String;
use alloc::vec::Vec;

use super::client::ClientConfig;
use crate::error::{Error, ProviderError, Result};
use crate::json::{self, Value};
use crate::url::{check_endpoint, HttpUrl};

/// Largest metadata document read (real ones are a few KiB).
pub const MAX_METADATA_LEN: usize = 256 * 1024;

/// Which well-known document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WellKnown {
    /// `/.well-known/openid-configuration`, appended to the issuer.
    #[default]
    OpenIdConfiguration,
    /// `/.well-known/oauth-authorization-server`, inserted before the
    /// issuer's path (RFC 8414 §3.1).
    OAuthAuthorizationServer,
}

/// The URL of `issuer`'s metadata document.
///
/// ```
/// use edge_sso::oauth::{discovery_url, WellKnown};
/// assert_eq!(
///     discovery_url("https://op.example/tenant/", WellKnown::OpenIdConfiguration).unwrap(),
///     "https://op.example/tenant/.well-known/openid-configuration");
/// assert_eq!(
///     discovery_url("https://op.example/tenant", WellKnown::OAuthAuthorizationServer).unwrap(),
///     "https://op.example/.well-known/oauth-authorization-server/tenant");
/// ```
pub fn discovery_url(issuer: &str, kind: WellKnown) -> Result<String> {
    let u = issuer_url(issuer)?;
    // Both specs: a terminating "/" of the issuer is removed first.
    let path = u.path.strip_suffix('/').unwrap_or(u.path);
    let mut out = String::with_capacity(issuer.len() + 48);
    match kind {
        WellKnown::OpenIdConfiguration => {
            out.push_str(issuer.strip_suffix('/').unwrap_or(issuer));
            out.push_str("/.well-known/openid-configuration");
        }
        WellKnown::OAuthAuthorizationServer => {
            out.push_str(u.scheme);
            out.push_str("://");
            out.push_str(u.authority);
            out.push_str("/.well-known/oauth-authorization-server");
            out.push_str(path);
        }
    }
    Ok(out)
}

/// An issuer identifier: an https URL (http on loopback) with no query or
/// fragment (RFC 8414 §2).
fn issuer_url(issuer: &str) -> Result<HttpUrl<'_>> {
    check_endpoint("issuer", issuer)?;
    let u = HttpUrl::parse(issuer).map_err(|_| Error::InsecureUrl { field: "issuer" })?;
    if u.query.is_some() {
        return Err(Error::InvalidArgument {
            field: "issuer",
            reason: "an issuer identifier has no query or fragment (RFC 8414 §2)",
        });
    }
    Ok(u)
}

/// What a client takes from a metadata document.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProviderMetadata {
    /// `issuer`, equal to the expected one.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `userinfo_endpoint`, if any.
    pub userinfo_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009), if any.
    pub revocation_endpoint: Option<String>,
    /// `end_session_endpoint` (OIDC RP-Initiated Logout), if any.
    pub end_session_endpoint: Option<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126), if any.
    pub par_endpoint: Option<String>,
    /// `require_pushed_authorization_requests`.
    pub require_par: bool,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub iss_parameter_supported: bool,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1), if present.
    pub dpop_algs: Option<Vec<String>>,
}

/// Reads a metadata document fetched for `expected_issuer`.
///
/// Refused: a document whose `issuer` is not `expected_issuer` exactly
/// (a mix-up or an impostor), endpoints that are not https (http on
/// loopback), and a `code_challenge_methods_supported` list without `S256`
/// (PKCE S256 is the only method edge-sso uses).
///
/// ```
/// use edge_sso::oauth::read_provider_metadata;
/// let doc = r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth",
///   "token_endpoint":"https://op.example/token","code_challenge_methods_supported":["S256"]}"#;
/// let m = read_provider_metadata(doc, "https://op.example").unwrap();
/// assert_eq!(m.token_endpoint, "https://op.example/token");
/// assert_eq!(read_provider_metadata(doc, "https://op.example/").unwrap_err().code(),
///     "oauth.discovery.issuer_mismatch");
/// ```
pub fn read_provider_metadata(body: &str, expected_issuer: &str) -> Result<ProviderMetadata> {
    issuer_url(expected_issuer)?;
    if body.len() > MAX_METADATA_LEN {
        return Err(
            ProviderError::DiscoveryMalformed("the document is larger than 256 KiB").into(),
        );
    }
    let doc = json::parse_object(body).ok_or(ProviderError::DiscoveryMalformed(
        "the document is not a JSON object",
    ))?;
    let text = |name: &'static str| -> Result<Option<String>> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(String::from(&**s))),
            Some(_) => Err(ProviderError::DiscoveryMalformed(name).into()),
        }
    };
    let flag = |name: &'static str| -> Result<bool> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ProviderError::DiscoveryMalformed(name).into()),
        }
    };
    let list = |name: &'static str| -> Result<Option<Vec<String>>> {
        match doc.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                // A loop, not `collect::<Result<Vec<_>>>()`, whose adapters
                // (GenericShunt, try_process) are code of their own.
                let mut out = Vec::with_capacity(items.len());
                for v in items {
                    let s = v.as_str().ok_or(ProviderError::DiscoveryMalformed(name))?;
                    out.push(String::from(s));
                }
                Ok(Some(out))
            }
            Some(_) => Err(ProviderError::DiscoveryMalformed(name).into()),
        }
    };
    let issuer = text("issuer")?.ok_or(ProviderError::DiscoveryMalformed("issuer"))?;
    if issuer != expected_issuer {
        return Err(ProviderError::DiscoveryIssuerMismatch.into());
    }
    if list("code_challenge_methods_supported")?.is_some_and(|m| !m.iter().any(|m| m == "S256")) {
        return Err(ProviderError::PkceUnsupported.into());
    }
    let endpoint = |name: &'static str, field: &'static str| -> Result<Option<String>> {
        let url = text(name)?;
        if let Some(u) = &url {
            check_endpoint(field, u)?;
        }
        Ok(url)
    };
    Ok(ProviderMetadata {
        authorization_endpoint: endpoint("authorization_endpoint", "authorizationEndpoint")?
            .ok_or(ProviderError::DiscoveryMalformed("authorization_endpoint"))?,
        token_endpoint: endpoint("token_endpoint", "tokenEndpoint")?
            .ok_or(ProviderError::DiscoveryMalformed("token_endpoint"))?,
        userinfo_endpoint: endpoint("userinfo_endpoint", "userinfoEndpoint")?,
        revocation_endpoint: endpoint("revocation_endpoint", "revocationEndpoint")?,
        end_session_endpoint: endpoint("end_session_endpoint", "endSessionEndpoint")?,
        par_endpoint: endpoint(
            "pushed_authorization_request_endpoint",
            "pushedAuthorizationRequestEndpoint",
        )?,
        require_par: flag("require_pushed_authorization_requests")?,
        iss_parameter_supported: flag("authorization_response_iss_parameter_supported")?,
        dpop_algs: list("dpop_signing_alg_values_supported")?,
        issuer,
    })
}

impl ClientConfig {
    /// A configuration from an issuer's metadata: its endpoints, its issuer
    /// (so `iss` and ID tokens are checked against it) and its RFC 9207 and
    /// PAR requirements, which therefore cannot be forgotten.
    ///
    /// ```
    /// use edge_sso::oauth::{read_provider_metadata, ClientConfig};
    /// let doc = r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth",
    ///   "token_endpoint":"https://op.example/token","authorization_response_iss_parameter_supported":true}"#;
    /// let m = read_provider_metadata(doc, "https://op.example").unwrap();
    /// let c = ClientConfig::from_metadata(&m, "spa", "https://app.example/cb");
    /// assert!(c.iss_parameter_supported);
    /// assert_eq!(c.issuer.as_deref(), Some("https://op.example"));
    /// ```
    pub fn from_metadata(
        metadata: &ProviderMetadata,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        let mut c = Self::new(
            metadata.authorization_endpoint.clone(),
            metadata.token_endpoint.clone(),
            client_id,
            redirect_uri,
        );
        c.issuer = Some(metadata.issuer.clone());
        c.iss_parameter_supported = metadata.iss_parameter_supported;
        c.userinfo_endpoint = metadata.userinfo_endpoint.clone();
        c.revocation_endpoint = metadata.revocation_endpoint.clone();
        c.end_session_endpoint = metadata.end_session_endpoint.clone();
        c.par_endpoint = metadata.par_endpoint.clone();
        c.require_par = metadata.require_par;
        c
    }
}

/// Refuses DPoP with a server whose metadata lists DPoP algorithms without
/// ES256, the one algorithm edge-sso's proofs use.
///
/// ```
/// use edge_sso::oauth::{check_dpop_alg, ProviderMetadata};
/// let mut m = ProviderMetadata::default();
/// assert!(check_dpop_alg(&m).is_ok());
/// m.dpop_algs = Some(vec!["RS256".into()]);
/// assert_eq!(check_dpop_alg(&m).unwrap_err().code(), "oauth.discovery.dpop_unsupported");
/// ```
pub fn check_dpop_alg(metadata: &ProviderMetadata) -> Result<()> {
    match &metadata.dpop_algs {
        Some(algs) if !algs.iter().any(|a| a == "ES256") => {
            Err(ProviderError::DpopUnsupported.into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const DOC: &str = r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/a","token_endpoint":"https://op.example/t"}"#;

    #[test]
    fn well_known_urls_follow_oidc_discovery_and_rfc_8414() {
        use WellKnown::*;
        for (issuer, kind, want) in [
            (
                "https://op.example",
                OpenIdConfiguration,
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/",
                OpenIdConfiguration,
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/t/1",
                OpenIdConfiguration,
                "https://op.example/t/1/.well-known/openid-configuration",
            ),
            (
                "https://op.example",
                OAuthAuthorizationServer,
                "https://op.example/.well-known/oauth-authorization-server",
            ),
            (
                "https://op.example/",
                OAuthAuthorizationServer,
                "https://op.example/.well-known/oauth-authorization-server",
            ),
            (
                "https://op.example/t/1/",
                OAuthAuthorizationServer,
                "https://op.example/.well-known/oauth-authorization-server/t/1",
            ),
        ] {
            assert_eq!(discovery_url(issuer, kind).unwrap(), want, "{issuer}");
        }
        for bad in [
            "http://op.example",
            "https://op.example/?a=1",
            "https://op.example/#f",
            "op.example",
        ] {
            assert!(discovery_url(bad, OpenIdConfiguration).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_issuer_must_be_the_expected_one_exactly() {
        assert!(read_provider_metadata(DOC, "https://op.example").is_ok());
        for other in [
            "https://op.example/",
            "https://OP.example",
            "https://op.example:443",
        ] {
            assert_eq!(
                read_provider_metadata(DOC, other).unwrap_err().code(),
                "oauth.discovery.issuer_mismatch",
                "{other}"
            );
        }
    }

    #[test]
    fn pkce_s256_must_be_listed_when_a_list_is_given() {
        let with = |methods: &str| {
            DOC.replace(
                '}',
                &format!(r#","code_challenge_methods_supported":{methods}}}"#),
            )
        };
        assert!(read_provider_metadata(&with(r#"["plain","S256"]"#), "https://op.example").is_ok());
        assert_eq!(
            read_provider_metadata(&with(r#"["plain"]"#), "https://op.example")
                .unwrap_err()
                .code(),
            "oauth.discovery.pkce_unsupported"
        );
        assert_eq!(
            read_provider_metadata(&with(r#""S256""#), "https://op.example")
                .unwrap_err()
                .code(),
            "oauth.discovery.malformed"
        );
    }

    #[test]
    fn endpoints_must_be_secure_and_required_ones_present() {
        let insecure = DOC.replace("https://op.example/t", "http://op.example/t");
        assert_eq!(
            read_provider_metadata(&insecure, "https://op.example")
                .unwrap_err()
                .code(),
            "config.insecure_url"
        );
        let missing =
            r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/a"}"#;
        assert_eq!(
            read_provider_metadata(missing, "https://op.example")
                .unwrap_err()
                .code(),
            "oauth.discovery.malformed"
        );
        assert!(read_provider_metadata("[]", "https://op.example").is_err());
    }

    #[test]
    fn dpop_needs_es256_when_algorithms_are_listed() {
        let with = |algs: &str| {
            read_provider_metadata(
                &DOC.replace(
                    '}',
                    &format!(r#","dpop_signing_alg_values_supported":{algs}}}"#),
                ),
                "https://op.example",
            )
            .unwrap()
        };
        assert!(check_dpop_alg(&with(r#"["ES256","EdDSA"]"#)).is_ok());
        assert_eq!(
            check_dpop_alg(&with(r#"["RS256"]"#)).unwrap_err().code(),
            "oauth.discovery.dpop_unsupported"
        );
    }
}
