//! The [`TokenStore`](qbo_auth::TokenStore) contract, run against the memory store and
//! the SeaORM store on SQLite, PostgreSQL and MariaDB, plus the SeaORM store's own tests
//! (encryption at rest, keys, races).
//!
//! The SeaORM parts need `--features seaorm` and the database servers of
//! `QBO_SYNC_TEST_POSTGRES_URL` and `QBO_SYNC_TEST_MYSQL_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "store/contract.rs"]
mod contract;
#[cfg(feature = "seaorm")]
#[path = "store/sea.rs"]
mod sea;

/// One test per contract check and store, one per SeaORM check and backend.
macro_rules! suites {
    (contract: [$($c:ident),* $(,)?], sea: [$($s:ident),* $(,)?] $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $c() {
                    crate::contract::$c(&qbo_auth::MemoryTokenStore::new()).await;
                }
            )*
        }
        #[cfg(feature = "seaorm")]
        mod sqlite {
            suites!(@backend Sqlite, [$($c),*], [$($s),*]);
        }
        #[cfg(feature = "seaorm")]
        mod postgres {
            suites!(@backend Postgres, [$($c),*], [$($s),*]);
        }
        #[cfg(feature = "seaorm")]
        mod mariadb {
            suites!(@backend MySql, [$($c),*], [$($s),*]);
        }
    };
    (@backend $backend:ident, [$($c:ident),*], [$($s:ident),*]) => {
        $(
            #[tokio::test]
            async fn $c() {
                let (_db, store) = crate::sea::open(test_db::Backend::$backend).await;
                crate::contract::$c(&store).await;
            }
        )*
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $s() {
                crate::sea::$s(test_db::Backend::$backend).await;
            }
        )*
    };
}

suites! {
    contract: [
        round_trip_every_field,
        odd_and_long_tokens_round_trip,
        first_save_conflicts_when_a_row_exists,
        stale_save_conflicts,
        stale_begin_refresh_conflicts,
        stale_set_status_conflicts,
        every_write_bumps_the_version,
        lease_is_stored_and_cleared_by_save,
        lease_is_cleared_by_set_status,
        status_round_trips,
        delete_removes_the_row,
        tenants_are_listed_sorted,
        tenants_are_independent,
    ],
    sea: [
        raw_row_holds_no_plain_token,
        wrong_or_unknown_key_fails_clearly,
        ciphertext_is_bound_to_tenant_and_realm,
        rotation_reads_old_key_and_rewrites_with_current,
        racing_begin_refresh_has_one_winner,
        racing_first_saves_have_one_winner,
        racing_saves_have_one_winner,
        concurrent_connects_migrate_once,
        reopening_keeps_the_rows,
        damaged_rows_fail_clearly,
        instants_are_kept_to_the_microsecond,
    ],
}
