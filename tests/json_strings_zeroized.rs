//! A string the JSON reader decoded (one with escapes, so it has its own
//! buffer) is wiped before its memory is freed, whether the document then
//! fails to parse, the value is not the object expected, or the member is one
//! nobody reads. A token with an escape in it must not stay behind in freed
//! wasm memory.
//!
//! Seen from outside: this test binary's allocator reads every block as it
//! is freed and counts those that still hold the decoded token. It is its
//! own test binary (a global allocator is per binary) with one test in it,
//! so nothing else runs while it watches.
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};

/// The decoded token. No body below holds it as written (each writes one of
/// its characters as an escape), so only a decoded copy can.
const TOKEN: &[u8] = b"tok-5ecret-in-json";

static WATCHING: AtomicBool = AtomicBool::new(false);
static LEFT_BEHIND: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, handing out zeroed blocks (so every byte is
/// initialised when `dealloc` reads it) and looking for [`TOKEN`] in each
/// block freed while [`WATCHING`].
struct Inspecting;

// SAFETY: every call is forwarded to `System` with the caller's arguments;
// `dealloc` reads the block it is given (`layout.size()` bytes at `ptr`, all
// initialised since `alloc` zeroed them) before freeing it.
unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(TOKEN.len()).any(|w| w == TOKEN) {
                LEFT_BEHIND.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Inspecting = Inspecting;

const NOW: u64 = 1_700_000_000_000;

/// A client with a token request outstanding.
fn awaiting_tokens() -> OAuthClient {
    let config = ClientConfig::new(
        "https://op.example/authorize",
        "https://op.example/token",
        "spa",
        "https://app.example/cb",
    );
    let mut c = OAuthClient::new(config).unwrap();
    let req = c.authorize(AuthorizeOptions::default(), NOW).unwrap();
    let url = format!("https://app.example/cb?code=c&state={}", req.state);
    let resp = c.handle_callback(&url, NOW, None).unwrap();
    c.token_request(resp).unwrap();
    c
}

#[test]
fn decoded_strings_are_wiped_on_every_drop_path() {
    // (body, whether the client accepts it)
    let bodies: [(&str, bool); 9] = [
        // The document fails after the token was decoded.
        (
            r#"{"access_token":"tok-5ecret\u002din-json","token_type":"#,
            false,
        ),
        (
            r#"{"access_token":"tok-5ecret\u002din-json","token_type":"Bearer",}"#,
            false,
        ),
        (r#"{"a":["tok-5ecret\u002din-json",]}"#, false),
        // Inside the string, after the token: an escape that is not one.
        (r#"{"access_token":"tok-5ecret\u002din-json\x"}"#, false),
        // Trailing data after the whole value.
        (
            r#"{"access_token":"tok-5ecret\u002din-json","token_type":"Bearer"} x"#,
            false,
        ),
        // Valid JSON, but not an object.
        (r#"["tok-5ecret\u002din-json"]"#, false),
        // A member name, and a member nobody reads.
        (
            r#"{"tok-5ecret\u002din-json":1,"access_token":"a","token_type":"Bearer"}"#,
            true,
        ),
        (
            r#"{"x":{"y":"tok-5ecret\u002din-json"},"access_token":"a","token_type":"Bearer"}"#,
            true,
        ),
        // The token itself, refused after the parse (a Secret at once).
        (
            r#"{"access_token":"tok-5ecret\u002din-json","token_type":"mac"}"#,
            false,
        ),
    ];
    for (body, accepted) in bodies {
        assert!(!body.as_bytes().windows(TOKEN.len()).any(|w| w == TOKEN));
        let mut client = awaiting_tokens();
        WATCHING.store(true, Ordering::SeqCst);
        let ok = client.accept_token_response(body, Some(200), NOW).is_ok();
        drop(client);
        WATCHING.store(false, Ordering::SeqCst);
        assert_eq!(ok, accepted, "{body}");
        assert_eq!(
            LEFT_BEHIND.swap(0, Ordering::SeqCst),
            0,
            "a freed block still held the decoded token: {body}"
        );
    }
}
