//! Escaping for values placed into XML and HTML. Every value edge-sso writes
//! into a document goes through one of these.

/// Escapes character data: `&`, `<`, `>` (the last so `]]>` cannot appear).
///
/// ```
/// assert_eq!(edge_sso::saml::escape::xml_text("a<b&c>"), "a&lt;b&amp;c&gt;");
/// ```
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a double-quoted attribute value, including the whitespace
/// characters that attribute-value normalisation would otherwise turn into
/// spaces.
///
/// ```
/// assert_eq!(edge_sso::saml::escape::xml_attr("a\"b\n<"), "a&quot;b&#xA;&lt;");
/// ```
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an HTML attribute value (double- or single-quoted).
///
/// ```
/// assert_eq!(edge_sso::saml::escape::html_attr("x'\"<&"), "x&#39;&quot;&lt;&amp;");
/// ```
pub fn html_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` contains only characters XML 1.0 allows (a value with, say, a
/// NUL cannot be written into a document at all, escaped or not).
pub fn is_xml_safe(s: &str) -> bool {
    s.chars().all(super::xml::is_xml_char)
}
