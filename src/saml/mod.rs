//! SAML 2.0 service provider: the XML reader and (as they land) requests,
//! bindings, metadata and response validation.

pub mod xml;
