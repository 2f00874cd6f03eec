//! Named leases: one holder at a time for a singleton task (say, the store poller of one
//! tenant) across every process that shares the database.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::QueueError;
use crate::ids::{LeaseName, WorkerId};

/// The lease store: at most one holder per [`LeaseName`], for a time to live.
///
/// A holder calls [`try_acquire`](LeaseStore::try_acquire) before each round of its
/// task, with a time to live comfortably longer than one round; the lease passes to
/// another holder only once it has expired (its holder died or stalled) or was
/// [released](LeaseStore::release_lease). Times come from the store's [`Clock`](crate::Clock):
/// processes that share a database must keep their clocks in step, as for job leases.
#[async_trait]
pub trait LeaseStore: Send + Sync + std::fmt::Debug {
    /// Takes the lease `name` for `holder` until `ttl` from now, when it is free, expired,
    /// or already held by `holder` (then its expiry moves to `ttl` from now). Returns
    /// whether `holder` holds it now.
    ///
    /// # Errors
    /// [`QueueError::InvalidArgument`] for a `ttl` shorter than a millisecond.
    async fn try_acquire(
        &self,
        name: &LeaseName,
        holder: &WorkerId,
        ttl: Duration,
    ) -> Result<bool, QueueError>;

    /// Gives the lease `name` up (named so, not `release`, because [`SyncStore`](crate::SyncStore)
    /// also holds [`JobQueue::release`](crate::JobQueue::release)). Returns `true` when it was `holder`'s (even if it had
    /// expired and nobody had taken it since) and is now free; `false`, changing nothing,
    /// when another holder has it or nobody does.
    async fn release_lease(&self, name: &LeaseName, holder: &WorkerId) -> Result<bool, QueueError>;
}

/// A lease's time to live in milliseconds, checked.
pub(crate) fn ttl_ms(ttl: Duration) -> Result<i64, QueueError> {
    let ms = crate::clock::duration_ms(ttl);
    if ms <= 0 {
        return Err(QueueError::InvalidArgument {
            what: "ttl",
            reason: format!("{ttl:?} is shorter than a millisecond"),
        });
    }
    Ok(ms)
}
