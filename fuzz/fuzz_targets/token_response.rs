#![no_main]
//! The token endpoint's answer, hostile: the JSON reader (src/json.rs) on the
//! body of a code exchange, through `accept_token_response`.
use libfuzzer_sys::fuzz_target;

#[path = "oauth_common.rs"]
mod oauth_common;
use oauth_common::{accept, awaiting_token_response, status, NOW};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let mut client = awaiting_token_response(false);
    if accept(&mut client, body, status(first), NOW + 1_000) {
        // What was stored reads back; a refresh (when a refresh token came)
        // answered by the same body takes the refresh path's checks.
        let _ = client.authorization_header(NOW + 2_000);
        let _ = client.token_info();
        if client.refresh_request(None).is_ok() {
            let _ = accept(&mut client, body, status(first), NOW + 3_000);
        }
    }
});
