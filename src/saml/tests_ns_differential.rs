//! The namespace resolution of [`super::xml`] against quick-xml's own
//! (`NsReader`, its latest release; the crate reads XML with 0.38's plain
//! `Reader` and resolves names itself) on generated documents.
//!
//! Each document is read by both, and the namespace URI and local name of
//! every element and every attribute (namespace declarations aside) must be
//! the same, in document order. Both must agree on refusing, where both
//! define it: a prefix not in scope (quick-xml's `ResolveResult::Unknown`),
//! `xml` bound to another URI, `xmlns` declared, another prefix bound to the
//! `xml` or `xmlns` URI, an attribute written twice.
//!
//! quick-xml is more lenient in five ways, each of which this reader refuses
//! on purpose (the generator makes each; they are counted apart):
//! - `xmlns:p=""`: Namespaces in XML 1.0 has no prefix undeclaration (1.1
//!   does); quick-xml takes it as one;
//! - `xmlns="http://www.w3.org/XML/1998/namespace"` (or the `xmlns` URI) as
//!   the default namespace: quick-xml checks only prefixed declarations;
//! - two attributes with one expanded name under two prefixes
//!   (`p:b` and `q:b`, both prefixes bound to one URI; Namespaces in XML
//!   §6.3): quick-xml compares attributes by qualified name;
//! - a namespace declaration whose value has a reference, tab or line end
//!   (`xmlns:p="urn:a&amp;b"`): quick-xml binds the raw text, not the
//!   attribute value (`urn:a&amp;b`, where the value is `urn:a&b`); this
//!   reader refuses the few documents where the two differ;
//! - an element named with the `xmlns` prefix (`<xmlns:A/>`; §3: element
//!   names must not have it): quick-xml resolves it to the `xmlns` URI.
//!
//! The seed changes from run to run and is printed; `EDGE_SSO_NS_SEED=<n>`
//! repeats a run, `EDGE_SSO_NS_DOCS=<n>` sets how many documents (10,000 by
//! default).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use crate::test_rng::Draw;
use std::collections::BTreeMap;

use quick_xml_latest::events::Event;
use quick_xml_latest::name::{PrefixDeclaration, ResolveResult};
use quick_xml_latest::NsReader;

use super::xml::{parse, Element, XML_NS};

const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// An element's or attribute's expanded name: namespace URI and local name.
type Name = (Option<String>, String);

/// Every element's name with its attributes' names, in document order.
type Names = Vec<(Name, Vec<Name>)>;

fn ours(doc: &str) -> Option<Names> {
    fn walk(e: &Element<'_>, out: &mut Names) {
        let attrs = e
            .attrs
            .iter()
            .map(|a| (a.ns.map(str::to_owned), a.local.to_owned()))
            .collect();
        out.push(((e.ns.map(str::to_owned), e.local.to_owned()), attrs));
        e.elements().for_each(|c| walk(c, out));
    }
    let d = parse(doc).ok()?;
    let mut out = Vec::new();
    walk(&d.root, &mut out);
    Some(out)
}

/// What quick-xml made of a document.
enum Theirs {
    Names(Names),
    /// An error, or a prefix it could not resolve.
    Refused(String),
}

/// The leniencies of quick-xml's that this reader refuses (the module
/// documentation), as found in one document.
const UNDECLARED_PREFIX: &str = "xmlns:p=\"\" (a prefix undeclared)";
const RESERVED_DEFAULT: &str = "the xml or xmlns URI as the default namespace";
const SAME_EXPANDED_NAME: &str = "two attributes with one expanded name";
const RAW_DECLARATION: &str = "a declaration with a reference, tab or line end";
const XMLNS_ELEMENT: &str = "an element with the xmlns prefix";

fn theirs(doc: &str, lenient: &mut Vec<&'static str>) -> Theirs {
    let mut r = NsReader::from_str(doc);
    r.config_mut().expand_empty_elements = true;
    let mut names = Vec::new();
    loop {
        let (resolved, event) = match r.read_resolved_event() {
            Ok((res, ev)) => (owned(res), ev),
            Err(e) => return Theirs::Refused(e.to_string()),
        };
        match event {
            Event::Start(e) => {
                if e.name().prefix().is_some_and(|p| p.as_ref() == "xmlns") {
                    lenient.push(XMLNS_ELEMENT);
                }
                let ns = match resolved {
                    Ok(ns) => ns,
                    Err(p) => return Theirs::Refused(format!("unknown prefix {p}")),
                };
                let mut attrs: Vec<Name> = Vec::new();
                for a in e.attributes() {
                    let a = match a {
                        Ok(a) => a,
                        Err(e) => return Theirs::Refused(e.to_string()),
                    };
                    let raw = a.value.to_string();
                    if let Some(decl) = a.key.as_namespace_binding() {
                        if raw.contains(['&', '\t', '\n', '\r']) {
                            lenient.push(RAW_DECLARATION);
                        }
                        match decl {
                            PrefixDeclaration::Named(_) if raw.is_empty() => {
                                lenient.push(UNDECLARED_PREFIX)
                            }
                            PrefixDeclaration::Default if raw == XML_NS || raw == XMLNS_NS => {
                                lenient.push(RESERVED_DEFAULT)
                            }
                            _ => {}
                        }
                        continue;
                    }
                    let (res, local) = r.resolver().resolve_attribute(a.key);
                    let ns = match owned(res) {
                        Ok(ns) => ns,
                        Err(p) => return Theirs::Refused(format!("unknown prefix {p}")),
                    };
                    let name = (ns, local.as_ref().to_owned());
                    if attrs.contains(&name) {
                        lenient.push(SAME_EXPANDED_NAME);
                    }
                    attrs.push(name);
                }
                names.push(((ns, e.local_name().as_ref().to_owned()), attrs));
            }
            Event::Eof => return Theirs::Names(names),
            _ => {}
        }
    }
}

/// A resolved namespace, owned: `Err` with the prefix when unknown.
fn owned(res: ResolveResult<'_>) -> Result<Option<String>, String> {
    match res {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(p),
    }
}

struct Gen<R> {
    rng: R,
}

impl<R: FnMut() -> u64> Gen<R> {
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.rng.one_in(n)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// A namespace URI: mostly ordinary ones, some that must be refused.
    fn uri(&mut self) -> &'static str {
        if self.one_in(25) {
            return self.pick(&[
                "",
                XML_NS,
                XMLNS_NS,
                "urn:a&amp;b",
                "urn:a&#x9;b",
                "urn:a\tb",
                "urn:a\nb",
                "urn:%61",
            ]);
        }
        self.pick(&[
            "urn:a",
            "urn:b",
            "urn:x:y",
            "http://e.example/ns",
            "urn:oasis:names:tc:SAML:2.0:assertion",
            "http://www.w3.org/2000/09/xmldsig#",
        ])
    }

    fn prefix(&mut self) -> &'static str {
        if self.one_in(80) {
            return self.pick(&["xml", "xmlns"]);
        }
        self.pick(&["a", "b", "p", "saml", "ds"])
    }

    /// A prefix for a name: mostly one in `scope`, sometimes any.
    fn prefix_in(&mut self, scope: &[&'static str]) -> Option<&'static str> {
        if scope.is_empty() || self.one_in(30) {
            self.one_in(8).then(|| self.prefix())
        } else {
            Some(self.pick(scope))
        }
    }

    /// Writes an element; `scope` holds the prefixes its ancestors declared.
    fn element(&mut self, depth: usize, scope: &mut Vec<&'static str>, out: &mut String) {
        let mut tag = String::new();
        let mut attrs = Vec::new();
        let in_scope = scope.len();
        if self.one_in(3) {
            let uri = if self.one_in(5) { "" } else { self.uri() };
            attrs.push(format!("xmlns=\"{uri}\""));
        }
        for _ in 0..self.below(3) {
            let p = self.prefix();
            attrs.push(format!("xmlns:{p}=\"{}\"", self.uri()));
            scope.push(p);
        }
        // The name: unprefixed, or with a prefix that may or may not be in scope.
        let name_prefix = if self.one_in(2) {
            None
        } else if self.one_in(12) {
            Some(self.pick(&["xml", "xml", "xmlns"]))
        } else {
            self.prefix_in(scope)
        };
        let local = self.pick(&["A", "B", "Response", "x"]);
        match name_prefix {
            Some(p) => tag.push_str(&format!("{p}:{local}")),
            None => tag.push_str(local),
        }
        out.push('<');
        out.push_str(&tag);
        for _ in 0..self.below(4) {
            let local = self.pick(&["id", "b", "x", "ID", "Version", "y"]);
            let name = match (self.below(5), self.prefix_in(scope)) {
                (0 | 1, _) | (2 | 3, None) => local.to_owned(),
                (2 | 3, Some(p)) => format!("{p}:{local}"),
                _ => format!("xml:{}", self.pick(&["lang", "space", "id"])),
            };
            attrs.push(format!("{name}=\"v\""));
        }
        if self.one_in(40) {
            // One expanded name under two prefixes.
            attrs.extend(
                [
                    "xmlns:q1=\"urn:q\"",
                    "xmlns:q2=\"urn:q\"",
                    "q1:d=\"1\"",
                    "q2:d=\"2\"",
                ]
                .map(str::to_owned),
            );
        }
        // Declarations and attributes in any order (declarations apply to the
        // element's own names wherever they are written).
        for i in (1..attrs.len()).rev() {
            attrs.swap(i, self.below(i + 1));
        }
        for a in &attrs {
            out.push(' ');
            out.push_str(a);
        }
        let children = if depth < 5 { self.below(4) } else { 0 };
        if children == 0 && self.one_in(2) {
            out.push_str("/>");
        } else {
            out.push('>');
            for _ in 0..children {
                if self.one_in(4) {
                    out.push_str("text");
                }
                self.element(depth + 1, scope, out);
            }
            out.push_str("</");
            out.push_str(&tag);
            out.push('>');
        }
        scope.truncate(in_scope);
    }
}

#[test]
fn namespaces_resolve_as_quick_xml_s_ns_reader_resolves_them() {
    let seed = crate::test_rng::seed("EDGE_SSO_NS_SEED");
    let docs = crate::test_rng::env_number("EDGE_SSO_NS_DOCS").unwrap_or(10_000);
    println!("namespace differential: seed {seed} (EDGE_SSO_NS_SEED={seed} repeats it), {docs} documents");
    let mut gen = Gen {
        rng: crate::test_rng::xorshift64(seed),
    };
    let (mut both, mut neither, mut elements, mut attributes) = (0, 0, 0, 0);
    let mut lenient_only: BTreeMap<&str, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for _ in 0..docs {
        let mut doc = String::new();
        gen.element(0, &mut Vec::new(), &mut doc);
        let mut lenient = Vec::new();
        let quick = theirs(&doc, &mut lenient);
        match (ours(&doc), quick) {
            (Some(a), Theirs::Names(b)) if lenient.is_empty() => {
                if a == b {
                    both += 1;
                    elements += a.len();
                    attributes += a.iter().map(|(_, at)| at.len()).sum::<usize>();
                } else {
                    wrong.push(format!("{doc}\n  ours:     {a:?}\n  quick-xml: {b:?}"));
                }
            }
            (None, Theirs::Names(_)) if !lenient.is_empty() => {
                *lenient_only.entry(lenient[0]).or_default() += 1;
            }
            (None, Theirs::Refused(_)) => neither += 1,
            (Some(_), Theirs::Refused(why)) => {
                wrong.push(format!("{doc}\n  ours accepts, quick-xml refuses: {why}"))
            }
            (Some(_), Theirs::Names(_)) => wrong.push(format!(
                "{doc}\n  ours accepts what it should refuse: {lenient:?}"
            )),
            (None, Theirs::Names(_)) => {
                let code = parse(&doc).unwrap_err().code();
                wrong.push(format!("{doc}\n  ours refuses ({code}), quick-xml accepts"))
            }
        }
    }
    println!(
        "namespace differential: {both} documents resolved alike by both ({elements} elements, \
         {attributes} attributes), {neither} refused by both; refused by edge-sso only, where \
         quick-xml is lenient:"
    );
    for (why, n) in &lenient_only {
        println!("  {n:>6}  {why}");
    }
    assert!(
        wrong.is_empty(),
        "seed {seed}: {} disagreements, the first ones:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(8)].join("\n")
    );
    if docs >= 5_000 {
        assert!(both > docs as usize / 5 && neither > docs as usize / 10);
        assert_eq!(lenient_only.len(), 5, "each leniency is exercised");
    }
}
