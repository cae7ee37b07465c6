//! The small part of URL handling edge-sso needs, written to be strict.
//!
//! The `url` crate would bring IDNA's Unicode tables, many times the size of
//! this whole module (BENCHMARKS.md), which we do not need:
//! every URL we handle is an absolute `http(s)` URL that a browser or a
//! configuration already serialized to ASCII. Anything else is refused.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ascii;
use crate::error::{Error, Result};

/// An absolute `http:`/`https:` URL split into its parts (borrowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HttpUrl<'a> {
    /// `http` or `https`, as written (compare case-insensitively).
    pub scheme: &'a str,
    /// `host[:port]`, as written.
    pub authority: &'a str,
    /// The path, never empty (`/` when the URL had none).
    pub path: &'a str,
    /// The query without its `?`, if a `?` was present.
    pub query: Option<&'a str>,
    /// The fragment without its `#`, if a `#` was present.
    pub fragment: Option<&'a str>,
}

impl<'a> HttpUrl<'a> {
    /// Splits `s`, or says why it is not an absolute, printable-ASCII http(s) URL.
    pub fn parse(s: &'a str) -> core::result::Result<Self, &'static str> {
        if !ascii::all(s.as_bytes(), |b| b.is_ascii_graphic()) {
            return Err("the URL contains spaces, control or non-ASCII characters");
        }
        // Byte search, not split_once("://"), which links core's substring
        // searcher (BENCHMARKS.md has its size).
        let sep = s
            .as_bytes()
            .windows(3)
            .position(|w| w == b"://")
            .ok_or("the URL is not absolute")?;
        let (scheme, rest) = s.split_at_checked(sep).ok_or("the URL is not absolute")?;
        let rest = rest.get(3..).ok_or("the URL is not absolute")?;
        if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
            return Err("the URL scheme is not http or https");
        }
        let (rest, fragment) = match split_once(rest, b'#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (rest, query) = match split_once(rest, b'?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match ascii::find(rest.as_bytes(), b'/') {
            // split_at_checked rather than split_at: no panic path, so str's
            // panic-message formatting is not linked; and no silent empty part.
            Some(i) => rest.split_at_checked(i).ok_or("the URL is not absolute")?,
            None => (rest, "/"),
        };
        if !valid_authority(authority) {
            return Err("the URL host or port is invalid");
        }
        if !path_as_browsers_write_it(path.as_bytes()) {
            return Err("the URL path has a dot segment, a backslash or an unescaped character");
        }
        Ok(Self {
            scheme,
            authority,
            path,
            query,
            fragment,
        })
    }

    /// `true` for `http:`.
    pub fn is_plain_http(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("http")
    }

    /// The host without port (IPv6 literals keep their brackets).
    pub fn host(&self) -> &'a str {
        split_port(self.authority).0
    }

    /// The port, with the scheme's default when none is written.
    pub fn port(&self) -> u16 {
        match split_port(self.authority).1 {
            Some(p) => p,
            None if self.is_plain_http() => 80,
            None => 443,
        }
    }

    /// Whether the host is a loopback name or address.
    pub fn is_loopback(&self) -> bool {
        let host = self.host();
        host.eq_ignore_ascii_case("localhost")
            || host == "[::1]"
            // `parse` took a host whose last label starts with a digit only
            // as four decimal octets.
            || (host.starts_with("127.") && last_label_starts_with_a_digit(host.as_bytes()))
    }

    /// Same origin and path as `other`: scheme and host compared without case,
    /// ports after applying defaults, path exactly (paths are case-sensitive).
    pub fn same_endpoint(&self, other: &HttpUrl<'_>) -> bool {
        self.scheme.eq_ignore_ascii_case(other.scheme)
            && self.host().eq_ignore_ascii_case(other.host())
            && self.port() == other.port()
            && self.path == other.path
    }
}

/// `s` around the first `sep` (an ASCII byte, so both sides are `str`s).
///
/// The URL code splits on bytes rather than with `str::split_once(char)` and
/// friends: core's char searcher brings `memchr` and, through its slicing
/// checks, the `core::fmt` integer formatting of their panic messages.
fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = ascii::find(s.as_bytes(), sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// A decimal number of at most `max`, read as `str::parse` reads an
/// unsigned integer: an optional `+`, then one or more ASCII digits (leading
/// zeros allowed).
fn decimal(s: &[u8], max: u32) -> Option<u32> {
    let digits = s.strip_prefix(b"+").unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |n, b| {
        let v = n * 10 + char::from(*b).to_digit(10)?;
        (v <= max).then_some(v)
    })
}

fn split_port(authority: &str) -> (&str, Option<u16>) {
    let bytes = authority.as_bytes();
    let colon = if bytes.first() == Some(&b'[') {
        // IPv6: a port only right after the closing bracket.
        ascii::find(bytes, b']')
            .map(|i| i + 1)
            .filter(|i| bytes.get(*i) == Some(&b':'))
    } else {
        bytes.iter().rposition(|b| *b == b':')
    };
    let parts = colon.and_then(|i| Some((authority.get(..i)?, authority.get(i + 1..)?)));
    match parts {
        Some((host, port)) => (
            host,
            decimal(port.as_bytes(), u16::MAX.into()).and_then(|p| u16::try_from(p).ok()),
        ),
        None => (authority, None),
    }
}

/// Whether `s` is an IPv6 address written exactly as the WHATWG URL
/// serializer writes it (so never with an embedded IPv4 part or a zone).
fn canonical_ipv6(s: &[u8]) -> bool {
    // Parse: up to eight pieces of 1-4 hex digits, one `::` at most.
    let mut pieces = [0u16; 8];
    let (mut n, mut compress, mut i) = (0usize, None, 0usize);
    if s.starts_with(b"::") {
        (compress, i) = (Some(0), 2);
    }
    while i < s.len() {
        let start = i;
        let mut value = 0u16;
        while i < s.len() && i - start < 4 {
            let Some(d) = s.get(i).and_then(|b| char::from(*b).to_digit(16)) else {
                break;
            };
            value = value * 16 + d as u16;
            i += 1;
        }
        let Some(slot) = pieces.get_mut(n) else {
            return false;
        };
        if i == start {
            return false;
        }
        *slot = value;
        n += 1;
        match (s.get(i), s.get(i + 1)) {
            (None, _) => {}
            (Some(b':'), Some(b':')) if compress.is_none() => {
                (compress, i) = (Some(n), i + 2);
            }
            (Some(b':'), Some(_)) => i += 1,
            _ => return false,
        }
    }
    let address = match compress {
        // `::` stands for the zero pieces that make eight.
        Some(at) if n < 8 => {
            let mut a = [0u16; 8];
            for (k, p) in pieces.iter().take(n).enumerate() {
                let to = if k < at { k } else { k + 8 - n };
                if let Some(slot) = a.get_mut(to) {
                    *slot = *p;
                }
            }
            a
        }
        None if n == 8 => pieces,
        _ => return false,
    };
    // Serialize as WHATWG does and compare.
    let (mut best, mut best_len, mut run) = (None, 1, 0);
    for (k, p) in address.iter().enumerate() {
        run = if *p == 0 { run + 1 } else { 0 };
        if run > best_len {
            (best, best_len) = (Some(k + 1 - run), run);
        }
    }
    let mut out = alloc::vec::Vec::with_capacity(39);
    let mut k = 0;
    while k < 8 {
        if best == Some(k) {
            out.extend_from_slice(if k == 0 { b"::" } else { b":" });
            k += best_len;
            continue;
        }
        let p = address.get(k).copied().unwrap_or(0);
        let mut started = false;
        for shift in [12u16, 8, 4, 0] {
            let d = (p >> shift) & 0xf;
            if d != 0 || started || shift == 0 {
                started = true;
                out.push(
                    b"0123456789abcdef"
                        .get(usize::from(d))
                        .copied()
                        .unwrap_or(b'0'),
                );
            }
        }
        if k != 7 {
            out.push(b':');
        }
        k += 1;
    }
    out == s
}

fn valid_authority(authority: &str) -> bool {
    if ascii::find(authority.as_bytes(), b'@').is_some() {
        return false; // userinfo in a URL is a phishing tool, never needed here
    }
    let (host_ok, port) = if let Some(rest) = authority.strip_prefix("[") {
        let Some((inside, after)) = split_once(rest, b']') else {
            return false;
        };
        let port = match after {
            "" => None,
            a => match a.strip_prefix(":") {
                Some(p) => Some(p),
                None => return false,
            },
        };
        // An IPv6 literal only in the form WHATWG serialises it to (RFC 5952:
        // lowercase, no leading zeros, the longest run of two or more zero
        // pieces as `::`): a URL is compared as written, and a browser
        // would send any other form rewritten.
        (canonical_ipv6(inside.as_bytes()), port)
    } else {
        let (host, port) = match split_once(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let ok = !host.is_empty()
            && ascii::all(host.as_bytes(), |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
            })
            && host_as_browsers_write_it(host.as_bytes());
        (ok, port)
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && ascii::all(p.as_bytes(), |b| b.is_ascii_digit())
            && decimal(p.as_bytes(), u16::MAX.into()).is_some()
    });
    host_ok && port_ok
}

// A URL is compared as written (`same_endpoint`: the host without case, the
// path byte for byte), and the URLs it is compared with come from a browser,
// which has read and re-serialized them by the WHATWG URL standard. So a part
// the standard would rewrite is refused rather than compared: written another
// way, the same URL would not match, or two readings of one string would
// differ. src/url/whatwg_differential.rs holds HttpUrl to this against Node's
// URL parser.

/// Whether a host (letters, digits, `-`, `.`, `_`) is one WHATWG leaves as it
/// is. A host whose last label is a number (decimal, or `0x` and hex) is an
/// IPv4 address to WHATWG, which rewrites every form but four decimal octets
/// without leading zeros (`127.1`, `0x7f.0.0.1`, `0177.0.0.1`, `1.2.3.4.`
/// are all rewritten, and `0177` is octal) and refuses the rest (`a.1`,
/// `256.0.0.1`); any other host is a domain, lowercased. Simpler, and a
/// little stricter: a host whose last label starts with a digit must be
/// four such octets (no top-level domain starts with one).
fn host_as_browsers_write_it(host: &[u8]) -> bool {
    if !last_label_starts_with_a_digit(host) {
        return true;
    }
    // Byte loops, not split iterators: the OAuth-only module's size.
    let (mut octets, mut start) = (0, 0);
    for i in 0..=host.len() {
        if host.get(i).is_some_and(|b| *b != b'.') {
            continue;
        }
        let octet = host.get(start..i).unwrap_or_default();
        let leading_zero = octet.len() > 1 && octet.first() == Some(&b'0');
        if leading_zero || decimal(octet, u8::MAX.into()).is_none() {
            return false;
        }
        octets += 1;
        start = i + 1;
    }
    octets == 4
}

/// Whether the last label of `host` starts with a digit, leaving a trailing
/// dot out (`1.2.3.4.` ends in a number to WHATWG).
fn last_label_starts_with_a_digit(host: &[u8]) -> bool {
    let trimmed = match host.strip_suffix(b".") {
        Some(t) if !t.is_empty() => t,
        _ => host,
    };
    let last = match trimmed.iter().rposition(|b| *b == b'.') {
        Some(i) => trimmed.get(i + 1..),
        None => Some(trimmed),
    };
    last.and_then(<[u8]>::first).is_some_and(u8::is_ascii_digit)
}

/// Whether a path is one WHATWG leaves as it is: no dot segment (`.`, `..`,
/// also written `%2e`, which it removes), no backslash (which it reads as
/// `/`) and none of the characters it percent-encodes in a path (`"`, `<`,
/// `>`, `` ` ``, `{`, `}`, and `^`: the standard added it in 2025,
/// whatwg/url#846, as Chrome and Firefox had it; the Node 20 that the
/// differential test runs still leaves it).
fn path_as_browsers_write_it(path: &[u8]) -> bool {
    // Per segment: how many dots (`.` or `%2e`), and whether it has anything else.
    let (mut dots, mut other) = (0, false);
    let mut i = 0;
    loop {
        match path.get(i) {
            end @ (None | Some(b'/')) => {
                if !other && (dots == 1 || dots == 2) {
                    return false;
                }
                if end.is_none() {
                    return true;
                }
                (dots, other) = (0, false);
            }
            Some(b'\\' | b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'^') => return false,
            Some(b'.') => dots += 1,
            Some(b'%')
                if path.get(i + 1) == Some(&b'2')
                    && matches!(path.get(i + 2), Some(b'e' | b'E')) =>
            {
                dots += 1;
                i += 2;
            }
            Some(_) => other = true,
        }
        i += 1;
    }
}

/// Checks a configured endpoint URL: absolute, `https:` (or `http:` on a
/// loopback host, for local development), no fragment.
///
/// ```
/// use edge_sso::url::check_endpoint;
/// assert!(check_endpoint("tokenEndpoint", "https://op.example/token").is_ok());
/// assert!(check_endpoint("tokenEndpoint", "http://127.0.0.1:3000/token").is_ok());
/// assert_eq!(check_endpoint("tokenEndpoint", "http://op.example/token").unwrap_err().code(), "config.insecure_url");
/// assert_eq!(check_endpoint("tokenEndpoint", "javascript:alert(1)").unwrap_err().code(), "config.insecure_url");
/// ```
pub fn check_endpoint(field: &'static str, s: &str) -> Result<()> {
    let url = parsed_endpoint(field, s)?;
    if url.is_plain_http() && !url.is_loopback() {
        return Err(Error::InsecureUrl { field });
    }
    Ok(())
}

/// [`check_endpoint`] for a SAML endpoint (the SP's own URLs, the IdP's):
/// `allow_http` (`allowHttp`) also accepts `http:` on any host; without it
/// that refusal is [`Error::HttpRefused`], which names the option. Any
/// other scheme is refused either way.
///
/// ```
/// use edge_sso::url::check_saml_endpoint;
/// assert!(check_saml_endpoint("acsUrl", "http://sp.example/acs", true).is_ok());
/// let e = check_saml_endpoint("acsUrl", "http://sp.example/acs", false).unwrap_err();
/// assert_eq!(e.code(), "config.insecure_url");
/// assert!(e.to_string().contains("allowHttp"));
/// assert!(check_saml_endpoint("acsUrl", "javascript:alert(1)", true).is_err());
/// ```
#[cfg(feature = "saml")]
pub fn check_saml_endpoint(field: &'static str, s: &str, allow_http: bool) -> Result<()> {
    let url = parsed_endpoint(field, s)?;
    if url.is_plain_http() && !url.is_loopback() && !allow_http {
        return Err(Error::HttpRefused { field });
    }
    Ok(())
}

fn parsed_endpoint<'a>(field: &'static str, s: &'a str) -> Result<HttpUrl<'a>> {
    let url = HttpUrl::parse(s).map_err(|_| Error::InsecureUrl { field })?;
    if url.fragment.is_some() {
        return Err(Error::InvalidArgument {
            field,
            reason: "an endpoint URL must not have a fragment",
        });
    }
    Ok(url)
}

/// Decodes an `application/x-www-form-urlencoded` string strictly: `+` is a
/// space, every `%` must start a two-digit hex escape, and the result must be
/// UTF-8. Lenient decoders silently keep bad escapes, which lets two parsers
/// disagree about one value; we refuse instead. Takes bytes: [`parse_query`]
/// splits a query on bytes, the SAML redirect binding on `str`.
pub(crate) fn form_decode(bytes: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|c| (*c as char).to_digit(16))?;
                let lo = bytes.get(i + 2).and_then(|c| (*c as char).to_digit(16))?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Parses a query string into ordered `(name, value)` pairs with
/// [`form_decode`]; empty segments (`a=1&&b=2`) are skipped.
pub(crate) fn parse_query(q: &str) -> Option<Vec<(String, String)>> {
    // A loop rather than `.map(..).collect::<Option<Vec<_>>>()`, whose
    // adapters (GenericShunt, try_process) are their own code per use.
    let mut pairs = Vec::new();
    for seg in q
        .as_bytes()
        .split(|b| *b == b'&')
        .filter(|seg| !seg.is_empty())
    {
        let (k, v) = match ascii::find(seg, b'=') {
            Some(i) => (seg.get(..i)?, seg.get(i + 1..)?),
            None => (seg, &b""[..]),
        };
        pairs.push((form_decode(k)?, form_decode(v)?));
    }
    Some(pairs)
}

/// Whether the `application/x-www-form-urlencoded` serializer (WHATWG URL
/// standard §5.2) writes `b` as itself: ASCII letters and digits and `*-._`.
fn form_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

/// The length of `s` once form-encoded: one byte each for the unreserved
/// bytes and the space (`+`), three (`%XX`) for every other.
fn form_encoded_len(s: &str) -> usize {
    let mut len = 0;
    for b in s.bytes() {
        len += if form_unreserved(b) || b == b' ' {
            1
        } else {
            3
        };
    }
    len
}

/// Appends `s` form-encoded: unreserved bytes as themselves, the space as
/// `+`, every other byte of its UTF-8 as `%XX` in uppercase hex. This is the
/// WHATWG urlencoded byte serializer, byte for byte what `form_urlencoded`
/// (the `url` crate's) writes; the tests compare the two.
fn form_encode_into(out: &mut String, s: &str) {
    let hex = |n: u8| char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 });
    for b in s.bytes() {
        if form_unreserved(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 15));
        }
    }
}

/// Serializes `name=value` pairs joined by `&`, each part form-encoded, as
/// `application/x-www-form-urlencoded` (the WHATWG URL standard's
/// urlencoded serializer).
///
/// The text is written into a buffer allocated once at its final length: a
/// token request body holds a code or a refresh token, and a buffer that grew
/// would leave copies of its first part behind in freed memory.
pub(crate) fn form_encode(params: &[(&str, &str)]) -> String {
    form_encode_after("", "", params)
}

/// `prefix`, then `sep`, then the pairs form-encoded, in one allocation.
fn form_encode_after(prefix: &str, sep: &str, params: &[(&str, &str)]) -> String {
    // Each pair adds its `=`, and an `&` before all but the first.
    let mut len = 0usize;
    for (k, v) in params {
        len += form_encoded_len(k) + form_encoded_len(v) + 2;
    }
    let len = len.saturating_sub(1);
    let mut out = String::with_capacity(prefix.len() + sep.len() + len);
    out.push_str(prefix);
    out.push_str(sep);
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_encode_into(&mut out, k);
        out.push('=');
        form_encode_into(&mut out, v);
    }
    out
}

/// Appends form-encoded parameters to a URL that may already have a query.
pub(crate) fn append_query(base: &str, params: &[(&str, &str)]) -> String {
    let sep = match ascii::find(base.as_bytes(), b'?') {
        None => "?",
        Some(i) if i + 1 == base.len() || base.ends_with("&") => "",
        Some(_) => "&",
    };
    form_encode_after(base, sep, params)
}

// HttpUrl against the WHATWG URL parser (Node's), on generated URLs.
#[cfg(test)]
mod whatwg_differential;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn splits_parts() {
        let u = HttpUrl::parse("https://App.Example:8443/cb/x?a=1&b=2#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host(), "App.Example");
        assert_eq!(u.port(), 8443);
        assert_eq!(u.path, "/cb/x");
        assert_eq!(u.query, Some("a=1&b=2"));
        assert_eq!(u.fragment, Some("frag"));
        let bare = HttpUrl::parse("http://localhost").unwrap();
        assert_eq!((bare.path, bare.port(), bare.query), ("/", 80, None));
        assert_eq!(HttpUrl::parse("http://[::1]:9/").unwrap().host(), "[::1]");
    }

    #[test]
    fn refuses_non_http_and_odd_urls() {
        for bad in [
            "javascript:alert(1)",
            "ftp://x/",
            "/relative",
            "https://",
            "https://user:pw@host/",
            "https://host:99999/",
            "https://host:/",
            "https://ho st/",
            "https://host/\u{e9}",
            "https://host/a\\b",
            "https://ho<st/",
            "https://[zz]/",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_detection() {
        for l in [
            "http://localhost:1/",
            "http://127.0.0.1/",
            "http://127.1.2.3:8/",
            "http://[::1]/",
        ] {
            assert!(HttpUrl::parse(l).unwrap().is_loopback(), "{l}");
        }
        for n in [
            "http://127.0.0.1.evil.com/",
            "http://localhost.evil.com/",
            "http://10.0.0.1/",
        ] {
            assert!(!HttpUrl::parse(n).unwrap().is_loopback(), "{n}");
        }
    }

    #[test]
    fn decimal_reads_like_str_parse() {
        // The byte-level reader replaced `str::parse::<u8>` / `::<u16>`: it
        // must accept and refuse exactly what they do.
        let odd = [
            "",
            "+",
            "-",
            "+0",
            "-0",
            "00",
            "007",
            "0000000255",
            "256",
            "65535",
            "65536",
            "+65535",
            "1 ",
            " 1",
            "1a",
            "++1",
            "4294967296",
            "99999999999",
        ];
        let mut cases: Vec<String> = odd.iter().map(|s| s.to_string()).collect();
        cases.extend((0..70_000).step_by(7).map(|n: u32| n.to_string()));
        cases.extend((0..300).map(|n: u32| format!("0{n}")));
        for c in &cases {
            assert_eq!(
                decimal(c.as_bytes(), 255),
                c.parse::<u8>().ok().map(u32::from),
                "{c:?} as u8"
            );
            assert_eq!(
                decimal(c.as_bytes(), 65535),
                c.parse::<u16>().ok().map(u32::from),
                "{c:?} as u16"
            );
        }
    }

    #[test]
    fn ports_and_hosts_split_on_bytes() {
        for (authority, host, port) in [
            ("a.example:8443", "a.example", Some(8443)),
            ("a.example", "a.example", None),
            ("a.example:", "a.example", None),
            ("a.example:+80", "a.example", Some(80)),
            ("[::1]:9", "[::1]", Some(9)),
            ("[::1]", "[::1]", None),
            ("[::1]x:9", "[::1]x:9", None),
            ("a:b:7", "a:b", Some(7)),
        ] {
            assert_eq!(split_port(authority), (host, port), "{authority}");
        }
        assert_eq!(split_once("a?b?c", b'?'), Some(("a", "b?c")));
        assert_eq!(split_once("abc", b'?'), None);
        assert!(HttpUrl::parse("http://127.255.255.255/")
            .unwrap()
            .is_loopback());
        // Refused: not an address (127.256.0.1), or one WHATWG rewrites
        // (127.0.0 is 127.0.0.0, 127.00.000.0001 is 127.0.0.1).
        for refused in [
            "http://127.00.000.0001/",
            "http://127.256.0.1/",
            "http://127.0.0/",
            "http://127.0.0.1.2/",
            "http://127..0.1/",
            "http://127.0.0.1a/",
        ] {
            assert!(HttpUrl::parse(refused).is_err(), "{refused}");
        }
        assert!(!HttpUrl::parse("http://127.0.0.1.a/").unwrap().is_loopback());
    }

    /// A host whose last label is a number is an IPv4 address to WHATWG,
    /// which rewrites all but one form of it: so only that form is taken
    /// (`127.0.0.010` was taken as written and compared as such, where a
    /// browser goes to 127.0.0.8; `a.1` was taken, where a browser refuses).
    #[test]
    fn an_ipv4_host_only_as_four_decimal_octets() {
        for ok in [
            "http://127.0.0.1/",
            "http://0.0.0.0/",
            "http://255.255.255.255/",
            "http://10.0.0.1:8/",
            "https://1.2.3.4.example/",
            "https://0x7f.example/",
            "https://app.example./",
        ] {
            assert!(HttpUrl::parse(ok).is_ok(), "{ok}");
        }
        for rewritten_or_refused in [
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://0X7F.0.0.1/",
            "http://0177.0.0.1/",
            "http://127.0.0.010/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://1.2.3.4./",
            "http://0/",
            "http://0x/",
            "http://256.0.0.1/",
            "http://1.2.3.4.5/",
            "http://127.08.0.1/",
            "http://a.1/",
            "http://app.example.123/",
            // A domain to WHATWG, refused here: a last label that starts
            // with a digit is taken as an address or not at all.
            "https://1e3/",
            "https://a.3com/",
        ] {
            assert!(
                HttpUrl::parse(rewritten_or_refused).is_err(),
                "{rewritten_or_refused}"
            );
        }
    }

    /// An IPv6 literal is taken in the one form WHATWG writes it in (every
    /// other form is rewritten: `[0:0::1]` is `[::1]`), and compared as is.
    #[test]
    fn an_ipv6_host_only_in_its_canonical_form() {
        let u = HttpUrl::parse("http://[::1]:8/cb").unwrap();
        assert_eq!((u.host(), u.port(), u.is_loopback()), ("[::1]", 8, true));
        for ok in [
            "[2001:db8::1]",
            "[::]",
            "[1::]",
            "[fe80::1:2:3:4]",
            "[1:2:3:4:5:6:7:8]",
            "[1:0:0:2::3]",
            "[1::2:0:0:3]",
            "[2001:db8::1:0:0:1]",
            "[::ffff:7f00:1]",
            "[1::2:0]",
            "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]",
        ] {
            let url = format!("https://{ok}/cb");
            let u = HttpUrl::parse(&url);
            assert!(u.is_ok(), "{ok}");
            let u = u.unwrap();
            assert_eq!(u.host(), ok);
            assert!(!u.is_loopback(), "{ok}");
        }
        for refused in [
            "[0:0:0:0:0:0:0:1]",
            "[0::1]",
            "[::01]",
            "[::0:1]",
            "[::1.2.3.4]",
            "[::ffff:127.0.0.1]",
            "[2001:DB8::1]",
            "[2001:0db8::1]",
            "[2001:db8:0:0:1:0:0:1]",
            "[1:0::2]",
            "[1:2:3:4:5:6:7::]",
            "[::2:3:4:5:6:7:8]",
            "[1:2:3:4::5:6:7:8]",
            "[1:2]",
            "[1::2::3]",
            "[:1]",
            "[1:]",
            "[:::]",
            "[12345::1]",
            "[1:2:3:4:5:6:7:8:9]",
            "[fe80::1%25eth0]",
            "[]",
            "[::1]x",
            "[::1",
        ] {
            let url = format!("http://{refused}/");
            assert!(HttpUrl::parse(&url).is_err(), "{refused}");
        }
    }

    /// WHATWG removes dot segments (`%2e` is a dot there) and
    /// percent-encodes some characters of a path.
    #[test]
    fn a_path_only_as_browsers_write_it() {
        for ok in [
            "/cb",
            "/",
            "//",
            "/...",
            "/.a/a./a.b",
            "/%2e%2e%2e",
            "/%2e%2",
            "/~u/;p=1/a|b/!$&'()*+,;=:@",
            "/%zz",
        ] {
            let url = format!("https://app.example{ok}?x#y");
            assert_eq!(HttpUrl::parse(&url).unwrap().path, ok);
        }
        for refused in [
            "/.",
            "/..",
            "/a/./b",
            "/a/../b",
            "/%2e",
            "/%2E",
            "/.%2e",
            "/%2e.",
            "/%2E%2e/x",
            "/a\"b",
            "/<x>",
            "/`",
            "/{x}",
            "/a^b",
        ] {
            let url = format!("https://app.example{refused}");
            assert!(HttpUrl::parse(&url).is_err(), "{refused}");
        }
    }

    #[test]
    fn same_endpoint_normalises_case_and_default_port_only() {
        let a = HttpUrl::parse("https://App.example/cb").unwrap();
        assert!(a.same_endpoint(&HttpUrl::parse("HTTPS://app.EXAMPLE:443/cb?x").unwrap()));
        assert!(!a.same_endpoint(&HttpUrl::parse("https://app.example/CB").unwrap()));
        assert!(!a.same_endpoint(&HttpUrl::parse("https://app.example:444/cb").unwrap()));
        assert!(!a.same_endpoint(&HttpUrl::parse("http://app.example/cb").unwrap()));
        assert!(!a.same_endpoint(&HttpUrl::parse("https://app.example/cb/").unwrap()));
    }

    #[test]
    fn strict_form_decoding() {
        assert_eq!(form_decode(b"a+b%20c%2B").unwrap(), "a b c+");
        assert_eq!(form_decode(b"%C3%A9").unwrap(), "\u{e9}");
        assert!(form_decode(b"%").is_none());
        assert!(form_decode(b"%4").is_none());
        assert!(form_decode(b"%zz").is_none());
        assert!(form_decode(b"%FF").is_none());
        let q = parse_query("a=1&&b=&c").unwrap();
        assert_eq!(
            q,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "".into())
            ]
        );
    }

    #[test]
    fn form_encoding_matches_form_urlencoded() {
        // Every ASCII byte, some two-, three- and four-byte characters, and
        // pseudo-random strings over all of them, alone and in pairs: our
        // serializer must write exactly what `form_urlencoded` (the `url`
        // crate's, which this replaced) writes.
        let reference = |pairs: &[(&str, &str)]| {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                ser.append_pair(k, v);
            }
            ser.finish()
        };
        let mut alphabet: Vec<char> = (0u8..=127).map(char::from).collect();
        alphabet.extend([
            '\u{80}',
            '\u{e9}',
            '\u{7ff}',
            '\u{800}',
            '\u{20ac}',
            '\u{fffd}',
            '\u{ffff}',
            '\u{10000}',
            '\u{1f600}',
            '\u{10ffff}',
        ]);
        let mut cases: Vec<String> = alphabet.iter().map(|c| c.to_string()).collect();
        cases.push(String::new());
        let mut next = crate::test_rng::xorshift64(0x9e37_79b9_7f4a_7c15);
        for len in 1..400 {
            let mut s = String::new();
            for _ in 0..len % 37 {
                s.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            cases.push(s);
        }
        for (i, v) in cases.iter().enumerate() {
            let k = &cases[(i * 7 + 3) % cases.len()];
            assert_eq!(form_encode(&[("k", v)]), reference(&[("k", v)]), "{v:?}");
            assert_eq!(
                form_encode(&[(k, v), (v, k), ("", "")]),
                reference(&[(k, v), (v, k), ("", "")]),
                "{k:?} {v:?}"
            );
            let encoded = form_encode(&[(k, v)]);
            assert_eq!(
                encoded.len(),
                encoded.capacity(),
                "allocated once, at its final length"
            );
        }
        assert_eq!(form_encode(&[]), reference(&[]));
        assert_eq!(
            form_encode(&[("a", "1 2"), ("b", "\u{e9}&")]),
            "a=1+2&b=%C3%A9%26"
        );
    }

    #[test]
    fn append_query_encodes_and_joins() {
        assert_eq!(
            append_query("https://x/a", &[("k", "a b&c")]),
            "https://x/a?k=a+b%26c"
        );
        assert_eq!(
            append_query("https://x/a?p=1", &[("k", "v")]),
            "https://x/a?p=1&k=v"
        );
        assert_eq!(
            append_query("https://x/a?", &[("k", "v")]),
            "https://x/a?k=v"
        );
        assert_eq!(
            append_query("https://x/a?p=1&", &[("k", "v"), ("l", "*-._~")]),
            "https://x/a?p=1&k=v&l=*-._%7E"
        );
        assert_eq!(append_query("https://x/a", &[]), "https://x/a?");
    }
}

#[cfg(all(test, feature = "saml"))]
mod saml_endpoint_tests {
    #![allow(clippy::unwrap_used)]
    use super::check_saml_endpoint;

    /// The scheme is case-insensitive (RFC 3986 §3.1): `HTTP:` is plain http,
    /// refused off loopback unless `allowHttp`, and never mistaken for https.
    #[test]
    fn an_uppercase_http_scheme_is_plain_http() {
        for url in ["HTTP://intranet.example/acs", "Http://intranet.example/acs"] {
            assert_eq!(
                check_saml_endpoint("acsUrl", url, false)
                    .unwrap_err()
                    .code(),
                "config.insecure_url",
                "{url}"
            );
            assert!(check_saml_endpoint("acsUrl", url, true).is_ok(), "{url}");
        }
        assert!(check_saml_endpoint("acsUrl", "HTTPS://sp.example/acs", false).is_ok());
        assert!(check_saml_endpoint("acsUrl", "HTTP://127.0.0.1:8080/acs", false).is_ok());
    }

    /// userinfo is refused outright: `http://127.0.0.1@evil.example/` is a
    /// request to evil.example that a careless reader takes for loopback.
    #[test]
    fn userinfo_in_an_endpoint_is_refused_even_with_allow_http() {
        for url in [
            "http://127.0.0.1@evil.example/acs",
            "https://user:pw@sp.example/acs",
            "http://localhost@localhost/acs",
        ] {
            for allow in [false, true] {
                assert_eq!(
                    check_saml_endpoint("acsUrl", url, allow)
                        .unwrap_err()
                        .code(),
                    "config.insecure_url",
                    "{url} {allow}"
                );
            }
        }
    }
}
