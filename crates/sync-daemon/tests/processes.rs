//! Real `qbo-sync serve` processes against qbo-sandbox and the CS-Cart stand-in (both in
//! this test's process), on a real database:
//!
//! - the kill test: a `serve` child is SIGKILLed at random moments ten times during an
//!   export and restarted each time, with the store changing meanwhile; at the end QBO
//!   holds exactly one entity per store entity, each with the store's latest content, and
//!   the last `serve` stops on SIGTERM with exit code 0;
//! - the scale-out test: three `serve` processes on one PostgreSQL share one export, one is
//!   killed midway; nothing is duplicated, nothing is missing, and the tenant's feed is
//!   never polled by two processes at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cscart_api::stand_in::{Generate, NewOrder, NewUser};
use qbo_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_daemon::playground::{Playground, TENANT, connect_and_prepare};
use sync_daemon::runtime::Daemon;
use sync_queue::{EntityKind, JobQueue, JobStatus, LinkStore, Scope, SeaOrmStore, TenantId};
use test_db::{Backend, TestDb};

struct World {
    playground: Playground,
    _db: TestDb,
    url: String,
    dir: tempfile::TempDir,
    config_path: PathBuf,
    realm: String,
}

async fn world(backend: Backend, generate: &Generate) -> World {
    let playground = Playground::start(SandboxConfig::without_limits(), generate)
        .await
        .unwrap();
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = playground.config(db.url(), dir.path());
    {
        let t = config.tenants.get_mut(TENANT).unwrap();
        t.qbo.limits.requests_per_minute = 1_000_000;
        t.qbo.limits.batches_per_minute = 100_000;
        t.qbo.limits.max_in_flight = 32;
        if let sync_daemon::config::StoreConfig::Cscart(c) = &mut t.store {
            c.poll.orders_secs = 1;
            c.poll.products_secs = 1;
            c.poll.scans_secs = 2;
            c.poll.lease_secs = 5;
        }
    }
    config.worker.retry_base_ms = 100;
    config.worker.retry_max_ms = 2_000;
    config.worker.lease_secs = 10;
    config.worker.max_attempts = 50;
    config.worker.shutdown_secs = 10;
    // Connect and ready the company from here, then hand the database to the children.
    let mut daemon = Daemon::open(config.clone()).await.unwrap();
    let (realm, mapping) = connect_and_prepare(&mut daemon, TENANT, None)
        .await
        .unwrap();
    config.tenants.get_mut(TENANT).unwrap().mapping = mapping;
    let config_path = dir.path().join("qbo-sync.toml");
    std::fs::write(&config_path, toml::to_string(&config).unwrap()).unwrap();
    World {
        playground,
        url: db.url().to_owned(),
        _db: db,
        dir,
        config_path,
        realm: realm.as_str().to_owned(),
    }
}

fn serve(config: &Path, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_qbo-sync"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("QBO_SYNC_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Changes the store a little: a price, a customer's name, a new order, a status.
fn shop_activity(w: &World, rng: &mut fastrand::Rng, step: usize) {
    let shop = &w.playground.shop;
    let products = shop.product_ids();
    let p = products[rng.usize(..products.len())];
    shop.update_product(p, |d| d.price += Decimal::new(rng.i64(1..900), 2));
    let users: Vec<u64> = shop.user_ids().into_iter().filter(|u| *u != 1).collect();
    let u = users[rng.usize(..users.len())];
    shop.update_user(u, |d| d.lastname = format!("Changed{step}"));
    let buyer = shop.create_user(NewUser {
        email: format!("buyer{step}@example.com"),
        firstname: "Kill".to_owned(),
        lastname: format!("Test{step}"),
        ..NewUser::default()
    });
    let live: Vec<u64> = products
        .iter()
        .copied()
        .filter(|p| shop.product(*p).is_some_and(|d| d.status == 'A'))
        .collect();
    shop.place_order(NewOrder {
        user_id: buyer,
        lines: vec![(live[rng.usize(..live.len())], rng.i64(1..4))],
        status: 'P',
        shipping_cost: Decimal::new(495, 2),
        ..NewOrder::default()
    });
    let open: Vec<u64> = shop
        .order_ids()
        .into_iter()
        .filter(|o| shop.order(*o).is_some_and(|d| d.status == 'O'))
        .collect();
    if let Some(o) = open.first() {
        shop.change_order_status(*o, 'C');
    }
    shop.advance(3);
}

/// Waits until the queue has nothing to do for a while and the feeds had time to see the
/// last changes.
async fn settle(store: &SeaOrmStore, tenant: &TenantId, within: Duration) {
    let deadline = Instant::now() + within;
    let mut quiet_since: Option<Instant> = None;
    loop {
        let stats = store.stats(&Scope::Tenant(tenant.clone())).await.unwrap();
        let busy = stats.count(JobStatus::Pending)
            + stats.count(JobStatus::Running)
            + stats.count(JobStatus::Retry);
        if busy == 0 {
            let since = *quiet_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(6) {
                return;
            }
        } else {
            quiet_since = None;
        }
        assert!(
            Instant::now() < deadline,
            "the queue did not settle: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Exactly one QBO entity per store entity, each with the store's latest content.
async fn check(w: &World, store: &SeaOrmStore) {
    let tenant = TenantId::new(TENANT).unwrap();
    let shop = &w.playground.shop;
    let sandbox = &w.playground.sandbox;
    let entities = |name: &str| sandbox.entities(&w.realm, name).unwrap();
    let by_id = |name: &str| -> BTreeMap<String, serde_json::Value> {
        entities(name)
            .into_iter()
            .map(|e| (e["Id"].as_str().unwrap().to_owned(), e))
            .collect()
    };
    let links = |kind| async move {
        store
            .list_links(&TenantId::new(TENANT).unwrap(), Some(kind), None, 10_000)
            .await
            .unwrap()
    };
    let errors = store
        .list_jobs(
            &sync_queue::JobFilter {
                scope: Scope::Tenant(tenant.clone()),
                statuses: vec![JobStatus::Error],
                kind: None,
                error_text: None,
            },
            &sync_queue::PageRequest::first(100),
        )
        .await
        .unwrap()
        .items;
    // Only store data QBO cannot take may be in error (the generator makes a few orders
    // whose included tax exceeds a one-cent line); each says why.
    let unmappable: std::collections::BTreeSet<(EntityKind, String)> = errors
        .iter()
        .filter(|j| j.last_error.as_ref().and_then(|e| e.code.as_deref()) == Some("mapping"))
        .map(|j| (j.entity.kind, j.entity.store_id.as_str().to_owned()))
        .collect();
    let others: Vec<_> = errors
        .iter()
        .filter(|j| !unmappable.contains(&(j.entity.kind, j.entity.store_id.as_str().to_owned())))
        .map(|j| (&j.entity, &j.last_error))
        .collect();
    assert!(others.is_empty(), "in error: {others:?}");
    // Names are unique in QBO, and each store entity has its own.
    let customers = by_id("Customer");
    let mut names = std::collections::BTreeSet::new();
    for c in customers.values() {
        assert!(
            names.insert(c["DisplayName"].as_str().unwrap().to_owned()),
            "{c}"
        );
    }
    let customer_links = links(EntityKind::Customer).await;
    assert_eq!(
        customers.len(),
        customer_links.len(),
        "a QBO customer without a store customer"
    );
    for user in shop.user_ids().into_iter().filter(|u| *u != 1) {
        let data = shop.user(user).unwrap();
        let Some(link) = customer_links
            .iter()
            .find(|l| l.entity.store_id.as_str() == user.to_string())
        else {
            continue; // a customer no order needed and no scan reached yet is not required
        };
        let qbo = &customers[link.qbo_id.as_str()];
        assert!(
            qbo["DisplayName"]
                .as_str()
                .unwrap()
                .contains(&data.lastname),
            "customer {user}: QBO {} vs store {}",
            qbo["DisplayName"],
            data.lastname
        );
    }
    let items = by_id("Item");
    let product_links = links(EntityKind::Product).await;
    let category_links = links(EntityKind::Category).await;
    assert_eq!(items.len(), product_links.len() + category_links.len() + 1);
    // (A product the mapping refuses, such as one with negative stock, is in error with
    // its reason and has no link.)
    let linked: std::collections::BTreeSet<String> = product_links
        .iter()
        .map(|l| l.entity.store_id.as_str().to_owned())
        .collect();
    let missing: Vec<_> = shop
        .product_ids()
        .into_iter()
        .filter(|p| {
            !linked.contains(&p.to_string())
                && !unmappable.contains(&(EntityKind::Product, p.to_string()))
        })
        .map(|p| (p, shop.product(p)))
        .collect();
    assert!(missing.is_empty(), "products never linked: {missing:?}");
    for link in &product_links {
        let p = shop
            .product(link.entity.store_id.as_str().parse().unwrap())
            .unwrap();
        let qbo = &items[link.qbo_id.as_str()];
        assert_eq!(
            qbo["UnitPrice"].to_string().parse::<Decimal>().unwrap(),
            p.price,
            "product {}",
            p.product_id
        );
    }
    let invoices = by_id("Invoice");
    let order_links = links(EntityKind::Order).await;
    let paid: Vec<u64> = shop
        .order_ids()
        .into_iter()
        .filter(|o| matches!(shop.order(*o).unwrap().status, 'P' | 'C'))
        .filter(|o| !unmappable.contains(&(EntityKind::Order, o.to_string())))
        .collect();
    assert_eq!(order_links.len(), paid.len(), "every paid order once");
    assert_eq!(invoices.len(), paid.len(), "one invoice per paid order");
    let mut markers = std::collections::BTreeSet::new();
    for doc in invoices.values() {
        let marker = doc["PrivateNote"]
            .as_str()
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_owned();
        assert!(markers.insert(marker.clone()), "two invoices for {marker}");
    }
    for link in &order_links {
        let o = shop
            .order(link.entity.store_id.as_str().parse().unwrap())
            .unwrap();
        let qbo = &invoices[link.qbo_id.as_str()];
        assert_eq!(
            qbo["TotalAmt"].to_string().parse::<Decimal>().unwrap(),
            o.total,
            "order {}",
            o.order_id
        );
    }
    let payments = entities("Payment");
    let mut paid_orders = std::collections::BTreeSet::new();
    for p in &payments {
        let marker = p["PrivateNote"]
            .as_str()
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_owned();
        assert!(
            paid_orders.insert(marker.clone()),
            "two payments for {marker}"
        );
    }
}

async fn kill_test(backend: Backend) {
    let seed = std::env::var("KILL_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("kill test seed {seed} (KILL_TEST_SEED={seed} repeats it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let w = world(
        backend,
        &Generate {
            categories: 6,
            products: 50,
            users: 25,
            orders: 60,
            vendors: 0,
        },
    )
    .await;
    let log = w.dir.path().join("serve.log");
    for round in 0..10 {
        let mut child = serve(&w.config_path, &log);
        tokio::time::sleep(Duration::from_millis(rng.u64(200..1500))).await;
        shop_activity(&w, &mut rng, round);
        tokio::time::sleep(Duration::from_millis(rng.u64(50..800))).await;
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child was not killed: {status}"
        );
    }
    // The last one runs until everything is in, then stops cleanly.
    let mut child = serve(&w.config_path, &log);
    let store = SeaOrmStore::connect(&w.url, sync_queue::QueueConfig::default())
        .await
        .unwrap();
    let tenant = TenantId::new(TENANT).unwrap();
    settle(&store, &tenant, Duration::from_secs(120)).await;
    sigterm(&child);
    let status = child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        status.success(),
        "serve did not stop cleanly on SIGTERM: {status}\n{text}"
    );
    check(&w, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_ten_times_and_still_exactly_once_on_sqlite() {
    kill_test(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_ten_times_and_still_exactly_once_on_postgres() {
    kill_test(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_an_export_one_dies_nothing_twice() {
    let w = world(
        Backend::Postgres,
        &Generate {
            categories: 8,
            products: 80,
            users: 40,
            orders: 100,
            vendors: 0,
        },
    )
    .await;
    let logs: Vec<PathBuf> = (0..3)
        .map(|i| w.dir.path().join(format!("serve{i}.log")))
        .collect();
    let mut children: Vec<Child> = logs.iter().map(|l| serve(&w.config_path, l)).collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    children[0].kill().unwrap();
    children[0].wait().unwrap();
    let store = SeaOrmStore::connect(&w.url, sync_queue::QueueConfig::default())
        .await
        .unwrap();
    settle(
        &store,
        &TenantId::new(TENANT).unwrap(),
        Duration::from_secs(120),
    )
    .await;
    for child in &mut children[1..] {
        sigterm(child);
        assert!(child.wait().unwrap().success());
    }
    check(&w, &store).await;
    // The feed was polled by one process at a time: every poll is logged with its start
    // and end (ms); polls of different processes never overlap.
    let field = |line: &str, name: &str| -> Option<i64> {
        let at = line.find(&format!("{name}="))? + name.len() + 1;
        line[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    let mut polls: Vec<(i64, i64, usize)> = Vec::new();
    for (process, log) in logs.iter().enumerate() {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("polled")) {
            if let (Some(a), Some(b)) = (field(line, "started_ms"), field(line, "ended_ms")) {
                polls.push((a, b, process));
            }
        }
    }
    assert!(polls.len() >= 3, "too few polls logged: {}", polls.len());
    polls.sort_unstable();
    for pair in polls.windows(2) {
        let ((_, end, p1), (start, _, p2)) = (pair[0], pair[1]);
        assert!(
            p1 == p2 || start >= end,
            "processes {p1} and {p2} polled at the same time: {pair:?}"
        );
    }
    let pollers: std::collections::BTreeSet<usize> = polls.iter().map(|p| p.2).collect();
    eprintln!("{} polls by processes {pollers:?}", polls.len());
}
