//! The token lifecycle against a wiremock token endpoint: connect, refresh, rotation,
//! single-flight refresh in and across processes, invalid_grant, keep-alive, disconnect.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeDelta, Utc};
use qbo_api::{RealmId, TokenProvider};
use qbo_auth::clock::ManualClock;
use qbo_auth::{
    AuthError, CallbackParams, ConnectionStatus, Endpoints, ManagerConfig, MemoryTokenStore,
    OAuthConfig, RefreshLease, StatusEvent, StoreError, StoredTokens, TenantId, TokenManager,
    TokenSet, TokenStore,
};
use secrecy::ExposeSecret;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_ID: &str = "app-client-id";
const CLIENT_SECRET: &str = "app-client-secret-s3cr3t";
const REALM: &str = "4620816365";

fn oauth(server: &MockServer) -> OAuthConfig {
    OAuthConfig::new(
        CLIENT_ID,
        CLIENT_SECRET.into(),
        "https://shop.example/qbo/callback",
    )
    .unwrap()
    .with_endpoints(Endpoints::under(&server.uri()).unwrap())
}

fn fast() -> ManagerConfig {
    ManagerConfig {
        endpoint_backoff: Duration::from_millis(5),
        save_backoff: Duration::from_millis(1),
        lease_poll: Duration::from_millis(10),
        ..ManagerConfig::default()
    }
}

fn tenant() -> TenantId {
    TenantId::new("shop").unwrap()
}

/// `Basic base64(client_id:client_secret)`.
fn basic() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    )
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "bearer",
        "access_token": access,
        "expires_in": 3600,
        "refresh_token": refresh,
        "x_refresh_token_expires_in": 8_726_400,
        "x_refresh_token_hard_expires_in": 157_680_000
    }))
}

/// Tokens for the store, access token expiring at `access_in` from `now`.
fn tokens(
    access: &str,
    refresh: &str,
    now: chrono::DateTime<Utc>,
    access_in: TimeDelta,
) -> TokenSet {
    TokenSet {
        realm_id: RealmId::new(REALM).unwrap(),
        access_token: access.into(),
        access_expires_at: now + access_in,
        refresh_token: refresh.into(),
        refresh_expires_at: now + TimeDelta::days(100),
        refresh_hard_expires_at: Some(now + TimeDelta::days(1800)),
        obtained_at: now - TimeDelta::hours(1),
    }
}

async fn manager_with(
    server: &MockServer,
    store: Arc<dyn TokenStore>,
    clock: Arc<ManualClock>,
) -> TokenManager {
    TokenManager::with_clock(&oauth(server), store, fast(), clock).unwrap()
}

/// Mounts the refresh answer for refresh token `old`, expecting `times` calls.
async fn mount_refresh(server: &MockServer, old: &str, access: &str, new: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains(format!("refresh_token={old}")))
        .respond_with(token_answer(access, new).set_delay(Duration::from_millis(30)))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_authorization_url_asks_for_accounting_with_a_state() {
    let server = MockServer::start().await;
    let manager = manager_with(
        &server,
        Arc::new(MemoryTokenStore::new()),
        Arc::new(ManualClock::starting_now()),
    )
    .await;
    let url = manager.start_connect(&tenant());
    assert!(
        url.as_str()
            .starts_with(&format!("{}/connect/oauth2?", server.uri())),
        "{url}"
    );
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "com.intuit.quickbooks.accounting");
    assert_eq!(q["redirect_uri"], "https://shop.example/qbo/callback");
    assert!(q["state"].len() >= 32);
    let other = manager.start_connect(&tenant());
    assert_ne!(url, other, "each connect gets its own state");
}

fn state_of(url: &url::Url) -> String {
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

fn callback(state: &str) -> CallbackParams {
    CallbackParams {
        code: Some("auth-code-1".into()),
        state: Some(state.into()),
        realm_id: Some(REALM.into()),
        ..CallbackParams::default()
    }
}

#[tokio::test]
async fn a_good_callback_exchanges_the_code_and_saves_the_hard_expiry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .and(header("authorization", basic().as_str()))
        .and(header("x-include-refresh-token-hard-expires-in", "true"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=auth-code-1"))
        .and(body_string_contains(
            "redirect_uri=https%3A%2F%2Fshop.example%2Fqbo%2Fcallback",
        ))
        .respond_with(token_answer("A1", "R1"))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let manager = manager_with(&server, store.clone(), clock.clone()).await;
    let mut events = manager.subscribe();
    let state = state_of(&manager.start_connect(&tenant()));
    let (t, realm) = manager.complete_connect(&callback(&state)).await.unwrap();
    assert_eq!(t, tenant());
    assert_eq!(realm.as_str(), REALM);
    let stored = store.load(&tenant()).await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.expose_secret(), "R1");
    let now = clock.now_utc();
    assert_eq!(
        stored.tokens.access_expires_at,
        now + TimeDelta::seconds(3600)
    );
    assert_eq!(
        stored.tokens.refresh_expires_at,
        now + TimeDelta::seconds(8_726_400)
    );
    assert_eq!(
        stored.tokens.refresh_hard_expires_at,
        Some(now + TimeDelta::seconds(157_680_000))
    );
    assert_eq!(stored.status, ConnectionStatus::Connected);
    assert!(matches!(
        events.try_recv().unwrap(),
        StatusEvent::Connected { .. }
    ));
    let (token, _) = manager.access_token(&tenant()).await.unwrap();
    assert_eq!(token.expose_secret(), "A1");
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        qbo_auth::clock::Clock::now(self)
    }
}

#[tokio::test]
async fn unknown_reused_and_expired_states_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(token_answer("A1", "R1"))
        .expect(1)
        .mount(&server)
        .await;
    let clock = Arc::new(ManualClock::starting_now());
    let manager = manager_with(&server, Arc::new(MemoryTokenStore::new()), clock.clone()).await;
    assert!(matches!(
        manager.complete_connect(&callback("forged-state")).await,
        Err(AuthError::UnknownState)
    ));
    let good = state_of(&manager.start_connect(&tenant()));
    let late = state_of(&manager.start_connect(&tenant()));
    manager.complete_connect(&callback(&good)).await.unwrap();
    assert!(matches!(
        manager.complete_connect(&callback(&good)).await,
        Err(AuthError::ReusedState)
    ));
    clock.advance(TimeDelta::minutes(11));
    let err = manager
        .complete_connect(&callback(&late))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::ExpiredState { minutes: 10 }),
        "{err}"
    );
    assert!(err.to_string().contains("start again"));
}

#[tokio::test]
async fn a_declined_consent_is_a_clear_callback_error() {
    let server = MockServer::start().await;
    let manager = manager_with(
        &server,
        Arc::new(MemoryTokenStore::new()),
        Arc::new(ManualClock::starting_now()),
    )
    .await;
    let state = state_of(&manager.start_connect(&tenant()));
    let declined = CallbackParams {
        state: Some(state),
        error: Some("access_denied".into()),
        ..CallbackParams::default()
    };
    let err = manager.complete_connect(&declined).await.unwrap_err();
    assert!(
        matches!(&err, AuthError::Callback(m) if m.contains("access_denied")),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A memory store holding tenant `shop` (access token `A0` expiring in `access_in`,
/// refresh token `R0`), its clock, and a manager over both.
async fn connected_manager(
    server: &MockServer,
    access_in: TimeDelta,
) -> (Arc<MemoryTokenStore>, Arc<ManualClock>, TokenManager) {
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    connected(store.as_ref(), &clock, access_in).await;
    let manager = manager_with(server, store.clone(), clock.clone()).await;
    (store, clock, manager)
}

async fn connected(store: &dyn TokenStore, clock: &ManualClock, access_in: TimeDelta) {
    store
        .save(
            &tenant(),
            &tokens("A0", "R0", clock.now_utc(), access_in),
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn an_expired_token_is_refreshed_with_rotation() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-1)).await;
    let (token, realm) = manager.access_token(&tenant()).await.unwrap();
    assert_eq!(token.expose_secret(), "A1");
    assert_eq!(realm.as_str(), REALM);
    let stored = store.load(&tenant()).await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.expose_secret(), "R1");
    assert!(stored.refresh_lease.is_none());
    // Valid now: no further refresh.
    manager.access_token(&tenant()).await.unwrap();
}

#[tokio::test]
async fn refresh_happens_ahead_of_expiry_within_the_margin() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let (_store, clock, manager) = connected_manager(&server, TimeDelta::minutes(30)).await;
    assert_eq!(
        manager
            .access_token(&tenant())
            .await
            .unwrap()
            .0
            .expose_secret(),
        "A0"
    );
    clock.advance(TimeDelta::minutes(26)); // 4 minutes left < 5-minute margin
    assert_eq!(
        manager
            .access_token(&tenant())
            .await
            .unwrap()
            .0
            .expose_secret(),
        "A1"
    );
}

#[tokio::test]
async fn a_hundred_concurrent_callers_cause_exactly_one_refresh() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let (_store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-5)).await;
    let calls = (0..100).map(|_| {
        let m = manager.clone();
        tokio::spawn(async move {
            m.access_token(&tenant())
                .await
                .unwrap()
                .0
                .expose_secret()
                .to_owned()
        })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap(), "A1");
    }
}

/// Two managers (two "processes") share one store; 50 callers each on an expired token.
async fn two_managers_refresh_once(store_a: Arc<dyn TokenStore>, store_b: Arc<dyn TokenStore>) {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let clock = Arc::new(ManualClock::starting_now());
    store_a
        .save(
            &tenant(),
            &tokens("A0", "R0", clock.now_utc(), TimeDelta::minutes(-1)),
            None,
        )
        .await
        .unwrap();
    let a = manager_with(&server, store_a, clock.clone()).await;
    let b = manager_with(&server, store_b.clone(), clock).await;
    let calls = (0..100).map(|i| {
        let m = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            m.access_token(&tenant())
                .await
                .unwrap()
                .0
                .expose_secret()
                .to_owned()
        })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap(), "A1");
    }
    let stored = store_b.load(&tenant()).await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.expose_secret(), "R1");
}

#[tokio::test]
async fn two_managers_over_one_memory_store_refresh_once() {
    let store = Arc::new(MemoryTokenStore::new());
    two_managers_refresh_once(store.clone(), store).await;
}

#[cfg(feature = "seaorm")]
mod databases {
    use super::*;
    use qbo_auth::crypto::{KeyRing, TokenKey};
    use qbo_auth::store::sea::SeaTokenStore;
    use test_db::{Backend, TestDb};

    async fn two_stores(backend: Backend) -> (TestDb, Arc<dyn TokenStore>, Arc<dyn TokenStore>) {
        let db = TestDb::new(backend).await;
        let key = TokenKey::generate("k1");
        let a = SeaTokenStore::connect(db.url(), KeyRing::new(key.clone()))
            .await
            .unwrap();
        let b = SeaTokenStore::connect(db.url(), KeyRing::new(key))
            .await
            .unwrap();
        (db, Arc::new(a), Arc::new(b))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_managers_over_one_sqlite_file_refresh_once() {
        let (_db, a, b) = two_stores(Backend::Sqlite).await;
        two_managers_refresh_once(a, b).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_managers_over_one_postgres_database_refresh_once() {
        let (_db, a, b) = two_stores(Backend::Postgres).await;
        two_managers_refresh_once(a, b).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_managers_over_one_mariadb_database_refresh_once() {
        let (_db, a, b) = two_stores(Backend::MySql).await;
        two_managers_refresh_once(a, b).await;
    }
}

/// A store whose `save` fails the first `failures` times after a refresh began.
#[derive(Debug)]
struct FlakyStore {
    inner: MemoryTokenStore,
    failures: AtomicUsize,
    armed: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl TokenStore for FlakyStore {
    async fn load(&self, tenant: &TenantId) -> Result<Option<StoredTokens>, StoreError> {
        self.inner.load(tenant).await
    }
    async fn save(
        &self,
        tenant: &TenantId,
        tokens: &TokenSet,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        if self.armed.load(Ordering::SeqCst)
            && self
                .failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Err(StoreError::Database("disk full".into()));
        }
        self.inner.save(tenant, tokens, expected).await
    }
    async fn begin_refresh(
        &self,
        tenant: &TenantId,
        expected: u64,
        lease: &RefreshLease,
    ) -> Result<u64, StoreError> {
        self.armed.store(true, Ordering::SeqCst);
        self.inner.begin_refresh(tenant, expected, lease).await
    }
    async fn set_status(
        &self,
        tenant: &TenantId,
        status: &ConnectionStatus,
        expected: u64,
    ) -> Result<u64, StoreError> {
        self.inner.set_status(tenant, status, expected).await
    }
    async fn delete(&self, tenant: &TenantId) -> Result<bool, StoreError> {
        self.inner.delete(tenant).await
    }
    async fn tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        self.inner.tenants().await
    }
}

fn flaky(failures: usize) -> Arc<FlakyStore> {
    Arc::new(FlakyStore {
        inner: MemoryTokenStore::new(),
        failures: AtomicUsize::new(failures),
        armed: false.into(),
    })
}

#[tokio::test]
async fn a_failed_save_after_refresh_is_retried_before_the_token_is_used() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let store = flaky(1);
    let clock = Arc::new(ManualClock::starting_now());
    connected(&store.inner, &clock, TimeDelta::minutes(-1)).await;
    let manager = manager_with(&server, store.clone(), clock).await;
    let (token, _) = manager.access_token(&tenant()).await.unwrap();
    assert_eq!(token.expose_secret(), "A1");
    assert_eq!(
        store.failures.load(Ordering::SeqCst),
        0,
        "the first save failed"
    );
    let stored = store.load(&tenant()).await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.expose_secret(), "R1");
}

#[tokio::test]
async fn unsaved_tokens_are_never_handed_out_and_are_saved_first_next_time() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    // Every save attempt of the first call fails (5 attempts), then the store recovers.
    let store = flaky(5);
    let clock = Arc::new(ManualClock::starting_now());
    connected(&store.inner, &clock, TimeDelta::minutes(-1)).await;
    let manager = manager_with(&server, store.clone(), clock).await;
    let err = manager.access_token(&tenant()).await.unwrap_err();
    assert!(
        matches!(err, AuthError::Store(StoreError::Database(_))),
        "{err}"
    );
    assert_eq!(
        store
            .load(&tenant())
            .await
            .unwrap()
            .unwrap()
            .tokens
            .refresh_token
            .expose_secret(),
        "R0",
        "nothing saved yet"
    );
    // Next call: the pending tokens are saved, then used; no second refresh (expect(1)).
    let (token, _) = manager.access_token(&tenant()).await.unwrap();
    assert_eq!(token.expose_secret(), "A1");
    assert_eq!(
        store
            .load(&tenant())
            .await
            .unwrap()
            .unwrap()
            .tokens
            .refresh_token
            .expose_secret(),
        "R1"
    );
}

#[tokio::test]
async fn invalid_grant_requires_reconnect_and_never_refreshes_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant", "error_description": "Incorrect or invalid refresh token"})))
        .expect(1)
        .mount(&server)
        .await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-1)).await;
    let mut events = manager.subscribe();
    let err = manager.access_token(&tenant()).await.unwrap_err();
    assert!(
        matches!(&err, AuthError::ReconnectRequired { reason, .. } if reason.contains("Incorrect or invalid refresh token")),
        "{err}"
    );
    assert!(matches!(
        events.try_recv().unwrap(),
        StatusEvent::ReconnectRequired { .. }
    ));
    let stored = store.load(&tenant()).await.unwrap().unwrap();
    assert!(matches!(
        stored.status,
        ConnectionStatus::ReconnectRequired { .. }
    ));
    // Again, and through qbo-api's trait: no second call to the token endpoint.
    assert!(matches!(
        manager.access_token(&tenant()).await,
        Err(AuthError::ReconnectRequired { .. })
    ));
    let provider = manager.provider(tenant());
    let err = provider
        .access_token(&RealmId::new(REALM).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, qbo_api::TokenError::ReconnectRequired { .. }),
        "{err}"
    );
}

/// 503 first, then the answer.
struct FlakyEndpoint(AtomicUsize);

impl Respond for FlakyEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>")
        } else {
            token_answer("A1", "R1")
        }
    }
}

#[tokio::test]
async fn a_503_then_200_from_the_token_endpoint_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(FlakyEndpoint(AtomicUsize::new(0)))
        .expect(2)
        .mount(&server)
        .await;
    let (_store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-1)).await;
    assert_eq!(
        manager
            .access_token(&tenant())
            .await
            .unwrap()
            .0
            .expose_secret(),
        "A1"
    );
}

#[tokio::test]
async fn a_token_endpoint_down_for_good_is_unavailable_and_frees_the_lease() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-1)).await;
    let err = manager.access_token(&tenant()).await.unwrap_err();
    assert!(
        matches!(err, AuthError::Unavailable(ref m) if m.contains("502")),
        "{err}"
    );
    assert!(err.is_transient());
    let stored = store.load(&tenant()).await.unwrap().unwrap();
    assert!(stored.refresh_lease.is_none());
    assert_eq!(stored.status, ConnectionStatus::Connected);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_even_before_expiry() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    let (_store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(50)).await;
    let (a0, _) = manager.access_token(&tenant()).await.unwrap();
    manager.token_rejected(&tenant(), &a0);
    assert_eq!(
        manager
            .access_token(&tenant())
            .await
            .unwrap()
            .0
            .expose_secret(),
        "A1"
    );
}

#[tokio::test]
async fn qbo_api_retries_a_401_with_the_refreshed_token() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R0", "A1", "R1", 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/company/{REALM}/customer/1")))
        .and(header("authorization", "Bearer A0"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/company/{REALM}/customer/1")))
        .and(header("authorization", "Bearer A1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Customer": {"Id": "1", "DisplayName": "Ann"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (_store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(50)).await;
    let client = qbo_api::QboClient::builder(manager.provider(tenant()))
        .environment(qbo_api::Environment::parse(&server.uri()).unwrap())
        .realm(RealmId::new(REALM).unwrap())
        .build()
        .unwrap();
    let c: qbo_api::Customer = client.read(&qbo_api::EntityId::new("1")).await.unwrap();
    assert_eq!(c.display_name.as_deref(), Some("Ann"));
}

#[tokio::test]
async fn a_provider_for_another_realm_refuses() {
    let server = MockServer::start().await;
    let (_store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(50)).await;
    let err = manager
        .provider(tenant())
        .access_token(&RealmId::new("999").unwrap())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("999") || format!("{err:?}").contains("999"),
        "{err:?}"
    );
}

#[tokio::test]
async fn keep_alive_refreshes_idle_tenants_and_reports_hard_expiry() {
    let server = MockServer::start().await;
    mount_refresh(&server, "R-idle", "A-idle2", "R-idle2", 1).await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::starting_now());
    let now = clock.now_utc();
    let idle = TenantId::new("idle").unwrap();
    let busy = TenantId::new("busy").unwrap();
    let old = TenantId::new("old").unwrap();
    let mut idle_tokens = tokens("A-idle", "R-idle", now, TimeDelta::minutes(-100));
    idle_tokens.refresh_expires_at = now + TimeDelta::days(20);
    store.save(&idle, &idle_tokens, None).await.unwrap();
    store
        .save(
            &busy,
            &tokens("A-busy", "R-busy", now, TimeDelta::minutes(30)),
            None,
        )
        .await
        .unwrap();
    let mut old_tokens = tokens("A-old", "R-old", now, TimeDelta::minutes(30));
    old_tokens.refresh_hard_expires_at = Some(now + TimeDelta::days(12));
    store.save(&old, &old_tokens, None).await.unwrap();
    let manager = manager_with(&server, store.clone(), clock).await;
    let report = manager.keep_alive().await.unwrap();
    assert_eq!(report.refreshed, vec![idle.clone()]);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        report.hard_expiry_soon,
        vec![(old, now + TimeDelta::days(12))]
    );
    let stored = store.load(&idle).await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.expose_secret(), "R-idle2");
    assert_eq!(
        store
            .load(&busy)
            .await
            .unwrap()
            .unwrap()
            .tokens
            .refresh_token
            .expose_secret(),
        "R-busy"
    );
}

#[tokio::test]
async fn disconnect_revokes_at_intuit_and_leaves_no_tokens() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/tokens/revoke"))
        .and(header("authorization", basic().as_str()))
        .and(wiremock::matchers::body_json(json!({"token": "R0"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(50)).await;
    manager.access_token(&tenant()).await.unwrap();
    let mut events = manager.subscribe();
    manager.disconnect(&tenant()).await.unwrap();
    assert!(store.load(&tenant()).await.unwrap().is_none());
    assert!(store.tenants().await.unwrap().is_empty());
    assert!(matches!(
        events.try_recv().unwrap(),
        StatusEvent::Disconnected { .. }
    ));
    assert!(matches!(
        manager.access_token(&tenant()).await,
        Err(AuthError::NotConnected(_))
    ));
}

#[tokio::test]
async fn disconnect_keeps_the_tokens_when_intuit_is_unreachable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth2/tokens/revoke"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(50)).await;
    assert!(matches!(
        manager.disconnect(&tenant()).await,
        Err(AuthError::Unavailable(_))
    ));
    assert!(store.load(&tenant()).await.unwrap().is_some());
}

#[tokio::test]
async fn a_bad_client_secret_is_refused_not_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/tokens/bearer"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&server)
        .await;
    let (store, _clock, manager) = connected_manager(&server, TimeDelta::minutes(-1)).await;
    let err = manager.access_token(&tenant()).await.unwrap_err();
    assert!(
        matches!(&err, AuthError::Refused { error, .. } if error == "invalid_client"),
        "{err}"
    );
    assert_eq!(
        store.load(&tenant()).await.unwrap().unwrap().status,
        ConnectionStatus::Connected
    );
}
