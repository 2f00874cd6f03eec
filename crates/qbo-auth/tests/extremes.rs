//! Numbers from outside never panic: the expiry fields of a token answer at any value
//! Intuit (or something pretending to be it) could send, and retry backoff at any setting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use qbo_api::RealmId;
use qbo_auth::clock::{Clock as _, ManualClock};
use qbo_auth::{
    AuthError, CallbackParams, Endpoints, ManagerConfig, MemoryTokenStore, OAuthConfig, TenantId,
    TokenManager, TokenSet, TokenStore,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Extreme JSON numbers, as raw text.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551615",
    "99999999999999999999999999999",
    "79228162514264337593543950335",
    "1e20",
    "1e28",
    "1E+400",
    "-1e20",
    "3600.5",
];

const FIELDS: &[&str] = &[
    "expires_in",
    "x_refresh_token_expires_in",
    "x_refresh_token_hard_expires_in",
];

fn oauth(server: &MockServer) -> OAuthConfig {
    OAuthConfig::new(
        "client-id",
        "client-secret".into(),
        "https://shop.example/cb",
    )
    .unwrap()
    .with_endpoints(Endpoints::under(&server.uri()).unwrap())
}

fn body(field: &str, value: &str) -> String {
    let mut fields = vec![
        ("expires_in", "3600"),
        ("x_refresh_token_expires_in", "8726400"),
        ("x_refresh_token_hard_expires_in", "157680000"),
    ];
    for f in &mut fields {
        if f.0 == field {
            f.1 = value;
        }
    }
    let numbers: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!(r#""{k}":{v}"#))
        .collect();
    format!(
        r#"{{"token_type":"bearer","access_token":"A1","refresh_token":"R1",{}}}"#,
        numbers.join(",")
    )
}

/// Every expiry a connect may store lies between now and 20 years ahead (QBO's longest,
/// the hard expiry, is 5 years); an answer it cannot honour is a typed error.
#[tokio::test]
async fn extreme_expiry_fields_are_bounded_or_refused() {
    for field in FIELDS {
        for value in EXTREMES {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/oauth2/v1/tokens/bearer"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_raw(body(field, value).into_bytes(), "application/json"),
                )
                .mount(&server)
                .await;
            let store = Arc::new(MemoryTokenStore::new());
            let clock = Arc::new(ManualClock::starting_now());
            let manager = TokenManager::with_clock(
                &oauth(&server),
                store.clone(),
                ManagerConfig::default(),
                clock.clone(),
            )
            .unwrap();
            let tenant = TenantId::new("shop").unwrap();
            let url = manager.start_connect(&tenant);
            let state = url
                .query_pairs()
                .find(|(k, _)| k == "state")
                .unwrap()
                .1
                .into_owned();
            let callback = CallbackParams {
                code: Some("code".into()),
                state: Some(state),
                realm_id: Some("77".into()),
                ..CallbackParams::default()
            };
            let now = clock.now();
            let horizon = now + TimeDelta::days(20 * 366);
            match manager.complete_connect(&callback).await {
                Ok(_) => {
                    let t = store.load(&tenant).await.unwrap().unwrap().tokens;
                    for at in [Some(t.access_expires_at), Some(t.refresh_expires_at)]
                        .into_iter()
                        .chain([t.refresh_hard_expires_at])
                        .flatten()
                    {
                        assert!(
                            at >= now && at <= horizon,
                            "{field}: {value} gave an expiry at {at}"
                        );
                    }
                }
                Err(e) => {
                    assert!(
                        matches!(e, AuthError::Unavailable(_)),
                        "{field}: {value}: {e:?}"
                    );
                    assert!(
                        e.to_string().contains("token answer"),
                        "{field}: {value}: {e}"
                    );
                }
            }
        }
    }
}

/// The refresh path reads the same fields the same way.
#[tokio::test]
async fn an_extreme_refresh_answer_does_not_panic() {
    for field in FIELDS {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth2/v1/tokens/bearer"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                body(field, "9223372036854775807").into_bytes(),
                "application/json",
            ))
            .mount(&server)
            .await;
        let store = Arc::new(MemoryTokenStore::new());
        let clock = Arc::new(ManualClock::starting_now());
        let now = clock.now();
        let tenant = TenantId::new("shop").unwrap();
        let tokens = TokenSet {
            realm_id: RealmId::new("77").unwrap(),
            access_token: "A0".into(),
            access_expires_at: now - TimeDelta::minutes(1),
            refresh_token: "R0".into(),
            refresh_expires_at: now + TimeDelta::days(100),
            refresh_hard_expires_at: None,
            obtained_at: now - TimeDelta::hours(1),
        };
        store.save(&tenant, &tokens, None).await.unwrap();
        let manager = TokenManager::with_clock(
            &oauth(&server),
            store.clone(),
            ManagerConfig::default(),
            clock,
        )
        .unwrap();
        let _ = manager.access_token(&tenant).await;
        let t = store.load(&tenant).await.unwrap().unwrap().tokens;
        assert!(
            t.access_expires_at <= now + TimeDelta::days(20 * 366),
            "{field}"
        );
    }
}

/// A huge backoff setting (say, from a configuration file) never overflows when doubled.
#[tokio::test(start_paused = true)]
async fn a_huge_backoff_does_not_overflow() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let now = clock.now();
    let tenant = TenantId::new("shop").unwrap();
    let tokens = TokenSet {
        realm_id: RealmId::new("77").unwrap(),
        access_token: "A0".into(),
        access_expires_at: now - TimeDelta::minutes(1),
        refresh_token: "R0".into(),
        refresh_expires_at: now + TimeDelta::days(100),
        refresh_hard_expires_at: None,
        obtained_at: now - TimeDelta::hours(1),
    };
    store.save(&tenant, &tokens, None).await.unwrap();
    let config = ManagerConfig {
        endpoint_attempts: 4,
        endpoint_backoff: Duration::MAX,
        save_backoff: Duration::MAX,
        ..ManagerConfig::default()
    };
    let manager = TokenManager::with_clock(&oauth(&server), store, config, clock).unwrap();
    let error = manager.access_token(&tenant).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

/// Huge durations in the manager's settings (say, from a configuration file) never overflow
/// the time arithmetic of a connect or a refresh.
#[tokio::test]
async fn huge_settings_do_not_overflow() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body("expires_in", "3600").into_bytes(), "application/json"),
        )
        .mount(&server)
        .await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let config = ManagerConfig {
        state_ttl: TimeDelta::MAX,
        refresh_lease: TimeDelta::MAX,
        refresh_margin: TimeDelta::MAX,
        keepalive_margin: TimeDelta::MAX,
        hard_expiry_warning: TimeDelta::MAX,
        ..ManagerConfig::default()
    };
    let manager =
        TokenManager::with_clock(&oauth(&server), store.clone(), config, clock.clone()).unwrap();
    let tenant = TenantId::new("shop").unwrap();
    // Two connects: the second sweeps the state table with the first state's age.
    for _ in 0..2 {
        let url = manager.start_connect(&tenant);
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let callback = CallbackParams {
            code: Some("code".into()),
            state: Some(state),
            realm_id: Some("77".into()),
            ..CallbackParams::default()
        };
        manager.complete_connect(&callback).await.unwrap();
    }
    // A refresh takes the lease.
    manager.refresh_now(&tenant).await.unwrap();
    let _ = manager.keep_alive().await;
}
