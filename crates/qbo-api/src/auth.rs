//! How the client gets its bearer token: the [`TokenProvider`] trait.
//!
//! `qbo-auth`'s token manager implements it with refresh, rotation and storage; for
//! scripts and tests [`StaticToken`] hands out one fixed token.

use std::fmt;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::TokenError;
use crate::ids::RealmId;

/// Supplies access tokens per realm.
///
/// The client calls [`access_token`](TokenProvider::access_token) before each attempt,
/// and [`token_rejected`](TokenProvider::token_rejected) when QBO answered 401 to a
/// token; it then asks for a token once more and retries the call once.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A currently valid access token for `realm`.
    ///
    /// # Errors
    /// [`TokenError::ReconnectRequired`] when the connection is gone for good,
    /// [`TokenError::Unavailable`] when no token can be had right now.
    async fn access_token(&self, realm: &RealmId) -> Result<SecretString, TokenError>;

    /// QBO refused `token` for `realm` (HTTP 401): the provider should stop handing it
    /// out (refresh it).
    async fn token_rejected(&self, realm: &RealmId, token: &SecretString);
}

/// A provider that always returns the same token (for scripts, tests and benchmarks).
///
/// ```
/// use qbo_api::StaticToken;
/// let tokens = StaticToken::new("eyJ...".into());
/// assert_eq!(format!("{tokens:?}"), "StaticToken([redacted])");
/// ```
pub struct StaticToken {
    token: SecretString,
}

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: SecretString) -> Self {
        Self { token }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken([redacted])")
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self, _realm: &RealmId) -> Result<SecretString, TokenError> {
        Ok(self.token.clone())
    }

    async fn token_rejected(&self, realm: &RealmId, _token: &SecretString) {
        tracing::warn!(%realm, "QBO rejected the static access token");
    }
}
