//! The change feed against wiremock: the exact queries it sends, the boundary second, bad
//! entities, held cursors, the delete guards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cscart_api::CscartClient;
use cscart_api::error::CscartError;
use cscart_api::feed::{
    Change, ChangeAction, ChangeCause, ChangeFeed, Deletes, FeedConfig, FeedKind, PollOptions,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn feed(server: &MockServer, config: FeedConfig) -> ChangeFeed {
    let client = CscartClient::builder(server.uri(), "a@example.com", SecretString::from("k"))
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_attempts(2)
        .build()
        .unwrap();
    ChangeFeed::new(client, config)
}

fn config() -> FeedConfig {
    FeedConfig {
        overlap_secs: 60,
        items_per_page: 50,
        ..FeedConfig::default()
    }
}

fn order(id: u32, updated_at: i64, status: &str) -> Value {
    json!({
        "order_id": id.to_string(), "status": status, "total": "10.00",
        "timestamp": "1700000000", "updated_at": updated_at.to_string(),
        "products": {"1": {"item_id": "1", "product_id": "7", "price": "10.00", "amount": "1"}},
        "taxes": []
    })
}

fn list(key: &str, items: impl Into<Vec<Value>>) -> ResponseTemplate {
    let items: Vec<Value> = items.into();
    let n = items.len();
    ResponseTemplate::new(200).set_body_json(json!({
        key: items,
        "params": {"page": 1, "items_per_page": "50", "total_items": n.to_string()}
    }))
}

fn ids(changes: &[Change]) -> Vec<(String, ChangeAction, ChangeCause)> {
    let mut v: Vec<_> = changes
        .iter()
        .map(|c| (c.entity.id.clone(), c.action, c.cause))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[tokio::test]
async fn orders_feed_asks_for_full_orders_changed_since_cursor_minus_overlap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/orders"))
        .and(query_param("updated_at_from", "1700000940"))
        .and(query_param("get_orders_data", "Y"))
        .and(query_param("sort_by", "order_id"))
        .and(query_param("sort_order", "asc"))
        .and(query_param("items_per_page", "50"))
        .respond_with(list("orders", vec![order(5, 1_700_001_000, "P")]))
        .expect(1)
        .mount(&server)
        .await;
    let f = feed(&server, config());
    let start = ChangeFeed::cursor_since(FeedKind::Orders, 1_700_001_000);
    let poll = f.poll(FeedKind::Orders, Some(&start)).await.unwrap();
    assert_eq!(
        ids(&poll.changes),
        vec![("5".into(), ChangeAction::Upsert, ChangeCause::Changed)]
    );
    assert_eq!(poll.deletes, Deletes::NotChecked);
    assert!(poll.cursor_held.is_none());
}

#[tokio::test]
async fn the_boundary_second_neither_loses_nor_repeats() {
    let server = MockServer::start().await;
    let f = feed(&server, config());
    // Poll 1: orders 1 and 2 changed at second T.
    let t = 1_700_000_500;
    let first = Mock::given(path("/api/orders"))
        .respond_with(list("orders", vec![order(1, t, "O"), order(2, t, "O")]))
        .mount_as_scoped(&server)
        .await;
    let p1 = f.poll(FeedKind::Orders, None).await.unwrap();
    assert_eq!(p1.changes.len(), 2);
    drop(first);
    // Poll 2, same second: order 3 arrives at T, order 2 changes again within T.
    let second = Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![order(1, t, "O"), order(2, t, "P"), order(3, t, "O")],
        ))
        .mount_as_scoped(&server)
        .await;
    let p2 = f.poll(FeedKind::Orders, Some(&p1.cursor)).await.unwrap();
    assert_eq!(
        ids(&p2.changes),
        vec![
            ("2".into(), ChangeAction::Upsert, ChangeCause::Changed),
            ("3".into(), ChangeAction::Upsert, ChangeCause::Changed)
        ]
    );
    drop(second);
    // Poll 3: nothing new; a row committed late with an earlier time is still found.
    let _third = Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![
                order(1, t, "O"),
                order(2, t, "P"),
                order(3, t, "O"),
                order(4, t - 2, "O"),
            ],
        ))
        .mount_as_scoped(&server)
        .await;
    let p3 = f.poll(FeedKind::Orders, Some(&p2.cursor)).await.unwrap();
    assert_eq!(
        ids(&p3.changes),
        vec![("4".into(), ChangeAction::Upsert, ChangeCause::Changed)]
    );
    let p4 = f.poll(FeedKind::Orders, Some(&p3.cursor)).await.unwrap();
    assert!(p4.changes.is_empty(), "{:?}", p4.changes);
}

#[tokio::test]
async fn a_bad_order_is_reported_by_id_and_field_and_the_others_go_on() {
    let server = MockServer::start().await;
    let mut bad = order(8, 1_700_000_000, "P");
    bad["products"]["1"]["price"] = json!("abc");
    Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![
                order(7, 1_700_000_000, "P"),
                bad,
                order(9, 1_700_000_001, "C"),
            ],
        ))
        .mount(&server)
        .await;
    let poll = feed(&server, config())
        .poll(FeedKind::Orders, None)
        .await
        .unwrap();
    assert_eq!(
        ids(&poll.changes),
        vec![
            ("7".into(), ChangeAction::Upsert, ChangeCause::Changed),
            ("8".into(), ChangeAction::Upsert, ChangeCause::Unreadable),
            ("9".into(), ChangeAction::Upsert, ChangeCause::Changed),
        ]
    );
    assert_eq!(poll.problems.len(), 1);
    let problem = poll.problems[0].to_string();
    assert!(
        problem.contains("order 8")
            && problem.contains("products.1.price")
            && problem.contains("not a decimal number"),
        "{problem}"
    );
    // The value itself stays out of the text (it could be personal data), but the
    // entity's JSON is in the error for whoever looks.
    assert!(!problem.contains("abc"), "{problem}");
    match &poll.problems[0].error {
        CscartError::Decode { snippet, .. } => assert!(snippet.as_str().contains("abc")),
        other => panic!("{other:?}"),
    }
    assert!(poll.cursor_held.is_none());
}

#[tokio::test]
async fn a_page_that_is_not_json_holds_the_incremental_cursor() {
    let server = MockServer::start().await;
    Mock::given(path("/api/products"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{oops", "application/json"))
        .mount(&server)
        .await;
    let f = feed(&server, config());
    let start = ChangeFeed::cursor_since(FeedKind::Products, 1_700_000_000);
    let poll = f.poll(FeedKind::Products, Some(&start)).await.unwrap();
    assert!(poll.changes.is_empty());
    assert_eq!(poll.cursor, start, "the cursor must not move");
    let held = poll.cursor_held.unwrap();
    assert!(held.contains("page 1"), "{held}");
    assert_eq!(poll.problems.len(), 1);
}

#[tokio::test]
async fn products_feed_stops_reading_past_the_window() {
    let server = MockServer::start().await;
    let product = |id: u32, at: i64| {
        json!({"product_id": id.to_string(), "product": format!("P{id}"), "price": "1.00",
               "updated_timestamp": at.to_string()})
    };
    // Page 1 (newest first) reaches below the window; page 2 must never be asked for.
    Mock::given(path("/api/products"))
        .and(query_param("page", "1"))
        .and(query_param("sort_by", "updated_timestamp"))
        .and(query_param("sort_order", "desc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "products": [product(3, 1_700_000_100), product(2, 1_700_000_050), product(1, 1_600_000_000)],
            "params": {"total_items": "1000"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/products"))
        .and(query_param("page", "2"))
        .respond_with(list("products", vec![]))
        .expect(0)
        .mount(&server)
        .await;
    let mut cfg = config();
    cfg.items_per_page = 3;
    let start = ChangeFeed::cursor_since(FeedKind::Products, 1_700_000_000);
    let poll = feed(&server, cfg)
        .poll(FeedKind::Products, Some(&start))
        .await
        .unwrap();
    assert_eq!(
        ids(&poll.changes),
        vec![
            ("2".into(), ChangeAction::Upsert, ChangeCause::Changed),
            ("3".into(), ChangeAction::Upsert, ChangeCause::Changed)
        ]
    );
}

fn category(id: u32, name: &str) -> Value {
    json!({"category_id": id.to_string(), "category": name, "parent_id": "0", "product_count": "4"})
}

#[tokio::test]
async fn a_scan_confirms_each_delete_by_id() {
    let server = MockServer::start().await;
    let f = feed(&server, config());
    let all = Mock::given(path("/api/categories"))
        .respond_with(list(
            "categories",
            vec![category(1, "A"), category(2, "B"), category(3, "C")],
        ))
        .mount_as_scoped(&server)
        .await;
    let p1 = f.poll(FeedKind::Categories, None).await.unwrap();
    assert_eq!(p1.changes.len(), 3);
    assert!(p1.changes.iter().all(|c| c.cause == ChangeCause::New));
    drop(all);
    // 2 is gone for real (404); 3 only slipped out of the listing (still there by id);
    // 1 was renamed.
    let _list = Mock::given(path("/api/categories"))
        .respond_with(list("categories", vec![category(1, "A2")]))
        .mount_as_scoped(&server)
        .await;
    Mock::given(path("/api/categories/2"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Not Found", "status": 404})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/categories/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(category(3, "C")))
        .mount(&server)
        .await;
    let mut cfg = config();
    cfg.mass_delete_min = 0;
    cfg.mass_delete_fraction = 1.0;
    let p2 = feed(&server, cfg)
        .poll(FeedKind::Categories, Some(&p1.cursor))
        .await
        .unwrap();
    assert_eq!(
        ids(&p2.changes),
        vec![
            ("1".into(), ChangeAction::Upsert, ChangeCause::Content),
            ("2".into(), ChangeAction::Delete, ChangeCause::Deleted),
        ]
    );
    assert_eq!(
        p2.deletes,
        Deletes::Checked {
            vanished: 2,
            confirmed: 1
        }
    );
}

#[tokio::test]
async fn a_scan_that_fails_midway_or_shrinks_suddenly_reports_no_delete() {
    let server = MockServer::start().await;
    let users: Vec<Value> = (1..=40)
        .map(|i| json!({"user_id": i.to_string(), "email": format!("u{i}@example.com"), "user_type": "C"}))
        .collect();
    let full = Mock::given(path("/api/users"))
        .and(query_param("user_type", "C"))
        .respond_with(list("users", users.clone()))
        .mount_as_scoped(&server)
        .await;
    let f = feed(&server, config());
    let p1 = f.poll(FeedKind::Customers, None).await.unwrap();
    assert_eq!(p1.changes.len(), 40);
    drop(full);

    // Page 1 of 2 answers, page 2 fails: an incomplete scan.
    let mut cfg = config();
    cfg.items_per_page = 20;
    let f20 = feed(&server, cfg);
    let page1 = Mock::given(path("/api/users"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": users[..20], "params": {"total_items": "40"}
        })))
        .mount_as_scoped(&server)
        .await;
    let page2 = Mock::given(path("/api/users"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "Internal error"})),
        )
        .mount_as_scoped(&server)
        .await;
    let p2 = f20
        .poll(FeedKind::Customers, Some(&p1.cursor))
        .await
        .unwrap();
    assert!(p2.changes.is_empty(), "{:?}", p2.changes);
    match &p2.deletes {
        Deletes::Withheld { vanished, reason } => {
            assert_eq!(*vanished, 20);
            assert!(reason.contains("page 2"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    drop((page1, page2));

    // A complete scan that suddenly sees 5 of 40: the guard trips.
    let _few = Mock::given(path("/api/users"))
        .respond_with(list("users", users[..5].to_vec()))
        .mount_as_scoped(&server)
        .await;
    let p3 = f.poll(FeedKind::Customers, Some(&p2.cursor)).await.unwrap();
    assert!(p3.changes.is_empty(), "{:?}", p3.changes);
    match &p3.deletes {
        Deletes::Withheld { vanished, reason } => {
            assert_eq!(*vanished, 35);
            assert!(reason.contains("35 of 40"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // The ids are kept: the operator confirms, and the store says they are gone.
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"^/api/users/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": [], "params": {}})))
        .mount(&server)
        .await;
    let p4 = f
        .poll_with(
            FeedKind::Customers,
            Some(&p3.cursor),
            PollOptions {
                allow_mass_delete: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(p4.changes.len(), 35);
    assert!(p4.changes.iter().all(|c| c.action == ChangeAction::Delete));
}

#[tokio::test]
async fn refused_credentials_fail_the_poll() {
    let server = MockServer::start().await;
    Mock::given(path("/api/categories"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", r#"Basic realm="User email/API key""#),
        )
        .mount(&server)
        .await;
    let err = feed(&server, config())
        .poll(FeedKind::Categories, None)
        .await
        .unwrap_err();
    assert!(matches!(err, CscartError::Unauthorized { .. }), "{err}");
}

#[tokio::test]
async fn a_cursor_of_another_feed_is_refused() {
    let server = MockServer::start().await;
    let err = feed(&server, config())
        .poll(
            FeedKind::Orders,
            Some(&ChangeFeed::cursor_since(FeedKind::Products, 5)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another feed"), "{err}");
}

#[tokio::test]
async fn product_scan_tells_stock_moves_from_edits() {
    let server = MockServer::start().await;
    let product = |id: u32, price: &str, amount: &str| {
        json!({"product_id": id.to_string(), "product": "P", "price": price, "amount": amount,
               "tracking": "B", "updated_timestamp": "1700000000"})
    };
    let f = feed(&server, config());
    let before = Mock::given(path("/api/products"))
        .respond_with(list(
            "products",
            vec![product(1, "5.00", "10"), product(2, "5.00", "10")],
        ))
        .mount_as_scoped(&server)
        .await;
    let p1 = f.poll(FeedKind::ProductScan, None).await.unwrap();
    drop(before);
    let _after = Mock::given(path("/api/products"))
        .respond_with(list(
            "products",
            vec![product(1, "5.00", "7"), product(2, "6.00", "10")],
        ))
        .mount_as_scoped(&server)
        .await;
    let p2 = f
        .poll(FeedKind::ProductScan, Some(&p1.cursor))
        .await
        .unwrap();
    assert_eq!(
        ids(&p2.changes),
        vec![
            ("1".into(), ChangeAction::Upsert, ChangeCause::Stock),
            ("2".into(), ChangeAction::Upsert, ChangeCause::Content),
        ]
    );
}

#[tokio::test]
async fn entities_that_cannot_convert_are_reported_and_the_scan_goes_on() {
    let server = MockServer::start().await;
    Mock::given(path("/api/users"))
        .respond_with(list(
            "users",
            vec![
                json!({"user_id": "1", "email": "a@example.com"}),
                json!({"user_id": "2", "email": ""}),
                json!({"user_id": "3", "email": "c@example.com"}),
            ],
        ))
        .mount(&server)
        .await;
    let mut deleted_line = order(11, 1_700_000_000, "P");
    deleted_line["products"]["1"]["deleted_product"] = json!("Y");
    Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![order(10, 1_700_000_000, "P"), deleted_line],
        ))
        .mount(&server)
        .await;
    let f = feed(&server, config());
    let users = f.poll(FeedKind::Customers, None).await.unwrap();
    assert_eq!(users.changes.len(), 3, "every user is still reported");
    assert_eq!(users.problems.len(), 1);
    let p = users.problems[0].to_string();
    assert!(p.contains("customer 2") && p.contains("email"), "{p}");
    assert!(matches!(
        users.problems[0].error,
        CscartError::Convert { .. }
    ));
    let orders = f.poll(FeedKind::Orders, None).await.unwrap();
    assert_eq!(orders.changes.len(), 2);
    assert_eq!(orders.problems.len(), 1);
    let p = orders.problems[0].to_string();
    assert!(
        p.contains("order 11") && p.contains("products.1.product_id"),
        "{p}"
    );
}

#[tokio::test]
async fn a_store_that_ignores_page_does_not_loop_forever() {
    let server = MockServer::start().await;
    // Every page is the same full page, with no total: paging would never end.
    let same = |key: &str, items: Vec<Value>| {
        ResponseTemplate::new(200).set_body_json(json!({ key: items, "params": {} }))
    };
    Mock::given(path("/api/orders"))
        .respond_with(same(
            "orders",
            vec![order(1, 1_700_000_000, "P"), order(2, 1_700_000_000, "P")],
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/categories"))
        .respond_with(same("categories", vec![category(1, "A"), category(2, "B")]))
        .mount(&server)
        .await;
    let mut cfg = config();
    cfg.items_per_page = 2;
    let f = feed(&server, cfg);
    let orders = f.poll(FeedKind::Orders, None).await.unwrap();
    assert_eq!(orders.changes.len(), 2);
    assert!(orders.pages <= 2, "{} pages", orders.pages);
    assert!(
        orders
            .cursor_held
            .as_deref()
            .unwrap_or("")
            .contains("repeated"),
        "{:?}",
        orders.cursor_held
    );
    let cats = f.poll(FeedKind::Categories, None).await.unwrap();
    assert!(cats.pages <= 2, "{} pages", cats.pages);
    assert!(
        matches!(&cats.deletes, Deletes::Withheld { reason, .. } if reason.contains("repeated")),
        "{:?}",
        cats.deletes
    );
}

#[tokio::test]
async fn an_order_delivered_by_a_held_poll_still_gets_its_delete() {
    let server = MockServer::start().await;
    let mut cfg = config();
    cfg.items_per_page = 2;
    let f = feed(&server, cfg.clone());
    // Page 1 delivers orders 5 and 6; page 2 fails: the cursor is held.
    let p1 = Mock::given(path("/api/orders"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "orders": [order(5, 1_700_000_000, "P"), order(6, 1_700_000_000, "P")],
            "params": {"total_items": "3"}
        })))
        .mount_as_scoped(&server)
        .await;
    let p2 = Mock::given(path("/api/orders"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "boom"})))
        .mount_as_scoped(&server)
        .await;
    let held = f.poll(FeedKind::Orders, None).await.unwrap();
    assert_eq!(held.changes.len(), 2);
    assert!(held.cursor_held.is_some());
    drop((p1, p2));
    // Order 5 is deleted before any scan: the scan must still report it.
    let _list = Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![json!({"order_id": "6", "status": "P", "total": "10.00"})],
        ))
        .mount_as_scoped(&server)
        .await;
    Mock::given(path("/api/orders/5"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Not Found", "status": 404})),
        )
        .mount(&server)
        .await;
    let scan = f
        .poll(FeedKind::OrderScan, Some(&held.cursor))
        .await
        .unwrap();
    assert_eq!(
        ids(&scan.changes),
        vec![("5".into(), ChangeAction::Delete, ChangeCause::Deleted)]
    );
}
