//! Integration tests of the client against wiremock: one binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod batch;
mod faults;
mod ops;
mod query;
mod retry;

use std::sync::Arc;
use std::time::Duration;

use qbo_api::limit::RateLimits;
use qbo_api::retry::RetryPolicy;
use qbo_api::{Environment, QboClient, RealmId, StaticToken};
use wiremock::MockServer;

/// The realm every test talks to.
pub const REALM: &str = "123145";

/// Retries fast enough for tests (the policy's shape is what is tested, not its waits).
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(20),
        deadline: Duration::from_secs(20),
    }
}

/// A client for `server` with a static token `tok`.
pub fn client(server: &MockServer) -> QboClient {
    builder(server).build().unwrap()
}

/// A builder for `server` with a static token, fast retries and default limits.
pub fn builder(server: &MockServer) -> qbo_api::QboClientBuilder {
    QboClient::builder(Arc::new(StaticToken::new("tok".into())))
        .environment(Environment::parse(&server.uri()).unwrap())
        .realm(RealmId::new(REALM).unwrap())
        .retry(fast_retry())
        .rate_limits(RateLimits::default())
}

/// `/v3/company/{REALM}/{rest}`.
pub fn api(rest: &str) -> String {
    format!("/v3/company/{REALM}/{rest}")
}

/// The value of query parameter `name` in a received request.
pub fn param(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A fixture file's text.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
