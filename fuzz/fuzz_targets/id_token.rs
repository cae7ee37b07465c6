#![no_main]
//! An ID token in a well-formed token response, hostile: the input is the
//! JOSE header and the payload (split at the first newline), each base64url-
//! encoded here, so the JSON reader and the claims checks get the bytes
//! themselves rather than what survives base64. An accepted token's claims
//! are checked again on a refresh answered by the same token (OIDC Core §12.2).
use libfuzzer_sys::fuzz_target;

#[path = "oauth_common.rs"]
mod oauth_common;
use oauth_common::{accept, awaiting_token_response, NOW};

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 7515 §2).
fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(B64URL[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let (header, payload) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"{\"alg\":\"RS256\"}"[..], data),
    };
    let token = format!("{}.{}.c2lnbmF0dXJl", b64url(header), b64url(payload));
    let body = format!(
        r#"{{"access_token":"at","token_type":"Bearer","expires_in":300,"refresh_token":"rt","id_token":"{token}"}}"#
    );
    let mut client = awaiting_token_response(true);
    if accept(&mut client, &body, Some(200), NOW + 1_000) {
        assert!(
            client.id_token_claims().is_some(),
            "an accepted ID token's claims are kept"
        );
        if client.refresh_request(None).is_ok() {
            let _ = accept(&mut client, &body, Some(200), NOW + 2_000);
        }
    }
});
