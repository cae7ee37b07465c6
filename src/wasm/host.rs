//! The JavaScript built-ins the facade calls, declared here instead of taken
//! from `js-sys`.
//!
//! Linking `js-sys` at all, even for one function, puts its JSPI task export
//! (`__wbg_jspi_task_poll`, with the futures task machinery behind it) and
//! the descriptors of its whole API into the module, and those keep some
//! forty closure shims alive that nothing calls. The OAuth-only module calls
//! only `Date.now` from here (its API crosses as JSON text, see `oauth.rs`;
//! the bindings it does not call leave no import behind), so it does without
//! `js-sys`; the full module still takes `js-sys` for the SAML facade's
//! promises, typed arrays and `WebAssembly.Memory` (see `saml.rs`,
//! `text_in.rs`), and the SAML facade's conversions (`interop.rs`) use the
//! other declarations below. `TextEncoder`,
//! which only the SAML facade uses (`text_in.rs`), is declared here too, in
//! the full module only.
//!
//! Each binding is the very JavaScript operation the `js-sys` function of
//! the same name performs, so behaviour does not change: `instanceof Object`
//! for the object checks, `Object.entries` for own enumerable members,
//! `Reflect.set` for results, `JSON.parse` with its exception caught.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A JavaScript object; [`JsCast`](wasm_bindgen::JsCast) checks it with
    /// `instanceof Object`, as `js_sys::Object` does.
    #[wasm_bindgen(js_name = Object)]
    pub type JsObject;

    /// `new Object()`.
    #[wasm_bindgen(constructor, js_class = "Object")]
    pub fn new() -> JsObject;

    /// `Object.entries(o)`: the own enumerable string-keyed members as
    /// `[name, value]` arrays, each getter run once.
    #[wasm_bindgen(static_method_of = JsObject, js_class = "Object")]
    pub fn entries(o: &JsObject) -> JsArray;

    /// `Object.getOwnPropertyNames(o)`: every own string-keyed member,
    /// enumerable or not.
    #[wasm_bindgen(static_method_of = JsObject, js_class = "Object", js_name = getOwnPropertyNames)]
    pub fn own_property_names(o: &JsObject) -> JsArray;

    /// `Object.getPrototypeOf(v)`.
    #[wasm_bindgen(static_method_of = JsObject, js_class = "Object", js_name = getPrototypeOf)]
    pub fn prototype_of(v: &JsValue) -> JsValue;

    /// A JavaScript array.
    #[wasm_bindgen(js_name = Array)]
    pub type JsArray;

    /// `Array.isArray(v)`.
    #[wasm_bindgen(static_method_of = JsArray, js_class = "Array", js_name = isArray)]
    pub fn is_array(v: &JsValue) -> bool;

    /// `a.length`.
    #[wasm_bindgen(method, getter, js_class = "Array")]
    pub fn length(this: &JsArray) -> u32;

    /// `a[i]` (`undefined` past the end).
    #[wasm_bindgen(method, indexing_getter, js_class = "Array")]
    pub fn get(this: &JsArray, i: u32) -> JsValue;

    /// A JavaScript `Error`.
    #[wasm_bindgen(js_name = Error)]
    pub type JsErrorObject;

    /// `new Error(message)`.
    #[wasm_bindgen(constructor, js_class = "Error")]
    pub fn new(message: &str) -> JsErrorObject;

    /// `e.name = name`.
    #[wasm_bindgen(method, setter = name, js_class = "Error")]
    pub fn set_name(this: &JsErrorObject, name: &str);

    /// `Reflect.set(target, key, value)`. It throws only for a target that is
    /// not an object, and the facade only sets members of objects it has just
    /// created, so it is not wrapped in a `catch`.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    pub fn reflect_set(target: &JsValue, key: &str, value: &JsValue) -> bool;

    /// `JSON.parse(text)`, its `SyntaxError` caught.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub fn json_parse(text: &str) -> Result<JsValue, JsValue>;

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
