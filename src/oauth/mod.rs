//! OAuth 2.0 for public clients: PKCE, the authorization request, the
//! callback, token requests and responses, and the in-memory token vault.

mod callback;
mod client;
mod discovery;
mod dpop;
mod id_token;
pub mod pkce;
mod token;
mod userinfo;
mod vault;

pub use crate::one_time::MAX_PENDING;
pub use callback::MAX_CALLBACK_LEN;
pub use client::{
    AuthorizationRequest, AuthorizationResponse, AuthorizeOptions, CarriedFlow, ClientConfig,
    LogoutOptions, OAuthClient, PushedRequest, ResourceRequest, TokenKind, DEFAULT_PENDING_TTL_MS,
};
pub use discovery::{
    check_dpop_alg, discovery_url, read_provider_metadata, ProviderMetadata, WellKnown,
    MAX_METADATA_LEN,
};
pub use dpop::DpopKey;
pub use id_token::{IdTokenClaims, ID_TOKEN_CLOCK_SKEW_SECONDS};
pub use pkce::{create_pkce, pkce_challenge, CodeChallenge, CodeVerifier, PkcePair};
pub use token::{TokenRequest, TokenType, MAX_TOKEN_RESPONSE_LEN};
pub use userinfo::{check_userinfo, UserinfoAnswer, MAX_USERINFO_LEN};
pub use vault::{TokenInfo, TokenVault};

#[cfg(test)]
mod tests;
