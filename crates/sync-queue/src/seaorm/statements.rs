//! The exact statements of the hot path, per database.
//!
//! Public so that the benchmark's bare-sqlx baseline runs the very same text. Each field
//! documents its parameters in binding order; times are milliseconds since the epoch.
//!
//! The `sync_job` columns these rely on:
//!
//! - `waiting` is `1` for the one job per entity that absorbs new changes (pending, retry
//!   or error) and `NULL` otherwise; the unique index `(tenant, kind, store_id, waiting)`
//!   enforces "one waiting job per entity", because every database treats `NULL`s as
//!   distinct in a unique index.
//! - `due_at` is when the job may be claimed: the run-after time of a waiting job, the
//!   lease expiry of a running one, `NULL` for jobs that never run by themselves (error,
//!   superseded). Claims scan the `due_at` index only.

use std::sync::OnceLock;

use sea_orm::DbBackend;

/// The job columns every read returns, in this order.
pub const JOB_COLUMNS: [&str; 16] = [
    "id",
    "tenant",
    "kind",
    "store_id",
    "action",
    "payload",
    "status",
    "waiting",
    "attempts",
    "due_at",
    "locked_by",
    "last_error_code",
    "last_error_message",
    "last_error_at",
    "created_at",
    "updated_at",
];

/// How a database claims a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimStatements {
    /// One `UPDATE … RETURNING` statement (SQLite, PostgreSQL).
    ///
    /// Parameters: now, tenant (only in `tenant`), limit, lease expiry, lease token,
    /// worker, now. Returns [`JOB_COLUMNS`] of the claimed jobs.
    Single {
        /// Over every tenant.
        all: String,
        /// Over one tenant (the extra tenant parameter).
        tenant: String,
    },
    /// MariaDB (no `UPDATE … RETURNING`): in one short READ COMMITTED transaction, a
    /// `SELECT … FOR UPDATE SKIP LOCKED` of the due jobs, then one `UPDATE` of the rows it
    /// locked.
    SelectThenUpdate {
        /// Select over every tenant. Parameters: now, limit. Returns [`JOB_COLUMNS`].
        select_all: String,
        /// Select over one tenant. Parameters: now, tenant, limit.
        select_tenant: String,
        /// The update, to be followed by one `?` per locked id, comma-separated, and `)`.
        /// Parameters: lease expiry, lease token, worker, now, then the ids.
        update_prefix: String,
    },
}

/// The hot-path statements of one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statements {
    /// Enqueue: insert a pending job, or fold the change into the entity's waiting job
    /// (delete wins; a job in error is revived). Parameters: new id, tenant, kind,
    /// store id, action, payload, now (run after), now (created), now (updated). Returns
    /// the `id` of the job that carries the change.
    pub enqueue: String,
    /// Claim.
    pub claim: ClaimStatements,
    /// Ack: delete the job if the lease matches, and the entity's superseded jobs.
    /// Parameters: tenant, kind, store id, job id, lease token. Returns `id`,
    /// `lease_token` and `next_waits` (1 when the entity has a waiting job, which the ack
    /// may have made claimable) of the deleted rows; the ack holds if the job is among
    /// them with the caller's token.
    pub ack: String,
    /// Fail (transient or permanent): set the status, the error and the run-after time,
    /// giving the entity's waiting slot up when a newer change holds it. Parameters:
    /// status, run after (`NULL` for error), error code, error message, now (error time),
    /// now (updated), job id, lease token. One row affected when the lease held.
    pub fail: String,
    /// Release: back to pending without counting the attempt. Parameters: run after,
    /// now, job id, lease token.
    pub release: String,
    /// Extend a lease. Parameters: new expiry, now, job id, lease token.
    pub extend: String,
    /// Spend a job the claim just took beyond its attempt limit (its earlier leases ran
    /// out without a result): to error, the claim's attempt taken back, the entity's
    /// waiting slot given up when a newer change holds it. Parameters: error message,
    /// now (error time), now (updated), job id, lease token. Rare: only after dead
    /// workers.
    pub spend: String,
}

/// The statements for `backend`.
pub fn statements(backend: DbBackend) -> &'static Statements {
    static SQLITE: OnceLock<Statements> = OnceLock::new();
    static POSTGRES: OnceLock<Statements> = OnceLock::new();
    static MYSQL: OnceLock<Statements> = OnceLock::new();
    match dialect_of(backend) {
        Dialect::Postgres => POSTGRES.get_or_init(|| build(Dialect::Postgres)),
        Dialect::MySql => MYSQL.get_or_init(|| build(Dialect::MySql)),
        Dialect::Sqlite => SQLITE.get_or_init(|| build(Dialect::Sqlite)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
    MySql,
}

/// Rewrites `?` placeholders as `$1, $2, …` for PostgreSQL (the statements hold no `?`
/// inside string literals).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn columns(prefix: &str) -> String {
    JOB_COLUMNS
        .iter()
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Due jobs that may run now: the waiting job of an entity none of whose other jobs is
/// running, or a running job whose lease expired (an entity has at most one running job);
/// never a paused tenant's. The entity check is a plain `NOT EXISTS` (no `OR`), so every
/// database probes the `(tenant, kind, store_id, …)` index once per candidate instead of
/// scanning the table. The pause check is a `NOT IN` over the (tiny) pause table rather
/// than a `NOT EXISTS`: PostgreSQL turns the latter into an anti join whose estimate,
/// when the pause table has no statistics yet (it is usually empty, so autovacuum never
/// analyzes it), leaves about one row, and then scans and sorts every due job instead of
/// reading the `due_at` index up to the batch size.
fn due_filter(dialect: Dialect, tenant: bool) -> String {
    let tenant = if tenant { " AND j.tenant = ?" } else { "" };
    let hint = entity_index(dialect);
    format!(
        "j.due_at <= ?{tenant} \
         AND NOT EXISTS (SELECT 1 FROM sync_job r{hint} \
              WHERE r.tenant = j.tenant AND r.kind = j.kind AND r.store_id = j.store_id \
              AND r.status = 'running' AND r.id <> j.id) \
         AND j.tenant NOT IN (SELECT p.tenant FROM sync_tenant_pause p)"
    )
}

/// On MariaDB, the per-entity subqueries name their index: with statistics that lag
/// behind a burst of inserts, its optimizer may otherwise scan the whole table for every
/// candidate row.
fn entity_index(dialect: Dialect) -> &'static str {
    if dialect == Dialect::MySql {
        " FORCE INDEX (sync_job_waiting_slot)"
    } else {
        ""
    }
}

const CLAIM_SET: &str = "status = 'running', waiting = NULL, due_at = ?, \
                         attempts = attempts + 1, lease_token = ?, locked_by = ?, updated_at = ?";

fn single_claim(dialect: Dialect, tenant: bool) -> String {
    let filter = due_filter(dialect, tenant);
    match dialect {
        Dialect::Postgres => numbered(&format!(
            "WITH picked AS MATERIALIZED (SELECT j.id FROM sync_job j WHERE {filter} \
             ORDER BY j.due_at LIMIT ? FOR UPDATE SKIP LOCKED) \
             UPDATE sync_job SET {CLAIM_SET} FROM picked WHERE sync_job.id = picked.id \
             RETURNING {}",
            columns("sync_job.")
        )),
        _ => format!(
            "WITH picked AS MATERIALIZED (SELECT j.id FROM sync_job j WHERE {filter} \
             ORDER BY j.due_at LIMIT ?) \
             UPDATE sync_job SET {CLAIM_SET} WHERE id IN (SELECT id FROM picked) \
             RETURNING {}",
            columns("")
        ),
    }
}

/// Whether another job of the same entity holds the waiting slot (used inside an
/// `UPDATE sync_job`).
fn other_waits(dialect: Dialect) -> String {
    format!(
        "EXISTS (SELECT 1 FROM sync_job s{} WHERE s.tenant = sync_job.tenant \
         AND s.kind = sync_job.kind AND s.store_id = sync_job.store_id \
         AND s.waiting = 1 AND s.id <> sync_job.id)",
        entity_index(dialect)
    )
}

/// `next_waits`: whether the entity of a deleted row has a waiting job (the change
/// enqueued while it ran), which the ack may have made claimable. Read in `RETURNING`,
/// where every database still sees the waiting row (an ack never deletes it).
fn next_waits(dialect: Dialect) -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM sync_job s{} WHERE s.tenant = sync_job.tenant \
         AND s.kind = sync_job.kind AND s.store_id = sync_job.store_id AND s.waiting = 1) \
         THEN 1 ELSE 0 END AS next_waits",
        entity_index(dialect)
    )
}

/// The most leases one [`ack_many`] statement takes (5 parameters each, far below every
/// database's parameter limit); `JobQueue::ack_many` splits longer lists.
pub const ACK_MANY_CHUNK: usize = 1000;

/// Ack of many leases in one `DELETE`: every job whose (id, lease token) pair is listed,
/// and the superseded jobs of the listed entities (as [`Statements::ack`] does for one).
///
/// Parameters: `leases` pairs of (job id, lease token), then `entities` triples of
/// (tenant, kind, store id). Returns `id`, `lease_token` and `next_waits` (1 when the
/// entity has a waiting job) of the deleted rows; a lease held if its pair is among them.
/// Empty lists are not allowed (`leases` and `entities` at least 1).
pub fn ack_many(backend: DbBackend, leases: usize, entities: usize) -> String {
    let dialect = dialect_of(backend);
    let mut sql = String::with_capacity(160 + 9 * leases + 12 * entities);
    sql.push_str("DELETE FROM sync_job WHERE (id, lease_token) IN (");
    push_tuples(&mut sql, leases.max(1), "(?, ?)");
    sql.push_str(") OR (waiting IS NULL AND status <> 'running' AND (tenant, kind, store_id) IN (");
    push_tuples(&mut sql, entities.max(1), "(?, ?, ?)");
    sql.push_str(")) RETURNING id, lease_token, ");
    sql.push_str(&next_waits(dialect));
    if dialect == Dialect::Postgres {
        numbered(&sql)
    } else {
        sql
    }
}

fn push_tuples(sql: &mut String, n: usize, tuple: &str) {
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(tuple);
    }
}

fn dialect_of(backend: DbBackend) -> Dialect {
    match backend {
        DbBackend::Postgres => Dialect::Postgres,
        DbBackend::MySql => Dialect::MySql,
        _ => Dialect::Sqlite,
    }
}

/// The enqueue upsert for `rows` rows of values, returning `returning`.
fn enqueue_sql(dialect: Dialect, rows: usize, returning: &str) -> String {
    let mut sql = String::from(
        "INSERT INTO sync_job (id, tenant, kind, store_id, action, payload, status, \
         waiting, attempts, due_at, created_at, updated_at) VALUES ",
    );
    push_tuples(
        &mut sql,
        rows.max(1),
        "(?, ?, ?, ?, ?, ?, 'pending', 1, 0, ?, ?, ?)",
    );
    match dialect {
        // MariaDB assigns left to right, each seeing the earlier ones: the columns read
        // by later conditions (action, status) are assigned last.
        Dialect::MySql => sql.push_str(
            " ON DUPLICATE KEY UPDATE \
             payload = IF(action = 'delete', payload, VALUES(payload)), \
             action = IF(action = 'delete', action, VALUES(action)), \
             attempts = IF(status = 'error', 0, attempts), \
             due_at = IF(status = 'error', VALUES(due_at), due_at), \
             status = IF(status = 'error', 'pending', status), \
             updated_at = VALUES(updated_at)",
        ),
        _ => sql.push_str(
            " ON CONFLICT (tenant, kind, store_id, waiting) DO UPDATE SET \
             payload = CASE WHEN sync_job.action = 'delete' THEN sync_job.payload ELSE excluded.payload END, \
             action = CASE WHEN sync_job.action = 'delete' THEN sync_job.action ELSE excluded.action END, \
             attempts = CASE WHEN sync_job.status = 'error' THEN 0 ELSE sync_job.attempts END, \
             due_at = CASE WHEN sync_job.status = 'error' THEN excluded.due_at ELSE sync_job.due_at END, \
             status = CASE WHEN sync_job.status = 'error' THEN 'pending' ELSE sync_job.status END, \
             updated_at = excluded.updated_at",
        ),
    }
    sql.push_str(" RETURNING ");
    sql.push_str(returning);
    if dialect == Dialect::Postgres {
        numbered(&sql)
    } else {
        sql
    }
}

/// The most jobs one [`enqueue_many`] statement takes (9 parameters each);
/// `JobQueue::enqueue_many` splits longer lists (in one transaction).
pub const ENQUEUE_MANY_CHUNK: usize = 1000;

/// Bulk enqueue: [`Statements::enqueue`] with `rows` rows of values, for distinct
/// entities (two rows of one entity in one statement are refused by PostgreSQL; the
/// caller folds them first, as enqueueing them one after the other would). Parameters:
/// those of [`Statements::enqueue`], row after row. Returns `id`, `tenant`, `kind` and
/// `store_id` of each row's job (the new one, or the waiting job it was folded into).
pub fn enqueue_many(backend: DbBackend, rows: usize) -> String {
    enqueue_sql(dialect_of(backend), rows, "id, tenant, kind, store_id")
}

fn build(dialect: Dialect) -> Statements {
    let enqueue = enqueue_sql(dialect, 1, "id");
    let claim = match dialect {
        Dialect::MySql => {
            let select = |tenant: bool| {
                format!(
                    "SELECT {} FROM sync_job j WHERE {} ORDER BY j.due_at LIMIT ? \
                     FOR UPDATE SKIP LOCKED",
                    columns("j."),
                    due_filter(dialect, tenant)
                )
            };
            ClaimStatements::SelectThenUpdate {
                select_all: select(false),
                select_tenant: select(true),
                update_prefix: format!("UPDATE sync_job SET {CLAIM_SET} WHERE id IN ("),
            }
        }
        _ => ClaimStatements::Single {
            all: single_claim(dialect, false),
            tenant: single_claim(dialect, true),
        },
    };
    let ack = format!(
        "DELETE FROM sync_job WHERE tenant = ? AND kind = ? AND store_id = ? \
         AND ((id = ? AND lease_token = ?) OR (waiting IS NULL AND status <> 'running')) \
         RETURNING id, lease_token, {}",
        next_waits(dialect)
    );
    let other_waits = other_waits(dialect);
    let fail = format!(
        "UPDATE sync_job SET status = ?, \
         waiting = CASE WHEN {other_waits} THEN NULL ELSE 1 END, \
         due_at = CASE WHEN {other_waits} THEN NULL ELSE ? END, \
         lease_token = NULL, locked_by = NULL, \
         last_error_code = ?, last_error_message = ?, last_error_at = ?, updated_at = ? \
         WHERE id = ? AND lease_token = ?"
    );
    let release = format!(
        "UPDATE sync_job SET status = 'pending', \
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
         waiting = CASE WHEN {other_waits} THEN NULL ELSE 1 END, \
         due_at = CASE WHEN {other_waits} THEN NULL ELSE ? END, \
         lease_token = NULL, locked_by = NULL, updated_at = ? \
         WHERE id = ? AND lease_token = ?"
    );
    let spend = format!(
        "UPDATE sync_job SET status = 'error', \
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
         waiting = CASE WHEN {other_waits} THEN NULL ELSE 1 END, \
         due_at = NULL, lease_token = NULL, locked_by = NULL, \
         last_error_code = NULL, last_error_message = ?, last_error_at = ?, updated_at = ? \
         WHERE id = ? AND lease_token = ?"
    );
    let extend = "UPDATE sync_job SET due_at = ?, updated_at = ? \
                  WHERE id = ? AND lease_token = ? AND status = 'running'"
        .to_owned();
    let finish = |sql: String| {
        if dialect == Dialect::Postgres {
            numbered(&sql)
        } else {
            sql
        }
    };
    Statements {
        enqueue,
        claim,
        ack: finish(ack),
        fail: finish(fail),
        release: finish(release),
        extend: finish(extend),
        spend: finish(spend),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
        let pg = statements(DbBackend::Postgres);
        assert!(pg.ack.contains("$5") && !pg.ack.contains('?'));
        let ClaimStatements::Single { all, tenant } = &pg.claim else {
            panic!("PostgreSQL claims in one statement");
        };
        assert!(all.contains("FOR UPDATE SKIP LOCKED") && all.contains("$6"));
        assert!(!all.contains("$7") && tenant.contains("$7"));
    }

    #[test]
    fn ack_many_lists_every_pair_and_entity() {
        let pg = ack_many(DbBackend::Postgres, 2, 1);
        assert!(pg.contains("IN (($1, $2), ($3, $4))"), "{pg}");
        assert!(
            pg.contains("IN (($5, $6, $7))") && !pg.contains("$8"),
            "{pg}"
        );
        let sqlite = ack_many(DbBackend::Sqlite, 3, 2);
        assert_eq!(sqlite.matches('?').count(), 3 * 2 + 2 * 3);
        assert!(sqlite.contains("next_waits"));
    }

    #[test]
    fn each_backend_gets_its_claim_shape() {
        let sqlite = statements(DbBackend::Sqlite);
        let ClaimStatements::Single { all, .. } = &sqlite.claim else {
            panic!("SQLite claims in one statement");
        };
        assert!(all.starts_with("WITH picked") && all.contains("RETURNING"));
        assert!(!all.contains("SKIP LOCKED"));
        let mysql = statements(DbBackend::MySql);
        let ClaimStatements::SelectThenUpdate { select_all, .. } = &mysql.claim else {
            panic!("MariaDB claims with a select and an update");
        };
        assert!(select_all.ends_with("FOR UPDATE SKIP LOCKED"));
        assert!(mysql.enqueue.contains("ON DUPLICATE KEY UPDATE"));
    }
}
