//! The JavaScript built-ins the facade calls, declared here instead of taken
//! from `js-sys`.
//!
//! Linking `js-sys` at all, even for one function, puts its JSPI task export
//! (`__wbg_jspi_task_poll`, with the futures task machinery behind it) and
//! the descriptors of its whole API into the module, and those keep some
//! forty closure shims alive that nothing calls. The OAuth-only module calls
//! only `Date.now` from here (its API crosses as JSON text, see `answer.rs`),
//! so it does without `js-sys`; the full module takes `js-sys` only for the
//! typed array and `WebAssembly.Memory` that `text_in.rs` writes a long
//! string into, with the `TextEncoder` declared below.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Date.now()`: milliseconds since the epoch.
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn date_now() -> f64;
}

#[cfg(feature = "saml")]
#[wasm_bindgen]
extern "C" {
    /// A `TextEncoder` (UTF-8).
    pub type TextEncoder;

    /// `new TextEncoder()`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> TextEncoder;

    /// `encoder.encodeInto(source, destination)`: as much of `source` as
    /// fits, UTF-8, into `destination`.
    #[wasm_bindgen(method, js_name = encodeInto)]
    pub fn encode_into(
        this: &TextEncoder,
        source: &js_sys::JsString,
        destination: &js_sys::Uint8Array,
    ) -> EncodeIntoResult;

    /// What `encodeInto` returns: `{ read, written }`.
    pub type EncodeIntoResult;

    /// UTF-16 code units read from the source.
    #[wasm_bindgen(method, getter)]
    pub fn read(this: &EncodeIntoResult) -> f64;

    /// Bytes written to the destination.
    #[wasm_bindgen(method, getter)]
    pub fn written(this: &EncodeIntoResult) -> f64;
}
