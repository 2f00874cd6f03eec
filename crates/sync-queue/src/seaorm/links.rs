//! [`LinkStore`] and [`CursorStore`] on SeaORM.

use std::collections::{BTreeMap, HashSet};

use async_trait::async_trait;
use sea_orm::sea_query::{Cond, Expr, ExprTrait as _, InsertStatement, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, TransactionTrait, Value};

use super::SeaOrmStore;
use super::migration::{SyncCursor, SyncLink};
use super::rows::{get, parsed};
use crate::clock::from_ms;
use crate::cursor::{Cursor, CursorStore};
use crate::error::{CsvError, LineError, LineProblem, QueueError};
use crate::ids::{ContentHash, FeedName, QboId, StoreId, SyncToken, TenantId};
use crate::job::EntityRef;
use crate::kind::EntityKind;
use crate::link::{Link, LinkCursor, LinkImportRow, LinkStore, Pushed};

/// Rows per multi-row statement of an import.
const CHUNK: usize = 200;

const LINK_COLUMNS: [SyncLink; 8] = [
    SyncLink::Tenant,
    SyncLink::Kind,
    SyncLink::StoreId,
    SyncLink::QboId,
    SyncLink::SyncToken,
    SyncLink::ContentHash,
    SyncLink::Manual,
    SyncLink::UpdatedAt,
];

fn build_error(e: impl std::fmt::Display) -> QueueError {
    QueueError::Database(DbErr::Custom(format!("building a statement: {e}")))
}

fn link_from_row(row: &QueryResult) -> Result<Link, QueueError> {
    let sync_token: Option<String> = get(row, "sync_token")?;
    let content_hash: Option<String> = get(row, "content_hash")?;
    let corrupt = |column: &'static str| {
        move |e: QueueError| QueueError::CorruptRow {
            column,
            reason: e.to_string(),
        }
    };
    Ok(Link {
        entity: EntityRef {
            tenant: parsed(row, "tenant", TenantId::new)?,
            kind: parsed(row, "kind", |s| s.parse())?,
            store_id: parsed(row, "store_id", StoreId::new)?,
        },
        qbo_id: parsed(row, "qbo_id", QboId::new)?,
        sync_token: sync_token
            .map(SyncToken::new)
            .transpose()
            .map_err(corrupt("sync_token"))?,
        content_hash: content_hash
            .map(ContentHash::new)
            .transpose()
            .map_err(corrupt("content_hash"))?,
        manual: get(row, "manual")?,
        updated_at: from_ms(get(row, "updated_at")?),
    })
}

fn key_cond(entity: &EntityRef) -> Cond {
    Cond::all()
        .add(Expr::col(SyncLink::Tenant).eq(entity.tenant.as_str()))
        .add(Expr::col(SyncLink::Kind).eq(entity.kind.as_str()))
        .add(Expr::col(SyncLink::StoreId).eq(entity.store_id.as_str()))
}

fn link_values(link: &Link) -> [Value; 8] {
    [
        link.entity.tenant.as_str().into(),
        link.entity.kind.as_str().into(),
        link.entity.store_id.as_str().into(),
        link.qbo_id.as_str().into(),
        link.sync_token
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .into(),
        link.content_hash
            .as_ref()
            .map(|h| h.as_str().to_owned())
            .into(),
        link.manual.into(),
        link.updated_at.timestamp_millis().into(),
    ]
}

async fn find_one<C: ConnectionTrait>(conn: &C, cond: Cond) -> Result<Option<Link>, QueueError> {
    let mut select = Query::select();
    select
        .from(SyncLink::Table)
        .columns(LINK_COLUMNS)
        .cond_where(cond);
    conn.query_one(&select)
        .await?
        .as_ref()
        .map(link_from_row)
        .transpose()
}

/// Writes `link` (replacing the one of its entity) after checking that its QBO id is free.
async fn put_link<C: ConnectionTrait>(conn: &C, link: &Link) -> Result<(), QueueError> {
    let holder = find_one(
        conn,
        Cond::all()
            .add(Expr::col(SyncLink::Tenant).eq(link.entity.tenant.as_str()))
            .add(Expr::col(SyncLink::Kind).eq(link.entity.kind.as_str()))
            .add(Expr::col(SyncLink::QboId).eq(link.qbo_id.as_str())),
    )
    .await?;
    if let Some(holder) = holder
        && holder.entity.store_id != link.entity.store_id
    {
        return Err(QueueError::LinkConflict {
            kind: link.entity.kind,
            qbo_id: link.qbo_id.clone(),
            linked_to: holder.entity.store_id,
        });
    }
    let values = link_values(link);
    let mut update = Query::update();
    update
        .table(SyncLink::Table)
        .values(
            LINK_COLUMNS
                .into_iter()
                .zip(values.clone())
                .skip(3)
                .map(|(c, v)| (c, Expr::val(v))),
        )
        .cond_where(key_cond(&link.entity));
    if conn.execute(&update).await?.rows_affected() == 0 {
        let mut insert = Query::insert();
        insert
            .into_table(SyncLink::Table)
            .columns(LINK_COLUMNS)
            .values(values.map(Expr::val))
            .map_err(build_error)?;
        conn.execute(&insert).await?;
    }
    Ok(())
}

impl SeaOrmStore {
    /// Writes `link` in a transaction, run again when the database gave up on it for a
    /// passing reason (MariaDB deadlocks between an update finding no row and an insert
    /// into the same gap; SQLite busy).
    async fn write_link(&self, link: Link) -> Result<Link, QueueError> {
        super::retrying(false, || self.write_link_once(link.clone())).await
    }

    /// Writes `link` in a transaction; a unique violation (another writer linked the QBO
    /// id meanwhile) is reported as the conflict it is.
    async fn write_link_once(&self, link: Link) -> Result<Link, QueueError> {
        let txn = self.db.begin().await?;
        match put_link(&txn, &link).await {
            Ok(()) => {
                txn.commit().await?;
                Ok(link)
            }
            Err(e) => {
                drop(txn);
                if super::is_unique_violation(&e)
                    && let Some(holder) = self
                        .find_by_qbo_id(&link.entity.tenant, link.entity.kind, &link.qbo_id)
                        .await?
                {
                    return Err(QueueError::LinkConflict {
                        kind: link.entity.kind,
                        qbo_id: link.qbo_id,
                        linked_to: holder.entity.store_id,
                    });
                }
                Err(e)
            }
        }
    }
}

#[async_trait]
impl LinkStore for SeaOrmStore {
    async fn get_link(&self, entity: &EntityRef) -> Result<Option<Link>, QueueError> {
        find_one(&self.db, key_cond(entity)).await
    }

    async fn find_by_qbo_id(
        &self,
        tenant: &TenantId,
        kind: EntityKind,
        qbo_id: &QboId,
    ) -> Result<Option<Link>, QueueError> {
        find_one(
            &self.db,
            Cond::all()
                .add(Expr::col(SyncLink::Tenant).eq(tenant.as_str()))
                .add(Expr::col(SyncLink::Kind).eq(kind.as_str()))
                .add(Expr::col(SyncLink::QboId).eq(qbo_id.as_str())),
        )
        .await
    }

    async fn record_push(&self, entity: &EntityRef, pushed: &Pushed) -> Result<Link, QueueError> {
        let manual = self.get_link(entity).await?.is_some_and(|l| l.manual);
        self.write_link(Link {
            entity: entity.clone(),
            qbo_id: pushed.qbo_id.clone(),
            sync_token: pushed.sync_token.clone(),
            content_hash: pushed.content_hash.clone(),
            manual,
            updated_at: from_ms(self.now()),
        })
        .await
    }

    async fn link_manually(&self, entity: &EntityRef, qbo_id: &QboId) -> Result<Link, QueueError> {
        self.write_link(Link {
            entity: entity.clone(),
            qbo_id: qbo_id.clone(),
            sync_token: None,
            content_hash: None,
            manual: true,
            updated_at: from_ms(self.now()),
        })
        .await
    }

    async fn unlink(&self, entity: &EntityRef) -> Result<bool, QueueError> {
        let mut delete = Query::delete();
        delete
            .from_table(SyncLink::Table)
            .cond_where(key_cond(entity));
        Ok(self.db.execute(&delete).await?.rows_affected() > 0)
    }

    async fn list_links(
        &self,
        tenant: &TenantId,
        kind: Option<EntityKind>,
        after: Option<&LinkCursor>,
        limit: u32,
    ) -> Result<Vec<Link>, QueueError> {
        let mut cond = Cond::all().add(Expr::col(SyncLink::Tenant).eq(tenant.as_str()));
        if let Some(kind) = kind {
            cond = cond.add(Expr::col(SyncLink::Kind).eq(kind.as_str()));
        }
        if let Some(after) = after {
            cond = cond.add(
                Cond::any()
                    .add(Expr::col(SyncLink::Kind).gt(after.kind.as_str()))
                    .add(
                        Cond::all()
                            .add(Expr::col(SyncLink::Kind).eq(after.kind.as_str()))
                            .add(Expr::col(SyncLink::StoreId).gt(after.store_id.as_str())),
                    ),
            );
        }
        let mut select = Query::select();
        select
            .from(SyncLink::Table)
            .columns(LINK_COLUMNS)
            .cond_where(cond)
            .order_by(SyncLink::Kind, Order::Asc)
            .order_by(SyncLink::StoreId, Order::Asc)
            .limit(u64::from(limit));
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(link_from_row)
            .collect()
    }

    async fn import_links(
        &self,
        tenant: &TenantId,
        rows: Vec<LinkImportRow>,
    ) -> Result<u64, QueueError> {
        let now = self.now();
        let txn = self.db.begin().await?;
        let mut by_kind: BTreeMap<EntityKind, Vec<&LinkImportRow>> = BTreeMap::new();
        for row in &rows {
            by_kind.entry(row.kind).or_default().push(row);
        }

        // Conflicts: a QBO id held by a store entity the file does not re-link.
        let mut errors = Vec::new();
        for (kind, kind_rows) in &by_kind {
            let relinked: HashSet<&str> = kind_rows.iter().map(|r| r.store_id.as_str()).collect();
            let mut holders: BTreeMap<String, String> = BTreeMap::new();
            for chunk in kind_rows.chunks(CHUNK) {
                let mut select = Query::select();
                select
                    .from(SyncLink::Table)
                    .columns([SyncLink::QboId, SyncLink::StoreId])
                    .cond_where(
                        Cond::all()
                            .add(Expr::col(SyncLink::Tenant).eq(tenant.as_str()))
                            .add(Expr::col(SyncLink::Kind).eq(kind.as_str()))
                            .add(
                                Expr::col(SyncLink::QboId)
                                    .is_in(chunk.iter().map(|r| r.qbo_id.as_str())),
                            ),
                    );
                for found in txn.query_all(&select).await? {
                    holders.insert(get(&found, "qbo_id")?, get(&found, "store_id")?);
                }
            }
            for row in kind_rows {
                if let Some(holder) = holders.get(row.qbo_id.as_str())
                    && holder != row.store_id.as_str()
                    && !relinked.contains(holder.as_str())
                {
                    errors.push(LineError {
                        line: row.line,
                        problem: LineProblem::ConflictsWithExisting {
                            linked_to: StoreId::new(holder.clone()).map_err(|e| {
                                QueueError::CorruptRow {
                                    column: "store_id",
                                    reason: e.to_string(),
                                }
                            })?,
                        },
                    });
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            txn.rollback().await?;
            return Err(CsvError::Lines(errors).into());
        }

        // Replace: drop the file's entities' links, then insert every row.
        for (kind, kind_rows) in &by_kind {
            for chunk in kind_rows.chunks(CHUNK) {
                let mut delete = Query::delete();
                delete.from_table(SyncLink::Table).cond_where(
                    Cond::all()
                        .add(Expr::col(SyncLink::Tenant).eq(tenant.as_str()))
                        .add(Expr::col(SyncLink::Kind).eq(kind.as_str()))
                        .add(
                            Expr::col(SyncLink::StoreId)
                                .is_in(chunk.iter().map(|r| r.store_id.as_str())),
                        ),
                );
                txn.execute(&delete).await?;
            }
        }
        for chunk in rows.chunks(CHUNK) {
            let mut insert: InsertStatement = Query::insert();
            insert.into_table(SyncLink::Table).columns(LINK_COLUMNS);
            for row in chunk {
                let link = Link {
                    entity: EntityRef::new(tenant.clone(), row.kind, row.store_id.clone()),
                    qbo_id: row.qbo_id.clone(),
                    sync_token: row.sync_token.clone(),
                    content_hash: row.content_hash.clone(),
                    manual: row.manual,
                    updated_at: from_ms(now),
                };
                insert
                    .values(link_values(&link).map(Expr::val))
                    .map_err(build_error)?;
            }
            txn.execute(&insert).await?;
        }
        txn.commit().await?;
        Ok(rows.len() as u64)
    }
}

fn cursor_cond(tenant: &TenantId, feed: &FeedName) -> Cond {
    Cond::all()
        .add(Expr::col(SyncCursor::Tenant).eq(tenant.as_str()))
        .add(Expr::col(SyncCursor::Feed).eq(feed.as_str()))
}

#[async_trait]
impl CursorStore for SeaOrmStore {
    async fn get_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
    ) -> Result<Option<Cursor>, QueueError> {
        let mut select = Query::select();
        select
            .from(SyncCursor::Table)
            .columns([SyncCursor::Value, SyncCursor::UpdatedAt])
            .cond_where(cursor_cond(tenant, feed));
        match self.db.query_one(&select).await? {
            None => Ok(None),
            Some(row) => Ok(Some(Cursor {
                value: get(&row, "value")?,
                updated_at: from_ms(get(&row, "updated_at")?),
            })),
        }
    }

    async fn set_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
        value: &str,
    ) -> Result<(), QueueError> {
        let mut insert = Query::insert();
        insert
            .into_table(SyncCursor::Table)
            .columns([
                SyncCursor::Tenant,
                SyncCursor::Feed,
                SyncCursor::Value,
                SyncCursor::UpdatedAt,
            ])
            .values([
                tenant.as_str().into(),
                feed.as_str().into(),
                value.into(),
                self.now().into(),
            ])
            .map_err(build_error)?
            .on_conflict(
                OnConflict::columns([SyncCursor::Tenant, SyncCursor::Feed])
                    .update_columns([SyncCursor::Value, SyncCursor::UpdatedAt])
                    .to_owned(),
            );
        self.db.execute(&insert).await?;
        Ok(())
    }

    async fn delete_cursor(&self, tenant: &TenantId, feed: &FeedName) -> Result<bool, QueueError> {
        let mut delete = Query::delete();
        delete
            .from_table(SyncCursor::Table)
            .cond_where(cursor_cond(tenant, feed));
        Ok(self.db.execute(&delete).await?.rows_affected() > 0)
    }
}
