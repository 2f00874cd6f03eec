//! The contract every backend keeps. Each function is one test, run by `contract_suite!`
//! against memory, SQLite, PostgreSQL and MariaDB; time moves only through the fixture's
//! manual clock.

use std::collections::HashSet;
use std::time::Duration;

use chrono::TimeDelta;
use sync_queue::csv::{export_links, import_links};
use sync_queue::{
    Action, CsvError, EntityKind, FailOutcome, FeedName, HeaderProblem, JobFailure, JobFilter,
    JobId, JobPayload, JobStatus, LeaseName, LineProblem, LinkCursor, NewJob, PageRequest, Pushed,
    QboId, QueueError, Scope, StoreId, SyncToken, WorkSignal,
};

use crate::{Fixture, entity, tenant, worker};

const LEASE: Duration = Duration::from_secs(30);

fn payload(json: &str) -> JobPayload {
    JobPayload::from_json_text(json).unwrap()
}

fn failure(message: &str) -> JobFailure {
    JobFailure::new(message)
}

pub async fn enqueue_claim_ack_round_trip(f: &Fixture) {
    let q = &*f.store;
    let ann = entity("shop", EntityKind::Customer, "42");
    let job = NewJob::upsert(ann.clone()).with_payload(payload(r#"{"name":"Zoë","id":42}"#));
    let enqueued = q.enqueue(job).await.unwrap();
    assert!(!enqueued.coalesced);

    let stored = q.get_job(&Scope::All, enqueued.id).await.unwrap().unwrap();
    assert_eq!(stored.entity, ann);
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.action, Action::Upsert);
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.run_after, Some(f.clock.now()));
    assert_eq!(stored.created_at, f.clock.now());
    assert!(!stored.superseded);
    assert_eq!(
        stored.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"name":"Zoë","id":42}"#)
    );

    let batch = q
        .claim(&Scope::All, &worker("w1"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(batch.len(), 1);
    let claimed = &batch[0];
    assert_eq!(claimed.job.id, enqueued.id);
    assert_eq!(claimed.job.status, JobStatus::Running);
    assert_eq!(claimed.job.attempts, 1);
    assert_eq!(claimed.lease.attempt(), 1);
    assert_eq!(claimed.lease.job_id(), enqueued.id);
    assert_eq!(claimed.lease.write_key(), enqueued.id.to_string());
    let expires = f.clock.now() + TimeDelta::seconds(30);
    assert_eq!(claimed.lease.expires_at(), expires);
    let lease = claimed.job.lease.as_ref().unwrap();
    assert_eq!(lease.worker, worker("w1"));
    assert_eq!(lease.expires_at, expires);
    assert_eq!(claimed.job.payload, stored.payload);

    // Running jobs are not claimed twice.
    assert!(
        q.claim(&Scope::All, &worker("w2"), 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    let seen = q.get_job(&Scope::All, enqueued.id).await.unwrap().unwrap();
    assert_eq!(seen.status, JobStatus::Running);
    assert_eq!(seen.lease.map(|l| l.worker), Some(worker("w1")));

    q.ack(&claimed.lease).await.unwrap();
    assert!(q.get_job(&Scope::All, enqueued.id).await.unwrap().is_none());
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);
    // An ack is final: a second one finds no lease.
    assert!(matches!(
        q.ack(&claimed.lease).await,
        Err(QueueError::LeaseLost(id)) if id == enqueued.id
    ));
}

pub async fn coalescing_keeps_one_waiting_job_per_entity(f: &Fixture) {
    let q = &*f.store;
    let p1 = entity("shop", EntityKind::Product, "17");
    let first = q
        .enqueue(NewJob::upsert(p1.clone()).with_payload(payload(r#"{"v":1}"#)))
        .await
        .unwrap();
    f.advance(5);
    let second = q
        .enqueue(NewJob::upsert(p1.clone()).with_payload(payload(r#"{"v":2}"#)))
        .await
        .unwrap();
    assert!(second.coalesced);
    assert_eq!(second.id, first.id);
    let job = q.get_job(&Scope::All, first.id).await.unwrap().unwrap();
    assert_eq!(
        job.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"v":2}"#)
    );
    // The run-after time stays: a busy entity is not pushed back by its own changes.
    assert_eq!(job.run_after, Some(job.created_at));
    assert_eq!(job.updated_at, f.clock.now());

    // Another kind, another store id, another tenant: separate jobs.
    for other in [
        entity("shop", EntityKind::Category, "17"),
        entity("shop", EntityKind::Product, "18"),
        entity("vendor-2", EntityKind::Product, "17"),
    ] {
        let e = q.enqueue(NewJob::upsert(other)).await.unwrap();
        assert!(!e.coalesced);
        assert_ne!(e.id, first.id);
    }
    // Store ids compare exactly (no case folding on any database).
    let upper = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Product, "SKU-a")))
        .await
        .unwrap();
    let lower = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Product, "sku-A")))
        .await
        .unwrap();
    assert!(!lower.coalesced);
    assert_ne!(upper.id, lower.id);

    let stats = q.stats(&Scope::All).await.unwrap();
    assert_eq!(stats.count(JobStatus::Pending), 6);

    // enqueue_many folds in order, too.
    let many = q
        .enqueue_many(vec![
            NewJob::upsert(p1.clone()).with_payload(payload(r#"{"v":3}"#)),
            NewJob::upsert(entity("shop", EntityKind::Order, "900")),
            NewJob::upsert(entity("shop", EntityKind::Order, "900")),
        ])
        .await
        .unwrap();
    assert_eq!(many.len(), 3);
    assert!(many[0].coalesced && many[0].id == first.id);
    assert!(!many[1].coalesced);
    assert!(many[2].coalesced && many[2].id == many[1].id);
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 7);
    let job = q.get_job(&Scope::All, first.id).await.unwrap().unwrap();
    assert_eq!(
        job.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"v":3}"#)
    );
}

pub async fn delete_wins_in_either_order(f: &Fixture) {
    let q = &*f.store;
    let a = entity("shop", EntityKind::Customer, "1");
    let up = q
        .enqueue(NewJob::upsert(a.clone()).with_payload(payload(r#"{"name":"A"}"#)))
        .await
        .unwrap();
    let del = q.enqueue(NewJob::delete(a.clone())).await.unwrap();
    assert!(del.coalesced && del.id == up.id);
    let job = q.get_job(&Scope::All, up.id).await.unwrap().unwrap();
    assert_eq!(job.action, Action::Delete);
    assert_eq!(job.payload, None);

    // An upsert after a pending delete changes nothing: the delete and its payload stay.
    let b = entity("shop", EntityKind::Customer, "2");
    let del = q
        .enqueue(NewJob::delete(b.clone()).with_payload(payload(r#"{"gone":true}"#)))
        .await
        .unwrap();
    let up = q
        .enqueue(NewJob::upsert(b).with_payload(payload(r#"{"name":"B"}"#)))
        .await
        .unwrap();
    assert!(up.coalesced && up.id == del.id);
    let job = q.get_job(&Scope::All, del.id).await.unwrap().unwrap();
    assert_eq!(job.action, Action::Delete);
    assert_eq!(
        job.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"gone":true}"#)
    );

    // The claimed job carries the delete.
    let batch = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert!(batch.iter().all(|c| c.job.action == Action::Delete));
}

pub async fn enqueue_while_running_waits_behind_the_running_job(f: &Fixture) {
    let q = &*f.store;
    let p = entity("shop", EntityKind::Product, "5");
    let a = q
        .enqueue(NewJob::upsert(p.clone()).with_payload(payload(r#"{"v":1}"#)))
        .await
        .unwrap();
    let running = q.claim(&Scope::All, &worker("w1"), 1, LEASE).await.unwrap();
    assert_eq!(running[0].job.id, a.id);

    // A change while A runs is a new job, not folded into the running one.
    let b = q
        .enqueue(NewJob::upsert(p.clone()).with_payload(payload(r#"{"v":2}"#)))
        .await
        .unwrap();
    assert!(!b.coalesced);
    assert_ne!(b.id, a.id);
    // Further changes fold into the new waiting job.
    let c = q
        .enqueue(NewJob::upsert(p.clone()).with_payload(payload(r#"{"v":3}"#)))
        .await
        .unwrap();
    assert!(c.coalesced && c.id == b.id);

    // B waits behind A: no second worker may push the same entity.
    f.advance(1);
    assert!(
        q.claim(&Scope::All, &worker("w2"), 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    let waiting = q.get_job(&Scope::All, b.id).await.unwrap().unwrap();
    assert_eq!(waiting.status, JobStatus::Pending);

    // A's worker dies: once its lease runs out A is claimed again, still before B.
    f.advance(30);
    let again = q
        .claim(&Scope::All, &worker("w2"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].job.id, a.id);
    assert_eq!(again[0].lease.attempt(), 2);
    assert!(matches!(
        q.ack(&running[0].lease).await,
        Err(QueueError::LeaseLost(_))
    ));

    // A finishes: the newer change survives and runs next.
    q.ack(&again[0].lease).await.unwrap();
    let next = q
        .claim(&Scope::All, &worker("w2"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].job.id, b.id);
    assert_eq!(
        next[0].job.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"v":3}"#)
    );
    q.ack(&next[0].lease).await.unwrap();
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);
}

pub async fn expired_lease_is_reclaimed_and_the_old_holder_is_locked_out(f: &Fixture) {
    let q = &*f.store;
    let job = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1001")))
        .await
        .unwrap();
    let first = q
        .claim(&Scope::All, &worker("dies"), 5, LEASE)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);

    f.advance(29);
    assert!(
        q.claim(&Scope::All, &worker("w2"), 5, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    f.advance(1);
    // Exactly at expiry the job is due again.
    let second = q.claim(&Scope::All, &worker("w2"), 5, LEASE).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].job.id, job.id);
    assert_eq!(second[0].lease.attempt(), 2);
    assert_eq!(
        second[0].job.lease.as_ref().map(|l| l.worker.clone()),
        Some(worker("w2"))
    );

    // The first worker lost its lease: nothing it reports counts.
    let old = &first[0].lease;
    assert!(matches!(q.ack(old).await, Err(QueueError::LeaseLost(_))));
    assert!(matches!(
        q.fail_transient(old, &failure("late")).await,
        Err(QueueError::LeaseLost(_))
    ));
    assert!(matches!(
        q.fail_permanent(old, &failure("late")).await,
        Err(QueueError::LeaseLost(_))
    ));
    assert!(matches!(
        q.release(old, Duration::ZERO).await,
        Err(QueueError::LeaseLost(_))
    ));
    assert!(matches!(
        q.extend_lease(old, LEASE).await,
        Err(QueueError::LeaseLost(_))
    ));
    let still = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(still.status, JobStatus::Running);
    assert_eq!(still.last_error, None);

    q.ack(&second[0].lease).await.unwrap();
    assert!(q.get_job(&Scope::All, job.id).await.unwrap().is_none());
}

pub async fn extended_lease_is_not_reclaimed(f: &Fixture) {
    let q = &*f.store;
    q.enqueue(NewJob::upsert(entity("shop", EntityKind::Product, "1")))
        .await
        .unwrap();
    let batch = q
        .claim(&Scope::All, &worker("slow"), 1, LEASE)
        .await
        .unwrap();
    f.advance(20);
    let extended = q
        .extend_lease(&batch[0].lease, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        extended.expires_at(),
        f.clock.now() + TimeDelta::seconds(60)
    );
    f.advance(40);
    // Past the first lease, within the extension.
    assert!(
        q.claim(&Scope::All, &worker("w2"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    // The old and the extended lease are the same lease.
    q.ack(&batch[0].lease).await.unwrap();
}

pub async fn transient_failure_backs_off_with_jitter(f: &Fixture) {
    let q = &*f.store;
    let job = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Customer, "9")))
        .await
        .unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    let failed_at = f.clock.now();
    let outcome = q
        .fail_transient(
            &claimed[0].lease,
            &failure("QBO answered 503").with_code("503"),
        )
        .await
        .unwrap();
    let FailOutcome::WillRetry { at } = outcome else {
        panic!("expected a retry, got {outcome:?}");
    };
    // Attempt 1: between half and all of the 10 s base delay.
    assert!(
        at >= failed_at + TimeDelta::seconds(5) && at <= failed_at + TimeDelta::seconds(10),
        "{at}"
    );
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Retry);
    assert_eq!(stored.run_after, Some(at));
    assert_eq!(stored.lease, None);
    assert_eq!(stored.attempts, 1);
    let last = stored.last_error.unwrap();
    assert_eq!(last.code.as_deref(), Some("503"));
    assert_eq!(last.message, "QBO answered 503");
    assert_eq!(last.at, failed_at);

    // Not before its time.
    f.advance(4);
    assert!(
        q.claim(&Scope::All, &worker("w"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    f.advance(6);
    let again = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].lease.attempt(), 2);
    // The job keeps its last error while it runs again.
    assert_eq!(
        again[0].job.last_error.as_ref().map(|e| e.message.as_str()),
        Some("QBO answered 503")
    );

    // Attempt 2: the delay doubles (10 to 20 s).
    let failed_at = f.clock.now();
    let FailOutcome::WillRetry { at } = q
        .fail_transient(&again[0].lease, &failure("timeout"))
        .await
        .unwrap()
    else {
        panic!("expected a retry");
    };
    assert!(
        at >= failed_at + TimeDelta::seconds(10) && at <= failed_at + TimeDelta::seconds(20),
        "{at}"
    );

    // A change while the job waits for its retry folds into it and keeps the backoff.
    let folded = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Customer, "9")))
        .await
        .unwrap();
    assert!(folded.coalesced && folded.id == job.id);
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Retry);
    assert_eq!(stored.run_after, Some(at));
}

pub async fn retry_after_is_honoured(f: &Fixture) {
    let q = &*f.store;
    q.enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "7")))
        .await
        .unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    let now = f.clock.now();
    let outcome = q
        .fail_transient(
            &claimed[0].lease,
            &failure("throttled")
                .with_code("429")
                .with_retry_after(Duration::from_secs(300)),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        FailOutcome::WillRetry {
            at: now + TimeDelta::seconds(300)
        }
    );
}

pub async fn retry_limit_turns_into_error(f: &Fixture) {
    let q = &*f.store;
    let job = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Product, "3")))
        .await
        .unwrap();
    for attempt in 1..=3u32 {
        let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].lease.attempt(), attempt);
        let outcome = q
            .fail_transient(&claimed[0].lease, &failure(&format!("try {attempt}")))
            .await
            .unwrap();
        if attempt < 3 {
            assert!(
                matches!(outcome, FailOutcome::WillRetry { .. }),
                "{outcome:?}"
            );
            f.advance(120);
        } else {
            assert_eq!(outcome, FailOutcome::GaveUp);
        }
    }
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Error);
    assert_eq!(stored.attempts, 3);
    assert_eq!(stored.run_after, None);
    assert_eq!(
        stored.last_error.map(|e| e.message),
        Some("try 3".to_owned())
    );
    f.advance(86_400);
    assert!(
        q.claim(&Scope::All, &worker("w"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn permanent_failure_keeps_the_reason_until_a_new_change_revives_it(f: &Fixture) {
    let q = &*f.store;
    let c = entity("shop", EntityKind::Customer, "77");
    let job = q.enqueue(NewJob::upsert(c.clone())).await.unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    q.fail_permanent(
        &claimed[0].lease,
        &failure("Duplicate Name Exists Error: The name supplied already exists.")
            .with_code("6240"),
    )
    .await
    .unwrap();
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Error);
    assert_eq!(stored.attempts, 1);
    assert!(!stored.superseded);
    assert_eq!(
        stored.last_error.as_ref().and_then(|e| e.code.as_deref()),
        Some("6240")
    );
    f.advance(3600);
    assert!(
        q.claim(&Scope::All, &worker("w"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );

    // The store changes the customer: the job in error takes the change and runs again.
    let revived = q
        .enqueue(NewJob::upsert(c).with_payload(payload(r#"{"name":"renamed"}"#)))
        .await
        .unwrap();
    assert!(revived.coalesced && revived.id == job.id);
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.run_after, Some(f.clock.now()));
    // The last reason stays visible until the job succeeds.
    assert!(stored.last_error.is_some());
    let again = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(again[0].job.id, job.id);
    assert_eq!(again[0].lease.attempt(), 1);
}

pub async fn failure_while_a_newer_change_waits_is_superseded(f: &Fixture) {
    let q = &*f.store;
    let p = entity("shop", EntityKind::Product, "11");
    let a = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    let run_a = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    let b = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    q.fail_permanent(
        &run_a[0].lease,
        &failure("Invalid Reference Id").with_code("2500"),
    )
    .await
    .unwrap();

    // A keeps its reason for the operator but will not run: B carries the entity.
    let stored_a = q.get_job(&Scope::All, a.id).await.unwrap().unwrap();
    assert_eq!(stored_a.status, JobStatus::Error);
    assert!(stored_a.superseded);
    let errors = q
        .list_jobs(
            &JobFilter {
                statuses: vec![JobStatus::Error],
                ..JobFilter::new(Scope::All)
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(errors.items.len(), 1);
    // Changes keep folding into B.
    let c = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    assert!(c.coalesced && c.id == b.id);

    let run_b = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run_b.len(), 1);
    assert_eq!(run_b[0].job.id, b.id);
    // B succeeds: the entity is in step, and the superseded error leaves with it.
    q.ack(&run_b[0].lease).await.unwrap();
    assert!(q.get_job(&Scope::All, a.id).await.unwrap().is_none());
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);

    // The same with a transient failure, and a release.
    let d = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    let run_d = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    let e = q.enqueue(NewJob::delete(p.clone())).await.unwrap();
    q.fail_transient(&run_d[0].lease, &failure("503"))
        .await
        .unwrap();
    let stored_d = q.get_job(&Scope::All, d.id).await.unwrap().unwrap();
    assert!(stored_d.superseded);
    assert_eq!(stored_d.run_after, None);
    let run_e = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run_e.len(), 1);
    assert_eq!(run_e[0].job.id, e.id);
    assert_eq!(run_e[0].job.action, Action::Delete);
    let f2 = q.enqueue(NewJob::upsert(p)).await.unwrap();
    q.release(&run_e[0].lease, Duration::ZERO).await.unwrap();
    let stored_e = q.get_job(&Scope::All, e.id).await.unwrap().unwrap();
    assert!(stored_e.superseded);
    assert_eq!(stored_e.status, JobStatus::Pending);
    let run_f = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run_f.len(), 1);
    assert_eq!(run_f[0].job.id, f2.id);
    q.ack(&run_f[0].lease).await.unwrap();
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);
}

pub async fn release_gives_the_job_back_without_counting_the_attempt(f: &Fixture) {
    let q = &*f.store;
    let job = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Category, "4")))
        .await
        .unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    q.release(&claimed[0].lease, Duration::from_secs(15))
        .await
        .unwrap();
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert_eq!(
        stored.run_after,
        Some(f.clock.now() + TimeDelta::seconds(15))
    );
    assert!(
        q.claim(&Scope::All, &worker("w"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    f.advance(15);
    let again = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(again[0].lease.attempt(), 1);
    // A released job can be enqueued onto again.
    q.release(&again[0].lease, Duration::ZERO).await.unwrap();
    let folded = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Category, "4")))
        .await
        .unwrap();
    assert!(folded.coalesced && folded.id == job.id);
}

pub async fn paused_tenants_are_not_claimed(f: &Fixture) {
    let q = &*f.store;
    let paused = tenant("vendor-1");
    q.enqueue(NewJob::upsert(entity("vendor-1", EntityKind::Order, "1")))
        .await
        .unwrap();
    q.pause_tenant(&paused, "QBO connection lost: reconnect required")
        .await
        .unwrap();
    // Enqueueing still works while paused.
    q.enqueue(NewJob::upsert(entity("vendor-1", EntityKind::Order, "2")))
        .await
        .unwrap();
    q.enqueue(NewJob::upsert(entity("vendor-2", EntityKind::Order, "1")))
        .await
        .unwrap();
    let list = q.paused_tenants().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].tenant, paused);
    assert_eq!(list[0].reason, "QBO connection lost: reconnect required");
    assert_eq!(list[0].since, f.clock.now());

    let batch = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].job.entity.tenant, tenant("vendor-2"));
    assert!(
        q.claim(&Scope::Tenant(paused.clone()), &worker("w"), 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    // Pausing again replaces the reason.
    q.pause_tenant(&paused, "token revoked").await.unwrap();
    assert_eq!(q.paused_tenants().await.unwrap()[0].reason, "token revoked");

    assert!(q.resume_tenant(&paused).await.unwrap());
    assert!(!q.resume_tenant(&paused).await.unwrap());
    assert!(q.paused_tenants().await.unwrap().is_empty());
    let batch = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert!(batch.iter().all(|c| c.job.entity.tenant == paused));
}

pub async fn scoped_claims_take_only_that_tenant(f: &Fixture) {
    let q = &*f.store;
    for t in ["a", "b", "a", "b", "a"] {
        let id = q.stats(&Scope::All).await.unwrap().total().to_string();
        q.enqueue(NewJob::upsert(entity(t, EntityKind::Customer, &id)))
            .await
            .unwrap();
    }
    let only_b = q
        .claim(&Scope::Tenant(tenant("b")), &worker("w"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(only_b.len(), 2);
    assert!(only_b.iter().all(|c| c.job.entity.tenant == tenant("b")));
    let rest = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(rest.len(), 3);
    assert!(rest.iter().all(|c| c.job.entity.tenant == tenant("a")));
}

pub async fn claim_batches_take_the_oldest_due_first(f: &Fixture) {
    let q = &*f.store;
    let mut ids = Vec::new();
    for i in 0..10 {
        let e = q
            .enqueue(NewJob::upsert(entity(
                "shop",
                EntityKind::Product,
                &format!("p{i:02}"),
            )))
            .await
            .unwrap();
        ids.push(e.id);
        f.advance(1);
    }
    let first = q.claim(&Scope::All, &worker("w"), 4, LEASE).await.unwrap();
    let mut got: Vec<_> = first.iter().map(|c| c.job.id).collect();
    got.sort();
    assert_eq!(got, ids[..4]);
    let second = q
        .claim(&Scope::All, &worker("w"), 100, LEASE)
        .await
        .unwrap();
    assert_eq!(second.len(), 6);
    let all: HashSet<_> = first.iter().chain(&second).map(|c| c.job.id).collect();
    assert_eq!(all.len(), 10);
    // One claim, one lease expiry for the whole batch.
    assert!(
        second
            .iter()
            .all(|c| c.lease.expires_at() == second[0].lease.expires_at())
    );
}

pub async fn list_filters_and_keyset_paging(f: &Fixture) {
    let q = &*f.store;
    let mut all = Vec::new();
    for i in 0..25 {
        let kind = if i % 2 == 0 {
            EntityKind::Product
        } else {
            EntityKind::Customer
        };
        let t = if i < 20 { "shop" } else { "vendor" };
        all.push(
            q.enqueue(NewJob::upsert(entity(t, kind, &format!("{i}"))))
                .await
                .unwrap()
                .id,
        );
    }
    // Fail three jobs with distinct reasons.
    let claimed = q
        .claim(&Scope::Tenant(tenant("shop")), &worker("w"), 3, LEASE)
        .await
        .unwrap();
    let reasons = [
        "Stale Object Error",
        "Business Validation Error: 100% off",
        "Duplicate Name",
    ];
    for (c, reason) in claimed.iter().zip(reasons) {
        q.fail_permanent(&c.lease, &failure(reason)).await.unwrap();
    }

    // Keyset paging over everything, 10 at a time, oldest first, no repeats.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(10);
    let mut pages = 0;
    loop {
        let got = q
            .list_jobs(&JobFilter::new(Scope::All), &page)
            .await
            .unwrap();
        pages += 1;
        seen.extend(got.items.iter().map(|j| j.id));
        match got.next {
            Some(next) => page = next,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all);

    let vendor = q
        .list_jobs(
            &JobFilter::new(Scope::Tenant(tenant("vendor"))),
            &PageRequest::first(100),
        )
        .await
        .unwrap();
    assert_eq!(vendor.items.len(), 5);
    assert!(vendor.next.is_none());

    let products = q
        .list_jobs(
            &JobFilter {
                kind: Some(EntityKind::Product),
                statuses: vec![JobStatus::Pending],
                ..JobFilter::new(Scope::All)
            },
            &PageRequest::first(100),
        )
        .await
        .unwrap();
    assert!(
        products
            .items
            .iter()
            .all(|j| j.entity.kind == EntityKind::Product && j.status == JobStatus::Pending)
    );
    let failed_products = claimed
        .iter()
        .filter(|c| c.job.entity.kind == EntityKind::Product)
        .count();
    assert_eq!(products.items.len(), 13 - failed_products);

    // Text in the error, case-insensitive; LIKE wildcards are taken literally.
    let text = |needle: &str| JobFilter {
        error_text: Some(needle.to_owned()),
        ..JobFilter::new(Scope::All)
    };
    let stale = q
        .list_jobs(&text("stale object"), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(stale.items.len(), 1);
    assert_eq!(stale.items[0].id, claimed[0].job.id);
    let pct = q
        .list_jobs(&text("100%"), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(pct.items.len(), 1);
    let wildcard = q
        .list_jobs(&text("%"), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(wildcard.items.len(), 1);
    let underscore = q
        .list_jobs(&text("_"), &PageRequest::first(10))
        .await
        .unwrap();
    assert!(underscore.items.is_empty());
    let error_or_running = q
        .list_jobs(
            &JobFilter {
                statuses: vec![JobStatus::Error, JobStatus::Running],
                ..JobFilter::new(Scope::All)
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(error_or_running.items.len(), 3);
}

pub async fn stats_count_by_status_and_kind(f: &Fixture) {
    let q = &*f.store;
    let empty = q.stats(&Scope::All).await.unwrap();
    assert_eq!(empty.total(), 0);
    assert_eq!(empty.oldest_pending, None);
    let first_at = f.clock.now();
    q.enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1")))
        .await
        .unwrap();
    f.advance(60);
    q.enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "2")))
        .await
        .unwrap();
    f.advance(1);
    q.enqueue(NewJob::upsert(entity("shop", EntityKind::Customer, "1")))
        .await
        .unwrap();
    q.enqueue(NewJob::upsert(entity("other", EntityKind::Customer, "1")))
        .await
        .unwrap();
    // Claim the oldest order and fail it for good.
    let claimed = q
        .claim(&Scope::Tenant(tenant("shop")), &worker("w"), 1, LEASE)
        .await
        .unwrap();
    q.fail_permanent(&claimed[0].lease, &failure("no"))
        .await
        .unwrap();
    q.claim(&Scope::Tenant(tenant("shop")), &worker("w"), 1, LEASE)
        .await
        .unwrap();

    let stats = q.stats(&Scope::Tenant(tenant("shop"))).await.unwrap();
    assert_eq!(
        stats.counts.get(&(JobStatus::Error, EntityKind::Order)),
        Some(&1)
    );
    assert_eq!(
        stats.counts.get(&(JobStatus::Running, EntityKind::Order)),
        Some(&1)
    );
    assert_eq!(
        stats
            .counts
            .get(&(JobStatus::Pending, EntityKind::Customer)),
        Some(&1)
    );
    assert_eq!(stats.total(), 3);
    assert_eq!(stats.count(JobStatus::Pending), 1);
    let later = first_at + TimeDelta::seconds(61);
    assert_eq!(stats.oldest_pending, Some(later));
    assert_eq!(
        stats.oldest_pending_age(later + TimeDelta::seconds(90)),
        Some(Duration::from_secs(90))
    );
    let everything = q.stats(&Scope::All).await.unwrap();
    assert_eq!(everything.total(), 4);
    assert_eq!(everything.count(JobStatus::Pending), 2);
}

pub async fn delete_one_job(f: &Fixture) {
    let q = &*f.store;
    let a = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1")))
        .await
        .unwrap();
    f.advance(1);
    let b = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "2")))
        .await
        .unwrap();
    let running = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(running[0].job.id, a.id);

    assert!(matches!(
        q.delete_job(&Scope::All, a.id).await,
        Err(QueueError::JobRunning(id)) if id == a.id
    ));
    // Another tenant's scope does not see the job.
    assert!(matches!(
        q.delete_job(&Scope::Tenant(tenant("other")), b.id).await,
        Err(QueueError::JobNotFound(_))
    ));
    q.delete_job(&Scope::Tenant(tenant("shop")), b.id)
        .await
        .unwrap();
    assert!(q.get_job(&Scope::All, b.id).await.unwrap().is_none());
    assert!(matches!(
        q.delete_job(&Scope::All, b.id).await,
        Err(QueueError::JobNotFound(_))
    ));
    // The running job is untouched and finishes normally.
    q.ack(&running[0].lease).await.unwrap();
}

pub async fn delete_all_errors(f: &Fixture) {
    let q = &*f.store;
    for (t, id) in [("shop", "1"), ("shop", "2"), ("other", "1"), ("shop", "3")] {
        q.enqueue(NewJob::upsert(entity(t, EntityKind::Product, id)))
            .await
            .unwrap();
        f.advance(1);
    }
    let claimed = q.claim(&Scope::All, &worker("w"), 3, LEASE).await.unwrap();
    for c in &claimed {
        q.fail_permanent(&c.lease, &failure("bad")).await.unwrap();
    }
    assert_eq!(
        q.delete_errors(&Scope::Tenant(tenant("shop")))
            .await
            .unwrap(),
        2
    );
    let left = q.stats(&Scope::All).await.unwrap();
    assert_eq!(left.count(JobStatus::Error), 1);
    assert_eq!(left.count(JobStatus::Pending), 1);
    assert_eq!(q.delete_errors(&Scope::All).await.unwrap(), 1);
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 1);
}

pub async fn clear_a_tenant(f: &Fixture) {
    let q = &*f.store;
    for i in 0..4 {
        q.enqueue(NewJob::upsert(entity(
            "shop",
            EntityKind::Customer,
            &i.to_string(),
        )))
        .await
        .unwrap();
    }
    q.enqueue(NewJob::upsert(entity("other", EntityKind::Customer, "0")))
        .await
        .unwrap();
    let running = q
        .claim(&Scope::Tenant(tenant("shop")), &worker("w"), 2, LEASE)
        .await
        .unwrap();
    q.fail_permanent(&running[1].lease, &failure("x"))
        .await
        .unwrap();
    // Two pending and one error go; the running job stays and finishes.
    assert_eq!(q.clear_tenant(&tenant("shop")).await.unwrap(), 3);
    let shop = q.stats(&Scope::Tenant(tenant("shop"))).await.unwrap();
    assert_eq!(shop.total(), 1);
    assert_eq!(shop.count(JobStatus::Running), 1);
    assert_eq!(
        q.stats(&Scope::Tenant(tenant("other")))
            .await
            .unwrap()
            .total(),
        1
    );
    q.ack(&running[0].lease).await.unwrap();
}

pub async fn retry_one_and_all_errors(f: &Fixture) {
    let q = &*f.store;
    for i in 0..3 {
        q.enqueue(NewJob::upsert(entity(
            "shop",
            EntityKind::Product,
            &i.to_string(),
        )))
        .await
        .unwrap();
        f.advance(1);
    }
    let pending = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Product, "p")))
        .await
        .unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 3, LEASE).await.unwrap();
    for c in &claimed {
        q.fail_permanent(&c.lease, &failure("no")).await.unwrap();
    }
    f.advance(600);
    let one = claimed[0].job.id;
    assert!(matches!(
        q.retry_job(&Scope::All, pending.id).await,
        Err(QueueError::NotInError(id)) if id == pending.id
    ));
    assert!(matches!(
        q.retry_job(&Scope::Tenant(tenant("other")), one).await,
        Err(QueueError::JobNotFound(_))
    ));
    q.retry_job(&Scope::All, one).await.unwrap();
    let stored = q.get_job(&Scope::All, one).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.run_after, Some(f.clock.now()));

    assert_eq!(
        q.retry_errors(&Scope::Tenant(tenant("shop")))
            .await
            .unwrap(),
        2
    );
    let stats = q.stats(&Scope::All).await.unwrap();
    assert_eq!(stats.count(JobStatus::Error), 0);
    assert_eq!(stats.count(JobStatus::Pending), 4);
    assert_eq!(q.retry_errors(&Scope::All).await.unwrap(), 0);
    assert_eq!(
        q.claim(&Scope::All, &worker("w"), 10, LEASE)
            .await
            .unwrap()
            .len(),
        4
    );

    // Retrying a superseded error drops it: the newer job already carries the change.
    let e = entity("shop", EntityKind::Order, "5");
    let a = q.enqueue(NewJob::upsert(e.clone())).await.unwrap();
    let run = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    let b = q.enqueue(NewJob::upsert(e)).await.unwrap();
    q.fail_permanent(&run[0].lease, &failure("no"))
        .await
        .unwrap();
    q.retry_job(&Scope::All, a.id).await.unwrap();
    assert!(q.get_job(&Scope::All, a.id).await.unwrap().is_none());
    assert!(q.get_job(&Scope::All, b.id).await.unwrap().is_some());
}

pub async fn run_one_now(f: &Fixture) {
    let q = &*f.store;
    let job = q
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1")))
        .await
        .unwrap();
    let claimed = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert!(matches!(
        q.run_now(&Scope::All, job.id).await,
        Err(QueueError::JobRunning(_))
    ));
    q.fail_transient(&claimed[0].lease, &failure("503"))
        .await
        .unwrap();
    assert!(
        q.claim(&Scope::All, &worker("w"), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    q.run_now(&Scope::All, job.id).await.unwrap();
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Retry);
    assert_eq!(stored.run_after, Some(f.clock.now()));
    let again = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(again[0].lease.attempt(), 2);

    // A job in error runs now as a retry.
    q.fail_permanent(&again[0].lease, &failure("no"))
        .await
        .unwrap();
    q.run_now(&Scope::Tenant(tenant("shop")), job.id)
        .await
        .unwrap();
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert!(matches!(
        q.run_now(&Scope::Tenant(tenant("other")), job.id).await,
        Err(QueueError::JobNotFound(_))
    ));
    assert!(matches!(
        q.run_now(&Scope::All, sync_queue::JobId::generate()).await,
        Err(QueueError::JobNotFound(_))
    ));
}

pub async fn bad_arguments_get_typed_errors(f: &Fixture) {
    let q = &*f.store;
    assert!(matches!(
        q.claim(&Scope::All, &worker("w"), 1, Duration::ZERO).await,
        Err(QueueError::InvalidArgument { what: "lease", .. })
    ));
    assert!(
        q.claim(&Scope::All, &worker("w"), 0, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        q.list_jobs(&JobFilter::new(Scope::All), &PageRequest::first(0))
            .await,
        Err(QueueError::InvalidArgument {
            what: "page limit",
            ..
        })
    ));
    assert!(matches!(
        NewJob::parse("shop", "invoice", "1", "upsert", None),
        Err(QueueError::UnknownKind(_))
    ));
    assert!(matches!(
        NewJob::parse("shop", "order", "", "upsert", None),
        Err(QueueError::EmptyId { what: "store id" })
    ));
    assert!(matches!(
        NewJob::parse("shop", "order", "1", "upsert", Some("{oops")),
        Err(QueueError::PayloadNotJson(_))
    ));
    assert!(q.enqueue_many(Vec::new()).await.unwrap().is_empty());
    assert!(
        q.get_job(&Scope::All, sync_queue::JobId::generate())
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn wake_up_in_process(f: &Fixture) {
    let store = f.store.clone();
    let mut signal = store.subscribe();
    // Nothing enqueued: the wait lasts about the poll interval (at most a second).
    let waiter = tokio::spawn(async move {
        let start = std::time::Instant::now();
        signal.wait().await;
        start.elapsed()
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let enqueued_at = std::time::Instant::now();
    f.store
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "1")))
        .await
        .unwrap();
    let waited = waiter.await.unwrap();
    let since_enqueue = enqueued_at.elapsed();
    // Woken by the enqueue, not by the one-second poll.
    assert!(waited < Duration::from_millis(900), "{waited:?}");
    assert!(
        since_enqueue < Duration::from_millis(900),
        "{since_enqueue:?}"
    );

    // claim_or_wait returns the job as soon as a clone of the store enqueues it.
    let store = f.store.clone();
    let mut signal = store.subscribe();
    assert_eq!(
        store
            .claim(&Scope::All, &worker("w"), 10, LEASE)
            .await
            .unwrap()
            .len(),
        1
    );
    let claimer = tokio::spawn(async move {
        store
            .claim_or_wait(
                &mut signal,
                &Scope::All,
                &worker("w"),
                10,
                LEASE,
                Duration::from_secs(30),
            )
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    f.store
        .enqueue(NewJob::upsert(entity("shop", EntityKind::Order, "2")))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), claimer)
        .await
        .expect("claim_or_wait should return once the job is enqueued")
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].job.entity.store_id, StoreId::new("2").unwrap());
}

pub async fn links_record_lookup_and_conflicts(f: &Fixture) {
    let s = &*f.store;
    let c1 = entity("shop", EntityKind::Customer, "1");
    assert!(s.get_link(&c1).await.unwrap().is_none());
    let pushed = Pushed {
        qbo_id: QboId::new("58").unwrap(),
        sync_token: Some(SyncToken::new("0").unwrap()),
        content_hash: Some(sync_queue::ContentHash::new("h1").unwrap()),
    };
    let link = s.record_push(&c1, &pushed).await.unwrap();
    assert_eq!(link.entity, c1);
    assert_eq!(link.qbo_id.as_str(), "58");
    assert!(!link.manual);
    assert_eq!(link.updated_at, f.clock.now());
    assert_eq!(s.get_link(&c1).await.unwrap().as_ref(), Some(&link));
    let found = s
        .find_by_qbo_id(
            &tenant("shop"),
            EntityKind::Customer,
            &QboId::new("58").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&link));
    // Same QBO id, another kind or tenant: a different namespace.
    assert!(
        s.find_by_qbo_id(
            &tenant("shop"),
            EntityKind::Product,
            &QboId::new("58").unwrap()
        )
        .await
        .unwrap()
        .is_none()
    );
    s.record_push(&entity("shop", EntityKind::Product, "1"), &pushed)
        .await
        .unwrap();
    s.record_push(&entity("other", EntityKind::Customer, "9"), &pushed)
        .await
        .unwrap();

    // A later push updates SyncToken and hash.
    f.advance(10);
    let updated = s
        .record_push(
            &c1,
            &Pushed {
                sync_token: Some(SyncToken::new("1").unwrap()),
                content_hash: Some(sync_queue::ContentHash::new("h2").unwrap()),
                ..pushed.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        updated.sync_token.as_ref().map(SyncToken::as_str),
        Some("1")
    );
    assert_eq!(
        s.get_link(&c1).await.unwrap().unwrap().content_hash,
        updated.content_hash
    );
    assert_eq!(updated.updated_at, f.clock.now());

    // A QBO id linked to one store entity cannot be linked to another.
    let c2 = entity("shop", EntityKind::Customer, "2");
    let err = s.record_push(&c2, &pushed).await.unwrap_err();
    assert!(
        matches!(&err, QueueError::LinkConflict { linked_to, kind: EntityKind::Customer, .. } if linked_to.as_str() == "1"),
        "{err:?}"
    );
    assert!(s.get_link(&c2).await.unwrap().is_none());
    // Re-linking an entity to a new QBO id frees the old one.
    s.record_push(
        &c1,
        &Pushed {
            qbo_id: QboId::new("59").unwrap(),
            ..pushed.clone()
        },
    )
    .await
    .unwrap();
    s.record_push(&c2, &pushed).await.unwrap();
    assert_eq!(
        s.find_by_qbo_id(
            &tenant("shop"),
            EntityKind::Customer,
            &QboId::new("58").unwrap()
        )
        .await
        .unwrap()
        .map(|l| l.entity.store_id),
        Some(StoreId::new("2").unwrap())
    );
}

pub async fn manual_links_and_unlink(f: &Fixture) {
    let s = &*f.store;
    let p = entity("shop", EntityKind::Product, "sku-1");
    let manual = s
        .link_manually(&p, &QboId::new("300").unwrap())
        .await
        .unwrap();
    assert!(manual.manual);
    assert_eq!(manual.sync_token, None);
    // A push keeps the manual flag and records the token.
    let pushed = s
        .record_push(
            &p,
            &Pushed {
                qbo_id: QboId::new("300").unwrap(),
                sync_token: Some(SyncToken::new("4").unwrap()),
                content_hash: None,
            },
        )
        .await
        .unwrap();
    assert!(pushed.manual);
    assert_eq!(pushed.sync_token.as_ref().map(SyncToken::as_str), Some("4"));
    // Linking by hand resets what the push knew.
    let relinked = s
        .link_manually(&p, &QboId::new("301").unwrap())
        .await
        .unwrap();
    assert_eq!(relinked.sync_token, None);
    assert!(matches!(
        s.link_manually(
            &entity("shop", EntityKind::Product, "sku-2"),
            &QboId::new("301").unwrap()
        )
        .await,
        Err(QueueError::LinkConflict { .. })
    ));
    assert!(s.unlink(&p).await.unwrap());
    assert!(!s.unlink(&p).await.unwrap());
    assert!(s.get_link(&p).await.unwrap().is_none());
    // The QBO id is free again.
    s.link_manually(
        &entity("shop", EntityKind::Product, "sku-2"),
        &QboId::new("301").unwrap(),
    )
    .await
    .unwrap();
}

pub async fn links_page_in_kind_and_id_order(f: &Fixture) {
    let s = &*f.store;
    let mut expected = Vec::new();
    for kind in EntityKind::ALL {
        for i in 0..7 {
            let id = format!("id-{i:02}");
            s.link_manually(
                &entity("shop", kind, &id),
                &QboId::new(format!("{kind}-{i}")).unwrap(),
            )
            .await
            .unwrap();
            expected.push((kind, id));
        }
    }
    s.link_manually(
        &entity("other", EntityKind::Order, "x"),
        &QboId::new("1").unwrap(),
    )
    .await
    .unwrap();
    expected.sort();
    let mut got = Vec::new();
    let mut after: Option<LinkCursor> = None;
    loop {
        let page = s
            .list_links(&tenant("shop"), None, after.as_ref(), 5)
            .await
            .unwrap();
        got.extend(
            page.iter()
                .map(|l| (l.entity.kind, l.entity.store_id.as_str().to_owned())),
        );
        match page.last() {
            Some(last) if page.len() == 5 => {
                after = Some(LinkCursor {
                    kind: last.entity.kind,
                    store_id: last.entity.store_id.clone(),
                });
            }
            _ => break,
        }
    }
    assert_eq!(got, expected);
    let orders = s
        .list_links(&tenant("shop"), Some(EntityKind::Order), None, 100)
        .await
        .unwrap();
    assert_eq!(orders.len(), 7);
}

pub async fn csv_export_import_round_trip(f: &Fixture) {
    let s = &*f.store;
    s.record_push(
        &entity("shop", EntityKind::Customer, "1"),
        &Pushed {
            qbo_id: QboId::new("58").unwrap(),
            sync_token: Some(SyncToken::new("3").unwrap()),
            content_hash: Some(sync_queue::ContentHash::new("abc").unwrap()),
        },
    )
    .await
    .unwrap();
    s.link_manually(
        &entity("shop", EntityKind::Product, "has,comma \"quoted\""),
        &QboId::new("7").unwrap(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(export_links(s, &tenant("shop"), &mut out).await.unwrap(), 2);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.starts_with("kind,store_id,qbo_id,sync_token,content_hash,manual,updated_at\n"),
        "{text}"
    );

    assert_eq!(
        import_links(s, &tenant("copy"), out.as_slice())
            .await
            .unwrap(),
        2
    );
    let original = s.list_links(&tenant("shop"), None, None, 10).await.unwrap();
    let copy = s.list_links(&tenant("copy"), None, None, 10).await.unwrap();
    assert_eq!(copy.len(), 2);
    for (a, b) in original.iter().zip(&copy) {
        assert_eq!(a.entity.kind, b.entity.kind);
        assert_eq!(a.entity.store_id, b.entity.store_id);
        assert_eq!(a.qbo_id, b.qbo_id);
        assert_eq!(a.sync_token, b.sync_token);
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.manual, b.manual);
    }
    // Importing the same file again replaces, never duplicates.
    assert_eq!(
        import_links(s, &tenant("copy"), out.as_slice())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.list_links(&tenant("copy"), None, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn csv_import_with_one_bad_line_among_1000_changes_nothing(f: &Fixture) {
    let s = &*f.store;
    let existing = entity("shop", EntityKind::Product, "p-0001");
    s.link_manually(&existing, &QboId::new("old").unwrap())
        .await
        .unwrap();
    let mut text = String::from("kind,store_id,qbo_id,sync_token,content_hash,manual\n");
    for i in 1..=1000 {
        let kind = if i == 637 { "invoice" } else { "product" };
        text.push_str(&format!("{kind},p-{i:04},{},0,,true\n", 10_000 + i));
    }
    let err = import_links(s, &tenant("shop"), text.as_bytes())
        .await
        .unwrap_err();
    let lines = err.csv_lines().expect("a line report");
    assert_eq!(lines.len(), 1);
    // Line 1 is the header, so record 637 sits on line 638.
    assert_eq!(lines[0].line, 638);
    assert_eq!(lines[0].problem, LineProblem::UnknownKind("invoice".into()));
    assert!(err.to_string().contains("line 638"), "{err}");
    // Nothing changed: the old link stands, no new link exists.
    let all = s
        .list_links(&tenant("shop"), None, None, 1000)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].qbo_id.as_str(), "old");

    // Fixed, the same file goes in whole (re-linking p-0001 too).
    let fixed = text.replace("invoice,", "product,");
    assert_eq!(
        import_links(s, &tenant("shop"), fixed.as_bytes())
            .await
            .unwrap(),
        1000
    );
    let all = s
        .list_links(&tenant("shop"), None, None, 1000)
        .await
        .unwrap();
    assert_eq!(all.len(), 1000);
    assert_eq!(
        s.get_link(&existing)
            .await
            .unwrap()
            .unwrap()
            .qbo_id
            .as_str(),
        "10001"
    );
}

pub async fn csv_import_conflicts_with_existing_links(f: &Fixture) {
    let s = &*f.store;
    s.link_manually(
        &entity("shop", EntityKind::Customer, "a"),
        &QboId::new("7").unwrap(),
    )
    .await
    .unwrap();
    s.link_manually(
        &entity("shop", EntityKind::Customer, "z"),
        &QboId::new("9").unwrap(),
    )
    .await
    .unwrap();
    let text = "kind,store_id,qbo_id\ncustomer,b,8\ncustomer,c,7\ncustomer,d,9\n";
    let err = import_links(s, &tenant("shop"), text.as_bytes())
        .await
        .unwrap_err();
    let lines = err.csv_lines().expect("a line report");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].line, 3);
    assert_eq!(
        lines[0].problem,
        LineProblem::ConflictsWithExisting {
            linked_to: StoreId::new("a").unwrap()
        }
    );
    assert_eq!(lines[1].line, 4);
    assert!(
        s.get_link(&entity("shop", EntityKind::Customer, "b"))
            .await
            .unwrap()
            .is_none()
    );
    // Moving the QBO id in the same file is fine: `a` is re-linked too.
    let moved = "kind,store_id,qbo_id\ncustomer,c,7\ncustomer,a,70\n";
    assert_eq!(
        import_links(s, &tenant("shop"), moved.as_bytes())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.find_by_qbo_id(
            &tenant("shop"),
            EntityKind::Customer,
            &QboId::new("7").unwrap()
        )
        .await
        .unwrap()
        .map(|l| l.entity.store_id),
        Some(StoreId::new("c").unwrap())
    );
    // Another tenant's links never conflict.
    let other = "kind,store_id,qbo_id\ncustomer,q,9\n";
    assert_eq!(
        import_links(s, &tenant("vendor"), other.as_bytes())
            .await
            .unwrap(),
        1
    );
}

pub async fn csv_wrong_header_is_refused(f: &Fixture) {
    let s = &*f.store;
    let err = import_links(
        s,
        &tenant("shop"),
        "type,store_id,qbo_id\nproduct,1,2\n".as_bytes(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, QueueError::Csv(CsvError::Header(HeaderProblem::UnknownColumn(c))) if c == "type"),
        "{err:?}"
    );
    assert!(
        s.list_links(&tenant("shop"), None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn cursors_per_tenant_and_feed(f: &Fixture) {
    let s = &*f.store;
    let orders = FeedName::new("orders").unwrap();
    let users = FeedName::new("users").unwrap();
    assert!(
        s.get_cursor(&tenant("shop"), &orders)
            .await
            .unwrap()
            .is_none()
    );
    s.set_cursor(&tenant("shop"), &orders, "1767225600")
        .await
        .unwrap();
    s.set_cursor(&tenant("shop"), &users, r#"{"page":3,"hash":"ab"}"#)
        .await
        .unwrap();
    s.set_cursor(&tenant("vendor"), &orders, "5").await.unwrap();
    let got = s
        .get_cursor(&tenant("shop"), &orders)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.value, "1767225600");
    assert_eq!(got.updated_at, f.clock.now());
    f.advance(5);
    s.set_cursor(&tenant("shop"), &orders, "1767225700")
        .await
        .unwrap();
    let got = s
        .get_cursor(&tenant("shop"), &orders)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.value, "1767225700");
    assert_eq!(got.updated_at, f.clock.now());
    assert_eq!(
        s.get_cursor(&tenant("shop"), &users)
            .await
            .unwrap()
            .unwrap()
            .value,
        r#"{"page":3,"hash":"ab"}"#
    );
    assert_eq!(
        s.get_cursor(&tenant("vendor"), &orders)
            .await
            .unwrap()
            .unwrap()
            .value,
        "5"
    );
    // A scan's cursor holds every id of a store: megabytes, which MariaDB's TEXT cannot.
    let big: String = (0..200_000).map(|i| format!("{i:08}:")).collect();
    assert!(big.len() > 1_000_000);
    s.set_cursor(&tenant("vendor"), &users, &big).await.unwrap();
    assert_eq!(
        s.get_cursor(&tenant("vendor"), &users)
            .await
            .unwrap()
            .unwrap()
            .value,
        big
    );
    assert!(s.delete_cursor(&tenant("shop"), &orders).await.unwrap());
    assert!(!s.delete_cursor(&tenant("shop"), &orders).await.unwrap());
    assert!(
        s.get_cursor(&tenant("shop"), &orders)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.get_cursor(&tenant("vendor"), &orders)
            .await
            .unwrap()
            .is_some()
    );
}

/// Whether `signal` holds a wake-up now (polled once: no waiting, no timing).
async fn woken(signal: &mut WorkSignal) -> bool {
    tokio::select! {
        biased;
        () = signal.wait() => true,
        () = std::future::ready(()) => false,
    }
}

pub async fn ack_many_acks_live_leases_and_names_the_lost_ones(f: &Fixture) {
    let q = &*f.store;
    assert_eq!(q.ack_many(&[]).await.unwrap(), Vec::new());
    let entities: Vec<_> = (1..=4)
        .map(|i| entity("shop", EntityKind::Order, &i.to_string()))
        .collect();
    for e in &entities {
        q.enqueue(NewJob::upsert(e.clone())).await.unwrap();
    }
    let batch = q
        .claim(&Scope::All, &worker("w1"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(batch.len(), 4);
    let lease = |i: usize| batch[i].lease.clone();
    // Job 0 was acked already, job 3 failed for good: both leases are spent.
    q.ack(&lease(0)).await.unwrap();
    q.fail_permanent(&lease(3), &failure("Duplicate Name Exists Error"))
        .await
        .unwrap();
    // An older failed job of entity 1, superseded by the change that job 1 carries.
    let p = entity("shop", EntityKind::Product, "9");
    let old = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    let run_old = q
        .claim(&Scope::All, &worker("w1"), 10, LEASE)
        .await
        .unwrap();
    q.enqueue(NewJob::upsert(p)).await.unwrap();
    q.fail_permanent(&run_old[0].lease, &failure("Stale Object Error"))
        .await
        .unwrap();
    let run_new = q
        .claim(&Scope::All, &worker("w1"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(run_new.len(), 1);

    // Live, spent, live (twice), spent, live.
    let lost = q
        .ack_many(&[
            lease(1),
            lease(0),
            lease(2),
            lease(2),
            lease(3),
            run_new[0].lease.clone(),
        ])
        .await
        .unwrap();
    let lost: HashSet<JobId> = lost.into_iter().collect();
    assert_eq!(lost, HashSet::from([batch[0].job.id, batch[3].job.id]));
    for gone in [1, 2] {
        assert!(
            q.get_job(&Scope::All, batch[gone].job.id)
                .await
                .unwrap()
                .is_none()
        );
    }
    // The superseded job left with the ack of its entity's newer job.
    assert!(q.get_job(&Scope::All, old.id).await.unwrap().is_none());
    // The failed job is untouched by the lost lease.
    let failed = q
        .get_job(&Scope::All, batch[3].job.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, JobStatus::Error);
    assert_eq!(
        failed.last_error.map(|e| e.message),
        Some("Duplicate Name Exists Error".to_owned())
    );
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 1);
}

pub async fn ack_many_refuses_a_lease_reclaimed_by_another_worker(f: &Fixture) {
    let q = &*f.store;
    let a = entity("shop", EntityKind::Customer, "1");
    let b = entity("shop", EntityKind::Customer, "2");
    q.enqueue(NewJob::upsert(a)).await.unwrap();
    q.enqueue(NewJob::upsert(b)).await.unwrap();
    let first = q
        .claim(&Scope::All, &worker("w1"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    // w1 keeps job b alive but not job a, which w2 claims once its lease ran out.
    let b_lease = q
        .extend_lease(&first[1].lease, Duration::from_secs(120))
        .await
        .unwrap();
    f.advance(30);
    let second = q
        .claim(&Scope::All, &worker("w2"), 10, LEASE)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].job.id, first[0].job.id);

    let lost = q
        .ack_many(&[first[0].lease.clone(), b_lease])
        .await
        .unwrap();
    assert_eq!(lost, vec![first[0].job.id]);
    assert!(
        q.get_job(&Scope::All, first[1].job.id)
            .await
            .unwrap()
            .is_none()
    );
    let still = q
        .get_job(&Scope::All, first[0].job.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, JobStatus::Running);
    assert_eq!(still.lease.map(|l| l.worker), Some(worker("w2")));

    assert_eq!(
        q.ack_many(&[second[0].lease.clone()]).await.unwrap(),
        Vec::new()
    );
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);
}

pub async fn an_ack_that_frees_the_next_job_wakes_the_workers(f: &Fixture) {
    let q = &*f.store;
    let mut signal = q.subscribe();
    let p = entity("shop", EntityKind::Product, "7");
    q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    // A change while the job runs: a new job that waits behind it.
    q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    assert!(woken(&mut signal).await, "an enqueue wakes");
    assert!(!woken(&mut signal).await, "the wake-up was taken");

    q.ack(&run[0].lease).await.unwrap();
    assert!(
        woken(&mut signal).await,
        "the ack made the next job claimable"
    );

    // The same through ack_many.
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run.len(), 1);
    q.enqueue(NewJob::upsert(p)).await.unwrap();
    assert!(woken(&mut signal).await);
    assert!(
        q.ack_many(&[run[0].lease.clone()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        woken(&mut signal).await,
        "ack_many made the next job claimable"
    );

    // An ack with nothing behind it wakes nobody.
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run.len(), 1);
    q.ack(&run[0].lease).await.unwrap();
    assert!(!woken(&mut signal).await);
}

pub async fn a_job_whose_last_lease_ran_out_goes_to_error_at_claim_time(f: &Fixture) {
    let q = &*f.store;
    let p = entity("shop", EntityKind::Product, "31");
    let job = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    // Three workers die holding it (the contract's limit is 3 attempts).
    let mut leases = Vec::new();
    for attempt in 1..=3 {
        let batch = q
            .claim(&Scope::All, &worker(&format!("dies-{attempt}")), 10, LEASE)
            .await
            .unwrap();
        assert_eq!(batch.len(), 1);
        assert_eq!(batch[0].lease.attempt(), attempt);
        leases.push(batch[0].lease.clone());
        f.advance(30);
    }
    // The third lease ran out: no fourth claim, the job is in error for the operator.
    assert!(
        q.claim(&Scope::All, &worker("w"), 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Error);
    assert_eq!(stored.attempts, 3);
    assert_eq!(stored.lease, None);
    assert_eq!(stored.run_after, None);
    assert!(!stored.superseded);
    let error = stored.last_error.unwrap();
    assert_eq!(error.message, "no result after 3 leases");
    assert_eq!(error.code, None);
    assert_eq!(error.at, f.clock.now());
    assert!(matches!(
        q.ack(&leases[2]).await,
        Err(QueueError::LeaseLost(_))
    ));
    // A new change revives it, as for any job in error.
    let again = q.enqueue(NewJob::upsert(p.clone())).await.unwrap();
    assert!(again.coalesced && again.id == job.id);

    // With a newer change waiting behind the dead worker's job, the spent job is
    // superseded and the newer one runs.
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run.len(), 1);
    f.advance(30);
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run.len(), 1);
    let newer = q.enqueue(NewJob::upsert(p)).await.unwrap();
    assert_ne!(newer.id, job.id);
    f.advance(30);
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(run.len(), 1);
    f.advance(30);
    let mut signal = q.subscribe();
    assert!(
        q.claim(&Scope::All, &worker("w"), 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(woken(&mut signal).await, "the newer job became claimable");
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Error);
    assert!(stored.superseded);
    let next = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].job.id, newer.id);
    q.ack(&next[0].lease).await.unwrap();
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 0);
}

fn lease_name(name: &str) -> LeaseName {
    LeaseName::new(name).unwrap()
}

pub async fn named_lease_has_one_holder_when_two_race(f: &Fixture) {
    let q = &*f.store;
    let ttl = Duration::from_secs(30);
    for round in 0..5 {
        let name = lease_name(&format!("poll:shop:cscart.orders:{round}"));
        let (host_a, host_b) = (worker("host-a"), worker("host-b"));
        let (a, b) = tokio::join!(
            q.try_acquire(&name, &host_a, ttl),
            q.try_acquire(&name, &host_b, ttl),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a != b, "exactly one holder, got a={a} b={b}");
        let (winner, loser) = if a {
            (worker("host-a"), worker("host-b"))
        } else {
            (worker("host-b"), worker("host-a"))
        };
        // The holder keeps it (and may renew it); the other still cannot take it.
        assert!(q.try_acquire(&name, &winner, ttl).await.unwrap());
        assert!(!q.try_acquire(&name, &loser, ttl).await.unwrap());
    }
    // Names are independent, and compare exactly.
    assert!(
        q.try_acquire(
            &lease_name("poll:shop:cscart.products"),
            &worker("host-b"),
            ttl
        )
        .await
        .unwrap()
    );
    assert!(
        q.try_acquire(
            &lease_name("POLL:shop:cscart.products"),
            &worker("host-a"),
            ttl
        )
        .await
        .unwrap()
    );
    assert!(matches!(
        q.try_acquire(&lease_name("x"), &worker("host-a"), Duration::ZERO)
            .await,
        Err(QueueError::InvalidArgument { what: "ttl", .. })
    ));
    assert!(LeaseName::new("").is_err());
    assert!(LeaseName::new(" poll").is_err());
}

pub async fn named_lease_expiry_hands_it_over(f: &Fixture) {
    let q = &*f.store;
    let name = lease_name("poll:shop:cscart.orders");
    let ttl = Duration::from_secs(30);
    assert!(q.try_acquire(&name, &worker("a"), ttl).await.unwrap());
    f.advance(29);
    assert!(!q.try_acquire(&name, &worker("b"), ttl).await.unwrap());
    // Renewing moves the expiry to 30 s from now.
    assert!(q.try_acquire(&name, &worker("a"), ttl).await.unwrap());
    f.advance(29);
    assert!(!q.try_acquire(&name, &worker("b"), ttl).await.unwrap());
    f.advance(1);
    // a stalled: exactly at expiry the lease passes to b.
    assert!(q.try_acquire(&name, &worker("b"), ttl).await.unwrap());
    assert!(!q.try_acquire(&name, &worker("a"), ttl).await.unwrap());
    assert!(!q.release_lease(&name, &worker("a")).await.unwrap());
    assert!(!q.try_acquire(&name, &worker("c"), ttl).await.unwrap());
}

pub async fn named_lease_release_by_a_non_holder_is_refused(f: &Fixture) {
    let q = &*f.store;
    let name = lease_name("poll:vendor-2:cscart.products");
    let ttl = Duration::from_secs(30);
    assert!(
        !q.release_lease(&name, &worker("a")).await.unwrap(),
        "nobody holds it"
    );
    assert!(q.try_acquire(&name, &worker("a"), ttl).await.unwrap());
    assert!(!q.release_lease(&name, &worker("b")).await.unwrap());
    assert!(!q.try_acquire(&name, &worker("b"), ttl).await.unwrap());
    assert!(q.release_lease(&name, &worker("a")).await.unwrap());
    assert!(
        !q.release_lease(&name, &worker("a")).await.unwrap(),
        "released once"
    );
    // Free again: the next holder takes it at once.
    assert!(q.try_acquire(&name, &worker("b"), ttl).await.unwrap());
}

pub async fn payloads_and_cursors_over_64_kib_round_trip(f: &Fixture) {
    let q = &*f.store;
    // 200 KiB of JSON: a product snapshot with many variants, say.
    let big = format!(
        r#"{{"description":"{}"}}"#,
        "é0123456789".repeat(200 * 1024 / 12)
    );
    assert!(big.len() > 200 * 1024);
    let p = entity("shop", EntityKind::Product, "big");
    let job = q
        .enqueue(NewJob::upsert(p.clone()).with_payload(payload(&big)))
        .await
        .unwrap();
    let stored = q.get_job(&Scope::All, job.id).await.unwrap().unwrap();
    assert_eq!(
        stored.payload.as_ref().map(JobPayload::as_str),
        Some(big.as_str())
    );
    let batch = q.claim(&Scope::All, &worker("w"), 1, LEASE).await.unwrap();
    assert_eq!(
        batch[0].job.payload.as_ref().map(JobPayload::as_str),
        Some(big.as_str())
    );
    // A newer big payload while it runs, and one folded into that.
    let newer = format!("{big}\n");
    let many = q
        .enqueue_many(vec![
            NewJob::upsert(p.clone()).with_payload(payload(&big)),
            NewJob::upsert(p).with_payload(payload(&newer)),
        ])
        .await
        .unwrap();
    let next = q.get_job(&Scope::All, many[1].id).await.unwrap().unwrap();
    assert_eq!(
        next.payload.as_ref().map(JobPayload::as_str),
        Some(newer.as_str())
    );
    q.ack(&batch[0].lease).await.unwrap();

    let feed = FeedName::new("products.scan").unwrap();
    q.set_cursor(&tenant("shop"), &feed, &big).await.unwrap();
    let cursor = q.get_cursor(&tenant("shop"), &feed).await.unwrap().unwrap();
    assert_eq!(cursor.value, big);
}

pub async fn enqueue_many_folds_as_one_by_one_would(f: &Fixture) {
    let q = &*f.store;
    // B runs, C is in error.
    let b = entity("shop", EntityKind::Product, "b");
    let c = entity("shop", EntityKind::Product, "c");
    let b_job = q.enqueue(NewJob::upsert(b.clone())).await.unwrap();
    let run = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    let c_job = q.enqueue(NewJob::upsert(c.clone())).await.unwrap();
    let run_c = q.claim(&Scope::All, &worker("w"), 10, LEASE).await.unwrap();
    q.fail_permanent(&run_c[0].lease, &failure("6000"))
        .await
        .unwrap();
    f.advance(1);

    let a = entity("shop", EntityKind::Customer, "a");
    let mut jobs = vec![
        NewJob::upsert(a.clone()).with_payload(payload(r#"{"v":1}"#)),
        NewJob::upsert(b.clone()).with_payload(payload(r#"{"v":1}"#)),
        NewJob::delete(a.clone()).with_payload(payload(r#"{"gone":1}"#)),
        NewJob::upsert(c.clone()).with_payload(payload(r#"{"v":1}"#)),
        NewJob::upsert(b.clone()).with_payload(payload(r#"{"v":2}"#)),
        NewJob::upsert(a.clone()).with_payload(payload(r#"{"v":3}"#)),
    ];
    // Enough distinct entities to take more than one statement.
    for i in 0..2500 {
        jobs.push(NewJob::upsert(entity(
            "vendor",
            EntityKind::Order,
            &i.to_string(),
        )));
    }
    let done = q.enqueue_many(jobs).await.unwrap();
    assert_eq!(done.len(), 2506);
    // A: new, then folded (the delete wins, with its payload).
    assert!(!done[0].coalesced);
    assert!(done[2].coalesced && done[2].id == done[0].id);
    assert!(done[5].coalesced && done[5].id == done[0].id);
    let a_job = q.get_job(&Scope::All, done[0].id).await.unwrap().unwrap();
    assert_eq!(a_job.action, Action::Delete);
    assert_eq!(
        a_job.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"gone":1}"#)
    );
    // B runs: a new job waits behind it, carrying the newest change.
    assert!(!done[1].coalesced);
    assert_ne!(done[1].id, b_job.id);
    assert!(done[4].coalesced && done[4].id == done[1].id);
    let b_next = q.get_job(&Scope::All, done[1].id).await.unwrap().unwrap();
    assert_eq!(
        b_next.payload.as_ref().map(JobPayload::as_str),
        Some(r#"{"v":2}"#)
    );
    // C was in error: revived.
    assert!(done[3].coalesced && done[3].id == c_job.id);
    let c_now = q.get_job(&Scope::All, c_job.id).await.unwrap().unwrap();
    assert_eq!(c_now.status, JobStatus::Pending);
    assert_eq!(c_now.attempts, 0);
    assert_eq!(c_now.run_after, Some(f.clock.now()));
    // Every distinct entity got its own new job.
    let distinct: HashSet<JobId> = done[6..].iter().map(|d| d.id).collect();
    assert_eq!(distinct.len(), 2500);
    assert!(done[6..].iter().all(|d| !d.coalesced));
    let stats = q.stats(&Scope::Tenant(tenant("vendor"))).await.unwrap();
    assert_eq!(stats.count(JobStatus::Pending), 2500);
    // And again: all fold into the waiting jobs.
    let again = q
        .enqueue_many(
            (0..2500)
                .map(|i| NewJob::upsert(entity("vendor", EntityKind::Order, &i.to_string())))
                .collect(),
        )
        .await
        .unwrap();
    assert!(
        again
            .iter()
            .zip(&done[6..])
            .all(|(x, y)| x.coalesced && x.id == y.id)
    );
    q.ack(&run[0].lease).await.unwrap();
    assert_eq!(q.stats(&Scope::All).await.unwrap().total(), 2503);
}
