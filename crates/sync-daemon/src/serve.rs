//! `qbo-sync serve`: per tenant, workers woken at once by new jobs and a store poller (one
//! in the whole deployment per tenant, through a lease in the database), plus the token
//! keep-alive. Several `serve` processes may share one PostgreSQL: they split the jobs
//! (claims with leases) and take over each other's pollers when a lease runs out.
//!
//! Stopping: when `stop` fires, workers stop claiming and finish what they hold within
//! `worker.shutdown_secs`; what is still running then is abandoned and runs again after
//! its lease (never lost, never pushed twice: see [`crate::notes`]).

use std::sync::Arc;
use std::time::Duration;

use cscart_api::feed::FeedKind;
use sync_queue::{JobQueue, LeaseName, LeaseStore, WorkerId};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::engine::Engine;
use crate::poller::{poll_feed, schedule};
use crate::runtime::{Daemon, Tenant};
use crate::worker::{Worker, WorkerSettings};

/// How long a tenant that is not connected waits before looking again.
const NOT_CONNECTED_WAIT: Duration = Duration::from_secs(15);

/// How often the keep-alive pass runs.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(3600);

/// How often names left active by an interrupted order write are looked for.
const REACTIVATION_SWEEP: Duration = Duration::from_secs(60);

/// A name for this process, unique across the deployment (host, pid, random).
pub fn process_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Runs the daemon until `stop` turns true, then shuts down within the configured time.
///
/// # Errors
/// When a tenant's parts cannot be built.
pub async fn serve(daemon: Arc<Daemon>, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let me = process_name();
    tracing::info!(
        process = me,
        tenants = daemon.tenants.len(),
        "qbo-sync serving"
    );
    if daemon.tenants.is_empty() {
        tracing::warn!("no tenant is configured: nothing to do (see `qbo-sync config example`)");
    }
    let mut tasks = JoinSet::new();
    for id in daemon.tenants.keys() {
        let daemon = daemon.clone();
        let id = id.clone();
        let stop = stop.clone();
        let me = me.clone();
        tasks.spawn(async move { run_tenant(daemon, id, me, stop).await });
    }
    {
        let daemon = daemon.clone();
        let stop = stop.clone();
        tasks.spawn(async move { keep_alive(daemon, stop).await });
    }
    let mut stopped = stop.clone();
    let _ = stopped.wait_for(|s| *s).await;
    let grace = Duration::from_secs(daemon.config.worker.shutdown_secs);
    tracing::info!(
        grace_secs = grace.as_secs(),
        "stopping: finishing the jobs in hand"
    );
    let finished = tokio::time::timeout(grace, async {
        while let Some(result) = tasks.join_next().await {
            if let Err(e) = result {
                tracing::error!(error = %e, "a task ended abnormally");
            }
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            "jobs still running after the grace time are abandoned; they run again after their lease"
        );
        tasks.abort_all();
    }
    tracing::info!("stopped");
    Ok(())
}

async fn run_tenant(daemon: Arc<Daemon>, id: String, me: String, mut stop: watch::Receiver<bool>) {
    let Some(tenant) = daemon.tenants.get(&id) else {
        return;
    };
    // Wait until the tenant is connected.
    let engine = loop {
        match daemon.engine(tenant).await {
            Ok(Some(engine)) => break engine,
            Ok(None) => tracing::warn!(
                tenant = id,
                "not connected to QBO: run `qbo-sync connect --tenant {id}`"
            ),
            Err(e) => {
                tracing::error!(tenant = id, error = %format!("{e:#}"), "cannot start the tenant");
            }
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            () = tokio::time::sleep(NOT_CONNECTED_WAIT) => {}
        }
    };
    resume_if_reconnected(&daemon, tenant).await;
    let mut tasks = JoinSet::new();
    let config = &daemon.config.worker;
    let settings = WorkerSettings {
        claim_batch: config.claim_batch,
        parallel: config.claim_batch,
        lease: config.lease(),
        idle_wait: Duration::from_secs(5),
    };
    for n in 0..config.concurrency {
        let worker = match WorkerId::new(format!("{me}-{id}-{n}")) {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(tenant = id, error = %e, "bad worker name");
                return;
            }
        };
        let queue: Arc<dyn JobQueue> = daemon.store.clone();
        let worker = Worker::new(engine.clone(), queue, worker, settings.clone());
        let stop = stop.clone();
        tasks.spawn(async move {
            worker.run(stop).await;
        });
    }
    {
        // Names an order's write left active in a process that died: inactive again.
        let engine = engine.clone();
        let mut stop = stop.clone();
        let id = id.clone();
        tasks.spawn(async move {
            loop {
                match engine.finish_reactivations().await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(tenant = id, names = n, "made names inactive again");
                    }
                    Err(e) => {
                        tracing::warn!(tenant = id, error = %e.message(), "could not make names inactive again; trying later");
                    }
                }
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => return,
                    () = tokio::time::sleep(REACTIVATION_SWEEP) => {}
                }
            }
        });
    }
    if tenant.feed.is_some() {
        let daemon = daemon.clone();
        let id = id.clone();
        let me = me.clone();
        let stop = stop.clone();
        let engine = engine.clone();
        tasks.spawn(async move { poll_loop(daemon, id, me, engine, stop).await });
    }
    while tasks.join_next().await.is_some() {}
}

/// A tenant paused for a reconnect whose connection is good again is resumed.
async fn resume_if_reconnected(daemon: &Daemon, tenant: &Tenant) {
    let Ok(paused) = daemon.store.paused_tenants().await else {
        return;
    };
    let Some(p) = paused.iter().find(|p| p.tenant == tenant.id) else {
        return;
    };
    if !p.reason.starts_with("reconnect required") {
        return;
    }
    let Ok(auth) = tenant.auth_id() else { return };
    if let Ok(Some(status)) = tenant.manager.status(&auth).await
        && status.status == qbo_auth::ConnectionStatus::Connected
        && daemon.store.resume_tenant(&tenant.id).await.is_ok()
    {
        tracing::info!(tenant = %tenant.id, "reconnected: the tenant is resumed");
    }
}

/// Polls a CS-Cart tenant's feeds on their schedule while this process holds the tenant's
/// poll lease; another process takes over when the lease is not renewed.
async fn poll_loop(
    daemon: Arc<Daemon>,
    id: String,
    me: String,
    engine: Arc<Engine>,
    mut stop: watch::Receiver<bool>,
) {
    let Some(tenant) = daemon.tenants.get(&id) else {
        return;
    };
    let Some(feed) = &tenant.feed else { return };
    let poll_config = match &tenant.config.store {
        crate::config::StoreConfig::Cscart(c) => c.poll.clone(),
        crate::config::StoreConfig::Snapshot => return,
    };
    let ttl = Duration::from_secs(poll_config.lease_secs);
    let (Ok(name), Ok(holder)) = (
        LeaseName::new(format!("poll:{id}")),
        WorkerId::new(format!("{me}-poller")),
    ) else {
        return;
    };
    let plan = schedule(&poll_config);
    let start = tokio::time::Instant::now();
    let mut due: Vec<(FeedKind, Duration, tokio::time::Instant)> =
        plan.iter().map(|(k, every)| (*k, *every, start)).collect();
    let mut held = false;
    loop {
        if *stop.borrow() {
            break;
        }
        match daemon.store.try_acquire(&name, &holder, ttl).await {
            Ok(true) => {
                if !held {
                    tracing::info!(tenant = id, "this process polls the store");
                }
                held = true;
            }
            Ok(false) => {
                if held {
                    tracing::warn!(tenant = id, "another process took over polling the store");
                }
                held = false;
            }
            Err(e) => {
                tracing::warn!(tenant = id, error = %e, "cannot take the poll lease");
                held = false;
            }
        }
        if held {
            let now = tokio::time::Instant::now();
            for (kind, every, next) in &mut due {
                if *next > now {
                    continue;
                }
                // A poll must finish well within the lease, or another process may
                // start polling the same feed: renew before each feed.
                if !matches!(
                    daemon.store.try_acquire(&name, &holder, ttl).await,
                    Ok(true)
                ) {
                    held = false;
                    break;
                }
                let started_ms = chrono::Utc::now().timestamp_millis();
                let result = poll_feed(
                    engine.tenant(),
                    feed,
                    daemon.store.as_ref(),
                    *kind,
                    None,
                    Some(ttl / 2),
                )
                .await;
                tracing::info!(
                    tenant = id,
                    feed = %kind,
                    started_ms,
                    ended_ms = chrono::Utc::now().timestamp_millis(),
                    "polled"
                );
                if let Err(e) = result {
                    tracing::warn!(tenant = id, feed = %kind, error = %format!("{e:#}"), "poll failed; trying again later");
                }
                *next = tokio::time::Instant::now() + *every;
            }
        }
        let wait = (ttl / 3).min(
            due.iter()
                .map(|(_, _, next)| next.saturating_duration_since(tokio::time::Instant::now()))
                .min()
                .unwrap_or(ttl / 3),
        );
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            () = tokio::time::sleep(wait.max(Duration::from_millis(100))) => {}
        }
    }
    if held {
        let _ = daemon.store.release_lease(&name, &holder).await;
    }
}

/// One tenant's keep-alive, through its own manager (tenants may use different apps, so
/// the manager's all-tenant pass is not used): a refresh when the refresh token expires
/// within 80 days (QBO's last ~101), a warning when its hard expiry is within 30 days.
async fn keep_tenant_alive(tenant: &Tenant) -> anyhow::Result<()> {
    let auth = tenant.auth_id()?;
    let Some(status) = tenant.manager.status(&auth).await? else {
        return Ok(());
    };
    if status.status != qbo_auth::ConnectionStatus::Connected {
        tracing::warn!(tenant = %tenant.id, "the QBO connection needs a reconnect");
        return Ok(());
    }
    let now = chrono::Utc::now();
    if let Some(hard) = status.refresh_hard_expires_at
        && hard - now <= chrono::TimeDelta::days(30)
    {
        tracing::warn!(tenant = %tenant.id, %hard, "the QBO connection ends for good soon: reconnect before then");
    }
    if status.refresh_expires_at - now <= chrono::TimeDelta::days(80) {
        tenant.manager.refresh_now(&auth).await?;
        tracing::info!(tenant = %tenant.id, "refreshed an idle QBO connection");
    }
    Ok(())
}

/// Refreshes idle connections before their refresh token expires, and warns about hard
/// expiries ahead.
async fn keep_alive(daemon: Arc<Daemon>, mut stop: watch::Receiver<bool>) {
    loop {
        for tenant in daemon.tenants.values() {
            if let Err(e) = keep_tenant_alive(tenant).await {
                tracing::warn!(tenant = %tenant.id, error = %format!("{e:#}"), "keep-alive failed");
            }
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            () = tokio::time::sleep(KEEP_ALIVE_EVERY) => {}
        }
    }
}
