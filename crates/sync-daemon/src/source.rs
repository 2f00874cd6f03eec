//! Where the engine reads store entities: a CS-Cart store through its API, or snapshots
//! that the store sent with the change (the webhook; the library API).

use std::fmt;

use async_trait::async_trait;
use cscart_api::reader::StoreReader;
use mapping::ids as mid;
use mapping::model as m;
use serde::{Deserialize, Serialize};
use sync_queue::{EntityKind, StoreId};

/// One store entity in the `mapping` store model.
///
/// In JSON (job payloads, webhook bodies) it is tagged by kind: `{"customer": {...}}`,
/// `{"category": {...}}`, `{"product": {...}}`, `{"order": {...}}`.
// One entity is read per job and moved, never kept in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreEntity {
    /// A registered customer.
    Customer(m::Customer),
    /// A product category.
    Category(m::Category),
    /// A product.
    Product(m::Product),
    /// An order.
    Order(m::Order),
}

impl StoreEntity {
    /// Its kind in the queue.
    pub fn kind(&self) -> EntityKind {
        match self {
            Self::Customer(_) => EntityKind::Customer,
            Self::Category(_) => EntityKind::Category,
            Self::Product(_) => EntityKind::Product,
            Self::Order(_) => EntityKind::Order,
        }
    }

    /// Its store id.
    pub fn store_id(&self) -> &str {
        match self {
            Self::Customer(c) => c.id.as_str(),
            Self::Category(c) => c.id.as_str(),
            Self::Product(p) => p.id.as_str(),
            Self::Order(o) => o.id.as_str(),
        }
    }

    /// Its reference in `mapping`'s terms.
    pub fn store_ref(&self) -> mapping::StoreRef {
        use mapping::Transform;
        match self {
            Self::Customer(c) => c.store_ref(),
            Self::Category(c) => c.store_ref(),
            Self::Product(p) => p.store_ref(),
            Self::Order(o) => o.store_ref(),
        }
    }
}

/// A job's payload when the store sends its entities (store kind `snapshot`): the entity,
/// and optionally the entities it depends on (its customer, products, categories) so that
/// they can be pushed first when QBO does not have them yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The entity.
    pub entity: StoreEntity,
    /// Entities it depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<StoreEntity>,
}

/// Why a store entity could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The CS-Cart store failed or sent something unreadable.
    #[error(transparent)]
    Cscart(#[from] cscart_api::CscartError),
    /// A job's snapshot payload is not a valid store entity.
    #[error("the job's snapshot is not valid: {0}")]
    Payload(String),
    /// This source cannot load entities by id (a snapshot store): the entity must come
    /// with a change.
    #[error("this store sends its entities; it cannot be asked for one")]
    NotAvailable,
}

/// Loads store entities by id.
#[async_trait]
pub trait StoreSource: Send + Sync + fmt::Debug {
    /// The entity as the store has it now; `Ok(None)` when the store no longer has it.
    ///
    /// # Errors
    /// [`SourceError`] when the store cannot be read (transient or not, see
    /// [`SourceError::is_transient`]).
    async fn load(
        &self,
        kind: EntityKind,
        id: &StoreId,
    ) -> Result<Option<StoreEntity>, SourceError>;
}

/// A CS-Cart store, read through [`StoreReader`].
#[derive(Debug)]
pub struct CscartSource {
    reader: StoreReader,
}

impl CscartSource {
    /// A source over `reader`.
    pub fn new(reader: StoreReader) -> Self {
        Self { reader }
    }

    /// The reader.
    pub fn reader(&self) -> &StoreReader {
        &self.reader
    }
}

#[async_trait]
impl StoreSource for CscartSource {
    async fn load(
        &self,
        kind: EntityKind,
        id: &StoreId,
    ) -> Result<Option<StoreEntity>, SourceError> {
        let id = id.as_str();
        Ok(match kind {
            EntityKind::Customer => self
                .reader
                .customer(&mid::CustomerId::new(id))
                .await?
                .map(StoreEntity::Customer),
            EntityKind::Category => self
                .reader
                .category(&mid::CategoryId::new(id))
                .await?
                .map(StoreEntity::Category),
            EntityKind::Product => self
                .reader
                .product(&mid::ProductId::new(id))
                .await?
                .map(StoreEntity::Product),
            EntityKind::Order | EntityKind::Payment => self
                .reader
                .order(&mid::OrderId::new(id))
                .await?
                .map(StoreEntity::Order),
        })
    }
}

/// A store that sends its entities with each change: nothing can be loaded by id.
#[derive(Debug, Default, Clone, Copy)]
pub struct SnapshotSource;

#[async_trait]
impl StoreSource for SnapshotSource {
    async fn load(
        &self,
        _kind: EntityKind,
        _id: &StoreId,
    ) -> Result<Option<StoreEntity>, SourceError> {
        Err(SourceError::NotAvailable)
    }
}
