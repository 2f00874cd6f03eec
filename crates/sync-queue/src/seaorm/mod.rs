//! The SeaORM backend: SQLite (the default, one file), PostgreSQL and MariaDB.
//!
//! [`SeaOrmStore::connect`] opens the database and runs the [`Migrator`]. On SQLite the
//! connection is a file in WAL mode with a 5 s busy timeout and `synchronous=NORMAL`, set
//! on the connect options (so every pooled connection has them), and a pool of exactly
//! one connection: one writer.
//!
//! The hot path (enqueue, claim, ack, fail, release, extend) runs the hand-written
//! statements of [`statements`]: each is one statement, except MariaDB's claim (a short
//! transaction, see [`statements::ClaimStatements`]). Operator calls, links and cursors are
//! built with sea-query and rendered for the connected database.

mod lease;
mod links;
mod migration;
mod queue;
mod rows;
pub mod statements;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseConnectionType, DbBackend, DbErr,
    RuntimeErr, SqlErr, Statement, TransactionTrait as _, Value,
};
use sea_orm_migration::MigratorTrait;

pub use migration::Migrator;

use crate::error::QueueError;
use crate::queue::QueueConfig;
use crate::wake::Wakeup;

/// SQLite waits this long for a lock held by another process before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The job queue, link store and cursor store on a SeaORM connection. Clones share the
/// connection pool and the in-process wake-up.
#[derive(Debug, Clone)]
pub struct SeaOrmStore {
    db: DatabaseConnection,
    backend: DbBackend,
    config: QueueConfig,
    wake: Wakeup,
}

impl SeaOrmStore {
    /// Connects to `url` (`sqlite://path?mode=rwc`, `postgres://…`, `mysql://…`) and brings
    /// the schema up to date.
    ///
    /// # Errors
    /// [`QueueError::Database`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str, config: QueueConfig) -> Result<Self, QueueError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false);
        Self::connect_with(options, config).await
    }

    /// Like [`SeaOrmStore::connect`], with your own pool options. For SQLite the pool is
    /// set to one connection and the pragmas above replace any
    /// `map_sqlx_sqlite_opts` function of `options`.
    ///
    /// # Errors
    /// [`QueueError::Database`] when the database cannot be reached or migrated.
    pub async fn connect_with(
        mut options: ConnectOptions,
        config: QueueConfig,
    ) -> Result<Self, QueueError> {
        if options.get_url().starts_with("sqlite:") {
            sqlite_options(&mut options);
        }
        let db = Database::connect(options).await?;
        Self::migrate(&db).await?;
        tracing::debug!(backend = ?db.get_database_backend(), "sync-queue connected");
        Ok(Self::from_connection(db, config))
    }

    /// Runs the pending migrations of [`Migrator`] on `db`.
    ///
    /// On SQLite, on a pool of any size: the migrations run in one transaction, so on one
    /// connection, and every idle connection of the pool then reads the new schema. (A
    /// SQLite connection keeps the schema it last read; one that had read `sync_job`
    /// before its unique index existed would refuse the enqueue upsert.)
    ///
    /// # Errors
    /// [`QueueError::Database`] when a migration fails.
    pub async fn migrate(db: &DatabaseConnection) -> Result<(), QueueError> {
        if db.get_database_backend() != DbBackend::Sqlite {
            Migrator::up(db, None).await?;
            return Ok(());
        }
        let txn = db.begin().await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
        refresh_sqlite_schema(db).await
    }

    /// A store on an open connection whose schema is already migrated.
    pub fn from_connection(db: DatabaseConnection, config: QueueConfig) -> Self {
        let backend = db.get_database_backend();
        Self {
            db,
            backend,
            config,
            wake: Wakeup::new(),
        }
    }

    /// The connection.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes the pool.
    ///
    /// # Errors
    /// [`QueueError::Database`] when closing fails.
    pub async fn close(self) -> Result<(), QueueError> {
        self.db.close().await?;
        Ok(())
    }

    fn now(&self) -> i64 {
        self.config.now_ms()
    }

    fn raw(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }
}

/// One connection (one writer), kept open; WAL, busy timeout and `synchronous=NORMAL` on
/// the connect options.
fn sqlite_options(options: &mut ConnectOptions) {
    options
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .synchronous(SqliteSynchronous::Normal)
        });
}

/// Makes every idle connection of a SQLite pool read the current schema: a statement
/// that reads `sync_job` checks the schema cookie and reloads a stale schema.
async fn refresh_sqlite_schema(db: &DatabaseConnection) -> Result<(), QueueError> {
    let DatabaseConnectionType::SqlxSqlitePoolConnection(_) = &db.inner else {
        return Ok(());
    };
    let pool = db.get_sqlite_connection_pool();
    let mut held = Vec::new();
    while let Some(mut conn) = pool.try_acquire() {
        sea_orm::sqlx::query("SELECT 1 FROM sync_job LIMIT 1")
            .execute(&mut *conn)
            .await
            .map_err(|e| DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))?;
        held.push(conn);
    }
    Ok(())
}

/// Whether `err` is SQLite refusing an upsert because the connection still holds a
/// schema from before the unique index it targets (see [`SeaOrmStore::migrate`]).
fn is_stale_sqlite_schema(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    e.as_database_error().is_some_and(|db| {
        db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
            .is_some()
            && db
                .message()
                .contains("does not match any PRIMARY KEY or UNIQUE")
    })
}

/// The database error code of `err`, if it is one.
fn db_error_code(err: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    let db = e.as_database_error()?;
    if let Some(mysql) = db.try_downcast_ref::<sea_orm::SqlxMySqlError>() {
        return Some(mysql.number().to_string());
    }
    db.code().map(|c| c.into_owned())
}

/// Whether running the same statement again may succeed: a deadlock, a serialization
/// failure, a lock wait that timed out, SQLite being busy, a SQLite connection with a
/// stale schema (the pause before the retry lets the pool hand out another connection).
fn is_transient(err: &QueueError) -> bool {
    let QueueError::Database(err) = err else {
        return false;
    };
    is_stale_sqlite_schema(err)
        || matches!(
            db_error_code(err).as_deref(),
            // PostgreSQL: deadlock, serialization failure.
            Some("40P01" | "40001")
        // MariaDB: deadlock, lock wait timeout.
        | Some("1213" | "1205")
        // SQLite: BUSY, LOCKED, BUSY_RECOVERY, BUSY_SNAPSHOT.
        | Some("5" | "6" | "261" | "517")
        )
}

fn is_unique_violation(err: &QueueError) -> bool {
    let QueueError::Database(err) = err else {
        return false;
    };
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

const RETRIES: u32 = 5;

/// Runs `op` again (after a short random pause) while it fails with a transient error,
/// or with a unique violation when `unique_races` (a race another statement won; the
/// next run sees its result).
async fn retrying<T, F, Fut>(unique_races: bool, mut op: F) -> Result<T, QueueError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, QueueError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e)
                if attempt < RETRIES
                    && (is_transient(&e) || (unique_races && is_unique_violation(&e))) =>
            {
                attempt += 1;
                tracing::debug!(attempt, error = %e, "retrying a statement");
                tokio::time::sleep(Duration::from_millis(fastrand::u64(
                    1..=10 * u64::from(attempt),
                )))
                .await;
            }
            other => return other,
        }
    }
}
