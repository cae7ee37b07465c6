//! `<samlp:AuthnRequest>` (SAML Core §3.4.1), built as text with every value
//! escaped, in schema order.

use super::escape::{xml_attr, xml_safe, xml_text};
use super::time::format_utc;
use super::{NS_ASSERTION, NS_PROTOCOL};
use crate::error::{Error, Result};

/// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST`, the binding of our ACS.
pub const BINDING_HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect`.
pub const BINDING_HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/// `<samlp:NameIDPolicy>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameIdPolicy {
    /// e.g. `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent` (the Orange flow's, README "SAML: the Orange flow").
    pub format: Option<String>,
    /// `AllowCreate`.
    pub allow_create: Option<bool>,
    /// `SPNameQualifier`.
    pub sp_name_qualifier: Option<String>,
}

/// `Comparison` of a `<samlp:RequestedAuthnContext>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Comparison {
    /// `exact` (the default).
    #[default]
    Exact,
    /// `minimum`
    Minimum,
    /// `maximum`
    Maximum,
    /// `better`
    Better,
}

impl Comparison {
    /// Parses the schema value.
    ///
    /// ```
    /// use edge_sso::saml::authn_request::Comparison;
    /// assert_eq!(Comparison::parse("minimum").unwrap(), Comparison::Minimum);
    /// assert!(Comparison::parse("Minimum").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "exact" => Self::Exact,
            "minimum" => Self::Minimum,
            "maximum" => Self::Maximum,
            "better" => Self::Better,
            _ => {
                return Err(Error::InvalidArgument {
                    field: "comparison",
                    reason: "one of exact, minimum, maximum, better",
                })
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Minimum => "minimum",
            Self::Maximum => "maximum",
            Self::Better => "better",
        }
    }
}

/// `<samlp:RequestedAuthnContext>` with class references.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestedAuthnContext {
    /// `AuthnContextClassRef` values (at least one).
    pub class_refs: Vec<String>,
    /// How the IdP compares them.
    pub comparison: Comparison,
}

/// Options of one AuthnRequest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthnRequestOptions {
    /// `<samlp:NameIDPolicy>`.
    pub name_id_policy: Option<NameIdPolicy>,
    /// `ForceAuthn="true"`.
    pub force_authn: bool,
    /// `IsPassive="true"`.
    pub is_passive: bool,
    /// `<samlp:RequestedAuthnContext>`.
    pub requested_authn_context: Option<RequestedAuthnContext>,
    /// `ProviderName`.
    pub provider_name: Option<String>,
    /// `AttributeConsumingServiceIndex`.
    pub attribute_consuming_service_index: Option<u16>,
}

/// What the request is made of, besides the options.
pub(crate) struct RequestParts<'a> {
    pub id: &'a str,
    pub issue_instant: u64,
    pub destination: &'a str,
    pub issuer: &'a str,
    pub acs_url: &'a str,
}

/// Builds the AuthnRequest XML.
pub(crate) fn build(parts: &RequestParts<'_>, opts: &AuthnRequestOptions) -> Result<String> {
    let mut attrs = format!(
        r#" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}""#,
        xml_attr(parts.id),
        format_utc(parts.issue_instant),
        xml_attr(xml_safe("destination", parts.destination)?)
    );
    if opts.force_authn {
        attrs.push_str(r#" ForceAuthn="true""#);
    }
    if opts.is_passive {
        attrs.push_str(r#" IsPassive="true""#);
    }
    attrs.push_str(&format!(
        r#" ProtocolBinding="{BINDING_HTTP_POST}" AssertionConsumerServiceURL="{}""#,
        xml_attr(xml_safe("acsUrl", parts.acs_url)?)
    ));
    if let Some(i) = opts.attribute_consuming_service_index {
        attrs.push_str(&format!(r#" AttributeConsumingServiceIndex="{i}""#));
    }
    if let Some(name) = &opts.provider_name {
        attrs.push_str(&format!(
            r#" ProviderName="{}""#,
            xml_attr(xml_safe("providerName", name)?)
        ));
    }

    let mut body = format!(
        "<saml:Issuer>{}</saml:Issuer>",
        xml_text(xml_safe("entityId", parts.issuer)?)
    );
    if let Some(p) = &opts.name_id_policy {
        body.push_str("<samlp:NameIDPolicy");
        if let Some(f) = &p.format {
            body.push_str(&format!(
                r#" Format="{}""#,
                xml_attr(xml_safe("nameIdPolicy.format", f)?)
            ));
        }
        if let Some(q) = &p.sp_name_qualifier {
            body.push_str(&format!(
                r#" SPNameQualifier="{}""#,
                xml_attr(xml_safe("nameIdPolicy.spNameQualifier", q)?)
            ));
        }
        if let Some(a) = p.allow_create {
            body.push_str(&format!(r#" AllowCreate="{a}""#));
        }
        body.push_str("/>");
    }
    if let Some(ctx) = &opts.requested_authn_context {
        if ctx.class_refs.is_empty() {
            return Err(Error::InvalidArgument {
                field: "requestedAuthnContext.classRefs",
                reason: "needs at least one class reference",
            });
        }
        body.push_str(&format!(
            r#"<samlp:RequestedAuthnContext Comparison="{}">"#,
            ctx.comparison.as_str()
        ));
        for class in &ctx.class_refs {
            body.push_str(&format!(
                "<saml:AuthnContextClassRef>{}</saml:AuthnContextClassRef>",
                xml_text(xml_safe("requestedAuthnContext.classRefs", class)?)
            ));
        }
        body.push_str("</samlp:RequestedAuthnContext>");
    }
    Ok(format!(
        r#"<samlp:AuthnRequest xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}"{attrs}>{body}</samlp:AuthnRequest>"#
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::saml::xml::parse;

    fn parts() -> RequestParts<'static> {
        RequestParts {
            id: "_abc",
            issue_instant: 1_198_268_687_000,
            destination: "https://idp.example/sso",
            issuer: "https://sp.example",
            acs_url: "https://sp.example/acs",
        }
    }

    #[test]
    fn minimal_request_reads_back() {
        let xml = build(&parts(), &AuthnRequestOptions::default()).unwrap();
        let doc = parse(&xml).unwrap();
        let r = &doc.root;
        assert!(r.is(NS_PROTOCOL, "AuthnRequest"));
        assert_eq!(r.attr("ID"), Some("_abc"));
        assert_eq!(r.attr("Version"), Some("2.0"));
        assert_eq!(r.attr("IssueInstant"), Some("2007-12-21T20:24:47Z"));
        assert_eq!(r.attr("Destination"), Some("https://idp.example/sso"));
        assert_eq!(
            r.attr("AssertionConsumerServiceURL"),
            Some("https://sp.example/acs")
        );
        assert_eq!(r.attr("ProtocolBinding"), Some(BINDING_HTTP_POST));
        assert_eq!(
            r.child(NS_ASSERTION, "Issuer").unwrap().text(),
            "https://sp.example"
        );
        assert_eq!(r.attr("ForceAuthn"), None);
    }

    #[test]
    fn every_option_in_schema_order() {
        let opts = AuthnRequestOptions {
            name_id_policy: Some(NameIdPolicy {
                format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into()),
                allow_create: Some(true),
                sp_name_qualifier: None,
            }),
            force_authn: true,
            is_passive: true,
            requested_authn_context: Some(RequestedAuthnContext {
                class_refs: vec![
                    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport".into(),
                ],
                comparison: Comparison::Minimum,
            }),
            provider_name: Some("Shop & <Co>".into()),
            attribute_consuming_service_index: Some(2),
        };
        let xml = build(&parts(), &opts).unwrap();
        let doc = parse(&xml).unwrap();
        let r = &doc.root;
        assert_eq!(r.attr("ForceAuthn"), Some("true"));
        assert_eq!(r.attr("IsPassive"), Some("true"));
        assert_eq!(r.attr("ProviderName"), Some("Shop & <Co>"));
        assert_eq!(r.attr("AttributeConsumingServiceIndex"), Some("2"));
        let names: Vec<_> = r.elements().map(|e| e.local).collect();
        assert_eq!(names, ["Issuer", "NameIDPolicy", "RequestedAuthnContext"]);
        let p = r.child(NS_PROTOCOL, "NameIDPolicy").unwrap();
        assert_eq!(
            p.attr("Format"),
            Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
        );
        assert_eq!(p.attr("AllowCreate"), Some("true"));
        let c = r.child(NS_PROTOCOL, "RequestedAuthnContext").unwrap();
        assert_eq!(c.attr("Comparison"), Some("minimum"));
        assert_eq!(
            c.child(NS_ASSERTION, "AuthnContextClassRef")
                .unwrap()
                .text(),
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        );
    }

    #[test]
    fn hostile_values_are_escaped_or_refused() {
        let mut p = parts();
        p.issuer = "a</saml:Issuer><evil/>";
        p.acs_url = "https://sp.example/acs\" Evil=\"1";
        let xml = build(&p, &AuthnRequestOptions::default()).unwrap();
        let doc = parse(&xml).unwrap();
        assert_eq!(
            doc.root.child(NS_ASSERTION, "Issuer").unwrap().text(),
            "a</saml:Issuer><evil/>"
        );
        assert_eq!(doc.root.attr("Evil"), None);
        p.issuer = "nul\u{0}";
        assert_eq!(
            build(&p, &AuthnRequestOptions::default())
                .unwrap_err()
                .code(),
            "arg.invalid"
        );
        let empty = AuthnRequestOptions {
            requested_authn_context: Some(RequestedAuthnContext::default()),
            ..Default::default()
        };
        assert_eq!(build(&parts(), &empty).unwrap_err().code(), "arg.invalid");
    }
}
