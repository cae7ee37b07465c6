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
//! pass the policy; `DigestValue`/`SignatureValue` are read as text with
//! comments ignored (xml-crypto CVE-2025-29775); and the key is a configured
//! one (`KeyInfo` may only pick among them). Success yields a [`Verified`]
//! holding the element, which nothing else can construct.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

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
    let sig_bytes = base64_decode(&signature_value.text())
        .map_err(|_| structure("SignatureValue is not base64"))?;
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
    let expected =
        base64_decode(&digest_value.text()).map_err(|_| structure("DigestValue is not base64"))?;
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
