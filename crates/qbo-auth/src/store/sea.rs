//! The SeaORM [`TokenStore`]: tokens encrypted at rest in SQLite, PostgreSQL or
//! MariaDB/MySQL, with compare-and-swap writes that hold across processes.
//!
//! One row per tenant in table `qbo_tokens` (created by [`Migrator`]). The access and
//! refresh tokens are sealed together with the ring's current key
//! ([`KeyRing::encrypt`]), bound to the row's tenant and realm; the row keeps the key id
//! beside them, so older keys can still read what they wrote. Nothing else in the row is
//! secret: expiries, version, status and lease are plain columns an operator can query.
//!
//! Every write is a single statement. A first save is an `INSERT` that loses to any row
//! already there (the primary key decides, there is no racy check first); every other
//! write is `UPDATE … WHERE tenant = ? AND version = ?` that also bumps the version, and
//! no row affected means another writer got there first: [`StoreError::Conflict`].
//!
//! Instants are kept to the microsecond: what is saved is truncated to whole
//! microseconds, so a load returns exactly that.
//!
//! ```no_run
//! use qbo_auth::crypto::{KeyRing, TokenKey};
//! use qbo_auth::store::sea::SeaTokenStore;
//!
//! # async fn run(key_text: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let keys = KeyRing::new(TokenKey::from_base64("2025-06", key_text)?);
//! let store = SeaTokenStore::connect("sqlite://qbo-sync.db", keys).await?;
//! # let _ = store;
//! # Ok(())
//! # }
//! ```

mod entity;
mod migration;

pub use migration::Migrator;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, FixedOffset, SubsecRound as _, Utc};
use qbo_api::RealmId;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait as _, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait as _,
    QueryFilter as _, QuerySelect as _, SqlErr,
};
use sea_orm_migration::MigratorTrait as _;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use self::entity::{ActiveModel, Column, Entity, Model};
use super::{RefreshLease, StoreError, StoredTokens, TokenStore};
use crate::crypto::{CryptoError, KeyRing};
use crate::token::{ConnectionStatus, TenantId, TokenSet};

/// How long an SQLite connection waits for another writer's lock before failing.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often [`SeaTokenStore`] tries the migrations before giving up: another process
/// migrating the same database at the same moment can make one attempt fail.
const MIGRATION_ATTEMPTS: u32 = 3;

const STATUS_CONNECTED: &str = "connected";
const STATUS_RECONNECT_REQUIRED: &str = "reconnect_required";

/// A [`TokenStore`] on a SeaORM database (SQLite, PostgreSQL, MariaDB/MySQL), tokens
/// encrypted with a [`KeyRing`].
///
/// Cloning is cheap and clones share the connection pool. `Debug` shows the database
/// engine and the key ids, nothing of the connection's options.
#[derive(Clone)]
pub struct SeaTokenStore {
    db: DatabaseConnection,
    keys: KeyRing,
}

impl fmt::Debug for SeaTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeaTokenStore")
            .field("backend", &self.db.get_database_backend())
            .field("keys", &self.keys)
            .finish()
    }
}

/// The secret part of a row, sealed as JSON.
#[derive(Serialize)]
struct SealedRef<'a> {
    access_token: &'a str,
    refresh_token: &'a str,
}

#[derive(Deserialize)]
struct Sealed {
    access_token: String,
    refresh_token: String,
}

fn database(e: DbErr) -> StoreError {
    StoreError::Database(Box::new(e))
}

fn conflict(tenant: &TenantId, expected: Option<u64>) -> StoreError {
    tracing::debug!(%tenant, ?expected, "token store write lost the compare-and-swap");
    StoreError::Conflict {
        tenant: tenant.clone(),
        expected,
    }
}

fn corrupt(tenant: &TenantId, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        tenant: tenant.clone(),
        reason: reason.into(),
    }
}

fn crypto(tenant: &TenantId, e: CryptoError) -> StoreError {
    match e {
        CryptoError::UnknownKey { key_id } => StoreError::UnknownKey {
            tenant: tenant.clone(),
            key_id,
        },
        CryptoError::Decrypt { key_id } => StoreError::Decrypt {
            tenant: tenant.clone(),
            key_id,
        },
        // Sealing failures (random source, impossible sizes) and a bad configured key are
        // not about the row.
        other => StoreError::Encrypt {
            tenant: tenant.clone(),
            reason: other.to_string(),
        },
    }
}

/// The associated data that binds a row's ciphertext to its tenant and realm.
fn aad(tenant: &TenantId, realm: &RealmId) -> Vec<u8> {
    // Neither id can hold a NUL, so the encoding is unambiguous.
    format!("qbo-auth/tokens/v1\0{tenant}\0{realm}").into_bytes()
}

/// An instant as the database keeps it: whole microseconds (in UTC).
fn micros(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.trunc_subsecs(6).fixed_offset()
}

fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

/// The version a write expects as the database stores it, and the one it writes.
/// `None` when no row can hold `expected` or its successor (beyond the column's range):
/// such a write can only lose.
fn versions(expected: u64) -> Option<(i64, i64)> {
    let current = i64::try_from(expected).ok()?;
    Some((current, current.checked_add(1)?))
}

impl SeaTokenStore {
    /// Connects to `url` (`sqlite://…`, `postgres://…`, `mysql://…`) and runs the
    /// migrations.
    ///
    /// SQLite databases are created when missing and opened in WAL mode with
    /// `synchronous=NORMAL` and a [`SQLITE_BUSY_TIMEOUT`], so several processes can share
    /// the file.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str, keys: KeyRing) -> Result<Self, StoreError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
        let db = Database::connect(options).await.map_err(database)?;
        Self::new(db, keys).await
    }

    /// A store on a connection the caller made; runs the migrations.
    ///
    /// For SQLite shared between processes, open the connection as
    /// [`SeaTokenStore::connect`] does (WAL, busy timeout).
    ///
    /// # Errors
    /// [`StoreError::Database`] when the migrations fail.
    pub async fn new(db: DatabaseConnection, keys: KeyRing) -> Result<Self, StoreError> {
        let mut attempt = 1;
        loop {
            match Migrator::up(&db, None).await {
                Ok(()) => break,
                Err(e) if attempt < MIGRATION_ATTEMPTS => {
                    tracing::debug!(
                        error = %e,
                        attempt,
                        "token store migration failed; another process may be migrating, trying again"
                    );
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => return Err(database(e)),
            }
        }
        Ok(Self { db, keys })
    }

    /// The database connection.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The keys.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The columns every save writes (all but tenant and version): tokens sealed with the
    /// current key, expiries, connected status, no lease.
    fn saved_columns(
        &self,
        tenant: &TenantId,
        tokens: &TokenSet,
    ) -> Result<ActiveModel, StoreError> {
        let access = tokens.access_token.expose_secret();
        let refresh = tokens.refresh_token.expose_secret();
        let mut plain = Zeroizing::new(Vec::with_capacity(access.len() + refresh.len() + 64));
        serde_json::to_writer(
            &mut *plain,
            &SealedRef {
                access_token: access,
                refresh_token: refresh,
            },
        )
        // Two strings into a Vec: this cannot fail, but if it did it is no row's fault.
        .map_err(|e| StoreError::Database(Box::new(e)))?;
        let (key_id, blob) = self
            .keys
            .encrypt(&aad(tenant, &tokens.realm_id), &plain)
            .map_err(|e| crypto(tenant, e))?;
        Ok(ActiveModel {
            tenant: NotSet,
            realm_id: Set(tokens.realm_id.as_str().to_owned()),
            key_id: Set(key_id.to_owned()),
            ciphertext: Set(STANDARD.encode(blob)),
            access_expires_at: Set(micros(tokens.access_expires_at)),
            refresh_expires_at: Set(micros(tokens.refresh_expires_at)),
            refresh_hard_expires_at: Set(tokens.refresh_hard_expires_at.map(micros)),
            obtained_at: Set(micros(tokens.obtained_at)),
            version: NotSet,
            status: Set(STATUS_CONNECTED.to_owned()),
            status_reason: Set(None),
            lease_holder: Set(None),
            lease_until: Set(None),
            updated_at: Set(micros(Utc::now())),
        })
    }

    /// `UPDATE qbo_tokens SET … WHERE tenant = ? AND version = ?`; no row → conflict.
    async fn swap(
        &self,
        tenant: &TenantId,
        expected: u64,
        mut columns: ActiveModel,
    ) -> Result<u64, StoreError> {
        let Some((current, next)) = versions(expected) else {
            return Err(conflict(tenant, Some(expected)));
        };
        columns.version = Set(next);
        columns.updated_at = Set(micros(Utc::now()));
        let result = Entity::update_many()
            .set(columns)
            .filter(Column::Tenant.eq(tenant.as_str()))
            .filter(Column::Version.eq(current))
            .exec(&self.db)
            .await
            .map_err(database)?;
        // Every match changes `version`, so MariaDB's "changed rows" equals matched rows.
        if result.rows_affected == 0 {
            return Err(conflict(tenant, Some(expected)));
        }
        Ok(expected + 1)
    }

    fn decode(&self, tenant: &TenantId, row: Model) -> Result<StoredTokens, StoreError> {
        let realm_id = RealmId::new(row.realm_id)
            .map_err(|e| corrupt(tenant, format!("bad realm id: {e}")))?;
        let version = u64::try_from(row.version)
            .map_err(|_| corrupt(tenant, format!("negative version {}", row.version)))?;
        let status = match (row.status.as_str(), row.status_reason) {
            (STATUS_CONNECTED, _) => ConnectionStatus::Connected,
            (STATUS_RECONNECT_REQUIRED, reason) => ConnectionStatus::ReconnectRequired {
                reason: reason.unwrap_or_default(),
            },
            (other, _) => return Err(corrupt(tenant, format!("unknown status {other:?}"))),
        };
        let refresh_lease = match (row.lease_holder, row.lease_until) {
            (Some(holder), Some(until)) => Some(RefreshLease {
                holder,
                until: utc(until),
            }),
            (None, None) => None,
            _ => {
                return Err(corrupt(
                    tenant,
                    "a refresh lease needs both holder and expiry",
                ));
            }
        };
        let blob = STANDARD
            .decode(row.ciphertext.as_bytes())
            .map_err(|_| corrupt(tenant, "the ciphertext is not base64"))?;
        let plain = self
            .keys
            .decrypt(&row.key_id, &aad(tenant, &realm_id), &blob)
            .map_err(|e| crypto(tenant, e))?;
        let sealed: Sealed = serde_json::from_slice(plain.expose_secret())
            .map_err(|_| corrupt(tenant, "the decrypted tokens are not the expected JSON"))?;
        Ok(StoredTokens {
            tokens: TokenSet {
                realm_id,
                access_token: SecretString::from(sealed.access_token),
                access_expires_at: utc(row.access_expires_at),
                refresh_token: SecretString::from(sealed.refresh_token),
                refresh_expires_at: utc(row.refresh_expires_at),
                refresh_hard_expires_at: row.refresh_hard_expires_at.map(utc),
                obtained_at: utc(row.obtained_at),
            },
            version,
            status,
            refresh_lease,
        })
    }
}

#[async_trait]
impl TokenStore for SeaTokenStore {
    async fn load(&self, tenant: &TenantId) -> Result<Option<StoredTokens>, StoreError> {
        let row = Entity::find_by_id(tenant.as_str())
            .one(&self.db)
            .await
            .map_err(database)?;
        row.map(|row| self.decode(tenant, row)).transpose()
    }

    async fn save(
        &self,
        tenant: &TenantId,
        tokens: &TokenSet,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let Some(expected) = expected else {
            let mut row = self.saved_columns(tenant, tokens)?;
            row.tenant = Set(tenant.as_str().to_owned());
            row.version = Set(1);
            return match Entity::insert(row).exec_without_returning(&self.db).await {
                Ok(_) => Ok(1),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    Err(conflict(tenant, None))
                }
                Err(e) => Err(database(e)),
            };
        };
        let columns = self.saved_columns(tenant, tokens)?;
        self.swap(tenant, expected, columns).await
    }

    async fn begin_refresh(
        &self,
        tenant: &TenantId,
        expected: u64,
        lease: &RefreshLease,
    ) -> Result<u64, StoreError> {
        let columns = ActiveModel {
            lease_holder: Set(Some(lease.holder.clone())),
            lease_until: Set(Some(micros(lease.until))),
            ..Default::default()
        };
        self.swap(tenant, expected, columns).await
    }

    async fn set_status(
        &self,
        tenant: &TenantId,
        status: &ConnectionStatus,
        expected: u64,
    ) -> Result<u64, StoreError> {
        let (status, reason) = match status {
            ConnectionStatus::Connected => (STATUS_CONNECTED, None),
            ConnectionStatus::ReconnectRequired { reason } => {
                (STATUS_RECONNECT_REQUIRED, Some(reason.clone()))
            }
        };
        let columns = ActiveModel {
            status: Set(status.to_owned()),
            status_reason: Set(reason),
            lease_holder: Set(None),
            lease_until: Set(None),
            ..Default::default()
        };
        self.swap(tenant, expected, columns).await
    }

    async fn delete(&self, tenant: &TenantId) -> Result<bool, StoreError> {
        let result = Entity::delete_by_id(tenant.as_str())
            .exec(&self.db)
            .await
            .map_err(database)?;
        Ok(result.rows_affected > 0)
    }

    async fn tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        let names: Vec<String> = Entity::find()
            .select_only()
            .column(Column::Tenant)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(database)?;
        let mut tenants: Vec<TenantId> = names
            .into_iter()
            .filter_map(|name| match TenantId::new(name) {
                Ok(tenant) => Some(tenant),
                Err(e) => {
                    tracing::warn!(error = %e, "qbo_tokens holds a row whose tenant is not a tenant id; skipped");
                    None
                }
            })
            .collect();
        // In Rust's order, not the database collation's.
        tenants.sort();
        Ok(tenants)
    }
}
