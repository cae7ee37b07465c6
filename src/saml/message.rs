//! Reading the envelope of a SAML protocol message: what it is, who sent it,
//! to whom, when, in answer to what, and its status.

use super::time;
use super::xml::{parse, xml_trim, Element};
use super::{NS_ASSERTION, NS_PROTOCOL};
use crate::error::{Result, SamlError};

/// The status code of success.
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// Which protocol message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `<samlp:Response>`
    Response,
    /// `<samlp:LogoutRequest>`
    LogoutRequest,
    /// `<samlp:LogoutResponse>`
    LogoutResponse,
    /// `<samlp:AuthnRequest>` (read for debugging; an SP never accepts one)
    AuthnRequest,
}

impl MessageKind {
    /// The element's local name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Response => "Response",
            Self::LogoutRequest => "LogoutRequest",
            Self::LogoutResponse => "LogoutResponse",
            Self::AuthnRequest => "AuthnRequest",
        }
    }
}

/// `<samlp:Status>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Top-level `StatusCode/@Value`.
    pub code: String,
    /// Second-level `StatusCode/StatusCode/@Value`, if any.
    pub second_level: Option<String>,
    /// `StatusMessage`, if any.
    pub message: Option<String>,
}

impl Status {
    /// `Ok` for Success; otherwise the typed error carrying the codes and message.
    pub fn require_success(&self) -> crate::Result<()> {
        if self.is_success() {
            return Ok(());
        }
        Err(crate::Error::SamlStatus(Box::new(
            crate::error::StatusError {
                code: self.code.clone(),
                second_level: self.second_level.clone(),
                message: self.message.clone(),
            },
        )))
    }

    /// Whether the top-level code is Success.
    pub fn is_success(&self) -> bool {
        self.code == STATUS_SUCCESS
    }
}

/// The envelope of a protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageInfo {
    /// Which message.
    pub kind: MessageKind,
    /// `ID`.
    pub id: String,
    /// `Issuer`, if present.
    pub issuer: Option<String>,
    /// `InResponseTo`, if present.
    pub in_response_to: Option<String>,
    /// `Destination`, if present.
    pub destination: Option<String>,
    /// `IssueInstant`, ms since the epoch.
    pub issue_instant: u64,
    /// `Status` (responses).
    pub status: Option<Status>,
    /// `NameID` text (LogoutRequest).
    pub name_id: Option<String>,
    /// `NameID/@Format` (LogoutRequest).
    pub name_id_format: Option<String>,
    /// `SessionIndex` values (LogoutRequest).
    pub session_indexes: Vec<String>,
    /// `NotOnOrAfter` (LogoutRequest), ms since the epoch.
    pub not_on_or_after: Option<u64>,
}

/// Reads a protocol message's envelope (no trust implied: the caller checks).
///
/// ```
/// use edge_sso::saml::message::{read, MessageKind};
/// let m = read(r#"<LogoutResponse xmlns="urn:oasis:names:tc:SAML:2.0:protocol" ID="r" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" InResponseTo="_1"><Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></Status></LogoutResponse>"#).unwrap();
/// assert_eq!(m.kind, MessageKind::LogoutResponse);
/// assert!(m.status.unwrap().is_success());
/// ```
pub fn read(xml: &str) -> Result<MessageInfo> {
    let doc = parse(xml)?;
    read_root(&doc.root)
}

pub(crate) fn read_root(root: &Element) -> Result<MessageInfo> {
    if root.ns != Some(NS_PROTOCOL) {
        return Err(SamlError::UnexpectedMessage.into());
    }
    let kind = match root.local {
        "Response" => MessageKind::Response,
        "LogoutRequest" => MessageKind::LogoutRequest,
        "LogoutResponse" => MessageKind::LogoutResponse,
        "AuthnRequest" => MessageKind::AuthnRequest,
        _ => return Err(SamlError::UnexpectedMessage.into()),
    };
    if root.attr("Version") != Some("2.0") {
        return Err(SamlError::VersionUnsupported.into());
    }
    let id = root
        .attr("ID")
        .filter(|v| !v.is_empty())
        .ok_or(SamlError::UnexpectedMessage)?
        .to_owned();
    let issue_instant = time::parse(root.attr("IssueInstant").ok_or(SamlError::BadTime)?)?;
    let issuer = root
        .unique_child(NS_ASSERTION, "Issuer")?
        .map(|e| e.simple_text().map(|t| xml_trim(&t).to_owned()))
        .transpose()?;
    let status = match root.unique_child(NS_PROTOCOL, "Status")? {
        None => None,
        Some(s) => {
            let top = s
                .unique_child(NS_PROTOCOL, "StatusCode")?
                .ok_or(SamlError::UnexpectedMessage)?;
            Some(Status {
                code: top
                    .attr("Value")
                    .ok_or(SamlError::UnexpectedMessage)?
                    .to_owned(),
                second_level: top
                    .unique_child(NS_PROTOCOL, "StatusCode")?
                    .and_then(|c| c.attr("Value"))
                    .map(str::to_owned),
                message: s
                    .unique_child(NS_PROTOCOL, "StatusMessage")?
                    .map(|m| m.text().into_owned()),
            })
        }
    };
    let name_id = root.unique_child(NS_ASSERTION, "NameID")?;
    Ok(MessageInfo {
        kind,
        id,
        issuer,
        in_response_to: root.attr("InResponseTo").map(str::to_owned),
        destination: root.attr("Destination").map(str::to_owned),
        issue_instant,
        status,
        name_id: name_id
            .map(|n| n.simple_text().map(|t| xml_trim(&t).to_owned()))
            .transpose()?,
        name_id_format: name_id.and_then(|n| n.attr("Format")).map(str::to_owned),
        session_indexes: root
            .children_named(NS_PROTOCOL, "SessionIndex")
            .map(|e| xml_trim(&e.text()).to_owned())
            .collect(),
        not_on_or_after: root.attr("NotOnOrAfter").map(time::parse).transpose()?,
    })
}
