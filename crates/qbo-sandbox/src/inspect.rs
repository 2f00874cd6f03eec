//! The inspection API under `/_sandbox` (plain JSON, no authentication, not QBO-shaped):
//!
//! | route | what |
//! |---|---|
//! | `GET /_sandbox/realms` | every company with its entity counts |
//! | `POST /_sandbox/realms` `{"realmId"?}` | a fresh company |
//! | `POST /_sandbox/realms/{realm}/reset` | that company back to fresh |
//! | `GET /_sandbox/realms/{realm}/entities/{Entity}[?deleted=true]` | its stored entities |
//! | `POST /_sandbox/tokens` `{"realmId"?}` | tokens without the consent flow |
//! | `GET /_sandbox/requests[?limit=N]` | the request log, oldest first |
//! | `GET /_sandbox/counters` | the counters |
//! | `POST /_sandbox/reset` | everything fresh (settings stay) |
//! | `GET /_sandbox/clock`, `POST /_sandbox/clock/advance` `{"seconds"}` | the sandbox's time |
//! | `GET`/`PUT /_sandbox/settings` | limits, token policy, chaos |

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::TimeDelta;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Settings;
use crate::server::{App, json_response, valid_realm_id};

fn answer(status: StatusCode, value: &impl Serialize) -> Response {
    json_response(status, serde_json::to_vec(value).unwrap_or_default())
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    answer(status, &json!({ "error": message.into() }))
}

fn body_json(body: &Bytes) -> Result<Value, Box<Response>> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}"))))
}

pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/realms", get(realms).post(create_realm))
        .route("/realms/{realm}/reset", post(reset_realm))
        .route("/realms/{realm}/entities/{entity}", get(entities))
        .route("/tokens", post(tokens))
        .route("/requests", get(requests))
        .route("/counters", get(counters))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/settings", get(settings).put(put_settings))
}

async fn realms(State(app): State<Arc<App>>) -> Response {
    let list: Vec<Value> = app
        .realm_ids()
        .into_iter()
        .filter_map(|id| {
            let realm = app.realm(&id)?;
            let counts: serde_json::Map<String, Value> = realm
                .company()
                .counts()
                .into_iter()
                .map(|(k, n)| (k.name().to_owned(), Value::from(n)))
                .collect();
            Some(json!({ "realmId": id, "default": id == app.default_realm, "entities": counts }))
        })
        .collect();
    answer(StatusCode::OK, &list)
}

fn realm_from_body(app: &App, body: &Bytes) -> Result<String, Box<Response>> {
    let value = body_json(body)?;
    let realm = match value.get("realmId") {
        None | Some(Value::Null) => app.default_realm.clone(),
        Some(v) => crate::json::id_text(v)
            .ok_or_else(|| Box::new(error(StatusCode::BAD_REQUEST, "realmId must be a string")))?,
    };
    if !valid_realm_id(&realm) {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            format!("invalid realm id {realm:?}"),
        )));
    }
    Ok(realm)
}

async fn create_realm(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let value = match body_json(&body) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let realm = match value.get("realmId").and_then(crate::json::id_text) {
        Some(id) => id,
        None => app.with_rng(|rng| format!("9341{:012}", rng.u64(..1_000_000_000_000))),
    };
    if !valid_realm_id(&realm) {
        return error(
            StatusCode::BAD_REQUEST,
            format!("invalid realm id {realm:?}"),
        );
    }
    app.ensure_realm(&realm);
    answer(StatusCode::CREATED, &json!({ "realmId": realm }))
}

async fn reset_realm(State(app): State<Arc<App>>, Path(realm): Path<String>) -> Response {
    if app.reset_realm(&realm) {
        answer(StatusCode::OK, &json!({ "realmId": realm }))
    } else {
        error(StatusCode::NOT_FOUND, format!("no company {realm:?}"))
    }
}

async fn entities(
    State(app): State<Arc<App>>,
    Path((realm, entity)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let deleted = params.get("deleted").is_some_and(|v| v == "true");
    match app.entities(&realm, &entity, deleted) {
        Ok(list) => answer(StatusCode::OK, &list),
        Err(e) => error(StatusCode::NOT_FOUND, e.to_string()),
    }
}

async fn tokens(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let realm = match realm_from_body(&app, &body) {
        Ok(realm) => realm,
        Err(response) => return *response,
    };
    match app.issue_tokens(&realm) {
        Ok(issued) => answer(
            StatusCode::OK,
            &json!({
                "realmId": issued.realm_id,
                "access_token": issued.access_token.expose_secret(),
                "refresh_token": issued.refresh_token.expose_secret(),
                "expires_in": issued.expires_in,
            }),
        ),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn requests(
    State(app): State<Arc<App>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    answer(StatusCode::OK, &app.log().last(limit))
}

async fn counters(State(app): State<Arc<App>>) -> Response {
    answer(StatusCode::OK, &app.counters.snapshot())
}

async fn reset(State(app): State<Arc<App>>) -> Response {
    app.reset();
    answer(StatusCode::OK, &json!({ "reset": true }))
}

async fn clock(State(app): State<Arc<App>>) -> Response {
    answer(
        StatusCode::OK,
        &json!({ "now": app.clock.now().to_rfc3339() }),
    )
}

async fn advance(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let value = match body_json(&body) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let Some(seconds) = value.get("seconds").and_then(Value::as_i64) else {
        return error(StatusCode::BAD_REQUEST, "give {\"seconds\": N}");
    };
    let Some(delta) = TimeDelta::try_seconds(seconds) else {
        return error(StatusCode::BAD_REQUEST, "seconds out of range");
    };
    let now = app.clock.advance(delta);
    answer(StatusCode::OK, &json!({ "now": now.to_rfc3339() }))
}

async fn settings(State(app): State<Arc<App>>) -> Response {
    answer(StatusCode::OK, &app.settings())
}

async fn put_settings(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Settings>(&body) {
        Ok(settings) => {
            app.set_settings(settings.clone());
            answer(StatusCode::OK, &settings)
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("invalid settings: {e}")),
    }
}
