//! With qbo-sandbox failing in every way it can at once (5xx answers, cut connections,
//! writes applied and then answered with a failure or a cut, rate limits answered with
//! 429, access tokens that live two seconds and refresh tokens that rotate on every
//! refresh), the same export converges: every store entity is in QBO exactly once, with
//! the store's totals, and nothing is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use std::collections::BTreeMap;

use common::*;
use qbo_sandbox::{AfterCommit, SandboxConfig};
use sync_queue::EntityKind;
use test_db::Backend;

fn hostile() -> SandboxConfig {
    let mut config = SandboxConfig::default();
    let s = &mut config.settings;
    s.chaos.error_rate = 0.08;
    s.chaos.drop_rate = 0.04;
    s.chaos.fail_after_commit_rate = 0.08;
    s.chaos.after_commit = AfterCommit::Drop;
    s.limits.enabled = true;
    s.limits.requests_per_window = 60;
    s.limits.window_ms = 1_000;
    s.limits.max_in_flight = 6;
    s.tokens.access_token_secs = 2;
    s.tokens.rotation_window_secs = 0;
    config
}

/// How the daemon writes: as it likes (single calls while QBO's real limits leave
/// requests, which they do for a store this small), or squeezed into batch requests by
/// client limits that leave few single calls, or one call per write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writes {
    Default,
    Batched,
    Single,
}

async fn converges(backend: Backend, writes: Writes) {
    let s = setup_with(backend, hostile(), &generate(6, 40, 25, 45), |config| {
        let tenant = config
            .tenants
            .get_mut(sync_daemon::playground::TENANT)
            .unwrap();
        match writes {
            Writes::Default => {}
            Writes::Batched => {
                // 50 single calls, then batches of up to 30 writes (the reads and
                // queries of the test's recoveries stay well inside the 150 requests).
                tenant.qbo.limits.requests_per_minute = 150;
                tenant.qbo.limits.batches_per_minute = 100;
            }
            Writes::Single => config.worker.batch = false,
        }
    })
    .await;
    // The client keeps QBO's real limits or tighter ones (500 a minute would make this
    // test slow), so the sandbox's (60 a second) answer 429s.
    s.enqueue_all().await;
    let first = s.drain().await;
    let stats = s.engine.writer_stats();
    eprintln!(
        "under faults ({writes:?}): {first:?}; writes {stats:?}; sandbox counters {:?}",
        s.playground.sandbox.counters()
    );
    match writes {
        Writes::Batched => assert!(
            stats.batches > 0 && stats.batched > stats.singles,
            "most writes should have gone in batches: {stats:?}"
        ),
        Writes::Single => assert_eq!(stats.batches, 0),
        Writes::Default => {}
    }
    let errors = s.errors().await;
    assert!(
        errors.is_empty(),
        "in error: {:?}",
        errors
            .iter()
            .map(|j| (&j.entity, &j.last_error))
            .collect::<Vec<_>>()
    );
    let shop = &s.playground.shop;
    // Nothing duplicated.
    let customers = s.entities("Customer");
    unique_names(&customers, "DisplayName");
    let items = s.entities("Item");
    unique_names(&items, "Name");
    let mut per_order: BTreeMap<String, usize> = BTreeMap::new();
    for doc in s
        .entities("Invoice")
        .iter()
        .chain(s.entities("Payment").iter())
    {
        let note = doc["PrivateNote"].as_str().unwrap_or_default();
        let marker = note
            .lines()
            .find(|l| l.starts_with("qbo-sync "))
            .unwrap_or_else(|| panic!("a document without the engine's marker: {doc}"));
        *per_order.entry(marker.to_owned()).or_default() += 1;
    }
    let twice: Vec<_> = per_order.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "documents written twice: {twice:?}");
    // Nothing missing: every product, category and paid order is linked to its QBO entity.
    assert_eq!(
        s.links(EntityKind::Product).await.len(),
        shop.product_ids().len()
    );
    assert_eq!(
        s.links(EntityKind::Category).await.len(),
        shop.category_ids().len()
    );
    assert_eq!(
        items.len(),
        shop.product_ids().len() + shop.category_ids().len() + 1
    );
    let paid: Vec<u64> = shop
        .order_ids()
        .into_iter()
        .filter(|id| matches!(shop.order(*id).unwrap().status, 'P' | 'C'))
        .collect();
    let order_links = s.links(EntityKind::Order).await;
    assert_eq!(order_links.len(), paid.len());
    let docs = by_id(s.entities("Invoice"));
    assert_eq!(docs.len(), paid.len());
    for link in &order_links {
        let order = shop
            .order(link.entity.store_id.as_str().parse().unwrap())
            .unwrap();
        assert_eq!(amount(&docs[link.qbo_id.as_str()]["TotalAmt"]), order.total);
    }
    assert_eq!(customers.len(), s.links(EntityKind::Customer).await.len());
    let counters = s.playground.sandbox.counters();
    eprintln!("{counters:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_under_every_fault_converges_on_sqlite() {
    converges(Backend::Sqlite, Writes::Default).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_under_every_fault_converges_on_postgres() {
    converges(Backend::Postgres, Writes::Default).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_in_batch_requests_under_every_fault_converges_on_sqlite() {
    converges(Backend::Sqlite, Writes::Batched).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_in_batch_requests_under_every_fault_converges_on_postgres() {
    converges(Backend::Postgres, Writes::Batched).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_with_one_call_per_write_under_every_fault_converges_on_sqlite() {
    converges(Backend::Sqlite, Writes::Single).await;
}
