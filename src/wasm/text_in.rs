//! Large strings into wasm memory with one `TextEncoder.encodeInto`.
//!
//! Why: for a `&str` parameter the generated glue copies an ASCII string one
//! `charCodeAt` at a time in JavaScript; a posted SAMLResponse is ~7 KB of
//! base64, and that loop cost more than parsing the XML. `encodeInto` writes
//! the UTF-8 straight into a buffer the module allocated.

use js_sys::{JsString, Uint8Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{Error, Result};

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(
        this: &TextEncoder,
        source: &JsString,
        destination: &Uint8Array,
    ) -> EncodeIntoResult;

    type EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> f64;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// `value` (which must be a string of at most `max_units` UTF-16 code units)
/// as a Rust `String`. Lone surrogates become U+FFFD, as in `TextEncoder`.
pub(crate) fn read_string(
    value: &JsValue,
    field: &'static str,
    max_units: usize,
    too_long: Error,
) -> Result<String> {
    let s: &JsString = value.dyn_ref().ok_or(Error::InvalidArgument {
        field,
        reason: "must be a string",
    })?;
    let units = s.length() as usize;
    if units > max_units {
        return Err(too_long);
    }
    // Each UTF-16 code unit becomes at most 3 bytes of UTF-8.
    let mut buf = vec![0u8; units * 3];
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    // The address of `buf` inside the module's memory (wasm32: it fits u32).
    let view = Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        buf.as_ptr() as u32,
        buf.len() as u32,
    );
    let result = ENCODER.with(|e| e.encode_into(s, &view));
    // The buffer fits any string of this length; a short read would mean a
    // truncated message, so it is refused rather than parsed.
    if result.read() as usize != units {
        return Err(Error::InvalidArgument {
            field,
            reason: "could not be read whole",
        });
    }
    buf.truncate(result.written() as usize);
    String::from_utf8(buf).map_err(|_| Error::InvalidArgument {
        field,
        reason: "could not be read as UTF-8",
    })
}
