//! The inspection API over HTTP: entities, request log, counters, clock, settings, reset.

use serde_json::{Value, json};

use crate::Env;

async fn inspect(env: &Env, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = env
        .http
        .request(method, format!("{}/_sandbox{path}", env.sandbox.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn inspection_api_shows_and_resets_state() {
    let env = Env::start().await;
    env.customer("Ann").await;
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    let customers = inspect(
        &env,
        get.clone(),
        &format!("/realms/{}/entities/Customer", env.realm),
        None,
    )
    .await;
    assert_eq!(customers.as_array().unwrap().len(), 1);
    let realms = inspect(&env, get.clone(), "/realms", None).await;
    assert_eq!(realms[0]["realmId"], env.realm);
    assert_eq!(realms[0]["entities"]["Customer"], 1);
    assert!(realms[0]["entities"]["Account"].as_u64().unwrap() >= 10);

    let log = inspect(&env, get.clone(), "/requests?limit=5", None).await;
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["method"], "POST");
    assert_eq!(last["status"], 200);
    assert_eq!(last["realm"], env.realm);
    assert!(last["intuit_tid"].as_str().unwrap().starts_with("1-"));
    let counters = inspect(&env, get.clone(), "/counters", None).await;
    assert_eq!(counters["creates"], 1);

    // Tokens for a new company, without the consent flow.
    let created = inspect(
        &env,
        post.clone(),
        "/realms",
        Some(json!({"realmId": "123145"})),
    )
    .await;
    assert_eq!(created["realmId"], "123145");
    let tokens = inspect(
        &env,
        post.clone(),
        "/tokens",
        Some(json!({"realmId": "123145"})),
    )
    .await;
    let response = env
        .http
        .get(format!(
            "{}/v3/company/123145/preferences",
            env.sandbox.base_url()
        ))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // The clock moves: the default token expires.
    let before = inspect(&env, get.clone(), "/clock", None).await;
    let after = inspect(
        &env,
        post.clone(),
        "/clock/advance",
        Some(json!({"seconds": 3601})),
    )
    .await;
    assert_ne!(before["now"], after["now"]);
    env.get("preferences").await.assert_fault_gateway(401);

    // Settings round-trip.
    let mut settings = inspect(&env, get.clone(), "/settings", None).await;
    assert_eq!(settings["limits"]["requests_per_window"], 500);
    settings["limits"]["enabled"] = json!(false);
    settings["chaos"]["error_rate"] = json!(0.25);
    inspect(&env, reqwest::Method::PUT, "/settings", Some(settings)).await;
    assert!(!env.sandbox.settings().limits.enabled);
    assert_eq!(env.sandbox.settings().chaos.error_rate, 0.25);

    // Reset: fresh companies, no tokens, empty log.
    inspect(&env, post, "/reset", None).await;
    assert!(
        env.sandbox
            .entities(&env.realm, "Customer")
            .unwrap()
            .is_empty()
    );
    assert_eq!(env.sandbox.counters().creates, 0);
    assert!(env.sandbox.requests(10).is_empty());
    let realm_reset = env
        .http
        .post(format!(
            "{}/_sandbox/realms/nope/reset",
            env.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(realm_reset.status(), 404);
}

trait GatewayFault {
    fn assert_fault_gateway(&self, status: u16);
}

impl GatewayFault for crate::Reply {
    fn assert_fault_gateway(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert!(
            self.body["fault"]["error"][0]["code"].is_string(),
            "{}",
            self.body
        );
    }
}
