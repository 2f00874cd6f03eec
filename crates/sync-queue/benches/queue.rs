//! `cargo xtask bench queue`: sync-queue's SeaORM backend against bare sqlx running the
//! very same statements.
//!
//! Each run pushes N jobs through the queue: one producer enqueues them one by one, then
//! 1 or 8 workers claim batches of 32 and ack each job, until all N are acked. The bare
//! side binds the same values to the statement text of
//! `sync_queue::seaorm::statements` on a plain sqlx pool with the same settings (SQLite:
//! WAL, busy timeout, `synchronous=NORMAL`, one connection; PostgreSQL: 10 connections)
//! and decodes the same columns. Runs alternate between the two sides on the same
//! database so that machine noise hits both alike; the figures are medians, and the
//! ratio is SeaORM ÷ bare.
//!
//! On PostgreSQL both sides run with `synchronous_commit=off`, so that the figures
//! measure the code and not the disk: with it on, every commit waits for an fsync (about
//! 2 ms on a small box) and both sides sit at the same few hundred commits a second.
//! `--durable` keeps the server's setting.
//!
//! Needs `QBO_SYNC_TEST_POSTGRES_URL` (as the tests do). `--quick` runs 2,000 jobs once.
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
use sync_queue::seaorm::statements::{ClaimStatements, statements};
use sync_queue::{
    EntityKind, EntityRef, JobQueue, NewJob, QueueConfig, Scope, SeaOrmStore, StoreId, TenantId,
    WorkerId,
};
use test_db::{Backend, TestDb};
use uuid::Uuid;

const BATCH: usize = 32;
const LEASE: Duration = Duration::from_secs(300);
const PG_CONNECTIONS: u32 = 10;

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

/// What the bare side needs from a sqlx pool: the three statements, bound and decoded.
trait Bare: Clone + Send + Sync + 'static {
    fn enqueue(&self, i: usize) -> impl std::future::Future<Output = ()> + Send;
    fn claim(&self, worker: &str) -> impl std::future::Future<Output = Vec<Claimed>> + Send;
    fn ack(&self, job: &Claimed) -> impl std::future::Future<Output = ()> + Send;
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

macro_rules! bare_impl {
    ($name:ident, $pool:ty, $backend:expr) => {
        #[derive(Clone)]
        struct $name($pool);

        impl Bare for $name {
            async fn enqueue(&self, i: usize) {
                let now = now_ms();
                let _: Uuid = sqlx::query_scalar(statements($backend).enqueue.as_str())
                    .bind(Uuid::now_v7())
                    .bind("shop")
                    .bind(kind(i))
                    .bind(store_id(i))
                    .bind("upsert")
                    .bind(None::<String>)
                    .bind(now)
                    .bind(now)
                    .bind(now)
                    .fetch_one(&self.0)
                    .await
                    .unwrap();
            }

            async fn claim(&self, worker: &str) -> Vec<Claimed> {
                let ClaimStatements::Single { all, .. } = &statements($backend).claim else {
                    panic!("one-statement claim expected");
                };
                let now = now_ms();
                let token = Uuid::now_v7();
                let limit = i64::try_from(BATCH).unwrap();
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

            async fn ack(&self, job: &Claimed) {
                let rows = sqlx::query(statements($backend).ack.as_str())
                    .bind(&job.tenant)
                    .bind(&job.kind)
                    .bind(&job.store_id)
                    .bind(job.id)
                    .bind(job.token)
                    .fetch_all(&self.0)
                    .await
                    .unwrap();
                let held = rows.iter().any(|r| {
                    r.get::<Uuid, _>(0) == job.id && r.get::<Option<Uuid>, _>(1) == Some(job.token)
                });
                assert!(held, "bare ack lost its lease");
            }
        }
    };
}

bare_impl!(BareSqlite, SqlitePool, DbBackend::Sqlite);
bare_impl!(BarePostgres, PgPool, DbBackend::Postgres);

async fn run_bare<B: Bare>(bare: &B, jobs: usize, workers: usize) -> Run {
    let start = Instant::now();
    for i in 0..jobs {
        bare.enqueue(i).await;
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
                    let batch = bare.claim(&me).await;
                    if batch.is_empty() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    for job in &batch {
                        bare.ack(job).await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
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

async fn run_seaorm(store: &SeaOrmStore, jobs: usize, workers: usize) -> Run {
    let tenant = TenantId::new("shop").unwrap();
    let start = Instant::now();
    for i in 0..jobs {
        let entity = EntityRef::new(
            tenant.clone(),
            EntityKind::ALL[i % 4],
            StoreId::new(store_id(i)).unwrap(),
        );
        store.enqueue(NewJob::upsert(entity)).await.unwrap();
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
                    let batch = store.claim(&Scope::All, &me, BATCH, LEASE).await.unwrap();
                    if batch.is_empty() {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    for job in &batch {
                        store.ack(&job.lease).await.unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
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

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.total().total_cmp(&b.total()));
    runs[runs.len() / 2]
}

struct Figure {
    database: &'static str,
    workers: usize,
    seaorm: Run,
    bare: Run,
}

async fn measure<B: Bare>(
    database: &'static str,
    store: &SeaOrmStore,
    bare: &B,
    jobs: usize,
    rounds: usize,
    rows: &mut Vec<Figure>,
) {
    for workers in [1, 8] {
        // One unmeasured warm-up run each, then alternate.
        clear(store).await;
        run_seaorm(store, jobs / 10, workers).await;
        clear(store).await;
        run_bare(bare, jobs / 10, workers).await;
        let (mut seaorm, mut plain) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            clear(store).await;
            seaorm.push(run_seaorm(store, jobs, workers).await);
            clear(store).await;
            plain.push(run_bare(bare, jobs, workers).await);
        }
        let row = Figure {
            database,
            workers,
            seaorm: median(seaorm),
            bare: median(plain),
        };
        println!(
            "  {database:<10} {workers} worker(s): seaorm {:>7.0} jobs/s, bare sqlx {:>7.0} jobs/s",
            rate(jobs, row.seaorm.total()),
            rate(jobs, row.bare.total())
        );
        rows.push(row);
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
    let quick = args.iter().any(|a| a == "--quick");
    let durable = args.iter().any(|a| a == "--durable");
    let (jobs, rounds) = if quick { (2_000, 1) } else { (10_000, 3) };
    println!(
        "sync-queue: enqueue → claim (batch {BATCH}) → ack, {jobs} jobs per run, median of {rounds}; \
         SeaORM backend vs bare sqlx running the same statements"
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
    measure("SQLite", &store, &BareSqlite(pool), jobs, rounds, &mut rows).await;

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
    measure(
        "PostgreSQL",
        &store,
        &BarePostgres(pool),
        jobs,
        rounds,
        &mut rows,
    )
    .await;

    println!();
    println!(
        "{:<11} {:>7} {:>14} {:>14} {:>7}   {:>14} {:>14} {:>7}",
        "database",
        "workers",
        "seaorm jobs/s",
        "bare jobs/s",
        "ratio",
        "seaorm drain/s",
        "bare drain/s",
        "ratio"
    );
    for row in &rows {
        let (s, b) = (rate(jobs, row.seaorm.total()), rate(jobs, row.bare.total()));
        let (sd, bd) = (rate(jobs, row.seaorm.drain), rate(jobs, row.bare.drain));
        println!(
            "{:<11} {:>7} {:>14.0} {:>14.0} {:>6.0}%   {:>14.0} {:>14.0} {:>6.0}%",
            row.database,
            row.workers,
            s,
            b,
            100.0 * s / b,
            sd,
            bd,
            100.0 * sd / bd
        );
    }
    println!(
        "(jobs/s: enqueue + drain end to end; drain/s: claim + ack only; ratio = SeaORM ÷ bare)"
    );
}
