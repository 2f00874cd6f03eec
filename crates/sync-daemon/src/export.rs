//! `qbo-sync export`: the first bulk push of a store's catalogue, customers and orders, and
//! [`drain`], which runs a tenant's workers until its queue has nothing left to do now.
//!
//! Safe to interrupt and run again: the export only queues (coalesced, one job per
//! entity), links are written as entities land, and an entity whose content is unchanged
//! since its push makes no QBO call.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use cscart_api::feed::{ChangeFeed, FeedKind};
use sync_queue::{
    EntityKind, JobFilter, JobQueue, JobStatus, PageRequest, Scope, SyncStore, TenantId, WorkerId,
};
use tokio::sync::watch;

use crate::engine::Engine;
use crate::poller::poll_feed;
use crate::worker::{BatchReport, Worker, WorkerSettings};

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The kinds (all when empty).
    pub kinds: Vec<EntityKind>,
    /// Only orders and products changed since then (customers and categories are always
    /// read whole: the store keeps no change time for them).
    pub since: Option<DateTime<Utc>>,
}

/// The feeds an export reads, in dependency order.
pub fn export_feeds(options: &ExportOptions) -> Vec<FeedKind> {
    let wanted = |k: EntityKind| options.kinds.is_empty() || options.kinds.contains(&k);
    let mut feeds = Vec::new();
    if wanted(EntityKind::Category) {
        feeds.push(FeedKind::Categories);
    }
    if wanted(EntityKind::Customer) {
        feeds.push(FeedKind::Customers);
    }
    if wanted(EntityKind::Product) {
        feeds.push(if options.since.is_some() {
            FeedKind::Products
        } else {
            FeedKind::ProductScan
        });
    }
    if wanted(EntityKind::Order) {
        feeds.push(FeedKind::Orders);
    }
    feeds
}

/// Queues every store entity of the chosen kinds; returns how many per kind.
///
/// # Errors
/// When the store cannot be read or the queue fails.
pub async fn enqueue_store(
    tenant: &TenantId,
    feed: &ChangeFeed,
    store: &dyn SyncStore,
    options: &ExportOptions,
) -> anyhow::Result<BTreeMap<EntityKind, usize>> {
    let mut counts = BTreeMap::new();
    let since = options.since.map_or(0, |s| s.timestamp());
    for kind in export_feeds(options) {
        let from = ChangeFeed::cursor_since(kind, since);
        let report = poll_feed(tenant, feed, store, kind, Some(from), None)
            .await
            .with_context(|| format!("reading {kind}"))?;
        *counts
            .entry(crate::poller::queue_kind(kind.entity_kind()))
            .or_insert(0) += report.enqueued;
    }
    Ok(counts)
}

/// How far the queue is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Jobs waiting, running or due again soon.
    pub outstanding: u64,
    /// Jobs in error.
    pub errors: u64,
    /// Jobs waiting for a retry later than `drain` waits for.
    pub later: u64,
}

/// Where a tenant's queue stands; retries due within `horizon` count as outstanding.
///
/// # Errors
/// The queue's error.
pub async fn progress(
    queue: &dyn JobQueue,
    tenant: &TenantId,
    horizon: Duration,
) -> anyhow::Result<Progress> {
    let scope = Scope::Tenant(tenant.clone());
    let stats = queue.stats(&scope).await?;
    let pending = stats.count(JobStatus::Pending) + stats.count(JobStatus::Running);
    let retry = stats.count(JobStatus::Retry);
    let mut later = 0;
    if retry > 0 {
        let limit = Utc::now() + chrono::TimeDelta::from_std(horizon).unwrap_or_default();
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let filter = JobFilter {
                scope: scope.clone(),
                statuses: vec![JobStatus::Retry],
                kind: None,
                error_text: None,
            };
            let jobs = queue.list_jobs(&filter, &page).await?;
            later += jobs
                .items
                .iter()
                .filter(|j| j.run_after.is_some_and(|t| t > limit))
                .count() as u64;
            match jobs.next {
                Some(next) => page = next,
                None => break,
            }
        }
    }
    Ok(Progress {
        outstanding: pending + retry - later,
        errors: stats.count(JobStatus::Error),
        later,
    })
}

/// Runs `workers` workers of `engine`'s tenant until nothing is left to do now (retries
/// due within `horizon` are waited for), calling `on_progress` as it goes.
///
/// # Errors
/// The queue's error.
pub async fn drain(
    engine: Arc<Engine>,
    queue: Arc<dyn JobQueue>,
    workers: usize,
    settings: WorkerSettings,
    horizon: Duration,
    on_progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<BatchReport> {
    let tenant = engine.tenant().clone();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut handles = Vec::new();
    let process = uuid::Uuid::now_v7().simple().to_string();
    for n in 0..workers.max(1) {
        let worker = Worker::new(
            engine.clone(),
            queue.clone(),
            WorkerId::new(format!("export-{}-{n}", &process[..12]))?,
            settings.clone(),
        );
        let stop = stop_rx.clone();
        handles.push(tokio::spawn(async move { worker.run(stop).await }));
    }
    let result = async {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let p = progress(queue.as_ref(), &tenant, horizon).await?;
            on_progress(p);
            if p.outstanding == 0 {
                return anyhow::Ok(());
            }
        }
    }
    .await;
    let _ = stop_tx.send(true);
    let mut total = BatchReport::default();
    for handle in handles {
        if let Ok(report) = handle.await {
            total.add(&report);
        }
    }
    result.map(|()| total)
}
