//! The daemon's parts, built from a [`Config`]: the database (queue, links, cursors,
//! tokens, notes), and per tenant its token manager, store source, change feed and engine.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use cscart_api::CscartClient;
use cscart_api::feed::{ChangeFeed, FeedConfig};
use cscart_api::reader::{ReaderSettings, StoreReader};
use qbo_api::{Environment, QboClient, RealmId};
use qbo_auth::{
    CallbackParams, Endpoints, KeyRing, ManagerConfig, OAuthConfig, SeaTokenStore, TokenKey,
    TokenManager, TokenStore,
};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret as _;
use sync_queue::{QueueConfig, SeaOrmStore, TenantId};

use crate::config::{Config, EncryptionConfig, StoreConfig, TenantConfig};
use crate::engine::{Engine, TenantRules};
use crate::notes::{NoteStore, SeaNotes};
use crate::source::{CscartSource, SnapshotSource, StoreSource};

/// The daemon's shared parts.
pub struct Daemon {
    /// The configuration.
    pub config: Config,
    /// The database connection (shared by the queue, the token store and the notes).
    pub db: DatabaseConnection,
    /// The queue, link store and cursor store.
    pub store: Arc<SeaOrmStore>,
    /// The engine's notes.
    pub notes: Arc<SeaNotes>,
    /// Encrypted QBO tokens.
    pub tokens: Arc<SeaTokenStore>,
    /// Each configured tenant.
    pub tenants: BTreeMap<String, Tenant>,
}

impl fmt::Debug for Daemon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Daemon")
            .field("tenants", &self.tenants.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One tenant's parts.
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Its configuration.
    pub config: TenantConfig,
    /// Its QBO connection.
    pub manager: TokenManager,
    /// Where its entities are read.
    pub source: Arc<dyn StoreSource>,
    /// Its CS-Cart change feed, for a CS-Cart store.
    pub feed: Option<ChangeFeed>,
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Reads the token key ring: the configured key, else the key file (created on first use).
///
/// # Errors
/// When the key is unreadable or malformed, or the file cannot be written.
pub fn key_ring(config: &EncryptionConfig) -> anyhow::Result<KeyRing> {
    let current = match &config.key {
        Some(secret) => {
            let text = secret.resolve("encryption.key")?;
            TokenKey::from_base64(config.key_id.clone(), text.expose_secret())
                .context("encryption.key is not 32 bytes of base64")?
        }
        None => read_or_create_key_file(&config.key_file, &config.key_id)?,
    };
    let mut ring = KeyRing::new(current);
    for (i, previous) in config.previous.iter().enumerate() {
        let key = format!("encryption.previous[{i}].key");
        let text = previous.key.resolve(&key)?;
        let old = TokenKey::from_base64(previous.id.clone(), text.expose_secret())
            .with_context(|| format!("{key} is not 32 bytes of base64"))?;
        ring = ring.with_previous(old);
    }
    Ok(ring)
}

fn read_or_create_key_file(path: &Path, id: &str) -> anyhow::Result<TokenKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => TokenKey::from_base64(id.to_owned(), text.trim())
            .with_context(|| format!("{} does not hold a 32-byte base64 key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = TokenKey::try_generate(id.to_owned())
                .context("no random numbers for a new encryption key")?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut file = options
                .open(path)
                .with_context(|| format!("cannot create the key file {}", path.display()))?;
            file.write_all(key.to_base64().as_bytes())?;
            file.write_all(b"\n")?;
            tracing::warn!(
                file = %path.display(),
                "created a new token encryption key; back it up with the database"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the key file {}", path.display())),
    }
}

impl Daemon {
    /// Connects to the database, runs every migration, and builds each tenant.
    ///
    /// # Errors
    /// When the database is unreachable, a migration fails, or a tenant's secrets or
    /// settings cannot be read.
    pub async fn open(config: Config) -> anyhow::Result<Self> {
        let queue_config = QueueConfig::default().with_retry(config.worker.retry());
        let store = SeaOrmStore::connect(&config.database.url, queue_config)
            .await
            .with_context(|| {
                format!(
                    "cannot open the database {}",
                    redact_url(&config.database.url)
                )
            })?;
        let db = store.connection().clone();
        // Without a tenant nothing is encrypted: no key file is made for nothing.
        let keys = if config.tenants.is_empty() && config.encryption.key.is_none() {
            KeyRing::new(TokenKey::try_generate(config.encryption.key_id.clone())?)
        } else {
            key_ring(&config.encryption)?
        };
        let tokens = SeaTokenStore::new(db.clone(), keys)
            .await
            .context("cannot migrate the token store")?;
        let notes = SeaNotes::new(db.clone())
            .await
            .context("cannot migrate the daemon's tables")?;
        let tokens = Arc::new(tokens);
        let mut tenants = BTreeMap::new();
        for (id, tenant) in &config.tenants {
            let built = Tenant::build(id, tenant, tokens.clone())
                .await
                .with_context(|| format!("tenant {id}"))?;
            tenants.insert(id.clone(), built);
        }
        Ok(Self {
            config,
            db,
            store: Arc::new(store),
            notes: Arc::new(notes),
            tokens,
            tenants,
        })
    }

    /// A tenant by id.
    ///
    /// # Errors
    /// When no tenant has that id.
    pub fn tenant(&self, id: &str) -> anyhow::Result<&Tenant> {
        self.tenants.get(id).with_context(|| {
            format!(
                "no tenant {id:?} in the configuration (tenants: {})",
                self.tenants.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The engine of a connected tenant; `None` when it is not connected yet.
    ///
    /// # Errors
    /// When the token store fails or the client cannot be built.
    pub async fn engine(&self, tenant: &Tenant) -> anyhow::Result<Option<Arc<Engine>>> {
        let Some(qbo) = tenant.qbo_client().await? else {
            return Ok(None);
        };
        let notes: Arc<dyn NoteStore> = self.notes.clone();
        Ok(Some(Arc::new(
            Engine::new(
                tenant.id.clone(),
                TenantRules {
                    mapping: tenant.config.mapping.clone(),
                    sync: tenant.config.sync.clone(),
                },
                qbo,
                self.store.clone(),
                notes,
                tenant.source.clone(),
            )
            .batching(self.config.worker.batch),
        )))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Tenant {
    async fn build(
        id: &str,
        config: &TenantConfig,
        tokens: Arc<SeaTokenStore>,
    ) -> anyhow::Result<Self> {
        let tenant_id = TenantId::new(id)?;
        let secret = config
            .qbo
            .client_secret
            .resolve(&format!("tenants.{id}.qbo.client_secret"))?;
        let mut oauth = OAuthConfig::new(
            config.qbo.client_id.clone(),
            secret,
            &config.qbo.redirect_url,
        )?;
        if config.qbo.oauth != "intuit" {
            oauth = oauth.with_endpoints(Endpoints::under(&config.qbo.oauth)?);
        }
        let store: Arc<dyn TokenStore> = tokens;
        let manager = TokenManager::new(&oauth, store, ManagerConfig::default())?;
        let (source, feed): (Arc<dyn StoreSource>, Option<ChangeFeed>) = match &config.store {
            StoreConfig::Snapshot => (Arc::new(SnapshotSource), None),
            StoreConfig::Cscart(c) => {
                let key = c.api_key.resolve(&format!("tenants.{id}.store.api_key"))?;
                let mut builder = CscartClient::builder(c.url.clone(), c.email.clone(), key);
                if let Some(v) = &c.api_version {
                    builder = builder.api_version(v.clone());
                }
                let client = builder.build()?;
                let reader = StoreReader::new(
                    client.clone(),
                    ReaderSettings {
                        currency: c.currency.clone(),
                        track_by_default: c.track_stock_by_default,
                        multi_vendor: c.multi_vendor,
                        paid_statuses: c.paid_statuses.clone(),
                    },
                );
                let feed = ChangeFeed::new(client, FeedConfig::default());
                (Arc::new(CscartSource::new(reader)), Some(feed))
            }
        };
        Ok(Self {
            id: tenant_id,
            config: config.clone(),
            manager,
            source,
            feed,
        })
    }

    /// The token manager's id of this tenant.
    pub fn auth_id(&self) -> anyhow::Result<qbo_auth::TenantId> {
        Ok(qbo_auth::TenantId::new(self.id.as_str())?)
    }

    /// A QBO client for the connected company; `None` when the tenant is not connected.
    ///
    /// # Errors
    /// When the token store fails or the client cannot be built.
    pub async fn qbo_client(&self) -> anyhow::Result<Option<QboClient>> {
        let auth = self.auth_id()?;
        let Some(status) = self.manager.status(&auth).await? else {
            return Ok(None);
        };
        let environment = Environment::parse(&self.config.qbo.environment)?;
        let client = QboClient::builder(self.manager.provider(auth))
            .environment(environment)
            .realm(status.realm_id)
            .rate_limits(self.config.qbo.limits.rate_limits())
            .batch_size(self.config.qbo.limits.batch_size as usize)
            .build()?;
        Ok(Some(client))
    }

    /// Connects the tenant through an authorize endpoint that consents at once (qbo-sandbox):
    /// follows its redirect and completes the connect. Returns the company.
    ///
    /// # Errors
    /// When the endpoint does not redirect back with a code, or the exchange fails.
    pub async fn connect_automatically(&self) -> anyhow::Result<RealmId> {
        self.connect_automatically_to(None).await
    }

    /// As [`Tenant::connect_automatically`], asking qbo-sandbox for the company `realm`
    /// (its `realmId` parameter; a new company when it has none by that id).
    ///
    /// # Errors
    /// As [`Tenant::connect_automatically`].
    pub async fn connect_automatically_to(&self, realm: Option<&str>) -> anyhow::Result<RealmId> {
        let mut url = self.manager.start_connect(&self.auth_id()?);
        if let Some(realm) = realm {
            url.query_pairs_mut().append_pair("realmId", realm);
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let answer = http.get(url.as_str()).send().await?;
        let Some(location) = answer.headers().get(reqwest::header::LOCATION) else {
            bail!(
                "the authorize endpoint answered {} without a redirect",
                answer.status()
            );
        };
        let location = url::Url::parse(location.to_str()?)?;
        let params: CallbackParams = serde_json::from_value(serde_json::Value::Object(
            location
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect(),
        ))?;
        let (_, realm) = self.manager.complete_connect(&params).await?;
        Ok(realm)
    }
}
