#![no_main]
use edge_sso::oauth::{AuthorizeOptions, ClientConfig, OAuthClient};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let mut config = ClientConfig::new(
        "https://op.example/authorize",
        "https://op.example/token",
        "spa",
        "https://app.example/cb",
    );
    config.issuer = Some("https://op.example".into());
    let mut client = OAuthClient::new(config).expect("config");
    let _ = client
        .authorize(AuthorizeOptions::default(), 0)
        .expect("authorize");
    if let Ok(resp) = client.handle_callback(s, 1, None) {
        let _ = client.token_request(resp);
    }
    let _ = client.accept_token_response(s, Some(200), 1);
});
