//! # Threat model and defences (a manual, no code)
//!
//! ## Secrets never enter
//! edge-sso runs where anyone can read memory: a browser tab, an edge isolate
//! shared by tenants' code. A client secret or private key there is public.
//! So the configuration has no field for one, option objects with
//! `clientSecret`, `privateKey` and the like are refused
//! (`config.secret_refused`), and authorization parameters that need a secret
//! (`client_secret`, `client_assertion`, signed `request` objects) are refused
//! too. Confidential-client calls belong on a server.
//!
//! ## Tokens stay in memory
//! Tokens are moved from the parsed token response into [`crate::Secret`]
//! values inside the vault: no copy in JS objects, no `Debug`/`Display`
//! output, no serialization. They leave only as the `Authorization` header
//! value a caller asks for, and as the body of a refresh request for `fetch`.
//! `clear()` and dropping the client zeroize them. Copies the host made
//! before handing us the response (the `fetch` body string) are the host's;
//! pass the response straight in and drop your reference.
//!
//! ## Cross-site request forgery and mix-up (RFC 6749 §10.12, RFC 9207, RFC 9700 §4.4)
//! Every authorization gets a fresh 256-bit `state`, remembered one-time with
//! an expiry and compared in constant time. The callback is checked in a fixed
//! order: redirect URI and structure, then `iss` against the configured issuer
//! (mix-up defence), then `state`, and only then is an `error` believed or a
//! `code` accepted. Duplicate parameters, `code` with `error`, and tokens in the
//! URL (implicit or hybrid responses) are refused outright.
//!
//! ## Code interception (RFC 7636)
//! PKCE `S256` always; `plain` is refused (`pkce.plain_refused`). Verifiers come
//! from the CSPRNG (≥ 258 bits); a verifier handed back by a caller is checked
//! against the RFC 7636 grammar.
//!
//! ## One-time by construction
//! `handle_callback` returns an `AuthorizationResponse` that only it can make,
//! and `token_request` consumes it: a code cannot be exchanged twice or without
//! its checks.
//!
//! ## ID tokens
//! An ID token is accepted only from the token endpoint response, and its
//! claims are checked before it is stored: issuer, audience and authorized
//! party, expiry, issue time, `alg` not `none`, and the nonce sent with the
//! authorization (OIDC Core §3.1.3.7); on refresh, the same subject, issuer and
//! audience (§12.2). The signature is not verified because the TLS connection
//! to the token endpoint authenticates the issuer (§3.1.3.7 item 6); the API
//! offers no way to feed an ID token from anywhere else.
