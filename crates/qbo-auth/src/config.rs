//! OAuth configuration: the app's credentials and Intuit's endpoints.

use std::fmt;
use std::time::Duration;

use chrono::TimeDelta;
use secrecy::SecretString;
use url::Url;

use crate::error::AuthError;

/// The scope qbo-sync asks for: the Accounting API.
pub const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// Intuit's authorization endpoint (the same for sandbox and production companies).
pub const INTUIT_AUTHORIZE_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's token endpoint (code exchange and refresh).
pub const INTUIT_TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// Intuit's revocation endpoint.
pub const INTUIT_REVOKE_URL: &str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke";

/// The three OAuth endpoints. Intuit's by default; point them at `qbo-sandbox` or a
/// wiremock server in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Where the operator's browser is sent to consent.
    pub authorize: Url,
    /// Where codes and refresh tokens are exchanged.
    pub token: Url,
    /// Where tokens are revoked.
    pub revoke: Url,
}

impl Endpoints {
    /// Intuit's endpoints.
    ///
    /// # Errors
    /// Never in practice (the URLs are constants); [`AuthError::Config`] otherwise.
    pub fn intuit() -> Result<Self, AuthError> {
        Ok(Self {
            authorize: parse_url("authorize", INTUIT_AUTHORIZE_URL)?,
            token: parse_url("token", INTUIT_TOKEN_URL)?,
            revoke: parse_url("revoke", INTUIT_REVOKE_URL)?,
        })
    }

    /// All three under one base URL, at the paths `qbo-sandbox` serves:
    /// `{base}/connect/oauth2`, `{base}/oauth2/v1/tokens/bearer`,
    /// `{base}/v2/oauth2/tokens/revoke`.
    ///
    /// # Errors
    /// [`AuthError::Config`] when `base` is not an http(s) URL.
    pub fn under(base: &str) -> Result<Self, AuthError> {
        let base = base.trim_end_matches('/');
        Ok(Self {
            authorize: parse_url("authorize", &format!("{base}/connect/oauth2"))?,
            token: parse_url("token", &format!("{base}/oauth2/v1/tokens/bearer"))?,
            revoke: parse_url("revoke", &format!("{base}/v2/oauth2/tokens/revoke"))?,
        })
    }
}

pub(crate) fn parse_url(what: &str, value: &str) -> Result<Url, AuthError> {
    let url =
        Url::parse(value).map_err(|e| AuthError::Config(format!("{what} URL {value:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AuthError::Config(format!(
            "{what} URL {value:?} is not http(s)"
        )));
    }
    Ok(url)
}

/// The app's OAuth settings, from the Intuit developer portal.
#[derive(Clone)]
pub struct OAuthConfig {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret (never logged).
    pub client_secret: SecretString,
    /// The redirect URL registered with Intuit (qbo-sync's OAuth callback).
    pub redirect_url: Url,
    /// The endpoints.
    pub endpoints: Endpoints,
    /// The scopes asked for (default: the accounting scope).
    pub scopes: Vec<String>,
    /// Timeout of one call to the token or revoke endpoint.
    pub http_timeout: Duration,
}

impl OAuthConfig {
    /// Settings with Intuit's endpoints and the accounting scope.
    ///
    /// # Errors
    /// [`AuthError::Config`] for an empty client id or a redirect URL that is not http(s).
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_url: &str,
    ) -> Result<Self, AuthError> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(AuthError::Config("the client id is empty".to_owned()));
        }
        Ok(Self {
            client_id,
            client_secret,
            redirect_url: parse_url("redirect", redirect_url)?,
            endpoints: Endpoints::intuit()?,
            scopes: vec![ACCOUNTING_SCOPE.to_owned()],
            http_timeout: Duration::from_secs(20),
        })
    }

    /// The same settings with other endpoints.
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_url", &self.redirect_url.as_str())
            .field("endpoints", &self.endpoints)
            .field("scopes", &self.scopes)
            .field("http_timeout", &self.http_timeout)
            .finish()
    }
}

/// How the [`crate::TokenManager`] keeps connections alive.
#[derive(Debug, Clone)]
pub struct ManagerConfig {
    /// Refresh when the access token has less than this left (default 5 minutes).
    pub refresh_margin: TimeDelta,
    /// The keep-alive pass refreshes a tenant whose refresh token expires (rolling) within
    /// this (default 80 days of QBO's ~101, so an idle shop refreshes every ~3 weeks).
    pub keepalive_margin: TimeDelta,
    /// The keep-alive pass reports tenants whose hard expiry is within this (default 30 days).
    pub hard_expiry_warning: TimeDelta,
    /// How long a refresh may hold the tenant's refresh lease (default 2 minutes; it must
    /// outlast all attempts at the token endpoint).
    pub refresh_lease: TimeDelta,
    /// Attempts at the token endpoint for transient failures (default 3).
    pub endpoint_attempts: u32,
    /// Wait before the second attempt, doubled after (default 500 ms).
    pub endpoint_backoff: Duration,
    /// Attempts to save rotated tokens before giving up for this call (default 5); the
    /// tokens are kept and saved before anything else on the next call.
    pub save_attempts: u32,
    /// Wait between save attempts, doubled after (default 100 ms).
    pub save_backoff: Duration,
    /// How often a process waiting for another process's refresh looks again (default 200 ms).
    pub lease_poll: Duration,
    /// How long a connect's `state` is accepted (default 10 minutes).
    pub state_ttl: TimeDelta,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        Self {
            refresh_margin: TimeDelta::minutes(5),
            keepalive_margin: TimeDelta::days(80),
            hard_expiry_warning: TimeDelta::days(30),
            refresh_lease: TimeDelta::minutes(2),
            endpoint_attempts: 3,
            endpoint_backoff: Duration::from_millis(500),
            save_attempts: 5,
            save_backoff: Duration::from_millis(100),
            lease_poll: Duration::from_millis(200),
            state_ttl: TimeDelta::minutes(10),
        }
    }
}
