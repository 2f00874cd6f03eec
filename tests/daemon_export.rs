//! The daemon's engine exports a generated CS-Cart store into qbo-sandbox: every store
//! entity lands exactly once, with the store's totals; a second pass makes no QBO call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use common::*;
use qbo_sandbox::SandboxConfig;
use sync_queue::EntityKind;
use test_db::Backend;

async fn export_lands_once(backend: Backend) {
    let s = setup(
        backend,
        SandboxConfig::without_limits(),
        &generate(6, 20, 10, 25),
    )
    .await;
    let queued = s.enqueue_all().await;
    assert!(queued > 50, "only {queued} queued");
    let report = s.drain().await;
    let errors = s.errors().await;
    for e in &errors {
        eprintln!("error: {} {:?}", e.entity, e.last_error);
    }
    eprintln!("{report:?}");
    assert!(errors.is_empty(), "{} jobs in error", errors.len());

    let shop = &s.playground.shop;
    // One QBO customer per store customer (and the shared guest, when guests ordered).
    let customers = s.entities("Customer");
    unique_names(&customers, "DisplayName");
    let user_links = s.links(EntityKind::Customer).await;
    assert_eq!(customers.len(), user_links.len());
    // One item per product and category, plus the shipping item.
    let items = s.entities("Item");
    unique_names(&items, "Name");
    assert_eq!(
        items.len(),
        shop.product_ids().len() + shop.category_ids().len() + 1
    );
    // One document per order in a trigger status, with the store's total.
    let docs = by_id(s.entities("Invoice"));
    let order_links = s.links(EntityKind::Order).await;
    assert_eq!(docs.len(), order_links.len());
    for link in &order_links {
        let order = shop
            .order(link.entity.store_id.as_str().parse().unwrap())
            .unwrap();
        assert!(
            matches!(order.status, 'P' | 'C'),
            "order in status {}",
            order.status
        );
        let doc = &docs[link.qbo_id.as_str()];
        let reader_total = order.total;
        assert_eq!(
            amount(&doc["TotalAmt"]),
            reader_total,
            "order {}",
            order.order_id
        );
    }
    let pushed_orders = shop
        .order_ids()
        .into_iter()
        .filter(|id| matches!(shop.order(*id).unwrap().status, 'P' | 'C'))
        .count();
    assert_eq!(order_links.len(), pushed_orders);

    // A second pass over the whole store: nothing changed, so no QBO write at all.
    let before = s.api_requests();
    s.enqueue_all().await;
    let again = s.drain().await;
    assert_eq!(again.created + again.updated, 0, "{again:?}");
    assert_eq!(
        s.api_requests(),
        before,
        "an unchanged store made QBO calls"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_lands_once_on_sqlite() {
    export_lands_once(Backend::Sqlite).await;
}
