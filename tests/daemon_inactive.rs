//! Orders that name an inactive QBO item (fault 610): with `sync.inactive_items =
//! "reactivate"` the item is made active for the order's write and inactive again after;
//! with `"fail"` the order fails naming the item. A name left active by a process that died
//! in between is made inactive again by `Engine::finish_reactivations`, unless another
//! process holds the name's lease.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use cscart_api::stand_in::{NewOrder, NewUser};
use qbo_api::{EntityId, Item};
use qbo_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_daemon::config::InactiveItems;
use sync_daemon::notes::{NoteStore, Reactivation};
use sync_queue::{EntityKind, EntityRef, LeaseName, LeaseStore, LinkStore, StoreId, WorkerId};
use test_db::Backend;

async fn item_of(s: &Setup, product: u64) -> EntityId {
    let link = s
        .daemon
        .store
        .get_link(&EntityRef::new(
            tenant(),
            EntityKind::Product,
            StoreId::new(product.to_string()).unwrap(),
        ))
        .await
        .unwrap()
        .expect("the product is linked");
    EntityId::new(link.qbo_id.as_str())
}

async fn set_active(s: &Setup, id: &EntityId, active: bool) {
    let qbo = s.engine.qbo();
    let current: Item = qbo.read(id).await.unwrap();
    if active {
        let mut up = qbo_api::NameList::deactivation(&current);
        up.active = Some(true);
        qbo.update(&up).send().await.unwrap();
    } else {
        qbo.deactivate(&current).send().await.unwrap();
    }
}

fn is_active(s: &Setup, id: &EntityId) -> bool {
    s.entities("Item")
        .into_iter()
        .find(|i| i["Id"].as_str() == Some(id.as_str()))
        .expect("the item")["Active"]
        .as_bool()
        .unwrap_or(true)
}

/// A small store pushed to QBO; returns a product whose item is then made inactive in QBO.
async fn with_inactive_item(s: &Setup) -> (u64, EntityId) {
    s.enqueue_all().await;
    s.drain().await;
    let product = s.playground.shop.product_ids()[0];
    let item = item_of(s, product).await;
    set_active(s, &item, false).await;
    (product, item)
}

fn order_for(s: &Setup, product: u64) -> u64 {
    let shop = &s.playground.shop;
    let buyer = shop.create_user(NewUser {
        email: "inactive@example.com".to_owned(),
        firstname: "In".to_owned(),
        lastname: "Active".to_owned(),
        ..NewUser::default()
    });
    let order = shop.place_order(NewOrder {
        user_id: buyer,
        lines: vec![(product, 2)],
        status: 'P',
        shipping_cost: Decimal::new(300, 2),
        ..NewOrder::default()
    });
    shop.advance(5);
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_for_an_inactive_item_lands_and_the_item_is_inactive_again() {
    let s = setup(
        Backend::Sqlite,
        SandboxConfig::without_limits(),
        &generate(2, 4, 2, 0),
    )
    .await;
    let (product, item) = with_inactive_item(&s).await;
    let order = order_for(&s, product);
    s.poll().await;
    s.drain().await;
    let errors = s.errors().await;
    assert!(
        errors.is_empty(),
        "{:?}",
        errors.iter().map(|j| &j.last_error).collect::<Vec<_>>()
    );
    let link = s
        .daemon
        .store
        .get_link(&EntityRef::new(
            tenant(),
            EntityKind::Order,
            StoreId::new(order.to_string()).unwrap(),
        ))
        .await
        .unwrap()
        .expect("the order is in QBO");
    let invoice = by_id(s.entities("Invoice"))
        .remove(link.qbo_id.as_str())
        .unwrap();
    assert!(
        invoice
            .to_string()
            .contains(&format!("\"{}\"", item.as_str()))
    );
    assert!(!is_active(&s, &item), "the item stayed active");
    assert!(
        s.daemon
            .notes
            .reactivated(&tenant())
            .await
            .unwrap()
            .is_empty(),
        "a reactivation is still noted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_inactive_items_failing_the_order_fails_naming_the_item() {
    let s = setup_with(
        Backend::Sqlite,
        SandboxConfig::without_limits(),
        &generate(2, 4, 2, 0),
        |config| {
            config
                .tenants
                .get_mut(sync_daemon::playground::TENANT)
                .unwrap()
                .sync
                .inactive_items = InactiveItems::Fail;
        },
    )
    .await;
    let (product, item) = with_inactive_item(&s).await;
    let order = order_for(&s, product);
    s.poll().await;
    s.drain().await;
    let errors = s.errors().await;
    let failed = errors
        .iter()
        .find(|j| {
            j.entity.kind == EntityKind::Order && j.entity.store_id.as_str() == order.to_string()
        })
        .expect("the order is in error");
    let last = failed.last_error.as_ref().unwrap();
    assert_eq!(last.code.as_deref(), Some("610"));
    assert!(
        last.message.contains(item.as_str()) && last.message.contains("inactive_items"),
        "{}",
        last.message
    );
    assert!(!is_active(&s, &item));
}

async fn a_name_left_active_is_made_inactive_again(backend: Backend) {
    let s = setup(
        backend,
        SandboxConfig::without_limits(),
        &generate(2, 4, 2, 0),
    )
    .await;
    let (product, item) = with_inactive_item(&s).await;
    let eref = EntityRef::new(
        tenant(),
        EntityKind::Product,
        StoreId::new(product.to_string()).unwrap(),
    );
    // What a process that died inside an order's write leaves: the note, the item active.
    s.daemon
        .notes
        .set_reactivated(
            &eref,
            Some(&Reactivation {
                entity: "Item".to_owned(),
                qbo_id: item.as_str().to_owned(),
                at: Utc::now() - chrono::TimeDelta::minutes(2),
            }),
        )
        .await
        .unwrap();
    set_active(&s, &item, true).await;
    // Another process is inside its window for the same name: left alone.
    let name = LeaseName::new(format!("name:{}/product/{product}", tenant().as_str())).unwrap();
    let other = WorkerId::new("another-process").unwrap();
    assert!(
        s.daemon
            .store
            .try_acquire(&name, &other, Duration::from_secs(60))
            .await
            .unwrap()
    );
    assert_eq!(s.engine.finish_reactivations().await.unwrap(), 0);
    assert!(is_active(&s, &item));
    s.daemon.store.release_lease(&name, &other).await.unwrap();
    // No one holds it: inactive again, the note gone, and a second sweep has nothing to do.
    assert_eq!(s.engine.finish_reactivations().await.unwrap(), 1);
    assert!(!is_active(&s, &item));
    assert!(
        s.daemon
            .notes
            .reactivated(&tenant())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.engine.finish_reactivations().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_left_active_by_a_dead_process_is_made_inactive_again_on_sqlite() {
    a_name_left_active_is_made_inactive_again(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_left_active_by_a_dead_process_is_made_inactive_again_on_postgres() {
    a_name_left_active_is_made_inactive_again(Backend::Postgres).await;
}
