//! What the engine remembers about an entity beyond its link: a create that may have
//! reached QBO without its link being written (an intent), and the clash rename it got.
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
use sync_queue::EntityRef;

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

/// What is noted about one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityNote {
    /// A create whose link is not written yet.
    pub intent: Option<CreateIntent>,
    /// The clash-rename attempt its QBO name carries.
    pub rename: Option<u32>,
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
            .columns([EntityNoteTable::Intent, EntityNoteTable::Rename])
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
        Ok(EntityNote {
            intent,
            rename: rename.and_then(|r| <u32 as std::convert::TryFrom<i32>>::try_from(r).ok()),
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
}

/// The daemon's migrations (history in `qbo_sync_migrations`, apart from the crates').
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateEntityNotes)]
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
