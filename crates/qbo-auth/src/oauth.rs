//! The calls to Intuit's OAuth endpoints, on the `oauth2` crate with our reqwest client
//! (redirects off, the hard-expiry header on every token call).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, TimeDelta, Utc};
use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpRequest, HttpResponse, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use qbo_api::RealmId;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::OAuthConfig;
use crate::error::AuthError;
use crate::token::TokenSet;

/// The header that makes Intuit add the refresh token's hard expiry to token answers.
pub const HARD_EXPIRY_HEADER: &str = "x-include-refresh-token-hard-expires-in";

/// QBO's access-token life when the answer does not say.
const DEFAULT_ACCESS_SECS: i64 = 3600;
/// QBO's rolling refresh-token life when the answer does not say.
const DEFAULT_REFRESH_SECS: i64 = 8_726_400;

/// The longest life a token answer may give (10 years; QBO's longest, the refresh token's
/// hard expiry, is 5). A life outside `0..=MAX_LIFE_SECS` is treated as not given.
pub const MAX_LIFE_SECS: i64 = 10 * 366 * 24 * 3600;

/// `now + secs` for a life given in a token answer's `field`: `None` when not given, or
/// given outside `0..=MAX_LIFE_SECS` (then logged by field name, as the default applies).
fn expiry(
    now: DateTime<Utc>,
    field: &str,
    secs: Option<i64>,
) -> Result<Option<DateTime<Utc>>, EndpointError> {
    match secs {
        None => Ok(None),
        Some(s) if (0..=MAX_LIFE_SECS).contains(&s) => later(now, field, s).map(Some),
        Some(_) => {
            tracing::warn!(
                field,
                "the token answer gives a life outside 0..={MAX_LIFE_SECS} seconds; ignored"
            );
            Ok(None)
        }
    }
}

/// `now + secs`, a typed error where the calendar ends.
fn later(now: DateTime<Utc>, field: &str, secs: i64) -> Result<DateTime<Utc>, EndpointError> {
    TimeDelta::try_seconds(secs)
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| {
            EndpointError::Transient(format!("the token answer's `{field}` is out of range"))
        })
}

/// serde_json's kind of error, in words.
fn category(c: serde_json::error::Category) -> &'static str {
    match c {
        serde_json::error::Category::Io => "I/O",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "type",
        serde_json::error::Category::Eof => "truncation",
    }
}

/// Intuit's fields beyond RFC 6749.
///
/// Read tolerantly, since an unreadable field would throw away the rotated refresh token
/// beside it: any JSON number (or a string holding one) is read, saturated to `i64`
/// (`1e20` and `18446744073709551615` become `i64::MAX`, fractions are cut); any other
/// value counts as not given. A life outside `0..=`[`MAX_LIFE_SECS`] is then ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntuitTokenFields {
    /// Seconds until the refresh token expires if unused.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_seconds"
    )]
    pub x_refresh_token_expires_in: Option<i64>,
    /// Seconds until the refresh token's hard expiry (with [`HARD_EXPIRY_HEADER`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_seconds"
    )]
    pub x_refresh_token_hard_expires_in: Option<i64>,
}

/// A number of seconds as [`IntuitTokenFields`] reads it.
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let number = match &value {
        serde_json::Value::Number(n) => Some(n.clone()),
        serde_json::Value::String(s) => s.trim().parse::<serde_json::Number>().ok(),
        _ => None,
    };
    Ok(number.and_then(|n| {
        if let Some(i) = n.as_i64() {
            Some(i)
        } else if n.as_u64().is_some() {
            Some(i64::MAX)
        } else {
            // `as` saturates at the ends of `i64` and cuts the fraction: what is wanted.
            #[allow(clippy::cast_possible_truncation)]
            n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)
        }
    }))
}

impl ExtraTokenFields for IntuitTokenFields {}

type IntuitTokenResponse = StandardTokenResponse<IntuitTokenFields, BasicTokenType>;

type IntuitClient = Client<
    BasicErrorResponse,
    IntuitTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// How a call to the token endpoint failed.
#[derive(Debug)]
pub(crate) enum EndpointError {
    /// `invalid_grant`: the refresh token (or code) is dead.
    InvalidGrant(String),
    /// Another OAuth error (`invalid_client`, ...): a configuration problem.
    Refused {
        error: String,
        description: Option<String>,
    },
    /// Worth trying again (network, 5xx, 429, an unreadable answer).
    Transient(String),
}

impl From<EndpointError> for AuthError {
    fn from(e: EndpointError) -> Self {
        match e {
            EndpointError::InvalidGrant(reason) => AuthError::Refused {
                error: "invalid_grant".to_owned(),
                description: Some(reason),
            },
            EndpointError::Refused { error, description } => {
                AuthError::Refused { error, description }
            }
            EndpointError::Transient(reason) => AuthError::Unavailable(reason),
        }
    }
}

/// What our HTTP function reports to `oauth2` when a call fails before an OAuth answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("token endpoint unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    #[error("token endpoint answered HTTP {status}{}", .tid.as_deref().map(|t| format!(" (intuit_tid {t})")).unwrap_or_default())]
    Status { status: u16, tid: Option<String> },
    #[error("bad HTTP request: {0}")]
    Build(String),
}

/// `oauth2`'s HTTP client: our reqwest client, adding the hard-expiry header and turning
/// 5xx/429 answers into transport-level errors (they carry no OAuth error).
struct Sender(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for Sender {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(self.0.clone(), request))
    }
}

async fn send(http: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .header(HARD_EXPIRY_HEADER, "true")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(HttpError::Transport)?;
    let status = response.status();
    let tid = response
        .headers()
        .get("intuit_tid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(HttpError::Status {
            status: status.as_u16(),
            tid,
        });
    }
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(HttpError::Transport)?;
    let mut out = http::Response::builder().status(status);
    if let Some(h) = out.headers_mut() {
        *h = headers;
    }
    out.body(bytes.to_vec())
        .map_err(|e| HttpError::Build(e.to_string()))
}

/// Intuit's OAuth endpoints, ready to call.
pub(crate) struct IntuitOAuth {
    client: IntuitClient,
    http: reqwest::Client,
    revoke_url: Url,
    client_id: String,
    client_secret: SecretString,
    scopes: Vec<String>,
}

impl fmt::Debug for IntuitOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntuitOAuth")
            .field("client_id", &self.client_id)
            .field("token_url", &self.client.token_uri().as_str())
            .field("revoke_url", &self.revoke_url.as_str())
            .finish_non_exhaustive()
    }
}

impl IntuitOAuth {
    pub(crate) fn new(config: &OAuthConfig) -> Result<Self, AuthError> {
        let client = Client::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                config.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::from_url(config.endpoints.authorize.clone()))
            .set_token_uri(TokenUrl::from_url(config.endpoints.token.clone()))
            .set_redirect_uri(RedirectUrl::from_url(config.redirect_url.clone()));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.http_timeout)
            .user_agent(concat!(
                "qbo-sync/",
                env!("CARGO_PKG_VERSION"),
                " (qbo-auth)"
            ))
            .build()
            .map_err(|e| AuthError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            http,
            revoke_url: config.endpoints.revoke.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            scopes: config.scopes.clone(),
        })
    }

    /// The URL that asks the operator to consent, carrying `state`.
    pub(crate) fn authorize_url(&self, state: String) -> Url {
        let mut request = self.client.authorize_url(move || CsrfToken::new(state));
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        request.url().0
    }

    fn classify(error: RequestTokenError<HttpError, BasicErrorResponse>) -> EndpointError {
        match error {
            RequestTokenError::ServerResponse(response) => {
                let description = response.error_description().cloned();
                match response.error() {
                    BasicErrorResponseType::InvalidGrant => EndpointError::InvalidGrant(
                        description.unwrap_or_else(|| "invalid_grant".to_owned()),
                    ),
                    other => EndpointError::Refused {
                        error: other.as_ref().to_owned(),
                        description,
                    },
                }
            }
            RequestTokenError::Request(e) => EndpointError::Transient(e.to_string()),
            // The body holds tokens, and serde's message may quote a value of it: only
            // the field path, the kind of error and its position are kept.
            RequestTokenError::Parse(e, body) => EndpointError::Transient(format!(
                "unreadable token answer ({} bytes): {} error at `{}` (line {}, column {})",
                body.len(),
                category(e.inner().classify()),
                e.path(),
                e.inner().line(),
                e.inner().column(),
            )),
            RequestTokenError::Other(e) => EndpointError::Transient(e),
        }
    }

    fn token_set(
        response: &IntuitTokenResponse,
        realm: RealmId,
        previous_refresh: Option<&SecretString>,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, EndpointError> {
        let access_secs = response
            .expires_in()
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let extra = response.extra_fields();
        let refresh_token = match (response.refresh_token(), previous_refresh) {
            (Some(r), _) => SecretString::from(r.secret().as_str()),
            (None, Some(previous)) => previous.clone(),
            (None, None) => {
                return Err(EndpointError::Transient(
                    "the token answer holds no refresh token".to_owned(),
                ));
            }
        };
        let access_expires_at = expiry(now, "expires_in", access_secs)?
            .map_or_else(|| later(now, "expires_in", DEFAULT_ACCESS_SECS), Ok)?;
        let refresh_expires_at = expiry(
            now,
            "x_refresh_token_expires_in",
            extra.x_refresh_token_expires_in,
        )?
        .map_or_else(
            || later(now, "x_refresh_token_expires_in", DEFAULT_REFRESH_SECS),
            Ok,
        )?;
        let refresh_hard_expires_at = expiry(
            now,
            "x_refresh_token_hard_expires_in",
            extra.x_refresh_token_hard_expires_in,
        )?;
        Ok(TokenSet {
            realm_id: realm,
            access_token: SecretString::from(response.access_token().secret().as_str()),
            access_expires_at,
            refresh_token,
            refresh_expires_at,
            refresh_hard_expires_at,
            obtained_at: now,
        })
    }

    /// Exchanges an authorization code.
    pub(crate) async fn exchange_code(
        &self,
        code: &str,
        realm: RealmId,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, EndpointError> {
        let sender = Sender(self.http.clone());
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&sender)
            .await
            .map_err(Self::classify)?;
        Self::token_set(&response, realm, None, now)
    }

    /// Exchanges a refresh token.
    pub(crate) async fn refresh(
        &self,
        refresh_token: &SecretString,
        realm: RealmId,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, EndpointError> {
        let sender = Sender(self.http.clone());
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&sender)
            .await
            .map_err(Self::classify)?;
        Self::token_set(&response, realm, Some(refresh_token), now)
    }

    /// Revokes a token at Intuit (`POST {"token": ...}` with the client's Basic credentials).
    pub(crate) async fn revoke(&self, token: &SecretString) -> Result<(), EndpointError> {
        let response = self
            .http
            .post(self.revoke_url.clone())
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "token": token.expose_secret() }).to_string())
            .send()
            .await
            .map_err(|e| EndpointError::Transient(format!("revoke endpoint unreachable: {e}")))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(EndpointError::Transient(format!(
                "revoke endpoint answered HTTP {status}"
            )));
        }
        let body = response.text().await.unwrap_or_default();
        let parsed: Option<BasicErrorResponse> = serde_json::from_str(&body).ok();
        match parsed {
            Some(e) if *e.error() == BasicErrorResponseType::InvalidGrant => Err(
                EndpointError::InvalidGrant(e.error_description().cloned().unwrap_or_default()),
            ),
            Some(e) => Err(EndpointError::Refused {
                error: e.error().as_ref().to_owned(),
                description: e.error_description().cloned(),
            }),
            None => Err(EndpointError::Refused {
                error: format!("HTTP {status}"),
                // The body is not an OAuth error; it may echo the token: never kept.
                description: Some(format!(
                    "an answer of {} bytes that is no OAuth error",
                    body.len()
                )),
            }),
        }
    }
}
