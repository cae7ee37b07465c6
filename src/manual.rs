//! # Threat model and defences (a manual, no code)
//!
//! This manual explains why each defence is there. The rules themselves, each
//! with the modules and tests that enforce it, are listed in the repository's
//! `docs/SECURITY.md`; the two say the same, and a change to one is a change
//! to both.
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
//! value a caller asks for, and as the body of a refresh or revocation
//! request for `fetch`.
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
//!
//! ## SAML: one parser, one tree
//! Every SAML input is read once by [`crate::saml::xml`] into a tree that the
//! signature check, the profile checks and the reading all use: no second
//! parser can disagree about what was signed (ruby-saml CVE-2025-25291/25292
//! class), and nothing is serialized and re-parsed between verifying and
//! reading (crewjam CVE-2020-27846 class). DOCTYPE is refused outright (no
//! entity expansion, internal or external); size, depth, attributes and nodes
//! are bounded; names are matched by namespace URI, never by prefix; a
//! namespace declaration whose raw and decoded values differ is refused so
//! quick-xml's resolution and the tree cannot disagree.
//!
//! ## SAML: signature wrapping (XSW1–XSW8)
//! A signature counts only as a direct child of the element it signs, with
//! one `Reference` to that element's `ID`, which must be unique in the whole
//! document; the `Reference` is read from the `SignedInfo` that is verified,
//! never found by a document-wide search (CVE-2024-45409, CVE-2025-29774).
//! The response must hold exactly one Assertion anywhere, as a direct child of
//! the Response, so a forged assertion before, after, around, in `Extensions`
//! or in `ds:Object` is refused before anything is read. Only
//! [`crate::saml::dsig::verify_enveloped`] makes the proof value that the
//! profile checks and the reading take ([`crate::saml::response::VerifiedAssertion`]).
//!
//! ## SAML: comments and canonicalization
//! Text is all of an element's text nodes joined, so `user@x.com<!---->.evil`
//! reads as the whole value (CVE-2017-11427 class). `DigestValue` and
//! `SignatureValue` are base64 text and nothing else: a comment, processing
//! instruction, CDATA section or element inside is refused, as is base64
//! without its padding or with characters other than the alphabet and XML
//! white space (CVE-2025-29775 class). Exclusive C14N is written on the same
//! tree and checked byte for byte against libxml2, on fixed vectors and on
//! random trees; `#WithComments` on the `#id` Reference keeps no comment
//! (XML-DSig 1.1 §4.4.3.3).
//!
//! ## SAML: keys and algorithms
//! Keys come from configuration or metadata only; a certificate in `KeyInfo`
//! at most picks among them. RSA needs 2048 bits (1024–2047 only with
//! `allowWeakRsa`), DSA p ≥ 1024 and q ≥ 160; SHA-1 needs `allowSha1`;
//! HMAC is refused (a shared secret cannot live here).
//! An expired configured certificate still verifies: trust is configuration.
//!
//! ## SAML: replay and one-time requests
//! A response must answer a request this SP sent (or the ID the caller
//! carried), once; the assertion ID is remembered until it could no longer
//! pass the time checks. Both state changes happen only after every check
//! passed, so a forged response cannot consume a legitimate request.
//!
//! ## Strict by default
//! Every refusal a deployment may need to lift has one named option, and the
//! refusal's message names it; nothing else can be lifted. The options, the
//! shared replay store's contract and what `edge-sso/session` does not stop
//! are listed once, in `docs/SECURITY.md` and the README.
