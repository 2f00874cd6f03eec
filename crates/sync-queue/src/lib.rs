//! # sync-queue
//!
//! The durable, coalescing job queue of qbo-sync, with the link store (store entity ↔ QBO
//! entity) and the cursor store (where each store feed's polling left off).
//!
//! - **Traits**: [`JobQueue`], [`LinkStore`], [`CursorStore`] and [`LeaseStore`]
//!   (together [`SyncStore`]), async and storage-agnostic; every queue, link and cursor
//!   call is scoped to a tenant or a [`Scope`].
//! - **Named leases**: one holder at a time for singleton tasks across processes
//!   ([`LeaseStore`]).
//! - **Backends**: [`MemoryStore`] (same behaviour, no durability) and [`SeaOrmStore`] on
//!   SQLite (the default: one file, WAL, one writer), PostgreSQL or MariaDB, with its
//!   migrations ([`seaorm::Migrator`]).
//! - **Coalescing**: at most one waiting job per entity; a delete wins; a change made
//!   while the entity's job runs waits behind it and is never lost.
//! - **Leases**: workers claim batches under a lease; a job whose worker died is claimed
//!   again once its lease expires; only the lease holder can ack or fail it.
//! - **Retries**: transient failures back off exponentially with jitter up to a limit
//!   ([`RetryPolicy`]); permanent failures keep QBO's reason for the operator.
//! - **Links CSV**: export and all-or-nothing import ([`csv`]).
//!
//! ```
//! use std::time::Duration;
//! use sync_queue::{
//!     EntityKind, EntityRef, JobQueue, MemoryStore, NewJob, Scope, StoreId, TenantId, WorkerId,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), sync_queue::QueueError> {
//! let queue = MemoryStore::default();
//! let shop = TenantId::new("shop")?;
//! let ann = EntityRef::new(shop, EntityKind::Customer, StoreId::new("42")?);
//!
//! queue.enqueue(NewJob::upsert(ann.clone())).await?;
//! let again = queue.enqueue(NewJob::upsert(ann)).await?;
//! assert!(again.coalesced); // one waiting job per entity
//!
//! let worker = WorkerId::new("worker-1")?;
//! let batch = queue.claim(&Scope::All, &worker, 10, Duration::from_secs(60)).await?;
//! assert_eq!(batch.len(), 1);
//! // ... push to QBO ...
//! queue.ack(&batch[0].lease).await?;
//! assert_eq!(queue.stats(&Scope::All).await?.total(), 0);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod clock;
pub mod csv;
mod cursor;
mod error;
mod ids;
mod job;
mod kind;
mod lease;
mod link;
mod memory;
mod queue;
mod retry;
pub mod seaorm;
mod wake;

/// The README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use clock::{Clock, ManualClock, SystemClock};
pub use cursor::{Cursor, CursorStore};
pub use error::{CsvError, HeaderProblem, LineError, LineProblem, QueueError};
pub use ids::{
    ContentHash, FeedName, JobId, LeaseName, LeaseToken, QboId, StoreId, SyncToken, TenantId,
    WorkerId,
};
pub use job::{
    ClaimedJob, Enqueued, EntityRef, FailOutcome, Job, JobFailure, JobFilter, JobPayload,
    LastError, Lease, LeaseInfo, NewJob, Page, PageRequest, PausedTenant, QueueStats, Scope,
};
pub use kind::{Action, EntityKind, JobStatus};
pub use lease::LeaseStore;
pub use link::{Link, LinkCursor, LinkImportRow, LinkStore, Pushed};
pub use memory::MemoryStore;
pub use queue::{JobQueue, MAX_CLAIM, QueueConfig};
pub use retry::RetryPolicy;
pub use seaorm::SeaOrmStore;
pub use wake::{MAX_POLL_INTERVAL, WorkSignal};

/// Every store in one (jobs, links, cursors, named leases): what a daemon holds
/// (`Arc<dyn SyncStore>`).
pub trait SyncStore: JobQueue + LinkStore + CursorStore + LeaseStore {}

impl<T: JobQueue + LinkStore + CursorStore + LeaseStore> SyncStore for T {}
