//! The token store's schema, as sea-orm-migration migrations.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// The token store's migrations (table `qbo_tokens`).
///
/// [`SeaTokenStore::connect`](super::SeaTokenStore::connect) and
/// [`SeaTokenStore::new`](super::SeaTokenStore::new) run them; run them yourself with
/// `Migrator::up(&db, None)` where schema changes are applied separately.
///
/// Applied migrations are recorded in their own table, `qbo_auth_migrations`, so other
/// crates' migrators can share the database without seeing migrations they do not know.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateQboTokens)]
    }

    fn migration_table_name() -> DynIden {
        "qbo_auth_migrations".into_iden()
    }
}

#[derive(DeriveIden)]
enum QboTokens {
    Table,
    Tenant,
    RealmId,
    KeyId,
    Ciphertext,
    AccessExpiresAt,
    RefreshExpiresAt,
    RefreshHardExpiresAt,
    ObtainedAt,
    Version,
    Status,
    StatusReason,
    LeaseHolder,
    LeaseUntil,
    UpdatedAt,
}

/// `qbo_tokens`: one row per tenant.
struct CreateQboTokens;

impl MigrationName for CreateQboTokens {
    fn name(&self) -> &str {
        "m20250601_000001_create_qbo_tokens"
    }
}

/// An ASCII identifier column compared byte for byte. MariaDB/MySQL compare text
/// case-insensitively by default, which would make tenants `shop` and `Shop` one row.
fn ascii_id(backend: DbBackend, column: QboTokens, len: u32) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    if backend == DbBackend::MySql {
        def.custom(format!(
            "varchar({len}) CHARACTER SET ascii COLLATE ascii_bin"
        ));
    } else {
        def.string_len(len);
    }
    def
}

/// An instant in UTC, kept to the microsecond. MariaDB/MySQL get `datetime(6)`: its
/// `timestamp` has whole seconds, ends in 2038 and may update itself.
fn instant(backend: DbBackend, column: QboTokens) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    if backend == DbBackend::MySql {
        def.custom("datetime(6)");
    } else {
        def.timestamp_with_time_zone();
    }
    def
}

// The trait spells `&SchemaManager` without its lifetime; the impl has to match.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateQboTokens {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(QboTokens::Table)
                    .if_not_exists()
                    .col(
                        ascii_id(backend, QboTokens::Tenant, 128)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ascii_id(backend, QboTokens::RealmId, 64).not_null())
                    .col(ascii_id(backend, QboTokens::KeyId, 64).not_null())
                    .col(ColumnDef::new(QboTokens::Ciphertext).text().not_null())
                    .col(instant(backend, QboTokens::AccessExpiresAt).not_null())
                    .col(instant(backend, QboTokens::RefreshExpiresAt).not_null())
                    .col(instant(backend, QboTokens::RefreshHardExpiresAt).null())
                    .col(instant(backend, QboTokens::ObtainedAt).not_null())
                    .col(ColumnDef::new(QboTokens::Version).big_integer().not_null())
                    .col(ColumnDef::new(QboTokens::Status).string_len(32).not_null())
                    .col(ColumnDef::new(QboTokens::StatusReason).text().null())
                    .col(ColumnDef::new(QboTokens::LeaseHolder).text().null())
                    .col(instant(backend, QboTokens::LeaseUntil).null())
                    .col(instant(backend, QboTokens::UpdatedAt).not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QboTokens::Table).if_exists().to_owned())
            .await
    }
}
