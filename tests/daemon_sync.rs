//! The daemon's engine keeps qbo-sandbox in step with a changing CS-Cart store: a first
//! export of 500 store entities lands exactly once with the store's totals; then updates
//! change QBO, an unchanged entity makes no QBO call, deletes deactivate and void, a manual
//! link is updated and never created, an order moved to a trigger status brings its new
//! customer and product along, and invalid entities end in error with a readable reason
//! while everything else syncs. On SQLite, PostgreSQL and MariaDB.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use common::*;
use cscart_api::stand_in::{NewOrder, NewProduct, NewUser};
use qbo_api::Customer;
use qbo_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use sync_queue::{EntityKind, EntityRef, JobQueue, LinkStore, NewJob, QboId, StoreId};
use test_db::Backend;

fn active(v: &serde_json::Value) -> bool {
    v["Active"].as_bool().unwrap_or(true)
}

async fn qbo_of(s: &Setup, kind: EntityKind, id: u64) -> Option<serde_json::Value> {
    let link = s
        .daemon
        .store
        .get_link(&EntityRef::new(
            tenant(),
            kind,
            StoreId::new(id.to_string()).unwrap(),
        ))
        .await
        .unwrap()?;
    let entity = match kind {
        EntityKind::Customer => "Customer",
        EntityKind::Category | EntityKind::Product => "Item",
        EntityKind::Order => "Invoice",
        EntityKind::Payment => "Payment",
    };
    s.entities(entity)
        .into_iter()
        .find(|e| e["Id"].as_str() == Some(link.qbo_id.as_str()))
}

/// Checks that every store entity is in QBO once, with its totals.
async fn check_exactly_once(s: &Setup) {
    let shop = &s.playground.shop;
    let customers = s.entities("Customer");
    unique_names(&customers, "DisplayName");
    let items = s.entities("Item");
    unique_names(&items, "Name");
    // Every store customer that QBO needed is there once; a customer link per QBO customer.
    assert_eq!(customers.len(), s.links(EntityKind::Customer).await.len());
    let errors = s.errors().await;
    let in_error = |kind: EntityKind| errors.iter().filter(|j| j.entity.kind == kind).count();
    let product_links = s.links(EntityKind::Product).await;
    let category_links = s.links(EntityKind::Category).await;
    // Every live product is in QBO (or in error with its reason); deleted ones stay linked.
    assert!(product_links.len() + in_error(EntityKind::Product) >= shop.product_ids().len());
    assert_eq!(
        items.len(),
        product_links.len() + category_links.len() + 1,
        "one item per product and category, plus shipping"
    );
    let docs = by_id(s.entities("Invoice"));
    let order_links = s.links(EntityKind::Order).await;
    assert_eq!(
        docs.len(),
        order_links.len(),
        "one invoice per pushed order"
    );
    for link in &order_links {
        let Some(order) = shop.order(link.entity.store_id.as_str().parse().unwrap()) else {
            continue;
        };
        let doc = &docs[link.qbo_id.as_str()];
        if doc["PrivateNote"]
            .as_str()
            .is_some_and(|n| n.starts_with("Voided"))
        {
            continue;
        }
        assert_eq!(
            amount(&doc["TotalAmt"]),
            order.total,
            "order {}: QBO total vs store total",
            order.order_id
        );
    }
}

async fn scripted(backend: Backend) {
    // 20 + 200 + 100 + 180 = 500 store entities.
    let s = setup(
        backend,
        SandboxConfig::without_limits(),
        &generate(20, 200, 100, 180),
    )
    .await;
    let shop = &s.playground.shop;
    let queued = s.enqueue_all().await;
    assert_eq!(
        queued,
        shop.category_ids().len()
            + shop.product_ids().len()
            + shop.user_ids().len() - 1 // the administrator is not a customer
            // Incomplete orders (N) are hidden from the list, as in CS-Cart.
            + shop.order_ids().into_iter().filter(|id| shop.order(*id).unwrap().status != 'N').count()
    );
    let report = s.drain().await;
    eprintln!("first export: {report:?}");
    let errors = s.errors().await;
    assert!(
        errors.is_empty(),
        "in error: {:?}",
        errors
            .iter()
            .map(|j| (&j.entity, &j.last_error))
            .collect::<Vec<_>>()
    );
    check_exactly_once(&s).await;
    let pushed = shop
        .order_ids()
        .into_iter()
        .filter(|id| matches!(shop.order(*id).unwrap().status, 'P' | 'C'))
        .count();
    assert_eq!(s.links(EntityKind::Order).await.len(), pushed);

    // Updates change QBO.
    let product = shop.product_ids()[3];
    shop.update_product(product, |p| {
        p.name = "Renamed lamp".to_owned();
        p.price = Decimal::new(4299, 2);
    });
    let user = shop.user_ids().into_iter().find(|u| *u != 1).unwrap();
    shop.update_user(user, |u| u.lastname = "Newname".to_owned());
    shop.advance(5);
    s.poll().await;
    s.drain().await;
    let item = qbo_of(&s, EntityKind::Product, product).await.unwrap();
    assert_eq!(item["Name"], "Renamed lamp");
    assert_eq!(amount(&item["UnitPrice"]), Decimal::new(4299, 2));
    let customer = qbo_of(&s, EntityKind::Customer, user).await.unwrap();
    assert!(
        customer["DisplayName"]
            .as_str()
            .unwrap()
            .contains("Newname"),
        "{customer}"
    );

    // An unchanged entity makes no QBO call.
    let before = s.api_requests();
    s.daemon
        .store
        .enqueue(NewJob::upsert(EntityRef::new(
            tenant(),
            EntityKind::Product,
            StoreId::new(product.to_string()).unwrap(),
        )))
        .await
        .unwrap();
    let report = s.drain().await;
    assert_eq!(report.unchanged, 1, "{report:?}");
    assert_eq!(s.api_requests(), before, "an unchanged product was written");

    // A manual link is updated, never created.
    let qbo = s.engine.qbo();
    let manual = qbo
        .create(&Customer {
            display_name: Some("Hand Made Customer".to_owned()),
            ..Customer::default()
        })
        .send()
        .await
        .unwrap();
    let linked_user = shop.create_user(NewUser {
        email: "manual@example.com".to_owned(),
        firstname: "Manual".to_owned(),
        lastname: "Person".to_owned(),
        ..NewUser::default()
    });
    let user_ref = EntityRef::new(
        tenant(),
        EntityKind::Customer,
        StoreId::new(linked_user.to_string()).unwrap(),
    );
    s.daemon
        .store
        .link_manually(
            &user_ref,
            &QboId::new(manual.id.clone().unwrap().into_inner()).unwrap(),
        )
        .await
        .unwrap();
    let customers_before = s.entities("Customer").len();
    s.daemon
        .store
        .enqueue(NewJob::upsert(user_ref))
        .await
        .unwrap();
    s.drain().await;
    assert_eq!(
        s.entities("Customer").len(),
        customers_before,
        "a manual link created a customer"
    );
    let updated = qbo_of(&s, EntityKind::Customer, linked_user).await.unwrap();
    assert_eq!(
        updated["Id"].as_str(),
        manual.id.as_ref().map(|i| i.as_str())
    );
    assert!(
        updated["DisplayName"].as_str().unwrap().contains("Manual"),
        "{updated}"
    );

    // An order moved to a trigger status brings its new customer and product along.
    let buyer = shop.create_user(NewUser {
        email: "new.buyer@example.com".to_owned(),
        firstname: "New".to_owned(),
        lastname: "Buyer".to_owned(),
        ..NewUser::default()
    });
    let gadget = shop.create_product(NewProduct {
        name: "Brand new gadget".to_owned(),
        sku: "GADGET-1".to_owned(),
        price: Decimal::new(1999, 2),
        amount: 10,
        ..NewProduct::default()
    });
    let order = shop.place_order(NewOrder {
        user_id: buyer,
        lines: vec![(gadget, 2)],
        status: 'O',
        shipping_cost: Decimal::new(500, 2),
        ..NewOrder::default()
    });
    shop.advance(5);
    s.daemon
        .store
        .enqueue(NewJob::upsert(EntityRef::new(
            tenant(),
            EntityKind::Order,
            StoreId::new(order.to_string()).unwrap(),
        )))
        .await
        .unwrap();
    let report = s.drain().await;
    assert!(report.skipped >= 1, "{report:?}");
    assert!(
        qbo_of(&s, EntityKind::Order, order).await.is_none(),
        "an open order was pushed"
    );
    shop.change_order_status(order, 'P');
    shop.advance(5);
    s.daemon
        .store
        .enqueue(NewJob::upsert(EntityRef::new(
            tenant(),
            EntityKind::Order,
            StoreId::new(order.to_string()).unwrap(),
        )))
        .await
        .unwrap();
    s.drain().await;
    let invoice = qbo_of(&s, EntityKind::Order, order)
        .await
        .expect("the paid order is in QBO");
    assert_eq!(
        amount(&invoice["TotalAmt"]),
        shop.order(order).unwrap().total
    );
    assert!(qbo_of(&s, EntityKind::Customer, buyer).await.is_some());
    assert!(qbo_of(&s, EntityKind::Product, gadget).await.is_some());

    // Deletes: a product and a customer are made inactive, an order voided.
    let gone_product = shop.product_ids()[10];
    let gone_user = shop
        .user_ids()
        .into_iter()
        .filter(|u| *u != 1)
        .nth(5)
        .unwrap();
    let gone_order = s.links(EntityKind::Order).await[0]
        .entity
        .store_id
        .as_str()
        .parse::<u64>()
        .unwrap();
    assert!(qbo_of(&s, EntityKind::Customer, gone_user).await.is_some());
    for (kind, id) in [
        (EntityKind::Product, gone_product),
        (EntityKind::Customer, gone_user),
        (EntityKind::Order, gone_order),
    ] {
        s.daemon
            .store
            .enqueue(NewJob::delete(EntityRef::new(
                tenant(),
                kind,
                StoreId::new(id.to_string()).unwrap(),
            )))
            .await
            .unwrap();
    }
    let report = s.drain().await;
    assert_eq!(report.removed, 3, "{report:?}");
    assert!(!active(
        &qbo_of(&s, EntityKind::Product, gone_product).await.unwrap()
    ));
    assert!(!active(
        &qbo_of(&s, EntityKind::Customer, gone_user).await.unwrap()
    ));
    let voided = qbo_of(&s, EntityKind::Order, gone_order).await.unwrap();
    assert_eq!(amount(&voided["TotalAmt"]), Decimal::ZERO, "{voided}");

    // Invalid entities end in error with a readable reason; the rest syncs.
    let no_email = shop.create_user(NewUser {
        email: String::new(),
        firstname: "No".to_owned(),
        lastname: "Mail".to_owned(),
        ..NewUser::default()
    });
    let blank = shop.create_product(NewProduct {
        name: " \t ".to_owned(),
        sku: "BLANK-1".to_owned(),
        price: Decimal::ONE,
        amount: 1,
        ..NewProduct::default()
    });
    let doomed = shop.create_product(NewProduct {
        name: "Soon deleted".to_owned(),
        sku: "DOOMED-1".to_owned(),
        price: Decimal::TEN,
        amount: 5,
        ..NewProduct::default()
    });
    let orphan = shop.place_order(NewOrder {
        user_id: buyer,
        lines: vec![(doomed, 1)],
        status: 'P',
        ..NewOrder::default()
    });
    shop.delete_product(doomed);
    let fine = shop.create_product(NewProduct {
        name: "Perfectly fine".to_owned(),
        sku: "FINE-1".to_owned(),
        price: Decimal::TEN,
        amount: 5,
        ..NewProduct::default()
    });
    for (kind, id) in [
        (EntityKind::Customer, no_email),
        (EntityKind::Product, blank),
        (EntityKind::Order, orphan),
        (EntityKind::Product, fine),
    ] {
        s.daemon
            .store
            .enqueue(NewJob::upsert(EntityRef::new(
                tenant(),
                kind,
                StoreId::new(id.to_string()).unwrap(),
            )))
            .await
            .unwrap();
    }
    s.drain().await;
    let errors = s.errors().await;
    let reason = |kind: EntityKind, id: u64| {
        errors
            .iter()
            .find(|j| j.entity.kind == kind && j.entity.store_id.as_str() == id.to_string())
            .and_then(|j| j.last_error.as_ref())
            .map(|e| e.message.clone())
            .unwrap_or_else(|| panic!("{kind} {id} is not in error"))
    };
    let r = reason(EntityKind::Customer, no_email);
    assert!(r.contains("mail"), "{r}");
    let r = reason(EntityKind::Product, blank);
    assert!(r.contains("name"), "{r}");
    let r = reason(EntityKind::Order, orphan);
    assert!(r.contains("product was deleted"), "{r}");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(qbo_of(&s, EntityKind::Product, fine).await.is_some());
    check_exactly_once(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_sync_on_sqlite() {
    scripted(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_sync_on_postgres() {
    scripted(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_sync_on_mariadb() {
    scripted(Backend::MySql).await;
}
