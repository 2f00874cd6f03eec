//! What every [`TokenStore`] does, whatever it keeps its rows in.
//!
//! Each check takes an empty store. Instants are whole microseconds, the precision the
//! database stores keep.

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use qbo_api::RealmId;
use qbo_auth::{
    ConnectionStatus, RefreshLease, StoreError, StoredTokens, TenantId, TokenSet, TokenStore,
};
use secrecy::{ExposeSecret as _, SecretString};

pub fn tenant(id: &str) -> TenantId {
    TenantId::new(id).unwrap()
}

/// A fixed instant with a fraction of a second, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
        + TimeDelta::microseconds(123_456)
        + TimeDelta::minutes(minutes)
}

/// Tokens no other call returns (both tokens carry a random part).
pub fn tokens(tag: &str) -> TokenSet {
    let random = uuid::Uuid::new_v4().simple().to_string();
    TokenSet {
        realm_id: RealmId::new("9130357766908452").unwrap(),
        access_token: SecretString::from(format!(
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.{tag}-access-{random}"
        )),
        access_expires_at: at(60),
        refresh_token: SecretString::from(format!("RT1-{tag}-refresh-{random}")),
        refresh_expires_at: at(101 * 24 * 60),
        refresh_hard_expires_at: Some(at(5 * 365 * 24 * 60)),
        obtained_at: at(0),
    }
}

pub fn lease(holder: &str, minutes: i64) -> RefreshLease {
    RefreshLease {
        holder: holder.to_owned(),
        until: at(minutes),
    }
}

pub fn assert_tokens_eq(got: &TokenSet, want: &TokenSet) {
    assert_eq!(got.realm_id, want.realm_id);
    assert_eq!(
        got.access_token.expose_secret(),
        want.access_token.expose_secret()
    );
    assert_eq!(got.access_expires_at, want.access_expires_at);
    assert_eq!(
        got.refresh_token.expose_secret(),
        want.refresh_token.expose_secret()
    );
    assert_eq!(got.refresh_expires_at, want.refresh_expires_at);
    assert_eq!(got.refresh_hard_expires_at, want.refresh_hard_expires_at);
    assert_eq!(got.obtained_at, want.obtained_at);
}

pub async fn load(store: &dyn TokenStore, t: &TenantId) -> StoredTokens {
    store
        .load(t)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{t} has no row"))
}

#[track_caller]
fn assert_conflict(result: Result<u64, StoreError>, t: &TenantId, expected: Option<u64>) {
    match result {
        Err(StoreError::Conflict {
            tenant,
            expected: got,
        }) => {
            assert_eq!(&tenant, t);
            assert_eq!(got, expected);
        }
        other => panic!("expected a conflict on {t} at {expected:?}, got {other:?}"),
    }
}

pub async fn round_trip_every_field(store: &dyn TokenStore) {
    let t = tenant("shop");
    assert!(store.load(&t).await.unwrap().is_none());

    let first = tokens("first");
    assert_eq!(store.save(&t, &first, None).await.unwrap(), 1);
    let row = load(store, &t).await;
    assert_tokens_eq(&row.tokens, &first);
    assert_eq!(row.version, 1);
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.refresh_lease, None);

    // Another company, no hard expiry, other instants.
    let second = TokenSet {
        realm_id: RealmId::new("4620816365001234567").unwrap(),
        access_expires_at: at(120),
        refresh_expires_at: at(200_000),
        refresh_hard_expires_at: None,
        obtained_at: at(61),
        ..tokens("second")
    };
    assert_eq!(store.save(&t, &second, Some(1)).await.unwrap(), 2);
    let row = load(store, &t).await;
    assert_tokens_eq(&row.tokens, &second);
    assert_eq!(row.version, 2);
}

pub async fn odd_and_long_tokens_round_trip(store: &dyn TokenStore) {
    let t = tenant("vendor:17");
    let long: String = (0..4096u32)
        .map(|i| char::from(b'!' + u8::try_from(i % 94).unwrap()))
        .collect();
    let set = TokenSet {
        access_token: SecretString::from(long.clone()),
        refresh_token: SecretString::from(format!(
            "quote\" backslash\\ newline\n tab\t unicode é ✓ {long}"
        )),
        ..tokens("odd")
    };
    store.save(&t, &set, None).await.unwrap();
    assert_tokens_eq(&load(store, &t).await.tokens, &set);

    let empty = TokenSet {
        access_token: SecretString::from(""),
        refresh_token: SecretString::from(""),
        ..tokens("empty")
    };
    store.save(&t, &empty, Some(1)).await.unwrap();
    assert_tokens_eq(&load(store, &t).await.tokens, &empty);
}

pub async fn first_save_conflicts_when_a_row_exists(store: &dyn TokenStore) {
    let t = tenant("shop");
    let first = tokens("first");
    store.save(&t, &first, None).await.unwrap();
    assert_conflict(store.save(&t, &tokens("second"), None).await, &t, None);
    // The row is untouched.
    let row = load(store, &t).await;
    assert_tokens_eq(&row.tokens, &first);
    assert_eq!(row.version, 1);
}

pub async fn stale_save_conflicts(store: &dyn TokenStore) {
    let t = tenant("shop");
    // No row yet: any expected version is stale.
    assert_conflict(store.save(&t, &tokens("x"), Some(1)).await, &t, Some(1));
    assert!(store.load(&t).await.unwrap().is_none());

    store.save(&t, &tokens("first"), None).await.unwrap();
    let second = tokens("second");
    assert_eq!(store.save(&t, &second, Some(1)).await.unwrap(), 2);
    // (Not u64::MAX: the memory store computes `expected + 1` before comparing.)
    for stale in [0, 1, 3, 1 << 63] {
        assert_conflict(
            store.save(&t, &tokens("stale"), Some(stale)).await,
            &t,
            Some(stale),
        );
    }
    let row = load(store, &t).await;
    assert_tokens_eq(&row.tokens, &second);
    assert_eq!(row.version, 2);
}

pub async fn stale_begin_refresh_conflicts(store: &dyn TokenStore) {
    let t = tenant("shop");
    assert_conflict(
        store.begin_refresh(&t, 1, &lease("a", 1)).await,
        &t,
        Some(1),
    );
    assert!(store.load(&t).await.unwrap().is_none());

    store.save(&t, &tokens("first"), None).await.unwrap();
    assert_eq!(store.begin_refresh(&t, 1, &lease("a", 1)).await.unwrap(), 2);
    // The loser of the race names the version both saw.
    assert_conflict(
        store.begin_refresh(&t, 1, &lease("b", 2)).await,
        &t,
        Some(1),
    );
    assert_conflict(
        store.begin_refresh(&t, u64::MAX, &lease("b", 2)).await,
        &t,
        Some(u64::MAX),
    );
    let row = load(store, &t).await;
    assert_eq!(row.version, 2);
    assert_eq!(row.refresh_lease, Some(lease("a", 1)));
}

pub async fn stale_set_status_conflicts(store: &dyn TokenStore) {
    let t = tenant("shop");
    let broken = ConnectionStatus::ReconnectRequired {
        reason: "invalid_grant".to_owned(),
    };
    assert_conflict(store.set_status(&t, &broken, 1).await, &t, Some(1));
    assert!(store.load(&t).await.unwrap().is_none());

    store.save(&t, &tokens("first"), None).await.unwrap();
    assert_conflict(store.set_status(&t, &broken, 2).await, &t, Some(2));
    assert_conflict(store.set_status(&t, &broken, 0).await, &t, Some(0));
    let row = load(store, &t).await;
    assert_eq!(row.version, 1);
    assert_eq!(row.status, ConnectionStatus::Connected);
}

pub async fn every_write_bumps_the_version(store: &dyn TokenStore) {
    let t = tenant("shop");
    assert_eq!(store.save(&t, &tokens("a"), None).await.unwrap(), 1);
    assert_eq!(
        store.begin_refresh(&t, 1, &lease("me", 1)).await.unwrap(),
        2
    );
    assert_eq!(load(store, &t).await.version, 2);
    assert_eq!(store.save(&t, &tokens("b"), Some(2)).await.unwrap(), 3);
    assert_eq!(
        store
            .set_status(&t, &ConnectionStatus::Connected, 3)
            .await
            .unwrap(),
        4
    );
    assert_eq!(load(store, &t).await.version, 4);
    // Writing the same thing again still counts.
    assert_eq!(
        store
            .set_status(&t, &ConnectionStatus::Connected, 4)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        store.begin_refresh(&t, 5, &lease("me", 1)).await.unwrap(),
        6
    );
    assert_eq!(
        store.begin_refresh(&t, 6, &lease("me", 1)).await.unwrap(),
        7
    );
    assert_eq!(load(store, &t).await.version, 7);
}

pub async fn lease_is_stored_and_cleared_by_save(store: &dyn TokenStore) {
    let t = tenant("shop");
    let original = tokens("original");
    store.save(&t, &original, None).await.unwrap();
    let taken = lease("manager-7f3a on host-1", 2);
    assert_eq!(store.begin_refresh(&t, 1, &taken).await.unwrap(), 2);
    let row = load(store, &t).await;
    assert_eq!(row.refresh_lease, Some(taken));
    // Taking the lease leaves tokens and status alone.
    assert_tokens_eq(&row.tokens, &original);
    assert_eq!(row.status, ConnectionStatus::Connected);

    // A second lease on the current version replaces the first.
    let again = lease("manager-b", 3);
    assert_eq!(store.begin_refresh(&t, 2, &again).await.unwrap(), 3);
    assert_eq!(load(store, &t).await.refresh_lease, Some(again));

    let refreshed = tokens("refreshed");
    assert_eq!(store.save(&t, &refreshed, Some(3)).await.unwrap(), 4);
    let row = load(store, &t).await;
    assert_eq!(row.refresh_lease, None);
    assert_tokens_eq(&row.tokens, &refreshed);
}

pub async fn lease_is_cleared_by_set_status(store: &dyn TokenStore) {
    let t = tenant("shop");
    let original = tokens("original");
    store.save(&t, &original, None).await.unwrap();
    store.begin_refresh(&t, 1, &lease("a", 1)).await.unwrap();
    let broken = ConnectionStatus::ReconnectRequired {
        reason: "refresh token revoked".to_owned(),
    };
    assert_eq!(store.set_status(&t, &broken, 2).await.unwrap(), 3);
    let row = load(store, &t).await;
    assert_eq!(row.refresh_lease, None);
    assert_eq!(row.status, broken);
    assert_tokens_eq(&row.tokens, &original);

    store.begin_refresh(&t, 3, &lease("b", 1)).await.unwrap();
    assert_eq!(
        store
            .set_status(&t, &ConnectionStatus::Connected, 4)
            .await
            .unwrap(),
        5
    );
    let row = load(store, &t).await;
    assert_eq!(row.refresh_lease, None);
    assert_eq!(row.status, ConnectionStatus::Connected);
}

pub async fn status_round_trips(store: &dyn TokenStore) {
    let t = tenant("shop");
    store.save(&t, &tokens("a"), None).await.unwrap();
    let mut version = 1;
    for reason in [
        "QBO refused the refresh token (invalid_grant): connect again",
        "",
        "quote\" apostrophe' backslash\\ ünïcödé ✓\nsecond line",
    ] {
        let status = ConnectionStatus::ReconnectRequired {
            reason: reason.to_owned(),
        };
        version = store.set_status(&t, &status, version).await.unwrap();
        assert_eq!(load(store, &t).await.status, status);
    }
    version = store
        .set_status(&t, &ConnectionStatus::Connected, version)
        .await
        .unwrap();
    assert_eq!(load(store, &t).await.status, ConnectionStatus::Connected);

    // A save (a new connect) makes the tenant connected again.
    let broken = ConnectionStatus::ReconnectRequired {
        reason: "invalid_grant".to_owned(),
    };
    version = store.set_status(&t, &broken, version).await.unwrap();
    store.save(&t, &tokens("b"), Some(version)).await.unwrap();
    assert_eq!(load(store, &t).await.status, ConnectionStatus::Connected);
}

pub async fn delete_removes_the_row(store: &dyn TokenStore) {
    let t = tenant("shop");
    let other = tenant("other");
    assert!(!store.delete(&t).await.unwrap());
    store.save(&t, &tokens("a"), None).await.unwrap();
    store.save(&other, &tokens("b"), None).await.unwrap();
    store.begin_refresh(&t, 1, &lease("a", 1)).await.unwrap();

    assert!(store.delete(&t).await.unwrap());
    assert!(store.load(&t).await.unwrap().is_none());
    assert!(!store.delete(&t).await.unwrap());
    assert_eq!(store.tenants().await.unwrap(), std::slice::from_ref(&other));
    // Writes against the deleted row conflict; a new connect starts again at 1.
    assert_conflict(store.save(&t, &tokens("c"), Some(2)).await, &t, Some(2));
    assert_conflict(
        store.begin_refresh(&t, 2, &lease("a", 1)).await,
        &t,
        Some(2),
    );
    assert_conflict(
        store.set_status(&t, &ConnectionStatus::Connected, 2).await,
        &t,
        Some(2),
    );
    assert_eq!(store.save(&t, &tokens("d"), None).await.unwrap(), 1);
    assert_eq!(load(store, &other).await.version, 1);
}

pub async fn tenants_are_listed_sorted(store: &dyn TokenStore) {
    assert!(store.tenants().await.unwrap().is_empty());
    let ids = [
        "vendor:17",
        "shop",
        "Shop",
        "SHOP",
        "a.b-c_d",
        "vendor:2",
        "0",
        "zz",
        "Zebra",
    ];
    for id in ids {
        store.save(&tenant(id), &tokens(id), None).await.unwrap();
    }
    let mut want: Vec<TenantId> = ids.iter().map(|id| tenant(id)).collect();
    want.sort();
    assert_eq!(store.tenants().await.unwrap(), want);
    // Tenants differing only in case are different rows.
    assert_ne!(
        load(store, &tenant("shop"))
            .await
            .tokens
            .access_token
            .expose_secret(),
        load(store, &tenant("Shop"))
            .await
            .tokens
            .access_token
            .expose_secret()
    );
    assert!(store.delete(&tenant("Shop")).await.unwrap());
    assert!(store.load(&tenant("shop")).await.unwrap().is_some());
    want.retain(|t| t.as_str() != "Shop");
    assert_eq!(store.tenants().await.unwrap(), want);
}

pub async fn tenants_are_independent(store: &dyn TokenStore) {
    let a = tenant("a");
    let b = tenant("b");
    let tokens_b = tokens("b");
    store.save(&a, &tokens("a"), None).await.unwrap();
    store.save(&b, &tokens_b, None).await.unwrap();
    store.save(&a, &tokens("a2"), Some(1)).await.unwrap();
    store.begin_refresh(&a, 2, &lease("x", 1)).await.unwrap();
    store
        .set_status(
            &a,
            &ConnectionStatus::ReconnectRequired {
                reason: "r".to_owned(),
            },
            3,
        )
        .await
        .unwrap();
    let row = load(store, &b).await;
    assert_eq!(row.version, 1);
    assert_eq!(row.status, ConnectionStatus::Connected);
    assert_eq!(row.refresh_lease, None);
    assert_tokens_eq(&row.tokens, &tokens_b);
    // b's version 1 is not a's.
    assert_conflict(store.save(&a, &tokens("late"), Some(1)).await, &a, Some(1));
}
