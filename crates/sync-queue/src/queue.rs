//! The job queue trait and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::clock::{Clock, SystemClock};
use crate::error::QueueError;
use crate::ids::{JobId, TenantId, WorkerId};
use crate::job::{
    ClaimedJob, Enqueued, FailOutcome, Job, JobFailure, JobFilter, Lease, NewJob, Page,
    PageRequest, PausedTenant, QueueStats, Scope,
};
use crate::retry::RetryPolicy;
use crate::wake::{MAX_POLL_INTERVAL, WorkSignal};

/// The most jobs one claim hands out.
pub const MAX_CLAIM: usize = 1000;

/// How a store behaves: retries, wake-up polling, and its clock.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// Backoff and retry limit for transient failures.
    pub retry: RetryPolicy,
    /// How often an idle worker claims again when nothing woke it (capped at 1 s).
    pub poll_interval: Duration,
    /// Where the time comes from.
    pub clock: Arc<dyn Clock>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            poll_interval: MAX_POLL_INTERVAL,
            clock: Arc::new(SystemClock),
        }
    }
}

impl QueueConfig {
    /// The same configuration with another clock.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The same configuration with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The durable, coalescing job queue.
///
/// **Jobs.** At most one job per entity (tenant, kind, store id) waits at a time:
/// enqueueing again folds the change into it (a delete wins over an upsert, in either
/// order; the newest payload is kept unless the job is a delete). A change enqueued while
/// the entity's job is running becomes a new waiting job that runs only after the running
/// one is acked or failed, so a finishing job never swallows a newer change and two
/// workers never push the same entity at once. A job in error is revived by a new change.
///
/// **Workers** [`claim`](JobQueue::claim) batches under a lease, then
/// [`ack`](JobQueue::ack) (the job leaves the queue),
/// [`fail_transient`](JobQueue::fail_transient) (retry after a backoff, or error once out
/// of attempts), [`fail_permanent`](JobQueue::fail_permanent) (error at once) or
/// [`release`](JobQueue::release) (back to waiting, no attempt counted). Each of these
/// needs the current lease: after a lease expired and another worker claimed the job, the
/// first worker gets [`QueueError::LeaseLost`]. Jobs of paused tenants are not claimed.
///
/// **Operators** list, count, delete, retry and run jobs, always within a [`Scope`].
#[async_trait]
pub trait JobQueue: Send + Sync + fmt::Debug {
    /// Enqueues a change (see the trait docs for coalescing) and wakes waiting workers.
    async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError>;

    /// Enqueues many changes at once, in order, with the same result as enqueueing them
    /// one after another (changes of one entity fold as they would). On databases this
    /// is one multi-row statement per
    /// [`ENQUEUE_MANY_CHUNK`](crate::seaorm::statements::ENQUEUE_MANY_CHUNK) distinct
    /// entities, all in one transaction: on SQLite that holds the one writer, so enqueue
    /// a bulk export in chunks (say 1,000) so that workers get their turns between them.
    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError>;

    /// Claims up to `max` (at most [`MAX_CLAIM`]) jobs that are due, oldest run-after
    /// first, for `lease`; jobs whose lease expired count as due. Each claim counts one
    /// attempt. Returns nothing when nothing is due.
    ///
    /// A job whose lease ran out on its last attempt ([`RetryPolicy::max_attempts`]) is
    /// not handed out again: the claim puts it in error with the message "no result
    /// after N leases" (N its attempts), where an operator sees it; a newer change of
    /// the entity then runs next. It takes a place in the batch, so a claim may return
    /// fewer jobs than were due.
    ///
    /// # Errors
    /// [`QueueError::InvalidArgument`] for a zero lease.
    async fn claim(
        &self,
        scope: &Scope,
        worker: &WorkerId,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, QueueError>;

    /// Extends a lease to `by` from now, for jobs that take long.
    async fn extend_lease(&self, lease: &Lease, by: Duration) -> Result<Lease, QueueError>;

    /// The job is done: it leaves the queue, and so do older failed jobs of the same
    /// entity that a newer change had superseded. When a change of the entity was
    /// enqueued while the job ran, that job is now claimable and waiting workers of this
    /// process are woken at once.
    async fn ack(&self, lease: &Lease) -> Result<(), QueueError>;

    /// [`ack`](JobQueue::ack) for many leases at once (one statement per
    /// [`ACK_MANY_CHUNK`](crate::seaorm::statements::ACK_MANY_CHUNK) leases on
    /// databases), each still guarded by its lease token. Returns the ids of the jobs
    /// whose lease was lost (expired and claimed again, or already settled); nothing of
    /// theirs changed. Empty means every lease was acknowledged.
    ///
    /// The default runs [`ack`](JobQueue::ack) once per lease.
    async fn ack_many(&self, leases: &[Lease]) -> Result<Vec<JobId>, QueueError> {
        let mut lost = Vec::new();
        for lease in leases {
            match self.ack(lease).await {
                Ok(()) => {}
                Err(QueueError::LeaseLost(id)) => lost.push(id),
                Err(e) => return Err(e),
            }
        }
        Ok(lost)
    }

    /// The job failed for a passing reason: it runs again after the backoff of the
    /// store's [`RetryPolicy`] (or the failure's retry-after, if longer), or goes to error
    /// when this was its last attempt.
    ///
    /// When a newer change of the entity is already waiting, this job (like after
    /// [`fail_permanent`](JobQueue::fail_permanent) or [`release`](JobQueue::release))
    /// becomes [`superseded`](crate::Job::superseded): it keeps its reason but never runs
    /// again, and the newer job runs next.
    async fn fail_transient(
        &self,
        lease: &Lease,
        failure: &JobFailure,
    ) -> Result<FailOutcome, QueueError>;

    /// The job failed for good: it goes to error with the reason, until an operator
    /// retries it or a newer change of the entity revives it.
    async fn fail_permanent(&self, lease: &Lease, failure: &JobFailure) -> Result<(), QueueError>;

    /// Gives the job back untouched (its attempt is not counted), to run from `delay`
    /// on: for a worker that stops, or a tenant that was just paused.
    async fn release(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError>;

    /// A signal to wait on between empty claims.
    fn subscribe(&self) -> WorkSignal;

    /// Pauses a tenant (a reconnect is needed...): its jobs are not claimed until it is
    /// resumed. Running jobs finish. Pausing again replaces the reason.
    async fn pause_tenant(&self, tenant: &TenantId, reason: &str) -> Result<(), QueueError>;

    /// Resumes a tenant; returns whether it was paused.
    async fn resume_tenant(&self, tenant: &TenantId) -> Result<bool, QueueError>;

    /// The paused tenants.
    async fn paused_tenants(&self) -> Result<Vec<PausedTenant>, QueueError>;

    /// One job, if it exists in `scope`.
    async fn get_job(&self, scope: &Scope, id: JobId) -> Result<Option<Job>, QueueError>;

    /// Jobs matching `filter`, oldest first, one page at a time (keyset paging by id).
    async fn list_jobs(
        &self,
        filter: &JobFilter,
        page: &PageRequest,
    ) -> Result<Page<Job>, QueueError>;

    /// Counts by status and kind, and the oldest pending job.
    async fn stats(&self, scope: &Scope) -> Result<QueueStats, QueueError>;

    /// Deletes one job that is not running.
    ///
    /// # Errors
    /// [`QueueError::JobNotFound`], or [`QueueError::JobRunning`] for a running job.
    async fn delete_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError>;

    /// Deletes every job in error; returns how many.
    async fn delete_errors(&self, scope: &Scope) -> Result<u64, QueueError>;

    /// Deletes every job of `tenant` that is not running; returns how many. Running jobs
    /// finish (or fail) normally.
    async fn clear_tenant(&self, tenant: &TenantId) -> Result<u64, QueueError>;

    /// Sends one job in error back to pending, with its attempts reset. A superseded job
    /// is deleted instead: the newer job of its entity already carries the change.
    ///
    /// # Errors
    /// [`QueueError::JobNotFound`], or [`QueueError::NotInError`].
    async fn retry_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError>;

    /// [`retry_job`](JobQueue::retry_job) for every job in error; returns how many were
    /// sent back or dropped.
    async fn retry_errors(&self, scope: &Scope) -> Result<u64, QueueError>;

    /// Makes a waiting job due now; a job in error is retried. A superseded job is deleted
    /// (see [`retry_job`](JobQueue::retry_job)).
    ///
    /// # Errors
    /// [`QueueError::JobNotFound`], or [`QueueError::JobRunning`].
    async fn run_now(&self, scope: &Scope, id: JobId) -> Result<(), QueueError>;

    /// Claims; when nothing is due, waits on `signal` and claims again, until something is
    /// claimed or `max_wait` has passed (then returns an empty batch).
    async fn claim_or_wait(
        &self,
        signal: &mut WorkSignal,
        scope: &Scope,
        worker: &WorkerId,
        max: usize,
        lease: Duration,
        max_wait: Duration,
    ) -> Result<Vec<ClaimedJob>, QueueError> {
        let deadline = tokio::time::Instant::now() + max_wait;
        loop {
            let batch = self.claim(scope, worker, max, lease).await?;
            let now = tokio::time::Instant::now();
            if !batch.is_empty() || now >= deadline {
                return Ok(batch);
            }
            signal.wait_at_most(deadline - now).await;
        }
    }
}

/// Checks a claim's arguments: the batch size clamped to [`MAX_CLAIM`], the lease in ms.
pub(crate) fn claim_args(max: usize, lease: Duration) -> Result<(usize, i64), QueueError> {
    let lease_ms = crate::clock::duration_ms(lease);
    if lease_ms <= 0 {
        return Err(QueueError::InvalidArgument {
            what: "lease",
            reason: format!("{lease:?} is shorter than a millisecond"),
        });
    }
    Ok((max.min(MAX_CLAIM), lease_ms))
}

/// Whether a job that a claim just took (and counted) is beyond the store's attempt limit:
/// its earlier `attempts - 1` leases all ran out without a result, so it goes to error
/// with [`no_result_message`] instead of running again.
pub(crate) fn spent(config: &QueueConfig, attempts_after_claim: u32) -> bool {
    attempts_after_claim > config.retry.max_attempts.max(1)
}

/// The error of a job whose `leases` leases ran out without a result.
pub(crate) fn no_result_message(leases: u32) -> String {
    format!("no result after {leases} leases")
}

/// When a transient failure of `lease` runs again, or `None` when it gives up.
pub(crate) fn retry_at(
    config: &QueueConfig,
    lease: &Lease,
    failure: &JobFailure,
    now_ms: i64,
) -> Option<i64> {
    if !config.retry.retries_after(lease.attempt) {
        return None;
    }
    let mut wait = config.retry.delay(lease.attempt);
    if let Some(at_least) = failure.retry_after {
        wait = wait.max(at_least);
    }
    Some(now_ms.saturating_add(crate::clock::duration_ms(wait)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ids::{JobId, LeaseToken, StoreId, TenantId};
    use crate::job::EntityRef;
    use crate::kind::EntityKind;

    fn lease(attempt: u32) -> Lease {
        Lease {
            id: JobId::generate(),
            entity: EntityRef::new(
                TenantId::new("shop").unwrap_or_else(|e| panic!("{e}")),
                EntityKind::Order,
                StoreId::new("1").unwrap_or_else(|e| panic!("{e}")),
            ),
            token: LeaseToken::generate(),
            worker: WorkerId::new("w").unwrap_or_else(|e| panic!("{e}")),
            attempt,
            expires_at_ms: 0,
        }
    }

    proptest! {
        /// The next run time of a transient failure never overflows: any attempt, any
        /// policy, any retry-after, any clock.
        #[test]
        fn retry_time_never_overflows(
            attempt in prop_oneof![Just(u32::MAX), any::<u32>()],
            base_secs in any::<u64>(),
            max_secs in any::<u64>(),
            retry_after in prop::option::of(prop_oneof![Just(Duration::MAX), any::<u64>().prop_map(Duration::from_secs)]),
            now_ms in prop_oneof![Just(i64::MAX), Just(i64::MIN), any::<i64>()],
        ) {
            let config = QueueConfig::default().with_retry(RetryPolicy {
                max_attempts: u32::MAX,
                base_delay: Duration::from_secs(base_secs),
                max_delay: Duration::from_secs(max_secs),
            });
            let mut failure = JobFailure::new("503");
            if let Some(wait) = retry_after {
                failure = failure.with_retry_after(wait);
            }
            if let Some(at) = retry_at(&config, &lease(attempt), &failure, now_ms) {
                prop_assert!(at >= now_ms);
                let _ = crate::clock::from_ms(at);
            }
        }
    }
}
