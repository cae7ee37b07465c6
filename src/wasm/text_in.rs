//! Large strings into wasm memory with one `TextEncoder.encodeInto`.
//!
//! Why: for a `&str` parameter the generated glue copies an ASCII string one
//! `charCodeAt` at a time in JavaScript; a posted SAMLResponse is ~7 KB of
//! base64, and that loop cost more than parsing the XML. `encodeInto` writes
//! the UTF-8 straight into a buffer the module allocated.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::host::{EncodeIntoResult, JsString, TextEncoder, Uint8Array, WasmMemory};
use crate::error::{Error, Result};

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
    if !value.is_string() {
        return Err(Error::InvalidArgument {
            field,
            reason: "must be a string",
        });
    }
    let s: &JsString = value.unchecked_ref();
    let units = s.length() as usize;
    if units > max_units {
        return Err(too_long);
    }
    // A posted SAMLResponse is base64, one byte per code unit: try a buffer
    // of that size first (no zeroing of a 3× buffer), and only for a string
    // with other characters the size that always fits (each UTF-16 code
    // unit becomes at most 3 bytes of UTF-8).
    let (mut buf, mut result) = encode_into(s, units);
    if result.read() as usize != units {
        (buf, result) = encode_into(s, units * 3);
    }
    // The larger buffer fits any string of this length; a short read would
    // mean a truncated message, so it is refused rather than parsed.
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

/// `s` encoded as UTF-8 into a new buffer of `capacity` bytes, as far as it fits.
fn encode_into(s: &JsString, capacity: usize) -> (Vec<u8>, EncodeIntoResult) {
    let buf = vec![0u8; capacity];
    let memory: WasmMemory = wasm_bindgen::memory().unchecked_into();
    // The address of `buf` inside the module's memory (wasm32: it fits u32).
    let view = Uint8Array::new(&memory.buffer(), buf.as_ptr() as u32, buf.len() as u32);
    let result = ENCODER.with(|e| e.encode_into(s, &view));
    (buf, result)
}
