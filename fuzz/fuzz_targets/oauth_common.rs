//! The client every OAuth token-response target starts from: a code flow
//! carried by the caller (so its state, verifier and nonce are fixed and the
//! seed ID tokens can name the nonce), its callback accepted, and its token
//! request made, so that `accept_token_response` reads the fuzzed body.

use edge_sso::oauth::{CarriedFlow, ClientConfig, CodeVerifier, OAuthClient};

pub const NOW: u64 = 1_700_000_000_000;
pub const NONCE: &str = "n-fuzz-0123456789abcdefghij";
const STATE: &str = "s-fuzz-0123456789abcdefghij";
const VERIFIER: &str = "v-fuzz-0123456789abcdefghijklmnopqrstuvwxyz0123456789";

/// A client awaiting the answer to one code exchange, which sent [`NONCE`]
/// when `nonce` (then the answer must bring an ID token).
pub fn awaiting_token_response(nonce: bool) -> OAuthClient {
    let mut config = ClientConfig::new(
        "https://op.example/authorize",
        "https://op.example/token",
        "spa",
        "https://app.example/cb",
    );
    config.issuer = Some("https://op.example".into());
    let mut client = OAuthClient::new(config).expect("config");
    let flow = CarriedFlow {
        expected_state: STATE.into(),
        code_verifier: CodeVerifier::parse(VERIFIER).expect("verifier"),
        nonce: nonce.then(|| NONCE.into()),
        expires_at: None,
        scope: None,
        max_age: None,
    };
    let back =
        format!("https://app.example/cb?code=c0de&state={STATE}&iss=https%3A%2F%2Fop.example");
    let response = client
        .handle_callback(&back, NOW, Some(flow))
        .expect("callback");
    let _ = client.token_request(response).expect("token request");
    client
}

/// The status the token endpoint answered with, picked by one input byte:
/// mostly 200, sometimes an error status or none (a body read without one).
#[allow(dead_code)] // the id_token target sends 200 only
pub fn status(byte: u8) -> Option<u16> {
    match byte {
        0..=159 => Some(200),
        160..=199 => Some(400),
        200..=229 => None,
        230..=254 => Some(401),
        255 => Some(500),
    }
}

/// `accept_token_response` for the one request outstanding.
pub fn accept(client: &mut OAuthClient, body: &str, status: Option<u16>, now: u64) -> bool {
    client.accept_token_response(body, status, now).is_ok()
}
