//! SAML 2.0 service provider: the XML reader, bindings and (as they land)
//! requests, metadata and response validation.

pub mod binding;
pub mod escape;
pub mod time;
pub mod xml;
