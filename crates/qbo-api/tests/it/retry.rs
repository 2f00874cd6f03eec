//! Retries, the request id across them, and the 401 → refresh → retry-once rule.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use mockall::Sequence;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use qbo_api::retry::RetryPolicy;
use qbo_api::{
    Customer, EntityId, Environment, QboClient, QboError, RealmId, TokenError, TokenProvider,
};

use super::{REALM, api, builder, client, fast_retry, param};

mockall::mock! {
    #[derive(Debug)]
    pub Tokens {}
    #[async_trait]
    impl TokenProvider for Tokens {
        async fn access_token(&self, realm: &RealmId) -> Result<SecretString, TokenError>;
        async fn token_rejected(&self, realm: &RealmId, token: &SecretString);
    }
}

/// Answers with the given statuses in turn, then 200 with a customer.
struct Script {
    statuses: Vec<u16>,
    calls: AtomicUsize,
}

impl Script {
    fn new(statuses: &[u16]) -> Self {
        Self {
            statuses: statuses.to_vec(),
            calls: AtomicUsize::new(0),
        }
    }
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        match self.statuses.get(n) {
            Some(429) => ResponseTemplate::new(429)
                .insert_header("Retry-After", "0")
                .set_body_json(json!({"Fault": {"Error": [{"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429", "code": "3001"}], "type": "SERVICE"}})),
            Some(&s) => ResponseTemplate::new(s),
            None => ResponseTemplate::new(200)
                .set_body_json(json!({"Customer": {"Id": "1", "SyncToken": "0", "DisplayName": "Ann"}})),
        }
    }
}

/// A client for `server` whose tokens come from `tokens`.
fn client_with(server: &MockServer, tokens: MockTokens) -> QboClient {
    QboClient::builder(Arc::new(tokens))
        .environment(Environment::parse(&server.uri()).unwrap())
        .realm(RealmId::new(REALM).unwrap())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn ann() -> Customer {
    Customer {
        display_name: Some("Ann".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_429_then_200_is_one_success_with_the_same_requestid_twice() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(Script::new(&[429]))
        .expect(2)
        .mount(&server)
        .await;
    let created = client(&server).create(&ann()).await.unwrap();
    assert_eq!(created.id.unwrap().as_str(), "1");
    let requests = server.received_requests().await.unwrap();
    let ids: Vec<_> = requests
        .iter()
        .map(|r| param(r, "requestid").unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "a retried write keeps its requestid");
    assert_eq!(requests[0].body, requests[1].body);
}

#[tokio::test]
async fn a_401_triggers_exactly_one_invalidation_and_one_retry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "detail": "Token expired", "code": "3200"}], "type": "AUTHENTICATION"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .and(header("authorization", "Bearer new"))
        .respond_with(Script::new(&[]))
        .expect(1)
        .mount(&server)
        .await;
    let mut tokens = MockTokens::new();
    let mut seq = Sequence::new();
    tokens
        .expect_access_token()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(SecretString::from("old")));
    tokens
        .expect_token_rejected()
        .withf(|realm, token| realm.as_str() == REALM && token.expose_secret() == "old")
        .times(1)
        .in_sequence(&mut seq)
        .return_const(());
    tokens
        .expect_access_token()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(SecretString::from("new")));
    let client = client_with(&server, tokens);
    let c: Customer = client.read(&EntityId::new("1")).await.unwrap();
    assert_eq!(c.display_name.as_deref(), Some("Ann"));
}

#[tokio::test]
async fn a_second_401_is_an_authentication_error_without_a_loop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let mut tokens = MockTokens::new();
    tokens
        .expect_access_token()
        .times(2)
        .returning(|_| Ok(SecretString::from("t")));
    tokens.expect_token_rejected().times(1).return_const(());
    let client = client_with(&server, tokens);
    let err = client
        .read::<Customer>(&EntityId::new("1"))
        .await
        .unwrap_err();
    assert!(matches!(err, QboError::Authentication { .. }), "{err:?}");
}

#[tokio::test]
async fn reconnect_required_from_the_provider_is_not_retried() {
    let server = MockServer::start().await;
    let mut tokens = MockTokens::new();
    tokens.expect_access_token().times(1).returning(|_| {
        Err(TokenError::ReconnectRequired {
            reason: "refresh token revoked".into(),
        })
    });
    let client = client_with(&server, tokens);
    let err = client.create(&ann()).await.unwrap_err();
    assert!(
        matches!(
            err,
            QboError::Token {
                source: TokenError::ReconnectRequired { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn transient_5xx_on_a_read_is_retried_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(Script::new(&[503, 500, 502]))
        .expect(4)
        .mount(&server)
        .await;
    let c: Customer = client(&server).read(&EntityId::new("1")).await.unwrap();
    assert_eq!(c.id.unwrap().as_str(), "1");
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        max_attempts: 3,
        ..fast_retry()
    };
    let err = builder(&server)
        .retry(policy)
        .build()
        .unwrap()
        .read::<Customer>(&EntityId::new("1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, QboError::ServiceUnavailable { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_validation_fault_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"Fault": {"Error": [{"Message": "Invalid String", "code": "2040", "element": "DisplayName"}], "type": "ValidationFault"}})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).create(&ann()).await.unwrap_err();
    assert!(matches!(err, QboError::Validation { .. }), "{err:?}");
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    // Bind, learn the port, close: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let policy = RetryPolicy {
        max_attempts: 2,
        ..fast_retry()
    };
    let client = QboClient::builder(Arc::new(qbo_api::StaticToken::new("t".into())))
        .environment(Environment::parse(&format!("http://127.0.0.1:{port}")).unwrap())
        .realm(RealmId::new(REALM).unwrap())
        .retry(policy)
        .build()
        .unwrap();
    let err = client.create(&ann()).await.unwrap_err();
    assert!(matches!(err, QboError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_deadline_bounds_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .expect(1)
        .mount(&server)
        .await;
    let policy = RetryPolicy {
        deadline: std::time::Duration::from_secs(5),
        ..fast_retry()
    };
    let started = std::time::Instant::now();
    let err = builder(&server)
        .retry(policy)
        .build()
        .unwrap()
        .read::<Customer>(&EntityId::new("1"))
        .await
        .unwrap_err();
    assert!(matches!(err, QboError::Throttled { .. }), "{err:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "gave up at once instead of waiting past the deadline"
    );
}

/// A huge backoff setting (or deadline) never overflows: the backoff step, its jitter and
/// the deadline check saturate, and the call ends with the error.
#[tokio::test(start_paused = true)]
async fn a_huge_backoff_or_deadline_never_overflows() {
    for (backoff, deadline) in [
        (std::time::Duration::MAX, std::time::Duration::MAX),
        (std::time::Duration::MAX, std::time::Duration::from_secs(1)),
        (std::time::Duration::from_secs(1), std::time::Duration::MAX),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let client = builder(&server)
            .retry(RetryPolicy {
                max_attempts: 3,
                initial_backoff: backoff,
                max_backoff: backoff,
                deadline,
            })
            .build()
            .unwrap();
        let error = client
            .read::<Customer>(&EntityId::new("1"))
            .await
            .unwrap_err();
        assert!(error.is_retryable(), "{error:?}");
    }
}

/// A pause of any length (QBO's `Retry-After` is capped, but the limiter is public) never
/// overflows the clock.
#[tokio::test]
async fn a_huge_pause_never_overflows() {
    let limiter = qbo_api::limit::RateLimiter::new(qbo_api::limit::RateLimits::default()).unwrap();
    limiter.pause(&RealmId::new(REALM).unwrap(), std::time::Duration::MAX);
}
