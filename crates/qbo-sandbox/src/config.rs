//! The sandbox's settings: the fixed ones given at start ([`SandboxConfig`]) and the ones
//! tests may change while it runs ([`Settings`]: limits, chaos, token policy).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, SystemClock};

/// The OAuth app the sandbox knows (Intuit's developer portal entry).
#[derive(Clone)]
pub struct OAuthApp {
    /// The client id.
    pub client_id: String,
    /// The client secret (never logged).
    pub client_secret: SecretString,
    /// Redirect URLs the authorize endpoint accepts; empty accepts any http(s) URL.
    pub redirect_uris: Vec<String>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

impl Default for OAuthApp {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: SecretString::from(DEFAULT_CLIENT_SECRET),
            redirect_uris: Vec::new(),
        }
    }
}

/// The client id of the default app.
pub const DEFAULT_CLIENT_ID: &str = "sandbox-client";
/// The client secret of the default app.
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";

/// Everything fixed when the sandbox starts.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen (default `127.0.0.1:0`: a free port on the loopback interface).
    pub listen: SocketAddr,
    /// Seed of the random numbers (ids of tokens, realms, `intuit_tid`s, chaos draws).
    pub seed: u64,
    /// The OAuth app.
    pub app: OAuthApp,
    /// The company created at start, which the authorize endpoint hands out unless told
    /// otherwise (default: a 16-digit id drawn from the seed).
    pub realm_id: Option<String>,
    /// The time source (default: the system clock); the sandbox adds its own offset, moved
    /// by [`crate::Sandbox::advance_clock`].
    pub clock: Arc<dyn Clock>,
    /// How many requests the request log keeps (default 10,000; older ones are dropped).
    pub request_log_size: usize,
    /// The largest request body accepted (default 10 MiB).
    pub max_body_bytes: usize,
    /// The settings that may change while the sandbox runs.
    pub settings: Settings,
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("seed", &self.seed)
            .field("app", &self.app)
            .field("realm_id", &self.realm_id)
            .field("clock", &self.clock)
            .field("request_log_size", &self.request_log_size)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: 0x5eed_0b0c,
            app: OAuthApp::default(),
            realm_id: None,
            clock: Arc::new(SystemClock),
            request_log_size: 10_000,
            max_body_bytes: 10 * 1024 * 1024,
            settings: Settings::default(),
        }
    }
}

impl SandboxConfig {
    /// The defaults with rate limits off (benchmarks, demos).
    pub fn without_limits() -> Self {
        let mut config = Self::default();
        config.settings.limits.enabled = false;
        config
    }
}

/// Settings that tests may change while the sandbox runs (library calls or
/// `PUT /_sandbox/settings`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Per-realm rate limits.
    pub limits: Limits,
    /// Access- and refresh-token rules.
    pub tokens: TokenPolicy,
    /// Injected failures.
    pub chaos: Chaos,
    /// What a reused `requestid` with a different request gets.
    pub request_id_conflict: RequestIdConflict,
}

/// QBO's per-realm limits (notes §4): 500 requests a minute, 10 in flight, 40 batches a
/// minute; passing one gives HTTP 429 with the throttle fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Whether limits apply at all.
    pub enabled: bool,
    /// Requests per window and realm.
    pub requests_per_window: u32,
    /// Batch requests per window and realm.
    pub batches_per_window: u32,
    /// Requests being answered at once per realm.
    pub max_in_flight: u32,
    /// The sliding window, in milliseconds (default 60,000).
    pub window_ms: u64,
    /// A `Retry-After` header (seconds) on 429 answers; off by default because QBO sending
    /// it is unconfirmed (notes §4).
    pub retry_after_secs: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            enabled: true,
            requests_per_window: 500,
            batches_per_window: 40,
            max_in_flight: 10,
            window_ms: 60_000,
            retry_after_secs: None,
        }
    }
}

/// How tokens live and rotate (notes §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenPolicy {
    /// Access-token life in seconds (QBO: 3600).
    pub access_token_secs: i64,
    /// Rolling refresh-token life in seconds, renewed by each refresh (QBO: 8,726,400).
    pub refresh_token_secs: i64,
    /// Hard refresh-token life in seconds from the connection's first token (QBO: 5 years).
    pub refresh_token_hard_secs: i64,
    /// A refresh returns the same refresh token until it is this old (seconds), then a new
    /// one (QBO: about a day). `0` rotates on every refresh.
    pub rotation_window_secs: i64,
    /// How long a replaced refresh token still works (seconds). `0`: it dies at once (the
    /// strict reading of the notes' conflict); Intuit's older docs say 24 hours.
    pub replaced_grace_secs: i64,
    /// How long an authorization code may wait for its exchange (seconds).
    pub code_secs: i64,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            access_token_secs: 3600,
            refresh_token_secs: 8_726_400,
            refresh_token_hard_secs: 5 * 365 * 86_400,
            rotation_window_secs: 86_400,
            replaced_grace_secs: 0,
            code_secs: 600,
        }
    }
}

/// Failures injected into v3 API answers (never into OAuth or inspection routes). Each
/// rate is a probability from 0 to 1, drawn from the seeded random numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Chaos {
    /// Extra time before each answer, uniform between `min_ms` and `max_ms`.
    pub latency: Option<Latency>,
    /// Answer with a 5xx (500 system fault, 502 HTML page or 503) before doing anything.
    pub error_rate: f64,
    /// Cut the connection before doing anything.
    pub drop_rate: f64,
    /// Apply a write, then answer with an error (or cut the connection, per
    /// `after_commit`): proves that retries with a `requestid` never duplicate.
    pub fail_after_commit_rate: f64,
    /// How a failure after commit shows.
    pub after_commit: AfterCommit,
}

/// A uniform latency range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Shortest added delay, in milliseconds.
    pub min_ms: u64,
    /// Longest added delay, in milliseconds.
    pub max_ms: u64,
}

impl Latency {
    /// A fixed delay.
    pub fn fixed(delay: Duration) -> Self {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self {
            min_ms: ms,
            max_ms: ms,
        }
    }
}

/// How a failure after commit reaches the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterCommit {
    /// HTTP 500 with QBO's system fault.
    #[default]
    Error,
    /// The connection is cut without an answer.
    Drop,
}

/// What a `requestid` seen before gets when the request differs from the first one. QBO's
/// behaviour is unconfirmed (notes §3: code 600 exists in Intuit's table).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestIdConflict {
    /// HTTP 400 with fault 600 "Duplicate Request ID".
    #[default]
    Reject,
    /// The first answer, as for an identical repeat.
    Replay,
}
