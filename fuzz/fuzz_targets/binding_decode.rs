#![no_main]
use edge_sso::saml::binding::{base64_decode, decode_post, decode_redirect, deflate_encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = base64_decode(s);
    let _ = decode_post(s);
    let _ = decode_redirect(s);
    // our own encoding always decodes back
    assert_eq!(
        decode_redirect(&deflate_encode(s)).ok().as_deref(),
        if s.len() <= 256 * 1024 { Some(s) } else { None }
    );
});
