//! Workers: claim a batch of one tenant's due jobs, run them through the [`Engine`]
//! (several at once; QBO's limit of calls in flight is the client's limiter's job), and
//! report each outcome to the queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use sync_queue::{ClaimedJob, FailOutcome, JobQueue, Lease, QueueError, Scope, WorkerId};
use tokio::sync::watch;

use crate::engine::{Engine, Outcome};
use crate::error::Disposition;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Jobs claimed at once.
    pub claim_batch: usize,
    /// Jobs of a claim run at once (their writes may share QBO batch requests).
    pub parallel: usize,
    /// The lease of a claim.
    pub lease: Duration,
    /// How long an idle worker waits for a wake-up before claiming again.
    pub idle_wait: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            claim_batch: 30,
            parallel: 30,
            lease: Duration::from_secs(120),
            idle_wait: Duration::from_secs(5),
        }
    }
}

/// What happened to the jobs of one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Jobs done (created, updated, unchanged, removed or skipped).
    pub done: usize,
    /// Jobs created in QBO.
    pub created: usize,
    /// Jobs updated in QBO.
    pub updated: usize,
    /// Jobs with nothing to push.
    pub unchanged: usize,
    /// Jobs removed in QBO.
    pub removed: usize,
    /// Jobs skipped, with a reason.
    pub skipped: usize,
    /// Jobs that will be retried.
    pub retried: usize,
    /// Jobs now in error.
    pub failed: usize,
    /// Jobs given back because the tenant needs a reconnect.
    pub released: usize,
    /// Jobs whose lease was lost before they were reported (another worker has them).
    pub lost: usize,
}

impl BatchReport {
    /// Adds another report.
    pub fn add(&mut self, other: &BatchReport) {
        self.done += other.done;
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        self.skipped += other.skipped;
        self.retried += other.retried;
        self.failed += other.failed;
        self.released += other.released;
        self.lost += other.lost;
    }
}

/// Runs claimed jobs and reports them.
#[derive(Debug, Clone)]
pub struct Worker {
    engine: Arc<Engine>,
    queue: Arc<dyn JobQueue>,
    id: WorkerId,
    settings: WorkerSettings,
}

impl Worker {
    /// A worker of `engine`'s tenant.
    pub fn new(
        engine: Arc<Engine>,
        queue: Arc<dyn JobQueue>,
        id: WorkerId,
        settings: WorkerSettings,
    ) -> Self {
        Self {
            engine,
            queue,
            id,
            settings,
        }
    }

    fn scope(&self) -> Scope {
        Scope::Tenant(self.engine.tenant().clone())
    }

    /// Claims one batch and runs it; an empty report when nothing was due.
    ///
    /// # Errors
    /// A [`QueueError`] when claiming fails.
    pub async fn run_once(&self) -> Result<BatchReport, QueueError> {
        let batch = self
            .queue
            .claim(
                &self.scope(),
                &self.id,
                self.settings.claim_batch,
                self.settings.lease,
            )
            .await?;
        Ok(self.run_batch(batch).await)
    }

    /// Runs until `stop` turns true: claims, waits for work when idle; claim errors are
    /// logged and retried with a growing pause. A batch that is running when `stop` turns
    /// true finishes (the caller bounds that with its own deadline; a job not reported by
    /// then is claimed again after its lease). Returns what the worker did.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> BatchReport {
        let mut total = BatchReport::default();
        let mut signal = self.queue.subscribe();
        let mut backoff = Duration::from_millis(200);
        let scope = self.scope();
        while !*stop.borrow() {
            // A claim is never cancelled half-way (that would hand its connection back
            // inside a transaction): `stop` only cuts the waits between claims.
            let claimed = self
                .queue
                .claim(
                    &scope,
                    &self.id,
                    self.settings.claim_batch,
                    self.settings.lease,
                )
                .await;
            match claimed {
                Ok(batch) if batch.is_empty() => {
                    backoff = Duration::from_millis(200);
                    tokio::select! {
                        _ = stop.changed() => break,
                        () = signal.wait_at_most(self.settings.idle_wait) => {}
                    }
                }
                Ok(batch) => {
                    backoff = Duration::from_millis(200);
                    let report = self.run_batch(batch).await;
                    total.add(&report);
                }
                Err(e) => {
                    tracing::warn!(worker = self.id.as_str(), error = %e, "claiming failed; trying again");
                    tokio::select! {
                        _ = stop.changed() => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
        total
    }

    /// Runs claimed jobs (several at once), reports failures as they come and
    /// acknowledges the done jobs together (one statement).
    pub async fn run_batch(&self, batch: Vec<ClaimedJob>) -> BatchReport {
        let parallel = self.settings.parallel.max(1);
        let results: Vec<(BatchReport, Option<Lease>)> = futures_util::stream::iter(batch)
            .map(|claimed| async move { self.run_job(claimed).await })
            .buffer_unordered(parallel)
            .collect()
            .await;
        let mut total = BatchReport::default();
        let mut done = Vec::new();
        for (r, lease) in results {
            total.add(&r);
            done.extend(lease);
        }
        if !done.is_empty() {
            match self.queue.ack_many(&done).await {
                Ok(lost) => {
                    for id in &lost {
                        tracing::warn!(job = %id, "the lease ran out before the job was acknowledged; another worker has it");
                    }
                    total.lost += lost.len();
                }
                Err(e) => {
                    tracing::error!(error = %e, jobs = done.len(), "could not acknowledge jobs; they run again after their lease");
                    total.lost += done.len();
                }
            }
        }
        total
    }

    /// Runs one job; failures are reported here, a done job's lease is returned for the
    /// batch's acknowledgement.
    async fn run_job(&self, claimed: ClaimedJob) -> (BatchReport, Option<Lease>) {
        let started = Instant::now();
        let job = &claimed.job;
        let lease = &claimed.lease;
        let mut report = BatchReport::default();
        let result = self.engine.run(&claimed).await;
        let elapsed_ms = started.elapsed().as_millis();
        let reported = match result {
            Ok(outcome) => {
                report.done += 1;
                match &outcome {
                    Outcome::Created(_) => report.created += 1,
                    Outcome::Updated(_) => report.updated += 1,
                    Outcome::Unchanged(_) => report.unchanged += 1,
                    Outcome::Removed(_) => report.removed += 1,
                    Outcome::Skipped(reason) => {
                        report.skipped += 1;
                        tracing::info!(job = %job.id, entity = %job.entity, reason, "skipped");
                    }
                }
                tracing::debug!(
                    job = %job.id,
                    entity = %job.entity,
                    outcome = outcome.label(),
                    qbo_id = outcome.qbo_id().unwrap_or(""),
                    elapsed_ms,
                    "pushed"
                );
                return (report, Some(claimed.lease));
            }
            Err(e) => match e.disposition() {
                Disposition::Transient(failure) => {
                    tracing::warn!(job = %job.id, entity = %job.entity, attempt = lease.attempt(), error = %failure.message(), "will retry");
                    match self.queue.fail_transient(lease, &failure).await {
                        Ok(FailOutcome::GaveUp) => {
                            report.failed += 1;
                            Ok(())
                        }
                        Ok(_) => {
                            report.retried += 1;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                Disposition::Permanent(failure) => {
                    tracing::warn!(job = %job.id, entity = %job.entity, code = failure.code().unwrap_or(""), error = %failure.message(), "failed");
                    report.failed += 1;
                    self.queue.fail_permanent(lease, &failure).await
                }
                Disposition::Reconnect(reason) => {
                    tracing::error!(tenant = %job.entity.tenant.as_str(), reason, "QBO needs a reconnect; pausing the tenant");
                    report.released += 1;
                    let paused = self
                        .queue
                        .pause_tenant(&job.entity.tenant, &format!("reconnect required: {reason}"))
                        .await;
                    let released = self.queue.release(lease, Duration::ZERO).await;
                    paused.and(released)
                }
            },
        };
        match reported {
            Ok(()) => {}
            Err(QueueError::LeaseLost(_)) => {
                report.lost += 1;
                tracing::warn!(job = %job.id, "the lease ran out before the job was reported; another worker has it");
            }
            Err(e) => {
                report.lost += 1;
                tracing::error!(job = %job.id, error = %e, "could not report the job; it runs again after its lease");
            }
        }
        (report, None)
    }
}
