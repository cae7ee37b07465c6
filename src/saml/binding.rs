//! SAML bindings (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST): raw
//! DEFLATE, base64, percent-encoding, RelayState, and the POST form.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::escape::html_attr;
use crate::error::{Result, SamlError};
use crate::url::{append_query, check_saml_endpoint};

/// The most a redirect value may inflate to. Larger is refused, never truncated.
pub const MAX_INFLATED: usize = 256 * 1024;
/// The longest encoded binding value accepted (a posted response included).
pub const MAX_ENCODED: usize = 1536 * 1024;
/// RelayState limit from SAML Bindings §3.4.3 and §3.5.3.
pub const MAX_RELAY_STATE: usize = 80;

/// Standard alphabet; padding optional on input (IdPs differ), always written.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Which message parameter a binding carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageParam {
    /// `SAMLRequest`
    Request,
    /// `SAMLResponse`
    Response,
}

impl MessageParam {
    /// The parameter name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Request => "SAMLRequest",
            Self::Response => "SAMLResponse",
        }
    }
}

/// Base64 of `bytes` (standard alphabet, padded).
pub fn base64_encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Decodes base64 tolerating only whitespace (line breaks and spaces, as POST
/// bodies carry them). URL-safe characters or anything else are refused.
///
/// ```
/// use edge_sso::saml::binding::base64_decode;
/// assert_eq!(base64_decode("aGVs\r\nbG8=").unwrap(), b"hello");
/// assert!(base64_decode("aGVs-G8").is_err());
/// ```
pub fn base64_decode(value: &str) -> Result<Vec<u8>> {
    if value.len() > MAX_ENCODED {
        return Err(SamlError::TooLarge.into());
    }
    // The usual value has no whitespace: decode it as it is, and only when
    // that fails look for whitespace (ASCII, so bytes can be filtered without
    // decoding UTF-8; a non-ASCII byte stays and makes the decoder fail).
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = value.as_bytes();
    let decoded = match decode_standard(bytes) {
        Err(_) if bytes.iter().any(is_space) => {
            let compact: Vec<u8> = bytes.iter().copied().filter(|b| !is_space(b)).collect();
            decode_standard(&compact)
        }
        other => other,
    };
    decoded.map_err(|_| SamlError::Base64Invalid.into())
}

/// [`B64`] decoding, whole blocks by SIMD where the build has it
/// ([`super::b64_blocks`]) and the rest by the crate.
fn decode_standard(bytes: &[u8]) -> core::result::Result<Vec<u8>, base64::DecodeError> {
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 3);
    let used = super::b64_blocks::decode_prefix(bytes, &mut out);
    // `used` never passes the end; were it to, fail rather than drop the rest.
    let rest = bytes
        .get(used..)
        .ok_or(base64::DecodeError::InvalidLength(used))?;
    B64.decode_vec(rest, &mut out)?;
    Ok(out)
}

/// Raw DEFLATE (RFC 1951, no zlib header) then base64: the redirect encoding.
///
/// ```
/// use edge_sso::saml::binding::{deflate_encode, decode_redirect};
/// let v = deflate_encode("<AuthnRequest/>");
/// assert_eq!(decode_redirect(&v).unwrap(), "<AuthnRequest/>");
/// ```
pub fn deflate_encode(xml: &str) -> String {
    base64_encode(&miniz_oxide::deflate::compress_to_vec(xml.as_bytes(), 6))
}

/// Decodes a redirect-binding value (already taken out of the query string):
/// base64, then raw inflate with an output limit, then UTF-8.
pub fn decode_redirect(value: &str) -> Result<String> {
    let compressed = base64_decode(value)?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                SamlError::TooLarge
            } else {
                SamlError::InflateFailed
            }
        })?;
    String::from_utf8(inflated).map_err(|_| SamlError::NotUtf8.into())
}

/// Decodes an HTTP-POST binding value: base64 (whitespace tolerated), UTF-8.
///
/// ```
/// use edge_sso::saml::binding::decode_post;
/// assert_eq!(decode_post("PFJlc3BvbnNlLz4=").unwrap(), "<Response/>");
/// ```
pub fn decode_post(value: &str) -> Result<String> {
    String::from_utf8(base64_decode(value)?).map_err(|_| SamlError::NotUtf8.into())
}

/// Refuses a RelayState over 80 bytes (the bindings' limit).
pub fn check_relay_state(relay_state: &str) -> Result<()> {
    if relay_state.len() > MAX_RELAY_STATE {
        return Err(SamlError::RelayStateTooLong.into());
    }
    Ok(())
}

/// The redirect URL: `endpoint` (which may already have a query) plus the
/// DEFLATE+base64 message and RelayState, percent-encoded by a real encoder.
///
/// ```
/// use edge_sso::saml::binding::{redirect_url, MessageParam};
/// let url = redirect_url("https://idp.example/sso?tenant=1", MessageParam::Request, "<AuthnRequest/>", Some("/home")).unwrap();
/// assert!(url.starts_with("https://idp.example/sso?tenant=1&SAMLRequest="));
/// assert!(url.ends_with("&RelayState=%2Fhome"));
/// ```
pub fn redirect_url(
    endpoint: &str,
    param: MessageParam,
    xml: &str,
    relay_state: Option<&str>,
) -> Result<String> {
    redirect_url_with(endpoint, param, xml, relay_state, false)
}

/// [`redirect_url`], with `allow_http` (the SP's `allowHttp`) accepting an
/// `http:` endpoint on any host.
pub(crate) fn redirect_url_with(
    endpoint: &str,
    param: MessageParam,
    xml: &str,
    relay_state: Option<&str>,
    allow_http: bool,
) -> Result<String> {
    check_saml_endpoint("ssoUrl", endpoint, allow_http)?;
    let encoded = deflate_encode(xml);
    let mut params = vec![(param.name(), encoded.as_str())];
    if let Some(rs) = relay_state {
        check_relay_state(rs)?;
        params.push(("RelayState", rs));
    }
    Ok(append_query(endpoint, &params))
}

/// An HTML page whose form posts `xml` (base64) and RelayState to `action`
/// (the HTTP-POST binding). Every value is escaped. The page submits itself
/// with a small script; without script a button does it. Serve it with a CSP
/// that allows that script (or only the button will work).
///
/// ```
/// use edge_sso::saml::binding::{post_form, MessageParam};
/// let html = post_form("https://idp.example/sso", MessageParam::Request, "<AuthnRequest/>", Some("a\"b")).unwrap();
/// assert!(html.contains(r#"name="RelayState" value="a&quot;b""#));
/// ```
pub fn post_form(
    action: &str,
    param: MessageParam,
    xml: &str,
    relay_state: Option<&str>,
) -> Result<String> {
    post_form_with(action, param, xml, relay_state, false)
}

/// [`post_form`], with `allow_http` (the SP's `allowHttp`) accepting an
/// `http:` action on any host.
pub(crate) fn post_form_with(
    action: &str,
    param: MessageParam,
    xml: &str,
    relay_state: Option<&str>,
    allow_http: bool,
) -> Result<String> {
    check_saml_endpoint("action", action, allow_http)?;
    if let Some(rs) = relay_state {
        check_relay_state(rs)?;
    }
    let mut fields = format!(
        r#"<input type="hidden" name="{}" value="{}"/>"#,
        param.name(),
        html_attr(&base64_encode(xml.as_bytes()))
    );
    if let Some(rs) = relay_state {
        fields.push_str(&format!(
            r#"<input type="hidden" name="RelayState" value="{}"/>"#,
            html_attr(rs)
        ));
    }
    Ok(format!(
        concat!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Continue</title></head>",
            "<body><form method=\"post\" action=\"{}\">{}",
            "<noscript><button type=\"submit\">Continue</button></noscript></form>",
            "<script>document.forms[0].submit()</script></body></html>"
        ),
        html_attr(action),
        fields
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn deflate_round_trip_and_orange_php_example() {
        // Orange's sample PHP: urlencode(base64_encode(gzdeflate($xml))) — raw DEFLATE.
        let xml = "<AuthnRequest xmlns=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_b050e0f4c673ec2572fc65d95359afe6\" Version=\"2.0\" IssueInstant=\"2007-01-16T16:54:00Z\"><Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">http://mysp</Issuer></AuthnRequest>";
        assert_eq!(decode_redirect(&deflate_encode(xml)).unwrap(), xml);
    }

    #[test]
    fn inflate_refuses_bombs_instead_of_truncating() {
        let bomb = "A".repeat(MAX_INFLATED + 1);
        assert_eq!(
            decode_redirect(&deflate_encode(&bomb)).unwrap_err().code(),
            "saml.binding.too_large"
        );
        let exact = "A".repeat(MAX_INFLATED);
        assert_eq!(
            decode_redirect(&deflate_encode(&exact)).unwrap().len(),
            MAX_INFLATED
        );
        // 8 MiB of zeros compress to a few KB; inflation stops at the limit and refuses
        let huge = vec![0u8; 8 * 1024 * 1024];
        let b64 = base64_encode(&miniz_oxide::deflate::compress_to_vec(&huge, 9));
        assert_eq!(
            decode_redirect(&b64).unwrap_err().code(),
            "saml.binding.too_large"
        );
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert_eq!(
            decode_redirect("!!!").unwrap_err().code(),
            "saml.binding.base64_invalid"
        );
        assert_eq!(
            decode_redirect("aGVsbG8gd29ybGQ=").unwrap_err().code(),
            "saml.binding.inflate_failed"
        );
        assert_eq!(
            decode_redirect("").unwrap_err().code(),
            "saml.binding.inflate_failed"
        );
        assert_eq!(
            decode_post("/w==").unwrap_err().code(),
            "saml.binding.not_utf8"
        );
        assert_eq!(
            decode_post("PFJl_3BvbnNlLz4").unwrap_err().code(),
            "saml.binding.base64_invalid"
        );
        assert_eq!(
            decode_post(&"A".repeat(MAX_ENCODED + 4))
                .unwrap_err()
                .code(),
            "saml.binding.too_large"
        );
        let zlib_wrapped = base64_encode(&miniz_oxide::deflate::compress_to_vec_zlib(b"<a/>", 6));
        assert!(
            decode_redirect(&zlib_wrapped).is_err(),
            "a zlib header is not raw DEFLATE"
        );
    }

    #[test]
    fn base64_tolerates_whitespace_and_missing_padding_only() {
        assert_eq!(decode_post("PFJlc3Bv\nbnNlLz4").unwrap(), "<Response/>");
        assert_eq!(decode_post(" PFJlc3Bv bnNlLz4= ").unwrap(), "<Response/>");
        assert!(decode_post("PFJlc3Bv%0AbnNlLz4=").is_err());
    }

    #[test]
    fn relay_state_limit_is_80_bytes() {
        assert!(check_relay_state(&"a".repeat(80)).is_ok());
        assert_eq!(
            check_relay_state(&"a".repeat(81)).unwrap_err().code(),
            "saml.relay_state.too_long"
        );
        assert_eq!(
            check_relay_state(&"é".repeat(41)).unwrap_err().code(),
            "saml.relay_state.too_long"
        );
        assert!(redirect_url(
            "https://idp/sso",
            MessageParam::Request,
            "<a/>",
            Some(&"a".repeat(81))
        )
        .is_err());
    }

    #[test]
    fn redirect_url_encodes_every_reserved_character() {
        let url = redirect_url(
            "https://idp.example/sso",
            MessageParam::Request,
            "<a/>",
            Some("x y&z=1/é"),
        )
        .unwrap();
        let query = url.split_once('?').unwrap().1;
        let pairs = crate::url::parse_query(query).unwrap();
        assert_eq!(pairs[0].0, "SAMLRequest");
        assert_eq!(decode_redirect(&pairs[0].1).unwrap(), "<a/>");
        assert_eq!(pairs[1], ("RelayState".into(), "x y&z=1/é".into()));
        assert!(!query.contains('/') && !query.contains("é"));
        assert!(redirect_url("javascript:alert(1)", MessageParam::Request, "<a/>", None).is_err());
    }

    #[test]
    fn post_form_escapes_everything() {
        let html = post_form(
            "https://idp.example/sso?a=1&b=\"2\"",
            MessageParam::Response,
            "<r/>",
            Some("<script>"),
        )
        .unwrap();
        assert!(html.contains(r#"action="https://idp.example/sso?a=1&amp;b=&quot;2&quot;""#));
        assert!(html.contains(r#"value="&lt;script&gt;""#));
        assert!(html.contains(r#"name="SAMLResponse" value="PHIvPg==""#));
        assert!(post_form("javascript:alert(1)", MessageParam::Request, "<a/>", None).is_err());
    }
}
