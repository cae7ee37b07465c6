//! JS value <-> Rust conversions for the facade. Nothing here decides
//! anything about security; it only reads options strictly and turns errors
//! into `Error` objects with a `code`.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::{JsCast, JsValue};

use super::host::{self, JsArray, JsErrorObject, JsObject};

use crate::error::Error;

/// Converts an edge-sso error into a JS `Error` with `name`, `code`, and for
/// a SAML status its codes and message. (The OAuth API builds its errors in
/// `js/wasm-support.js` from the JSON that `oauth.rs` answers.)
pub(crate) fn to_js_error(e: Error) -> JsValue {
    let err = JsErrorObject::new(&e.message());
    err.set_name("EdgeSsoError");
    let obj: &JsValue = err.as_ref();
    set(obj, "code", &e.code().into());
    #[cfg(feature = "saml")]
    if let Error::SamlStatus(st) = &e {
        set(obj, "statusCode", &st.code.as_str().into());
        if let Some(v) = &st.second_level {
            set(obj, "secondLevelStatusCode", &v.as_str().into());
        }
        if let Some(v) = &st.message {
            set(obj, "statusMessage", &v.as_str().into());
        }
    }
    err.into()
}

pub(crate) type JsResult<T> = Result<T, JsValue>;

/// Runs `f` and converts its error.
pub(crate) fn js<T>(r: crate::Result<T>) -> JsResult<T> {
    r.map_err(to_js_error)
}

pub(crate) fn set(obj: &JsValue, key: &str, value: &JsValue) {
    // Reflect.set fails only on frozen or exotic targets; ours are fresh objects.
    host::reflect_set(obj, key, value);
}

pub(crate) fn new_object() -> JsValue {
    JsObject::new().into()
}

/// The items of a JS array, in order.
fn items(arr: &JsArray) -> impl Iterator<Item = JsValue> + '_ {
    (0..arr.length()).map(|i| arr.get(i))
}

/// A plain object: `instanceof Object`, not an array, not a function, and
/// its prototype `null` or an `Object.prototype` (of any realm), so a `Map`,
/// a `Date` or a class instance, whose entries are not its own properties,
/// is not read as an empty options object. The rule of `js/wasm-support.js`.
fn plain_object(value: &JsValue) -> Option<&JsObject> {
    value.dyn_ref::<JsObject>().filter(|_| {
        if JsArray::is_array(value) || value.is_function() {
            return false;
        }
        let proto = JsObject::prototype_of(value);
        proto.is_null() || JsObject::prototype_of(&proto).is_null()
    })
}

pub(crate) fn opt_str(obj: &JsValue, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set(obj, key, &v.into());
    }
}

/// A caller's options object, checked against the keys the function knows.
///
/// Its own enumerable members are read once, by one `Object.entries`: fewer
/// boundary crossings than a lookup per known key, and a getter runs once, so
/// the value that was checked is the value that is used.
pub(crate) struct Options {
    entries: Vec<(String, JsValue)>,
}

impl Options {
    /// `undefined`/`null` is an empty options object; anything but a plain
    /// object is refused; unknown keys are refused (a typo must not silently
    /// disable a check), keys that would carry a secret even more clearly.
    pub fn read(value: &JsValue, what: &'static str, allowed: &[&str]) -> crate::Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(Self {
                entries: Vec::new(),
            });
        }
        let Some(obj) = plain_object(value) else {
            return Err(Error::InvalidArgument {
                field: what,
                reason: "must be a plain object (a Map, a Date or a class instance is not read as options)",
            });
        };
        let pairs = JsObject::entries(obj);
        // A member made with Object.defineProperty is not enumerable, so
        // Object.entries skips it without a word; a skipped option could be
        // a check (the same rule as js/wasm-support.js).
        if JsObject::own_property_names(obj).length() != pairs.length() {
            return Err(Error::InvalidArgument {
                field: what,
                reason: "has a member that is not enumerable, so it would not be read",
            });
        }
        let mut entries = Vec::with_capacity(pairs.length() as usize);
        for i in 0..pairs.length() {
            let pair: JsArray = pairs.get(i).unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            crate::options::check_name(&name, allowed)?;
            entries.push((name, pair.get(1)));
        }
        Ok(Self { entries })
    }

    /// Own members only (an inherited value from a polluted
    /// `Object.prototype` must never switch a check on or off); `undefined`
    /// and `null` read as absent.
    fn get(&self, key: &str) -> Option<&JsValue> {
        let (_, v) = self.entries.iter().find(|(k, _)| k == key)?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    pub fn string(&self, key: &'static str) -> crate::Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or(Error::InvalidArgument {
                field: key,
                reason: "must be a string",
            }),
        }
    }

    pub fn required_string(&self, key: &'static str) -> crate::Result<String> {
        self.string(key)?.ok_or(Error::InvalidArgument {
            field: key,
            reason: "is required",
        })
    }

    pub fn bool(&self, key: &'static str) -> crate::Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or(Error::InvalidArgument {
                field: key,
                reason: "must be a boolean",
            }),
        }
    }

    /// A non-negative integer that fits a JS safe integer.
    pub fn uint(&self, key: &'static str) -> crate::Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                // In range, `f as u64` drops only a fraction, so the round
                // trip is exact for integers alone (`f64::fract` is std-only).
                Some(f)
                    if f.is_finite()
                        && (0.0..=9_007_199_254_740_991.0).contains(&f)
                        && (f as u64) as f64 == f =>
                {
                    Ok(Some(f as u64))
                }
                _ => Err(Error::InvalidArgument {
                    field: key,
                    reason: "must be a non-negative integer",
                }),
            },
        }
    }

    /// `now` in ms since the epoch: the caller's (tests pin it) or the host clock.
    pub fn now(&self) -> crate::Result<u64> {
        Ok(match self.uint("now")? {
            Some(n) => n,
            None => host::date_now() as u64,
        })
    }

    /// Whether `key` is an own member at all, whatever its value
    /// (`undefined` and `null` included).
    pub fn present(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    /// A nested options object (not an array, not a function).
    pub fn object(&self, key: &'static str) -> crate::Result<Option<JsValue>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.is_object() && !JsArray::is_array(v) && !v.is_function() => {
                Ok(Some(v.clone()))
            }
            Some(_) => Err(Error::InvalidArgument {
                field: key,
                reason: "must be an object",
            }),
        }
    }

    /// An array of strings.
    pub fn string_list(&self, key: &'static str) -> crate::Result<Vec<String>> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        if !JsArray::is_array(v) {
            return Err(Error::InvalidArgument {
                field: key,
                reason: "must be an array of strings",
            });
        }
        let arr: &JsArray = v.unchecked_ref();
        items(arr)
            .map(|item| {
                item.as_string().ok_or(Error::InvalidArgument {
                    field: key,
                    reason: "must be an array of strings",
                })
            })
            .collect()
    }

    /// A string, or an array of strings, as a list.
    pub fn string_or_list(&self, key: &'static str) -> crate::Result<Vec<String>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(v) if v.is_string() => Ok(v.as_string().into_iter().collect()),
            Some(_) => self.string_list(key),
        }
    }
}
