//! Links: which QBO entity each store entity became.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::QueueError;
use crate::ids::{ContentHash, QboId, StoreId, SyncToken, TenantId};
use crate::job::EntityRef;
use crate::kind::EntityKind;

/// A link between a store entity and a QBO entity.
///
/// A QBO id is linked to at most one store entity per tenant and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The store entity.
    pub entity: EntityRef,
    /// The QBO entity's id.
    pub qbo_id: QboId,
    /// QBO's `SyncToken` after the last push (unknown for a fresh manual link).
    pub sync_token: Option<SyncToken>,
    /// The hash of what was last pushed (unknown for a fresh manual link).
    pub content_hash: Option<ContentHash>,
    /// Set by an operator (or an import), not by a push that created the QBO entity.
    pub manual: bool,
    /// When the link last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a successful push tells the link store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The QBO entity's id.
    pub qbo_id: QboId,
    /// Its `SyncToken` after the write.
    pub sync_token: Option<SyncToken>,
    /// The hash of the content pushed.
    pub content_hash: Option<ContentHash>,
}

/// One link to import, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkImportRow {
    /// The line of the source file, for error reports.
    pub line: u64,
    /// The entity kind.
    pub kind: EntityKind,
    /// The store id.
    pub store_id: StoreId,
    /// The QBO id.
    pub qbo_id: QboId,
    /// The SyncToken, when known.
    pub sync_token: Option<SyncToken>,
    /// The content hash, when known.
    pub content_hash: Option<ContentHash>,
    /// Whether the link counts as manual.
    pub manual: bool,
}

/// Where a page of links starts: after this (kind, store id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCursor {
    /// The kind of the last link seen.
    pub kind: EntityKind,
    /// The store id of the last link seen.
    pub store_id: StoreId,
}

/// The link store: (tenant, kind, store id) ↔ QBO id, with SyncToken, content hash and
/// manual flag. Every call is scoped to one tenant.
#[async_trait]
pub trait LinkStore: Send + Sync + std::fmt::Debug {
    /// The link of a store entity.
    async fn get_link(&self, entity: &EntityRef) -> Result<Option<Link>, QueueError>;

    /// The link holding a QBO id.
    async fn find_by_qbo_id(
        &self,
        tenant: &TenantId,
        kind: EntityKind,
        qbo_id: &QboId,
    ) -> Result<Option<Link>, QueueError>;

    /// Records a successful push: creates the link or updates its QBO id, SyncToken and
    /// hash. A manual link stays manual.
    ///
    /// # Errors
    /// [`QueueError::LinkConflict`] when the QBO id is linked to another store entity.
    async fn record_push(&self, entity: &EntityRef, pushed: &Pushed) -> Result<Link, QueueError>;

    /// Links a store entity to an existing QBO entity by hand. SyncToken and hash are
    /// cleared, so the next push reads the QBO entity and updates it (never creates one).
    ///
    /// # Errors
    /// [`QueueError::LinkConflict`] when the QBO id is linked to another store entity.
    async fn link_manually(&self, entity: &EntityRef, qbo_id: &QboId) -> Result<Link, QueueError>;

    /// Removes a link; returns whether there was one.
    async fn unlink(&self, entity: &EntityRef) -> Result<bool, QueueError>;

    /// Links of a tenant ordered by (kind, store id), `limit` at a time, after `after`.
    async fn list_links(
        &self,
        tenant: &TenantId,
        kind: Option<EntityKind>,
        after: Option<&LinkCursor>,
        limit: u32,
    ) -> Result<Vec<Link>, QueueError>;

    /// Writes all `rows` as links of `tenant`, or none: a QBO id already linked to a store
    /// entity that the rows do not re-link fails the whole import with
    /// [`CsvError::Lines`](crate::CsvError::Lines) naming each such line. Rows must not
    /// repeat a (kind, store id) or a (kind, QBO id); [`crate::csv::import_links`] checks
    /// that before calling. Returns how many links were written.
    async fn import_links(
        &self,
        tenant: &TenantId,
        rows: Vec<LinkImportRow>,
    ) -> Result<u64, QueueError>;
}
