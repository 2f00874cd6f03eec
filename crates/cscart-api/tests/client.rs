//! The client against wiremock: auth, paths, paging, retries, limits and error classes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cscart_api::client::ListQuery;
use cscart_api::ids::{CustomerId, OrderId, ProductId};
use cscart_api::{CscartClient, CscartError};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{basic_auth, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const EMAIL: &str = "admin@example.com";
const KEY: &str = "k3y-s3cret";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn client(server: &MockServer) -> CscartClient {
    CscartClient::builder(server.uri(), EMAIL, SecretString::from(KEY))
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .items_per_page(2)
        .build()
        .unwrap()
}

fn json_body(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

#[tokio::test]
async fn gets_a_full_order_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/orders/101"))
        .and(basic_auth(EMAIL, KEY))
        .respond_with(json_body(&fixture("order.json")))
        .expect(1)
        .mount(&server)
        .await;
    let order = client(&server).order(&OrderId::new("101")).await.unwrap();
    assert_eq!(order.products.len(), 2);
}

#[tokio::test]
async fn api_version_goes_into_the_path() {
    let server = MockServer::start().await;
    Mock::given(path("/shop/api/2.0/products/12"))
        .respond_with(json_body(r#"{"product_id":"12","price":"1.00"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let c = CscartClient::builder(
        format!("{}/shop", server.uri()),
        EMAIL,
        SecretString::from(KEY),
    )
    .api_version("2.0")
    .build()
    .unwrap();
    assert!(c.api_root().as_str().ends_with("/shop/api/2.0/"));
    let p = c.product(&ProductId::new("12")).await.unwrap();
    assert_eq!(p.product_id, ProductId::new("12"));
}

#[tokio::test]
async fn paging_stops_by_total_items_even_when_users_repeat_the_last_page() {
    let server = MockServer::start().await;
    let page = |ids: &[u32]| {
        let users: Vec<_> = ids
            .iter()
            .map(|i| json!({"user_id": i.to_string()}))
            .collect();
        json!({"users": users, "params": {"total_items": "3"}}).to_string()
    };
    Mock::given(path("/api/users"))
        .and(query_param("user_type", "C"))
        .and(query_param("page", "1"))
        .and(query_param("items_per_page", "2"))
        .respond_with(json_body(&page(&[1, 2])))
        .expect(1)
        .mount(&server)
        .await;
    // Past the end CS-Cart clamps to the last page; the client must not ask for page 3.
    Mock::given(path("/api/users"))
        .and(query_param("page", "2"))
        .respond_with(json_body(&page(&[3])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/users"))
        .and(query_param("page", "3"))
        .respond_with(json_body(&page(&[3])))
        .expect(0)
        .mount(&server)
        .await;
    let users = client(&server)
        .all_users("C", &ListQuery::new())
        .await
        .unwrap();
    let ids: Vec<_> = users
        .iter()
        .map(|u| u.user_id.as_str().to_owned())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[tokio::test]
async fn paging_passes_filters_and_stops_on_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(path("/api/orders"))
        .and(query_param("updated_at_from", "1700000000"))
        .and(query_param("page", "1"))
        .respond_with(json_body(
            r#"{"orders":[{"order_id":"1"},{"order_id":"2"}],"params":{"total_items":"9"}}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/orders"))
        .and(query_param("page", "2"))
        .respond_with(json_body(r#"{"orders":[],"params":{"total_items":"9"}}"#))
        .expect(1)
        .mount(&server)
        .await;
    let q = ListQuery::new().param("updated_at_from", "1700000000");
    let orders = client(&server).all_orders(&q).await.unwrap();
    assert_eq!(orders.len(), 2);
}

#[tokio::test]
async fn statuses_without_total_stop_at_a_short_page() {
    let server = MockServer::start().await;
    Mock::given(path("/api/statuses"))
        .respond_with(json_body(
            r#"{"statuses":[{"status_id":"1","status":"P","params":{"payment_received":"Y"}}]}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let statuses = client(&server).statuses().await.unwrap();
    assert_eq!(statuses.len(), 1);
    assert!(statuses[0].payment_received());
}

#[tokio::test]
async fn a_401_is_unauthorized_with_the_hint_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api/products"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", "Basic realm=\"User email/API key\"")
                .set_body_string(r#"{"message":"Unauthorized","status":401}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .products_page(&ListQuery::new(), 1, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, CscartError::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("Authorization header"), "{text}");
    assert!(!text.contains(KEY));
}

#[tokio::test]
async fn a_403_404_and_error_body_are_typed() {
    let server = MockServer::start().await;
    Mock::given(path("/api/categories/1"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_string(r#"{"message":"Forbidden: Access denied","status":403}"#),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/orders/404"))
        .respond_with(
            ResponseTemplate::new(404).set_body_string(r#"{"message":"Not Found","status":404}"#),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/users"))
        .respond_with(ResponseTemplate::new(400).set_body_string(fixture("error_400.json")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c.category(&"1".into()).await.unwrap_err();
    assert!(
        matches!(&err, CscartError::Forbidden { message, .. } if message.message.contains("Access denied")),
        "{err:?}"
    );
    let err = c.order(&OrderId::new("404")).await.unwrap_err();
    assert!(matches!(err, CscartError::NotFound { .. }), "{err:?}");
    let err = c
        .users_page("", &ListQuery::new(), 1, 10)
        .await
        .unwrap_err();
    match err {
        CscartError::Api {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert!(message.message.contains("user_type"));
            assert_eq!(message.errors, vec!["user_type"]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_user_on_new_versions_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(path("/api/users/77"))
        .respond_with(json_body(r#"{"users":[],"params":{"total_items":"0"}}"#))
        .mount(&server)
        .await;
    let err = client(&server)
        .user(&CustomerId::new("77"))
        .await
        .unwrap_err();
    assert!(matches!(err, CscartError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn html_pages_are_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/api/products/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("error_page.html")))
        .mount(&server)
        .await;
    Mock::given(path("/api/products/2"))
        .respond_with(ResponseTemplate::new(418).set_body_string(fixture("error_page.html")))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = c.product(&ProductId::new("1")).await.unwrap_err();
    assert!(
        matches!(err, CscartError::Html { status: 200, .. }),
        "{err:?}"
    );
    let err = c.product(&ProductId::new("2")).await.unwrap_err();
    assert!(
        matches!(&err, CscartError::Html { status: 418, snippet, .. } if snippet.contains("maintenance")),
        "{err:?}"
    );
}

struct FailThenOk {
    calls: Arc<AtomicUsize>,
    failures: usize,
    body: String,
}

impl Respond for FailThenOk {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            ResponseTemplate::new(503).set_body_string("<html>busy</html>")
        } else {
            json_body(&self.body)
        }
    }
}

#[tokio::test]
async fn reads_are_retried_on_5xx_then_succeed() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(path("/api/products/12"))
        .respond_with(FailThenOk {
            calls: calls.clone(),
            failures: 2,
            body: r#"{"product_id":"12","price":"1.00"}"#.to_owned(),
        })
        .mount(&server)
        .await;
    client(&server)
        .product(&ProductId::new("12"))
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(path("/api/orders/1"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(r#"{"message":"Internal error","status":500}"#),
        )
        .expect(3)
        .mount(&server)
        .await;
    let c = CscartClient::builder(server.uri(), EMAIL, SecretString::from(KEY))
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_attempts(3)
        .build()
        .unwrap();
    let err = c.order(&OrderId::new("1")).await.unwrap_err();
    assert!(
        matches!(err, CscartError::Api { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn transport_errors_are_typed_and_retried() {
    // Nothing listens on a port just released.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = CscartClient::builder(uri, EMAIL, SecretString::from(KEY))
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_attempts(2)
        .connect_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = c.order(&OrderId::new("1")).await.unwrap_err();
    assert!(matches!(err, CscartError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/api/orders/1"))
        .respond_with(json_body(r#"{"order_id":1,"total":1}"#).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let c = CscartClient::builder(server.uri(), EMAIL, SecretString::from(KEY))
        .timeout(Duration::from_millis(100))
        .max_attempts(1)
        .build()
        .unwrap();
    let err = c.order(&OrderId::new("1")).await.unwrap_err();
    assert!(matches!(err, CscartError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn at_most_the_concurrency_limit_is_in_flight() {
    let server = MockServer::start().await;
    Mock::given(path("/api/orders/1"))
        .respond_with(
            json_body(r#"{"order_id":1,"total":1}"#).set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    let c = CscartClient::builder(server.uri(), EMAIL, SecretString::from(KEY))
        .concurrency(2)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.order(&OrderId::new("1")).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // 4 calls of 200 ms, 2 at a time: two rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn debug_output_hides_the_key_and_bad_urls_are_refused() {
    let c = CscartClient::builder("https://shop.example", EMAIL, SecretString::from(KEY));
    let text = format!("{c:?}");
    assert!(!text.contains(KEY) && text.contains("[redacted]"), "{text}");
    let built = c.build().unwrap();
    let text = format!("{built:?}");
    assert!(!text.contains(KEY) && text.contains("[redacted]"), "{text}");
    assert_eq!(built.api_root().as_str(), "https://shop.example/api/");
    let err = CscartClient::builder("ftp://x", EMAIL, SecretString::from(KEY))
        .build()
        .unwrap_err();
    assert!(matches!(err, CscartError::InvalidInput { .. }));
    assert!(
        CscartClient::builder("not a url", EMAIL, SecretString::from(KEY))
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn vendors_stores_and_company_products() {
    use cscart_api::client::CompanyScope;
    use cscart_api::ids::VendorId;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/vendors"))
        .respond_with(json_body(
            r#"{"vendors":[{"company_id":"2","company":"Acme Tools","status":"A","email":"v@acme.test","timestamp":"1700000000"},
                           {"company_id":3,"company":null,"status":"P"}],
                "params":{"total_items":"2"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/stores"))
        .respond_with(json_body(
            r#"{"stores":[{"company_id":"1","company":"Main shop","storefront":"shop.example"}],"params":{"total_items":1}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/vendors/2/products"))
        .and(query_param("page", "1"))
        .respond_with(json_body(
            r#"{"products":[{"product_id":"7","product":"Hammer","price":"12.50","company_id":"2"},
                            {"product_id":"8","product":"Saw","price":"20","company_id":"2"}],
                "params":{"total_items":"3"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/vendors/2/products"))
        .and(query_param("page", "2"))
        .respond_with(json_body(
            r#"{"products":[{"product_id":"9","product":"Drill","price":"99.99","company_id":"2"}],"params":{"total_items":"3"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let vendors = c.vendors().await.unwrap();
    assert_eq!(vendors.len(), 2);
    assert_eq!(vendors[0].name.as_deref(), Some("Acme Tools"));
    assert_eq!(vendors[1].company_id.as_str(), "3");
    assert_eq!(vendors[1].name, None);
    let stores = c.stores().await.unwrap();
    assert_eq!(stores[0].storefront.as_deref(), Some("shop.example"));
    let products = c
        .company_products(
            CompanyScope::Vendors,
            &VendorId::new("2"),
            &ListQuery::new(),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = products.iter().map(|p| p.product_id.as_str()).collect();
    assert_eq!(ids, ["7", "8", "9"]);
}

#[tokio::test]
async fn full_orders_page_asks_for_order_data() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/orders"))
        .and(query_param("get_orders_data", "Y"))
        .and(query_param("updated_at_from", "1700000000"))
        .respond_with(json_body(&format!(
            r#"{{"orders":[{}],"params":{{"total_items":"1"}}}}"#,
            fixture("order.json")
        )))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .full_orders_page(
            &ListQuery::new().param("updated_at_from", "1700000000"),
            1,
            50,
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.items[0].updated_at.is_some());
    assert_eq!(page.items[0].shipping[0].name.as_deref(), Some("Ground"));
}

#[tokio::test]
async fn a_user_answered_as_a_list_is_read_from_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/users/3"))
        .respond_with(json_body(
            r#"{"users":[{"user_id":"3","email":"c@example.com"}],"params":{}}"#,
        ))
        .mount(&server)
        .await;
    let user = client(&server).user(&CustomerId::new("3")).await.unwrap();
    assert_eq!(user.email.as_deref(), Some("c@example.com"));
}
