//! Per-realm rate limits: 429 with QBO's throttle fault past them; off by setting.

use std::time::Duration;

use chrono::TimeDelta;
use futures_util::future::join_all;
use qbo_sandbox::{Latency, SandboxConfig};
use serde_json::json;

use crate::Env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_500_a_minute_get_429_until_the_window_slides() {
    let env = Env::start().await;
    for i in 0..500 {
        let reply = env.get("preferences").await;
        assert_eq!(reply.status.as_u16(), 200, "request {i}: {}", reply.body);
    }
    let throttled = env.get("preferences").await;
    throttled.assert_fault(429, "3001");
    assert_eq!(throttled.body["Fault"]["type"], "SERVICE");
    assert_eq!(
        throttled.body["Fault"]["Error"][0]["Message"],
        "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    );
    assert_eq!(env.sandbox.counters().throttled, 1);
    // Another company has its own limits.
    env.sandbox.create_realm("other").unwrap();
    let other = env.sandbox.issue_tokens("other").unwrap();
    let reply = env
        .http
        .get(format!(
            "{}/v3/company/other/preferences",
            env.sandbox.base_url()
        ))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&other.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    // A minute later the window has slid.
    env.sandbox.advance_clock(TimeDelta::seconds(61));
    env.get("preferences").await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_10_in_flight_or_40_batches_a_minute_get_429() {
    let mut config = SandboxConfig::default();
    config.settings.chaos.latency = Some(Latency::fixed(Duration::from_millis(300)));
    config.settings.limits.retry_after_secs = Some(60);
    let env = Env::with(config).await;
    let calls = (0..12).map(|_| {
        env.http
            .get(env.url("preferences"))
            .bearer_auth(&env.token)
            .send()
    });
    let replies: Vec<reqwest::Response> = join_all(calls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let throttled: Vec<&reqwest::Response> = replies
        .iter()
        .filter(|r| r.status().as_u16() == 429)
        .collect();
    assert_eq!(
        throttled.len(),
        2,
        "{:?}",
        replies
            .iter()
            .map(reqwest::Response::status)
            .collect::<Vec<_>>()
    );
    for reply in throttled {
        assert_eq!(reply.headers()["retry-after"], "60");
        assert!(reply.headers().contains_key("intuit_tid"));
    }

    env.sandbox.update_settings(|s| s.chaos.latency = None);
    let batch = json!({"BatchItemRequest": [{"bId": "1", "Query": "select * from TaxCode"}]});
    for _ in 0..40 {
        env.post("batch", &batch).await.ok();
    }
    env.post("batch", &batch).await.assert_fault(429, "3001");
    env.get("preferences").await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_can_be_turned_off() {
    let env = Env::with(SandboxConfig::without_limits()).await;
    for _ in 0..520 {
        env.get("preferences").await.ok();
    }
    env.sandbox.update_settings(|s| {
        s.limits.enabled = true;
        s.limits.requests_per_window = 3;
    });
    for _ in 0..3 {
        env.get("preferences").await.ok();
    }
    env.get("preferences").await.assert_fault(429, "3001");
}
