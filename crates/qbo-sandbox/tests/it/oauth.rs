//! The OAuth endpoints: consent, code exchange, refresh with rotation, dead tokens,
//! revoke; qbo-auth's TokenManager against them; the API's bearer check.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::TimeDelta;
use qbo_auth::clock::ManualClock;
use qbo_auth::{
    CallbackParams, Endpoints, ManagerConfig, MemoryTokenStore, OAuthConfig, TenantId, TokenManager,
};
use qbo_sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::Env;

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// Consents through the authorize endpoint; returns the redirect's query parameters.
async fn consent(env: &Env) -> HashMap<String, String> {
    let response = env
        .http
        .get(format!("{}/connect/oauth2", env.sandbox.base_url()))
        .query(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("redirect_uri", REDIRECT),
            ("state", "st-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn token_call(env: &Env, form: &[(&str, &str)], hard: bool) -> (StatusCode, Value) {
    let mut request = env
        .http
        .post(format!(
            "{}/oauth2/v1/tokens/bearer",
            env.sandbox.base_url()
        ))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(form);
    if hard {
        request = request.header(qbo_sandbox::HARD_EXPIRY_HEADER, "true");
    }
    let response = request.send().await.unwrap();
    assert!(response.headers().contains_key("intuit_tid"));
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

async fn api_status(env: &Env, token: &str) -> (StatusCode, Value) {
    let response = env
        .http
        .get(env.url("preferences"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn oauth_flow_rotates_refresh_tokens_and_refuses_dead_ones() {
    let env = Env::start().await;
    let params = consent(&env).await;
    assert_eq!(params["state"], "st-1");
    assert_eq!(params["realmId"], env.realm);
    let code = params["code"].clone();

    let (status, first) = token_call(
        &env,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let expected: BTreeSet<String> = [
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "x_refresh_token_expires_in",
        "x_refresh_token_hard_expires_in",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(keys(&first), expected, "exactly Intuit's keys");
    assert_eq!(first["token_type"], "bearer");
    assert_eq!(first["expires_in"], 3600);
    assert_eq!(first["x_refresh_token_expires_in"], 8_726_400);
    assert_eq!(first["x_refresh_token_hard_expires_in"], 5 * 365 * 86_400);

    // The code is single-use.
    let (status, body) = token_call(
        &env,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"error": "invalid_grant"}));

    // The access token works on the API.
    let access = first["access_token"].as_str().unwrap().to_owned();
    assert_eq!(api_status(&env, &access).await.0, StatusCode::OK);

    // Within the rotation window the same refresh token comes back; without the header,
    // no hard expiry.
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    env.sandbox.advance_clock(TimeDelta::hours(2));
    let (status, second) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    assert!(second.get("x_refresh_token_hard_expires_in").is_none());
    assert_eq!(second["x_refresh_token_expires_in"], 8_726_400);

    // The first access token has expired by now (2 h): 401 in the gateway's lower-case shape.
    let (status, body) = api_status(&env, &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["fault"]["error"][0]["code"], "3200");
    assert!(
        body["fault"]["error"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("Token expired"),
        "{body}"
    );
    assert_eq!(body["fault"]["type"], "AUTHENTICATION");

    // After a day a refresh rotates; the replaced token is dead at once (default grace 0).
    env.sandbox.advance_clock(TimeDelta::hours(23));
    let (status, third) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rotated = third["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    let (status, body) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"error": "invalid_grant"}));
    let (status, _) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &rotated)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Revoke ends the connection.
    let response = env
        .http
        .post(format!(
            "{}/v2/oauth2/tokens/revoke",
            env.sandbox.base_url()
        ))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .json(&json!({"token": rotated}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &rotated)],
        false,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}))
    );
    assert_eq!(env.sandbox.counters().invalid_grants, 3);
}

#[tokio::test]
async fn token_endpoint_refuses_bad_clients_grants_and_requests() {
    let env = Env::start().await;
    let base = env.sandbox.base_url();
    let response = env
        .http
        .post(format!("{base}/oauth2/v1/tokens/bearer"))
        .basic_auth(DEFAULT_CLIENT_ID, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "invalid_client"})
    );
    let (status, body) = token_call(&env, &[("grant_type", "password")], false).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type"})
        )
    );
    let (status, body) = token_call(&env, &[("grant_type", "refresh_token")], false).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_request"}))
    );

    // A code exchanged with another redirect URL is refused.
    let code = consent(&env).await["code"].clone();
    let (status, body) = token_call(
        &env,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
        ],
        false,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}))
    );

    // Authorize refuses unknown clients and redirects errors back.
    let response = env
        .http
        .get(format!("{base}/connect/oauth2"))
        .query(&[
            ("client_id", "nobody"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = env
        .http
        .get(format!("{base}/connect/oauth2"))
        .query(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "token"),
            ("scope", "x"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=unsupported_response_type")
    );
}

#[tokio::test]
async fn a_replaced_refresh_token_works_during_the_grace_period_and_rotation_can_be_forced() {
    let mut config = SandboxConfig::default();
    config.settings.tokens.rotation_window_secs = 0;
    config.settings.tokens.replaced_grace_secs = 3600;
    let env = Env::with(config).await;
    let issued = env.sandbox.issue_tokens(&env.realm).unwrap();
    let first = issued.refresh_token.expose_secret().to_owned();
    let (_, a) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &first)],
        false,
    )
    .await;
    let second = a["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first, "window 0 rotates on every refresh");
    env.sandbox.advance_clock(TimeDelta::minutes(30));
    let (status, _) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &first)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "within the grace period");
    env.sandbox.advance_clock(TimeDelta::minutes(31));
    let (status, _) = token_call(
        &env,
        &[("grant_type", "refresh_token"), ("refresh_token", &first)],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "after the grace period");
}

#[tokio::test]
async fn the_api_checks_bearer_tokens_and_their_company() {
    let env = Env::start().await;
    let (status, body) = api_status(&env, "not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["fault"]["error"][0]["detail"],
        "Malformed bearer token"
    );
    // A token of another company gets 403.
    env.sandbox.create_realm("4620816365").unwrap();
    let other = env.sandbox.issue_tokens("4620816365").unwrap();
    let (status, body) = api_status(&env, other.access_token.expose_secret()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["fault"]["error"][0]["code"], "3100");
}

/// qbo-auth's TokenManager connects through the sandbox and refreshes against it.
#[tokio::test]
async fn qbo_auth_token_manager_connects_and_refreshes() {
    let mut config = SandboxConfig::default();
    config.settings.tokens.rotation_window_secs = 0;
    let env = Env::with(config).await;
    let oauth = OAuthConfig::new(
        DEFAULT_CLIENT_ID,
        SecretString::from(DEFAULT_CLIENT_SECRET),
        REDIRECT,
    )
    .unwrap()
    .with_endpoints(Endpoints::under(&env.sandbox.base_url()).unwrap());
    let clock = Arc::new(ManualClock::starting_now());
    let manager = TokenManager::with_clock(
        &oauth,
        Arc::new(MemoryTokenStore::new()),
        ManagerConfig::default(),
        clock.clone(),
    )
    .unwrap();
    let tenant = TenantId::new("shop").unwrap();
    let authorize = manager.start_connect(&tenant);
    let response = env.http.get(authorize).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let pairs: HashMap<String, String> = location.query_pairs().into_owned().collect();
    let callback = CallbackParams {
        code: pairs.get("code").cloned(),
        state: pairs.get("state").cloned(),
        realm_id: pairs.get("realmId").cloned(),
        ..CallbackParams::default()
    };
    let (tenant, realm) = manager.complete_connect(&callback).await.unwrap();
    assert_eq!(realm.as_str(), env.realm);
    let status = manager.status(&tenant).await.unwrap().unwrap();
    assert!(
        status.refresh_hard_expires_at.is_some(),
        "hard expiry recorded"
    );

    let (first, _) = manager.access_token(&tenant).await.unwrap();
    assert_eq!(
        api_status(&env, first.expose_secret()).await.0,
        StatusCode::OK
    );

    // An hour later both clocks moved: the manager refreshes (a rotation: window 0).
    clock.advance(TimeDelta::minutes(61));
    env.sandbox.advance_clock(TimeDelta::minutes(61));
    assert_eq!(
        api_status(&env, first.expose_secret()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (second, _) = manager.access_token(&tenant).await.unwrap();
    assert_ne!(second.expose_secret(), first.expose_secret());
    assert_eq!(
        api_status(&env, second.expose_secret()).await.0,
        StatusCode::OK
    );
    manager.refresh_now(&tenant).await.unwrap();
    assert_eq!(env.sandbox.counters().refreshes, 2);
    assert_eq!(env.sandbox.counters().invalid_grants, 0);

    // qbo-api with the manager's provider works unchanged.
    let client = qbo_api::QboClient::builder(manager.provider(tenant))
        .environment(qbo_api::Environment::parse(&env.sandbox.base_url()).unwrap())
        .realm(realm)
        .build()
        .unwrap();
    let info = client.company_info().await.unwrap();
    assert_eq!(info.company_name.as_deref(), Some("Sandbox Company_US_1"));
}
