//! The crate's error type.

use crate::store::StoreError;
use crate::token::TenantId;

/// Everything that can go wrong connecting to QBO and keeping the connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A tenant id that is not one.
    #[error("invalid tenant id {0:?}: use 1 to 128 ASCII letters, digits, '-', '_', '.' or ':'")]
    InvalidTenant(String),
    /// The configuration is unusable (a bad URL, an empty client id, a bad key...).
    #[error("invalid OAuth configuration: {0}")]
    Config(String),
    /// The callback's `state` was never issued by this process.
    #[error("unknown OAuth state: this callback does not answer a connect started here")]
    UnknownState,
    /// The callback's `state` was already used once.
    #[error("OAuth state already used: the callback was replayed")]
    ReusedState,
    /// The callback came more than the allowed time after the connect started.
    #[error(
        "OAuth state expired: the connect was started more than {minutes} minutes ago; start again"
    )]
    ExpiredState {
        /// The allowed age.
        minutes: i64,
    },
    /// The callback lacks a parameter or holds a bad one (`code`, `realmId`, `error`).
    #[error("bad OAuth callback: {0}")]
    Callback(String),
    /// The tenant has no connection.
    #[error("tenant {0} is not connected to QBO")]
    NotConnected(TenantId),
    /// QBO refused the refresh token (`invalid_grant`): an operator must connect again.
    #[error("tenant {tenant} must reconnect to QBO: {reason}")]
    ReconnectRequired {
        /// The tenant.
        tenant: TenantId,
        /// Why.
        reason: String,
    },
    /// The token endpoint refused the request for another reason (bad client credentials,
    /// a bad code...).
    #[error("the QBO token endpoint refused the request: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The OAuth error code, e.g. `invalid_client`.
        error: String,
        /// The server's description.
        description: Option<String>,
    },
    /// The token or revoke endpoint could not be reached or failed (after retries).
    #[error("the QBO token endpoint is unavailable: {0}")]
    Unavailable(String),
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_)
                | Self::Store(StoreError::Database(_) | StoreError::Conflict { .. })
        )
    }
}
