//! Where tokens live: the [`TokenStore`] trait, with compare-and-swap writes, and an
//! in-memory store. The SeaORM store (feature `seaorm`) keeps them encrypted in SQLite,
//! PostgreSQL or MariaDB.
//!
//! Every write names the version it replaces and fails with [`StoreError::Conflict`] when
//! another writer got there first. That is what serializes refreshes across processes:
//! a refresh starts by taking a short *refresh lease* through a compare-and-swap, and a
//! process that loses reloads the winner's tokens instead of refreshing again.

mod memory;
#[cfg(feature = "seaorm")]
pub mod sea;

pub use memory::MemoryTokenStore;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::token::{ConnectionStatus, TenantId, TokenSet};

/// A refresh in progress: who does it and until when the others wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshLease {
    /// The process (manager) refreshing.
    pub holder: String,
    /// After this instant the lease is void and anyone may refresh.
    pub until: DateTime<Utc>,
}

/// What the store holds for one tenant.
#[derive(Debug, Clone)]
pub struct StoredTokens {
    /// The tokens.
    pub tokens: TokenSet,
    /// Bumped by every write; writes name the version they replace.
    pub version: u64,
    /// Whether the connection works.
    pub status: ConnectionStatus,
    /// A refresh in progress, if any.
    pub refresh_lease: Option<RefreshLease>,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another writer changed the tenant's row first (or created it, or deleted it).
    #[error(
        "tokens of tenant {tenant} were changed by another writer (expected version {expected:?})"
    )]
    Conflict {
        /// The tenant.
        tenant: TenantId,
        /// The version this write expected.
        expected: Option<u64>,
    },
    /// The row names an encryption key the configuration does not have.
    #[error("tokens of tenant {tenant} are encrypted with key {key_id:?}, which is not configured")]
    UnknownKey {
        /// The tenant.
        tenant: TenantId,
        /// The key id stored with the row.
        key_id: String,
    },
    /// The row does not decrypt with its key: a wrong key under that id, or a damaged row.
    #[error(
        "tokens of tenant {tenant} do not decrypt with key {key_id:?}: wrong key or damaged row"
    )]
    Decrypt {
        /// The tenant.
        tenant: TenantId,
        /// The key id stored with the row.
        key_id: String,
    },
    /// The tokens could not be encrypted (the system's random source failed).
    #[error("tokens of tenant {tenant} could not be encrypted: {reason}")]
    Encrypt {
        /// The tenant.
        tenant: TenantId,
        /// Why.
        reason: String,
    },
    /// The row is unreadable (bad column value).
    #[error("tokens of tenant {tenant} are unreadable: {reason}")]
    Corrupt {
        /// The tenant.
        tenant: TenantId,
        /// What is wrong.
        reason: String,
    },
    /// The database failed.
    #[error("token store database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Storage of each tenant's tokens, with compare-and-swap writes.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The tenant's tokens, if connected.
    async fn load(&self, tenant: &TenantId) -> Result<Option<StoredTokens>, StoreError>;

    /// Writes new tokens (status connected, no lease). `expected` is the version replaced,
    /// or `None` for a tenant that has no row yet. Returns the new version.
    async fn save(
        &self,
        tenant: &TenantId,
        tokens: &TokenSet,
        expected: Option<u64>,
    ) -> Result<u64, StoreError>;

    /// Takes the refresh lease on version `expected`. Returns the new version.
    async fn begin_refresh(
        &self,
        tenant: &TenantId,
        expected: u64,
        lease: &RefreshLease,
    ) -> Result<u64, StoreError>;

    /// Sets the connection status (and drops any lease) on version `expected`.
    async fn set_status(
        &self,
        tenant: &TenantId,
        status: &ConnectionStatus,
        expected: u64,
    ) -> Result<u64, StoreError>;

    /// Removes the tenant's tokens; `false` when there were none.
    async fn delete(&self, tenant: &TenantId) -> Result<bool, StoreError>;

    /// Every tenant with a row.
    async fn tenants(&self) -> Result<Vec<TenantId>, StoreError>;
}
