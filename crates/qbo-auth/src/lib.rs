//! # qbo-auth
//!
//! OAuth 2.0 connection and token lifecycle for QuickBooks Online, built so that a
//! connection is never lost:
//!
//! - **Connect**: [`TokenManager::start_connect`] gives the authorization URL with a
//!   random single-use `state`; [`TokenManager::complete_connect`] checks the state
//!   (unknown, reused, older than 10 minutes → a clear error), exchanges the code and saves
//!   the tokens, with the refresh token's hard expiry when Intuit sends it.
//! - **Refresh**: ahead of expiry and when QBO refuses a token; once at a time per tenant
//!   across tasks (a mutex) and processes (a compare-and-swap lease in the
//!   [`TokenStore`]); the rotated refresh token is saved before the new access token is
//!   used; `invalid_grant` marks the tenant *reconnect required* and is never retried.
//! - **Keep-alive**: [`TokenManager::keep_alive`] refreshes idle tenants before their
//!   rolling expiry and reports hard expiries within 30 days.
//! - **Storage**: [`MemoryTokenStore`], or (feature `seaorm`) `store::sea::SeaTokenStore`
//!   on SQLite, PostgreSQL or MariaDB with tokens encrypted by a [`crypto::KeyRing`].
//! - **Secrets** are `secrecy` types; no `Debug` output or log line shows them.
//!
//! ```no_run
//! use std::sync::Arc;
//! use qbo_auth::{ManagerConfig, MemoryTokenStore, OAuthConfig, TenantId, TokenManager};
//!
//! # async fn run(callback: qbo_auth::CallbackParams) -> Result<(), qbo_auth::AuthError> {
//! let oauth = OAuthConfig::new("client-id", "client-secret".into(), "https://shop.example/qbo/callback")?;
//! let manager = TokenManager::new(&oauth, Arc::new(MemoryTokenStore::new()), ManagerConfig::default())?;
//!
//! // 1. Send the operator's browser here.
//! let tenant = TenantId::new("shop")?;
//! let url = manager.start_connect(&tenant);
//! // 2. Intuit redirects back with ?code=…&state=…&realmId=…
//! let (tenant, realm) = manager.complete_connect(&callback).await?;
//! // 3. Give qbo-api the tenant's token provider.
//! let client = qbo_api::QboClient::builder(manager.provider(tenant))
//!     .realm(realm)
//!     .build();
//! # let _ = (url, client); Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
mod flow;
mod manager;
mod oauth;
pub mod store;
pub mod token;

pub use config::{Endpoints, ManagerConfig, OAuthConfig};
pub use crypto::{KeyRing, TokenKey};
pub use error::AuthError;
pub use flow::CallbackParams;
pub use manager::{KeepAliveReport, StatusEvent, TenantStatus, TenantTokens, TokenManager};
pub use oauth::{HARD_EXPIRY_HEADER, IntuitTokenFields, MAX_LIFE_SECS};
#[cfg(feature = "seaorm")]
pub use store::sea::SeaTokenStore;
pub use store::{MemoryTokenStore, RefreshLease, StoreError, StoredTokens, TokenStore};
pub use token::{ConnectionStatus, TenantId, TokenSet};

/// The README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
