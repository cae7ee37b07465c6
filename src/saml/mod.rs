//! SAML 2.0 service provider: the XML reader, AuthnRequests, bindings and
//! (as they land) metadata, redirect signatures and response validation.

pub mod authn_request;
pub mod b64_blocks;
// RSA's arithmetic and PKCS#1 v1.5 (bignum, pkcs1) are crate-private:
// neither is constant-time, which suits the public values of signature
// verification and nothing else a caller might use them for.
pub(crate) mod bignum;
pub mod binding;
pub mod c14n;
// A strict DER reader for certificates, keys and signatures (crate-private
// like the arithmetic it feeds).
pub(crate) mod der;
pub(crate) mod dsa;
pub mod dsig;
pub(crate) mod ecdsa;
pub mod escape;
pub mod keys;
pub mod logout;
pub mod message;
pub mod metadata;
pub(crate) mod pkcs1;
pub mod redirect;
pub mod replay;
pub mod response;
pub mod sp;
pub mod time;
pub mod verify;
pub mod xml;

#[cfg(test)]
mod tests_rsa_differential;
// ECDSA against RustCrypto's p256 and p384, on generated keys and signatures.
#[cfg(test)]
mod tests_ecdsa_differential;
// DSA against Wycheproof's vectors and RustCrypto's dsa.
#[cfg(test)]
mod tests_dsa;
// Namespace resolution against quick-xml's NsReader, on generated documents.
#[cfg(test)]
mod tests_ns_differential;
// The SIMD routines against their scalar twins, in the wasm32 build with
// `simd128` (scripts/test.sh runs them in Node).
#[cfg(all(test, target_arch = "wasm32", target_feature = "simd128"))]
mod simd_twins;

/// `urn:oasis:names:tc:SAML:2.0:protocol`
pub const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// `urn:oasis:names:tc:SAML:2.0:assertion`
pub const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// `urn:oasis:names:tc:SAML:2.0:metadata`
pub const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// `http://www.w3.org/2000/09/xmldsig#`
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
