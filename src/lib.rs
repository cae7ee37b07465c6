//! # edge-sso
//!
//! The browser and edge half of single sign-on, compiled to WebAssembly:
//! OAuth 2.0 for public clients (PKCE S256, one-time `state`, RFC 9207 `iss`,
//! token requests and an in-memory token vault).
//!
//! Two promises shape every API:
//! 1. **No secret ever enters.** There is no field for a client secret, a
//!    private key or an HMAC key; anything that needs one is refused with
//!    [`Error::SecretRefused`].
//! 2. **Tokens live in memory only.** They are [`Secret`]s: zeroized on drop,
//!    redacted in `Debug`, absent from every error message. The only ways out
//!    are [`oauth::OAuthClient::authorization_header`] and the body of a
//!    refresh request, both for an immediate HTTP call.
//!
//! The core is plain Rust and takes the clock (`now`, ms since the epoch) as
//! an argument; the `wasm` facade converts JS values and errors.
//!
//! See [`manual`] for the threat model.
#![forbid(unused_must_use)]
// The OAuth-only WebAssembly module is `no_std`: std's panic machinery (the
// hook, payload boxing, message formatting, its thread-local panic count)
// was a tenth of that module, and a `#[panic_handler]` that traps (in
// `wasm::`) replaces it. Natively, and in the full module, the crate is an
// ordinary std crate; the code is the same, written against `core` and
// `alloc`.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "saml")), no_std)]

extern crate alloc;

mod ascii;
mod b64url;
pub mod error;
mod json;
mod json_out;
pub mod manual;
pub mod oauth;
mod one_time;
// Read from the JSON text the JS wrapper makes of an options object.
#[cfg(any(target_arch = "wasm32", test))]
mod options;
pub mod random;
#[cfg(feature = "saml")]
pub mod saml;
mod secret;
mod sha256;
#[cfg(test)]
mod test_rng;
pub mod url;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{
    CallbackError, Error, ErrorResponse, IdTokenError, ProviderError, Result, TokenResponseError,
    VaultError,
};
#[cfg(feature = "saml")]
pub use error::{SamlError, StatusError, XmlError};
pub use oauth::{create_pkce, pkce_challenge};
pub use random::{random_nonce, random_state};
pub use secret::Secret;
