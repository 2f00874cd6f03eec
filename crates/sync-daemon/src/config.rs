//! The daemon's configuration: a TOML file (`--config`, default `./qbo-sync.toml`) with
//! environment overrides, checked at start with errors naming the key and the file line.
//!
//! - **No file** is fine: the embedded default (one SQLite file in the working directory, no
//!   tenant) is used.
//! - **Environment overrides**: `QBO_SYNC_<PATH>` where `__` separates the parts of the key
//!   path, e.g. `QBO_SYNC_DATABASE__URL` or `QBO_SYNC_TENANTS__SHOP__QBO__CLIENT_SECRET`.
//!   Values are read as TOML values when they parse as one (`60`, `true`, `["P", "C"]`),
//!   else as text. Variables without `__` (`QBO_SYNC_CONFIG`, `QBO_SYNC_LOG`, ...) are not
//!   overrides.
//! - **Secrets** (client secret, CS-Cart API key, encryption key) are never required inline:
//!   each is text, `{ env = "VAR" }` or `{ file = "path" }` ([`Secret`]).
//!
//! Every key, with its default, is in [`EXAMPLE`] (`qbo-sync config example`) and in
//! `docs/configuration.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mapping::MappingConfig;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The default configuration file, in the working directory.
pub const DEFAULT_PATH: &str = "qbo-sync.toml";

/// The prefix of environment overrides.
pub const ENV_PREFIX: &str = "QBO_SYNC_";

/// A commented configuration with every key and its default (`qbo-sync config example`).
pub const EXAMPLE: &str = include_str!("../qbo-sync.example.toml");

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the queue, links, cursors and tokens are kept.
    #[serde(default)]
    pub database: DatabaseConfig,
    /// The key that encrypts QBO tokens at rest.
    #[serde(default)]
    pub encryption: EncryptionConfig,
    /// How workers claim and push.
    #[serde(default)]
    pub worker: WorkerConfig,
    /// The stores kept in step with a QBO company each: the main store and any number of
    /// marketplace vendors, by tenant id.
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantConfig>,
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://file.db?mode=rwc` (default `sqlite://qbo-sync.db?mode=rwc`),
    /// `postgres://...` or `mysql://...`.
    #[serde(default = "default_database_url")]
    pub url: String,
}

fn default_database_url() -> String {
    "sqlite://qbo-sync.db?mode=rwc".to_owned()
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: default_database_url(),
        }
    }
}

/// `[encryption]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionConfig {
    /// The key (32 bytes, base64). Without it, the key is read from `key_file`, which is
    /// created (mode 0600) on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Secret>,
    /// The id stored beside each encrypted row (default `k1`); change it with the key.
    #[serde(default = "default_key_id")]
    pub key_id: String,
    /// Where the generated key lives when `key` is not set (default `qbo-sync.key`).
    #[serde(default = "default_key_file")]
    pub key_file: PathBuf,
    /// Keys still accepted for reading during a rotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<PreviousKey>,
}

fn default_key_id() -> String {
    "k1".to_owned()
}

fn default_key_file() -> PathBuf {
    PathBuf::from("qbo-sync.key")
}

impl Default for EncryptionConfig {
    fn default() -> Self {
        Self {
            key: None,
            key_id: default_key_id(),
            key_file: default_key_file(),
            previous: Vec::new(),
        }
    }
}

/// A key kept for reading rows written before a rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousKey {
    /// Its id.
    pub id: String,
    /// The key (32 bytes, base64).
    pub key: Secret,
}

/// `[worker]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Workers per tenant (default 4). QBO allows 10 calls in flight per company; the
    /// client's limiter keeps every worker of a process within that.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Jobs claimed at once by a worker (default 30, QBO's batch size).
    #[serde(default = "default_claim_batch")]
    pub claim_batch: usize,
    /// Seconds a claim is leased for (default 120).
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    /// Attempts before a job goes to error (default 8).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Milliseconds before the first retry of a job that failed for a passing reason,
    /// doubled after each further failure (default 30000), with jitter.
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_ms: u64,
    /// The longest wait between retries, in milliseconds (default 3600000, an hour).
    #[serde(default = "default_retry_max_ms")]
    pub retry_max_ms: u64,
    /// Whether creates and updates may share QBO batch requests when the rate limits
    /// leave too few single calls (default true).
    #[serde(default = "default_true")]
    pub batch: bool,
    /// Seconds `serve` gives running jobs to finish after SIGTERM/SIGINT (default 30).
    #[serde(default = "default_shutdown_secs")]
    pub shutdown_secs: u64,
}

fn default_concurrency() -> usize {
    4
}
fn default_claim_batch() -> usize {
    30
}
fn default_lease_secs() -> u64 {
    120
}
fn default_max_attempts() -> u32 {
    8
}
fn default_retry_base_ms() -> u64 {
    30_000
}
fn default_retry_max_ms() -> u64 {
    3_600_000
}
fn default_true() -> bool {
    true
}
fn default_shutdown_secs() -> u64 {
    30
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: default_concurrency(),
            claim_batch: default_claim_batch(),
            lease_secs: default_lease_secs(),
            max_attempts: default_max_attempts(),
            retry_base_ms: default_retry_base_ms(),
            retry_max_ms: default_retry_max_ms(),
            batch: true,
            shutdown_secs: default_shutdown_secs(),
        }
    }
}

impl WorkerConfig {
    /// The lease of a claim.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }

    /// The queue's retry policy.
    pub fn retry(&self) -> sync_queue::RetryPolicy {
        sync_queue::RetryPolicy {
            max_attempts: self.max_attempts,
            base_delay: Duration::from_millis(self.retry_base_ms),
            max_delay: Duration::from_millis(self.retry_max_ms),
        }
    }
}

/// `[tenants.<id>]`: one store and its QBO company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// A name for people (default: the tenant id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The QBO connection.
    pub qbo: QboConfig,
    /// Where changes come from.
    pub store: StoreConfig,
    /// What the engine does beyond the mapping.
    #[serde(default)]
    pub sync: SyncConfig,
    /// How store entities become QBO entities (`mapping`'s configuration).
    pub mapping: MappingConfig,
}

/// `[tenants.<id>.qbo]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QboConfig {
    /// `production`, `sandbox` (Intuit's developer sandbox) or the base URL of another API
    /// (`qbo-sandbox`, a proxy).
    #[serde(default = "default_environment")]
    pub environment: String,
    /// `intuit` (default) or the base URL under which the authorize, token and revoke
    /// endpoints live (`qbo-sandbox`).
    #[serde(default = "default_oauth")]
    pub oauth: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: Secret,
    /// The redirect URL registered with Intuit (the daemon's `/oauth/callback`).
    #[serde(default = "default_redirect_url")]
    pub redirect_url: String,
    /// The client's limits, kept by every worker of this process together.
    #[serde(default)]
    pub limits: LimitsConfig,
}

/// `[tenants.<id>.qbo.limits]`: QBO's per-company limits, which the client keeps to
/// (defaults: QBO's own). Raise them only for a simulator without limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Requests a minute, batches included (default 500).
    #[serde(default = "default_requests_per_minute")]
    pub requests_per_minute: u32,
    /// Batch requests a minute (default 40).
    #[serde(default = "default_batches_per_minute")]
    pub batches_per_minute: u32,
    /// Calls in flight at once (default 10).
    #[serde(default = "default_in_flight")]
    pub max_in_flight: u32,
    /// Writes per batch request, 1 to 30 (default 30, QBO's recommended most).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
}

fn default_batch_size() -> u32 {
    30
}

fn default_requests_per_minute() -> u32 {
    500
}
fn default_batches_per_minute() -> u32 {
    40
}
fn default_in_flight() -> u32 {
    10
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            requests_per_minute: default_requests_per_minute(),
            batches_per_minute: default_batches_per_minute(),
            max_in_flight: default_in_flight(),
            batch_size: default_batch_size(),
        }
    }
}

impl LimitsConfig {
    /// The client's limits.
    pub fn rate_limits(&self) -> qbo_api::limit::RateLimits {
        qbo_api::limit::RateLimits {
            requests_per_window: self.requests_per_minute,
            batches_per_window: self.batches_per_minute,
            max_in_flight: self.max_in_flight,
            window: Duration::from_secs(60),
        }
    }
}

fn default_environment() -> String {
    "production".to_owned()
}
fn default_oauth() -> String {
    "intuit".to_owned()
}
fn default_redirect_url() -> String {
    "http://localhost:8080/oauth/callback".to_owned()
}

/// `[tenants.<id>.store]`: where the tenant's changes come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoreConfig {
    /// A CS-Cart store, polled through its REST API.
    Cscart(CscartConfig),
    /// A store that sends snapshots of its entities (the webhook, or the library API): the
    /// queued job carries the entity in the `mapping` store model.
    Snapshot,
}

/// `[tenants.<id>.store]` with `kind = "cscart"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CscartConfig {
    /// The store's address (`https://shop.example.com`).
    pub url: String,
    /// The administrator's e-mail (the API user).
    pub email: String,
    /// The administrator's API key.
    pub api_key: Secret,
    /// An API version path (`2.0`), when the store needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// The store's primary currency (default `USD`).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Whether products that do not say track stock (default true).
    #[serde(default = "default_true")]
    pub track_stock_by_default: bool,
    /// CS-Cart Multi-Vendor (default false).
    #[serde(default)]
    pub multi_vendor: bool,
    /// The statuses that count as paid (default: those the store flags as paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_statuses: Option<Vec<String>>,
    /// Poll intervals.
    #[serde(default)]
    pub poll: PollConfig,
}

fn default_currency() -> String {
    "USD".to_owned()
}

/// `[tenants.<id>.store.poll]`: seconds between polls of each feed; 0 turns a feed off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollConfig {
    /// Orders changed since the last poll (default 60).
    #[serde(default = "default_poll_orders")]
    pub orders_secs: u64,
    /// Products changed since the last poll (default 120).
    #[serde(default = "default_poll_products")]
    pub products_secs: u64,
    /// Full scans: customers, categories, products (stock and deletes), orders (deletes)
    /// (default 3600).
    #[serde(default = "default_poll_scans")]
    pub scans_secs: u64,
    /// Seconds a poller holds the tenant's poll lease; another process takes over when it
    /// is not renewed (default 60).
    #[serde(default = "default_poll_lease")]
    pub lease_secs: u64,
}

fn default_poll_orders() -> u64 {
    60
}
fn default_poll_products() -> u64 {
    120
}
fn default_poll_scans() -> u64 {
    3600
}
fn default_poll_lease() -> u64 {
    60
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            orders_secs: default_poll_orders(),
            products_secs: default_poll_products(),
            scans_secs: default_poll_scans(),
            lease_secs: default_poll_lease(),
        }
    }
}

/// What an order moved to a cancelled status does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnCancel {
    /// Void its QBO document (and payment).
    #[default]
    Void,
    /// Leave QBO as it is.
    Keep,
}

/// What an order naming an item that is inactive in QBO does (QBO refuses it, fault 610).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InactiveItems {
    /// Make the item active for the write, and inactive again after.
    #[default]
    Reactivate,
    /// Fail the order, naming the item.
    Fail,
}

/// `[tenants.<id>.sync]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// Order statuses that push an order (default `["P", "C"]`: processed, complete). An
    /// order already in QBO is updated whatever its status, until it is cancelled.
    #[serde(default = "default_trigger_statuses")]
    pub trigger_statuses: Vec<String>,
    /// Order statuses that cancel an order (default `["I", "D"]`: cancelled, declined).
    #[serde(default = "default_cancel_statuses")]
    pub cancel_statuses: Vec<String>,
    /// What a cancelled order does in QBO (default `void`).
    #[serde(default)]
    pub on_cancel: OnCancel,
    /// What an order for an item inactive in QBO does (default `reactivate`).
    #[serde(default)]
    pub inactive_items: InactiveItems,
}

fn default_trigger_statuses() -> Vec<String> {
    vec!["P".to_owned(), "C".to_owned()]
}
fn default_cancel_statuses() -> Vec<String> {
    vec!["I".to_owned(), "D".to_owned()]
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            trigger_statuses: default_trigger_statuses(),
            cancel_statuses: default_cancel_statuses(),
            on_cancel: OnCancel::default(),
            inactive_items: InactiveItems::default(),
        }
    }
}

/// A secret: text, `{ env = "VAR" }` or `{ file = "path" }`. Never printed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Secret {
    /// The secret itself (in a file that is not shared, or from an environment override).
    Inline(String),
    /// The name of an environment variable holding it.
    Env {
        /// The variable.
        env: String,
    },
    /// A file holding it (surrounding white space is trimmed).
    File {
        /// The path.
        file: PathBuf,
    },
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inline(_) => f.write_str("Secret([redacted])"),
            Self::Env { env } => write!(f, "Secret(env {env})"),
            Self::File { file } => write!(f, "Secret(file {})", file.display()),
        }
    }
}

impl Secret {
    /// Reads the secret.
    ///
    /// # Errors
    /// A [`ConfigError`] naming `key` when the variable is unset or the file unreadable or
    /// empty.
    pub fn resolve(&self, key: &str) -> Result<SecretString, ConfigError> {
        let text = match self {
            Self::Inline(text) => text.clone(),
            Self::Env { env } => std::env::var(env).map_err(|_| {
                ConfigError::key(key, format!("the environment variable {env} is not set"))
            })?,
            Self::File { file } => std::fs::read_to_string(file).map_err(|e| {
                ConfigError::key(key, format!("cannot read {}: {e}", file.display()))
            })?,
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(ConfigError::key(key, "the secret is empty"));
        }
        Ok(SecretString::from(text.to_owned()))
    }
}

/// A configuration error: where (file, line, key or environment variable) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file, when the error is in one.
    pub file: Option<PathBuf>,
    /// The line in that file (1-based), when known.
    pub line: Option<usize>,
    /// The key path (`tenants.shop.qbo.client_id`) or the environment variable.
    pub key: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.reason)
    }
}

impl ConfigError {
    /// An error about one key.
    pub fn key(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            key: Some(key.into()),
            reason: reason.into(),
        }
    }

    fn at(mut self, source: &Source) -> Self {
        if let Some(path) = &source.path {
            self.file = Some(path.clone());
            if self.line.is_none()
                && let Some(key) = &self.key
            {
                self.line = line_of_key(&source.text, key);
            }
        }
        self
    }
}

/// The text the configuration was read from.
#[derive(Debug, Clone, Default)]
struct Source {
    path: Option<PathBuf>,
    text: String,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// The file read, or `None` for the embedded default.
    pub path: Option<PathBuf>,
    /// The environment variables that overrode keys.
    pub overrides: Vec<String>,
}

/// Loads the configuration: `path` if given (it must exist), else `./qbo-sync.toml` if it
/// exists, else the embedded default; then the `QBO_SYNC_…__…` environment overrides; then
/// checks it ([`Config::validate`]).
///
/// # Errors
/// The first [`ConfigError`], naming the file line and key where it can.
pub fn load(path: Option<&Path>) -> Result<Loaded, ConfigError> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    load_with_env(path, &vars)
}

/// [`load`] with the environment given (tests).
///
/// # Errors
/// As [`load`].
pub fn load_with_env(
    path: Option<&Path>,
    vars: &[(String, String)],
) -> Result<Loaded, ConfigError> {
    let source = match path {
        Some(path) => Source {
            path: Some(path.to_owned()),
            text: std::fs::read_to_string(path).map_err(|e| ConfigError {
                file: Some(path.to_owned()),
                line: None,
                key: None,
                reason: format!("cannot read the configuration: {e}"),
            })?,
        },
        None => match std::fs::read_to_string(DEFAULT_PATH) {
            Ok(text) => Source {
                path: Some(PathBuf::from(DEFAULT_PATH)),
                text,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Source::default(),
            Err(e) => {
                return Err(ConfigError {
                    file: Some(PathBuf::from(DEFAULT_PATH)),
                    line: None,
                    key: None,
                    reason: format!("cannot read the configuration: {e}"),
                });
            }
        },
    };
    let (config, overrides) = parse(&source, vars)?;
    config.validate().map_err(|e| e.at(&source))?;
    Ok(Loaded {
        config,
        path: source.path,
        overrides,
    })
}

/// Parses a configuration text with no environment overrides and checks it (tests, the
/// example).
///
/// # Errors
/// As [`load`].
pub fn from_str(text: &str) -> Result<Config, ConfigError> {
    let source = Source {
        path: None,
        text: text.to_owned(),
    };
    let (config, _) = parse(&source, &[])?;
    config.validate().map_err(|e| e.at(&source))?;
    Ok(config)
}

fn parse(source: &Source, vars: &[(String, String)]) -> Result<(Config, Vec<String>), ConfigError> {
    let mut table: toml::Table = match toml::from_str(&source.text) {
        Ok(table) => table,
        Err(e) => return Err(toml_error(source, &e)),
    };
    // First the file alone, so that its errors point at its lines.
    let from_file = deserialize(toml::Value::Table(table.clone())).map_err(|(key, reason)| {
        ConfigError {
            file: None,
            line: None,
            key: Some(key),
            reason,
        }
        .at(source)
    });
    let overrides: Vec<&(String, String)> = vars
        .iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name.contains("__"))
        .collect();
    if overrides.is_empty() {
        return Ok((from_file?, Vec::new()));
    }
    // The file must be right on its own too, unless an override is what fixes it.
    for (name, value) in &overrides {
        apply_override(&mut table, name, value)?;
    }
    match deserialize(toml::Value::Table(table)) {
        Ok(config) => Ok((config, overrides.iter().map(|(n, _)| n.clone()).collect())),
        Err((key, reason)) => {
            let var = env_name(&key);
            let named = overrides.iter().any(|(n, _)| n.eq_ignore_ascii_case(&var));
            if named {
                Err(ConfigError::key(var, reason))
            } else {
                Err(ConfigError::key(key, reason).at(source))
            }
        }
    }
}

/// `tenants.shop.qbo.client_id` → `QBO_SYNC_TENANTS__SHOP__QBO__CLIENT_ID`.
fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.split('.')
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
            .join("__")
    )
}

fn deserialize(value: toml::Value) -> Result<Config, (String, String)> {
    serde_path_to_error::deserialize::<_, Config>(value).map_err(|e| {
        let key = e.path().to_string();
        let reason = e.into_inner().message().trim().to_owned();
        (key, reason)
    })
}

fn toml_error(source: &Source, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map(|span| {
        source.text[..span.start.min(source.text.len())]
            .matches('\n')
            .count()
            + 1
    });
    ConfigError {
        file: source.path.clone(),
        line,
        key: None,
        reason: e.message().trim().to_owned(),
    }
}

fn apply_override(table: &mut toml::Table, name: &str, raw: &str) -> Result<(), ConfigError> {
    let path: Vec<String> = name[ENV_PREFIX.len()..]
        .split("__")
        .map(str::to_ascii_lowercase)
        .collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::key(name, "an empty part in the key path"));
    }
    let value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    };
    let mut node = table;
    let (last, parents) = path
        .split_last()
        .ok_or_else(|| ConfigError::key(name, "no key path"))?;
    for part in parents {
        let entry = node
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = match entry {
            toml::Value::Table(t) => t,
            _ => {
                return Err(ConfigError::key(
                    name,
                    format!("`{part}` is not a table in the configuration"),
                ));
            }
        };
    }
    node.insert(last.clone(), value);
    Ok(())
}

/// The line (1-based) where `key` (a dotted path; `[n]` parts are skipped) is written in
/// a TOML text, or where its closest written parent is.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let parsed = toml::de::DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table = parsed.get_ref();
    for part in key
        .split('.')
        .filter(|p| !p.is_empty() && !p.starts_with('['))
    {
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == part) else {
            break;
        };
        span = Some(k.span());
        match v.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    let start = span?.start;
    Some(text[..start.min(text.len())].matches('\n').count() + 1)
}

impl Config {
    /// Checks what serde cannot: tenant ids, URLs, numbers in range, the mapping.
    ///
    /// # Errors
    /// The first [`ConfigError`] found, naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let db = &self.database.url;
        if !(db.starts_with("sqlite:") || db.starts_with("postgres") || db.starts_with("mysql:")) {
            return Err(ConfigError::key(
                "database.url",
                format!("{db:?} is not a sqlite://, postgres:// or mysql:// URL"),
            ));
        }
        if self.encryption.key_id.trim().is_empty() {
            return Err(ConfigError::key("encryption.key_id", "must not be empty"));
        }
        let w = &self.worker;
        if !(1..=64).contains(&w.concurrency) {
            return Err(ConfigError::key(
                "worker.concurrency",
                "must be between 1 and 64",
            ));
        }
        if !(1..=sync_queue::MAX_CLAIM).contains(&w.claim_batch) {
            return Err(ConfigError::key(
                "worker.claim_batch",
                format!("must be between 1 and {}", sync_queue::MAX_CLAIM),
            ));
        }
        if !(10..=86_400).contains(&w.lease_secs) {
            return Err(ConfigError::key(
                "worker.lease_secs",
                "must be between 10 and 86400",
            ));
        }
        if w.retry_base_ms == 0 || w.retry_max_ms < w.retry_base_ms {
            return Err(ConfigError::key(
                "worker.retry_max_ms",
                "retry_base_ms must be at least 1 and retry_max_ms at least retry_base_ms",
            ));
        }
        if !(1..=100).contains(&w.max_attempts) {
            return Err(ConfigError::key(
                "worker.max_attempts",
                "must be between 1 and 100",
            ));
        }
        for (id, tenant) in &self.tenants {
            tenant.validate(id)?;
        }
        Ok(())
    }
}

impl TenantConfig {
    fn validate(&self, id: &str) -> Result<(), ConfigError> {
        let key = |k: &str| format!("tenants.{id}.{k}");
        sync_queue::TenantId::new(id)
            .map_err(|e| ConfigError::key(format!("tenants.{id}"), e.to_string()))?;
        if id.len() > 40
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(ConfigError::key(
                format!("tenants.{id}"),
                "a tenant id is at most 40 lower-case letters, digits, `-` and `_`",
            ));
        }
        qbo_api::Environment::parse(&self.qbo.environment)
            .map_err(|e| ConfigError::key(key("qbo.environment"), e.to_string()))?;
        if self.qbo.oauth != "intuit" {
            qbo_auth::Endpoints::under(&self.qbo.oauth)
                .map_err(|e| ConfigError::key(key("qbo.oauth"), e.to_string()))?;
        }
        if self.qbo.client_id.trim().is_empty() {
            return Err(ConfigError::key(key("qbo.client_id"), "must not be empty"));
        }
        url::Url::parse(&self.qbo.redirect_url)
            .map_err(|e| ConfigError::key(key("qbo.redirect_url"), e.to_string()))?;
        let l = &self.qbo.limits;
        for (name, value) in [
            ("qbo.limits.requests_per_minute", l.requests_per_minute),
            ("qbo.limits.batches_per_minute", l.batches_per_minute),
            ("qbo.limits.max_in_flight", l.max_in_flight),
        ] {
            if value == 0 {
                return Err(ConfigError::key(key(name), "must be at least 1"));
            }
        }
        if !(1..=30).contains(&l.batch_size) {
            return Err(ConfigError::key(
                key("qbo.limits.batch_size"),
                format!(
                    "must be 1 to 30 (QBO refuses larger batches), not {}",
                    l.batch_size
                ),
            ));
        }
        if let StoreConfig::Cscart(c) = &self.store {
            let u = url::Url::parse(&c.url)
                .map_err(|e| ConfigError::key(key("store.url"), e.to_string()))?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(ConfigError::key(key("store.url"), "must be http(s)"));
            }
            if c.email.trim().is_empty() {
                return Err(ConfigError::key(key("store.email"), "must not be empty"));
            }
            if c.poll.lease_secs < 5 {
                return Err(ConfigError::key(
                    key("store.poll.lease_secs"),
                    "must be at least 5",
                ));
            }
        }
        if self.sync.trigger_statuses.is_empty() {
            return Err(ConfigError::key(
                key("sync.trigger_statuses"),
                "name at least one status",
            ));
        }
        if let Some(s) = self
            .sync
            .trigger_statuses
            .iter()
            .find(|s| self.sync.cancel_statuses.contains(s))
        {
            return Err(ConfigError::key(
                key("sync.cancel_statuses"),
                format!("status {s:?} is also a trigger status"),
            ));
        }
        self.mapping.validate().map_err(|e| match e {
            mapping::MappingError::Config { key: k, reason } => {
                ConfigError::key(key(&format!("mapping.{k}")), reason)
            }
            other => ConfigError::key(key("mapping"), other.to_string()),
        })?;
        Ok(())
    }

    /// The display name: `name`, else the tenant id.
    pub fn display_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.name.as_deref().unwrap_or(id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qbo-sync.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn the_example_reads_and_holds_every_default() {
        let config = from_str(EXAMPLE).unwrap();
        assert_eq!(config.database, DatabaseConfig::default());
        assert_eq!(config.worker, WorkerConfig::default());
        let shop = &config.tenants["shop"];
        assert_eq!(shop.sync, SyncConfig::default());
        assert_eq!(shop.qbo.limits, LimitsConfig::default());
        match &shop.store {
            StoreConfig::Cscart(c) => assert_eq!(c.poll, PollConfig::default()),
            StoreConfig::Snapshot => panic!("the example's store is CS-Cart"),
        }
    }

    #[test]
    fn no_file_is_the_embedded_default() {
        let config = from_str("").unwrap();
        assert_eq!(config, Config::default());
        assert!(config.database.url.starts_with("sqlite://"));
    }

    #[test]
    fn an_unknown_key_names_its_line_and_path() {
        let (_dir, path) =
            file("[database]\nurl = \"sqlite://x.db\"\n\n[worker]\nconcurency = 3\n");
        let e = load_with_env(Some(&path), &[]).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.to_string().contains("concurency"), "{e}");
        assert!(e.to_string().contains("qbo-sync.toml:5"), "{e}");
    }

    #[test]
    fn a_wrong_type_names_its_line() {
        let (_dir, path) = file("[worker]\nconcurrency = \"four\"\n");
        let e = load_with_env(Some(&path), &[]).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn a_value_out_of_range_names_its_key_and_line() {
        let (_dir, path) = file(
            "[database]\nurl = \"sqlite://x.db\"\n[worker]\nlease_secs = 60\nconcurrency = 0\n",
        );
        let e = load_with_env(Some(&path), &[]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("worker.concurrency"));
        assert_eq!(e.line, Some(5), "{e}");
    }

    #[test]
    fn a_tenant_error_names_the_nested_key() {
        let text = EXAMPLE.replace("client_id = \"ABc123\"", "client_id = \"  \"");
        let (_dir, path) = file(&text);
        let e = load_with_env(Some(&path), &[]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("tenants.shop.qbo.client_id"), "{e}");
        let line = text
            .lines()
            .position(|l| l.starts_with("client_id"))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(line), "{e}");
    }

    #[test]
    fn environment_overrides_win_and_bad_ones_name_the_variable() {
        let (_dir, path) = file("[worker]\nconcurrency = 2\n");
        let loaded = load_with_env(
            Some(&path),
            &env(&[
                ("QBO_SYNC_WORKER__CONCURRENCY", "7"),
                ("QBO_SYNC_DATABASE__URL", "postgres://u@db/qbo"),
                ("QBO_SYNC_LOG", "debug"),
            ]),
        )
        .unwrap();
        assert_eq!(loaded.config.worker.concurrency, 7);
        assert_eq!(loaded.config.database.url, "postgres://u@db/qbo");
        assert_eq!(loaded.overrides.len(), 2);
        let e = load_with_env(
            Some(&path),
            &env(&[("QBO_SYNC_WORKER__CONCURRENCY", "many")]),
        )
        .unwrap_err();
        assert_eq!(
            e.key.as_deref(),
            Some("QBO_SYNC_WORKER__CONCURRENCY"),
            "{e}"
        );
    }

    #[test]
    fn secrets_come_from_env_or_file_and_never_print() {
        let (_dir, path) = file("s3cr3t-value\n");
        let s = Secret::File { file: path.clone() };
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&s.resolve("k").unwrap()),
            "s3cr3t-value"
        );
        let inline = Secret::Inline("s3cr3t-value".to_owned());
        assert!(!format!("{inline:?}").contains("s3cr3t"));
        let missing = Secret::Env {
            env: "QBO_SYNC_TEST_SURELY_UNSET_VARIABLE".to_owned(),
        };
        let e = missing
            .resolve("tenants.shop.qbo.client_secret")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("QBO_SYNC_TEST_SURELY_UNSET_VARIABLE"),
            "{e}"
        );
        let gone = Secret::File {
            file: path.with_file_name("absent"),
        };
        assert!(gone.resolve("k").is_err());
    }

    #[test]
    fn a_missing_file_given_by_name_is_an_error_but_none_at_all_is_fine() {
        let e = load_with_env(Some(Path::new("surely/absent/qbo-sync.toml")), &[]).unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
    }

    #[test]
    fn every_key_of_the_example_is_documented() {
        let doc = include_str!("../../../docs/configuration.md");
        let mut table = String::new();
        for line in EXAMPLE.lines() {
            let line = line.trim_start_matches('#').trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
                table = name.to_owned();
                continue;
            }
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            let key = key.trim();
            if key.contains(' ') || key.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let full = format!("{table}.{key}").replace("tenants.shop", "tenants.<id>");
            let short = full.replace("tenants.<id>.mapping.", "");
            assert!(
                doc.contains(&format!("`{full}`")) || doc.contains(&format!("`{short}`")),
                "docs/configuration.md does not document `{full}`"
            );
        }
    }
}
