//! The schema, as sea-orm-migration migrations.
//!
//! [`Migrator`] keeps its own history table, `sync_queue_migrations`, so that other crates'
//! migrators can share the database without tripping over each other's history.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// The migrations of this crate, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateQueueTables),
            Box::new(CreateLeaseTable),
            Box::new(WidenLongTextOnMariaDb),
        ]
    }

    fn migration_table_name() -> DynIden {
        "sync_queue_migrations".into_iden()
    }
}

#[derive(DeriveIden)]
pub(crate) enum SyncJob {
    Table,
    Id,
    Tenant,
    Kind,
    StoreId,
    Action,
    Payload,
    Status,
    Waiting,
    Attempts,
    DueAt,
    LeaseToken,
    LockedBy,
    LastErrorCode,
    LastErrorMessage,
    LastErrorAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum SyncLink {
    Table,
    Tenant,
    Kind,
    StoreId,
    QboId,
    SyncToken,
    ContentHash,
    Manual,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum SyncCursor {
    Table,
    Tenant,
    Feed,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum SyncLease {
    Table,
    Name,
    Holder,
    ExpiresAt,
}

#[derive(DeriveIden)]
pub(crate) enum SyncTenantPause {
    Table,
    Tenant,
    Reason,
    PausedAt,
}

/// `m20260101_000001_create_queue_tables`: jobs, links, cursors and tenant pauses.
struct CreateQueueTables;

impl MigrationName for CreateQueueTables {
    fn name(&self) -> &str {
        "m20260101_000001_create_queue_tables"
    }
}

impl CreateQueueTables {
    /// A string id column that compares and sorts byte by byte on every database
    /// (PostgreSQL's default collation may follow a locale; MariaDB's is set per table).
    fn id_column(manager: &SchemaManager<'_>, name: impl IntoIden, len: u32) -> ColumnDef {
        let mut column = ColumnDef::new(name);
        column.string_len(len).not_null();
        if manager.get_database_backend() == DbBackend::Postgres {
            column.extra("COLLATE \"C\"");
        }
        column
    }

    /// MariaDB/MySQL compare strings case- and accent-insensitively by default; ids must
    /// compare byte for byte, as on the other databases.
    fn binary_strings(manager: &SchemaManager<'_>, table: &mut TableCreateStatement) {
        if manager.get_database_backend() == DbBackend::MySql {
            table.character_set("utf8mb4").collate("utf8mb4_bin");
        }
    }
}

// `async_trait` needs the trait's exact (elided) lifetime shape here.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateQueueTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut jobs = Table::create();
        jobs.table(SyncJob::Table)
            .col(ColumnDef::new(SyncJob::Id).uuid().not_null().primary_key())
            .col(Self::id_column(manager, SyncJob::Tenant, 128))
            .col(ColumnDef::new(SyncJob::Kind).string_len(16).not_null())
            .col(Self::id_column(manager, SyncJob::StoreId, 128))
            .col(ColumnDef::new(SyncJob::Action).string_len(8).not_null())
            .col(ColumnDef::new(SyncJob::Payload).text().null())
            .col(ColumnDef::new(SyncJob::Status).string_len(8).not_null())
            .col(ColumnDef::new(SyncJob::Waiting).small_integer().null())
            .col(ColumnDef::new(SyncJob::Attempts).integer().not_null())
            .col(ColumnDef::new(SyncJob::DueAt).big_integer().null())
            .col(ColumnDef::new(SyncJob::LeaseToken).uuid().null())
            .col(ColumnDef::new(SyncJob::LockedBy).string_len(128).null())
            .col(ColumnDef::new(SyncJob::LastErrorCode).string_len(64).null())
            .col(ColumnDef::new(SyncJob::LastErrorMessage).text().null())
            .col(ColumnDef::new(SyncJob::LastErrorAt).big_integer().null())
            .col(ColumnDef::new(SyncJob::CreatedAt).big_integer().not_null())
            .col(ColumnDef::new(SyncJob::UpdatedAt).big_integer().not_null());
        Self::binary_strings(manager, &mut jobs);
        manager.create_table(jobs).await?;
        // One waiting job per entity (NULLs are distinct), and the index behind the
        // enqueue upsert and the per-entity checks.
        manager
            .create_index(
                Index::create()
                    .name("sync_job_waiting_slot")
                    .table(SyncJob::Table)
                    .col(SyncJob::Tenant)
                    .col(SyncJob::Kind)
                    .col(SyncJob::StoreId)
                    .col(SyncJob::Waiting)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The running jobs, for the claim's "no other job of this entity runs" check:
        // a partial index stays as small as the number of running jobs. MariaDB has no
        // partial indexes; it probes the waiting-slot index per candidate instead.
        if manager.get_database_backend() != DbBackend::MySql {
            manager
                .create_index(
                    Index::create()
                        .name("sync_job_running")
                        .table(SyncJob::Table)
                        .col(SyncJob::Tenant)
                        .col(SyncJob::Kind)
                        .col(SyncJob::StoreId)
                        .and_where(Expr::col(SyncJob::Status).eq("running"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("sync_job_due")
                    .table(SyncJob::Table)
                    .col(SyncJob::DueAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sync_job_tenant_due")
                    .table(SyncJob::Table)
                    .col(SyncJob::Tenant)
                    .col(SyncJob::DueAt)
                    .to_owned(),
            )
            .await?;

        let mut links = Table::create();
        links
            .table(SyncLink::Table)
            .col(Self::id_column(manager, SyncLink::Tenant, 128))
            .col(ColumnDef::new(SyncLink::Kind).string_len(16).not_null())
            .col(Self::id_column(manager, SyncLink::StoreId, 128))
            .col(Self::id_column(manager, SyncLink::QboId, 64))
            .col(ColumnDef::new(SyncLink::SyncToken).string_len(32).null())
            .col(ColumnDef::new(SyncLink::ContentHash).string_len(128).null())
            .col(ColumnDef::new(SyncLink::Manual).boolean().not_null())
            .col(ColumnDef::new(SyncLink::UpdatedAt).big_integer().not_null())
            .primary_key(
                Index::create()
                    .col(SyncLink::Tenant)
                    .col(SyncLink::Kind)
                    .col(SyncLink::StoreId),
            );
        Self::binary_strings(manager, &mut links);
        manager.create_table(links).await?;
        manager
            .create_index(
                Index::create()
                    .name("sync_link_qbo_id")
                    .table(SyncLink::Table)
                    .col(SyncLink::Tenant)
                    .col(SyncLink::Kind)
                    .col(SyncLink::QboId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut cursors = Table::create();
        cursors
            .table(SyncCursor::Table)
            .col(Self::id_column(manager, SyncCursor::Tenant, 128))
            .col(Self::id_column(manager, SyncCursor::Feed, 128))
            // As applied: `TEXT`; `WidenLongTextOnMariaDb` makes it `LONGTEXT` there.
            .col(ColumnDef::new(SyncCursor::Value).text().not_null())
            .col(
                ColumnDef::new(SyncCursor::UpdatedAt)
                    .big_integer()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(SyncCursor::Tenant)
                    .col(SyncCursor::Feed),
            );
        Self::binary_strings(manager, &mut cursors);
        manager.create_table(cursors).await?;

        let mut pauses = Table::create();
        pauses
            .table(SyncTenantPause::Table)
            .col(Self::id_column(manager, SyncTenantPause::Tenant, 128).primary_key())
            .col(ColumnDef::new(SyncTenantPause::Reason).text().not_null())
            .col(
                ColumnDef::new(SyncTenantPause::PausedAt)
                    .big_integer()
                    .not_null(),
            );
        Self::binary_strings(manager, &mut pauses);
        manager.create_table(pauses).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SyncTenantPause::Table.into_iden(),
            SyncCursor::Table.into_iden(),
            SyncLink::Table.into_iden(),
            SyncJob::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// `m20261204_000002_create_lease_table`: named leases (`LeaseStore`), one row per name.
struct CreateLeaseTable;

impl MigrationName for CreateLeaseTable {
    fn name(&self) -> &str {
        "m20261204_000002_create_lease_table"
    }
}

// `async_trait` needs the trait's exact (elided) lifetime shape here.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateLeaseTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut leases = Table::create();
        leases
            .table(SyncLease::Table)
            .col(CreateQueueTables::id_column(manager, SyncLease::Name, 128).primary_key())
            .col(CreateQueueTables::id_column(
                manager,
                SyncLease::Holder,
                128,
            ))
            .col(
                ColumnDef::new(SyncLease::ExpiresAt)
                    .big_integer()
                    .not_null(),
            );
        CreateQueueTables::binary_strings(manager, &mut leases);
        manager.create_table(leases).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncLease::Table).to_owned())
            .await
    }
}

/// `m20261204_000003_widen_long_text_on_mariadb`: job payloads and cursors hold more than
/// 64 KiB on MariaDB/MySQL, whose `TEXT` stops there (a product snapshot with its variants,
/// a scan's cursor with every id of a store and its fingerprint): both become `LONGTEXT`.
/// SQLite's and PostgreSQL's `TEXT` has no such limit: nothing to do there. (An earlier
/// build created the cursor column as `LONGTEXT` in the first migration; changing it
/// again to `LONGTEXT` is harmless.)
struct WidenLongTextOnMariaDb;

impl MigrationName for WidenLongTextOnMariaDb {
    fn name(&self) -> &str {
        "m20261204_000003_widen_long_text_on_mariadb"
    }
}

// `async_trait` needs the trait's exact (elided) lifetime shape here.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for WidenLongTextOnMariaDb {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SyncJob::Table)
                    .modify_column(
                        ColumnDef::new(SyncJob::Payload)
                            .custom(Alias::new("LONGTEXT"))
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SyncCursor::Table)
                    .modify_column(
                        ColumnDef::new(SyncCursor::Value)
                            .custom(Alias::new("LONGTEXT"))
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::MySql {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SyncJob::Table)
                    .modify_column(ColumnDef::new(SyncJob::Payload).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SyncCursor::Table)
                    .modify_column(ColumnDef::new(SyncCursor::Value).text().not_null())
                    .to_owned(),
            )
            .await
    }
}
