//! DPoP proofs (RFC 9449) whose signature is made outside the module.
//!
//! The private key is a non-extractable WebCrypto key: the module never holds
//! it, so it builds each proof's header and claims, hands the signing input
//! out to be signed (`crypto.subtle.sign`, ECDSA P-256 with SHA-256, whose
//! output is already JWS's `r ‖ s`), and assembles the JWS from the
//! signature. Everything else is decided here: the public key's JWK, `jti`
//! from the CSPRNG, `htm`, `htu` without query and fragment, `iat`, the
//! server's latest `DPoP-Nonce`, and `ath`, the hash of an access token that
//! never leaves the module to be hashed.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Result};
use crate::json_out::JsonObject;
use crate::url::HttpUrl;

/// Most servers whose `DPoP-Nonce` is remembered (an authorization server
/// and a few resource servers); the oldest makes room.
const MAX_NONCES: usize = 8;

/// The public half of the client's ES256 DPoP key, as the proof's `jwk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopKey {
    /// `{"crv":"P-256","kty":"EC","x":…,"y":…}`: the members RFC 7638
    /// names, in its order, so it is also the thumbprint's input.
    jwk: String,
}

impl DpopKey {
    /// A P-256 public key from its JWK coordinates (base64url, 32 bytes each).
    ///
    /// ```
    /// use edge_sso::oauth::DpopKey;
    /// let c = "A".repeat(43);
    /// assert!(DpopKey::from_coordinates(&c, &c).is_ok());
    /// assert_eq!(DpopKey::from_coordinates("AA", &c).unwrap_err().code(), "arg.invalid");
    /// ```
    pub fn from_coordinates(x: &str, y: &str) -> Result<Self> {
        for c in [x, y] {
            if crate::b64url::decode(c.as_bytes()).is_none_or(|b| b.len() != 32) {
                return Err(Error::InvalidArgument {
                    field: "dpopKeyPair",
                    reason: "its public key is not a P-256 key (JWK x and y of 32 bytes)",
                });
            }
        }
        let mut o = JsonObject::with_capacity(128);
        o.string("crv", "P-256")
            .string("kty", "EC")
            .string("x", x)
            .string("y", y);
        Ok(Self { jwk: o.finish() })
    }

    /// The JWK (public members only).
    pub fn jwk(&self) -> &str {
        &self.jwk
    }
}

/// The latest `DPoP-Nonce` of each server, by origin (RFC 9449 §8, §9: a
/// nonce is the issuing server's).
#[derive(Debug, Default)]
pub(crate) struct Nonces(Vec<(String, String)>);

impl Nonces {
    /// Remembers `nonce` as the latest of `url`'s server.
    pub fn set(&mut self, url: &str, nonce: &str) -> Result<()> {
        // RFC 9449 §8.1: nonce = 1*NQCHAR, RFC 6749's NQCHAR.
        if nonce.is_empty()
            || nonce.len() > 1024
            || !crate::ascii::all(nonce.as_bytes(), crate::ascii::nqchar)
        {
            return Err(Error::InvalidArgument {
                field: "dpopNonce",
                reason: "not a DPoP nonce (1 to 1024 NQCHAR characters, RFC 9449 §8.1)",
            });
        }
        let origin = origin(url)?;
        self.0.retain(|(o, _)| *o != origin);
        if self.0.len() >= MAX_NONCES {
            self.0.remove(0);
        }
        self.0.push((origin, String::from(nonce)));
        Ok(())
    }

    /// The latest nonce of `url`'s server, if one was given.
    pub fn get(&self, url: &str) -> Option<&str> {
        let origin = origin(url).ok()?;
        self.0
            .iter()
            .find(|(o, _)| *o == origin)
            .map(|(_, n)| n.as_str())
    }
}

/// `scheme://host:port`, lowercased, with the default port written out.
fn origin(url: &str) -> Result<String> {
    let u = parse(url)?;
    let mut o = String::with_capacity(u.authority.len() + 16);
    o.push_str(if u.is_plain_http() {
        "http://"
    } else {
        "https://"
    });
    o.push_str(&u.host().to_ascii_lowercase());
    o.push(':');
    crate::json_out::push_u64(&mut o, u64::from(u.port()));
    Ok(o)
}

fn parse(url: &str) -> Result<HttpUrl<'_>> {
    HttpUrl::parse(url).map_err(|_| Error::InvalidArgument {
        field: "url",
        reason: "not an absolute http(s) URL",
    })
}

/// Refuses a method that is not an HTTP method in upper case, the form
/// fetch sends and `htm` must repeat exactly (RFC 9449 §4.3 compares it
/// case-sensitively): a Bearer request is held to the same rule, so that
/// turning DPoP on changes no request that worked.
pub(crate) fn check_method(method: &str) -> Result<()> {
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::InvalidArgument {
            field: "method",
            reason: "an HTTP method in upper case (GET, POST, ...)",
        });
    }
    Ok(())
}

/// The signing input (`header.payload`, base64url) of a proof for a
/// `method` request to `url` at `iat` (seconds), with the server's `nonce`
/// and, for a resource request, `ath` (the access token's hash).
pub(crate) fn signing_input(
    key: &DpopKey,
    method: &str,
    url: &str,
    iat: u64,
    nonce: Option<&str>,
    access_token: Option<&str>,
) -> Result<String> {
    check_method(method)?;
    // RFC 9449 §4.2: the target URI without query and fragment; written as
    // fetch sends it (scheme and host in lower case, no default port), since
    // a server that compares without normalising (§4.3 asks it to) would
    // refuse `https://AS.example:443/token` for `https://as.example/token`.
    let u = parse(url)?;
    let mut htu = origin(url)?;
    let default = if u.is_plain_http() { ":80" } else { ":443" };
    if let Some(bare) = htu.strip_suffix(default) {
        htu.truncate(bare.len());
    }
    htu.push_str(u.path);

    let mut header = JsonObject::with_capacity(key.jwk.len() + 64);
    header.string("typ", "dpop+jwt").string("alg", "ES256");
    let header = header.finish();
    // The JWK is JSON already: spliced in before the closing brace.
    let mut h = String::with_capacity(header.len() + key.jwk.len() + 8);
    h.push_str(header.get(..header.len() - 1).unwrap_or("{"));
    h.push_str(",\"jwk\":");
    h.push_str(&key.jwk);
    h.push('}');

    let mut jti = [0u8; 16];
    crate::random::fill(&mut jti)?;
    let mut p = JsonObject::with_capacity(htu.len() + 256);
    p.string("jti", &crate::b64url::encode(&jti))
        .string("htm", method)
        .string("htu", &htu)
        .number("iat", iat)
        .opt_string("nonce", nonce);
    if let Some(token) = access_token {
        p.string(
            "ath",
            &crate::b64url::encode(&crate::sha256::digest(token.as_bytes())),
        );
    }
    let p = p.finish();
    let mut input = crate::b64url::encode(h.as_bytes());
    input.push('.');
    input.push_str(&crate::b64url::encode(p.as_bytes()));
    Ok(input)
}

/// The proof: `input` and the base64url of its 64-byte ES256 signature.
pub(crate) fn assemble(input: &str, signature: &[u8]) -> Result<String> {
    if signature.len() != 64 || input.bytes().filter(|b| *b == b'.').count() != 1 {
        return Err(Error::InvalidArgument {
            field: "signature",
            reason: "an ES256 signature is 64 bytes (r ‖ s) over a proof's signing input",
        });
    }
    let mut jws = String::with_capacity(input.len() + 88);
    jws.push_str(input);
    jws.push('.');
    jws.push_str(&crate::b64url::encode(signature));
    Ok(jws)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn key() -> DpopKey {
        DpopKey::from_coordinates(&"A".repeat(43), &"E".repeat(43)).unwrap()
    }

    fn decode_json(part: &str) -> serde_json::Value {
        serde_json::from_slice(&crate::b64url::decode(part.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn a_proof_carries_what_rfc_9449_section_4_2_asks() {
        let input = signing_input(
            &key(),
            "POST",
            "https://AS.example:443/token?x=1#f",
            1_700_000_000,
            Some("n-1"),
            None,
        )
        .unwrap();
        let (h, p) = input.split_once('.').unwrap();
        let h = decode_json(h);
        assert_eq!(h["typ"], "dpop+jwt");
        assert_eq!(h["alg"], "ES256");
        assert_eq!(h["jwk"]["kty"], "EC");
        assert_eq!(h["jwk"]["crv"], "P-256");
        assert!(h["jwk"].get("d").is_none());
        let p = decode_json(p);
        assert_eq!(p["htm"], "POST");
        assert_eq!(p["htu"], "https://as.example/token");
        assert_eq!(p["iat"], 1_700_000_000u64);
        assert_eq!(p["nonce"], "n-1");
        assert_eq!(p["jti"].as_str().unwrap().len(), 22);
        assert!(p.get("ath").is_none());
    }

    #[test]
    fn ath_is_the_base64url_sha256_of_the_access_token() {
        let input =
            signing_input(&key(), "GET", "https://rs.example/me", 1, None, Some("at")).unwrap();
        let p = decode_json(input.split_once('.').unwrap().1);
        // SHA-256("at"), base64url without padding.
        assert_eq!(
            p["ath"],
            crate::b64url::encode(&crate::sha256::digest(b"at"))
        );
        assert!(p.get("nonce").is_none());
    }

    #[test]
    fn htu_is_written_as_fetch_sends_it() {
        for (url, htu) in [
            ("HTTPS://Rs.Example:443/a/B?q#f", "https://rs.example/a/B"),
            ("https://rs.example:8443/", "https://rs.example:8443/"),
            ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
            ("http://127.0.0.1:443/x", "http://127.0.0.1:443/x"),
            ("https://rs.example", "https://rs.example/"),
        ] {
            let input = signing_input(&key(), "GET", url, 1, None, None).unwrap();
            assert_eq!(
                decode_json(input.split_once('.').unwrap().1)["htu"],
                htu,
                "{url}"
            );
        }
    }

    #[test]
    fn every_proof_has_a_fresh_jti() {
        let a = signing_input(&key(), "GET", "https://rs.example/", 1, None, None).unwrap();
        let b = signing_input(&key(), "GET", "https://rs.example/", 1, None, None).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn nonces_are_kept_per_origin_and_checked() {
        let mut n = Nonces::default();
        n.set("https://as.example/token", "abc").unwrap();
        assert_eq!(n.get("https://AS.example:443/par"), Some("abc"));
        assert_eq!(n.get("https://rs.example/"), None);
        n.set("https://as.example/token", "def").unwrap();
        assert_eq!(n.get("https://as.example/"), Some("def"));
        for bad in ["", "a b", "a\"b", "a\\b", "\u{e9}"] {
            assert!(n.set("https://as.example/", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_signature_must_be_64_bytes() {
        assert!(assemble("a.b", &[0; 64]).is_ok());
        assert!(assemble("a.b", &[0; 63]).is_err());
        assert!(assemble("a.b.c", &[0; 64]).is_err());
        assert!(signing_input(&key(), "get", "https://rs.example/", 1, None, None).is_err());
    }
}
