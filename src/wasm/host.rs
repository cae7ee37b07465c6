//! The JavaScript built-ins the facade calls, declared here instead of taken
//! from `js-sys`.
//!
//! Linking `js-sys` at all, even for one function, puts its JSPI task export
//! (`__wbg_jspi_task_poll`, with the futures task machinery behind it) and
//! the descriptors of its whole API into the module, and those keep some
//! forty closure shims alive that nothing calls. Neither module links it:
//! both call `Date.now` from here (their APIs cross as JSON text, see
//! `answer.rs`), and the full module also the `TextEncoder`, the string
//! length, the typed array and the `WebAssembly.Memory` buffer with which
//! `text_in.rs` writes a long string into its memory.

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
        source: &JsString,
        destination: &Uint8Array,
    ) -> EncodeIntoResult;

    /// A JS string (the caller checks `typeof` first: no cast checks it).
    pub type JsString;

    /// `s.length`: UTF-16 code units.
    #[wasm_bindgen(method, getter)]
    pub fn length(this: &JsString) -> u32;

    /// A `Uint8Array`.
    pub type Uint8Array;

    /// `new Uint8Array(buffer, byteOffset, length)`: a view, no copy.
    #[wasm_bindgen(constructor)]
    pub fn new(buffer: &JsValue, byte_offset: u32, length: u32) -> Uint8Array;

    /// The module's `WebAssembly.Memory` (what `wasm_bindgen::memory()` is).
    pub type WasmMemory;

    /// `memory.buffer`: its current `ArrayBuffer`.
    #[wasm_bindgen(method, getter)]
    pub fn buffer(this: &WasmMemory) -> JsValue;

    /// What `encodeInto` returns: `{ read, written }`.
    pub type EncodeIntoResult;

    /// UTF-16 code units read from the source.
    #[wasm_bindgen(method, getter)]
    pub fn read(this: &EncodeIntoResult) -> f64;

    /// Bytes written to the destination.
    #[wasm_bindgen(method, getter)]
    pub fn written(this: &EncodeIntoResult) -> f64;
}
