//! The `#[wasm_bindgen]` facade: the only module that names JS types. It
//! converts values and errors and calls the core; it decides nothing.
#![allow(unsafe_code)] // wasm-bindgen's generated glue uses `unsafe` internally
#![allow(missing_docs)] // documented in the generated TypeScript and the README

mod host;
mod interop;
mod oauth;
#[cfg(feature = "saml")]
mod saml;
#[cfg(feature = "saml")]
mod text_in;

use wasm_bindgen::prelude::*;

// The OAuth-only module allocates little (URLs, a token response, a few
// strings), so it trades dlmalloc (std's default) for talc, a wasm allocator
// a fraction of its size. The full module keeps dlmalloc: SAML validation
// allocates a great deal and its speed is measured against it.
#[cfg(not(feature = "saml"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The OAuth-only module is `no_std` (see the crate root), so it names its
/// own panic handler. Nothing in it panics on input (every input error is a
/// returned `Error`; the lints deny `unwrap`, `expect`, `panic` and
/// indexing); should an invariant still fail, the instance traps exactly as
/// std's `panic = "abort"` did, but without formatting a message nobody
/// reads.
#[cfg(not(feature = "saml"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

use alloc::borrow::ToOwned;
use alloc::string::String;
use interop::{js, JsResult, Options};

#[wasm_bindgen(typescript_custom_section)]
const TS_PKCE: &'static str = r#"
/** A PKCE pair (RFC 7636). `codeChallengeMethod` is always `"S256"`. */
export interface PkcePair { codeVerifier: string; codeChallenge: string; codeChallengeMethod: "S256"; }
/** Options of `createPkce`. */
export interface PkceOptions { /** 43–128, default 64. */ length?: number; /** Only "S256"; "plain" is refused. */ method?: "S256"; }
/** Every error thrown by edge-sso. */
export interface EdgeSsoError extends Error { name: "EdgeSsoError"; code: string; error?: string; errorDescription?: string; errorUri?: string; }
"#;

/// Generates a PKCE verifier (43–128 chars from the CSPRNG, default 64) and its S256 challenge.
#[wasm_bindgen(js_name = createPkce, unchecked_return_type = "PkcePair")]
pub fn create_pkce(
    #[wasm_bindgen(unchecked_param_type = "PkceOptions | undefined")] options: JsValue,
) -> JsResult<JsValue> {
    let o = js(Options::read(&options, "options", &["length", "method"]))?;
    if let Some(m) = js(o.string("method"))? {
        js(crate::oauth::pkce::check_method(&m))?;
    }
    let len = js(o.uint("length"))?.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
    let pair = js(crate::create_pkce(len))?;
    // One JSON text and one JSON.parse instead of six strings and three
    // Reflect.set calls across the boundary. Both values are base64url, so
    // nothing needs escaping; the text holds the verifier and is wiped.
    let (verifier, challenge) = (pair.verifier.expose(), pair.challenge.as_str());
    let mut text =
        zeroize::Zeroizing::new(String::with_capacity(96 + verifier.len() + challenge.len()));
    for part in [
        r#"{"codeVerifier":""#,
        verifier,
        r#"","codeChallenge":""#,
        challenge,
        r#"","codeChallengeMethod":"S256"}"#,
    ] {
        text.push_str(part);
    }
    host::json_parse(&text)
}

/// The S256 challenge of a verifier, after checking it against RFC 7636 §4.1.
/// `method` may only be `"S256"`; `"plain"` is refused.
#[wasm_bindgen(js_name = pkceChallenge)]
pub fn pkce_challenge(verifier: &str, method: Option<String>) -> JsResult<String> {
    if let Some(m) = method {
        js(crate::oauth::pkce::check_method(&m))?;
    }
    Ok(js(crate::pkce_challenge(verifier))?.as_str().to_owned())
}

/// 256 random bits, base64url: a fresh OAuth `state`.
#[wasm_bindgen(js_name = randomState)]
pub fn random_state() -> JsResult<String> {
    js(crate::random_state())
}

/// 256 random bits, base64url: a fresh OpenID Connect `nonce`.
#[wasm_bindgen(js_name = randomNonce)]
pub fn random_nonce() -> JsResult<String> {
    js(crate::random_nonce())
}

/// The crate version, for diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
