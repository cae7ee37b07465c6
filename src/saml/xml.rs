//! The one XML reader of edge-sso: quick-xml's namespace-aware reader feeding
//! a small owned tree.
//!
//! Everything SAML reads (messages, metadata, later signatures) comes from
//! this tree, so there is exactly one parser and no parser differential.
//! Rules: DOCTYPE refused (no entities of any kind); size, depth, attribute and
//! node counts bounded; names matched by namespace URI + local name, never by
//! prefix; line ends normalised and references decoded exactly once, as
//! XML 1.0 §2.11 and §3.3.3 say; exactly one root element; UTF-8 only.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Result, XmlError};

/// Limits applied while reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most attributes (namespace declarations included) on one element.
    pub max_attributes: usize,
    /// Most nodes (elements, text, comments) in the document.
    pub max_nodes: usize,
    /// Most namespace declarations in the whole document (canonicalization
    /// cost grows with them; real SAML documents have a handful).
    pub max_namespace_declarations: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_depth: 48,
            max_attributes: 64,
            max_nodes: 40_000,
            max_namespace_declarations: 256,
        }
    }
}

/// The `xml:` namespace, bound to the `xml` prefix without a declaration.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations themselves; nothing may bind it.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// An attribute (namespace declarations are kept apart, in [`Element::ns_decls`]).
///
/// Names and namespace URIs are slices of the input; a value is too unless
/// decoding changed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Namespace URI; `None` for unprefixed attributes (they are in no namespace).
    pub ns: Option<&'a str>,
    /// The prefix as written.
    pub prefix: Option<&'a str>,
    /// Local name.
    pub local: &'a str,
    /// Normalised, decoded value.
    pub value: Cow<'a, str>,
}

/// A node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node<'a> {
    /// An element.
    Element(Element<'a>),
    /// Character data (CDATA sections included), decoded and normalised.
    Text(Cow<'a, str>),
    /// A comment.
    Comment(Cow<'a, str>),
    /// A processing instruction: target and data.
    ProcessingInstruction(&'a str, Cow<'a, str>),
}

/// An element with its resolved name, namespace declarations, attributes and
/// children. It borrows from the input it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    /// Namespace URI of the element (`None` when in no namespace).
    pub ns: Option<&'a str>,
    /// The prefix as written.
    pub prefix: Option<&'a str>,
    /// Local name.
    pub local: &'a str,
    /// Namespace declarations on this element: (prefix, URI); prefix `None` is
    /// the default namespace (`xmlns="..."`, an empty URI undeclares it).
    pub ns_decls: Vec<(Option<&'a str>, &'a str)>,
    /// Attributes other than namespace declarations, in document order.
    pub attrs: Vec<Attribute<'a>>,
    /// Children in document order.
    pub children: Vec<Node<'a>>,
    /// Whether a CDATA section is among the children. Its text is in
    /// [`Node::Text`] like any other (that is what it means), so this is the
    /// one trace of it, for values that must be plain text (XML-DSig's
    /// `SignatureValue` and `DigestValue`).
    pub has_cdata: bool,
}

impl<'a> Element<'a> {
    /// Whether this element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns == Some(ns)
    }

    /// The value of an unprefixed attribute.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_ref())
    }

    /// The value of a namespaced attribute.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == Some(ns) && a.local == local)
            .map(|a| a.value.as_ref())
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element<'a>> + '_ {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// Child elements named `{ns}local`.
    pub fn children_named<'s, 'n>(
        &'s self,
        ns: &'n str,
        local: &'n str,
    ) -> impl Iterator<Item = &'s Element<'a>> + use<'s, 'n, 'a> {
        self.children.iter().filter_map(move |n| match n {
            Node::Element(e) if e.is(ns, local) => Some(e),
            _ => None,
        })
    }

    /// The first child element named `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element<'a>> {
        self.children_named(ns, local).next()
    }

    /// The only child element named `{ns}local`: `Ok(None)` when absent, an
    /// error when there are several (a second one is how wrapping attacks start).
    pub fn unique_child(&self, ns: &str, local: &str) -> Result<Option<&Element<'a>>> {
        let mut it = self.children_named(ns, local);
        let first = it.next();
        if it.next().is_some() {
            return Err(XmlError::DuplicateElement.into());
        }
        Ok(first)
    }

    /// [`text`](Self::text) of an element whose schema type is a string:
    /// refused when it holds a child element, whose text `text` would
    /// silently leave out (`<NameID>a<x>b</x></NameID>` is not `a`).
    ///
    /// ```
    /// use edge_sso::saml::xml::parse;
    /// let doc = parse(r#"<a xmlns="urn:x"><b>1<!-- c -->2</b><c>1<d/></c></a>"#).unwrap();
    /// assert_eq!(doc.root.child("urn:x", "b").unwrap().simple_text().unwrap(), "12");
    /// let err = doc.root.child("urn:x", "c").unwrap().simple_text().unwrap_err();
    /// assert_eq!(err.code(), "xml.not_simple_content");
    /// ```
    pub fn simple_text(&self) -> Result<Cow<'_, str>> {
        if self.elements().next().is_some() {
            return Err(XmlError::NotSimpleContent.into());
        }
        Ok(self.text())
    }

    /// All text children joined, ignoring comments and processing
    /// instructions, so `a<!---->b` reads as `ab` and a comment can never
    /// truncate a value (CVE-2017-11427 class). Text inside child elements is
    /// not included. Borrowed when there is one text child (the usual case).
    pub fn text(&self) -> Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_ref()),
            _ => None,
        });
        let Some(first) = texts.next() else {
            return Cow::Borrowed("");
        };
        let mut rest = texts.peekable();
        if rest.peek().is_none() {
            return Cow::Borrowed(first);
        }
        let mut out = first.to_owned();
        rest.for_each(|t| out.push_str(t));
        Cow::Owned(out)
    }
}

/// A parsed document: its one root element, borrowing from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document<'a> {
    /// The root element.
    pub root: Element<'a>,
}

/// Parses `input` with the default [`Limits`].
///
/// ```
/// use edge_sso::saml::xml::parse;
/// let doc = parse(r#"<a xmlns="urn:x"><b>1 &amp;<!-- c --> 2</b></a>"#).unwrap();
/// assert!(doc.root.is("urn:x", "a"));
/// assert_eq!(doc.root.child("urn:x", "b").unwrap().text(), "1 & 2");
/// assert_eq!(parse("<!DOCTYPE a><a/>").unwrap_err().code(), "xml.doctype_refused");
/// ```
pub fn parse(input: &str) -> Result<Document<'_>> {
    parse_with(input, Limits::default())
}

/// `part` as a slice of `input` with `input`'s lifetime, when it lies inside
/// it (what quick-xml hands out for a borrowed input does); `None` for bytes
/// it had to copy. Pointer arithmetic on addresses only, so no `unsafe`.
fn within<'i>(input: &'i str, part: &[u8]) -> Option<&'i str> {
    let offset = (part.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
    input.get(offset..offset.checked_add(part.len())?)
}

/// `part` borrowed from `input` when it lies inside it, else copied.
fn cow_of<'i>(input: &'i str, part: Cow<'_, str>) -> Cow<'i, str> {
    match within(input, part.as_bytes()) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(part.into_owned()),
    }
}

/// Namespace bindings in scope while reading: (prefix, URI), innermost last;
/// prefix `None` is the default namespace.
struct Scope<'i> {
    bindings: Vec<(Option<&'i str>, &'i str)>,
    /// How many bindings each open element pushed.
    pushed: Vec<usize>,
}

impl<'i> Scope<'i> {
    fn resolve(&self, prefix: Option<&str>) -> Result<Option<&'i str>> {
        if prefix == Some("xml") {
            return Ok(Some(XML_NS));
        }
        match self.bindings.iter().rev().find(|(p, _)| *p == prefix) {
            Some((_, "")) | None if prefix.is_none() => Ok(None), // no default namespace (or undeclared)
            Some((_, uri)) => Ok(Some(uri)),
            None => Err(XmlError::UnboundPrefix.into()),
        }
    }
}

/// Parses `input` with explicit limits.
pub fn parse_with(input: &str, limits: Limits) -> Result<Document<'_>> {
    if input.len() > limits.max_bytes {
        return Err(XmlError::TooLarge.into());
    }
    let mut reader = Reader::from_str(input);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = true;
    config.check_end_names = true;
    config.check_comments = true;

    let mut stack: Vec<Element<'_>> = Vec::with_capacity(16);
    let mut scope = Scope {
        bindings: Vec::new(),
        pushed: Vec::new(),
    };
    let mut root: Option<Element<'_>> = None;
    let mut nodes = 0usize;
    let mut ns_decls = 0usize;
    let mut seen_decl = false;
    let mut seen_anything = false;

    loop {
        let event = reader.read_event().map_err(|_| XmlError::Malformed)?;
        match event {
            Event::Decl(decl) => {
                if seen_decl || seen_anything {
                    return Err(XmlError::Malformed.into());
                }
                seen_decl = true;
                if decl.version().map_err(|_| XmlError::Malformed)?.as_ref() != b"1.0" {
                    return Err(XmlError::Malformed.into());
                }
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|_| XmlError::Malformed)?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(XmlError::EncodingUnsupported.into());
                    }
                }
                continue;
            }
            Event::DocType(_) => return Err(XmlError::DoctypeRefused.into()),
            Event::Eof => break,
            _ => {}
        }
        seen_anything = true;
        if !matches!(event, Event::End(_)) {
            nodes += 1;
            if nodes > limits.max_nodes {
                return Err(XmlError::TooManyNodes.into());
            }
        }
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(XmlError::Malformed.into()); // a second root element
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep.into());
                }
                let el = element(input, &start, &mut scope, limits)?;
                ns_decls += el.ns_decls.len();
                if ns_decls > limits.max_namespace_declarations {
                    return Err(XmlError::TooManyAttributes.into());
                }
                stack.push(el);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or(XmlError::Malformed)?;
                let pushed = scope.pushed.pop().unwrap_or(0);
                scope
                    .bindings
                    .truncate(scope.bindings.len().saturating_sub(pushed));
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(done)),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let raw = t.xml10_content().map_err(|_| XmlError::Malformed)?;
                if raw.contains("]]>") {
                    return Err(XmlError::Malformed.into()); // XML 1.0 §2.4
                }
                push_text(&mut stack, cow_of(input, raw))?;
            }
            Event::CData(c) => {
                let raw = c.xml10_content().map_err(|_| XmlError::Malformed)?;
                let Some(parent) = stack.last_mut() else {
                    return Err(XmlError::Malformed.into());
                };
                parent.has_cdata = true;
                push_text(&mut stack, cow_of(input, raw))?;
            }
            Event::GeneralRef(r) => {
                // Outside the root only `Misc` (comments, PIs, literal white
                // space) may appear, and it has no references: `&#32;` there
                // is refused even though it decodes to a space.
                if stack.is_empty() {
                    return Err(XmlError::Malformed.into());
                }
                let ch = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .ok()
                        .flatten()
                        .ok_or(XmlError::Malformed)?
                } else {
                    let name = r.decode().map_err(|_| XmlError::Malformed)?;
                    predefined_entity(&name).ok_or(XmlError::UndefinedEntity)?
                };
                if !is_xml_char(ch) {
                    return Err(XmlError::Malformed.into());
                }
                let mut buf = [0u8; 4];
                push_text(&mut stack, Cow::Owned(ch.encode_utf8(&mut buf).to_owned()))?;
            }
            Event::Comment(c) => {
                let text = c.xml10_content().map_err(|_| XmlError::Malformed)?;
                if !all_xml_chars(&text) {
                    return Err(XmlError::Malformed.into());
                }
                let text = cow_of(input, text);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Comment(text));
                }
            }
            Event::PI(pi) => {
                let target = within(input, pi.target()).ok_or(XmlError::Malformed)?;
                if target.eq_ignore_ascii_case("xml") {
                    return Err(XmlError::Malformed.into());
                }
                let data = core::str::from_utf8(pi.content()).map_err(|_| XmlError::Malformed)?;
                if !is_ncname(target) || !all_xml_chars(data) {
                    return Err(XmlError::Malformed.into());
                }
                // The white space after the target separates it from the data
                // (XML 1.0 §2.6) and is not part of it: only XML white space
                // is skipped, so data starting with U+00A0 keeps it. Line ends
                // are normalised as in every other node (§2.11): libxml2 does
                // the same to the whole input before parsing, so a PI from a
                // CRLF document canonicalizes with LF.
                let data = cow_of(input, xml10_eols(xml_trim_start(data)));
                if let Some(parent) = stack.last_mut() {
                    parent
                        .children
                        .push(Node::ProcessingInstruction(target, data));
                }
            }
            Event::Empty(_) | Event::Decl(_) | Event::DocType(_) | Event::Eof => {
                return Err(XmlError::Malformed.into()); // Empty is expanded; the others were handled above
            }
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed.into());
    }
    root.map(|root| Document { root })
        .ok_or(XmlError::Malformed.into())
}

/// `s` with each CR LF pair and each lone CR made one LF (XML 1.0 §2.11);
/// borrowed when there is no CR.
fn xml10_eols(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

fn push_text<'i>(stack: &mut [Element<'i>], text: Cow<'i, str>) -> Result<()> {
    if !all_xml_chars(&text) {
        return Err(XmlError::Malformed.into());
    }
    match stack.last_mut() {
        Some(parent) => {
            if let Some(Node::Text(prev)) = parent.children.last_mut() {
                prev.to_mut().push_str(&text);
            } else {
                parent.children.push(Node::Text(text));
            }
            Ok(())
        }
        // Outside the root only whitespace may appear.
        None if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => Ok(()),
        None => Err(XmlError::Malformed.into()),
    }
}

/// Reads a start tag: its namespace declarations first (they are in scope for
/// the element's own name and attributes), then the names, resolved.
fn element<'i>(
    input: &'i str,
    start: &BytesStart<'_>,
    scope: &mut Scope<'i>,
    limits: Limits,
) -> Result<Element<'i>> {
    let name = start.name();
    let qname = within(input, name.as_ref()).ok_or(XmlError::Malformed)?;
    let (prefix, local) = split_qname(qname)?;
    check_attribute_separation(start.attributes_raw())?;

    // Attributes as written (namespaces resolved below, once every
    // declaration on this element is in scope); declarations go to the scope.
    let mut attrs: Vec<Attribute<'i>> = Vec::new();
    let mut ns_decls: Vec<(Option<&'i str>, &'i str)> = Vec::new();
    let mut count = 0usize;
    // quick-xml's own duplicate check is off: it compares qualified names
    // (and keeps a list per element to do it), while the check below compares
    // expanded names, which also catches every repeated qualified name.
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|_| XmlError::Malformed)?;
        count += 1;
        if count > limits.max_attributes {
            return Err(XmlError::TooManyAttributes.into());
        }
        let key = within(input, attr.key.as_ref()).ok_or(XmlError::Malformed)?;
        let raw = within(input, &attr.value).ok_or(XmlError::Malformed)?;
        let value = attribute_value(raw)?;
        let (a_prefix, a_local) = split_qname(key)?;
        let decl = match (a_prefix, a_local) {
            (None, "xmlns") => Some(None),
            (Some("xmlns"), p) => Some(Some(p)),
            _ => None,
        };
        match decl {
            Some(declared) => {
                // One namespace name: refuse values where raw and decoded differ.
                if raw
                    .bytes()
                    .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
                {
                    return Err(XmlError::Malformed.into());
                }
                check_declaration(declared, raw)?;
                if ns_decls.iter().any(|(p, _)| *p == declared) {
                    return Err(XmlError::Malformed.into()); // the same prefix declared twice
                }
                ns_decls.push((declared, raw));
            }
            None => attrs.push(Attribute {
                ns: None,
                prefix: a_prefix,
                local: a_local,
                value,
            }),
        }
    }
    scope.bindings.extend(ns_decls.iter().copied());
    scope.pushed.push(ns_decls.len());

    let ns = scope.resolve(prefix)?;
    for i in 0..attrs.len() {
        let Some((done, rest)) = attrs.split_at_mut_checked(i) else {
            break;
        };
        let Some(a) = rest.first_mut() else { break };
        // An unprefixed attribute is in no namespace (the default does not apply).
        if a.prefix.is_some() {
            a.ns = scope.resolve(a.prefix)?;
        }
        // Namespaces in XML §6.3: no two attributes with the same expanded name.
        if done.iter().any(|d| d.ns == a.ns && d.local == a.local) {
            return Err(XmlError::Malformed.into());
        }
    }
    Ok(Element {
        ns,
        prefix,
        local,
        ns_decls,
        attrs,
        children: Vec::new(),
        has_cdata: false,
    })
}

/// `prefix:local` or `local`, each an NCName.
fn split_qname(qname: &str) -> Result<(Option<&str>, &str)> {
    // ASCII names (all of SAML's) in one pass over the bytes.
    let bytes = qname.as_bytes();
    if bytes.is_ascii() {
        let start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
        let mut colon = None;
        let mut name_start = true;
        for (i, &b) in bytes.iter().enumerate() {
            let ok = if name_start {
                start(b)
            } else if b == b':' && colon.is_none() {
                colon = Some(i);
                name_start = true;
                continue;
            } else {
                start(b) || b.is_ascii_digit() || matches!(b, b'-' | b'.')
            };
            if !ok {
                return Err(XmlError::Malformed.into());
            }
            name_start = false;
        }
        if name_start {
            return Err(XmlError::Malformed.into()); // empty, or ends with ':'
        }
        return Ok(match colon {
            Some(i) => (
                qname.get(..i),
                qname.get(i + 1..).ok_or(XmlError::Malformed)?,
            ),
            None => (None, qname),
        });
    }
    split_qname_chars(qname)
}

/// [`split_qname`] for any name, a character at a time.
fn split_qname_chars(qname: &str) -> Result<(Option<&str>, &str)> {
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    };
    if !is_ncname(local) || prefix.is_some_and(|p| !is_ncname(p)) {
        return Err(XmlError::Malformed.into());
    }
    Ok((prefix, local))
}

/// Namespaces in XML 1.0 §3: a prefix is never undeclared (`xmlns:p=""`);
/// `xml` is bound only to its own URI and nothing else is; `xmlns` is never
/// declared and its URI never bound.
fn check_declaration(prefix: Option<&str>, uri: &str) -> Result<()> {
    let ok = match prefix {
        Some("xml") => uri == XML_NS,
        Some("xmlns") => false,
        Some(_) => !uri.is_empty() && uri != XML_NS && uri != XMLNS_NS,
        None => uri != XML_NS && uri != XMLNS_NS,
    };
    if ok {
        Ok(())
    } else {
        Err(XmlError::Malformed.into())
    }
}

/// XML 1.0 §3.1: attributes are separated by whitespace (`a="1"b="2"` is not XML).
fn check_attribute_separation(raw: &[u8]) -> Result<()> {
    let mut quote: Option<u8> = None;
    let mut just_closed = false;
    for &b in raw {
        match quote {
            Some(q) if b == q => {
                quote = None;
                just_closed = true;
                continue;
            }
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if just_closed && !is_xml_space(char::from(b)) && b != b'/' => {
                return Err(XmlError::Malformed.into())
            }
            None => {}
        }
        just_closed = false;
    }
    Ok(())
}

/// XML Namespaces `NCName` (an XML 1.0 5th edition `Name` without `:`).
fn is_ncname(s: &str) -> bool {
    // ASCII names (all of SAML's) without decoding characters.
    if s.is_ascii() {
        let mut bytes = s.bytes();
        return bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    }
    let start = |c: char| {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
            | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
            | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    };
    let mut chars = s.chars();
    chars.next().is_some_and(start)
        && chars.all(|c| {
            start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

/// XML 1.0 §3.3.3 for CDATA attributes: line ends and whitespace characters
/// written literally become spaces; references are decoded once (so `&#10;`
/// stays a newline). `<` may not appear literally. Borrowed when nothing
/// needed changing (the usual case).
fn attribute_value(raw: &str) -> Result<Cow<'_, str>> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'\r' | b'\n' | b'\t' | b'&' | b'<'))
    {
        return if all_xml_chars(raw) {
            Ok(Cow::Borrowed(raw))
        } else {
            Err(XmlError::Malformed.into())
        };
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\r' => {
                if matches!(chars.peek(), Some((_, '\n'))) {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            '<' => return Err(XmlError::Malformed.into()),
            '&' => {
                let rest = raw.get(i + 1..).ok_or(XmlError::Malformed)?;
                let end = rest.find(';').ok_or(XmlError::Malformed)?;
                let name = rest.get(..end).ok_or(XmlError::Malformed)?;
                let ch = decode_reference(name)?;
                out.push(ch);
                for _ in 0..=end {
                    chars.next();
                }
            }
            c if is_xml_char(c) => out.push(c),
            _ => return Err(XmlError::Malformed.into()),
        }
    }
    Ok(Cow::Owned(out))
}

fn decode_reference(name: &str) -> Result<char> {
    // Digits only: Rust's integer parsers would also take a leading `+`.
    let ch = if let Some(hex) = name.strip_prefix("#x") {
        let ok = !hex.is_empty() && hex.len() <= 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| u32::from_str_radix(hex, 16).ok())
            .flatten()
            .and_then(char::from_u32)
    } else if let Some(dec) = name.strip_prefix('#') {
        let ok = !dec.is_empty() && dec.len() <= 7 && dec.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| dec.parse::<u32>().ok())
            .flatten()
            .and_then(char::from_u32)
    } else {
        return predefined_entity(name).ok_or(XmlError::UndefinedEntity.into());
    };
    ch.filter(|c| is_xml_char(*c))
        .ok_or(XmlError::Malformed.into())
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Whether every character of `s` is an XML 1.0 `Char`: ASCII is checked a
/// byte at a time, and characters are decoded only from the first non-ASCII
/// byte on.
fn all_xml_chars(s: &str) -> bool {
    let bytes = s.as_bytes();
    let from = plain_ascii_prefix(bytes);
    // The prefix never passes the end; were it to, refuse rather than pass.
    let Some(rest) = bytes.get(from..) else {
        return false;
    };
    match rest
        .iter()
        .position(|&b| b >= 0x80 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))
    {
        None => true,
        Some(i) => s
            .get(from + i..)
            .is_some_and(|rest| rest.chars().all(is_xml_char)),
    }
}

/// How many leading 16-byte blocks of `bytes` hold only printable ASCII,
/// TAB, LF and CR (in bytes): with WebAssembly SIMD, a few comparisons per
/// block; elsewhere 0, and the caller checks byte by byte.
fn plain_ascii_prefix(bytes: &[u8]) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // The wasm32 tests run the scalar twin (the branch below) through
        // the same callers: saml/simd_twins.rs.
        #[cfg(test)]
        if crate::saml::simd_twins::scalar_twin() {
            return 0;
        }
        use core::arch::wasm32::{
            i8x16_lt, u8x16_eq, u8x16_lt, u8x16_splat, v128, v128_andnot, v128_any_true, v128_or,
        };
        let mut i = 0;
        while let Some(block) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) {
            let v: v128 = bytemuck::cast(*block);
            let control = u8x16_lt(v, u8x16_splat(0x20));
            let allowed = v128_or(
                u8x16_eq(v, u8x16_splat(b'\t')),
                v128_or(
                    u8x16_eq(v, u8x16_splat(b'\n')),
                    u8x16_eq(v, u8x16_splat(b'\r')),
                ),
            );
            // Signed, bytes from 0x80 are negative: everything not ASCII.
            let high = i8x16_lt(v, u8x16_splat(0));
            if v128_any_true(v128_or(v128_andnot(control, allowed), high)) {
                break;
            }
            i += 16;
        }
        i
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let _ = bytes;
        0
    }
}

/// XML 1.0 `Char`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// XML whitespace (XML 1.0 §2.3 `S`): `#x20 | #x9 | #xD | #xA` and nothing
/// else. Not Unicode `White_Space`: U+00A0, U+2000–U+200A, U+3000, U+0085
/// and the like are ordinary characters in XML, so a value ending in one is
/// another value.
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `s` without leading and trailing XML whitespace ([`is_xml_space`]). What
/// every value read from SAML XML is trimmed with; `str::trim` would also
/// remove Unicode whitespace, so `admin` + U+00A0 would read as `admin`.
///
/// ```
/// use edge_sso::saml::xml::xml_trim;
/// assert_eq!(xml_trim(" \t\r\n admin \n"), "admin");
/// assert_eq!(xml_trim("admin\u{a0}"), "admin\u{a0}");
/// assert_eq!(xml_trim("\u{3000}x\u{2003}"), "\u{3000}x\u{2003}");
/// ```
pub fn xml_trim(s: &str) -> &str {
    s.trim_matches(is_xml_space)
}

/// `s` without leading XML whitespace.
pub fn xml_trim_start(s: &str) -> &str {
    s.trim_start_matches(is_xml_space)
}

/// The non-empty runs of `s` between XML whitespace (an XML list type's
/// tokens, e.g. `PrefixList`, `protocolSupportEnumeration`).
///
/// ```
/// use edge_sso::saml::xml::xml_split;
/// assert_eq!(xml_split(" a\tb\r\nc ").collect::<Vec<_>>(), ["a", "b", "c"]);
/// assert_eq!(xml_split("a\u{a0}b").collect::<Vec<_>>(), ["a\u{a0}b"]);
/// ```
pub fn xml_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_xml_space).filter(|t| !t.is_empty())
}

#[cfg(all(test, target_arch = "wasm32", target_feature = "simd128"))]
#[path = "simd_twins/xml.rs"]
mod simd_twins;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn code(input: &str) -> &'static str {
        parse(input).unwrap_err().code()
    }

    #[test]
    fn xml_whitespace_is_four_characters_only() {
        for c in [' ', '\t', '\r', '\n'] {
            assert!(is_xml_space(c));
            assert_eq!(xml_trim(&format!("{c}v{c}{c}")), "v");
            assert_eq!(xml_trim_start(&format!("{c}v{c}")), format!("v{c}"));
        }
        // Unicode White_Space that XML does not count as whitespace, and
        // others str::trim would remove (U+000B, U+000C are not even XML Chars).
        let unicode: Vec<char> = [
            0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xB, 0xC,
        ]
        .into_iter()
        .chain(0x2000..=0x200A)
        .map(|u| char::from_u32(u).unwrap())
        .collect();
        for c in unicode {
            assert!(c.is_whitespace(), "{:04X}", c as u32);
            assert!(!is_xml_space(c), "{:04X}", c as u32);
            let v = format!("{c}admin{c}");
            assert_eq!(xml_trim(&v), v, "{:04X}", c as u32);
            assert_eq!(xml_trim(&format!(" {v}\n")), v);
            assert_eq!(xml_trim_start(&v), v);
            assert_eq!(xml_split(&format!("a{c}b")).count(), 1);
        }
        assert_eq!(xml_trim("admin\u{a0}"), "admin\u{a0}");
        assert_ne!(xml_trim("https://idp.example\u{a0}"), "https://idp.example");
        assert_eq!(xml_trim(" \t\r\n"), "");
        assert_eq!(xml_split("  ").count(), 0);
    }

    #[test]
    fn a_text_node_keeps_non_xml_whitespace() {
        let doc = parse("<a>\n\u{a0}admin\u{a0} \n</a>").unwrap();
        assert_eq!(xml_trim(&doc.root.text()), "\u{a0}admin\u{a0}");
        // And a processing instruction's data loses only XML whitespace.
        let doc = parse("<a><?pi \u{a0}data?></a>").unwrap();
        assert!(matches!(
            doc.root.children.first(),
            Some(Node::ProcessingInstruction(_, data)) if data.as_ref() == "\u{a0}data"
        ));
    }

    /// XML 1.0 §2.11: line ends in a processing instruction are normalised
    /// like everywhere else (libxml2 reads `<?pi a\r\nb\rc?>` as `a\nb\nc`);
    /// the white space after the target, CR included, is skipped, and the
    /// data's own trailing white space is kept.
    #[test]
    fn processing_instruction_line_ends_are_normalised() {
        let pi = |input: &str| match parse(input).unwrap().root.children.first() {
            Some(Node::ProcessingInstruction(target, data)) => {
                Some((target.to_string(), data.to_string()))
            }
            _ => None,
        };
        let want = |data: &str| Some(("pi".to_owned(), data.to_owned()));
        assert_eq!(pi("<a><?pi a\r\nb\rc\r\n?></a>"), want("a\nb\nc\n"));
        assert_eq!(pi("<a><?pi\r\n\r data \r?></a>"), want("data \n"));
        assert_eq!(pi("<a><?pi\r\r\n?></a>"), want(""));
        assert_eq!(pi("<a><?pi \t\u{a0}\r\n?></a>"), want("\u{a0}\n"));
        // Without a CR the data is still a slice of the input.
        let doc = parse("<a><?pi data?></a>").unwrap();
        assert!(matches!(
            doc.root.children.first(),
            Some(Node::ProcessingInstruction(_, Cow::Borrowed("data")))
        ));
    }

    #[test]
    fn resolves_default_and_prefixed_namespaces() {
        let doc = parse(
            r#"<samlp:Response xmlns:samlp="urn:p" xmlns="urn:a" ID="r1"><Assertion ID="a1"><x:Y xmlns:x="urn:x" x:z="1"/></Assertion></samlp:Response>"#,
        )
        .unwrap();
        let r = &doc.root;
        assert!(r.is("urn:p", "Response"));
        assert_eq!(r.prefix, Some("samlp"));
        assert_eq!(r.attr("ID"), Some("r1"));
        assert_eq!(r.ns_decls, vec![(Some("samlp"), "urn:p"), (None, "urn:a")]);
        let a = r.child("urn:a", "Assertion").unwrap();
        let y = a.child("urn:x", "Y").unwrap();
        assert_eq!(y.attr_ns("urn:x", "z"), Some("1"));
        assert_eq!(
            y.attr("z"),
            None,
            "a prefixed attribute is not the unprefixed one"
        );
    }

    #[test]
    fn prefix_does_not_matter_only_the_uri() {
        let a = parse(r#"<p:A xmlns:p="urn:a"/>"#).unwrap();
        let b = parse(r#"<A xmlns="urn:a"/>"#).unwrap();
        assert!(a.root.is("urn:a", "A") && b.root.is("urn:a", "A"));
        let c = parse(r#"<A xmlns="urn:evil"/>"#).unwrap();
        assert!(!c.root.is("urn:a", "A"));
    }

    #[test]
    fn comments_do_not_truncate_text() {
        let d = parse("<a>user@example.com<!---->.evil.com</a>").unwrap();
        assert_eq!(d.root.text(), "user@example.com.evil.com");
    }

    #[test]
    fn a_cdata_section_is_text_and_leaves_a_mark_on_its_parent() {
        let doc =
            parse("<a><b>x<![CDATA[<y>]]></b><c>x&lt;y&gt;</c><d><![CDATA[]]></d></a>").unwrap();
        let [b, c, d] = [0, 1, 2].map(|i| doc.root.elements().nth(i).unwrap());
        assert_eq!((b.text(), b.has_cdata), ("x<y>".into(), true));
        assert_eq!((c.text(), c.has_cdata), ("x<y>".into(), false));
        assert!(d.has_cdata && !doc.root.has_cdata);
    }

    #[test]
    fn references_are_decoded_once() {
        let d =
            parse(r#"<a b="&amp;lt; &#x41;&#66;">&amp;lt; &#x41;<![CDATA[&amp;]]></a>"#).unwrap();
        assert_eq!(d.root.attr("b"), Some("&lt; AB"));
        assert_eq!(d.root.text(), "&lt; A&amp;");
    }

    #[test]
    fn line_ends_and_attribute_whitespace_are_normalised() {
        let d = parse("<a b=\"x\r\ny\tz&#10;\">1\r\n2\r3</a>").unwrap();
        assert_eq!(d.root.attr("b"), Some("x y z\n"));
        assert_eq!(d.root.text(), "1\n2\n3");
    }

    #[test]
    fn refuses_doctype_and_entities() {
        assert_eq!(
            code("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
            "xml.doctype_refused"
        );
        assert_eq!(
            code("<?xml version=\"1.0\"?><!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>"),
            "xml.doctype_refused"
        );
        assert_eq!(code("<a>&x;</a>"), "xml.undefined_entity");
        assert_eq!(code("<a b=\"&x;\"/>"), "xml.undefined_entity");
    }

    #[test]
    fn refuses_malformed_documents() {
        for bad in [
            "",
            "   ",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "text<a/>",
            "<a/>text",
            "<a b='1' b='2'/>",
            "<a x:b='1'/>",
            "<a>&#0;</a>",
            "<a b=\"<\"/>",
            "<a>&#xD800;</a>",
            "<a><!-- a -- b --></a>",
            "<a/><?xml version=\"1.0\"?>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(code("<x:a/>"), "xml.unbound_prefix");
        assert_eq!(
            code(r#"<a xmlns:p="urn:1" xmlns:q="urn:1" p:b="1" q:b="2"/>"#),
            "xml.malformed"
        );
    }

    #[test]
    fn refuses_what_is_not_well_formed_xml_1_0() {
        for bad in [
            "<a>a\u{0}b</a>",
            "<a>\u{1}</a>",
            "<a>\u{FFFE}</a>",
            "<a><!--\u{1}--></a>",
            "<a>]]></a>",
            "<1a/>",
            "<a:b:c xmlns:a='u'/>",
            "<a b=\"1\"c=\"2\"/>",
            "<?xml version=\"1.1\"?><a/>",
            "<a b=\"&#x+41;\"/>",
            "<a b=\"&#+65;\"/>",
            "<a b=\"&#-1;\"/>",
            r#"<a xmlns="urn:oasis:names:tc:SAML:2.0:protoco&#108;"/>"#,
            "<a xmlns:p=\"urn:x\turn:y\"/>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse("<a>]]&gt;</a>").unwrap().root.text(), "]]>");
        assert!(parse("<a b='1' c=\"2\"/>").is_ok());
        assert!(parse("<é:b xmlns:é='u'/>").is_ok());
    }

    /// XML 1.0 §2.1 and §2.8: before and after the root element only
    /// comments, processing instructions and white space (`Misc`) may
    /// appear, and white space is `S`, literal characters: a character or
    /// entity reference there is not well-formed, even one that decodes to
    /// white space.
    #[test]
    fn refuses_references_outside_the_root_element() {
        // References that decode to white space, which text outside the
        // root may be, and an undefined one: only the new check refuses these.
        // (`<a/>&amp;` and the like were refused before too, as text.)
        for bad in [
            "<a/>&#32;",
            "<a/>&#x9;",
            "<a/>&#10;",
            "&#32;<a/>",
            "&#xA;<a/>",
            "<?xml version=\"1.0\"?>&#32;<a/>",
            "<a/>&x;",
        ] {
            assert_eq!(code(bad), "xml.malformed", "{bad:?}");
        }
        // White space written literally is still allowed there, and references inside the root are decoded.
        let d = parse(" \r\n\t<a>&#32;&amp;</a>\n<!-- c --> ").unwrap();
        assert_eq!(d.root.text(), " &");
    }

    #[test]
    fn only_utf8() {
        assert!(parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>").is_ok());
        assert_eq!(
            code("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
            "xml.encoding_unsupported"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let deep = format!("{}{}", "<a>".repeat(49), "</a>".repeat(49));
        assert_eq!(code(&deep), "xml.too_deep");
        let ok = format!("{}{}", "<a>".repeat(48), "</a>".repeat(48));
        assert!(parse(&ok).is_ok());
        let attrs: String = (0..65).map(|i| format!(" a{i}=\"1\"")).collect();
        assert_eq!(code(&format!("<a{attrs}/>")), "xml.too_many_attributes");
        // exactly at the limit (the root plus 39,999 children) passes; one more does not
        assert!(parse(&format!("<a>{}</a>", "<b/>".repeat(39_999))).is_ok());
        assert_eq!(
            code(&format!("<a>{}</a>", "<b/>".repeat(40_000))),
            "xml.too_many_nodes"
        );
        let decls: String = (0..257)
            .map(|i| format!("<e{i} xmlns:p{i}=\"urn:{i}\"/>"))
            .collect();
        assert_eq!(code(&format!("<a>{decls}</a>")), "xml.too_many_attributes");
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            parse_with("<a>0123456789</a>", limits).unwrap_err().code(),
            "xml.too_large"
        );
    }

    #[test]
    fn namespace_declarations_follow_namespaces_in_xml_1_0() {
        for bad in [
            r#"<p:a xmlns:p=""/>"#,            // no prefix undeclaring
            r#"<a xmlns:xml="urn:not-xml"/>"#, // xml keeps its URI
            r#"<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>"#, // and nothing else takes it
            r#"<a xmlns="http://www.w3.org/XML/1998/namespace"/>"#,
            r#"<a xmlns:xmlns="urn:x"/>"#, // xmlns is never declared
            r#"<a xmlns:x="http://www.w3.org/2000/xmlns/"/>"#,
        ] {
            assert_eq!(code(bad), "xml.malformed", "{bad}");
        }
        // The xml prefix is bound without a declaration (and may be declared to its own URI).
        let d = parse(r#"<a xml:lang="fr" xmlns:xml="http://www.w3.org/XML/1998/namespace"/>"#)
            .unwrap();
        assert_eq!(d.root.attr_ns(XML_NS, "lang"), Some("fr"));
        // xmlns="" undeclares the default namespace; a prefix's scope ends with its element.
        let d =
            parse(r#"<a xmlns="urn:a"><b xmlns=""><c/></b><p:d xmlns:p="urn:p"/></a>"#).unwrap();
        let b = d.root.elements().next().unwrap();
        assert_eq!((b.ns, b.elements().next().unwrap().ns), (None, None));
        assert_eq!(
            code(r#"<a><b xmlns:p="urn:p"/><p:c/></a>"#),
            "xml.unbound_prefix"
        );
        // The default namespace does not apply to unprefixed attributes.
        let d = parse(r#"<a xmlns="urn:a" b="1"/>"#).unwrap();
        assert_eq!(d.root.attr("b"), Some("1"));
        assert_eq!(d.root.attr_ns("urn:a", "b"), None);
    }

    #[test]
    fn names_and_plain_values_borrow_from_the_input() {
        let input = r#"<p:a xmlns:p="urn:p" v="plain" w="a&amp;b">text</p:a>"#;
        let d = parse(input).unwrap();
        let inside = |s: &str| {
            let (start, end) = (
                input.as_ptr() as usize,
                input.as_ptr() as usize + input.len(),
            );
            (start..end).contains(&(s.as_ptr() as usize))
        };
        assert!(
            inside(d.root.local) && inside(d.root.prefix.unwrap()) && inside(d.root.ns.unwrap())
        );
        assert!(matches!(d.root.attrs[0].value, Cow::Borrowed(v) if inside(v)));
        assert!(
            matches!(d.root.attrs[1].value, Cow::Owned(ref v) if v == "a&b"),
            "decoded values are owned"
        );
        assert!(matches!(d.root.text(), Cow::Borrowed(t) if inside(t)));
    }

    /// The one-pass ASCII reading of a qualified name against the general
    /// one, on every string of up to five characters over an alphabet of
    /// name starts, name characters and colons.
    #[test]
    fn qname_fast_path_agrees_with_the_general_one() {
        let alphabet = ['a', 'Z', '_', '-', '.', '1', ':'];
        let mut names = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = names
                .iter()
                .filter(|n| n.len() == names.last().map_or(0, String::len))
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        assert_eq!(names.len(), (0..=5).map(|k| 7usize.pow(k)).sum::<usize>());
        for name in &names {
            let fast = split_qname(name).map_err(|e| e.code());
            let general = split_qname_chars(name).map_err(|e| e.code());
            assert_eq!(fast, general, "{name:?}");
        }
    }

    #[test]
    fn unique_child_refuses_duplicates() {
        let d = parse(r#"<a xmlns="urn:a"><b/><b/></a>"#).unwrap();
        assert!(d.root.unique_child("urn:a", "b").is_err());
        assert!(d.root.unique_child("urn:a", "c").unwrap().is_none());
    }
}
