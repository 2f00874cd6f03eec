//! The change feed against the CS-Cart stand-in over a scripted day of shop activity:
//! creates, edits, status changes, stock moves, deletes, bursts of changes within one
//! second (with a poll in the middle of the second). Every change must be delivered at
//! least once after it happened, every final state must be seen, no poll may name an entity
//! twice, and no delete may be reported for an entity that still exists.
#![cfg(feature = "stand-in")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use cscart_api::CscartClient;
use cscart_api::feed::{ChangeAction, ChangeFeed, Deletes, FeedConfig, FeedKind, FeedPoll};
use cscart_api::stand_in::{
    FaultKind, Faults, Generate, NewOrder, NewProduct, NewUser, StandIn, StandInConfig,
};
use mapping::ids::EntityKind;
use rust_decimal::Decimal;

/// What each kind of entity looks like through the API, by id: a change to this is a
/// change the feed must deliver.
fn views(shop: &StandIn) -> BTreeMap<(EntityKind, u64), String> {
    let mut out = BTreeMap::new();
    for id in shop.product_ids() {
        let p = shop.product(id).unwrap();
        let view = format!(
            "{}|{}|{}|{}|{}|{}|{:?}|{:?}|{}|{:?}|{}",
            p.name,
            p.sku,
            p.price,
            p.list_price,
            p.amount,
            p.status,
            p.tracking,
            p.categories,
            p.company_id,
            p.tax_ids,
            p.updated_timestamp
        );
        out.insert((EntityKind::Product, id), view);
    }
    for id in shop.order_ids() {
        let o = shop.order(id).unwrap();
        // Parents are never listed and hidden `N` orders are not synced.
        if o.is_parent_order || o.status == 'N' {
            continue;
        }
        let view = format!("{}|{}|{}", o.status, o.updated_at, o.total);
        out.insert((EntityKind::Order, id), view);
    }
    for id in shop.user_ids() {
        let u = shop.user(id).unwrap();
        if u.user_type != 'C' {
            continue;
        }
        let view = format!(
            "{}|{}|{}|{}|{}|{}|{}",
            u.status, u.firstname, u.lastname, u.email, u.company, u.company_id, u.phone
        );
        out.insert((EntityKind::Customer, id), view);
    }
    for id in shop.category_ids() {
        let c = shop.category(id).unwrap();
        let view = format!(
            "{}|{}|{}|{}|{}|{}",
            c.name, c.parent_id, c.id_path, c.status, c.position, c.company_id
        );
        out.insert((EntityKind::Category, id), view);
    }
    out
}

/// What the shop looked like at each poll, and what the feed delivered: an entity is owed
/// while its state differs from the state it had when the feed last reported it (or while
/// it is gone and its delete was not reported). A state that came and went between two
/// polls cannot be seen by any poller, so it is not owed.
#[derive(Default)]
struct Ledger {
    last: BTreeMap<(EntityKind, u64), String>,
    delivered: BTreeMap<(EntityKind, u64), String>,
    changes_made: usize,
    changes_delivered: usize,
    polls: usize,
}

impl Ledger {
    /// Looks at the shop (before each poll).
    fn look(&mut self, shop: &StandIn) {
        let now = views(shop);
        self.changes_made += now
            .iter()
            .filter(|(k, v)| self.last.get(*k) != Some(*v))
            .count();
        self.changes_made += self.last.keys().filter(|k| !now.contains_key(*k)).count();
        self.last = now;
    }

    /// What is still owed: entity → the action it needs.
    fn owed(&self) -> BTreeMap<(EntityKind, u64), ChangeAction> {
        let mut owed = BTreeMap::new();
        for (key, view) in &self.last {
            if self.delivered.get(key) != Some(view) {
                owed.insert(*key, ChangeAction::Upsert);
            }
        }
        for key in self.delivered.keys() {
            if !self.last.contains_key(key) {
                owed.insert(*key, ChangeAction::Delete);
            }
        }
        owed
    }

    /// Checks a poll and records what it delivered.
    fn take(&mut self, poll: &FeedPoll) {
        self.polls += 1;
        let mut in_poll = BTreeSet::new();
        for change in &poll.changes {
            assert!(
                in_poll.insert(change.entity.clone()),
                "{} named twice in one poll of {}",
                change.entity,
                poll.feed
            );
            let id: u64 = change.entity.id.parse().unwrap();
            let key = (change.entity.kind, id);
            self.changes_delivered += 1;
            match change.action {
                ChangeAction::Delete => {
                    assert!(
                        !self.last.contains_key(&key),
                        "{} reported deleted but it exists",
                        change.entity
                    );
                    self.delivered.remove(&key);
                }
                ChangeAction::Upsert => {
                    let view = self.last.get(&key).unwrap_or_else(|| {
                        panic!("{} reported changed but it does not exist", change.entity)
                    });
                    self.delivered.insert(key, view.clone());
                }
            }
        }
        for p in &poll.problems {
            assert!(p.entity.is_some(), "a problem without an entity: {p}");
        }
        if let Deletes::Withheld { reason, .. } = &poll.deletes {
            panic!("{} withheld deletes: {reason}", poll.feed);
        }
    }
}

struct Day {
    shop: StandIn,
    feed: ChangeFeed,
    cursors: HashMap<&'static str, String>,
    ledger: Ledger,
    rng: fastrand::Rng,
}

impl Day {
    async fn poll(&mut self, kinds: &[FeedKind]) {
        self.ledger.look(&self.shop);
        for kind in kinds {
            let poll = self
                .feed
                .poll(
                    *kind,
                    self.cursors.get(kind.cursor_name()).map(String::as_str),
                )
                .await
                .unwrap();
            self.ledger.take(&poll);
            assert!(poll.cursor_held.is_none(), "{:?}", poll.cursor_held);
            // Two-phase: the changes are taken, now the cursor is stored.
            self.cursors.insert(kind.cursor_name(), poll.cursor);
        }
    }

    fn pick(&mut self, ids: &[u64]) -> Option<u64> {
        (!ids.is_empty()).then(|| ids[self.rng.usize(..ids.len())])
    }

    fn live_products(&self) -> Vec<u64> {
        self.shop.product_ids()
    }

    fn place_orders(&mut self, n: usize) {
        for _ in 0..n {
            let products = self.live_products();
            let users: Vec<u64> = self
                .shop
                .user_ids()
                .into_iter()
                .filter(|u| self.shop.user(*u).is_some_and(|u| u.user_type == 'C'))
                .collect();
            let lines = (0..self.rng.usize(1..=3))
                .filter_map(|_| self.pick(&products).map(|p| (p, self.rng.i64(1..=3))))
                .collect::<Vec<_>>();
            if lines.is_empty() {
                return;
            }
            let user_id = if self.rng.u8(..4) == 0 {
                0
            } else {
                self.pick(&users).unwrap_or(0)
            };
            let status = ['O', 'P', 'C'][self.rng.usize(..3)];
            self.shop.place_order(NewOrder {
                user_id,
                lines,
                status,
                company_id: 1,
                shipping_cost: Decimal::new(self.rng.i64(0..=1500), 2),
                email: "guest@example.com".to_owned(),
                ..NewOrder::default()
            });
        }
    }

    fn shop_activity(&mut self, step: usize) {
        // Orders come in and move along.
        let n = self.rng.usize(1..=4);
        self.place_orders(n);
        let orders = self.shop.order_ids();
        for _ in 0..self.rng.usize(0..=3) {
            if let Some(id) = self.pick(&orders) {
                let status = ['P', 'C', 'O', 'F', 'I', 'B'][self.rng.usize(..6)];
                self.shop.change_order_status(id, status);
            }
        }
        // The catalogue is edited.
        let products = self.live_products();
        for _ in 0..self.rng.usize(0..=3) {
            if let Some(id) = self.pick(&products) {
                let cents = self.rng.i64(100..=20_000);
                self.shop
                    .update_product(id, |p| p.price = Decimal::new(cents, 2));
            }
        }
        if step.is_multiple_of(3) {
            // A restock: stock only, no updated_timestamp.
            if let Some(id) = self.pick(&products) {
                let amount = self.rng.i64(0..=500);
                self.shop.set_stock(id, amount);
            }
            let categories = self.shop.category_ids();
            let cat = self.pick(&categories);
            self.shop.create_product(NewProduct {
                name: format!("New product {step}"),
                sku: format!("NEW-{step}"),
                price: Decimal::new(self.rng.i64(100..=9_999), 2),
                amount: 20,
                tracking: Some('B'),
                categories: cat.into_iter().collect(),
                company_id: 1,
                tax_ids: vec![6],
            });
        }
        if step % 5 == 2 {
            if let Some(id) = self.pick(&products) {
                self.shop.delete_product(id);
            }
            if let Some(id) = self.pick(&orders) {
                self.shop.delete_order(id);
            }
        }
        // Customers sign up, edit their profile, leave.
        if step % 4 == 1 {
            self.shop.create_user(NewUser {
                email: format!("new{step}@example.com"),
                firstname: "New".to_owned(),
                lastname: format!("Customer {step}"),
                ..NewUser::default()
            });
            let users = self.shop.user_ids();
            if let Some(id) = self.pick(&users) {
                self.shop
                    .update_user(id, |u| u.phone = format!("+1 555 01{step:02}"));
            }
        }
        if step % 7 == 3 {
            let users: Vec<u64> = self
                .shop
                .user_ids()
                .into_iter()
                .filter(|u| self.shop.user(*u).is_some_and(|u| u.user_type == 'C'))
                .collect();
            if let Some(id) = self.pick(&users) {
                self.shop.delete_user(id);
            }
        }
        // Categories are renamed, added, removed.
        if step % 6 == 4 {
            let categories = self.shop.category_ids();
            if let Some(id) = self.pick(&categories) {
                self.shop.update_category(id, &format!("Renamed {step}"));
            }
            let parent = self.pick(&categories);
            self.shop.create_category(&format!("Added {step}"), parent);
        }
        if step % 11 == 5 {
            let categories = self.shop.category_ids();
            if let Some(id) = self.pick(&categories) {
                self.shop.delete_category(id);
            }
        }
    }
}

async fn start_day(seed: u64) -> Day {
    let shop = StandIn::start(StandInConfig {
        seed,
        ..StandInConfig::default()
    })
    .await
    .unwrap();
    shop.generate(&Generate {
        categories: 12,
        products: 60,
        users: 25,
        orders: 40,
        vendors: 0,
    });
    let client = CscartClient::builder(shop.base_url(), shop.email(), shop.api_key())
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .build()
        .unwrap();
    let feed = ChangeFeed::new(
        client,
        FeedConfig {
            overlap_secs: 120,
            // Small pages, so that every list is read over several pages.
            items_per_page: 7,
            // The script deletes a few at a time, never a mass.
            mass_delete_min: 3,
            ..FeedConfig::default()
        },
    );
    Day {
        shop,
        feed,
        cursors: HashMap::new(),
        ledger: Ledger::default(),
        rng: fastrand::Rng::with_seed(seed),
    }
}

const INCREMENTAL: [FeedKind; 2] = [FeedKind::Orders, FeedKind::Products];

#[tokio::test]
async fn a_scripted_day_delivers_every_change_and_every_final_state() {
    let mut day = start_day(7).await;
    // The first polls report the whole store (the initial export).
    day.poll(&FeedKind::ALL).await;
    assert!(day.ledger.owed().is_empty(), "{:?}", day.ledger.owed());

    for step in 0..48 {
        day.shop_activity(step);
        if step % 8 == 7 {
            // A burst within one second, with polls in the middle of the second.
            let frozen = day.shop.now();
            for _ in 0..3 {
                day.place_orders(2);
                let orders = day.shop.order_ids();
                for _ in 0..4 {
                    if let Some(id) = day.pick(&orders) {
                        day.shop.change_order_status(id, 'C');
                        day.shop.change_order_status(id, 'P');
                    }
                }
                let products = day.live_products();
                if let Some(id) = day.pick(&products) {
                    day.shop.update_product(id, |p| p.name.push('!'));
                }
                day.poll(&INCREMENTAL).await;
                assert_eq!(day.shop.now(), frozen, "the burst stays in one second");
            }
        }
        // Half an hour, sometimes only a second.
        day.shop.advance(if step % 5 == 0 { 1 } else { 1_800 });
        day.poll(&INCREMENTAL).await;
        if step % 3 == 2 {
            day.poll(&FeedKind::ALL[2..]).await;
        }
    }
    // The end of the day: everything is delivered by one more round of every feed.
    day.shop.advance(600);
    day.poll(&FeedKind::ALL).await;
    let owed = day.ledger.owed();
    assert!(owed.is_empty(), "changes never delivered: {owed:?}");
    // A quiet store: nothing more is reported, by any feed.
    for kind in FeedKind::ALL {
        let poll = day
            .feed
            .poll(
                kind,
                day.cursors.get(kind.cursor_name()).map(String::as_str),
            )
            .await
            .unwrap();
        assert!(
            poll.changes.is_empty(),
            "{kind} repeats on a quiet store: {:?}",
            poll.changes
        );
    }
    eprintln!(
        "scripted day: {} entity changes made, {} delivered over {} polls",
        day.ledger.changes_made, day.ledger.changes_delivered, day.ledger.polls
    );
    assert!(day.ledger.changes_made > 300, "{}", day.ledger.changes_made);
}

#[tokio::test]
async fn a_scan_cut_off_midway_emits_no_delete_and_catches_up_after() {
    let mut day = start_day(11).await;
    day.poll(&FeedKind::ALL).await;
    let victims: Vec<u64> = day.shop.product_ids().into_iter().take(3).collect();
    for id in &victims {
        day.shop.delete_product(*id);
    }
    day.ledger.look(&day.shop);
    // Page 3 of the product list fails every time (the client's retries included).
    for fault in [FaultKind::Status500, FaultKind::NotJson, FaultKind::Html] {
        day.shop.set_faults(Faults {
            fail_page: Some(("products".to_owned(), 3, fault.clone())),
            ..Faults::default()
        });
        let cursor = day.cursors[FeedKind::ProductScan.cursor_name()].clone();
        let poll = day
            .feed
            .poll(FeedKind::ProductScan, Some(&cursor))
            .await
            .unwrap();
        assert!(
            poll.changes
                .iter()
                .all(|c| c.action != ChangeAction::Delete),
            "{:?}",
            poll.changes
        );
        match &poll.deletes {
            Deletes::Withheld { reason, vanished } => {
                assert!(reason.contains("page 3"), "{reason}");
                assert!(*vanished >= 3, "{vanished}");
            }
            other => panic!("{fault:?}: {other:?}"),
        }
        day.cursors
            .insert(FeedKind::ProductScan.cursor_name(), poll.cursor);
    }
    // A narrowed API user (the list shows 5 products): the guard trips.
    day.shop.set_faults(Faults {
        visible_limit: Some(("products".to_owned(), 5)),
        ..Faults::default()
    });
    let cursor = day.cursors[FeedKind::ProductScan.cursor_name()].clone();
    let poll = day
        .feed
        .poll(FeedKind::ProductScan, Some(&cursor))
        .await
        .unwrap();
    assert!(poll.changes.is_empty(), "{:?}", poll.changes);
    assert!(
        matches!(&poll.deletes, Deletes::Withheld { reason, .. } if reason.contains("vanished at once")),
        "{:?}",
        poll.deletes
    );
    day.cursors
        .insert(FeedKind::ProductScan.cursor_name(), poll.cursor);
    // Healed: the next scan reports exactly the three deletes.
    day.shop.set_faults(Faults::default());
    day.poll(&[FeedKind::ProductScan]).await;
    assert!(day.ledger.owed().is_empty(), "{:?}", day.ledger.owed());
}

/// Every order the stand-in generates, read back through the client and converted, passes
/// the `mapping` crate's total rule (lines, shipping, discounts and taxes add up to the
/// order total to the cent) and maps to a QBO document.
#[tokio::test]
async fn converted_orders_pass_the_mapping_total_rule() {
    use mapping::{Link, Links, MappingConfig, Transform};
    let day = start_day(3).await;
    let client = day.feed.client();
    let statuses = client.statuses().await.unwrap();
    let paid = cscart_api::model::paid_statuses(&statuses);
    let mut config = MappingConfig::new("79", "USD");
    config.guests.mode = mapping::config::GuestMode::Shared;
    config.accounts.cogs = Some("80".into());
    config.accounts.inventory_asset = Some("81".into());
    config.validate().unwrap();
    let mut checked = 0;
    for id in day.shop.order_ids() {
        let o = day.shop.order(id).unwrap();
        if o.is_parent_order || o.lines.is_empty() {
            continue;
        }
        let order = client
            .order(&cscart_api::ids::OrderId::new(id.to_string()))
            .await
            .unwrap();
        let model = match cscart_api::convert::order(
            &order,
            &cscart_api::convert::OrderSettings {
                paid_statuses: paid.clone(),
                currency: "USD".to_owned(),
                multi_vendor: false,
            },
        ) {
            Ok(m) => m,
            // A line for a product deleted since: a conversion error, by design.
            Err(e) if e.to_string().contains("deleted") => continue,
            Err(e) => panic!("order {id}: {e}"),
        };
        let mut links = Links::new();
        for (n, dep) in model.dependencies(&config).into_iter().enumerate() {
            links.insert(dep, Link::new(format!("{}", 1000 + n), None));
        }
        if let Some(method) = &model.payment.as_ref().map(|p| p.method.clone()) {
            config
                .payment_methods
                .entry(method.clone())
                .or_insert_with(|| "1".into());
        }
        model
            .map(&config, &links)
            .unwrap_or_else(|e| panic!("order {id} does not map: {e}\n{model:#?}"));
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} orders checked");
}
