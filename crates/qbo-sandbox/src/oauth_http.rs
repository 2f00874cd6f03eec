//! The HTTP side of the OAuth endpoints: `GET /connect/oauth2`,
//! `POST /oauth2/v1/tokens/bearer`, `POST /v2/oauth2/tokens/revoke` (the paths
//! `qbo_auth::Endpoints::under` expects).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use secrecy::ExposeSecret;
use url::Url;

use crate::log::CounterSet;
use crate::oauth::{TokenError, error_body};
use crate::server::{App, json_response, valid_realm_id};

/// The request header that asks for `x_refresh_token_hard_expires_in` (notes §5).
pub const HARD_EXPIRY_HEADER: &str = "x-include-refresh-token-hard-expires-in";

fn pairs(raw: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut response = json_response(status, error_body(error));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"qbo-sandbox\""),
        );
    }
    response
}

/// Decodes one half of HTTP Basic credentials, which OAuth clients form-encode first
/// (RFC 6749 §2.3.1).
fn form_decoded(part: &str) -> String {
    let raw = format!("v={part}");
    url::form_urlencoded::parse(raw.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Whether the request carries the app's client id and secret by HTTP Basic.
fn client_authenticated(app: &App, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((id, secret)) = text.split_once(':') else {
        return false;
    };
    let expected_id = app.oauth_app.client_id.as_str();
    let expected_secret = app.oauth_app.client_secret.expose_secret();
    (id == expected_id || form_decoded(id) == expected_id)
        && (secret == expected_secret || form_decoded(secret) == expected_secret)
}

fn redirect_allowed(app: &App, uri: &str) -> bool {
    if app.oauth_app.redirect_uris.is_empty() {
        Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    } else {
        app.oauth_app.redirect_uris.iter().any(|r| r == uri)
    }
}

fn redirect(to: &str, params: &[(&str, &str)]) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    let separator = if to.contains('?') { '&' } else { '?' };
    let location = format!("{to}{separator}{}", query.finish());
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `GET /connect/oauth2`: the operator consents at once; the browser is redirected with
/// `code`, `state` and `realmId` (the company: `realmId` in the request, a sandbox
/// extension, or the sandbox's default company).
pub(crate) async fn authorize(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    CounterSet::add(&app.counters.oauth_requests);
    let params = pairs(query.unwrap_or_default().as_bytes());
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if get("client_id") != Some(app.oauth_app.client_id.as_str()) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let Some(redirect_uri) = get("redirect_uri").filter(|u| redirect_allowed(&app, u)) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let state = get("state").unwrap_or_default();
    if get("response_type") != Some("code") {
        return redirect(
            redirect_uri,
            &[("error", "unsupported_response_type"), ("state", state)],
        );
    }
    if get("scope").is_none() {
        return redirect(
            redirect_uri,
            &[("error", "invalid_scope"), ("state", state)],
        );
    }
    let realm = get("realmId").unwrap_or(&app.default_realm).to_owned();
    if !valid_realm_id(&realm) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    }
    app.ensure_realm(&realm);
    let policy = app.settings().tokens;
    let now = app.clock.now();
    let client = app.oauth_app.client_id.clone();
    let code = app.with_rng(|rng| {
        app.oauth()
            .issue_code(rng, &policy, &client, redirect_uri, &realm, now)
    });
    redirect(
        redirect_uri,
        &[("code", &code), ("state", state), ("realmId", &realm)],
    )
}

/// `POST /oauth2/v1/tokens/bearer`: form body, client credentials by HTTP Basic.
pub(crate) async fn token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    CounterSet::add(&app.counters.oauth_requests);
    if !client_authenticated(&app, &headers) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let form = pairs(&body);
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let hard_expiry = headers
        .get(HARD_EXPIRY_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let policy = app.settings().tokens;
    let now = app.clock.now();
    let client = app.oauth_app.client_id.clone();
    let result = match get("grant_type") {
        Some("authorization_code") => match get("code") {
            None => Err(TokenError::InvalidRequest),
            Some(code) => app.with_rng(|rng| {
                app.oauth().exchange_code(
                    rng,
                    &policy,
                    &client,
                    code,
                    get("redirect_uri"),
                    hard_expiry,
                    now,
                )
            }),
        },
        Some("refresh_token") => match get("refresh_token") {
            None => Err(TokenError::InvalidRequest),
            Some(token) => app
                .with_rng(|rng| {
                    app.oauth()
                        .refresh(rng, &policy, &client, token, hard_expiry, now)
                })
                .inspect(|_| CounterSet::add(&app.counters.refreshes)),
        },
        None => Err(TokenError::InvalidRequest),
        Some(_) => Err(TokenError::UnsupportedGrantType),
    };
    match result {
        Ok(answer) => {
            if get("grant_type") == Some("authorization_code") {
                CounterSet::add(&app.counters.grants);
            }
            let body = serde_json::to_vec(&answer).unwrap_or_default();
            let mut response = json_response(StatusCode::OK, body);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            if error == TokenError::InvalidGrant {
                CounterSet::add(&app.counters.invalid_grants);
            }
            oauth_error(StatusCode::BAD_REQUEST, error.code())
        }
    }
}

/// `POST /v2/oauth2/tokens/revoke` with `{"token": "..."}`: ends the connection the
/// token belongs to; 200 whether or not it was known (RFC 7009).
pub(crate) async fn revoke(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    CounterSet::add(&app.counters.oauth_requests);
    if !client_authenticated(&app, &headers) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let token = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_owned));
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    app.oauth().revoke(&token);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::OK;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credential_halves_are_form_decoded() {
        assert_eq!(form_decoded("a%3Ab+c"), "a:b c");
        assert_eq!(form_decoded("plain"), "plain");
    }
}
