//! Store polling: a CS-Cart feed's changes become queued jobs, and the feed's cursor is
//! stored only after they are (two-phase: a crash repeats changes, never loses one).

use std::time::Duration;

use cscart_api::feed::{ChangeAction, ChangeFeed, Deletes, FeedKind, FeedPoll};
use sync_queue::{EntityKind, EntityRef, FeedName, NewJob, StoreId, SyncStore, TenantId};

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Jobs enqueued (upserts and deletes).
    pub enqueued: usize,
    /// Of which deletes.
    pub deletes: usize,
    /// Entities the feed could not read (queued too, so that their job records why).
    pub problems: usize,
    /// Why the feed held its cursor or withheld deletes, when it did.
    pub held: Option<String>,
}

/// The queue's kind of a `mapping` entity kind.
pub fn queue_kind(kind: mapping::ids::EntityKind) -> EntityKind {
    match kind {
        mapping::ids::EntityKind::Customer => EntityKind::Customer,
        mapping::ids::EntityKind::Category => EntityKind::Category,
        mapping::ids::EntityKind::Product => EntityKind::Product,
        mapping::ids::EntityKind::Order => EntityKind::Order,
        mapping::ids::EntityKind::Payment => EntityKind::Payment,
    }
}

/// The jobs of a poll: one per change (upsert or delete) and one upsert per unreadable
/// entity, so that its job fails with the reason the operator sees.
///
/// # Errors
/// A store id the queue refuses (empty, too long).
pub fn jobs_of(tenant: &TenantId, poll: &FeedPoll) -> Result<Vec<NewJob>, sync_queue::QueueError> {
    let mut jobs = Vec::with_capacity(poll.changes.len() + poll.problems.len());
    let mut seen = std::collections::HashSet::new();
    for change in &poll.changes {
        let entity = EntityRef::new(
            tenant.clone(),
            queue_kind(change.entity.kind),
            StoreId::new(change.entity.id.clone())?,
        );
        seen.insert((entity.kind, change.entity.id.clone()));
        jobs.push(match change.action {
            ChangeAction::Upsert => NewJob::upsert(entity),
            ChangeAction::Delete => NewJob::delete(entity),
        });
    }
    for problem in &poll.problems {
        if let Some(e) = &problem.entity
            && seen.insert((queue_kind(e.kind), e.id.clone()))
        {
            jobs.push(NewJob::upsert(EntityRef::new(
                tenant.clone(),
                queue_kind(e.kind),
                StoreId::new(e.id.clone())?,
            )));
        }
    }
    Ok(jobs)
}

/// Enqueues jobs in chunks (so that workers get the database between them).
///
/// # Errors
/// The queue's error.
pub async fn enqueue_all(
    store: &dyn SyncStore,
    jobs: Vec<NewJob>,
) -> Result<usize, sync_queue::QueueError> {
    let count = jobs.len();
    let mut rest = jobs;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(500));
        store.enqueue_many(rest).await?;
        rest = tail;
    }
    Ok(count)
}

/// Polls one feed from its stored cursor (or from `from`, when given), enqueues the
/// changes, then stores the new cursor. Reading the store may be bounded by
/// `read_timeout`; writing the jobs and the cursor is never cut short.
///
/// # Errors
/// When the store cannot be read (the cursor stays where it was) or the queue fails.
pub async fn poll_feed(
    tenant: &TenantId,
    feed: &ChangeFeed,
    store: &dyn SyncStore,
    kind: FeedKind,
    from: Option<String>,
    read_timeout: Option<Duration>,
) -> anyhow::Result<PollReport> {
    let name = FeedName::new(kind.cursor_name())?;
    let cursor = match from {
        Some(c) => Some(c),
        None => store.get_cursor(tenant, &name).await?.map(|c| c.value),
    };
    let poll = match read_timeout {
        Some(limit) => tokio::time::timeout(limit, feed.poll(kind, cursor.as_deref()))
            .await
            .map_err(|_| anyhow::anyhow!("reading the store took longer than {limit:?}"))??,
        None => feed.poll(kind, cursor.as_deref()).await?,
    };
    let jobs = jobs_of(tenant, &poll)?;
    let deletes = jobs
        .iter()
        .filter(|j| j.action == sync_queue::Action::Delete)
        .count();
    let enqueued = enqueue_all(store, jobs).await?;
    store.set_cursor(tenant, &name, &poll.cursor).await?;
    let mut held = poll.cursor_held.clone();
    if let Deletes::Withheld { reason, vanished } = &poll.deletes {
        held = Some(format!("{vanished} vanished ids not deleted: {reason}"));
    }
    for problem in &poll.problems {
        tracing::warn!(%tenant, feed = %kind, problem = %problem, "store entity unreadable");
    }
    if enqueued > 0 {
        tracing::info!(%tenant, feed = %kind, enqueued, deletes, "store changes queued");
    }
    Ok(PollReport {
        enqueued,
        deletes,
        problems: poll.problems.len(),
        held,
    })
}

/// The feeds of a CS-Cart tenant with their intervals (0: off).
pub fn schedule(poll: &crate::config::PollConfig) -> Vec<(FeedKind, Duration)> {
    let every = |secs: u64| Duration::from_secs(secs);
    [
        (FeedKind::Orders, poll.orders_secs),
        (FeedKind::Products, poll.products_secs),
        (FeedKind::Categories, poll.scans_secs),
        (FeedKind::Customers, poll.scans_secs),
        (FeedKind::ProductScan, poll.scans_secs),
        (FeedKind::OrderScan, poll.scans_secs),
    ]
    .into_iter()
    .filter(|(_, secs)| *secs > 0)
    .map(|(kind, secs)| (kind, every(secs)))
    .collect()
}
