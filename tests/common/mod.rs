//! Shared pieces of the daemon's end-to-end tests: a playground (qbo-sandbox and the
//! CS-Cart stand-in) with a connected, prepared tenant on a real database, and checks
//! that compare QBO with the store.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use cscart_api::stand_in::Generate;
use qbo_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use serde_json::Value;
use sync_daemon::export::{ExportOptions, drain, enqueue_store};
use sync_daemon::playground::{Playground, TENANT, connect_and_prepare};
use sync_daemon::runtime::Daemon;
use sync_daemon::worker::{BatchReport, WorkerSettings};
use sync_daemon::{Engine, config::WorkerConfig};
use sync_queue::{JobQueue, TenantId};
use test_db::{Backend, TestDb};

/// A playground with a daemon on a fresh database, its tenant connected and prepared.
pub struct Setup {
    pub playground: Playground,
    pub db: TestDb,
    pub dir: tempfile::TempDir,
    pub daemon: Daemon,
    pub engine: Arc<Engine>,
    pub realm: String,
}

pub fn generate(categories: usize, products: usize, users: usize, orders: usize) -> Generate {
    Generate {
        categories,
        products,
        users,
        orders,
        vendors: 0,
    }
}

/// Warnings and errors of the daemon go to the test's output.
pub fn log() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
}

pub async fn setup(backend: Backend, sandbox: SandboxConfig, store: &Generate) -> Setup {
    setup_with(backend, sandbox, store, |_| {}).await
}

/// As [`setup`], with a last word on the daemon's configuration.
pub async fn setup_with(
    backend: Backend,
    sandbox: SandboxConfig,
    store: &Generate,
    adjust: impl FnOnce(&mut sync_daemon::config::Config),
) -> Setup {
    log();
    let playground = Playground::start(sandbox, store).await.unwrap();
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = playground.config(db.url(), dir.path());
    if !playground.sandbox.settings().limits.enabled {
        // The sandbox keeps no limits: neither does the client.
        let limits = &mut config.tenants.get_mut(TENANT).unwrap().qbo.limits;
        limits.requests_per_minute = 1_000_000;
        limits.batches_per_minute = 100_000;
        limits.max_in_flight = 32;
    }
    config.worker = WorkerConfig {
        max_attempts: 30,
        retry_base_ms: 50,
        retry_max_ms: 1000,
        ..WorkerConfig::default()
    };
    adjust(&mut config);
    let mut daemon = Daemon::open(config).await.unwrap();
    let (realm, _) = connect_and_prepare(&mut daemon, TENANT, None)
        .await
        .unwrap();
    let engine = daemon
        .engine(daemon.tenant(TENANT).unwrap())
        .await
        .unwrap()
        .unwrap();
    Setup {
        playground,
        db,
        dir,
        daemon,
        engine,
        realm: realm.as_str().to_owned(),
    }
}

pub fn tenant() -> TenantId {
    TenantId::new(TENANT).unwrap()
}

impl Setup {
    pub fn queue(&self) -> Arc<dyn JobQueue> {
        self.daemon.store.clone()
    }

    /// Queues the whole store.
    pub async fn enqueue_all(&self) -> usize {
        let tenant = self.daemon.tenant(TENANT).unwrap();
        let counts = enqueue_store(
            &tenant.id,
            tenant.feed.as_ref().unwrap(),
            self.daemon.store.as_ref(),
            &ExportOptions {
                kinds: Vec::new(),
                since: None,
            },
        )
        .await
        .unwrap();
        counts.values().sum()
    }

    /// Polls every feed once from its stored cursor.
    pub async fn poll(&self) -> usize {
        let tenant = self.daemon.tenant(TENANT).unwrap();
        let mut n = 0;
        for kind in cscart_api::feed::FeedKind::ALL {
            n += sync_daemon::poller::poll_feed(
                &tenant.id,
                tenant.feed.as_ref().unwrap(),
                self.daemon.store.as_ref(),
                kind,
                None,
                None,
            )
            .await
            .unwrap()
            .enqueued;
        }
        n
    }

    /// Runs workers until the queue has nothing left to do now.
    pub async fn drain(&self) -> BatchReport {
        drain(
            self.engine.clone(),
            self.queue(),
            4,
            WorkerSettings {
                lease: Duration::from_secs(30),
                idle_wait: Duration::from_millis(200),
                ..WorkerSettings::default()
            },
            Duration::from_secs(120),
            &|_| {},
        )
        .await
        .unwrap()
    }

    pub fn entities(&self, entity: &str) -> Vec<Value> {
        self.playground
            .sandbox
            .entities(&self.realm, entity)
            .unwrap()
    }

    /// QBO requests logged by the sandbox so far (writes and reads of the v3 API).
    pub fn api_requests(&self) -> u64 {
        self.playground
            .sandbox
            .requests(usize::MAX)
            .iter()
            .filter(|r| r.path.starts_with("/v3/"))
            .count() as u64
    }

    pub async fn links(&self, kind: sync_queue::EntityKind) -> Vec<sync_queue::Link> {
        use sync_queue::LinkStore;
        self.daemon
            .store
            .list_links(&tenant(), Some(kind), None, 10_000)
            .await
            .unwrap()
    }

    pub async fn errors(&self) -> Vec<sync_queue::Job> {
        use sync_queue::{JobFilter, JobStatus, PageRequest, Scope};
        self.daemon
            .store
            .list_jobs(
                &JobFilter {
                    scope: Scope::Tenant(tenant()),
                    statuses: vec![JobStatus::Error],
                    kind: None,
                    error_text: None,
                },
                &PageRequest::first(1000),
            )
            .await
            .unwrap()
            .items
    }
}

/// Counts QBO entities by a name field; panics on any name held twice.
pub fn unique_names(entities: &[Value], field: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for e in entities {
        let name = e[field].as_str().unwrap_or_default().to_owned();
        assert!(
            seen.insert(name.clone()),
            "{field} {name:?} is in QBO twice"
        );
    }
    seen
}

/// The QBO documents by id.
pub fn by_id(entities: Vec<Value>) -> BTreeMap<String, Value> {
    entities
        .into_iter()
        .map(|e| (e["Id"].as_str().unwrap().to_owned(), e))
        .collect()
}

pub fn amount(v: &Value) -> Decimal {
    v.to_string().parse().unwrap()
}
