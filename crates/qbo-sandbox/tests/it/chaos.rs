//! Chaos settings: failures after commit never duplicate a write retried with its
//! `requestid`; injected 5xx, cut connections and latency.

use std::time::{Duration, Instant};

use qbo_api::{Customer, QboError, RequestId};
use qbo_sandbox::{AfterCommit, Latency};
use serde_json::json;

use crate::Env;
use crate::client::qbo_client;

async fn fail_after_commit_leaves_one_entity(mode: AfterCommit) {
    let env = Env::start().await;
    env.sandbox.update_settings(|s| {
        s.chaos.fail_after_commit_rate = 1.0;
        s.chaos.after_commit = mode;
    });
    let client = qbo_client(&env);
    let customer = Customer {
        display_name: Some("Ann Retry".into()),
        ..Default::default()
    };
    // The first attempt is applied and then fails; qbo-api retries with the same
    // requestid and gets the first answer.
    let created = client
        .create(&customer)
        .request_id(RequestId::new("order-1-customer").unwrap())
        .await
        .expect("the retry is answered from the first write");
    assert_eq!(created.display_name.as_deref(), Some("Ann Retry"));
    let stored = env.sandbox.entities(&env.realm, "Customer").unwrap();
    assert_eq!(stored.len(), 1, "exactly one entity: {stored:?}");
    let counters = env.sandbox.counters();
    assert_eq!(counters.chaos_after_commit, 1);
    assert_eq!(counters.replays, 1);
    assert_eq!(counters.creates, 1);
    let log = env.sandbox.requests(10);
    let statuses: Vec<u16> = log.iter().map(|e| e.status).collect();
    let first = if mode == AfterCommit::Drop { 0 } else { 500 };
    assert_eq!(statuses, vec![first, 200]);

    // Without a request id a client cannot tell: the write was applied although it was
    // answered with a failure, so a blind retry meets its own first attempt (6240).
    if mode == AfterCommit::Error {
        env.post("customer", &json!({"DisplayName": "No Id"}))
            .await
            .assert_fault(500, "10000");
        env.sandbox
            .update_settings(|s| s.chaos.fail_after_commit_rate = 0.0);
        env.post("customer", &json!({"DisplayName": "No Id"}))
            .await
            .assert_fault(400, "6240");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_after_commit_with_an_error_leaves_exactly_one_entity() {
    fail_after_commit_leaves_one_entity(AfterCommit::Error).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_after_commit_with_a_cut_connection_leaves_exactly_one_entity() {
    fail_after_commit_leaves_one_entity(AfterCommit::Drop).await;
}

#[tokio::test]
async fn injected_errors_drops_and_latency() {
    let env = Env::start().await;
    env.sandbox.update_settings(|s| s.chaos.error_rate = 1.0);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let reply = env.get("preferences").await;
        assert!(reply.status.is_server_error(), "{reply:?}");
        if reply.status.as_u16() == 500 {
            assert_eq!(reply.body["Fault"]["type"], "SystemFault");
        }
        seen.insert(reply.status.as_u16());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![500, 502, 503]);
    assert_eq!(env.sandbox.counters().chaos_errors, 30);

    env.sandbox.update_settings(|s| {
        s.chaos.error_rate = 0.0;
        s.chaos.drop_rate = 1.0;
    });
    let result = env
        .http
        .get(env.url("preferences"))
        .bearer_auth(&env.token)
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(failed, "the connection is cut");
    // qbo-api sees a transport error (after its retries).
    let client = qbo_client(&env);
    let error = client.preferences().await.expect_err("dropped");
    assert!(matches!(error, QboError::Transport { .. }), "{error:?}");

    env.sandbox.update_settings(|s| {
        s.chaos.drop_rate = 0.0;
        s.chaos.latency = Some(Latency {
            min_ms: 150,
            max_ms: 200,
        });
    });
    let started = Instant::now();
    env.get("preferences").await.ok();
    assert!(started.elapsed() >= Duration::from_millis(150));
}
