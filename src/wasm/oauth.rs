//! The OAuth API's wasm side: `RawOAuthClient`, whose methods are the public
//! API's methods and functions under the same JS names, each answering one
//! string as `answer.rs` says. A method's string arguments are handed over
//! just before it by `args`, the one export that takes strings: a string
//! parameter puts conversion code into each export's shim, and every export
//! costs a shim of its own (BENCHMARKS.md has the figures). Numbers
//! are the methods' own parameters.
//!
//! The public classes (`OAuthClient`, `AuthorizationResponse`) and functions
//! (`createPkce`, ...) are thin JavaScript in `js/oauth-api.js`, declared in
//! `js/oauth.d.ts`. Why the split: reading a JS options object member by
//! member from wasm took a large part of the OAuth-only module (wasm-bindgen's
//! shims, a dozen imported JS operations and a handle table: BENCHMARKS.md
//! has the figures); options as JSON text read by [`crate::options`] and
//! answers as JSON text cost a fraction of it.
//!
//! Arguments arrive as owned strings and are wiped when dropped. The
//! OAuth-only module goes further: its allocator wipes every block it frees
//! (`WipeOnFree` in `wasm/mod.rs`), so no copy of a verifier, a code or a
//! token outlives its owner there, whoever made it (wasm-bindgen copies a
//! non-ASCII argument in by reallocation, for one). The full module keeps
//! std's allocator unwrapped: SAML validation frees too much for it.

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::answer::{
    arg, done, json_bool, json_str, named_options, options, reply, text, Answer, Arg,
};
use crate::error::{Error, VaultError};
use crate::json_out::JsonObject;
use crate::oauth::{
    AuthorizationRequest, AuthorizationResponse as CoreResponse, AuthorizeOptions, CarriedFlow,
    ClientConfig, CodeVerifier, DpopKey, LogoutOptions, OAuthClient as Core, ResourceRequest,
    TokenInfo, TokenKind, TokenRequest, UserinfoAnswer, WellKnown,
};
use crate::one_time::MAX_PENDING;
use crate::options::Options;

/// Why a carried flow without `nonce` or `expiresAt` is refused: leaving one
/// out (or misspelling it) would turn its check off.
const CARRIED: &str =
    "a carried flow must pass what authorize() returned (null for no nonce and for no maxAge)";

// A client's state in the module: its core and the callbacks that passed
// their checks, each under a number the JS `AuthorizationResponse` holds.
// (A `//` comment: a doc comment would go into the generated .d.ts, before
// the class that scripts/build.sh leaves out of the public one.)
#[wasm_bindgen]
pub struct RawOAuthClient {
    inner: Option<Core>,
    /// Response `n` lives in slot `n % MAX_PENDING` until it is redeemed,
    /// dropped (`free()`, `clear()`, or its JS object collected), or
    /// response `n + MAX_PENDING` takes the slot: at most MAX_PENDING are
    /// held, like the pending authorizations they came from, and a dropped
    /// one has its code and verifier wiped.
    held: Held,
    /// The string arguments of the next method, set by `args` just before
    /// it and wiped when it answers.
    args: (Arg, Arg),
}

/// The callbacks that passed their checks, awaiting `tokenRequest`.
struct Held {
    responses: Vec<Option<(u32, CoreResponse)>>,
    next_id: u32,
}

/// The slot holding response `n`, if it is still there.
fn slot(
    responses: &mut [Option<(u32, CoreResponse)>],
    n: u32,
) -> Option<&mut Option<(u32, CoreResponse)>> {
    let slot = responses.get_mut(n as usize % MAX_PENDING)?;
    slot.as_ref()
        .is_some_and(|(id, _)| *id == n)
        .then_some(slot)
}

/// `now` from the options, else the host clock.
fn now(o: &Options<'_>) -> crate::Result<u64> {
    Ok(o.now()?.unwrap_or_else(|| super::host::date_now() as u64))
}

/// A POST for the caller's `fetch`: `id` names a token request's answer;
/// `dpopInput` is its DPoP proof's signing input, for the JS layer to sign.
fn token_request_json(r: &TokenRequest, dpop_input: Option<&str>) -> Answer {
    let body = r.body.expose();
    let input_len = dpop_input.map_or(0, str::len);
    // Sized so the buffer never grows: a grown buffer would leave a copy of
    // the body (a code or a refresh token) in freed memory.
    let mut o = JsonObject::with_capacity(r.url.len() + 2 * body.len() + input_len + 256);
    o.string("url", &r.url).string("method", r.method);
    o.object("headers", |h| {
        for (k, v) in r.headers {
            h.string(k, v);
        }
    });
    o.string("body", body)
        .number("id", u64::from(r.id))
        .opt_string("dpopInput", dpop_input);
    done(o)
}

/// A GET or other request with the access token in `authorization`.
fn resource_json(url: &str, method: &str, r: &ResourceRequest) -> Answer {
    let input_len = r.dpop_input.as_deref().map_or(0, str::len);
    let mut o =
        JsonObject::with_capacity(2 * url.len() + 2 * r.authorization.len() + input_len + 128);
    o.string("url", url).string("method", method);
    o.object("headers", |h| {
        h.string("authorization", &r.authorization);
    });
    o.opt_string("dpopInput", r.dpop_input.as_deref());
    done(o)
}

/// The token endpoint's DPoP proof input for `r`, when the client has a key.
fn token_dpop(core: &Core, r: &TokenRequest, now: u64) -> crate::Result<Option<String>> {
    core.dpop_input("POST", &r.url, now, false)
}

fn token_info_json(o: &mut JsonObject, i: &TokenInfo) {
    o.string("tokenType", i.token_type)
        .opt_number("expiresAt", i.expires_at)
        .opt_string("scope", i.scope.as_deref())
        .boolean("hasRefreshToken", i.has_refresh_token)
        .boolean("hasIdToken", i.has_id_token);
}

fn token_info_answer(i: Option<TokenInfo>) -> Answer {
    match i {
        None => Ok(Zeroizing::new(String::from("null"))),
        Some(i) => {
            let mut o = JsonObject::with_capacity(128);
            token_info_json(&mut o, &i);
            done(o)
        }
    }
}

const AUTHORIZE_KEYS: &[&str] = &[
    "scope",
    "nonce",
    "extraParams",
    "verifierLength",
    "carry",
    "now",
];

fn authorize_options(o: &Options<'_>) -> crate::Result<AuthorizeOptions> {
    Ok(AuthorizeOptions {
        scope: o.string("scope")?,
        nonce: o.bool("nonce")?.unwrap_or(false),
        extra: o.string_map("extraParams")?,
        verifier_length: o
            .uint("verifierLength")?
            .map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
    })
}

/// A started flow as JSON: `url` (empty for a pushed one), `state`, `nonce`,
/// `expiresAt`, and with `carry` the verifier, scope and `maxAge`.
fn started(req: &AuthorizationRequest, carry: bool) -> Zeroizing<String> {
    // Sized so the buffer never grows once the verifier is in it:
    // the scope is written again (a valid scope needs no escapes).
    let scope_len = req.scope.as_deref().map_or(0, str::len);
    let mut out = JsonObject::with_capacity(req.url.len() + scope_len + 512);
    if !req.url.is_empty() {
        out.string("url", &req.url);
    }
    out.string("state", &req.state)
        .opt_string("nonce", req.nonce.as_deref());
    if carry {
        // Only when the caller keeps the flow itself: otherwise
        // the verifier never leaves the wasm instance.
        out.string("codeVerifier", req.code_verifier.expose())
            .opt_string("scope", req.scope.as_deref());
        if let Some(max_age) = req.max_age {
            out.number("maxAge", max_age);
        }
    }
    out.number("expiresAt", req.expires_at);
    Zeroizing::new(out.finish())
}

/// `status` from the options, an HTTP status.
fn status_of(o: &Options<'_>) -> crate::Result<Option<u16>> {
    match o.uint("status")? {
        Some(s) => Ok(Some(u16::try_from(s).map_err(|_| {
            Error::InvalidArgument {
                field: "status",
                reason: "not an HTTP status",
            }
        })?)),
        None => Ok(None),
    }
}

/// A response body (the JS layer gives a parsed object as JSON text).
fn body_of(a: &Arg) -> crate::Result<&str> {
    match a {
        Some(s) => Ok(s),
        None => Err(Error::InvalidArgument {
            field: "body",
            reason:
                "must be the response body as a string, a parsed JSON object or a fetch Response",
        }),
    }
}

const CONFIG_KEYS: [&str; 16] = [
    "authorizationEndpoint",
    "tokenEndpoint",
    "clientId",
    "redirectUri",
    "issuer",
    "issParameterSupported",
    "scope",
    "dpop",
    "pendingTtlMs",
    "userinfoEndpoint",
    "revocationEndpoint",
    "endSessionEndpoint",
    "pushedAuthorizationRequestEndpoint",
    "requirePushedAuthorizationRequests",
    "dpopKeyPair",
    "clockSkewSeconds",
];

/// What `OAuthClient.fromMetadata` takes beside the metadata.
const FROM_METADATA_KEYS: [&str; 7] = [
    "issuer",
    "clientId",
    "redirectUri",
    "scope",
    "pendingTtlMs",
    "dpopKeyPair",
    "clockSkewSeconds",
];

/// The members shared by both ways of configuring a client.
fn common_config(c: &mut ClientConfig, o: &Options<'_>) -> crate::Result<()> {
    if let Some(scope) = o.string("scope")? {
        c.scope = Some(scope);
    }
    if let Some(ttl) = o.uint("pendingTtlMs")? {
        c.pending_ttl_ms = ttl;
    }
    if let Some(skew) = o.uint("clockSkewSeconds")? {
        c.clock_skew_seconds = skew;
    }
    // The JS layer holds the key pair and says only that there is one.
    if o.bool("dpopKeyPair")?.unwrap_or(false) {
        c.dpop = true;
    }
    Ok(())
}

#[wasm_bindgen(js_class = RawOAuthClient)]
impl RawOAuthClient {
    /// An unconfigured client; `configure` or `fromMetadata` configures it.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self {
            inner: None,
            held: Held {
                responses: Vec::new(),
                next_id: 0,
            },
            args: (None, None),
        }
    }

    /// The string arguments of the method called next (`undefined` for
    /// "not given"): the one export that takes strings, so that no method's
    /// shim converts any (each would cost conversion code per argument).
    pub fn args(&mut self, a: Option<String>, b: Option<String>) {
        self.args = (arg(a), arg(b));
    }

    /// `new OAuthClient(config)`: `config` as JSON.
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn configure(&mut self) -> JsValue {
        let core = (|| {
            let o = named_options(&self.args.0, "config", &CONFIG_KEYS)?;
            let mut c = ClientConfig::new(
                o.required_string("authorizationEndpoint")?,
                o.required_string("tokenEndpoint")?,
                o.required_string("clientId")?,
                o.required_string("redirectUri")?,
            );
            c.issuer = o.string("issuer")?;
            c.iss_parameter_supported = o.bool("issParameterSupported")?.unwrap_or(false);
            c.dpop = o.bool("dpop")?.unwrap_or(false);
            c.userinfo_endpoint = o.string("userinfoEndpoint")?;
            c.revocation_endpoint = o.string("revocationEndpoint")?;
            c.end_session_endpoint = o.string("endSessionEndpoint")?;
            c.par_endpoint = o.string("pushedAuthorizationRequestEndpoint")?;
            c.require_par = o
                .bool("requirePushedAuthorizationRequests")?
                .unwrap_or(false);
            common_config(&mut c, &o)?;
            Core::new(c)
        })();
        self.configured(core)
    }

    /// `OAuthClient.fromMetadata(metadata, config)`: the metadata's text and
    /// `config` as JSON.
    #[wasm_bindgen(js_name = fromMetadata, unchecked_return_type = "string")]
    pub fn configure_from_metadata(&mut self) -> JsValue {
        let core = (|| {
            let o = named_options(&self.args.1, "config", &FROM_METADATA_KEYS)?;
            let issuer = o.required_string("issuer")?;
            let m = crate::oauth::read_provider_metadata(text(&self.args.0, "metadata")?, &issuer)?;
            let mut c = ClientConfig::from_metadata(
                &m,
                o.required_string("clientId")?,
                o.required_string("redirectUri")?,
            );
            common_config(&mut c, &o)?;
            if c.dpop {
                crate::oauth::check_dpop_alg(&m)?;
            }
            Core::new(c)
        })();
        self.configured(core)
    }

    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn authorize(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, AUTHORIZE_KEYS)?;
            let carry = o.bool("carry")?.unwrap_or(false);
            let req = core.authorize(authorize_options(&o)?, now(&o)?)?;
            Ok(started(&req, carry))
        })
    }

    /// The answer's `id` names the response for `tokenRequest`.
    #[wasm_bindgen(js_name = handleCallback, unchecked_return_type = "string")]
    pub fn handle_callback(&mut self) -> JsValue {
        self.with_core(0, |core, held, url, b, _| {
            let url = text(url, "url")?;
            let o = self::options(
                b,
                &[
                    "now",
                    "expectedState",
                    "codeVerifier",
                    "nonce",
                    "expiresAt",
                    "scope",
                    "maxAge",
                ],
            )?;
            let carried = match (o.string("expectedState")?, o.str("codeVerifier")?) {
                (None, None) => None,
                (Some(expected_state), Some(v)) => {
                    // Leaving `nonce` out would silently turn the ID
                    // token's nonce check off; the caller must say
                    // `nonce: null` if none was sent.
                    if !o.has("nonce") {
                        return Err(Error::InvalidArgument {
                            field: "nonce",
                            reason: CARRIED,
                        });
                    }
                    // And `maxAge` likewise: left out, the auth_time check
                    // of a max_age that was sent would be off.
                    if !o.has("maxAge") {
                        return Err(Error::InvalidArgument {
                            field: "maxAge",
                            reason: CARRIED,
                        });
                    }
                    Some(CarriedFlow {
                        expected_state,
                        code_verifier: CodeVerifier::parse(v)?,
                        nonce: o.string("nonce")?,
                        // Required too: a misspelled `expiresAt` would
                        // otherwise let the flow live for ever.
                        expires_at: Some(o.uint("expiresAt")?.ok_or(Error::InvalidArgument {
                            field: "expiresAt",
                            reason: CARRIED,
                        })?),
                        scope: o.string("scope")?,
                        max_age: o.uint("maxAge")?,
                    })
                }
                _ => {
                    return Err(Error::InvalidArgument {
                        field: "expectedState",
                        reason:
                            "`expectedState` and `codeVerifier` are given together or not at all",
                    })
                }
            };
            let r = core.handle_callback(url, now(&o)?, carried)?;
            let id = held.next_id;
            held.next_id = id.wrapping_add(1);
            let mut out = JsonObject::with_capacity(256);
            out.number("id", u64::from(id))
                .string("state", &r.state)
                .opt_string("nonce", r.nonce.as_deref())
                .opt_string("iss", r.iss.as_deref());
            // Response `id` lives in slot `id % MAX_PENDING` whatever
            // happened before (clear() empties the slots, not the Vec).
            let i = id as usize % MAX_PENDING;
            if held.responses.len() <= i {
                held.responses.resize_with(i + 1, || None);
            }
            if let Some(slot) = held.responses.get_mut(i) {
                *slot = Some((id, r));
            }
            done(out)
        })
    }

    /// Redeems response `id` (the wrapper checks it holds one of this
    /// client's: numbers are per client).
    #[wasm_bindgen(js_name = tokenRequest, unchecked_return_type = "string")]
    pub fn token_request(&mut self, id: u32) -> JsValue {
        self.with_core(id, |core, held, _, _, id| {
            let at = now(&Options::empty())?;
            let (_, r) = slot(&mut held.responses, id)
                .and_then(Option::take)
                .ok_or(Error::Vault(VaultError::ResponseConsumed))?;
            let r = core.token_request(r)?;
            token_request_json(&r, token_dpop(core, &r, at)?.as_deref())
        })
    }

    #[wasm_bindgen(js_name = refreshRequest, unchecked_return_type = "string")]
    pub fn refresh_request(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, &["scope", "now"])?;
            // Read before the request is made: a refused call makes no
            // request, so nothing awaits an answer it will never get.
            let at = now(&o)?;
            let r = core.refresh_request(o.string("scope")?.as_deref())?;
            token_request_json(&r, token_dpop(core, &r, at)?.as_deref())
        })
    }

    /// `options.request` is the request's number, as the wrapper swapped it.
    #[wasm_bindgen(js_name = acceptTokenResponse, unchecked_return_type = "string")]
    pub fn accept_token_response(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            let o = self::options(b, &["now", "status", "request", "dpopNonce"])?;
            let status = status_of(&o)?;
            // The token endpoint's DPoP-Nonce, for a caller who read the headers itself.
            if let Some(nonce) = o.str("dpopNonce")? {
                core.set_dpop_nonce("", nonce)?;
            }
            let body = body_of(a)?;
            let info = match o.uint("request")? {
                Some(id) => {
                    let id =
                        u32::try_from(id).map_err(|_| Error::Vault(VaultError::NotOutstanding))?;
                    core.accept_token_response_for(id, body, status, now(&o)?)?
                }
                None => core.accept_token_response(body, status, now(&o)?)?,
            };
            token_info_answer(Some(info))
        })
    }

    #[wasm_bindgen(js_name = authorizationHeader, unchecked_return_type = "string")]
    pub fn authorization_header(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, &["now"])?;
            json_str(&core.authorization_header(now(&o)?)?)
        })
    }

    #[wasm_bindgen(js_name = needsRefresh, unchecked_return_type = "string")]
    pub fn needs_refresh(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, &["now", "leewaySeconds"])?;
            let leeway = o.uint("leewaySeconds")?.unwrap_or(60);
            json_bool(core.needs_refresh(now(&o)?, leeway))
        })
    }

    #[wasm_bindgen(js_name = tokenInfo, unchecked_return_type = "string")]
    pub fn token_info(&mut self) -> JsValue {
        self.with_core(0, |core, _, _, _, _| token_info_answer(core.token_info()))
    }

    #[wasm_bindgen(js_name = idTokenClaims, unchecked_return_type = "string")]
    pub fn id_token_claims(&mut self) -> JsValue {
        self.with_core(0, |core, _, _, _, _| {
            Ok(Zeroizing::new(match core.id_token_claims() {
                Some(c) => c.json.clone(),
                None => String::from("null"),
            }))
        })
    }

    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn clear(&mut self) -> JsValue {
        self.with_core(0, |core, held, _, _, _| {
            core.clear();
            held.responses.iter_mut().for_each(|s| *s = None);
            json_bool(true)
        })
    }

    /// `AuthorizationResponse.consumed`: whether response `id` is still held.
    #[wasm_bindgen(js_name = responseHeld, unchecked_return_type = "string")]
    pub fn response_held(&mut self, id: u32) -> JsValue {
        self.with_core(id, |_, held, _, _, id| {
            json_bool(slot(&mut held.responses, id).is_some())
        })
    }

    /// `AuthorizationResponse.free()`: drops response `id` (its code wiped).
    #[wasm_bindgen(js_name = dropResponse, unchecked_return_type = "string")]
    pub fn drop_response(&mut self, id: u32) -> JsValue {
        self.with_core(id, |_, held, _, _, id| {
            if let Some(s) = slot(&mut held.responses, id) {
                *s = None;
            }
            json_bool(true)
        })
    }

    /// The DPoP public key's coordinates (base64url), once exported.
    #[wasm_bindgen(js_name = setDpopKey, unchecked_return_type = "string")]
    pub fn set_dpop_key(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            core.set_dpop_key(DpopKey::from_coordinates(text(a, "x")?, text(b, "y")?)?);
            json_bool(true)
        })
    }

    /// A server's `DPoP-Nonce` for `url`'s origin.
    #[wasm_bindgen(js_name = dpopNonce, unchecked_return_type = "string")]
    pub fn dpop_nonce(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            core.set_dpop_nonce(text(a, "url")?, text(b, "dpopNonce")?)?;
            json_bool(true)
        })
    }

    /// A fresh proof's signing input for `send`'s retry.
    #[wasm_bindgen(js_name = dpopInput, unchecked_return_type = "string")]
    pub fn dpop_input(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            let o = self::options(b, &["method", "bound", "now"])?;
            let method = o.required_string("method")?;
            let bound = o.bool("bound")?.unwrap_or(false);
            match core.dpop_input(&method, text(a, "url")?, now(&o)?, bound)? {
                Some(input) => json_str(&input),
                None => Err(Error::InvalidArgument {
                    field: "dpopKeyPair",
                    reason: "this client has no DPoP key",
                }),
            }
        })
    }

    /// The proof from its signing input and WebCrypto's signature.
    #[wasm_bindgen(js_name = dpopProof, unchecked_return_type = "string")]
    pub fn dpop_proof(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            // The signature arrives in base64url (the decoder is here
            // already; a string of byte-valued chars needed code of its
            // own); one that does not decode is refused as not 64 bytes.
            let sig = crate::b64url::decode(text(b, "signature")?.as_bytes()).unwrap_or_default();
            json_str(&core.dpop_proof(text(a, "input")?, &sig)?)
        })
    }

    #[wasm_bindgen(js_name = resourceRequest, unchecked_return_type = "string")]
    pub fn resource_request(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            let o = self::options(b, &["method", "now"])?;
            let mut method = o.string("method")?.unwrap_or_else(|| String::from("GET"));
            // fetch sends these six in upper case, however given (the Fetch
            // standard's method normalization), and a DPoP proof's `htm`
            // must be what is sent; any other method is sent as given and
            // must already be upper case.
            if ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&method))
            {
                method.make_ascii_uppercase();
            }
            let url = text(a, "url")?;
            resource_json(
                url,
                &method,
                &core.resource_request(&method, url, now(&o)?)?,
            )
        })
    }

    #[wasm_bindgen(js_name = userinfoRequest, unchecked_return_type = "string")]
    pub fn userinfo_request(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, &["now"])?;
            let (url, r) = core.userinfo_request(now(&o)?)?;
            resource_json(&url, "GET", &r)
        })
    }

    #[wasm_bindgen(js_name = acceptUserinfo, unchecked_return_type = "string")]
    pub fn accept_userinfo(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            let o = self::options(b, &["status", "contentType", "wwwAuthenticate"])?;
            let answer = UserinfoAnswer {
                body: body_of(a)?,
                status: status_of(&o)?,
                content_type: o.str("contentType")?,
                www_authenticate: o.str("wwwAuthenticate")?,
            };
            Ok(Zeroizing::new(core.accept_userinfo(&answer)?))
        })
    }

    #[wasm_bindgen(js_name = pushedAuthorizationRequest, unchecked_return_type = "string")]
    pub fn pushed_authorization_request(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, AUTHORIZE_KEYS)?;
            let carry = o.bool("carry")?.unwrap_or(false);
            let at = now(&o)?;
            let pushed = core.pushed_authorization_request(authorize_options(&o)?, at)?;
            let dpop = token_dpop(core, &pushed.request, at)?;
            let req = token_request_json(&pushed.request, dpop.as_deref())?;
            let start = started(&pushed.authorization, carry);
            let mut out = String::with_capacity(req.len() + start.len() + 16);
            out.push_str("{\"request\":");
            out.push_str(&req);
            out.push(',');
            // `start` is an object: its members follow `request`'s.
            out.push_str(start.get(1..).unwrap_or("}"));
            Ok(Zeroizing::new(out))
        })
    }

    #[wasm_bindgen(js_name = acceptParResponse, unchecked_return_type = "string")]
    pub fn accept_par_response(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, b, _| {
            let o = self::options(b, &["status"])?;
            json_str(&core.accept_par_response(body_of(a)?, status_of(&o)?)?)
        })
    }

    #[wasm_bindgen(js_name = revocationRequest, unchecked_return_type = "string")]
    pub fn revocation_request(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(a, &["token"])?;
            let kind = match o.str("token")? {
                None => None,
                Some("refresh_token") => Some(TokenKind::RefreshToken),
                Some("access_token") => Some(TokenKind::AccessToken),
                Some(_) => {
                    return Err(Error::InvalidArgument {
                        field: "token",
                        reason: "must be \"refresh_token\" or \"access_token\"",
                    })
                }
            };
            token_request_json(&core.revocation_request(kind)?, None)
        })
    }

    #[wasm_bindgen(js_name = logoutUrl, unchecked_return_type = "string")]
    pub fn logout_url(&mut self) -> JsValue {
        self.with_core(0, |core, _, a, _, _| {
            let o = self::options(
                a,
                &["postLogoutRedirectUri", "state", "idTokenHint", "uiLocales"],
            )?;
            json_str(&core.logout_url(&LogoutOptions {
                post_logout_redirect_uri: o.string("postLogoutRedirectUri")?,
                state: o.string("state")?,
                id_token_hint: o.bool("idTokenHint")?.unwrap_or(false),
                ui_locales: o.string("uiLocales")?,
            })?)
        })
    }

    // The functions that need no client, which the wrapper runs on a
    // client it never configures (they need its `args`).

    #[wasm_bindgen(js_name = createPkce, unchecked_return_type = "string")]
    pub fn create_pkce(&mut self) -> JsValue {
        self.with_args(|a, _| {
            let o = self::options(a, &["length", "method"])?;
            if let Some(m) = o.string("method")? {
                crate::oauth::pkce::check_method(&m)?;
            }
            let len = o
                .uint("length")?
                .map(|l| usize::try_from(l).unwrap_or(usize::MAX));
            let pair = crate::create_pkce(len)?;
            let mut out = JsonObject::with_capacity(512);
            out.string("codeVerifier", pair.verifier.expose())
                .string("codeChallenge", pair.challenge.as_str())
                .string("codeChallengeMethod", "S256");
            done(out)
        })
    }

    /// `method` is `undefined` when not given, `""` when not a string.
    #[wasm_bindgen(js_name = pkceChallenge, unchecked_return_type = "string")]
    pub fn pkce_challenge(&mut self) -> JsValue {
        self.with_args(|a, b| {
            if let Some(m) = &b {
                crate::oauth::pkce::check_method(m)?;
            }
            json_str(crate::pkce_challenge(text(a, "verifier")?)?.as_str())
        })
    }

    #[wasm_bindgen(js_name = randomState, unchecked_return_type = "string")]
    pub fn random_state(&mut self) -> JsValue {
        self.with_args(|_, _| json_str(&crate::random_state()?))
    }

    #[wasm_bindgen(js_name = randomNonce, unchecked_return_type = "string")]
    pub fn random_nonce(&mut self) -> JsValue {
        self.with_args(|_, _| json_str(&crate::random_nonce()?))
    }

    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn version(&mut self) -> JsValue {
        self.with_args(|_, _| json_str(env!("CARGO_PKG_VERSION")))
    }

    #[wasm_bindgen(js_name = discoveryUrl, unchecked_return_type = "string")]
    pub fn discovery_url(&mut self) -> JsValue {
        self.with_args(|a, b| {
            let o = self::options(b, &["kind"])?;
            let kind = match o.str("kind")? {
                None | Some("openid-configuration") => WellKnown::OpenIdConfiguration,
                Some("oauth-authorization-server") => WellKnown::OAuthAuthorizationServer,
                Some(_) => {
                    return Err(Error::InvalidArgument {
                        field: "kind",
                        reason:
                            "must be \"openid-configuration\" or \"oauth-authorization-server\"",
                    })
                }
            };
            json_str(&crate::oauth::discovery_url(text(a, "issuer")?, kind)?)
        })
    }
}

/// A method's body: the core, the held responses, the two string arguments
/// and the number argument.
type Method = fn(&mut Core, &mut Held, &Arg, &Arg, u32) -> Answer;

impl RawOAuthClient {
    /// Runs `f` on the configured core, the held responses and the
    /// arguments, and answers.
    ///
    /// `f` is a function, not a closure: one copy of this for every method.
    /// `n` is handed to `f` (a response's number).
    fn with_core(&mut self, n: u32, f: Method) -> JsValue {
        let answer = match self.inner.as_mut() {
            Some(core) => f(core, &mut self.held, &self.args.0, &self.args.1, n),
            None => Err(Error::InvalidArgument {
                field: "client",
                reason: "is not configured",
            }),
        };
        self.finish(answer)
    }

    /// Runs `f` on the arguments alone (the functions that need no client),
    /// and answers.
    fn with_args(&mut self, f: fn(&Arg, &Arg) -> Answer) -> JsValue {
        let answer = f(&self.args.0, &self.args.1);
        self.finish(answer)
    }

    /// Takes the configured core, or answers why there is none.
    fn configured(&mut self, core: crate::Result<Core>) -> JsValue {
        let answer = core
            .map(|core| self.inner = Some(core))
            .and_then(|()| json_bool(true));
        self.finish(answer)
    }

    /// Wipes the arguments and answers: one place for every method, so
    /// that no method carries code of its own to drop them.
    #[inline(never)]
    fn finish(&mut self, answer: Answer) -> JsValue {
        self.args = (None, None);
        reply(answer)
    }
}

impl Default for RawOAuthClient {
    fn default() -> Self {
        Self::new()
    }
}
