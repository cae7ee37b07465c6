//! Escaping for values placed into XML and HTML. Every value edge-sso writes
//! into a document goes through one of these.

/// Replaces each character that `table` maps to an escape; others pass through.
fn escape_with(s: &str, table: fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match table(c) {
            Some(esc) => out.push_str(esc),
            None => out.push(c),
        }
    }
    out
}

/// Escapes character data: `&`, `<`, `>` (the last so `]]>` cannot appear),
/// and CR (which the reader would otherwise normalise away).
///
/// ```
/// assert_eq!(edge_sso::saml::escape::xml_text("a<b&c>"), "a&lt;b&amp;c&gt;");
/// ```
pub fn xml_text(s: &str) -> String {
    escape_with(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '\r' => Some("&#xD;"),
        _ => None,
    })
}

/// Escapes a double-quoted attribute value, including the whitespace
/// characters that attribute-value normalisation would otherwise turn into
/// spaces.
///
/// ```
/// assert_eq!(edge_sso::saml::escape::xml_attr("a\"b\n<"), "a&quot;b&#xA;&lt;");
/// ```
pub fn xml_attr(s: &str) -> String {
    escape_with(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\t' => Some("&#x9;"),
        '\n' => Some("&#xA;"),
        '\r' => Some("&#xD;"),
        _ => None,
    })
}

/// Escapes an HTML attribute value (double- or single-quoted).
///
/// ```
/// assert_eq!(edge_sso::saml::escape::html_attr("x'\"<&"), "x&#39;&quot;&lt;&amp;");
/// ```
pub fn html_attr(s: &str) -> String {
    escape_with(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// `v` if XML can carry it, else an argument error naming `field`.
pub(crate) fn xml_safe<'v>(field: &'static str, v: &'v str) -> crate::Result<&'v str> {
    if is_xml_safe(v) {
        Ok(v)
    } else {
        Err(crate::Error::InvalidArgument {
            field,
            reason: "contains characters XML cannot carry",
        })
    }
}

/// Whether `s` contains only characters XML 1.0 allows (a value with, say, a
/// NUL cannot be written into a document at all, escaped or not).
pub fn is_xml_safe(s: &str) -> bool {
    s.chars().all(super::xml::is_xml_char)
}
