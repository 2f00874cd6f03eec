//! Database-only tests: migrations, SQLite settings, and real concurrency on the wall
//! clock (8 workers over 10,000 jobs, a worker that dies mid-job, concurrent enqueues,
//! wake-up across processes).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::MigratorTrait as _;
use sync_queue::seaorm::Migrator;
use sync_queue::{
    CursorStore, EntityKind, EntityRef, JobId, JobPayload, JobQueue, MemoryStore, NewJob,
    QueueConfig, QueueError, RetryPolicy, Scope, SeaOrmStore, StoreId, SyncStore, TenantId,
};
use test_db::{Backend, TestDb};

use crate::{entity, worker};

/// A store on the wall clock, and its database when it has one.
async fn wall_clock_store(backend: Option<Backend>) -> (Arc<dyn SyncStore>, Option<TestDb>) {
    let config = QueueConfig::default().with_retry(RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    });
    match backend {
        None => (Arc::new(MemoryStore::new(config)), None),
        Some(backend) => {
            let db = TestDb::new(backend).await;
            let store = SeaOrmStore::connect(db.url(), config).await.unwrap();
            (Arc::new(store), Some(db))
        }
    }
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let conn = db.connect().await;
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get_by_index(0).unwrap();
    conn.close().await.unwrap();
    n
}

async fn migrations_run_and_are_idempotent(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    // Running them again (another daemon starting) changes nothing.
    SeaOrmStore::migrate(store.connection()).await.unwrap();
    let again = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    for table in [
        "sync_job",
        "sync_link",
        "sync_cursor",
        "sync_tenant_pause",
        "sync_lease",
    ] {
        assert_eq!(
            count(&db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let applied = count(&db, "SELECT COUNT(*) FROM sync_queue_migrations").await;
    assert_eq!(
        usize::try_from(applied).unwrap(),
        Migrator::migrations().len()
    );
    store.close().await.unwrap();
    again.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_migrations_run_and_are_idempotent() {
    migrations_run_and_are_idempotent(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_migrations_run_and_are_idempotent() {
    migrations_run_and_are_idempotent(Backend::Postgres).await;
}

#[tokio::test]
async fn mariadb_migrations_run_and_are_idempotent() {
    migrations_run_and_are_idempotent(Backend::MySql).await;
}

/// A MariaDB database made by the first migration as it was applied (`TEXT` payloads and
/// cursors) is upgraded in place: its rows stay, and values over 64 KiB fit afterwards.
#[tokio::test]
async fn mariadb_upgrade_widens_payloads_and_cursors_of_an_existing_database() {
    let db = TestDb::new(Backend::MySql).await;
    let conn = db.connect().await;
    Migrator::up(&conn, Some(1)).await.unwrap();
    let column_type = async |table: &str, column: &str| -> String {
        let row = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                format!(
                    "SELECT DATA_TYPE FROM information_schema.COLUMNS \
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' \
                     AND COLUMN_NAME = '{column}'"
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0).unwrap().to_lowercase()
    };
    assert_eq!(column_type("sync_job", "payload").await, "text");
    assert_eq!(column_type("sync_cursor", "value").await, "text");
    // Data written under the old schema, and what the old schema refuses.
    let old = SeaOrmStore::from_connection(conn.clone(), QueueConfig::default());
    let shop = TenantId::new("shop").unwrap();
    let feed = sync_queue::FeedName::new("orders").unwrap();
    old.set_cursor(&shop, &feed, "2026-03-01").await.unwrap();
    let small = old
        .enqueue(
            NewJob::upsert(entity("shop", EntityKind::Order, "1"))
                .with_payload(JobPayload::from_json_text(r#"{"v":1}"#).unwrap()),
        )
        .await
        .unwrap();
    let big = format!("\"{}\"", "x".repeat(100 * 1024));
    let big_job = || {
        NewJob::upsert(entity("shop", EntityKind::Product, "2"))
            .with_payload(JobPayload::from_json_text(big.clone()).unwrap())
    };
    assert!(old.enqueue(big_job()).await.is_err(), "TEXT holds 64 KiB");

    // The daemon starts on the new version: the remaining migrations run.
    let store = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    assert_eq!(column_type("sync_job", "payload").await, "longtext");
    assert_eq!(column_type("sync_cursor", "value").await, "longtext");
    assert_eq!(
        store.get_cursor(&shop, &feed).await.unwrap().unwrap().value,
        "2026-03-01"
    );
    let kept = store.get_job(&Scope::All, small.id).await.unwrap().unwrap();
    assert_eq!(kept.payload.unwrap().as_str(), r#"{"v":1}"#);
    let id = store.enqueue(big_job()).await.unwrap().id;
    let got = store.get_job(&Scope::All, id).await.unwrap().unwrap();
    assert_eq!(got.payload.unwrap().as_str(), big);
    store.set_cursor(&shop, &feed, &big).await.unwrap();
    assert_eq!(
        store.get_cursor(&shop, &feed).await.unwrap().unwrap().value,
        big
    );
    conn.close().await.unwrap();
    store.close().await.unwrap();
}

/// Migrating a SQLite database through a pool of several connections, each of which had
/// read the schema before, leaves no connection with the old schema: enqueues on every
/// connection at once find the unique index their upsert needs.
#[tokio::test]
async fn sqlite_migration_through_a_pool_of_several_connections() {
    const CONNECTIONS: u32 = 16;
    let db = TestDb::new(Backend::Sqlite).await;
    let mut options = sea_orm::ConnectOptions::new(db.url().to_owned());
    options
        .max_connections(CONNECTIONS)
        .min_connections(CONNECTIONS)
        .sqlx_logging(false);
    let conn = sea_orm::Database::connect(options).await.unwrap();
    let pool = conn.get_sqlite_connection_pool();
    // Every connection reads the (empty) schema before the migration.
    let mut held = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut c = pool.acquire().await.unwrap();
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .execute(&mut *c)
            .await
            .unwrap();
        held.push(c);
    }
    drop(held);

    SeaOrmStore::migrate(&conn).await.unwrap();
    let store = SeaOrmStore::from_connection(conn, QueueConfig::default());
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .enqueue(NewJob::upsert(entity(
                        "shop",
                        EntityKind::Order,
                        &i.to_string(),
                    )))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let stats = store.stats(&Scope::All).await.unwrap();
    assert_eq!(stats.total(), 32);
    store.close().await.unwrap();
}

#[tokio::test]
async fn sqlite_is_a_wal_file_with_a_busy_timeout_and_one_writer() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    let conn = store.connection();
    let pragma = async |name: &str| {
        conn.query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap()
    };
    let mode: String = pragma("journal_mode").await.try_get_by_index(0).unwrap();
    assert_eq!(mode, "wal");
    let timeout: i64 = pragma("busy_timeout").await.try_get_by_index(0).unwrap();
    assert!(timeout >= 5000, "{timeout}");
    let synchronous: i64 = pragma("synchronous").await.try_get_by_index(0).unwrap();
    assert_eq!(synchronous, 1, "synchronous=NORMAL");
    // One connection: every statement goes through the one writer.
    assert_eq!(conn.get_sqlite_connection_pool().size(), 1);
}

const JOBS: usize = 10_000;
const WORKERS: usize = 8;

/// 8 workers drain 10,000 jobs: every job is claimed once and acked once, none is left.
async fn eight_workers_drain_ten_thousand_jobs(backend: Option<Backend>) {
    let (store, _db) = wall_clock_store(backend).await;
    let tenant = TenantId::new("shop").unwrap();
    let mut enqueued = HashSet::with_capacity(JOBS);
    let ids: Vec<usize> = (0..JOBS).collect();
    for chunk in ids.chunks(2_000) {
        let jobs = chunk
            .iter()
            .map(|i| {
                NewJob::upsert(EntityRef::new(
                    tenant.clone(),
                    EntityKind::ALL[i % 4],
                    StoreId::new(i.to_string()).unwrap(),
                ))
            })
            .collect();
        for e in store.enqueue_many(jobs).await.unwrap() {
            assert!(!e.coalesced);
            enqueued.insert(e.id);
        }
    }
    assert_eq!(enqueued.len(), JOBS);

    let acked_total = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for n in 0..WORKERS {
        let store = store.clone();
        let acked_total = acked_total.clone();
        workers.push(tokio::spawn(async move {
            let me = worker(&format!("w{n}"));
            let mut signal = store.subscribe();
            let (mut claimed, mut acked) = (Vec::new(), Vec::new());
            while acked_total.load(Ordering::SeqCst) < JOBS {
                let batch = store
                    .claim_or_wait(
                        &mut signal,
                        &Scope::All,
                        &me,
                        32,
                        Duration::from_secs(300),
                        Duration::from_millis(200),
                    )
                    .await
                    .unwrap();
                for job in batch {
                    claimed.push(job.job.id);
                    store.ack(&job.lease).await.unwrap();
                    acked.push(job.job.id);
                    acked_total.fetch_add(1, Ordering::SeqCst);
                }
            }
            (claimed, acked)
        }));
    }
    let mut claimed_count: HashMap<JobId, usize> = HashMap::new();
    let mut acked_count: HashMap<JobId, usize> = HashMap::new();
    let mut busy_workers = 0;
    for w in workers {
        let (claimed, acked) = tokio::time::timeout(Duration::from_secs(150), w)
            .await
            .expect("the drain finishes")
            .unwrap();
        busy_workers += usize::from(!acked.is_empty());
        for id in claimed {
            *claimed_count.entry(id).or_default() += 1;
        }
        for id in acked {
            *acked_count.entry(id).or_default() += 1;
        }
    }
    assert!(busy_workers > 1, "the work was shared");
    assert_eq!(acked_count.len(), JOBS);
    assert!(
        acked_count.values().all(|n| *n == 1),
        "each job acked exactly once"
    );
    assert!(
        claimed_count.values().all(|n| *n == 1),
        "each job claimed exactly once"
    );
    assert_eq!(
        acked_count.keys().copied().collect::<HashSet<_>>(),
        enqueued
    );
    let stats = store.stats(&Scope::All).await.unwrap();
    assert_eq!(stats.total(), 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_eight_workers_drain_ten_thousand_jobs() {
    eight_workers_drain_ten_thousand_jobs(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_eight_workers_drain_ten_thousand_jobs() {
    eight_workers_drain_ten_thousand_jobs(Some(Backend::Sqlite)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_eight_workers_drain_ten_thousand_jobs() {
    eight_workers_drain_ten_thousand_jobs(Some(Backend::Postgres)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_eight_workers_drain_ten_thousand_jobs() {
    eight_workers_drain_ten_thousand_jobs(Some(Backend::MySql)).await;
}

/// A worker claims a job and dies without acking; another worker completes the job once
/// the lease has run out, and the dead worker's lease is worthless.
async fn dead_worker_job_is_completed_after_the_lease(backend: Option<Backend>) {
    let (store, _db) = wall_clock_store(backend).await;
    let lease = Duration::from_millis(800);
    let doomed = store
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1001")))
        .await
        .unwrap();

    let (tx, rx) = tokio::sync::oneshot::channel();
    let dying = {
        let store = store.clone();
        tokio::spawn(async move {
            let batch = store
                .claim(&Scope::All, &worker("dies"), 10, lease)
                .await
                .unwrap();
            let _ = tx.send((Instant::now(), batch));
            // Mid-job forever: the push never returns.
            std::future::pending::<()>().await;
        })
    };
    let (claimed_at, batch) = rx.await.unwrap();
    assert_eq!(batch.len(), 1);
    dying.abort();
    assert!(dying.await.unwrap_err().is_cancelled());
    // Work arriving after the death is not held up by it.
    let other = store
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1002")))
        .await
        .unwrap();

    let survivor = worker("survivor");
    let mut signal = store.subscribe();
    let mut done = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while done.len() < 2 && Instant::now() < deadline {
        let got = store
            .claim_or_wait(
                &mut signal,
                &Scope::All,
                &survivor,
                10,
                lease,
                Duration::from_secs(2),
            )
            .await
            .unwrap();
        for job in got {
            if job.job.id == doomed.id {
                assert!(
                    claimed_at.elapsed() >= lease,
                    "reclaimed before the lease ran out"
                );
                assert_eq!(job.lease.attempt(), 2);
            }
            store.ack(&job.lease).await.unwrap();
            done.push(job.job.id);
        }
    }
    assert_eq!(done.first(), Some(&other.id), "fresh work first");
    assert_eq!(done.get(1), Some(&doomed.id), "then the dead worker's job");
    assert!(matches!(
        store.ack(&batch[0].lease).await,
        Err(QueueError::LeaseLost(id)) if id == doomed.id
    ));
    assert_eq!(store.stats(&Scope::All).await.unwrap().total(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_dead_worker_job_is_completed_after_the_lease() {
    dead_worker_job_is_completed_after_the_lease(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_dead_worker_job_is_completed_after_the_lease() {
    dead_worker_job_is_completed_after_the_lease(Some(Backend::Sqlite)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dead_worker_job_is_completed_after_the_lease() {
    dead_worker_job_is_completed_after_the_lease(Some(Backend::Postgres)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_dead_worker_job_is_completed_after_the_lease() {
    dead_worker_job_is_completed_after_the_lease(Some(Backend::MySql)).await;
}

/// Changes keep arriving for a few entities while workers run: no entity is ever pushed
/// by two workers at once, and the last change of every entity is worked.
async fn concurrent_changes_are_never_run_twice_at_once_nor_lost(backend: Option<Backend>) {
    const ENTITIES: usize = 20;
    const CHANGES: usize = 1_500;
    let (store, _db) = wall_clock_store(backend).await;
    let keys: Vec<EntityRef> = (0..ENTITIES)
        .map(|i| entity("shop", EntityKind::Product, &format!("p{i}")))
        .collect();
    let running: Arc<HashMap<EntityRef, AtomicBool>> = Arc::new(
        keys.iter()
            .map(|k| (k.clone(), AtomicBool::new(false)))
            .collect(),
    );
    let last_seen: Arc<Mutex<HashMap<EntityRef, u64>>> = Arc::default();
    let producing = Arc::new(AtomicBool::new(true));

    let producer = {
        let (store, keys) = (store.clone(), keys.clone());
        tokio::spawn(async move {
            let mut last = HashMap::new();
            for seq in 0..CHANGES as u64 {
                let key = &keys[fastrand::usize(..keys.len())];
                let job = NewJob::upsert(key.clone()).with_payload(
                    JobPayload::from_json_text(format!("{{\"seq\":{seq}}}")).unwrap(),
                );
                store.enqueue(job).await.unwrap();
                last.insert(key.clone(), seq);
                if seq % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            last
        })
    };
    let mut workers = Vec::new();
    for n in 0..4 {
        let (store, running, last_seen, producing) = (
            store.clone(),
            running.clone(),
            last_seen.clone(),
            producing.clone(),
        );
        workers.push(tokio::spawn(async move {
            let me = worker(&format!("w{n}"));
            let mut signal = store.subscribe();
            loop {
                let still_producing = producing.load(Ordering::SeqCst);
                let batch = store
                    .claim_or_wait(
                        &mut signal,
                        &Scope::All,
                        &me,
                        8,
                        Duration::from_secs(300),
                        Duration::from_millis(100),
                    )
                    .await
                    .unwrap();
                if batch.is_empty() && !still_producing {
                    break;
                }
                for job in batch {
                    let flag = &running[&job.job.entity];
                    assert!(
                        !flag.swap(true, Ordering::SeqCst),
                        "{} pushed twice at once",
                        job.job.entity
                    );
                    let seq: serde_json::Value = job.job.payload.as_ref().unwrap().parse().unwrap();
                    let seq = seq["seq"].as_u64().unwrap();
                    tokio::task::yield_now().await;
                    {
                        let mut seen = last_seen.lock().unwrap();
                        let slot = seen.entry(job.job.entity.clone()).or_default();
                        *slot = (*slot).max(seq);
                    }
                    flag.store(false, Ordering::SeqCst);
                    store.ack(&job.lease).await.unwrap();
                }
            }
        }));
    }
    let last = tokio::time::timeout(Duration::from_secs(120), producer)
        .await
        .unwrap()
        .unwrap();
    producing.store(false, Ordering::SeqCst);
    for w in workers {
        tokio::time::timeout(Duration::from_secs(120), w)
            .await
            .unwrap()
            .unwrap();
    }
    let seen = last_seen.lock().unwrap().clone();
    for (key, seq) in last {
        assert_eq!(
            seen.get(&key),
            Some(&seq),
            "the last change of {key} was worked"
        );
    }
    assert_eq!(store.stats(&Scope::All).await.unwrap().total(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_concurrent_changes_are_never_run_twice_at_once_nor_lost() {
    concurrent_changes_are_never_run_twice_at_once_nor_lost(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_changes_are_never_run_twice_at_once_nor_lost() {
    concurrent_changes_are_never_run_twice_at_once_nor_lost(Some(Backend::Sqlite)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_concurrent_changes_are_never_run_twice_at_once_nor_lost() {
    concurrent_changes_are_never_run_twice_at_once_nor_lost(Some(Backend::Postgres)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_concurrent_changes_are_never_run_twice_at_once_nor_lost() {
    concurrent_changes_are_never_run_twice_at_once_nor_lost(Some(Backend::MySql)).await;
}

/// A job enqueued by another process (another pool on the same database) is found by
/// the poll, within about a second.
async fn wake_up_across_processes(backend: Backend) {
    let db = TestDb::new(backend).await;
    let here = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    let elsewhere = SeaOrmStore::connect(db.url(), QueueConfig::default())
        .await
        .unwrap();
    let mut signal = here.subscribe();
    let waiter = {
        let here = here.clone();
        tokio::spawn(async move {
            here.claim_or_wait(
                &mut signal,
                &Scope::All,
                &worker("w"),
                1,
                Duration::from_secs(30),
                Duration::from_secs(10),
            )
            .await
            .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let enqueued_at = Instant::now();
    elsewhere
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Customer, "1")))
        .await
        .unwrap();
    let got = waiter.await.unwrap();
    assert_eq!(got.len(), 1);
    let waited = enqueued_at.elapsed();
    assert!(
        waited < Duration::from_secs(3),
        "found after {waited:?}; the poll is 1 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wake_up_across_processes() {
    wake_up_across_processes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_wake_up_across_processes() {
    wake_up_across_processes(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_wake_up_across_processes() {
    wake_up_across_processes(Backend::MySql).await;
}
