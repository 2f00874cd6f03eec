//! An in-memory [`TokenStore`] (tests, single-process tools). Nothing survives a restart.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{RefreshLease, StoreError, StoredTokens, TokenStore};
use crate::token::{ConnectionStatus, TenantId, TokenSet};

/// Tokens in a map behind a mutex, with the same compare-and-swap rules as the database
/// store.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    rows: Mutex<HashMap<TenantId, StoredTokens>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with_row<T>(
        &self,
        tenant: &TenantId,
        expected: Option<u64>,
        change: impl FnOnce(Option<&mut StoredTokens>) -> T,
    ) -> Result<T, StoreError> {
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let row = rows.get_mut(tenant);
        let current = row.as_ref().map(|r| r.version);
        if current != expected {
            return Err(StoreError::Conflict {
                tenant: tenant.clone(),
                expected,
            });
        }
        Ok(change(row))
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self, tenant: &TenantId) -> Result<Option<StoredTokens>, StoreError> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(rows.get(tenant).cloned())
    }

    async fn save(
        &self,
        tenant: &TenantId,
        tokens: &TokenSet,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let conflict = || StoreError::Conflict {
            tenant: tenant.clone(),
            expected,
        };
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if rows.get(tenant).map(|r| r.version) != expected {
            return Err(conflict());
        }
        let version = match expected {
            None => 1,
            Some(v) => v.checked_add(1).ok_or_else(conflict)?,
        };
        let new = StoredTokens {
            tokens: tokens.clone(),
            version,
            status: ConnectionStatus::Connected,
            refresh_lease: None,
        };
        rows.insert(tenant.clone(), new);
        Ok(version)
    }

    async fn begin_refresh(
        &self,
        tenant: &TenantId,
        expected: u64,
        lease: &RefreshLease,
    ) -> Result<u64, StoreError> {
        self.with_row(tenant, Some(expected), |row| {
            row.and_then(|r| {
                r.version = r.version.checked_add(1)?;
                r.refresh_lease = Some(lease.clone());
                Some(r.version)
            })
        })?
        .ok_or_else(|| StoreError::Conflict {
            tenant: tenant.clone(),
            expected: Some(expected),
        })
    }

    async fn set_status(
        &self,
        tenant: &TenantId,
        status: &ConnectionStatus,
        expected: u64,
    ) -> Result<u64, StoreError> {
        self.with_row(tenant, Some(expected), |row| {
            row.and_then(|r| {
                r.version = r.version.checked_add(1)?;
                r.status = status.clone();
                r.refresh_lease = None;
                Some(r.version)
            })
        })?
        .ok_or_else(|| StoreError::Conflict {
            tenant: tenant.clone(),
            expected: Some(expected),
        })
    }

    async fn delete(&self, tenant: &TenantId) -> Result<bool, StoreError> {
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(rows.remove(tenant).is_some())
    }

    async fn tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut tenants: Vec<TenantId> = rows.keys().cloned().collect();
        tenants.sort();
        Ok(tenants)
    }
}
