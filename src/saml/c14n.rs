//! Exclusive XML Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>),
//! with and without comments, with an optional InclusiveNamespaces PrefixList,
//! written on the reader's tree. Checked byte for byte against libxml2.
//!
//! The canonical form of an element subtree depends on the namespaces in
//! scope from its ancestors, so canonicalization starts at the document root
//! and walks down to the apex (the signed element), collecting declarations,
//! then writes only the apex subtree. An element to omit (the enveloped
//! `Signature`) is given by identity, never looked up by name.

use std::collections::BTreeMap;

use super::xml::{Element, Node, XML_NS};

/// Canonicalization options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct C14nOptions<'a> {
    /// Keep comments (`#WithComments`).
    pub with_comments: bool,
    /// InclusiveNamespaces PrefixList: prefixes treated as in inclusive C14N
    /// (`#default` for the default namespace).
    pub inclusive_prefixes: &'a [String],
}

/// In-scope namespace bindings: prefix (`""` for the default) → URI.
type Scope = BTreeMap<String, String>;

/// Canonicalizes the subtree at `apex`, which must be `root` or a descendant
/// of it, leaving out `exclude` (and its subtree) if given. `None` when `apex`
/// is not in the tree.
pub fn canonicalize(root: &Element, apex: &Element, exclude: Option<&Element>, opts: &C14nOptions<'_>) -> Option<String> {
    let mut scope = Scope::new();
    let path = path_to(root, apex)?;
    // Bind what the ancestors declare, outermost first.
    for ancestor in &path {
        declare(&mut scope, ancestor);
    }
    let mut out = String::new();
    write_element(apex, &scope, &Scope::new(), exclude, opts, &mut out);
    Some(out)
}

/// The ancestors of `target` from `root` down (excluding `target` itself).
fn path_to<'t>(root: &'t Element, target: &Element) -> Option<Vec<&'t Element>> {
    if std::ptr::eq(root, target) {
        return Some(Vec::new());
    }
    for child in root.elements() {
        if let Some(mut p) = path_to(child, target) {
            p.insert(0, root);
            return Some(p);
        }
    }
    None
}

fn declare(scope: &mut Scope, e: &Element) {
    for (prefix, uri) in &e.ns_decls {
        scope.insert(prefix.clone().unwrap_or_default(), uri.clone());
    }
}

fn write_element(
    e: &Element,
    parent_scope: &Scope,
    rendered: &Scope,
    exclude: Option<&Element>,
    opts: &C14nOptions<'_>,
    out: &mut String,
) {
    // Copy the scope only when this element declares something (most do not).
    let owned_scope;
    let scope = if e.ns_decls.is_empty() {
        parent_scope
    } else {
        let mut s = parent_scope.clone();
        declare(&mut s, e);
        owned_scope = s;
        &owned_scope
    };

    // Namespaces visibly utilized by this element: its own prefix (or the
    // default namespace when unprefixed) and its attributes' prefixes.
    let mut wanted: Vec<String> = vec![e.prefix.clone().unwrap_or_default()];
    for a in &e.attrs {
        if let Some(p) = &a.prefix {
            if p != "xml" {
                wanted.push(p.clone());
            }
        }
    }
    for p in opts.inclusive_prefixes {
        let p = if p == "#default" { "" } else { p.as_str() };
        if p.is_empty() || scope.contains_key(p) {
            wanted.push(p.to_owned());
        }
    }
    wanted.sort();
    wanted.dedup();

    let mut ns_out: Vec<(String, String)> = Vec::new();
    for prefix in wanted {
        let uri = scope.get(&prefix).cloned().unwrap_or_default();
        if prefix.is_empty() {
            // The default namespace: render it when it differs from what the
            // nearest output ancestor rendered (xmlns="" only to undo one).
            let previous = rendered.get("").map(String::as_str).unwrap_or("");
            if uri != previous {
                ns_out.push((prefix, uri));
            }
        } else if rendered.get(&prefix) != Some(&uri) && !uri.is_empty() {
            ns_out.push((prefix, uri));
        }
    }
    // Likewise, the rendered set is copied only when this element renders something.
    let owned_rendered;
    let now_rendered = if ns_out.is_empty() {
        rendered
    } else {
        let mut r = rendered.clone();
        for (p, u) in &ns_out {
            r.insert(p.clone(), u.clone());
        }
        owned_rendered = r;
        &owned_rendered
    };

    out.push('<');
    push_qname(out, e.prefix.as_deref(), &e.local);
    for (prefix, uri) in &ns_out {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attr(out, uri);
        out.push('"');
    }
    // Attributes sorted by namespace URI (none first), then local name.
    let mut attrs: Vec<_> = e.attrs.iter().collect();
    attrs.sort_by(|a, b| {
        let ka = (a.ns.as_deref().unwrap_or(""), a.local.as_str());
        let kb = (b.ns.as_deref().unwrap_or(""), b.local.as_str());
        ka.cmp(&kb)
    });
    for a in attrs {
        out.push(' ');
        let prefix = if a.ns.as_deref() == Some(XML_NS) { Some("xml") } else { a.prefix.as_deref() };
        push_qname(out, prefix, &a.local);
        out.push_str("=\"");
        escape_attr(out, &a.value);
        out.push('"');
    }
    out.push('>');
    for child in &e.children {
        match child {
            Node::Element(c) => {
                if exclude.is_some_and(|x| std::ptr::eq(x, c)) {
                    continue;
                }
                write_element(c, scope, now_rendered, exclude, opts, out);
            }
            Node::Text(t) => escape_text(out, t),
            Node::Comment(c) if opts.with_comments => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            Node::Comment(_) => {}
            Node::ProcessingInstruction(target, data) => {
                out.push_str("<?");
                out.push_str(target);
                if !data.is_empty() {
                    out.push(' ');
                    out.push_str(data);
                }
                out.push_str("?>");
            }
        }
    }
    out.push_str("</");
    push_qname(out, e.prefix.as_deref(), &e.local);
    out.push('>');
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::saml::xml::parse;

    #[test]
    fn excluded_element_is_left_out_by_identity_only() {
        let doc = parse(r#"<r xmlns:ds="urn:ds"><a>1</a><ds:Signature><x/></ds:Signature><ds:Signature/></r>"#).unwrap();
        let sig = doc.root.elements().nth(1).unwrap();
        let out = canonicalize(&doc.root, &doc.root, Some(sig), &C14nOptions::default()).unwrap();
        // only that Signature is gone; its look-alike sibling stays
        assert_eq!(out, r#"<r><a>1</a><ds:Signature xmlns:ds="urn:ds"></ds:Signature></r>"#);
    }

    #[test]
    fn an_apex_outside_the_tree_is_none() {
        let a = parse("<a/>").unwrap();
        let b = parse("<b/>").unwrap();
        assert!(canonicalize(&a.root, &b.root, None, &C14nOptions::default()).is_none());
    }

    #[test]
    fn comment_in_a_value_changes_nothing_without_comments() {
        let doc = parse("<r><n>user@example.com<!---->.evil</n></r>").unwrap();
        assert_eq!(canonicalize(&doc.root, &doc.root, None, &C14nOptions::default()).unwrap(), "<r><n>user@example.com.evil</n></r>");
        let with = C14nOptions { with_comments: true, inclusive_prefixes: &[] };
        assert_eq!(canonicalize(&doc.root, &doc.root, None, &with).unwrap(), "<r><n>user@example.com<!---->.evil</n></r>");
    }
}
