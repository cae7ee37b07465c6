//! The in-memory token vault.
//!
//! Tokens enter as [`Secret`]s moved out of the parsed response and never
//! leave except through [`TokenVault::authorization_header`] (for an API call)
//! and the refresh request body. Dropping or clearing the vault zeroizes them.

use alloc::borrow::ToOwned;
use alloc::string::String;

use zeroize::Zeroizing;

use super::id_token::IdTokenClaims;
use super::token::{TokenSet, TokenType};
use crate::error::{Result, VaultError};
use crate::secret::Secret;

/// Public facts about the tokens held: never the token values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// `Bearer` or `DPoP`.
    pub token_type: &'static str,
    /// When the access token expires (ms since the epoch), if the server said.
    pub expires_at: Option<u64>,
    /// The granted scope, if the server said.
    pub scope: Option<String>,
    /// Whether a refresh token is held.
    pub has_refresh_token: bool,
    /// Whether an ID token is held.
    pub has_id_token: bool,
}

/// Where tokens live. Not `Clone`, not serializable; `Debug` shows only facts.
#[derive(Default)]
pub struct TokenVault {
    access: Option<Secret>,
    refresh: Option<Secret>,
    id_token: Option<Secret>,
    id_claims: Option<IdTokenClaims>,
    token_type: TokenType,
    expires_at: Option<u64>,
    scope: Option<String>,
}

/// How a new token set relates to what the vault holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replace {
    /// A new login: everything is replaced, nothing from before survives.
    All,
    /// A refresh: a new refresh token replaces the old one at once (rotation,
    /// RFC 9700 §2.2.2); when none is sent the old one stays (RFC 6749 §6).
    Refresh,
}

impl TokenVault {
    pub(crate) fn store(
        &mut self,
        set: TokenSet,
        id_claims: Option<IdTokenClaims>,
        now: u64,
        how: Replace,
        requested_scope: Option<&str>,
    ) -> TokenInfo {
        let previous_scope = self.scope.take();
        if how == Replace::All {
            self.clear();
        }
        self.access = Some(set.access_token);
        if set.refresh_token.is_some() || how == Replace::All {
            self.refresh = set.refresh_token;
        }
        if set.id_token.is_some() || how == Replace::All {
            self.id_token = set.id_token;
            self.id_claims = id_claims;
        }
        self.token_type = set.token_type;
        self.expires_at = set
            .expires_in
            .map(|s| now.saturating_add(crate::ascii::saturating_mul(s, 1000)));
        // RFC 6749 §5.1: scope is omitted when it equals what was requested;
        // a refresh that requested no scope keeps the previous grant (§6).
        self.scope = set
            .scope
            .or_else(|| requested_scope.map(str::to_owned))
            .or(match how {
                Replace::All => None,
                Replace::Refresh => previous_scope,
            });
        self.facts()
    }

    /// Public facts, or `None` when no access token is held.
    pub fn info(&self) -> Option<TokenInfo> {
        self.access.as_ref().map(|_| self.facts())
    }

    fn facts(&self) -> TokenInfo {
        TokenInfo {
            token_type: self.token_type.scheme(),
            expires_at: self.expires_at,
            scope: self.scope.clone(),
            has_refresh_token: self.refresh.is_some(),
            has_id_token: self.id_token.is_some(),
        }
    }

    /// `"Bearer <token>"` (or `DPoP`) for an API call; refuses when empty or expired.
    pub fn authorization_header(&self, now: u64) -> Result<Zeroizing<String>> {
        let token = self.access_token(now)?;
        let mut header = Zeroizing::new(String::with_capacity(token.expose().len() + 8));
        header.push_str(self.token_type.scheme());
        header.push(' ');
        header.push_str(token.expose());
        Ok(header)
    }

    /// Whether the access token should be refreshed now: none held, or it
    /// expires within `leeway_seconds`. A token without a known expiry is not
    /// refreshed pre-emptively.
    pub fn needs_refresh(&self, now: u64, leeway_seconds: u64) -> bool {
        if self.access.is_none() {
            return true;
        }
        self.expires_at.is_some_and(|t| {
            now.saturating_add(crate::ascii::saturating_mul(leeway_seconds, 1000)) >= t
        })
    }

    /// The validated claims of the held ID token.
    pub fn id_token_claims(&self) -> Option<&IdTokenClaims> {
        self.id_claims.as_ref()
    }

    pub(crate) fn refresh_token(&self) -> Option<&Secret> {
        self.refresh.as_ref()
    }

    /// The access token, if one is held and has not expired.
    pub(crate) fn access_token(&self, now: u64) -> Result<&Secret> {
        let token = self.access.as_ref().ok_or(VaultError::Empty)?;
        if self.expires_at.is_some_and(|t| now >= t) {
            return Err(VaultError::Expired.into());
        }
        Ok(token)
    }

    /// The access token even when expired (to revoke it).
    pub(crate) fn any_access_token(&self) -> Option<&Secret> {
        self.access.as_ref()
    }

    /// The held ID token (for `id_token_hint`, when the caller asks for it).
    pub(crate) fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    #[cfg(test)]
    pub(crate) fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Drops every token; each is zeroized as it is dropped.
    pub fn clear(&mut self) {
        self.access = None;
        self.refresh = None;
        self.id_token = None;
        self.id_claims = None;
        self.expires_at = None;
        self.scope = None;
        self.token_type = TokenType::Bearer;
    }
}

impl core::fmt::Debug for TokenVault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenVault")
            .field("info", &self.info())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn set(access: &str, refresh: Option<&str>, expires_in: Option<u64>) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access.into()),
            token_type: TokenType::Bearer,
            expires_in,
            refresh_token: refresh.map(|r| Secret::new(r.into())),
            id_token: None,
            scope: None,
        }
    }

    #[test]
    fn header_and_expiry() {
        let mut v = TokenVault::default();
        assert_eq!(
            v.authorization_header(0).unwrap_err().code(),
            "oauth.vault.empty"
        );
        let info = v.store(
            set("AT1", Some("RT1"), Some(60)),
            None,
            1_000,
            Replace::All,
            Some("openid"),
        );
        assert_eq!(info.expires_at, Some(61_000));
        assert_eq!(info.scope.as_deref(), Some("openid"));
        assert!(info.has_refresh_token);
        assert_eq!(&*v.authorization_header(60_999).unwrap(), "Bearer AT1");
        assert_eq!(
            v.authorization_header(61_000).unwrap_err().code(),
            "oauth.vault.expired"
        );
    }

    #[test]
    fn needs_refresh_with_leeway() {
        let mut v = TokenVault::default();
        assert!(v.needs_refresh(0, 0));
        v.store(set("AT", None, Some(100)), None, 0, Replace::All, None);
        assert!(!v.needs_refresh(39_999, 60));
        assert!(v.needs_refresh(40_000, 60));
        v.store(set("AT", None, None), None, 0, Replace::All, None);
        assert!(!v.needs_refresh(u64::MAX / 2, 60));
    }

    #[test]
    fn refresh_rotation_replaces_the_refresh_token() {
        let mut v = TokenVault::default();
        v.store(
            set("AT1", Some("RT1"), None),
            None,
            0,
            Replace::All,
            Some("a"),
        );
        v.store(
            set("AT2", Some("RT2"), None),
            None,
            0,
            Replace::Refresh,
            None,
        );
        assert_eq!(v.refresh_token().unwrap().expose(), "RT2");
        assert_eq!(v.scope(), Some("a"));
        // no new refresh token: the old one stays usable
        v.store(set("AT3", None, None), None, 0, Replace::Refresh, None);
        assert_eq!(v.refresh_token().unwrap().expose(), "RT2");
        // a new login does not inherit the previous session's refresh token
        v.store(set("AT4", None, None), None, 0, Replace::All, None);
        assert!(v.refresh_token().is_none());
    }

    #[test]
    fn clear_and_debug() {
        let mut v = TokenVault::default();
        v.store(
            set("AT-SECRET", Some("RT-SECRET"), Some(10)),
            None,
            0,
            Replace::All,
            None,
        );
        let dbg = format!("{v:?}");
        assert!(
            !dbg.contains("AT-SECRET") && !dbg.contains("RT-SECRET"),
            "{dbg}"
        );
        v.clear();
        assert!(v.info().is_none());
        assert!(v.refresh_token().is_none());
        assert!(v.needs_refresh(0, 0));
    }
}
