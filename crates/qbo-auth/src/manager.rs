//! [`TokenManager`]: connects tenants, hands out access tokens, refreshes them once at a
//! time across tasks and processes, and never loses a rotated refresh token.
//!
//! The rules, in the order they matter:
//! 1. A rotated refresh token is saved before the new access token is handed out. If the
//!    save fails it is retried; if it still fails the tokens are kept in memory and saved
//!    before anything else on the next call, and no access token from them is used.
//! 2. One refresh at a time per tenant: in a process, callers queue on the tenant's
//!    mutex and share the result; across processes a refresh starts by taking the
//!    tenant's refresh lease through a compare-and-swap, and the loser waits and reloads
//!    the winner's tokens.
//! 3. `invalid_grant` marks the tenant *reconnect required* in the store (unless another
//!    process has meanwhile saved newer tokens) and is never retried; transient failures of
//!    the token endpoint back off and retry within the lease.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use qbo_api::{RealmId, TokenError, TokenProvider};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::broadcast;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::config::{ManagerConfig, OAuthConfig};
use crate::error::AuthError;
use crate::flow::{CallbackParams, States};
use crate::oauth::{EndpointError, IntuitOAuth};
use crate::store::{RefreshLease, StoreError, StoredTokens, TokenStore};
use crate::token::{ConnectionStatus, TenantId, TokenSet};

/// A change in a tenant's connection, for whoever shows status (the daemon's admin pages,
/// metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusEvent {
    /// The tenant connected (or reconnected) to the realm.
    Connected {
        /// The tenant.
        tenant: TenantId,
        /// The company.
        realm_id: RealmId,
    },
    /// The tokens were refreshed (and saved).
    Refreshed {
        /// The tenant.
        tenant: TenantId,
        /// When the new access token expires.
        access_expires_at: DateTime<Utc>,
    },
    /// QBO refused the refresh token: an operator must connect again.
    ReconnectRequired {
        /// The tenant.
        tenant: TenantId,
        /// Why.
        reason: String,
    },
    /// The refresh token reaches its hard expiry soon: reconnect before then.
    HardExpirySoon {
        /// The tenant.
        tenant: TenantId,
        /// When it expires for good.
        at: DateTime<Utc>,
    },
    /// The tenant was disconnected (token revoked and deleted).
    Disconnected {
        /// The tenant.
        tenant: TenantId,
    },
}

/// What a keep-alive pass did.
#[derive(Debug, Default)]
pub struct KeepAliveReport {
    /// Tenants refreshed because their rolling expiry was near.
    pub refreshed: Vec<TenantId>,
    /// Tenants whose refresh failed, with why.
    pub failed: Vec<(TenantId, AuthError)>,
    /// Tenants that must reconnect (nothing was tried).
    pub reconnect_required: Vec<TenantId>,
    /// Tenants whose hard expiry falls within the warning window, with when.
    pub hard_expiry_soon: Vec<(TenantId, DateTime<Utc>)>,
}

/// A tenant's connection as an operator sees it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantStatus {
    /// The tenant.
    pub tenant: TenantId,
    /// The company.
    pub realm_id: RealmId,
    /// Connected or reconnect required.
    pub status: ConnectionStatus,
    /// When the current access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// When the refresh token expires if unused.
    pub refresh_expires_at: DateTime<Utc>,
    /// The refresh token's hard expiry, when known.
    pub refresh_hard_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct Cached {
    tokens: TokenSet,
}

/// Per-tenant state in this process.
#[derive(Debug, Default)]
struct Slot {
    /// Serializes refreshes (and pending saves) of the tenant in this process.
    refresh: tokio::sync::Mutex<()>,
    /// The last tokens known good.
    cached: RwLock<Option<Cached>>,
    /// An access token QBO refused: never hand it out again.
    rejected: Mutex<Option<SecretString>>,
    /// Rotated tokens not yet saved, with the version they replace.
    unsaved: Mutex<Option<(TokenSet, u64)>>,
}

impl Slot {
    fn is_rejected(&self, token: &SecretString) -> bool {
        self.rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(|r| r.expose_secret() == token.expose_secret())
    }

    fn fresh(&self, now: DateTime<Utc>, margin: TimeDelta) -> Option<TokenSet> {
        let cached = self
            .cached
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let c = cached.as_ref()?;
        (c.tokens.access_valid_for(now, margin) && !self.is_rejected(&c.tokens.access_token))
            .then(|| c.tokens.clone())
    }

    fn set(&self, tokens: Option<TokenSet>) {
        *self
            .cached
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            tokens.map(|tokens| Cached { tokens });
    }
}

struct Inner {
    oauth: IntuitOAuth,
    store: Arc<dyn TokenStore>,
    config: ManagerConfig,
    clock: Arc<dyn Clock>,
    /// This manager's name in refresh leases.
    holder: String,
    slots: Mutex<HashMap<TenantId, Arc<Slot>>>,
    states: States,
    events: broadcast::Sender<StatusEvent>,
}

/// Connects tenants to QBO and keeps their tokens alive. Cheap to clone.
///
/// Give `qbo-api` a tenant's [`TenantTokens`] (from [`TokenManager::provider`]) as its
/// [`TokenProvider`].
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("oauth", &self.inner.oauth)
            .field("store", &self.inner.store)
            .field("holder", &self.inner.holder)
            .finish_non_exhaustive()
    }
}

/// What tokens a call can use.
#[derive(Debug, Clone, Copy)]
struct Want {
    /// Only tokens obtained after `started` (a forced refresh).
    force: bool,
    started: DateTime<Utc>,
    margin: TimeDelta,
}

impl Want {
    fn usable(&self, slot: &Slot, tokens: &TokenSet, now: DateTime<Utc>) -> bool {
        let fresh = if self.force {
            tokens.obtained_at > self.started
        } else {
            tokens.access_valid_for(now, self.margin)
        };
        fresh && !slot.is_rejected(&tokens.access_token)
    }
}

impl TokenManager {
    /// A manager over `store`, with the system clock.
    ///
    /// # Errors
    /// [`AuthError::Config`] when the HTTP client cannot be built.
    pub fn new(
        oauth: &OAuthConfig,
        store: Arc<dyn TokenStore>,
        config: ManagerConfig,
    ) -> Result<Self, AuthError> {
        Self::with_clock(oauth, store, config, Arc::new(SystemClock))
    }

    /// The same with another clock (tests, simulators).
    ///
    /// # Errors
    /// [`AuthError::Config`] when the HTTP client cannot be built.
    pub fn with_clock(
        oauth: &OAuthConfig,
        store: Arc<dyn TokenStore>,
        config: ManagerConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AuthError> {
        let (events, _) = broadcast::channel(256);
        Ok(Self {
            inner: Arc::new(Inner {
                oauth: IntuitOAuth::new(oauth)?,
                store,
                states: States::new(config.state_ttl),
                config,
                clock,
                holder: format!("qbo-auth-{}", uuid::Uuid::new_v4().simple()),
                slots: Mutex::default(),
                events,
            }),
        })
    }

    /// Status events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<StatusEvent> {
        self.inner.events.subscribe()
    }

    /// The [`TokenProvider`] `qbo-api` uses for `tenant`.
    pub fn provider(&self, tenant: TenantId) -> Arc<TenantTokens> {
        Arc::new(TenantTokens {
            manager: self.clone(),
            tenant,
        })
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    fn emit(&self, event: StatusEvent) {
        tracing::info!(?event, "QBO connection status");
        // No subscriber is fine.
        let _ = self.inner.events.send(event);
    }

    fn slot(&self, tenant: &TenantId) -> Arc<Slot> {
        let mut slots = self
            .inner
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(tenant.clone()).or_default().clone()
    }

    /// Starts connecting `tenant`: the URL to send the operator's browser to. Its `state`
    /// is accepted once, within the configured time (10 minutes by default), by this
    /// manager.
    pub fn start_connect(&self, tenant: &TenantId) -> Url {
        let state = self.inner.states.issue(tenant, self.now());
        self.inner.oauth.authorize_url(state)
    }

    /// Finishes a connect from the callback's parameters: checks the state, exchanges the
    /// code and saves the tokens. Returns the tenant and its company.
    ///
    /// # Errors
    /// [`AuthError::UnknownState`], [`AuthError::ReusedState`], [`AuthError::ExpiredState`],
    /// [`AuthError::Callback`] (missing code or realm, or the operator declined),
    /// [`AuthError::Refused`] / [`AuthError::Unavailable`] from the token endpoint, or a
    /// store error.
    pub async fn complete_connect(
        &self,
        callback: &CallbackParams,
    ) -> Result<(TenantId, RealmId), AuthError> {
        let state = callback
            .state
            .as_deref()
            .ok_or_else(|| AuthError::Callback("no state".to_owned()))?;
        let tenant = self.inner.states.consume(state, self.now())?;
        if let Some(error) = &callback.error {
            return Err(AuthError::Callback(format!(
                "QBO did not grant access: {error}{}",
                callback
                    .error_description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            )));
        }
        let code = callback
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| AuthError::Callback("no code".to_owned()))?;
        let realm = callback
            .realm_id
            .as_deref()
            .ok_or_else(|| AuthError::Callback("no realmId".to_owned()))
            .and_then(|r| RealmId::new(r).map_err(|e| AuthError::Callback(e.to_string())))?;
        let tokens = self
            .inner
            .oauth
            .exchange_code(code, realm.clone(), self.now())
            .await
            .map_err(AuthError::from)?;
        let slot = self.slot(&tenant);
        let _guard = slot.refresh.lock().await;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let expected = self.inner.store.load(&tenant).await?.map(|s| s.version);
            match self.inner.store.save(&tenant, &tokens, expected).await {
                Ok(_) => break,
                Err(StoreError::Conflict { .. }) if attempts < 3 => continue,
                Err(e) => return Err(e.into()),
            }
        }
        *slot
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        slot.set(Some(tokens));
        self.emit(StatusEvent::Connected {
            tenant: tenant.clone(),
            realm_id: realm.clone(),
        });
        Ok((tenant, realm))
    }

    /// A valid access token for `tenant` (refreshed first when it expires within the
    /// margin or QBO refused it), with the company it is for.
    ///
    /// # Errors
    /// [`AuthError::NotConnected`], [`AuthError::ReconnectRequired`],
    /// [`AuthError::Unavailable`] (token endpoint down, after retries), store errors.
    pub async fn access_token(
        &self,
        tenant: &TenantId,
    ) -> Result<(SecretString, RealmId), AuthError> {
        let tokens = self.ensure(tenant, false).await?;
        Ok((tokens.access_token, tokens.realm_id))
    }

    /// QBO refused `token` (HTTP 401): it is never handed out again, and the next call
    /// refreshes.
    pub fn token_rejected(&self, tenant: &TenantId, token: &SecretString) {
        let slot = self.slot(tenant);
        *slot
            .rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(token.clone());
        tracing::info!(%tenant, "QBO rejected an access token; it will be refreshed");
    }

    /// Refreshes `tenant`'s tokens now, whatever their expiry.
    ///
    /// # Errors
    /// As [`TokenManager::access_token`].
    pub async fn refresh_now(&self, tenant: &TenantId) -> Result<(), AuthError> {
        self.ensure(tenant, true).await.map(|_| ())
    }

    /// The core: tokens valid beyond the margin (or, with `force`, obtained after this call
    /// started), refreshing once at a time.
    async fn ensure(&self, tenant: &TenantId, force: bool) -> Result<TokenSet, AuthError> {
        let margin = self.inner.config.refresh_margin;
        let started = self.now();
        let slot = self.slot(tenant);
        if !force && let Some(tokens) = slot.fresh(self.now(), margin) {
            return Ok(tokens);
        }
        let _guard = slot.refresh.lock().await;
        let want = Want {
            force,
            started,
            margin,
        };
        // Another task may have refreshed while we queued.
        let cached = slot
            .cached
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|c| c.tokens.clone());
        if let Some(tokens) = cached
            && want.usable(&slot, &tokens, self.now())
        {
            return Ok(tokens);
        }
        // Tokens rotated earlier but not saved come first: save them, then use them.
        let pending = slot
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some((tokens, expected)) = pending {
            self.save_rotated(tenant, &slot, &tokens, expected).await?;
            if want.usable(&slot, &tokens, self.now()) {
                return Ok(tokens);
            }
        }
        self.refresh_locked(tenant, &slot, want).await
    }

    /// With the tenant's in-process lock held: reload, wait for another process's refresh,
    /// or take the lease and refresh.
    async fn refresh_locked(
        &self,
        tenant: &TenantId,
        slot: &Slot,
        want: Want,
    ) -> Result<TokenSet, AuthError> {
        let config = &self.inner.config;
        let (version, current) = loop {
            let stored: StoredTokens = match self.inner.store.load(tenant).await? {
                Some(s) => s,
                None => {
                    slot.set(None);
                    return Err(AuthError::NotConnected(tenant.clone()));
                }
            };
            let now = self.now();
            if let ConnectionStatus::ReconnectRequired { reason } = &stored.status {
                slot.set(None);
                return Err(AuthError::ReconnectRequired {
                    tenant: tenant.clone(),
                    reason: reason.clone(),
                });
            }
            if want.usable(slot, &stored.tokens, now) {
                slot.set(Some(stored.tokens.clone()));
                return Ok(stored.tokens);
            }
            if let Some(lease) = &stored.refresh_lease
                && lease.until > now
                && lease.holder != self.inner.holder
            {
                // Another process is refreshing: wait for its tokens.
                tracing::debug!(%tenant, holder = %lease.holder, "waiting for another process's refresh");
                tokio::time::sleep(config.lease_poll).await;
                continue;
            }
            let lease = RefreshLease {
                holder: self.inner.holder.clone(),
                until: now
                    .checked_add_signed(config.refresh_lease)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            };
            match self
                .inner
                .store
                .begin_refresh(tenant, stored.version, &lease)
                .await
            {
                Ok(version) => break (version, stored.tokens),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let fresh = match self.refresh_with_retries(&current).await {
            Ok(tokens) => tokens,
            Err(EndpointError::InvalidGrant(reason)) => {
                return Err(self.invalid_grant(tenant, slot, version, reason).await);
            }
            Err(other) => {
                // Give the lease back so that the next attempt need not wait for it.
                let _ = self
                    .inner
                    .store
                    .set_status(tenant, &ConnectionStatus::Connected, version)
                    .await;
                return Err(other.into());
            }
        };
        self.save_rotated(tenant, slot, &fresh, version).await?;
        Ok(fresh)
    }

    async fn refresh_with_retries(&self, current: &TokenSet) -> Result<TokenSet, EndpointError> {
        let config = &self.inner.config;
        let mut wait = config.endpoint_backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .inner
                .oauth
                .refresh(&current.refresh_token, current.realm_id.clone(), self.now())
                .await
            {
                Err(EndpointError::Transient(reason))
                    if attempt < config.endpoint_attempts.max(1) =>
                {
                    tracing::warn!(attempt, ?wait, "token endpoint failed, retrying: {reason}");
                    tokio::time::sleep(jitter(wait)).await;
                    wait = wait.saturating_mul(2);
                }
                other => return other,
            }
        }
    }

    /// Marks the tenant reconnect-required, unless another process has saved newer tokens
    /// meanwhile (then the refused token was simply old).
    async fn invalid_grant(
        &self,
        tenant: &TenantId,
        slot: &Slot,
        version: u64,
        reason: String,
    ) -> AuthError {
        let reason = format!("QBO refused the refresh token (invalid_grant: {reason})");
        match self
            .inner
            .store
            .set_status(
                tenant,
                &ConnectionStatus::ReconnectRequired {
                    reason: reason.clone(),
                },
                version,
            )
            .await
        {
            Ok(_) => {}
            Err(StoreError::Conflict { .. }) => {
                tracing::warn!(%tenant, "invalid_grant, but the tokens changed meanwhile; not marking reconnect");
                return AuthError::Unavailable(
                    "the refresh token was replaced during the refresh; try again".to_owned(),
                );
            }
            Err(e) => tracing::error!(%tenant, "cannot record reconnect-required: {e}"),
        }
        slot.set(None);
        self.emit(StatusEvent::ReconnectRequired {
            tenant: tenant.clone(),
            reason: reason.clone(),
        });
        AuthError::ReconnectRequired {
            tenant: tenant.clone(),
            reason,
        }
    }

    /// Saves rotated tokens over `expected`, retrying; only then are they cached for use.
    /// On failure they are kept to be saved first next time.
    async fn save_rotated(
        &self,
        tenant: &TenantId,
        slot: &Slot,
        tokens: &TokenSet,
        expected: u64,
    ) -> Result<(), AuthError> {
        let config = &self.inner.config;
        let mut wait = config.save_backoff;
        let mut expected = expected;
        let mut last = None;
        for attempt in 1..=config.save_attempts.max(1) {
            match self.inner.store.save(tenant, tokens, Some(expected)).await {
                Ok(_) => {
                    *slot
                        .unsaved
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                    slot.set(Some(tokens.clone()));
                    self.emit(StatusEvent::Refreshed {
                        tenant: tenant.clone(),
                        access_expires_at: tokens.access_expires_at,
                    });
                    return Ok(());
                }
                Err(StoreError::Conflict { .. }) => {
                    // Someone wrote the row after our lease (it expired, or a reconnect).
                    // Ours are the newest tokens Intuit issued unless the row's are newer.
                    match self.inner.store.load(tenant).await {
                        Ok(Some(row)) if row.tokens.obtained_at < tokens.obtained_at => {
                            expected = row.version;
                            continue;
                        }
                        Ok(Some(row)) => {
                            *slot
                                .unsaved
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                            slot.set(Some(row.tokens));
                            return Ok(());
                        }
                        Ok(None) => {
                            *slot
                                .unsaved
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                            slot.set(None);
                            return Err(AuthError::NotConnected(tenant.clone()));
                        }
                        Err(e) => last = Some(e),
                    }
                }
                Err(e) => {
                    tracing::warn!(%tenant, attempt, "saving rotated tokens failed, retrying: {e}");
                    last = Some(e);
                }
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
        *slot
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((tokens.clone(), expected));
        tracing::error!(%tenant, "rotated tokens not saved yet; they will be saved before any use");
        Err(last.map_or_else(
            || AuthError::Unavailable("rotated tokens could not be saved".to_owned()),
            AuthError::Store,
        ))
    }

    /// The tenant's connection, without secrets; `None` when not connected.
    ///
    /// # Errors
    /// Store errors.
    pub async fn status(&self, tenant: &TenantId) -> Result<Option<TenantStatus>, AuthError> {
        Ok(self.inner.store.load(tenant).await?.map(|s| TenantStatus {
            tenant: tenant.clone(),
            realm_id: s.tokens.realm_id.clone(),
            status: s.status,
            access_expires_at: s.tokens.access_expires_at,
            refresh_expires_at: s.tokens.refresh_expires_at,
            refresh_hard_expires_at: s.tokens.refresh_hard_expires_at,
        }))
    }

    /// One keep-alive pass over every stored tenant: refreshes those whose refresh token
    /// would expire (rolling) within the keep-alive margin, so idle shops keep their
    /// connection, and reports hard expiries within the warning window. Run it daily.
    ///
    /// # Errors
    /// Only when the list of tenants cannot be read; per-tenant failures are in the report.
    pub async fn keep_alive(&self) -> Result<KeepAliveReport, AuthError> {
        let config = &self.inner.config;
        let mut report = KeepAliveReport::default();
        for tenant in self.inner.store.tenants().await? {
            let stored = match self.inner.store.load(&tenant).await {
                Ok(Some(s)) => s,
                Ok(None) => continue,
                Err(e) => {
                    report.failed.push((tenant, e.into()));
                    continue;
                }
            };
            let now = self.now();
            if let Some(at) = stored.tokens.refresh_hard_expires_at
                && at - now <= config.hard_expiry_warning
            {
                report.hard_expiry_soon.push((tenant.clone(), at));
                self.emit(StatusEvent::HardExpirySoon {
                    tenant: tenant.clone(),
                    at,
                });
            }
            if matches!(stored.status, ConnectionStatus::ReconnectRequired { .. }) {
                report.reconnect_required.push(tenant);
                continue;
            }
            if stored.tokens.refresh_expires_at - now <= config.keepalive_margin {
                match self.refresh_now(&tenant).await {
                    Ok(()) => report.refreshed.push(tenant),
                    Err(AuthError::ReconnectRequired { .. }) => {
                        report.reconnect_required.push(tenant);
                    }
                    Err(e) => report.failed.push((tenant, e)),
                }
            }
        }
        Ok(report)
    }

    /// Disconnects `tenant`: revokes its refresh token at Intuit, then deletes it from the
    /// store. A token Intuit already considers dead is simply deleted.
    ///
    /// # Errors
    /// [`AuthError::NotConnected`]; [`AuthError::Unavailable`] when Intuit cannot be
    /// reached (nothing is deleted then: try again); store errors.
    pub async fn disconnect(&self, tenant: &TenantId) -> Result<(), AuthError> {
        let slot = self.slot(tenant);
        let _guard = slot.refresh.lock().await;
        let stored = self
            .inner
            .store
            .load(tenant)
            .await?
            .ok_or_else(|| AuthError::NotConnected(tenant.clone()))?;
        match self.inner.oauth.revoke(&stored.tokens.refresh_token).await {
            Ok(()) => {}
            Err(EndpointError::InvalidGrant(_)) => {
                tracing::info!(%tenant, "refresh token already dead at Intuit; deleting it");
            }
            Err(EndpointError::Refused { error, description }) => {
                tracing::warn!(%tenant, %error, ?description, "Intuit refused the revocation; deleting the token anyway");
            }
            Err(EndpointError::Transient(reason)) => return Err(AuthError::Unavailable(reason)),
        }
        self.inner.store.delete(tenant).await?;
        slot.set(None);
        *slot
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.emit(StatusEvent::Disconnected {
            tenant: tenant.clone(),
        });
        Ok(())
    }
}

/// One tenant's tokens as `qbo-api`'s [`TokenProvider`].
#[derive(Debug, Clone)]
pub struct TenantTokens {
    manager: TokenManager,
    tenant: TenantId,
}

impl TenantTokens {
    /// The tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

#[async_trait]
impl TokenProvider for TenantTokens {
    async fn access_token(&self, realm: &RealmId) -> Result<SecretString, TokenError> {
        match self.manager.access_token(&self.tenant).await {
            Ok((token, connected)) if &connected == realm => Ok(token),
            Ok((_, connected)) => Err(TokenError::ReconnectRequired {
                reason: format!(
                    "tenant {} is connected to QBO company {connected}, not {realm}",
                    self.tenant
                ),
            }),
            Err(e @ (AuthError::ReconnectRequired { .. } | AuthError::NotConnected(_))) => {
                Err(TokenError::ReconnectRequired {
                    reason: e.to_string(),
                })
            }
            Err(e) => Err(TokenError::Unavailable(Box::new(e))),
        }
    }

    async fn token_rejected(&self, _realm: &RealmId, token: &SecretString) {
        self.manager.token_rejected(&self.tenant, token);
    }
}

/// Between half and all of `wait`, at random; never overflows (a huge `wait` stays as is).
fn jitter(wait: std::time::Duration) -> std::time::Duration {
    std::time::Duration::try_from_secs_f64(wait.as_secs_f64() * (0.5 + fastrand::f64() * 0.5))
        .map_or(wait, |d| d.min(wait))
}
