//! Exclusive XML Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>),
//! with and without comments, with an optional InclusiveNamespaces PrefixList,
//! written on the reader's tree. Checked byte for byte against libxml2.
//!
//! The canonical form of an element subtree depends on the namespaces in
//! scope from its ancestors, so canonicalization starts at the document root
//! and walks down to the apex (the signed element), collecting declarations,
//! then writes only the apex subtree. An element to omit (the enveloped
//! `Signature`) is given by identity, never looked up by name.

use super::xml::{Attribute, Element, Node, XML_NS};

/// Canonicalization options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct C14nOptions<'a> {
    /// Keep comments (`#WithComments`).
    pub with_comments: bool,
    /// InclusiveNamespaces PrefixList: prefixes treated as in inclusive C14N
    /// (`#default` for the default namespace).
    pub inclusive_prefixes: &'a [String],
}

/// Namespace bindings, innermost last: (prefix, URI), `""` for the default
/// namespace. A lookup walks back from the end, so an inner binding shadows
/// an outer one and leaving an element is a truncation: no map is copied.
#[derive(Default)]
struct Bindings<'t> {
    stack: Vec<(&'t str, &'t str)>,
}

impl<'t> Bindings<'t> {
    fn get(&self, prefix: &str) -> Option<&'t str> {
        self.stack
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, u)| *u)
    }

    fn declare(&mut self, e: &Element<'t>) {
        self.stack
            .extend(e.ns_decls.iter().map(|(p, u)| (p.unwrap_or(""), *u)));
    }
}

/// Canonicalizes the subtree at `apex`, which must be `root` or a descendant
/// of it, leaving out `exclude` (and its subtree) if given. `None` when `apex`
/// is not in the tree.
pub fn canonicalize(
    root: &Element<'_>,
    apex: &Element<'_>,
    exclude: Option<&Element<'_>>,
    opts: &C14nOptions<'_>,
) -> Option<String> {
    let mut path = Vec::new();
    if !path_to(root, apex, &mut path) {
        return None;
    }
    // Bind what the ancestors declare, outermost first.
    let mut scope = Bindings::default();
    for ancestor in path.iter().rev() {
        scope.declare(ancestor);
    }
    let inclusive: Vec<&str> = opts
        .inclusive_prefixes
        .iter()
        .map(|p| if p == "#default" { "" } else { p.as_str() })
        .collect();
    // One lifetime for everything the writer holds: the tree's strings and
    // the option's prefixes both outlive this call.
    let mut w: Writer<'_> = Writer {
        scope,
        rendered: Bindings::default(),
        exclude,
        with_comments: opts.with_comments,
        inclusive,
        wanted: Vec::new(),
        attrs: Vec::new(),
        out: String::new(),
    };
    w.out.reserve(4096);
    w.element(apex);
    Some(w.out)
}

/// Pushes the ancestors of `target` (innermost first, `target` excluded) onto
/// `path`; false when `target` is not under `root`.
fn path_to<'t, 'a>(
    root: &'t Element<'a>,
    target: &Element<'_>,
    path: &mut Vec<&'t Element<'a>>,
) -> bool {
    if std::ptr::eq(addr(root), addr(target)) {
        return true;
    }
    if root.elements().any(|child| path_to(child, target, path)) {
        path.push(root);
        return true;
    }
    false
}

/// Identity of an element, whatever the lifetimes of the references to it.
fn addr(e: &Element<'_>) -> *const () {
    (e as *const Element<'_>).cast()
}

struct Writer<'t> {
    /// Bindings in scope at the element being written.
    scope: Bindings<'t>,
    /// What the output ancestors rendered.
    rendered: Bindings<'t>,
    exclude: Option<&'t Element<'t>>,
    with_comments: bool,
    inclusive: Vec<&'t str>,
    /// Scratch lists for one start tag, reused from element to element (each
    /// is done with before the children are written): no allocation per element.
    wanted: Vec<&'t str>,
    attrs: Vec<&'t Attribute<'t>>,
    out: String,
}

impl<'t> Writer<'t> {
    fn element(&mut self, e: &'t Element<'t>) {
        let scope_mark = self.scope.stack.len();
        self.scope.declare(e);

        // Namespaces visibly utilized by this element: its own prefix (or the
        // default namespace when unprefixed) and its attributes' prefixes,
        // plus the InclusiveNamespaces ones that are in scope.
        let mut wanted = core::mem::take(&mut self.wanted);
        wanted.clear();
        wanted.push(e.prefix.unwrap_or(""));
        wanted.extend(e.attrs.iter().filter_map(|a| a.prefix));
        for p in &self.inclusive {
            if p.is_empty() || self.scope.get(p).is_some() {
                wanted.push(p);
            }
        }
        // The xml prefix is never rendered, even when the document declares
        // it (`xmlns:xml="http://www.w3.org/XML/1998/namespace"`, the only
        // value the reader lets it have) or the PrefixList names it: Canonical
        // XML 1.0 §2.3 (Element Nodes), which Exclusive C14N builds on, omits
        // "the namespace node with local name xml ... if its string value is
        // http://www.w3.org/XML/1998/namespace". Found by the differential
        // test against libxml2 (tests/c14n_differential.rs).
        wanted.retain(|p| *p != "xml");
        wanted.sort_unstable();
        wanted.dedup();

        // Each prefix is looked up once (deduplicated), so what this element
        // pushes never answers its own lookups.
        let rendered_mark = self.rendered.stack.len();
        for &prefix in &wanted {
            let uri = self.scope.get(prefix).unwrap_or("");
            let previous = self.rendered.get(prefix);
            let render = if prefix.is_empty() {
                // The default namespace: render it when it differs from what the
                // nearest output ancestor rendered (xmlns="" only to undo one).
                uri != previous.unwrap_or("")
            } else {
                previous != Some(uri) && !uri.is_empty()
            };
            if render {
                self.rendered.stack.push((prefix, uri));
            }
        }
        self.wanted = wanted;

        self.out.push('<');
        push_qname(&mut self.out, e.prefix, e.local);
        for &(prefix, uri) in self.rendered.stack.get(rendered_mark..).unwrap_or_default() {
            if prefix.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(prefix);
                self.out.push_str("=\"");
            }
            escape_attr(&mut self.out, uri);
            self.out.push('"');
        }
        // Attributes sorted by namespace URI (none first), then local name.
        fn key<'t>(a: &Attribute<'t>) -> (&'t str, &'t str) {
            (a.ns.unwrap_or(""), a.local)
        }
        let mut attrs = core::mem::take(&mut self.attrs);
        attrs.clear();
        attrs.extend(e.attrs.iter());
        if attrs.len() > 1 {
            attrs.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        }
        for &a in &attrs {
            self.out.push(' ');
            let prefix = if a.ns == Some(XML_NS) {
                Some("xml")
            } else {
                a.prefix
            };
            push_qname(&mut self.out, prefix, a.local);
            self.out.push_str("=\"");
            escape_attr(&mut self.out, &a.value);
            self.out.push('"');
        }
        self.attrs = attrs;
        self.out.push('>');
        for child in &e.children {
            match child {
                Node::Element(c) => {
                    if self.exclude.is_some_and(|x| std::ptr::eq(addr(x), addr(c))) {
                        continue;
                    }
                    self.element(c);
                }
                Node::Text(t) => escape_text(&mut self.out, t),
                Node::Comment(c) if self.with_comments => {
                    self.out.push_str("<!--");
                    self.out.push_str(c);
                    self.out.push_str("-->");
                }
                Node::Comment(_) => {}
                Node::ProcessingInstruction(target, data) => {
                    self.out.push_str("<?");
                    self.out.push_str(target);
                    if !data.is_empty() {
                        self.out.push(' ');
                        self.out.push_str(data);
                    }
                    self.out.push_str("?>");
                }
            }
        }
        self.out.push_str("</");
        push_qname(&mut self.out, e.prefix, e.local);
        self.out.push('>');
        self.rendered.stack.truncate(rendered_mark);
        self.scope.stack.truncate(scope_mark);
    }
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

/// Writes `s`, replacing each byte of `specials` by its entity (`entity`);
/// runs without one are copied whole (the common case is no escape at all).
#[inline(always)]
fn escape_with<const N: usize>(
    out: &mut String,
    s: &str,
    specials: [u8; N],
    entity: impl Fn(u8) -> &'static str,
) {
    let is_special = table(specials);
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = skip_plain(bytes, 0, specials);
    while let Some(&b) = bytes.get(i) {
        // A u8 always indexes a 256-entry table.
        #[allow(clippy::indexing_slicing)]
        if is_special[usize::from(b)] {
            // Only ASCII bytes are escaped, so `i` is always a char boundary.
            out.push_str(s.get(start..i).unwrap_or_default());
            out.push_str(entity(b));
            start = i + 1;
            i = skip_plain(bytes, i + 1, specials);
        } else {
            i += 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

/// A byte-indexed membership table for `specials` (built at compile time
/// for the constant sets below).
// `specials[k]` with k < N, and a u8 into 256 entries: in bounds (and a const
// fn cannot use `get` to say so).
#[allow(clippy::indexing_slicing)]
const fn table<const N: usize>(specials: [u8; N]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut k = 0;
    while k < N {
        t[specials[k] as usize] = true;
        k += 1;
    }
    t
}

/// From `i`, past every whole 16-byte block without a byte of `specials`:
/// with WebAssembly SIMD, one comparison per special byte per block. The
/// caller checks the bytes from the returned index one at a time.
#[inline(always)]
fn skip_plain<const N: usize>(bytes: &[u8], i: usize, specials: [u8; N]) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // The wasm32 tests run the scalar twin (the branch below) through
        // the same callers: saml/simd_twins.rs.
        #[cfg(test)]
        if crate::saml::simd_twins::scalar_twin() {
            return i;
        }
        let mut i = i;
        use core::arch::wasm32::{u8x16_eq, u8x16_splat, v128, v128_any_true, v128_or};
        // A closure: an intrinsic is a `#[target_feature]` fn, not an FnMut.
        #[allow(clippy::redundant_closure)]
        let splats = specials.map(|c| u8x16_splat(c));
        while let Some(block) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) {
            let v: v128 = bytemuck::cast(*block);
            let hit = splats
                .iter()
                .fold(u8x16_splat(0), |acc, &c| v128_or(acc, u8x16_eq(v, c)));
            if v128_any_true(hit) {
                break;
            }
            i += 16;
        }
        i
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let _ = (bytes, specials);
        i
    }
}

fn escape_text(out: &mut String, s: &str) {
    escape_with(out, s, [b'&', b'<', b'>', b'\r'], |b| match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        _ => "&#xD;",
    });
}

fn escape_attr(out: &mut String, s: &str) {
    escape_with(
        out,
        s,
        [b'&', b'<', b'"', b'\t', b'\n', b'\r'],
        |b| match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'"' => "&quot;",
            b'\t' => "&#x9;",
            b'\n' => "&#xA;",
            _ => "&#xD;",
        },
    );
}

#[cfg(all(test, target_arch = "wasm32", target_feature = "simd128"))]
#[path = "simd_twins/c14n.rs"]
mod simd_twins;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::saml::xml::parse;

    #[test]
    fn excluded_element_is_left_out_by_identity_only() {
        let doc = parse(
            r#"<r xmlns:ds="urn:ds"><a>1</a><ds:Signature><x/></ds:Signature><ds:Signature/></r>"#,
        )
        .unwrap();
        let sig = doc.root.elements().nth(1).unwrap();
        let out = canonicalize(&doc.root, &doc.root, Some(sig), &C14nOptions::default()).unwrap();
        // only that Signature is gone; its look-alike sibling stays
        assert_eq!(
            out,
            r#"<r><a>1</a><ds:Signature xmlns:ds="urn:ds"></ds:Signature></r>"#
        );
    }

    /// Canonical XML 1.0 §2.3: the xml prefix's namespace node is never
    /// rendered, whether declared in the document or named by the PrefixList.
    #[test]
    fn the_xml_namespace_declaration_is_never_rendered() {
        let doc = parse(
            r#"<r xmlns:xml="http://www.w3.org/XML/1998/namespace"><s xml:lang="fr" xmlns:xml="http://www.w3.org/XML/1998/namespace"/></r>"#,
        )
        .unwrap();
        let s = doc.root.elements().next().unwrap();
        for prefixes in [vec![], vec!["xml".to_owned()]] {
            let opts = C14nOptions {
                with_comments: false,
                inclusive_prefixes: &prefixes,
            };
            assert_eq!(
                canonicalize(&doc.root, &doc.root, None, &opts).unwrap(),
                r#"<r><s xml:lang="fr"></s></r>"#
            );
            assert_eq!(
                canonicalize(&doc.root, s, None, &opts).unwrap(),
                r#"<s xml:lang="fr"></s>"#
            );
        }
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
        assert_eq!(
            canonicalize(&doc.root, &doc.root, None, &C14nOptions::default()).unwrap(),
            "<r><n>user@example.com.evil</n></r>"
        );
        let with = C14nOptions {
            with_comments: true,
            inclusive_prefixes: &[],
        };
        assert_eq!(
            canonicalize(&doc.root, &doc.root, None, &with).unwrap(),
            "<r><n>user@example.com<!---->.evil</n></r>"
        );
    }
}
