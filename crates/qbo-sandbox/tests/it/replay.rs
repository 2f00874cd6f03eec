//! `requestid` replay: the same id and request get the first answer and change nothing.

use qbo_sandbox::RequestIdConflict;
use serde_json::json;

use crate::{Env, id};

#[tokio::test]
async fn a_repeated_request_id_replays_the_first_answer() {
    let env = Env::start().await;
    let body = json!({"DisplayName": "Ann"});
    let first = env
        .post("customer?requestid=job-1&minorversion=75", &body)
        .await;
    let created = first.ok()["Customer"].clone();
    // Same id and body, even with another minorversion: the very same bytes again.
    let again = env
        .post("customer?minorversion=70&requestid=job-1", &body)
        .await;
    assert_eq!(again.ok(), first.ok());
    assert_ne!(again.tid, first.tid, "each answer has its own intuit_tid");
    assert_eq!(
        env.sandbox.entities(&env.realm, "Customer").unwrap().len(),
        1
    );
    assert_eq!(env.sandbox.counters().replays, 1);
    let log = env.sandbox.requests(1);
    assert!(log[0].replayed);
    assert_eq!(log[0].request_id.as_deref(), Some("job-1"));

    // The memory outlives later changes: an update, then the create's id again.
    env.post(
        "customer?requestid=job-2",
        &json!({"Id": id(&created), "SyncToken": "0", "sparse": true, "Notes": "x"}),
    )
    .await
    .ok();
    let third = env.post("customer?requestid=job-1", &body).await;
    assert_eq!(third.ok()["Customer"]["SyncToken"], "0");

    // A failed write is replayed as the same failure.
    let bad = json!({"DisplayName": "Ann"});
    let dup = env.post("customer?requestid=job-3", &bad).await;
    dup.assert_fault(400, "6240");
    let dup_again = env.post("customer?requestid=job-3", &bad).await;
    assert_eq!(dup_again.body, dup.body);

    // The same id with another request is refused with 600 (the default)...
    let other = env
        .post("customer?requestid=job-1", &json!({"DisplayName": "Bob"}))
        .await;
    other.assert_fault(400, "600");
    assert_eq!(
        env.sandbox.entities(&env.realm, "Customer").unwrap().len(),
        1
    );
    // ...or answered with the first answer, by setting.
    env.sandbox
        .update_settings(|s| s.request_id_conflict = RequestIdConflict::Replay);
    let replayed = env
        .post("customer?requestid=job-1", &json!({"DisplayName": "Bob"}))
        .await;
    assert_eq!(replayed.ok(), first.ok());
    // Without a request id nothing is remembered: two creates, two customers.
    env.post("customer", &json!({"DisplayName": "Cy"}))
        .await
        .ok();
    env.post("customer", &json!({"DisplayName": "Cy"}))
        .await
        .assert_fault(400, "6240");
}

#[tokio::test]
async fn batches_replay_whole() {
    let env = Env::start().await;
    let body = json!({"BatchItemRequest": [
        {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Ann"}},
        {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Bob"}},
    ]});
    let first = env.post("batch?requestid=batch-1", &body).await;
    let again = env.post("batch?requestid=batch-1", &body).await;
    assert_eq!(first.ok(), again.ok());
    assert_eq!(
        env.sandbox.entities(&env.realm, "Customer").unwrap().len(),
        2
    );
}
