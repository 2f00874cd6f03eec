//! Jobs and what the queue's calls take and give.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::error::QueueError;
use crate::ids::{JobId, LeaseToken, StoreId, TenantId, WorkerId};
use crate::kind::{Action, EntityKind, JobStatus};

/// One store entity of one tenant: what a job is about and what a link maps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// The tenant.
    pub tenant: TenantId,
    /// The entity kind.
    pub kind: EntityKind,
    /// The entity's id in the store.
    pub store_id: StoreId,
}

impl EntityRef {
    /// Builds the reference.
    pub fn new(tenant: TenantId, kind: EntityKind, store_id: StoreId) -> Self {
        Self {
            tenant,
            kind,
            store_id,
        }
    }

    /// Parses the three parts from text (a webhook, a CLI argument).
    ///
    /// # Errors
    /// [`QueueError::EmptyId`], [`QueueError::InvalidId`] or [`QueueError::UnknownKind`],
    /// naming the bad part.
    pub fn parse(tenant: &str, kind: &str, store_id: &str) -> Result<Self, QueueError> {
        Ok(Self {
            tenant: TenantId::new(tenant)?,
            kind: kind.parse()?,
            store_id: StoreId::new(store_id)?,
        })
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.tenant, self.kind, self.store_id)
    }
}

/// A job's optional payload: a JSON document (a webhook's snapshot of the entity), checked
/// to be JSON when built and kept as its exact text.
#[derive(Clone, PartialEq, Eq)]
pub struct JobPayload(String);

impl JobPayload {
    /// Checks that `text` is one JSON document and keeps it.
    ///
    /// # Errors
    /// [`QueueError::PayloadNotJson`] with the parser's position and reason.
    pub fn from_json_text(text: impl Into<String>) -> Result<Self, QueueError> {
        let text = text.into();
        serde_json::from_str::<IgnoredAny>(&text).map_err(QueueError::PayloadNotJson)?;
        Ok(Self(text))
    }

    /// Serializes `value` as the payload.
    ///
    /// # Errors
    /// [`QueueError::PayloadNotJson`] when `value` cannot be serialized (a map with
    /// non-string keys...).
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, QueueError> {
        serde_json::to_string(value)
            .map(Self)
            .map_err(QueueError::PayloadNotJson)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Deserializes the payload.
    ///
    /// # Errors
    /// [`QueueError::PayloadNotJson`] when it does not fit `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, QueueError> {
        serde_json::from_str(&self.0).map_err(QueueError::PayloadNotJson)
    }
}

impl fmt::Debug for JobPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Payloads carry customer data: show only their size.
        write!(f, "JobPayload({} bytes)", self.0.len())
    }
}

/// A change to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// The entity the change is about.
    pub entity: EntityRef,
    /// Upsert or delete.
    pub action: Action,
    /// An optional snapshot of the entity.
    pub payload: Option<JobPayload>,
}

impl NewJob {
    /// An upsert of `entity` (create in QBO, or update when linked).
    pub fn upsert(entity: EntityRef) -> Self {
        Self {
            entity,
            action: Action::Upsert,
            payload: None,
        }
    }

    /// A delete of `entity`.
    pub fn delete(entity: EntityRef) -> Self {
        Self {
            entity,
            action: Action::Delete,
            payload: None,
        }
    }

    /// The same change carrying `payload`.
    #[must_use]
    pub fn with_payload(mut self, payload: JobPayload) -> Self {
        self.payload = Some(payload);
        self
    }

    /// Builds a change from text, as it arrives from a webhook or a command line.
    ///
    /// # Errors
    /// A typed error naming the bad part: [`QueueError::EmptyId`],
    /// [`QueueError::InvalidId`], [`QueueError::UnknownKind`],
    /// [`QueueError::UnknownAction`] or [`QueueError::PayloadNotJson`].
    pub fn parse(
        tenant: &str,
        kind: &str,
        store_id: &str,
        action: &str,
        payload: Option<&str>,
    ) -> Result<Self, QueueError> {
        Ok(Self {
            entity: EntityRef::parse(tenant, kind, store_id)?,
            action: action.parse()?,
            payload: payload.map(JobPayload::from_json_text).transpose()?,
        })
    }
}

/// What became of an enqueued change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    /// The job that carries the change.
    pub id: JobId,
    /// Whether the change was folded into a job that was already waiting.
    pub coalesced: bool,
}

/// A job's last failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastError {
    /// A machine code (QBO's error code, e.g. `6240`), when there is one.
    pub code: Option<String>,
    /// The reason in words.
    pub message: String,
    /// When it failed.
    pub at: DateTime<Utc>,
}

/// Who holds a running job, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseInfo {
    /// The worker that claimed it.
    pub worker: WorkerId,
    /// When the lease runs out; after that another worker may claim the job.
    pub expires_at: DateTime<Utc>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The job id (UUID v7).
    pub id: JobId,
    /// The entity.
    pub entity: EntityRef,
    /// Upsert or delete.
    pub action: Action,
    /// The snapshot, when the change carried one.
    pub payload: Option<JobPayload>,
    /// Where it stands.
    pub status: JobStatus,
    /// How many times it was claimed.
    pub attempts: u32,
    /// When a waiting job may run next (`None` when running, in error, or superseded).
    pub run_after: Option<DateTime<Utc>>,
    /// The lease, when running.
    pub lease: Option<LeaseInfo>,
    /// The last failure, if any.
    pub last_error: Option<LastError>,
    /// `true` when this job failed (or was released) while a newer change of the same
    /// entity was already waiting: it never runs again, the newer job carries the entity
    /// forward, and the job is removed when a later job of the entity succeeds. Kept so
    /// that operators still see the reason.
    pub superseded: bool,
    /// When the job was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The right to report a claimed job's outcome. Only the holder of the current lease can
/// ack, fail, release or extend the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub(crate) id: JobId,
    pub(crate) entity: EntityRef,
    pub(crate) token: LeaseToken,
    pub(crate) worker: WorkerId,
    pub(crate) attempt: u32,
    pub(crate) expires_at_ms: i64,
}

impl Lease {
    /// The job.
    pub fn job_id(&self) -> JobId {
        self.id
    }

    /// The entity the job is about.
    pub fn entity(&self) -> &EntityRef {
        &self.entity
    }

    /// The worker that claimed it.
    pub fn worker(&self) -> &WorkerId {
        &self.worker
    }

    /// Which attempt this is (1 for the first claim).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When the lease runs out.
    pub fn expires_at(&self) -> DateTime<Utc> {
        crate::clock::from_ms(self.expires_at_ms)
    }

    /// A key for QBO's `requestid` that is the same for every attempt of this job and
    /// differs between jobs (the job id, 36 characters).
    pub fn write_key(&self) -> String {
        self.id.to_string()
    }
}

/// A job handed to a worker, with its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    /// The job as it stood after the claim.
    pub job: Job,
    /// The lease to report the outcome with.
    pub lease: Lease,
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) retry_after: Option<Duration>,
}

impl JobFailure {
    /// The longest message kept, in characters (longer ones are cut).
    pub const MAX_MESSAGE: usize = 2000;
    /// The longest code kept, in characters.
    pub const MAX_CODE: usize = 64;

    /// A failure with a reason in words.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: truncate(message.into(), Self::MAX_MESSAGE),
            retry_after: None,
        }
    }

    /// Adds a machine code (QBO's error code).
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(truncate(code.into(), Self::MAX_CODE));
        self
    }

    /// For a transient failure: wait at least this long (a `Retry-After`), even when the
    /// backoff is shorter.
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// The code.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

fn truncate(mut s: String, max: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        s.truncate(cut);
    }
    s
}

/// What a transient failure led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// The job runs again from this time on.
    WillRetry {
        /// The new run-after time.
        at: DateTime<Utc>,
    },
    /// Out of attempts: the job is now in error.
    GaveUp,
}

/// Which tenants a call reaches: all of them (the shop owner's admin, a shared worker) or
/// one (a vendor sees and touches only its own).
///
/// There is no default: a call that reaches every tenant says so with [`Scope::All`], so
/// that a forgotten scope never widens to every tenant's jobs.
///
/// ```compile_fail
/// let everyone: sync_queue::Scope = Default::default();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every tenant: operator-wide (the shop owner's admin, a worker shared by all
    /// tenants). Spell it out only where that is meant.
    All,
    /// One tenant.
    Tenant(TenantId),
}

impl Scope {
    /// The tenant, for a one-tenant scope.
    pub fn tenant(&self) -> Option<&TenantId> {
        match self {
            Scope::All => None,
            Scope::Tenant(t) => Some(t),
        }
    }

    /// Whether `tenant` is inside this scope.
    pub fn contains(&self, tenant: &TenantId) -> bool {
        match self {
            Scope::All => true,
            Scope::Tenant(t) => t == tenant,
        }
    }
}

/// Filters for listing jobs. Built with [`JobFilter::new`] from a [`Scope`] (there is no
/// default, so the tenants are always chosen), then narrowed field by field.
///
/// ```compile_fail
/// let everything = sync_queue::JobFilter::default();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    /// The tenants.
    pub scope: Scope,
    /// Only these statuses (all when empty).
    pub statuses: Vec<JobStatus>,
    /// Only this kind.
    pub kind: Option<EntityKind>,
    /// Only jobs whose last error message contains this text (case-insensitive).
    pub error_text: Option<String>,
}

impl JobFilter {
    /// Every job in `scope`: all statuses, all kinds, any error.
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            statuses: Vec::new(),
            kind: None,
            error_text: None,
        }
    }
}

/// A page request for keyset paging by job id (oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Start after this job (the previous page's `next`).
    pub after: Option<JobId>,
    /// At most this many jobs (1 to [`PageRequest::MAX_LIMIT`]).
    pub limit: u32,
}

impl PageRequest {
    /// The largest page.
    pub const MAX_LIMIT: u32 = 1000;

    /// The first page of `limit` jobs.
    pub fn first(limit: u32) -> Self {
        Self { after: None, limit }
    }

    pub(crate) fn checked_limit(&self) -> Result<u32, QueueError> {
        if self.limit == 0 || self.limit > Self::MAX_LIMIT {
            return Err(QueueError::InvalidArgument {
                what: "page limit",
                reason: format!("{} is outside 1..={}", self.limit, Self::MAX_LIMIT),
            });
        }
        Ok(self.limit)
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, oldest first.
    pub items: Vec<T>,
    /// The request for the next page, when there is one.
    pub next: Option<PageRequest>,
}

/// Counts for the operator's overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Jobs by status and kind (absent pairs are zero).
    pub counts: BTreeMap<(JobStatus, EntityKind), u64>,
    /// When the oldest job that can run (pending, not superseded) was created.
    pub oldest_pending: Option<DateTime<Utc>>,
}

impl QueueStats {
    /// Jobs with `status`, over all kinds.
    pub fn count(&self, status: JobStatus) -> u64 {
        self.counts
            .iter()
            .filter(|((s, _), _)| *s == status)
            .map(|(_, n)| n)
            .sum()
    }

    /// All jobs.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// How long the oldest pending job has been waiting at `now`.
    pub fn oldest_pending_age(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.oldest_pending
            .map(|t| (now - t).to_std().unwrap_or(Duration::ZERO))
    }
}

/// A paused tenant: its jobs are not claimed until it is resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PausedTenant {
    /// The tenant.
    pub tenant: TenantId,
    /// Why (e.g. "QBO connection lost: reconnect required").
    pub reason: String,
    /// Since when.
    pub since: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_must_be_json() {
        assert!(JobPayload::from_json_text(r#"{"id": 1}"#).is_ok());
        let err = JobPayload::from_json_text("{not json").unwrap_err();
        assert!(matches!(err, QueueError::PayloadNotJson(_)));
        assert!(err.to_string().starts_with("job payload is not JSON"));
        assert!(JobPayload::from_json_text("{} trailing").is_err());
        let p = JobPayload::from_serialize(&serde_json::json!({"name": "Ann"})).unwrap();
        assert_eq!(format!("{p:?}"), "JobPayload(14 bytes)");
        let v: serde_json::Value = p.parse().unwrap();
        assert_eq!(v["name"], "Ann");
    }

    #[test]
    fn parsing_a_change_names_the_bad_part() {
        let ok = NewJob::parse("shop", "order", "1001", "upsert", Some("{}")).unwrap();
        assert_eq!(ok.entity.kind, EntityKind::Order);
        assert!(matches!(
            NewJob::parse("shop", "invoice", "1", "upsert", None),
            Err(QueueError::UnknownKind(k)) if k == "invoice"
        ));
        assert!(matches!(
            NewJob::parse("shop", "order", "", "upsert", None),
            Err(QueueError::EmptyId { what: "store id" })
        ));
        assert!(matches!(
            NewJob::parse("", "order", "1", "upsert", None),
            Err(QueueError::EmptyId { what: "tenant id" })
        ));
        assert!(matches!(
            NewJob::parse("shop", "order", "1", "merge", None),
            Err(QueueError::UnknownAction(_))
        ));
        assert!(matches!(
            NewJob::parse("shop", "order", "1", "upsert", Some("<xml/>")),
            Err(QueueError::PayloadNotJson(_))
        ));
    }

    #[test]
    fn failures_are_bounded() {
        let long = "é".repeat(JobFailure::MAX_MESSAGE + 10);
        let f = JobFailure::new(long).with_code("x".repeat(100));
        assert_eq!(f.message().chars().count(), JobFailure::MAX_MESSAGE);
        assert_eq!(f.code().map(str::len), Some(JobFailure::MAX_CODE));
    }

    #[test]
    fn page_limits_are_checked() {
        assert!(PageRequest::first(0).checked_limit().is_err());
        assert!(PageRequest::first(1001).checked_limit().is_err());
        assert_eq!(PageRequest::first(50).checked_limit().unwrap(), 50);
    }
}
