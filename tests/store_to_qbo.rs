//! The pieces fit: a CS-Cart store (the stand-in) read through the change feed and the
//! store reader, mapped by `mapping`, written by `qbo-api` into `qbo-sandbox`. A small
//! engine in the test links dependencies first (categories parents first, customers and
//! guests, products, then orders) and keeps the links.
//!
//! What is checked comes from the two ends, never from the engine's own counters: the store
//! (the stand-in's data) says how many customers, products, categories and orders there
//! are, the sandbox holds what QBO has. Every store order is synced or skipped for a stated
//! reason; every QBO document totals what the store charged; a second pass over the whole
//! store creates nothing (the sandbox's create counter does not move).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use cscart_api::CscartClient;
use cscart_api::feed::{ChangeAction, ChangeFeed, FeedConfig, FeedKind};
use cscart_api::ids::{CategoryId, CustomerId, OrderId, ProductId};
use cscart_api::reader::{ReaderSettings, StoreReader};
use cscart_api::stand_in::{Generate, StandIn, StandInConfig};
use mapping::config::{ClashPolicy, GuestMode, ShippingConfig};
use mapping::model as m;
use mapping::{
    Link, Links, MappingConfig, OrderDocument, StoreRef, Transform, map_guest, map_payment,
};
use qbo_api::query::Query;
use qbo_api::{
    Account, Environment, Item, ItemType, PaymentMethod, QboClient, RealmId, ReferenceType,
    StaticToken,
};
use qbo_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use secrecy::ExposeSecret;

/// Why an order was not synced: the only reasons the test accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    /// QBO refuses a transaction naming an inactive item (610): an order for a product
    /// disabled in the store since. The daemon must decide what to do (reactivate, or fail
    /// with this reason).
    InactiveItem,
    /// An incomplete checkout (status `N`): CS-Cart lists it only when asked to, and it is
    /// no sale.
    Incomplete,
}

struct Engine {
    reader: StoreReader,
    qbo: QboClient,
    config: MappingConfig,
    links: Links,
    renamed: usize,
}

impl Engine {
    /// Maps and creates a named entity; on a duplicate name (6240) it is renamed with the
    /// clash suffix (`names.on_clash = rename`) and tried again, at most three times.
    async fn create_named<S, E>(&mut self, store: &S, what: &'static str)
    where
        S: Transform<Output = mapping::Mapped<E>>,
        E: qbo_api::Entity,
    {
        let target = store.store_ref();
        for attempt in 1..=3 {
            let mapped = store.map(&self.config, &self.links).unwrap();
            match self.qbo.create(&mapped.entity).await {
                Ok(created) => {
                    let id = created.id().cloned();
                    self.link(target, id.as_ref(), what);
                    return;
                }
                Err(qbo_api::QboError::DuplicateName { .. }) => {
                    self.renamed += 1;
                    self.links.set_rename(target.clone(), attempt);
                }
                Err(e) => panic!("{what} {target:?}: {e}"),
            }
        }
        panic!("{what} {target:?}: still a duplicate name after 3 renames");
    }

    fn link(&mut self, target: StoreRef, id: Option<&qbo_api::EntityId>, what: &'static str) {
        let id = id.unwrap_or_else(|| panic!("{what} created without an Id"));
        self.links.insert(target, Link::new(id.clone(), None));
    }

    async fn category(&mut self, id: &CategoryId) {
        let target = StoreRef::Category(id.clone());
        if self.links.get(&target).is_some() {
            return;
        }
        let category: m::Category = self.reader.category(id).await.unwrap().unwrap();
        for dep in category.dependencies(&self.config) {
            if let StoreRef::Category(parent) = dep {
                Box::pin(self.category(&parent)).await;
            }
        }
        self.create_named(&category, "category").await;
    }

    async fn product(&mut self, id: &ProductId) {
        let target = StoreRef::Product(id.clone());
        if self.links.get(&target).is_some() {
            return;
        }
        let product = self.reader.product(id).await.unwrap().unwrap();
        for dep in product.dependencies(&self.config) {
            if let StoreRef::Category(c) = dep {
                self.category(&c).await;
            }
        }
        self.create_named(&product, "product").await;
    }

    async fn customer(&mut self, id: &CustomerId) {
        let target = StoreRef::Customer(id.clone());
        if self.links.get(&target).is_some() {
            return;
        }
        let customer = self.reader.customer(id).await.unwrap().unwrap();
        self.create_named(&customer, "customer").await;
    }

    /// Syncs an order and everything it needs: `Ok(true)` when it was created now,
    /// `Ok(false)` when it was already linked, or the stated reason it was skipped. An
    /// order the store listed but no longer has is a failure: a skip without a reason.
    async fn order(&mut self, id: &OrderId) -> Result<bool, Skip> {
        let order = self
            .reader
            .order(id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("order {id} listed by the feed but not readable"));
        if self.links.get(&order.store_ref()).is_some() {
            return Ok(false);
        }
        for dep in order.dependencies(&self.config) {
            match dep {
                StoreRef::Customer(c) => self.customer(&c).await,
                StoreRef::Product(p) => self.product(&p).await,
                target @ StoreRef::Guest(_) => {
                    if self.links.get(&target).is_none() {
                        let guest = map_guest(&order, &self.config, &self.links)
                            .unwrap()
                            .unwrap();
                        let created = self.qbo.create(&guest.entity).await.unwrap();
                        self.link(target, created.id.as_ref(), "guest");
                    }
                }
                other => panic!("unexpected dependency {other:?}"),
            }
        }
        let mapped = order
            .map(&self.config, &self.links)
            .unwrap_or_else(|e| panic!("order {id} does not map: {e}"));
        let created = match &mapped.document {
            OrderDocument::Invoice(invoice) => self
                .qbo
                .create(invoice)
                .await
                .map(|c| (c.id, c.total_amt, "invoice")),
            OrderDocument::SalesReceipt(receipt) => self
                .qbo
                .create(receipt)
                .await
                .map(|c| (c.id, c.total_amt, "sales receipt")),
        };
        let (qbo_id, total, what) = match created {
            Ok(c) => c,
            Err(qbo_api::QboError::NotFound { error: Some(e), .. })
                if e.code == "610"
                    && e.element.as_deref() == Some("Line.SalesItemLineDetail.ItemRef") =>
            {
                let mut disabled = false;
                for line in &order.lines {
                    let p = self.reader.product(&line.product).await.unwrap().unwrap();
                    disabled |= !p.active;
                }
                assert!(
                    disabled,
                    "order {id} refused for an inactive item it does not have"
                );
                return Err(Skip::InactiveItem);
            }
            Err(e) => panic!("order {id}: {e}"),
        };
        assert_eq!(
            total,
            Some(order.total),
            "order {id}: the {what} QBO created totals what the store charged"
        );
        self.link(order.store_ref(), qbo_id.as_ref(), what);
        if let Some(payment) = map_payment(&order, &self.config, &self.links).unwrap() {
            let created = self.qbo.create(&payment.entity).await.unwrap();
            self.link(
                StoreRef::Payment(order.id.clone()),
                created.id.as_ref(),
                "payment",
            );
        }
        Ok(true)
    }

    /// One pass over the whole store, as the feeds report it from scratch: categories,
    /// products, customers, then orders. Returns the orders created and those skipped.
    async fn pass(&mut self, feed: &ChangeFeed) -> (usize, BTreeMap<String, Skip>) {
        for kind in [
            FeedKind::Categories,
            FeedKind::ProductScan,
            FeedKind::Customers,
        ] {
            let poll = feed.poll(kind, None).await.unwrap();
            assert!(poll.problems.is_empty(), "{kind:?}: {:?}", poll.problems);
            for change in &poll.changes {
                assert_eq!(change.action, ChangeAction::Upsert);
                let id = change.entity.id.as_str();
                match kind {
                    FeedKind::Categories => self.category(&CategoryId::new(id)).await,
                    FeedKind::ProductScan => self.product(&ProductId::new(id)).await,
                    _ => self.customer(&CustomerId::new(id)).await,
                }
            }
        }
        let poll = feed.poll(FeedKind::Orders, None).await.unwrap();
        assert!(poll.problems.is_empty(), "orders: {:?}", poll.problems);
        let mut created = 0;
        let mut skipped = BTreeMap::new();
        for change in &poll.changes {
            assert_eq!(change.action, ChangeAction::Upsert);
            let id = OrderId::new(change.entity.id.as_str());
            match self.order(&id).await {
                Ok(true) => created += 1,
                Ok(false) => {}
                Err(reason) => {
                    skipped.insert(id.to_string(), reason);
                }
            }
        }
        (created, skipped)
    }
}

async fn account_id(qbo: &QboClient, name: &str) -> String {
    let page = qbo
        .query(&Query::<Account>::new().eq("Name", name))
        .await
        .unwrap();
    page.items[0].id.clone().unwrap().as_str().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_store_lands_in_qbo_once_with_exact_totals() {
    let shop = StandIn::start(StandInConfig::default()).await.unwrap();
    shop.generate(&Generate {
        categories: 8,
        products: 30,
        users: 15,
        orders: 40,
        vendors: 0,
    });
    let sandbox = Sandbox::start(SandboxConfig::without_limits())
        .await
        .unwrap();
    let realm = sandbox.realm_id();
    let token = sandbox.issue_tokens(&realm).unwrap().access_token;
    let qbo = QboClient::builder(Arc::new(StaticToken::new(
        token.expose_secret().to_owned().into(),
    )))
    .environment(Environment::parse(&sandbox.base_url()).unwrap())
    .realm(RealmId::new(&realm).unwrap())
    .build()
    .unwrap();

    let mut config = MappingConfig::new(account_id(&qbo, "Sales of Product Income").await, "USD");
    config.accounts.cogs = Some(account_id(&qbo, "Cost of Goods Sold").await.into());
    config.accounts.inventory_asset = Some(account_id(&qbo, "Inventory Asset").await.into());
    config.accounts.deposit = Some(account_id(&qbo, "Undeposited Funds").await.into());
    config.guests.mode = GuestMode::Shared;
    config.names.on_clash = ClashPolicy::Rename;
    // A fresh company does not allow QBO's own shipping line: shipping is a service item,
    // as an operator would set it up.
    let shipping = qbo
        .create(&Item {
            name: Some("Shipping".to_owned()),
            item_type: Some(ItemType::Service),
            income_account_ref: Some(ReferenceType::new(
                account_id(&qbo, "Shipping Income").await,
            )),
            ..Item::default()
        })
        .await
        .unwrap();
    // The stand-in's payment methods (1 check, 2 card, 3 PayPal) as the operator maps them.
    for (store, qbo_name) in [("1", "Check"), ("2", "Visa"), ("3", "Cash")] {
        let page = qbo
            .query(&Query::<PaymentMethod>::new().eq("Name", qbo_name))
            .await
            .unwrap();
        config.payment_methods.insert(
            mapping::ids::PaymentMethodId::new(store),
            page.items[0].id.clone().unwrap(),
        );
    }
    config.shipping = ShippingConfig::Item {
        item: shipping.id.unwrap(),
    };
    config.validate().unwrap();

    let client = CscartClient::builder(shop.base_url(), shop.email(), shop.api_key())
        .build()
        .unwrap();
    let feed = ChangeFeed::new(client.clone(), FeedConfig::default());
    let mut engine = Engine {
        reader: StoreReader::new(
            client,
            ReaderSettings {
                currency: "USD".to_owned(),
                track_by_default: true,
                multi_vendor: false,
                paid_statuses: None,
            },
        ),
        qbo,
        config,
        links: Links::new(),
        renamed: 0,
    };

    // The initial export: the whole store.
    let (synced, mut skipped) = engine.pass(&feed).await;
    eprintln!(
        "{synced} orders synced, skipped {skipped:?}, {} names renamed",
        engine.renamed
    );

    // The store, from the stand-in's own data.
    let customers = shop
        .user_ids()
        .into_iter()
        .filter(|id| shop.user(*id).is_some_and(|u| u.user_type == 'C'))
        .count();
    let products = shop.product_ids().len();
    let categories = shop.category_ids().len();
    let orders: Vec<u64> = shop.order_ids();
    let guest_orders = orders
        .iter()
        .filter(|id| shop.order(**id).is_some_and(|o| o.user_id == 0))
        .count();
    assert!(
        customers > 0 && products > 0 && categories > 0 && guest_orders > 0,
        "the generated store has every kind: {customers} customers, {products} products, \
         {categories} categories, {guest_orders} guest orders"
    );

    // Every store order is in QBO, or skipped for a stated reason.
    let first_pass_skips = skipped.clone();
    for id in &orders {
        let target = StoreRef::Order(OrderId::new(id.to_string()));
        if engine.links.get(&target).is_some() || skipped.contains_key(&id.to_string()) {
            continue;
        }
        let status = shop.order(*id).map(|o| o.status);
        assert_eq!(
            status,
            Some('N'),
            "order {id} is neither in QBO nor skipped for a reason"
        );
        skipped.insert(id.to_string(), Skip::Incomplete);
    }
    assert_eq!(
        synced + skipped.len(),
        orders.len(),
        "every order seen once"
    );
    assert!(
        synced * 2 >= orders.len(),
        "only {synced} of {} orders synced: {skipped:?}",
        orders.len()
    );

    // QBO holds one entity per store entity.
    let count = |entity: &str| sandbox.entities(&realm, entity).unwrap().len();
    // A fresh company has no customers: one per store customer, plus the shared guest.
    assert_eq!(
        count("Customer"),
        customers + 1,
        "store customers and the guest"
    );
    assert_eq!(
        count("Item"),
        products + categories + 1,
        "every store product and category once, plus the shipping item"
    );
    assert_eq!(
        count("Invoice") + count("SalesReceipt"),
        orders.len() - skipped.len(),
        "one document per store order not skipped"
    );
    // Every QBO document totals what the store charged for its order.
    for doc in ["Invoice", "SalesReceipt"] {
        for entity in sandbox.entities(&realm, doc).unwrap() {
            let qbo_id = entity["Id"].as_str().unwrap().to_owned();
            let order_id = engine
                .links
                .iter()
                .find_map(|(r, l)| match r {
                    StoreRef::Order(o) if l.id.as_str() == qbo_id => Some(o.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{doc} {qbo_id} is no store order's"));
            let store_total = shop.order(order_id.parse().unwrap()).unwrap().total;
            let total: Decimal = entity["TotalAmt"].to_string().parse().unwrap();
            assert_eq!(
                total, store_total,
                "{doc} {qbo_id} vs store order {order_id}"
            );
        }
    }

    // A second pass over the whole store creates nothing.
    let before = sandbox.counters();
    let (again, skipped_again) = engine.pass(&feed).await;
    let after = sandbox.counters();
    assert_eq!(again, 0, "the second pass created orders");
    assert_eq!(
        skipped_again, first_pass_skips,
        "the same orders skipped for the same reasons"
    );
    assert_eq!(
        after.creates,
        before.creates,
        "the second pass made {} creates",
        after.creates - before.creates
    );
    assert_eq!(count("Customer"), customers + 1);
    assert_eq!(count("Item"), products + categories + 1);
}
