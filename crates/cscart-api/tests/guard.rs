//! Hostile or confused answers: personal data never reaches a log line or an error text;
//! an answer about another entity than the one asked for is an error, never its data and
//! never a confirmed delete; retry backoff never overflows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cscart_api::CscartClient;
use cscart_api::error::CscartError;
use cscart_api::feed::{ChangeAction, ChangeFeed, Deletes, FeedConfig, FeedKind};
use cscart_api::ids::{CustomerId, OrderId, ProductId};
use cscart_api::reader::{ReaderSettings, StoreReader};
use secrecy::SecretString;
use serde_json::{Value, json};
use tracing_subscriber::util::SubscriberInitExt as _;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(server: &MockServer) -> CscartClient {
    CscartClient::builder(server.uri(), "a@example.com", SecretString::from("k"))
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_attempts(2)
        .build()
        .unwrap()
}

fn list(key: &str, items: Vec<Value>) -> ResponseTemplate {
    let n = items.len();
    ResponseTemplate::new(200).set_body_json(json!({
        key: items,
        "params": {"page": 1, "items_per_page": "50", "total_items": n.to_string()}
    }))
}

/// Personal data of the test's customers: none of it may be logged or put in an error text.
const PERSONAL: &[&str] = &[
    "jane.doe@example.com",
    "Jane",
    "Doe",
    "555-0199",
    "12 Elm Street",
    "Springfield",
    "john.roe@example.com",
    "Roe",
    "555-0142",
    "7 Oak Lane",
];

#[tokio::test(flavor = "current_thread")]
async fn decode_errors_log_entity_id_and_path_but_no_personal_data() {
    let capture = Capture::default();
    let writer = capture.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();
    let server = MockServer::start().await;
    // A customer whose creation time holds her e-mail (a mistyped value is quoted by the
    // decoder), and an order whose total is mistyped beside the buyer's details.
    Mock::given(path("/api/users"))
        .respond_with(list(
            "users",
            vec![
                json!({"user_id": "5", "email": "jane.doe@example.com", "firstname": "Jane",
                "lastname": "Doe", "phone": "555-0199", "user_type": "C",
                "timestamp": "jane.doe@example.com"}),
            ],
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/orders"))
        .respond_with(list(
            "orders",
            vec![
                json!({"order_id": "9", "email": "john.roe@example.com", "firstname": "John",
                "lastname": "Roe", "b_phone": "555-0142", "b_address": "7 Oak Lane",
                "b_city": "Springfield", "s_address": "12 Elm Street",
                "total": "Roe 555-0142", "timestamp": "1700000000", "updated_at": "1700000000",
                "products": {}, "taxes": []}),
            ],
        ))
        .mount(&server)
        .await;
    let feed = ChangeFeed::new(client(&server), FeedConfig::default());
    let users = feed.poll(FeedKind::Customers, None).await.unwrap();
    let orders = feed.poll(FeedKind::Orders, None).await.unwrap();
    let problems: Vec<_> = users.problems.iter().chain(&orders.problems).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let user_problem = problems[0].to_string();
    assert!(
        user_problem.contains("customer 5") && user_problem.contains("timestamp"),
        "entity, id and field are named: {user_problem}"
    );
    let order_problem = problems[1].to_string();
    assert!(
        order_problem.contains("order 9") && order_problem.contains("total"),
        "entity, id and field are named: {order_problem}"
    );
    // The operator can still see the store's own data from the error value.
    match &problems[0].error {
        CscartError::Decode { snippet, .. } => {
            assert!(snippet.as_str().contains("jane.doe@example.com"));
        }
        other => panic!("{other:?}"),
    }
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("cannot be read"), "the capture works: {logs}");
    let mut texts = vec![logs];
    for p in &problems {
        texts.push(p.to_string());
        texts.push(format!("{p:?}"));
        texts.push(p.error.to_string());
        texts.push(format!("{:?}", p.error));
    }
    for text in &texts {
        for personal in PERSONAL {
            assert!(!text.contains(personal), "{personal:?} in: {text}");
        }
    }
}

fn user(id: &str, email: &str) -> Value {
    json!({"user_id": id, "email": email, "firstname": "X", "user_type": "C", "status": "A"})
}

#[tokio::test]
async fn a_user_answer_about_someone_else_is_an_error() {
    for answer in [
        json!({"users": [user("6", "john.roe@example.com")], "params": {}}),
        user("6", "john.roe@example.com"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/api/users/5"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer.clone()))
            .mount(&server)
            .await;
        let result = client(&server).user(&CustomerId::new("5")).await;
        match result {
            Err(CscartError::NotFound { .. }) | Ok(_) => {
                panic!("{answer}: another user's answer taken for user 5: {result:?}")
            }
            Err(e) => assert!(e.to_string().contains('5'), "{e}"),
        }
    }
    // A list that holds the user asked for among others: that one is taken.
    let server = MockServer::start().await;
    Mock::given(path("/api/users/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": [
            user("6", "john.roe@example.com"), user("5", "jane.doe@example.com")]})))
        .mount(&server)
        .await;
    let u = client(&server).user(&CustomerId::new("5")).await.unwrap();
    assert_eq!(u.email.as_deref(), Some("jane.doe@example.com"));
}

#[tokio::test]
async fn an_entity_answer_about_another_id_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(path("/api/orders/9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "order_id": "10", "user_id": "6", "total": "1.00", "timestamp": "1700000000",
            "products": {}, "taxes": []})))
        .mount(&server)
        .await;
    Mock::given(path("/api/products/3"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"product_id": "4", "product": "Mug", "price": "1.00"})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let order = c.order(&OrderId::new("9")).await;
    assert!(
        matches!(order, Err(CscartError::Mismatch { .. })),
        "{order:?}"
    );
    let product = c.product(&ProductId::new("3")).await;
    assert!(
        matches!(product, Err(CscartError::Mismatch { .. })),
        "{product:?}"
    );
}

fn order_of(id: &str, user: &str, city: &str) -> Value {
    json!({"order_id": id, "user_id": user, "total": "1.00", "timestamp": "1700000000",
        "b_address": "7 Oak Lane", "b_city": city, "b_country": "US",
        "products": {}, "taxes": []})
}

/// The latest order of user 5, as listed (`row_user`) and as read (`order_user`).
async fn latest_order(row_user: &str, order_user: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/users/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("5", "jane.doe@example.com")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/orders"))
        .and(query_param("user_id", "5"))
        .respond_with(list(
            "orders",
            vec![json!({"order_id": "100", "user_id": row_user, "total": "1.00"})],
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/orders/100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order_of(
            "100",
            order_user,
            "Springfield",
        )))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_latest_order_of_someone_else_is_an_error() {
    for (row_user, order_user) in [("6", "6"), ("5", "6"), ("6", "5"), ("0", "0")] {
        let server = latest_order(row_user, order_user).await;
        let reader = StoreReader::new(
            client(&server),
            ReaderSettings {
                currency: "USD".to_owned(),
                track_by_default: true,
                multi_vendor: false,
                paid_statuses: Some(vec!["P".to_owned()]),
            },
        );
        let result = reader.customer(&CustomerId::new("5")).await;
        assert!(
            matches!(result, Err(CscartError::Mismatch { .. })),
            "listed for {row_user}, read for {order_user}: {result:?}"
        );
    }
    // The customer's own order gives the addresses.
    let server = latest_order("5", "5").await;
    let reader = StoreReader::new(
        client(&server),
        ReaderSettings {
            currency: "USD".to_owned(),
            track_by_default: true,
            multi_vendor: false,
            paid_statuses: Some(vec!["P".to_owned()]),
        },
    );
    let c = reader
        .customer(&CustomerId::new("5"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        c.billing_address.unwrap().city.as_deref(),
        Some("Springfield")
    );
}

#[tokio::test]
async fn an_answer_about_someone_else_never_confirms_a_delete() {
    let server = MockServer::start().await;
    let both = Mock::given(path("/api/users"))
        .respond_with(list(
            "users",
            vec![
                user("5", "jane.doe@example.com"),
                user("6", "john.roe@example.com"),
            ],
        ))
        .mount_as_scoped(&server)
        .await;
    let config = FeedConfig {
        mass_delete_min: 0,
        mass_delete_fraction: 1.0,
        ..FeedConfig::default()
    };
    let feed = ChangeFeed::new(client(&server), config);
    let p1 = feed.poll(FeedKind::Customers, None).await.unwrap();
    assert_eq!(p1.changes.len(), 2);
    drop(both);
    let _one = Mock::given(path("/api/users"))
        .respond_with(list("users", vec![user("6", "john.roe@example.com")]))
        .mount_as_scoped(&server)
        .await;
    // Asked for user 5, the store lists user 6.
    Mock::given(path("/api/users/5"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"users": [user("6", "john.roe@example.com")], "params": {}})),
        )
        .mount(&server)
        .await;
    let p2 = feed
        .poll(FeedKind::Customers, Some(&p1.cursor))
        .await
        .unwrap();
    assert!(
        !p2.changes.iter().any(|c| c.action == ChangeAction::Delete),
        "{:?}",
        p2.changes
    );
    assert!(
        !matches!(p2.deletes, Deletes::Checked { confirmed: 1.., .. }),
        "{:?}",
        p2.deletes
    );
}

/// A huge backoff setting never overflows when doubled or jittered.
#[tokio::test(start_paused = true)]
async fn a_huge_backoff_does_not_overflow() {
    let server = MockServer::start().await;
    Mock::given(path("/api/products/1"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = CscartClient::builder(server.uri(), "a@example.com", SecretString::from("k"))
        .backoff(Duration::MAX, Duration::MAX)
        .max_attempts(40)
        .build()
        .unwrap();
    let error = client.product(&ProductId::new("1")).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}
