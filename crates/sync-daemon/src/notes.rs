//! What the engine remembers about an entity beyond its link: a create that may have
//! reached QBO without its link being written (an intent), the clash rename it got, and a
//! name made active for an order's write that must be made inactive again.
//!
//! **Why intents**: QBO forgets `requestid`s after a while, and a new job for the same
//! entity carries a new one. So before a create is sent, the engine writes the QBO key it
//! will be found by (DisplayName, Name, DocNumber, or customer + date + marker for
//! documents without a number). The intent is cleared when the link is written. A create
//! that finds an intent looks QBO up by the intent's key (the name *as it was sent*, even
//! if the store renamed the entity since) and by the current key, and links what it finds
//! instead of creating again. That is what makes "QBO committed the create, the process
//! died before the link was written, and the entity changed before the restart" end with
//! one QBO entity.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Cond, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::prelude::*;
use serde::{Deserialize, Serialize};
use sync_queue::{EntityRef, TenantId};

/// The QBO key a created entity can be found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKey {
    /// A customer's `DisplayName`.
    DisplayName(String),
    /// An item's `Name`.
    Name(String),
    /// A document's `DocNumber`.
    DocNumber {
        /// `Invoice` or `SalesReceipt`.
        entity: String,
        /// The number.
        number: String,
    },
    /// A document without a number: its customer and date, and the marker the engine
    /// writes into its `PrivateNote`.
    Document {
        /// `Invoice`, `SalesReceipt` or `Payment`.
        entity: String,
        /// The QBO customer id.
        customer: String,
        /// `TxnDate`.
        date: NaiveDate,
        /// The marker in `PrivateNote`.
        marker: String,
    },
}

/// A create that was sent (or is about to be) and whose link is not written yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateIntent {
    /// How to find it in QBO.
    pub key: LookupKey,
    /// The `requestid` it was sent with.
    pub request_id: String,
    /// When it was written: an entity QBO created long before is not this create's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// A name (customer or item) made active for an order's write, noted before it is: the
/// engine makes it inactive again after the write, or, when the process died in between,
/// [`crate::Engine::finish_reactivations`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactivation {
    /// `Customer` or `Item`.
    pub entity: String,
    /// Its QBO id.
    pub qbo_id: String,
    /// When it was noted.
    pub at: DateTime<Utc>,
}

/// What is noted about one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityNote {
    /// A create whose link is not written yet.
    pub intent: Option<CreateIntent>,
    /// The clash-rename attempt its QBO name carries.
    pub rename: Option<u32>,
    /// Made active for an order's write, to be made inactive again.
    pub reactivated: Option<Reactivation>,
}

/// Where notes are kept.
#[async_trait]
pub trait NoteStore: Send + Sync + fmt::Debug {
    /// The note of an entity (empty when there is none).
    async fn get(&self, entity: &EntityRef) -> Result<EntityNote, DbErr>;
    /// Records an intent (replacing one that was there).
    async fn put_intent(&self, entity: &EntityRef, intent: &CreateIntent) -> Result<(), DbErr>;
    /// Forgets the intent (the link is written).
    async fn clear_intent(&self, entity: &EntityRef) -> Result<(), DbErr>;
    /// Records the rename attempt the entity's QBO name carries.
    async fn set_rename(&self, entity: &EntityRef, attempt: u32) -> Result<(), DbErr>;
    /// Notes (or, with `None`, forgets) that the entity's QBO name is active only for an
    /// order's write.
    async fn set_reactivated(
        &self,
        entity: &EntityRef,
        reactivation: Option<&Reactivation>,
    ) -> Result<(), DbErr>;
    /// Every entity of `tenant` with a noted reactivation.
    async fn reactivated(&self, tenant: &TenantId)
    -> Result<Vec<(EntityRef, Reactivation)>, DbErr>;
}

type Key = (String, String, String);

fn key(entity: &EntityRef) -> Key {
    (
        entity.tenant.as_str().to_owned(),
        entity.kind.as_str().to_owned(),
        entity.store_id.as_str().to_owned(),
    )
}

/// Notes in memory (tests, the demo).
#[derive(Debug, Clone, Default)]
pub struct MemoryNotes {
    notes: Arc<Mutex<HashMap<Key, EntityNote>>>,
}

impl MemoryNotes {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Key, EntityNote>) -> T) -> T {
        let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut notes)
    }
}

#[async_trait]
impl NoteStore for MemoryNotes {
    async fn get(&self, entity: &EntityRef) -> Result<EntityNote, DbErr> {
        Ok(self.with(|n| n.get(&key(entity)).cloned().unwrap_or_default()))
    }

    async fn put_intent(&self, entity: &EntityRef, intent: &CreateIntent) -> Result<(), DbErr> {
        self.with(|n| n.entry(key(entity)).or_default().intent = Some(intent.clone()));
        Ok(())
    }

    async fn clear_intent(&self, entity: &EntityRef) -> Result<(), DbErr> {
        self.with(|n| {
            if let Some(note) = n.get_mut(&key(entity)) {
                note.intent = None;
            }
        });
        Ok(())
    }

    async fn set_rename(&self, entity: &EntityRef, attempt: u32) -> Result<(), DbErr> {
        self.with(|n| n.entry(key(entity)).or_default().rename = Some(attempt));
        Ok(())
    }

    async fn set_reactivated(
        &self,
        entity: &EntityRef,
        reactivation: Option<&Reactivation>,
    ) -> Result<(), DbErr> {
        self.with(|n| n.entry(key(entity)).or_default().reactivated = reactivation.cloned());
        Ok(())
    }

    async fn reactivated(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<(EntityRef, Reactivation)>, DbErr> {
        let noted: Vec<(Key, Reactivation)> = self.with(|n| {
            n.iter()
                .filter(|((t, _, _), _)| t == tenant.as_str())
                .filter_map(|(k, note)| note.reactivated.clone().map(|r| (k.clone(), r)))
                .collect()
        });
        noted
            .into_iter()
            .map(|((t, kind, id), r)| {
                EntityRef::parse(&t, &kind, &id)
                    .map(|e| (e, r))
                    .map_err(|e| DbErr::Custom(e.to_string()))
            })
            .collect()
    }
}

/// Notes in the daemon's database (table `qbo_sync_entity_note`).
#[derive(Debug, Clone)]
pub struct SeaNotes {
    db: DatabaseConnection,
}

impl SeaNotes {
    /// Notes on `db`, after running the daemon's migrations.
    ///
    /// # Errors
    /// A [`DbErr`] when the migrations fail.
    pub async fn new(db: DatabaseConnection) -> Result<Self, DbErr> {
        Migrator::up(&db, None).await?;
        Ok(Self { db })
    }

    fn cond(entity: &EntityRef) -> Cond {
        Cond::all()
            .add(Expr::col(EntityNoteTable::Tenant).eq(entity.tenant.as_str()))
            .add(Expr::col(EntityNoteTable::Kind).eq(entity.kind.as_str()))
            .add(Expr::col(EntityNoteTable::StoreId).eq(entity.store_id.as_str()))
    }

    async fn upsert(
        &self,
        entity: &EntityRef,
        column: EntityNoteTable,
        value: sea_orm::Value,
    ) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert
            .into_table(EntityNoteTable::Table)
            .columns([
                EntityNoteTable::Tenant,
                EntityNoteTable::Kind,
                EntityNoteTable::StoreId,
                column,
            ])
            .values([
                entity.tenant.as_str().into(),
                entity.kind.as_str().into(),
                entity.store_id.as_str().into(),
                value.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .on_conflict(
                OnConflict::columns([
                    EntityNoteTable::Tenant,
                    EntityNoteTable::Kind,
                    EntityNoteTable::StoreId,
                ])
                .update_column(column)
                .to_owned(),
            );
        self.db.execute(&insert).await?;
        Ok(())
    }
}

#[async_trait]
impl NoteStore for SeaNotes {
    async fn get(&self, entity: &EntityRef) -> Result<EntityNote, DbErr> {
        let mut select = Query::select();
        select
            .from(EntityNoteTable::Table)
            .columns([
                EntityNoteTable::Intent,
                EntityNoteTable::Rename,
                EntityNoteTable::Reactivated,
            ])
            .cond_where(Self::cond(entity));
        let Some(row) = self.db.query_one(&select).await? else {
            return Ok(EntityNote::default());
        };
        let intent: Option<String> = row.try_get("", "intent")?;
        let rename: Option<i32> = row.try_get("", "rename")?;
        let intent = match intent {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                DbErr::Custom(format!("a stored create intent does not read: {e}"))
            })?),
            None => None,
        };
        let reactivated: Option<String> = row.try_get("", "reactivated")?;
        Ok(EntityNote {
            intent,
            rename: rename.and_then(|r| <u32 as std::convert::TryFrom<i32>>::try_from(r).ok()),
            reactivated: reactivated.as_deref().map(read_reactivation).transpose()?,
        })
    }

    async fn put_intent(&self, entity: &EntityRef, intent: &CreateIntent) -> Result<(), DbErr> {
        let text = serde_json::to_string(intent).map_err(|e| DbErr::Custom(e.to_string()))?;
        self.upsert(entity, EntityNoteTable::Intent, Some(text).into())
            .await
    }

    async fn clear_intent(&self, entity: &EntityRef) -> Result<(), DbErr> {
        let mut update = Query::update();
        update
            .table(EntityNoteTable::Table)
            .value(EntityNoteTable::Intent, Option::<String>::None)
            .cond_where(Self::cond(entity));
        self.db.execute(&update).await?;
        Ok(())
    }

    async fn set_rename(&self, entity: &EntityRef, attempt: u32) -> Result<(), DbErr> {
        let attempt = <i32 as std::convert::TryFrom<u32>>::try_from(attempt).unwrap_or(i32::MAX);
        self.upsert(entity, EntityNoteTable::Rename, Some(attempt).into())
            .await
    }

    async fn set_reactivated(
        &self,
        entity: &EntityRef,
        reactivation: Option<&Reactivation>,
    ) -> Result<(), DbErr> {
        let text = reactivation
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        self.upsert(entity, EntityNoteTable::Reactivated, text.into())
            .await
    }

    async fn reactivated(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<(EntityRef, Reactivation)>, DbErr> {
        let mut select = Query::select();
        select
            .from(EntityNoteTable::Table)
            .columns([
                EntityNoteTable::Kind,
                EntityNoteTable::StoreId,
                EntityNoteTable::Reactivated,
            ])
            .cond_where(
                Cond::all()
                    .add(Expr::col(EntityNoteTable::Tenant).eq(tenant.as_str()))
                    .add(Expr::col(EntityNoteTable::Reactivated).is_not_null()),
            );
        let rows = self.db.query_all(&select).await?;
        let mut noted = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("", "kind")?;
            let store_id: String = row.try_get("", "store_id")?;
            let text: String = row.try_get("", "reactivated")?;
            let entity = EntityRef::parse(tenant.as_str(), &kind, &store_id)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            noted.push((entity, read_reactivation(&text)?));
        }
        Ok(noted)
    }
}

fn read_reactivation(text: &str) -> Result<Reactivation, DbErr> {
    serde_json::from_str(text)
        .map_err(|e| DbErr::Custom(format!("a stored reactivation does not read: {e}")))
}

/// The daemon's migrations (history in `qbo_sync_migrations`, apart from the crates').
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateEntityNotes), Box::new(AddReactivated)]
    }

    fn migration_table_name() -> DynIden {
        "qbo_sync_migrations".into_iden()
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum EntityNoteTable {
    #[sea_orm(iden = "qbo_sync_entity_note")]
    Table,
    Tenant,
    Kind,
    StoreId,
    Intent,
    Rename,
    Reactivated,
}

struct CreateEntityNotes;

impl MigrationName for CreateEntityNotes {
    fn name(&self) -> &str {
        "m20261204_000001_create_entity_notes"
    }
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateEntityNotes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let id = |name: EntityNoteTable, len: u32| {
            let mut column = ColumnDef::new(name);
            column.string_len(len).not_null();
            if backend == DbBackend::Postgres {
                column.extra("COLLATE \"C\"");
            }
            column
        };
        let mut table = Table::create();
        table
            .table(EntityNoteTable::Table)
            .if_not_exists()
            .col(id(EntityNoteTable::Tenant, 128))
            .col(id(EntityNoteTable::Kind, 16))
            .col(id(EntityNoteTable::StoreId, 128))
            .col(ColumnDef::new(EntityNoteTable::Intent).text().null())
            .col(ColumnDef::new(EntityNoteTable::Rename).integer().null())
            .primary_key(
                Index::create()
                    .col(EntityNoteTable::Tenant)
                    .col(EntityNoteTable::Kind)
                    .col(EntityNoteTable::StoreId),
            );
        if backend == DbBackend::MySql {
            table.character_set("utf8mb4").collate("utf8mb4_bin");
        }
        manager.create_table(table).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EntityNoteTable::Table).to_owned())
            .await
    }
}

/// Adds the `reactivated` column (names made active for an order's write).
struct AddReactivated;

impl MigrationName for AddReactivated {
    fn name(&self) -> &str {
        "m20261204_000002_entity_note_reactivated"
    }
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for AddReactivated {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EntityNoteTable::Table)
                    .add_column(ColumnDef::new(EntityNoteTable::Reactivated).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EntityNoteTable::Table)
                    .drop_column(EntityNoteTable::Reactivated)
                    .to_owned(),
            )
            .await
    }
}
