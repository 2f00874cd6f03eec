//! Integration tests: one contract suite run unchanged against every backend (memory,
//! SQLite, PostgreSQL, MariaDB), plus database-only tests (concurrency, dead workers,
//! migrations, connection settings).
//!
//! Database tests need `QBO_SYNC_TEST_POSTGRES_URL` and `QBO_SYNC_TEST_MYSQL_URL` (see
//! the `test-db` crate); each test gets its own database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod contract;
mod database;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone as _, Utc};
use sync_queue::{
    EntityKind, EntityRef, ManualClock, MemoryStore, QueueConfig, RetryPolicy, SeaOrmStore,
    StoreId, SyncStore, TenantId, WorkerId,
};
use test_db::{Backend, TestDb};

/// The retry policy of the contract: 3 attempts, 10 s then 20 s (before jitter), capped at
/// one minute.
pub(crate) const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_secs(10),
    max_delay: Duration::from_secs(60),
};

/// A store under test, its clock, and its database (kept alive for the test).
#[derive(Debug)]
pub(crate) struct Fixture {
    /// The store.
    pub(crate) store: Arc<dyn SyncStore>,
    /// Its clock.
    pub(crate) clock: ManualClock,
    /// Its database, dropped (with the store) when the test ends.
    pub(crate) _db: Option<TestDb>,
}

impl Fixture {
    fn config(clock: &ManualClock) -> QueueConfig {
        QueueConfig::default()
            .with_clock(clock.clone())
            .with_retry(RETRY)
    }

    fn clock() -> ManualClock {
        ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap())
    }

    /// An in-memory store.
    pub(crate) async fn memory() -> Fixture {
        let clock = Self::clock();
        Fixture {
            store: Arc::new(MemoryStore::new(Self::config(&clock))),
            clock,
            _db: None,
        }
    }

    /// A SeaORM store on a fresh database.
    pub(crate) async fn database(backend: Backend) -> Fixture {
        let db = TestDb::new(backend).await;
        let clock = Self::clock();
        let store = SeaOrmStore::connect(db.url(), Self::config(&clock))
            .await
            .unwrap();
        Fixture {
            store: Arc::new(store),
            clock,
            _db: Some(db),
        }
    }

    /// Moves the store's clock forward.
    pub(crate) fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// A tenant id.
pub(crate) fn tenant(name: &str) -> TenantId {
    TenantId::new(name).unwrap()
}

/// An entity reference.
pub(crate) fn entity(tenant_name: &str, kind: EntityKind, store_id: &str) -> EntityRef {
    EntityRef::new(tenant(tenant_name), kind, StoreId::new(store_id).unwrap())
}

/// A worker id.
pub(crate) fn worker(name: &str) -> WorkerId {
    WorkerId::new(name).unwrap()
}

/// Expands every contract test for one backend, in a module named after it.
macro_rules! backend_suite {
    ($module:ident, $fixture:expr; $($test:ident),* $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let fixture = $fixture.await;
                    crate::contract::$test(&fixture).await;
                }
            )*
        }
    };
}

/// The contract suite, on all four backends.
macro_rules! contract_suite {
    ($($test:ident),* $(,)?) => {
        backend_suite!(memory, Fixture::memory(); $($test),*);
        backend_suite!(sqlite, Fixture::database(Backend::Sqlite); $($test),*);
        backend_suite!(postgres, Fixture::database(Backend::Postgres); $($test),*);
        backend_suite!(mariadb, Fixture::database(Backend::MySql); $($test),*);
    };
}

contract_suite!(
    enqueue_claim_ack_round_trip,
    coalescing_keeps_one_waiting_job_per_entity,
    delete_wins_in_either_order,
    enqueue_while_running_waits_behind_the_running_job,
    expired_lease_is_reclaimed_and_the_old_holder_is_locked_out,
    extended_lease_is_not_reclaimed,
    transient_failure_backs_off_with_jitter,
    retry_after_is_honoured,
    retry_limit_turns_into_error,
    permanent_failure_keeps_the_reason_until_a_new_change_revives_it,
    failure_while_a_newer_change_waits_is_superseded,
    release_gives_the_job_back_without_counting_the_attempt,
    paused_tenants_are_not_claimed,
    scoped_claims_take_only_that_tenant,
    claim_batches_take_the_oldest_due_first,
    list_filters_and_keyset_paging,
    stats_count_by_status_and_kind,
    delete_one_job,
    delete_all_errors,
    clear_a_tenant,
    retry_one_and_all_errors,
    run_one_now,
    bad_arguments_get_typed_errors,
    wake_up_in_process,
    links_record_lookup_and_conflicts,
    manual_links_and_unlink,
    links_page_in_kind_and_id_order,
    csv_export_import_round_trip,
    csv_import_with_one_bad_line_among_1000_changes_nothing,
    csv_import_conflicts_with_existing_links,
    csv_wrong_header_is_refused,
    cursors_per_tenant_and_feed,
    ack_many_acks_live_leases_and_names_the_lost_ones,
    ack_many_refuses_a_lease_reclaimed_by_another_worker,
    an_ack_that_frees_the_next_job_wakes_the_workers,
    a_job_whose_last_lease_ran_out_goes_to_error_at_claim_time,
    named_lease_has_one_holder_when_two_race,
    named_lease_expiry_hands_it_over,
    named_lease_release_by_a_non_holder_is_refused,
    payloads_and_cursors_over_64_kib_round_trip,
    enqueue_many_folds_as_one_by_one_would,
);
