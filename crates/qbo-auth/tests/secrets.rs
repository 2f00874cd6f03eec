//! No token, code or client secret ever reaches a log line or a `Debug` output, across a
//! whole connect → refresh → API call → disconnect.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use chrono::TimeDelta;
use qbo_api::RealmId;
use qbo_auth::clock::{Clock as _, ManualClock};
use qbo_auth::{
    CallbackParams, Endpoints, ManagerConfig, MemoryTokenStore, OAuthConfig, TenantId,
    TokenManager, TokenStore,
};
use serde_json::json;
use tracing_subscriber::util::SubscriberInitExt as _;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRETS: &[&str] = &[
    "client-secret-9f8e7d6c",
    "access-token-first-aaaa",
    "refresh-token-first-bbbb",
    "access-token-second-cccc",
    "refresh-token-second-dddd",
    "authorization-code-eeee",
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"token_type": "bearer", "access_token": access,
        "expires_in": 3600, "refresh_token": refresh, "x_refresh_token_expires_in": 8_726_400}))
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_logs_or_debug_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(answer(SECRETS[1], SECRETS[2]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(answer(SECRETS[3], SECRETS[4]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/company/77/companyinfo/77"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"CompanyInfo": {"Id": "1", "CompanyName": "Shop"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/tokens/revoke"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let oauth = OAuthConfig::new("client-id", SECRETS[0].into(), "https://shop.example/cb")
        .unwrap()
        .with_endpoints(Endpoints::under(&server.uri()).unwrap());
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let manager = TokenManager::with_clock(
        &oauth,
        store.clone(),
        ManagerConfig::default(),
        clock.clone(),
    )
    .unwrap();
    let mut events = manager.subscribe();
    let tenant = TenantId::new("shop").unwrap();
    let url = manager.start_connect(&tenant);
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let callback = CallbackParams {
        code: Some(SECRETS[5].into()),
        state: Some(state),
        realm_id: Some("77".into()),
        ..CallbackParams::default()
    };
    let mut debug = Vec::new();
    debug.push(format!("{callback:?}"));
    manager.complete_connect(&callback).await.unwrap();
    clock.advance(TimeDelta::hours(2));
    let client = qbo_api::QboClient::builder(manager.provider(tenant.clone()))
        .environment(qbo_api::Environment::parse(&server.uri()).unwrap())
        .realm(RealmId::new("77").unwrap())
        .build()
        .unwrap();
    client.company_info().await.unwrap();
    let stored = store.load(&tenant).await.unwrap().unwrap();
    let status = manager.status(&tenant).await.unwrap().unwrap();
    let report = manager.keep_alive().await.unwrap();
    debug.extend([
        format!("{oauth:?}"),
        format!("{manager:?}"),
        format!("{stored:?}"),
        format!("{:?}", stored.tokens),
        format!("{status:?}"),
        format!("{report:?}"),
        format!("{store:?}"),
        format!("{client:?}"),
        format!("{:?}", manager.provider(tenant.clone())),
    ]);
    manager.disconnect(&tenant).await.unwrap();
    while let Ok(event) = events.try_recv() {
        debug.push(format!("{event:?}"));
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("QBO connection status"),
        "the capture works: {logs}"
    );
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("client-id:{}", SECRETS[0]));
    for secret in SECRETS.iter().copied().chain([basic.as_str()]) {
        assert!(!logs.contains(secret), "log output holds {secret}:\n{logs}");
        for text in &debug {
            assert!(
                !text.contains(secret),
                "Debug output holds {secret}: {text}"
            );
        }
    }
}

/// A token answer with one mistyped field: the answer is refused, and no part of its body
/// (the refresh token sits early in Intuit's JSON, the mistyped value may be a token too)
/// reaches a log line or an error's `Display`/`Debug`, on connect nor on refresh (whose
/// retries log a warning).
#[tokio::test(flavor = "current_thread")]
async fn a_malformed_token_answer_leaks_nothing() {
    const LEAKS: &[&str] = &[
        "refresh-token-leak-1111",
        "access-token-leak-2222",
        "mistyped-value-leak-3333",
        "refresh-token-leak-4444",
        "access-token-leak-5555",
    ];
    let capture = Capture::default();
    let writer = capture.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .set_default();

    let server = MockServer::start().await;
    // Connect: the refresh token first, then a mistyped `expires_in`.
    let connect_body = format!(
        r#"{{"refresh_token":"{}","access_token":"{}","token_type":"bearer","expires_in":"{}","x_refresh_token_expires_in":8726400}}"#,
        LEAKS[0], LEAKS[1], LEAKS[2]
    );
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(connect_body.into_bytes(), "application/json"),
        )
        .mount(&server)
        .await;
    // Refresh: the rotated refresh token inside an object, the access token beside it.
    let refresh_body = format!(
        r#"{{"access_token":"{}","refresh_token":{{"value":"{}","note":"{}"}},"token_type":"bearer","expires_in":3600}}"#,
        LEAKS[4], LEAKS[3], LEAKS[2]
    );
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(refresh_body.into_bytes(), "application/json"),
        )
        .mount(&server)
        .await;

    let oauth = OAuthConfig::new("client-id", SECRETS[0].into(), "https://shop.example/cb")
        .unwrap()
        .with_endpoints(Endpoints::under(&server.uri()).unwrap());
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let config = qbo_auth::ManagerConfig {
        endpoint_backoff: std::time::Duration::from_millis(1),
        ..ManagerConfig::default()
    };
    let manager = TokenManager::with_clock(&oauth, store.clone(), config, clock.clone()).unwrap();
    let tenant = TenantId::new("shop").unwrap();
    let url = manager.start_connect(&tenant);
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let callback = CallbackParams {
        code: Some(SECRETS[5].into()),
        state: Some(state),
        realm_id: Some("77".into()),
        ..CallbackParams::default()
    };
    let connect_error = manager.complete_connect(&callback).await.unwrap_err();
    assert!(
        connect_error.to_string().contains("expires_in"),
        "the error names the field: {connect_error}"
    );

    // A stored connection whose access token has expired, so the next use refreshes.
    let now = clock.now();
    let tokens = qbo_auth::TokenSet {
        realm_id: RealmId::new("77").unwrap(),
        access_token: SECRETS[1].into(),
        access_expires_at: now - TimeDelta::minutes(1),
        refresh_token: SECRETS[2].into(),
        refresh_expires_at: now + TimeDelta::days(100),
        refresh_hard_expires_at: None,
        obtained_at: now - TimeDelta::hours(1),
    };
    store.save(&tenant, &tokens, None).await.unwrap();
    let refresh_error = manager.access_token(&tenant).await.unwrap_err();
    assert!(
        refresh_error.to_string().contains("refresh_token"),
        "the error names the field: {refresh_error}"
    );

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("token endpoint failed, retrying"),
        "the refresh retried and logged it: {logs}"
    );
    let texts = [
        connect_error.to_string(),
        format!("{connect_error:?}"),
        refresh_error.to_string(),
        format!("{refresh_error:?}"),
        logs,
    ];
    for leak in LEAKS {
        // Any 8-character piece of a token is a leak (the old code cut the body at 200 bytes).
        for start in 0..=leak.len() - 8 {
            let piece = &leak[start..start + 8];
            for text in &texts {
                assert!(!text.contains(piece), "{piece:?} (of {leak}) in: {text}");
            }
        }
    }
}
