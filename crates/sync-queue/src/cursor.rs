//! Cursors: where each store feed's polling left off.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::QueueError;
use crate::ids::{FeedName, TenantId};

/// A feed's stored position: opaque text (a timestamp, an id, a JSON document...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The position, as the feed wrote it.
    pub value: String,
    /// When it was written.
    pub updated_at: DateTime<Utc>,
}

/// The cursor store: one opaque value per (tenant, feed).
#[async_trait]
pub trait CursorStore: Send + Sync + std::fmt::Debug {
    /// The feed's position, if one was stored.
    async fn get_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
    ) -> Result<Option<Cursor>, QueueError>;

    /// Stores the feed's position (replacing the previous one).
    async fn set_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
        value: &str,
    ) -> Result<(), QueueError>;

    /// Forgets the feed's position (the next poll starts over); returns whether there was
    /// one.
    async fn delete_cursor(&self, tenant: &TenantId, feed: &FeedName) -> Result<bool, QueueError>;
}
