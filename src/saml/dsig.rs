//! Enveloped XML-DSig verification (XML Signature 1.1, restricted to what
//! this module accepts), on the one tree the reader built.
//!
//! A signature counts only if it is a direct child of the element it signs;
//! has exactly one `SignedInfo`, one `SignatureValue` and one `Reference`;
//! that `Reference` is read from the very `SignedInfo` that is canonicalized
//! and verified (never found by a document-wide search: xml-crypto
//! CVE-2025-29774, ruby-saml CVE-2024-45409); its URI is `#` + the element's
//! `ID`, which is unique in the whole document; its transforms are exactly
//! enveloped-signature then exclusive C14N; digest and signature algorithms
//! pass the policy; `DigestValue`/`SignatureValue` are base64 text and
//! nothing else, read before anything is verified ([`base64_value`]); and the
//! key is a configured one (`KeyInfo` may only pick among them). Success yields a [`Verified`]
//! holding the element, which nothing else can construct.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::binding::base64_decode;
use super::c14n::{canonicalize, C14nOptions};
use super::keys::IdpCertificate;
use super::verify::{verify_with_any, SigAlg};
use super::xml::{Element, Node};
use super::NS_DSIG;
use crate::error::{Result, SamlError};

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// More InclusiveNamespaces prefixes than any real signer uses.
const MAX_INCLUSIVE_PREFIXES: usize = 32;

/// Proof that `element` carried a valid enveloped signature by a configured
/// key. Only [`verify_enveloped`] makes one.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'d> {
    element: &'d Element<'d>,
    alg: SigAlg,
}

impl<'d> Verified<'d> {
    /// The element the signature covers: the same node that was digested.
    pub fn element(&self) -> &'d Element<'d> {
        self.element
    }

    /// The signature algorithm that verified.
    pub fn algorithm(&self) -> SigAlg {
        self.alg
    }
}

fn structure(why: &'static str) -> crate::Error {
    SamlError::SignatureStructure(why).into()
}

/// The `ds:Signature` that is a direct child of `element`, if any; several is an error.
pub fn signature_of<'e, 'a>(element: &'e Element<'a>) -> Result<Option<&'e Element<'a>>> {
    let mut sigs = element.children_named(NS_DSIG, "Signature");
    let first = sigs.next();
    if sigs.next().is_some() {
        return Err(structure("the element has more than one Signature"));
    }
    Ok(first)
}

fn c14n_method(method: &Element) -> Result<(bool, Vec<String>)> {
    let with_comments = match method.attr("Algorithm") {
        Some(EXC_C14N) => false,
        Some(EXC_C14N_COMMENTS) => true,
        _ => return Err(SamlError::TransformUnsupported.into()),
    };
    let mut prefixes = Vec::new();
    for child in method.elements() {
        if child.local != "InclusiveNamespaces" || child.ns != Some(EXC_C14N) {
            return Err(structure("unexpected content in a canonicalization method"));
        }
        for token in super::xml::xml_split(child.attr("PrefixList").unwrap_or("")) {
            let ok = token == "#default"
                || token
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && token
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !ok {
                return Err(structure("an InclusiveNamespaces prefix is not a name"));
            }
            if !prefixes.iter().any(|p| p == token) {
                prefixes.push(token.to_owned());
            }
            if prefixes.len() > MAX_INCLUSIVE_PREFIXES {
                return Err(structure("too many InclusiveNamespaces prefixes"));
            }
        }
    }
    Ok((with_comments, prefixes))
}

fn digest(alg: &str, data: &[u8], allow_sha1: bool) -> Result<Vec<u8>> {
    Ok(match alg {
        "http://www.w3.org/2001/04/xmlenc#sha256" => Sha256::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Sha384::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Sha512::digest(data).to_vec(),
        "http://www.w3.org/2000/09/xmldsig#sha1" if allow_sha1 => Sha1::digest(data).to_vec(),
        "http://www.w3.org/2000/09/xmldsig#sha1" => return Err(SamlError::Sha1Refused.into()),
        _ => return Err(SamlError::AlgorithmUnsupported.into()),
    })
}

/// What is wrong with a `SignatureValue` or a `DigestValue`: markup inside,
/// or text that is not base64.
const SIGNATURE_VALUE: [&str; 2] = [
    "SignatureValue holds markup (an element, comment, processing instruction or CDATA section): only base64 text is accepted",
    "SignatureValue is not base64 (the standard alphabet with its padding, XML white space between)",
];
const DIGEST_VALUE: [&str; 2] = [
    "DigestValue holds markup (an element, comment, processing instruction or CDATA section): only base64 text is accepted",
    "DigestValue is not base64 (the standard alphabet with its padding, XML white space between)",
];

/// The bytes of a `SignatureValue` or `DigestValue`, read strictly: text
/// only, so a child element, a comment, a processing instruction or a CDATA
/// section inside is refused (each would otherwise be joined or left out
/// silently; xml-crypto CVE-2025-29775 hid a digest in a comment), and the
/// text is base64 of the standard alphabet with its padding, with XML white
/// space anywhere between (XML Schema `base64Binary`, which `ds:CryptoBinary`
/// and `ds:DigestValueType` are). xmlsec1 too refuses a value without its
/// padding or with other characters. `why` is [`SIGNATURE_VALUE`] or
/// [`DIGEST_VALUE`].
fn base64_value(e: &Element, why: [&'static str; 2]) -> Result<Vec<u8>> {
    let [markup, not_base64] = why;
    if e.has_cdata || !e.children.iter().all(|n| matches!(n, Node::Text(_))) {
        return Err(structure(markup));
    }
    let compact: Vec<u8> = e
        .text()
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    // STANDARD requires the padding and refuses any other character (and
    // nonzero bits after the last whole byte).
    STANDARD.decode(compact).map_err(|_| structure(not_base64))
}

/// Counts elements anywhere in `root` whose `ID` attribute equals `id`.
fn id_count(root: &Element, id: &str) -> usize {
    let own = usize::from(root.attr("ID") == Some(id));
    own + root.elements().map(|c| id_count(c, id)).sum::<usize>()
}

/// Exactly the child elements of `e` (text must be whitespace; comments allowed).
fn only_elements<'e, 'a>(e: &'e Element<'a>) -> Result<Vec<&'e Element<'a>>> {
    for n in &e.children {
        if let Node::Text(t) = n {
            if !t.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                return Err(structure("text where only elements belong"));
            }
        }
    }
    Ok(e.elements().collect())
}

/// Verifies the enveloped signature that is a direct child of `element`.
/// `root` is the document root (for canonicalization context and the ID
/// uniqueness check).
pub fn verify_enveloped<'d>(
    root: &'d Element,
    element: &'d Element<'d>,
    certs: &[IdpCertificate],
    allow_sha1: bool,
) -> Result<Verified<'d>> {
    let signature = signature_of(element)?.ok_or(SamlError::SignatureMissing)?;
    let id = element
        .attr("ID")
        .filter(|v| !v.is_empty())
        .ok_or(structure("the signed element has no ID"))?;
    if id_count(root, id) != 1 {
        return Err(structure(
            "the signed element's ID is not unique in the document",
        ));
    }

    let parts = only_elements(signature)?;
    let (signed_info, signature_value, rest) = match parts.as_slice() {
        [si, sv, rest @ ..] => (*si, *sv, rest),
        _ => return Err(structure("a Signature needs SignedInfo and SignatureValue")),
    };
    if !signed_info.is(NS_DSIG, "SignedInfo") || !signature_value.is(NS_DSIG, "SignatureValue") {
        return Err(structure(
            "a Signature starts with SignedInfo then SignatureValue",
        ));
    }
    match rest {
        [] => {}
        [k] if k.is(NS_DSIG, "KeyInfo") => {}
        _ => {
            return Err(structure(
                "a Signature may hold only SignedInfo, SignatureValue and KeyInfo",
            ))
        }
    }

    // Everything below is read from this SignedInfo, the one that is verified.
    let si = only_elements(signed_info)?;
    let (c14n, method, reference) = match si.as_slice() {
        [c, m, r] => (*c, *m, *r),
        _ => return Err(structure(
            "SignedInfo needs exactly CanonicalizationMethod, SignatureMethod and one Reference",
        )),
    };
    if !c14n.is(NS_DSIG, "CanonicalizationMethod")
        || !method.is(NS_DSIG, "SignatureMethod")
        || !reference.is(NS_DSIG, "Reference")
    {
        return Err(structure(
            "SignedInfo's children are out of order or unknown",
        ));
    }
    if method.elements().next().is_some() {
        return Err(structure(
            "SignatureMethod parameters (such as HMACOutputLength) are refused",
        ));
    }
    let alg = SigAlg::from_uri(method.attr("Algorithm").unwrap_or(""), allow_sha1)?;
    let (si_comments, si_prefixes) = c14n_method(c14n)?;

    if reference.attr("URI") != Some(format!("#{id}").as_str()) {
        return Err(structure(
            "the Reference does not point at the signed element's ID",
        ));
    }
    let rparts = only_elements(reference)?;
    let (transforms, digest_method, digest_value) = match rparts.as_slice() {
        [t, m, v] if t.is(NS_DSIG, "Transforms") => (*t, *m, *v),
        _ => {
            return Err(structure(
                "a Reference needs Transforms, DigestMethod and DigestValue",
            ))
        }
    };
    if !digest_method.is(NS_DSIG, "DigestMethod") || !digest_value.is(NS_DSIG, "DigestValue") {
        return Err(structure(
            "the Reference's children are out of order or unknown",
        ));
    }
    let tlist = only_elements(transforms)?;
    let exc = match tlist.as_slice() {
        [env, exc]
            if env.is(NS_DSIG, "Transform")
                && env.attr("Algorithm") == Some(ENVELOPED)
                && env.elements().next().is_none()
                && exc.is(NS_DSIG, "Transform") =>
        {
            *exc
        }
        _ => return Err(SamlError::TransformUnsupported.into()),
    };
    // `#WithComments` here keeps nothing: the URI is a bare name (`#id`, the
    // only form accepted above), and dereferencing a bare-name same-document
    // reference deletes the comment nodes before any transform runs
    // (XML-DSig 1.1 §4.4.3.3), as xmlsec1 (libxml2) does. SignedInfo is not
    // dereferenced, so its own CanonicalizationMethod keeps its comments.
    let (_, ref_prefixes) = c14n_method(exc)?;
    // Both values are read before anything is canonicalized or verified, so
    // a malformed one is refused as such whatever the signature.
    let sig_bytes = base64_value(signature_value, SIGNATURE_VALUE)?;
    let expected = base64_value(digest_value, DIGEST_VALUE)?;

    // First the signature over the small canonical SignedInfo, with configured
    // keys only: the costly canonicalization of the signed element below then
    // runs only for a SignedInfo one of the IdP's keys actually signed.
    let signed = canonicalize(
        root,
        signed_info,
        None,
        &C14nOptions {
            with_comments: si_comments,
            inclusive_prefixes: &si_prefixes,
        },
    )
    .ok_or(structure("SignedInfo is not in the document"))?;
    let ordered = key_order(certs, rest.first().copied());
    verify_with_any(ordered, alg, signed.as_bytes(), &sig_bytes)?;
    // The digest over the element without this Signature.
    let canonical = canonicalize(
        root,
        element,
        Some(signature),
        &C14nOptions {
            with_comments: false,
            inclusive_prefixes: &ref_prefixes,
        },
    )
    .ok_or(structure("the signed element is not in the document"))?;
    let actual = digest(
        digest_method.attr("Algorithm").unwrap_or(""),
        canonical.as_bytes(),
        allow_sha1,
    )?;
    if !bool::from(actual.ct_eq(&expected)) {
        return Err(SamlError::DigestMismatch.into());
    }

    Ok(Verified { element, alg })
}

/// The configured certificates, the one named by `KeyInfo` (if it is one of
/// them) first. A certificate in `KeyInfo` that is not configured changes
/// nothing: it is never used.
fn key_order<'c>(
    certs: &'c [IdpCertificate],
    key_info: Option<&Element>,
) -> Vec<&'c IdpCertificate> {
    let mut out: Vec<&IdpCertificate> = certs.iter().collect();
    // With one key there is nothing to order: skip decoding and hashing KeyInfo.
    if out.len() < 2 {
        return out;
    }
    let named: Option<[u8; 32]> = key_info
        .and_then(|k| k.child(NS_DSIG, "X509Data"))
        .and_then(|d| d.child(NS_DSIG, "X509Certificate"))
        .and_then(|c| base64_decode(&c.text()).ok())
        .map(|der| Sha256::digest(&der).into());
    if let Some(h) = named {
        out.sort_by_key(|c| c.sha256 != h);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::saml::keys::parse_certificates;
    use crate::saml::xml::parse;
    use crate::saml::NS_ASSERTION;

    /// A Response whose assertion xmlsec1 signed (scripts/fixtures/saml_responses.py).
    const SIGNED: &str =
        include_str!("../../tests/fixtures/responses/assertion-signed-rsa-sha256.xml");
    const CERT: &str = include_str!("../../tests/fixtures/responses/idp.pem");

    fn verify(xml: &str) -> Result<SigAlg> {
        let doc = parse(xml)?;
        let assertion = doc.root.child(NS_ASSERTION, "Assertion").unwrap();
        let certs = parse_certificates(CERT).unwrap();
        verify_enveloped(&doc.root, assertion, &certs, false).map(|v| v.algorithm())
    }

    /// The text of `<ds:{name}>` in [`SIGNED`].
    fn value(name: &str) -> &'static str {
        let open = format!("<ds:{name}>");
        let start = SIGNED.find(&open).unwrap() + open.len();
        let len = SIGNED[start..].find('<').unwrap();
        &SIGNED[start..start + len]
    }

    /// [`SIGNED`] with the text of `<ds:{name}>` replaced by `edit` of it.
    fn with(name: &str, edit: impl Fn(&str) -> String) -> String {
        let v = value(name);
        let out = SIGNED.replacen(
            &format!("<ds:{name}>{v}<"),
            &format!("<ds:{name}>{}<", edit(v)),
            1,
        );
        assert_ne!(out, SIGNED, "{name} unchanged");
        out
    }

    fn refusal(xml: &str) -> Option<&'static str> {
        match verify(xml) {
            Err(crate::Error::Saml(SamlError::SignatureStructure(why))) => Some(why),
            _ => None,
        }
    }

    /// Markup that leaves the base64 text as it was: the value still decodes
    /// to the same bytes, and for a DigestValue even the canonical SignedInfo
    /// (without comments, CDATA as text) is unchanged, so only the rule
    /// refuses these.
    fn hidden_markup(v: &str) -> Vec<(&'static str, String)> {
        let (a, b) = v.split_at(10);
        vec![
            ("a comment", format!("{a}<!-- x -->{b}")),
            ("a processing instruction", format!("{a}<?pi x?>{b}")),
            ("a CDATA section", format!("{a}<![CDATA[{b}]]>")),
            ("the whole value in CDATA", format!("<![CDATA[{v}]]>")),
            ("an empty child element", format!("{a}<ds:X/>{b}")),
            (
                "a child element holding text",
                format!("{a}<ds:X>{b}</ds:X>"),
            ),
        ]
    }

    fn not_base64(v: &str) -> Vec<(&'static str, String)> {
        let (a, b) = v.split_at(10);
        let bare = v.trim_end_matches('=');
        vec![
            ("no padding", bare.to_owned()),
            (
                "padding cut short",
                format!("{bare}{}", "=".repeat(v.len() - bare.len() - 1)),
            ),
            ("a URL-safe character", format!("{a}-{}", &b[1..])),
            ("a dot", format!("{a}.{b}")),
            ("U+00A0 (not XML white space)", format!("{a}\u{a0}{b}")),
            ("characters after the padding", format!("{v}AAAA")),
        ]
    }

    #[test]
    fn the_fixture_verifies_and_xml_white_space_in_a_signature_value_is_allowed() {
        assert_eq!(verify(SIGNED).unwrap(), SigAlg::RsaSha256);
        let v = value("SignatureValue");
        assert!(v.contains('\n') && v.ends_with("=="));
        let flat: String = v.chars().filter(|c| *c != '\n').collect();
        for spaced in [
            flat.clone(),
            flat.replace('A', " A\t"),
            v.replace('\n', "\r\n  "),
            v.replace('\n', "&#13;&#10;"),
            format!(" \n{v}\t\n"),
        ] {
            verify(&with("SignatureValue", |_| spaced.clone())).unwrap();
        }
        // White space in a DigestValue changes the signed SignedInfo, so the
        // signature fails, but the value was read.
        let spaced = with("DigestValue", |d| {
            format!("\n {}\t{}\r\n", &d[..4], &d[4..])
        });
        assert_eq!(
            verify(&spaced).unwrap_err().code(),
            "saml.signature.invalid"
        );
    }

    #[test]
    fn a_signature_value_holding_markup_is_refused() {
        for (what, edited) in hidden_markup(value("SignatureValue")) {
            let xml = with("SignatureValue", |_| edited.clone());
            assert_eq!(refusal(&xml), Some(SIGNATURE_VALUE[0]), "{what}");
        }
    }

    #[test]
    fn a_digest_value_holding_markup_is_refused() {
        for (what, edited) in hidden_markup(value("DigestValue")) {
            let xml = with("DigestValue", |_| edited.clone());
            assert_eq!(refusal(&xml), Some(DIGEST_VALUE[0]), "{what}");
        }
    }

    #[test]
    fn a_signature_value_that_is_not_strict_base64_is_refused() {
        for (what, edited) in not_base64(value("SignatureValue")) {
            let xml = with("SignatureValue", |_| edited.clone());
            assert_eq!(refusal(&xml), Some(SIGNATURE_VALUE[1]), "{what}");
        }
    }

    #[test]
    fn a_digest_value_that_is_not_strict_base64_is_refused() {
        for (what, edited) in not_base64(value("DigestValue")) {
            let xml = with("DigestValue", |_| edited.clone());
            assert_eq!(refusal(&xml), Some(DIGEST_VALUE[1]), "{what}");
        }
    }
}
