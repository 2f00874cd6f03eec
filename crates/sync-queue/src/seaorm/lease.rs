//! [`LeaseStore`] on SeaORM: one row per lease name in `sync_lease`, one statement per
//! call.

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DbBackend, Value};

use super::rows::get;
use super::{SeaOrmStore, retrying};
use crate::error::QueueError;
use crate::ids::{LeaseName, WorkerId};
use crate::lease::{LeaseStore, ttl_ms};

/// Take the lease if free, expired or already ours, and say who holds it. Parameters:
/// name, holder, new expiry, now. Returns `holder` when a row was written (SQLite and
/// PostgreSQL write nothing when the lease stays with another holder).
fn acquire_sql(backend: DbBackend) -> &'static str {
    static SQL: OnceLock<[String; 3]> = OnceLock::new();
    let [sqlite, postgres, mysql] = SQL.get_or_init(|| {
        let insert = "INSERT INTO sync_lease (name, holder, expires_at) VALUES (?, ?, ?)";
        let upsert = format!(
            "{insert} ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             expires_at = excluded.expires_at \
             WHERE sync_lease.holder = excluded.holder OR sync_lease.expires_at <= ? \
             RETURNING holder"
        );
        let postgres = upsert
            .replacen('?', "$1", 1)
            .replacen('?', "$2", 1)
            .replacen('?', "$3", 1)
            .replacen('?', "$4", 1);
        // MariaDB assigns left to right: `holder` is already the new value when
        // `expires_at` is decided, and equals ours exactly when we took the lease.
        let mysql = format!(
            "{insert} ON DUPLICATE KEY UPDATE \
             holder = IF(holder = VALUES(holder) OR expires_at <= ?, VALUES(holder), holder), \
             expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at) \
             RETURNING holder"
        );
        [upsert, postgres, mysql]
    });
    match backend {
        DbBackend::Postgres => postgres,
        DbBackend::MySql => mysql,
        _ => sqlite,
    }
}

fn release_sql(backend: DbBackend) -> &'static str {
    if backend == DbBackend::Postgres {
        "DELETE FROM sync_lease WHERE name = $1 AND holder = $2"
    } else {
        "DELETE FROM sync_lease WHERE name = ? AND holder = ?"
    }
}

#[async_trait]
impl LeaseStore for SeaOrmStore {
    async fn try_acquire(
        &self,
        name: &LeaseName,
        holder: &WorkerId,
        ttl: Duration,
    ) -> Result<bool, QueueError> {
        let ttl = ttl_ms(ttl)?;
        let sql = acquire_sql(self.backend);
        // A race with another holder inserting the same name first is settled by
        // running again, which then sees its row.
        let row = retrying(true, move || async move {
            let now = self.now();
            let values: Vec<Value> = vec![
                name.as_str().into(),
                holder.as_str().into(),
                now.saturating_add(ttl).into(),
                now.into(),
            ];
            Ok(self.db.query_one_raw(self.raw(sql, values)).await?)
        })
        .await?;
        let held = match row {
            Some(row) => get::<String>(&row, "holder")? == holder.as_str(),
            None => false,
        };
        Ok(held)
    }

    async fn release_lease(&self, name: &LeaseName, holder: &WorkerId) -> Result<bool, QueueError> {
        let sql = release_sql(self.backend);
        let values: Vec<Value> = vec![name.as_str().into(), holder.as_str().into()];
        let affected = retrying(false, || async {
            Ok(self
                .db
                .execute_raw(self.raw(sql, values.clone()))
                .await?
                .rows_affected())
        })
        .await?;
        Ok(affected > 0)
    }
}
