//! Tenants and their tokens.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use qbo_api::RealmId;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::AuthError;

/// Who owns a QBO connection: a shop, or a marketplace vendor with its own company.
///
/// 1 to 128 characters of ASCII letters, digits, `-`, `_`, `.` and `:`.
///
/// ```
/// use qbo_auth::TenantId;
/// assert!(TenantId::new("shop").is_ok());
/// assert!(TenantId::new("vendor:17").is_ok());
/// assert!(TenantId::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// Checks and wraps a tenant id.
    ///
    /// # Errors
    /// [`AuthError::InvalidTenant`] naming the value.
    pub fn new(value: impl Into<String>) -> Result<Self, AuthError> {
        let value = value.into();
        let ok = !value.is_empty()
            && value.len() <= 128
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if ok {
            Ok(Self(value))
        } else {
            Err(AuthError::InvalidTenant(value))
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = AuthError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({:?})", self.0)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for TenantId {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// One QBO connection's tokens.
///
/// `Debug` shows the expiries, never the tokens.
#[derive(Clone)]
pub struct TokenSet {
    /// The company the tokens are for.
    pub realm_id: RealmId,
    /// The bearer token (QBO: valid 60 minutes).
    pub access_token: SecretString,
    /// When the access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// The refresh token; QBO rotates it, and only the newest one is sure to work.
    pub refresh_token: SecretString,
    /// When the refresh token expires if not used (a rolling window, ~101 days).
    pub refresh_expires_at: DateTime<Utc>,
    /// The refresh token's hard limit, however often it is used (5 years), when QBO said.
    pub refresh_hard_expires_at: Option<DateTime<Utc>>,
    /// When these tokens were obtained.
    pub obtained_at: DateTime<Utc>,
}

impl TokenSet {
    /// Whether the access token is still good for at least `margin`.
    pub fn access_valid_for(&self, now: DateTime<Utc>, margin: TimeDelta) -> bool {
        self.access_expires_at - now > margin
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("realm_id", &self.realm_id)
            .field("access_token", &"[redacted]")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &"[redacted]")
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("refresh_hard_expires_at", &self.refresh_hard_expires_at)
            .field("obtained_at", &self.obtained_at)
            .finish()
    }
}

/// Whether a connection works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Tokens are usable.
    Connected,
    /// QBO refused the refresh token (`invalid_grant`): an operator must connect again.
    ReconnectRequired {
        /// Why, in words for the operator.
        reason: String,
    },
}
