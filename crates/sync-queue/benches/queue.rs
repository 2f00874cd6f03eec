//! `cargo xtask bench queue`: sync-queue's SeaORM backend against bare sqlx running the
//! very same statements, and its bulk enqueue against a bare multi-row `INSERT`.
//!
//! Each point (SQLite and PostgreSQL; 1 and 8 workers; claim batches of 1 and 32) pushes
//! 10,000 jobs through the queue: the producer enqueues them with `enqueue_many` in
//! chunks of 1,000, then the workers claim batches and acknowledge each batch with
//! `ack_many`, until all are acked. The bare side binds the same values to the statement
//! text of `sync_queue::seaorm::statements` (the multi-row enqueue upsert, the claim, the
//! batch ack) on a plain sqlx pool with the same settings (SQLite: WAL, busy timeout,
//! `synchronous=NORMAL`, one connection; PostgreSQL: 10 connections) and decodes the
//! same columns. A third run inserts the same rows with a bare multi-row `INSERT` (no
//! upsert, nothing returned): the floor for a bulk enqueue. Each point runs once, the
//! sides alternating on the same database so that machine noise hits both alike; the
//! ratio is SeaORM ÷ bare.
//!
//! On PostgreSQL both sides run with `synchronous_commit=off`, so that the figures
//! measure the code and not the disk: with it on, every commit waits for an fsync (about
//! 2 ms on a small box) and both sides sit at the same few hundred commits a second.
//! `--durable` keeps the server's setting.
//!
//! Needs `QBO_SYNC_TEST_POSTGRES_URL` (as the tests do). `--quick` runs 2,000 jobs.
//! `--explain` prints the plan of every hot-path statement on SQLite, PostgreSQL and
//! MariaDB (also needs `QBO_SYNC_TEST_MYSQL_URL`) instead of measuring.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, DbBackend};
use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sync_queue::seaorm::statements::{ClaimStatements, ack_many, enqueue_many, statements};
use sync_queue::{
    EntityKind, EntityRef, JobQueue, NewJob, QueueConfig, Scope, SeaOrmStore, StoreId, TenantId,
    WorkerId,
};
use test_db::{Backend, TestDb};
use uuid::Uuid;

const LEASE: Duration = Duration::from_secs(300);
const PG_CONNECTIONS: u32 = 10;
/// Jobs per bulk enqueue statement.
const CHUNK: usize = 1000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One measured run: seconds to enqueue, seconds to drain.
#[derive(Debug, Clone, Copy)]
struct Run {
    enqueue: f64,
    drain: f64,
}

impl Run {
    fn total(&self) -> f64 {
        self.enqueue + self.drain
    }
}

/// What the bare side needs from a sqlx pool: the statements, bound and decoded.
trait Bare: Clone + Send + Sync + 'static {
    /// The multi-row enqueue upsert for jobs `range`.
    fn enqueue(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl std::future::Future<Output = ()> + Send;
    /// A plain multi-row INSERT of the same rows.
    fn insert(&self, range: std::ops::Range<usize>)
    -> impl std::future::Future<Output = ()> + Send;
    fn claim(
        &self,
        worker: &str,
        batch: usize,
    ) -> impl std::future::Future<Output = Vec<Claimed>> + Send;
    fn ack_many(&self, jobs: &[Claimed]) -> impl std::future::Future<Output = ()> + Send;
}

/// The columns the queue reads back for a claimed job.
#[allow(dead_code)]
struct Claimed {
    id: Uuid,
    token: Uuid,
    tenant: String,
    kind: String,
    store_id: String,
    action: String,
    payload: Option<String>,
    status: String,
    waiting: Option<i16>,
    attempts: i32,
    due_at: Option<i64>,
    locked_by: Option<String>,
    last_error_code: Option<String>,
    last_error_message: Option<String>,
    last_error_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

fn store_id(i: usize) -> String {
    format!("p{i}")
}

fn kind(i: usize) -> &'static str {
    EntityKind::ALL[i % 4].as_str()
}

const PLAIN_INSERT: &str = "INSERT INTO sync_job (id, tenant, kind, store_id, action, payload, \
                            status, waiting, attempts, due_at, created_at, updated_at) VALUES ";

fn plain_insert(backend: DbBackend, rows: usize) -> String {
    let mut sql = String::from(PLAIN_INSERT);
    let mut n = 0;
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        let mut p = || {
            n += 1;
            if backend == DbBackend::Postgres {
                format!("${n}")
            } else {
                "?".to_owned()
            }
        };
        let row = format!(
            "({}, {}, {}, {}, {}, {}, 'pending', 1, 0, {}, {}, {})",
            p(),
            p(),
            p(),
            p(),
            p(),
            p(),
            p(),
            p(),
            p()
        );
        sql.push_str(&row);
    }
    sql
}

macro_rules! bare_impl {
    ($name:ident, $pool:ty, $backend:expr) => {
        #[derive(Clone)]
        struct $name($pool);

        impl $name {
            fn bind_rows<'q>(
                mut query: sqlx::query::Query<
                    'q,
                    <$pool as PoolDb>::Db,
                    <<$pool as PoolDb>::Db as sqlx::Database>::Arguments,
                >,
                range: std::ops::Range<usize>,
                now: i64,
            ) -> sqlx::query::Query<
                'q,
                <$pool as PoolDb>::Db,
                <<$pool as PoolDb>::Db as sqlx::Database>::Arguments,
            > {
                for i in range {
                    query = query
                        .bind(Uuid::now_v7())
                        .bind("shop")
                        .bind(kind(i))
                        .bind(store_id(i))
                        .bind("upsert")
                        .bind(None::<String>)
                        .bind(now)
                        .bind(now)
                        .bind(now);
                }
                query
            }
        }

        impl Bare for $name {
            async fn enqueue(&self, range: std::ops::Range<usize>) {
                let sql = enqueue_many($backend, range.len());
                let rows = Self::bind_rows(
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
                    range.clone(),
                    now_ms(),
                )
                .fetch_all(&self.0)
                .await
                .unwrap();
                assert_eq!(rows.len(), range.len());
                for row in &rows {
                    let _: Uuid = row.get(0);
                    let _: String = row.get(1);
                    let _: String = row.get(2);
                    let _: String = row.get(3);
                }
            }

            async fn insert(&self, range: std::ops::Range<usize>) {
                let sql = plain_insert($backend, range.len());
                Self::bind_rows(
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
                    range,
                    now_ms(),
                )
                .execute(&self.0)
                .await
                .unwrap();
            }

            async fn claim(&self, worker: &str, batch: usize) -> Vec<Claimed> {
                let ClaimStatements::Single { all, .. } = &statements($backend).claim else {
                    panic!("one-statement claim expected");
                };
                let now = now_ms();
                let token = Uuid::now_v7();
                let limit = i64::try_from(batch).unwrap();
                let until = now + i64::try_from(LEASE.as_millis()).unwrap();
                sqlx::query(all.as_str())
                    .bind(now)
                    .bind(limit)
                    .bind(until)
                    .bind(token)
                    .bind(worker)
                    .bind(now)
                    .fetch_all(&self.0)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| Claimed {
                        id: row.get(0),
                        token,
                        tenant: row.get(1),
                        kind: row.get(2),
                        store_id: row.get(3),
                        action: row.get(4),
                        payload: row.get(5),
                        status: row.get(6),
                        waiting: row.get(7),
                        attempts: row.get(8),
                        due_at: row.get(9),
                        locked_by: row.get(10),
                        last_error_code: row.get(11),
                        last_error_message: row.get(12),
                        last_error_at: row.get(13),
                        created_at: row.get(14),
                        updated_at: row.get(15),
                    })
                    .collect()
            }

            async fn ack_many(&self, jobs: &[Claimed]) {
                let sql = ack_many($backend, jobs.len(), jobs.len());
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for job in jobs {
                    query = query.bind(job.id).bind(job.token);
                }
                for job in jobs {
                    query = query.bind(&job.tenant).bind(&job.kind).bind(&job.store_id);
                }
                let rows = query.fetch_all(&self.0).await.unwrap();
                let acked = rows
                    .iter()
                    .filter(|r| {
                        let id: Uuid = r.get(0);
                        let token: Option<Uuid> = r.get(1);
                        jobs.iter().any(|j| j.id == id && Some(j.token) == token)
                    })
                    .count();
                assert_eq!(acked, jobs.len(), "bare ack lost a lease");
            }
        }
    };
}

/// The database of a sqlx pool type.
trait PoolDb {
    type Db: sqlx::Database;
}
impl PoolDb for SqlitePool {
    type Db = sqlx::Sqlite;
}
impl PoolDb for PgPool {
    type Db = sqlx::Postgres;
}

bare_impl!(BareSqlite, SqlitePool, DbBackend::Sqlite);
bare_impl!(BarePostgres, PgPool, DbBackend::Postgres);

async fn run_bare<B: Bare>(bare: &B, jobs: usize, workers: usize, batch: usize) -> Run {
    let start = Instant::now();
    for from in (0..jobs).step_by(CHUNK) {
        bare.enqueue(from..(from + CHUNK).min(jobs)).await;
    }
    let enqueue = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (bare, done) = (bare.clone(), done.clone());
            tokio::spawn(async move {
                let me = format!("bare-{w}");
                while done.load(Ordering::Relaxed) < jobs {
                    let claimed = bare.claim(&me, batch).await;
                    if claimed.is_empty() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        continue;
                    }
                    bare.ack_many(&claimed).await;
                    done.fetch_add(claimed.len(), Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    Run {
        enqueue,
        drain: start.elapsed().as_secs_f64(),
    }
}

async fn run_insert<B: Bare>(bare: &B, jobs: usize) -> f64 {
    let start = Instant::now();
    for from in (0..jobs).step_by(CHUNK) {
        bare.insert(from..(from + CHUNK).min(jobs)).await;
    }
    start.elapsed().as_secs_f64()
}

async fn run_seaorm(store: &SeaOrmStore, jobs: usize, workers: usize, batch: usize) -> Run {
    let tenant = TenantId::new("shop").unwrap();
    let start = Instant::now();
    for from in (0..jobs).step_by(CHUNK) {
        let chunk: Vec<NewJob> = (from..(from + CHUNK).min(jobs))
            .map(|i| {
                NewJob::upsert(EntityRef::new(
                    tenant.clone(),
                    EntityKind::ALL[i % 4],
                    StoreId::new(store_id(i)).unwrap(),
                ))
            })
            .collect();
        store.enqueue_many(chunk).await.unwrap();
    }
    let enqueue = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (store, done) = (store.clone(), done.clone());
            tokio::spawn(async move {
                let me = WorkerId::new(format!("seaorm-{w}")).unwrap();
                while done.load(Ordering::Relaxed) < jobs {
                    let claimed = store.claim(&Scope::All, &me, batch, LEASE).await.unwrap();
                    if claimed.is_empty() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        continue;
                    }
                    let leases: Vec<_> = claimed.into_iter().map(|c| c.lease).collect();
                    let lost = store.ack_many(&leases).await.unwrap();
                    assert!(lost.is_empty(), "seaorm ack lost a lease");
                    done.fetch_add(leases.len(), Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    Run {
        enqueue,
        drain: start.elapsed().as_secs_f64(),
    }
}

/// Empties the queue between runs. On PostgreSQL, also vacuums: every run leaves tens of
/// thousands of dead row versions behind, which the next run's index scans would wade
/// through (autovacuum does this in a long-running daemon, but not within seconds).
async fn clear(store: &SeaOrmStore) {
    let db = store.connection();
    db.execute_unprepared("DELETE FROM sync_job").await.unwrap();
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE sync_job")
            .await
            .unwrap();
    }
}

struct Figure {
    database: &'static str,
    workers: usize,
    batch: usize,
    seaorm: Run,
    bare: Run,
    insert: f64,
}

async fn measure<B: Bare>(
    database: &'static str,
    store: &SeaOrmStore,
    bare: &B,
    jobs: usize,
    rows: &mut Vec<Figure>,
) {
    // One unmeasured warm-up run each.
    clear(store).await;
    run_seaorm(store, jobs / 10, 8, 32).await;
    clear(store).await;
    run_bare(bare, jobs / 10, 8, 32).await;
    clear(store).await;
    run_insert(bare, jobs / 10).await;
    let mut point = 0;
    for workers in [1, 8] {
        for batch in [1, 32] {
            // Alternate which side goes first.
            let (seaorm, plain) = if point % 2 == 0 {
                clear(store).await;
                let s = run_seaorm(store, jobs, workers, batch).await;
                clear(store).await;
                (s, run_bare(bare, jobs, workers, batch).await)
            } else {
                clear(store).await;
                let b = run_bare(bare, jobs, workers, batch).await;
                clear(store).await;
                (run_seaorm(store, jobs, workers, batch).await, b)
            };
            clear(store).await;
            let insert = run_insert(bare, jobs).await;
            point += 1;
            let row = Figure {
                database,
                workers,
                batch,
                seaorm,
                bare: plain,
                insert,
            };
            println!(
                "  {database:<10} {workers} worker(s), batch {batch:>2}: drain seaorm {:>7.0}/s bare {:>7.0}/s",
                rate(jobs, row.seaorm.drain),
                rate(jobs, row.bare.drain)
            );
            rows.push(row);
        }
    }
}

fn rate(jobs: usize, secs: f64) -> f64 {
    // Display only: job counts are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    let jobs = jobs as f64;
    jobs / secs
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--explain") {
        explain::run().await;
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let durable = args.iter().any(|a| a == "--durable");
    let jobs = if quick { 2_000 } else { 10_000 };
    println!(
        "sync-queue: enqueue_many (chunks of {CHUNK}) → claim (batch 1 / 32) → ack_many, {jobs} jobs per run, \
         one run per point; SeaORM backend vs bare sqlx running the same statements"
    );
    let mut rows = Vec::new();

    let sqlite_db = TestDb::new(Backend::Sqlite).await;
    let store = SeaOrmStore::connect(sqlite_db.url(), QueueConfig::default())
        .await
        .unwrap();
    let options: SqliteConnectOptions = sqlite_db.url().parse().unwrap();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            options
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(sync_queue::seaorm::SQLITE_BUSY_TIMEOUT)
                .synchronous(SqliteSynchronous::Normal),
        )
        .await
        .unwrap();
    measure("SQLite", &store, &BareSqlite(pool), jobs, &mut rows).await;

    let pg_db = TestDb::new(Backend::Postgres).await;
    let commit = if durable { None } else { Some("off") };
    let mut options = ConnectOptions::new(pg_db.url().to_owned());
    options
        .max_connections(PG_CONNECTIONS)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |o| match commit {
            Some(c) => o.options([("synchronous_commit", c)]),
            None => o,
        });
    let store = SeaOrmStore::connect_with(options, QueueConfig::default())
        .await
        .unwrap();
    let mut pg_options: PgConnectOptions = pg_db.url().parse().unwrap();
    if let Some(c) = commit {
        pg_options = pg_options.options([("synchronous_commit", c)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(PG_CONNECTIONS)
        .connect_with(pg_options)
        .await
        .unwrap();
    println!(
        "  PostgreSQL synchronous_commit: {}",
        commit.unwrap_or("server default (--durable)")
    );
    measure("PostgreSQL", &store, &BarePostgres(pool), jobs, &mut rows).await;

    println!();
    println!(
        "{:<11} {:>3} {:>5} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>9} {:>6}",
        "database",
        "wkr",
        "batch",
        "drain/s",
        "bare",
        "ratio",
        "e2e/s",
        "bare",
        "ratio",
        "enqueue/s",
        "upsert",
        "INSERT",
        "ratio"
    );
    for row in &rows {
        let (sd, bd) = (rate(jobs, row.seaorm.drain), rate(jobs, row.bare.drain));
        let (se, be) = (rate(jobs, row.seaorm.total()), rate(jobs, row.bare.total()));
        let (sq, bi) = (rate(jobs, row.seaorm.enqueue), rate(jobs, row.insert));
        let bu = rate(jobs, row.bare.enqueue);
        println!(
            "{:<11} {:>3} {:>5} | {:>9.0} {:>9.0} {:>5.0}% | {:>9.0} {:>9.0} {:>5.0}% | {:>9.0} {:>9.0} {:>9.0} {:>5.0}%",
            row.database,
            row.workers,
            row.batch,
            sd,
            bd,
            100.0 * sd / bd,
            se,
            be,
            100.0 * se / be,
            sq,
            bu,
            bi,
            100.0 * sq / bi
        );
    }
    println!(
        "(jobs/s. drain: claim + ack_many; e2e: enqueue_many + drain; ratios SeaORM ÷ bare sqlx \
         running the same statements. enqueue: SeaORM enqueue_many; upsert: bare sqlx running its \
         statement; INSERT: a bare multi-row INSERT of the same rows; ratio enqueue ÷ INSERT)"
    );
}

/// `--explain`: the plans of the hot-path statements on SQLite, PostgreSQL and MariaDB,
/// over a queue of 12,000 jobs (500 of them running), after ANALYZE.
mod explain {
    use super::*;
    use sea_orm::{DatabaseConnection, Statement, Value};

    fn cell(row: &sea_orm::QueryResult, column: &str) -> String {
        if let Ok(v) = row.try_get::<Option<String>>("", column) {
            return v.unwrap_or_else(|| "NULL".to_owned());
        }
        if let Ok(v) = row.try_get::<Option<i64>>("", column) {
            return v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
        }
        if let Ok(v) = row.try_get::<Option<i32>>("", column) {
            return v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
        }
        if let Ok(v) = row.try_get::<Option<f64>>("", column) {
            return v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
        }
        if let Ok(v) = row.try_get::<Option<Vec<u8>>>("", column) {
            return v.map_or_else(
                || "NULL".to_owned(),
                |v| String::from_utf8_lossy(&v).into_owned(),
            );
        }
        "?".to_owned()
    }

    async fn show(db: &DatabaseConnection, what: &str, sql: &str, values: Vec<Value>) {
        let backend = db.get_database_backend();
        let prefix = if backend == DbBackend::Sqlite {
            "EXPLAIN QUERY PLAN "
        } else {
            "EXPLAIN "
        };
        println!("--- {what}");
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!("{prefix}{sql}"),
                values,
            ))
            .await
            .unwrap();
        for row in rows {
            let columns = row.column_names();
            let wanted: Vec<&str> = match backend {
                DbBackend::Sqlite => vec!["detail"],
                DbBackend::MySql => vec!["select_type", "table", "type", "key", "rows", "Extra"],
                _ => columns.iter().map(String::as_str).collect(),
            };
            let text: Vec<String> = wanted
                .iter()
                .filter(|c| columns.iter().any(|k| k == *c))
                .map(|c| cell(&row, c))
                .collect();
            println!("    {}", text.join(" | "));
        }
    }

    fn uuid() -> Value {
        Uuid::now_v7().into()
    }

    pub async fn run() {
        for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            let test_db = TestDb::new(backend).await;
            let store = SeaOrmStore::connect(test_db.url(), QueueConfig::default())
                .await
                .unwrap();
            for (tenant, n) in [("shop", 10_000), ("vendor", 2_000)] {
                let tenant = TenantId::new(tenant).unwrap();
                for from in (0..n).step_by(CHUNK) {
                    let chunk: Vec<NewJob> = (from..(from + CHUNK).min(n))
                        .map(|i| {
                            NewJob::upsert(EntityRef::new(
                                tenant.clone(),
                                EntityKind::ALL[i % 4],
                                StoreId::new(store_id(i)).unwrap(),
                            ))
                        })
                        .collect();
                    store.enqueue_many(chunk).await.unwrap();
                }
            }
            let worker = WorkerId::new("explain").unwrap();
            let claimed = store.claim(&Scope::All, &worker, 500, LEASE).await.unwrap();
            let db = store.connection();
            let analyze = match db.get_database_backend() {
                DbBackend::Postgres => "ANALYZE sync_job",
                DbBackend::MySql => "ANALYZE TABLE sync_job",
                _ => "ANALYZE",
            };
            db.execute_unprepared(analyze).await.unwrap();
            println!("===== {backend:?}");
            let be = db.get_database_backend();
            let st = statements(be);
            let now = now_ms();
            let set =
                || -> Vec<Value> { vec![(now + 300_000).into(), uuid(), "w".into(), now.into()] };
            match &st.claim {
                ClaimStatements::Single { all, tenant } => {
                    let mut v: Vec<Value> = vec![now.into(), 32i64.into()];
                    v.extend(set());
                    show(db, "claim (all tenants, batch 32)", all, v).await;
                    let mut v: Vec<Value> = vec![now.into(), "vendor".into(), 32i64.into()];
                    v.extend(set());
                    show(db, "claim (one tenant, batch 32)", tenant, v).await;
                }
                ClaimStatements::SelectThenUpdate {
                    select_all,
                    select_tenant,
                    update_prefix,
                } => {
                    show(
                        db,
                        "claim select (all tenants, batch 32)",
                        select_all,
                        vec![now.into(), 32i64.into()],
                    )
                    .await;
                    show(
                        db,
                        "claim select (one tenant, batch 32)",
                        select_tenant,
                        vec![now.into(), "vendor".into(), 32i64.into()],
                    )
                    .await;
                    let mut sql = update_prefix.clone();
                    let mut v = set();
                    for (i, c) in claimed.iter().take(32).enumerate() {
                        sql.push_str(if i == 0 { "?" } else { ", ?" });
                        v.push(c.job.id.as_uuid().into());
                    }
                    sql.push(')');
                    show(db, "claim update (32 ids)", &sql, v).await;
                }
            }
            let batch: Vec<_> = claimed.iter().take(32).collect();
            let mut v: Vec<Value> = Vec::new();
            for c in &batch {
                v.push(c.job.id.as_uuid().into());
                v.push(uuid());
            }
            for c in &batch {
                v.push(c.job.entity.tenant.as_str().into());
                v.push(c.job.entity.kind.as_str().into());
                v.push(c.job.entity.store_id.as_str().into());
            }
            show(
                db,
                "ack_many (32 leases)",
                &ack_many(be, batch.len(), batch.len()),
                v,
            )
            .await;
            let one = &claimed[0].job;
            show(
                db,
                "ack (one lease)",
                &st.ack,
                vec![
                    one.entity.tenant.as_str().into(),
                    one.entity.kind.as_str().into(),
                    one.entity.store_id.as_str().into(),
                    one.id.as_uuid().into(),
                    uuid(),
                ],
            )
            .await;
            let row = |i: usize| -> Vec<Value> {
                vec![
                    uuid(),
                    "shop".into(),
                    kind(i).into(),
                    store_id(i).into(),
                    "upsert".into(),
                    None::<String>.into(),
                    now.into(),
                    now.into(),
                    now.into(),
                ]
            };
            // EXPLAIN of an INSERT: SQLite and MariaDB show the conflict lookups only
            // in execution; the statement is explained for completeness.
            show(db, "enqueue (one)", &st.enqueue, row(20_000)).await;
            let mut v = Vec::new();
            for i in 0..32 {
                v.extend(row(20_000 + i));
            }
            show(db, "enqueue_many (32 rows)", &enqueue_many(be, 32), v).await;
            let id: Value = one.id.as_uuid().into();
            show(
                db,
                "fail",
                &st.fail,
                vec![
                    "retry".into(),
                    now.into(),
                    None::<String>.into(),
                    "503".into(),
                    now.into(),
                    now.into(),
                    id.clone(),
                    uuid(),
                ],
            )
            .await;
            show(
                db,
                "extend",
                &st.extend,
                vec![now.into(), now.into(), id.clone(), uuid()],
            )
            .await;
            store.close().await.unwrap();
        }
    }
}
