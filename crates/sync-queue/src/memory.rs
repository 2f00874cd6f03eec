//! The in-memory backend: the same behaviour as the database backends, for tests of the
//! code that uses the queue and for single-process tools that need no durability.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::clock::{duration_ms, from_ms};
use crate::cursor::{Cursor, CursorStore};
use crate::error::{CsvError, LineError, LineProblem, QueueError};
use crate::ids::{
    ContentHash, FeedName, JobId, LeaseName, LeaseToken, QboId, StoreId, SyncToken, TenantId,
    WorkerId,
};
use crate::job::{
    ClaimedJob, Enqueued, EntityRef, FailOutcome, Job, JobFailure, JobFilter, JobPayload,
    LastError, Lease, LeaseInfo, NewJob, Page, PageRequest, PausedTenant, QueueStats, Scope,
};
use crate::kind::{Action, EntityKind, JobStatus};
use crate::lease::{LeaseStore, ttl_ms};
use crate::link::{Link, LinkCursor, LinkImportRow, LinkStore, Pushed};
use crate::queue::{JobQueue, QueueConfig, claim_args, no_result_message, retry_at, spent};
use crate::wake::{Wakeup, WorkSignal};

/// A store that keeps everything in memory; clones share the same data.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    config: QueueConfig,
    wake: Wakeup,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(QueueConfig::default())
    }
}

#[derive(Debug, Clone)]
struct Row {
    id: JobId,
    entity: EntityRef,
    action: Action,
    payload: Option<JobPayload>,
    status: JobStatus,
    /// Holds the entity's one waiting slot (see the SeaORM backend's `waiting` column).
    waiting: bool,
    attempts: u32,
    due: Option<i64>,
    token: Option<LeaseToken>,
    worker: Option<WorkerId>,
    last_error: Option<(Option<String>, String, i64)>,
    created: i64,
    updated: i64,
}

impl Row {
    fn to_job(&self) -> Job {
        let running = self.status == JobStatus::Running;
        Job {
            id: self.id,
            entity: self.entity.clone(),
            action: self.action,
            payload: self.payload.clone(),
            status: self.status,
            attempts: self.attempts,
            run_after: if running { None } else { self.due.map(from_ms) },
            lease: match (running, &self.worker, self.due) {
                (true, Some(worker), Some(due)) => Some(LeaseInfo {
                    worker: worker.clone(),
                    expires_at: from_ms(due),
                }),
                _ => None,
            },
            last_error: self
                .last_error
                .as_ref()
                .map(|(code, message, at)| LastError {
                    code: code.clone(),
                    message: message.clone(),
                    at: from_ms(*at),
                }),
            superseded: !running && !self.waiting,
            created_at: from_ms(self.created),
            updated_at: from_ms(self.updated),
        }
    }
}

#[derive(Debug, Clone)]
struct LinkRow {
    qbo_id: QboId,
    sync_token: Option<SyncToken>,
    content_hash: Option<ContentHash>,
    manual: bool,
    updated: i64,
}

type LinkKey = (TenantId, EntityKind, StoreId);

#[derive(Debug, Default)]
struct State {
    jobs: BTreeMap<JobId, Row>,
    by_entity: HashMap<EntityRef, Vec<JobId>>,
    due: BTreeSet<(i64, JobId)>,
    paused: BTreeMap<TenantId, (String, i64)>,
    links: BTreeMap<LinkKey, LinkRow>,
    qbo_index: HashMap<(TenantId, EntityKind, QboId), StoreId>,
    cursors: HashMap<(TenantId, FeedName), (String, i64)>,
    /// Named leases: holder and expiry.
    leases: HashMap<LeaseName, (WorkerId, i64)>,
}

impl State {
    fn insert(&mut self, row: Row) {
        if let Some(due) = row.due {
            self.due.insert((due, row.id));
        }
        self.by_entity
            .entry(row.entity.clone())
            .or_default()
            .push(row.id);
        self.jobs.insert(row.id, row);
    }

    fn remove(&mut self, id: JobId) -> Option<Row> {
        let row = self.jobs.remove(&id)?;
        if let Some(due) = row.due {
            self.due.remove(&(due, id));
        }
        if let Some(ids) = self.by_entity.get_mut(&row.entity) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                self.by_entity.remove(&row.entity);
            }
        }
        Some(row)
    }

    fn set_due(&mut self, id: JobId, due: Option<i64>) {
        if let Some(row) = self.jobs.get_mut(&id) {
            if let Some(old) = row.due {
                self.due.remove(&(old, id));
            }
            row.due = due;
            if let Some(new) = due {
                self.due.insert((new, id));
            }
        }
    }

    fn siblings(&self, entity: &EntityRef) -> impl Iterator<Item = &Row> {
        self.by_entity
            .get(entity)
            .into_iter()
            .flatten()
            .filter_map(|id| self.jobs.get(id))
    }

    fn slot(&self, entity: &EntityRef) -> Option<JobId> {
        self.siblings(entity).find(|r| r.waiting).map(|r| r.id)
    }

    /// Whether another job of `entity` than `id` is running.
    fn other_running(&self, entity: &EntityRef, id: JobId) -> bool {
        self.siblings(entity)
            .any(|r| r.status == JobStatus::Running && r.id != id)
    }

    fn held(&self, lease: &Lease) -> Result<JobId, QueueError> {
        match self.jobs.get(&lease.id) {
            Some(row) if row.token == Some(lease.token) && row.status == JobStatus::Running => {
                Ok(row.id)
            }
            _ => Err(QueueError::LeaseLost(lease.id)),
        }
    }

    fn in_scope(&self, scope: &Scope, id: JobId) -> Result<&Row, QueueError> {
        self.jobs
            .get(&id)
            .filter(|r| scope.contains(&r.entity.tenant))
            .ok_or(QueueError::JobNotFound(id))
    }

    /// Moves a running job back to waiting (or to error), giving up the entity's slot
    /// when a newer change holds it.
    fn settle(&mut self, id: JobId, status: JobStatus, due: Option<i64>, now: i64) {
        let Some(entity) = self.jobs.get(&id).map(|r| r.entity.clone()) else {
            return;
        };
        let other_waits = self.siblings(&entity).any(|r| r.waiting && r.id != id);
        self.set_due(id, if other_waits { None } else { due });
        if let Some(row) = self.jobs.get_mut(&id) {
            row.status = status;
            row.waiting = !other_waits;
            row.token = None;
            row.worker = None;
            row.updated = now;
        }
    }

    fn enqueue(&mut self, job: NewJob, now: i64) -> Enqueued {
        if let Some(id) = self.slot(&job.entity) {
            let revive = self
                .jobs
                .get(&id)
                .is_some_and(|r| r.status == JobStatus::Error);
            if revive {
                self.set_due(id, Some(now));
            }
            if let Some(row) = self.jobs.get_mut(&id) {
                if row.action != Action::Delete {
                    row.action = job.action;
                    row.payload = job.payload;
                }
                if revive {
                    row.status = JobStatus::Pending;
                    row.attempts = 0;
                }
                row.updated = now;
            }
            return Enqueued {
                id,
                coalesced: true,
            };
        }
        let id = JobId::generate();
        self.insert(Row {
            id,
            entity: job.entity,
            action: job.action,
            payload: job.payload,
            status: JobStatus::Pending,
            waiting: true,
            attempts: 0,
            due: Some(now),
            token: None,
            worker: None,
            last_error: None,
            created: now,
            updated: now,
        });
        Enqueued {
            id,
            coalesced: false,
        }
    }

    /// Acks `lease` (and drops the entity's superseded jobs); returns whether the entity
    /// has a waiting job, which the ack may have made claimable.
    fn ack(&mut self, lease: &Lease) -> Result<bool, QueueError> {
        self.drop_superseded(&lease.entity);
        let id = self.held(lease)?;
        self.remove(id);
        Ok(self.slot(&lease.entity).is_some())
    }

    /// Deletes non-running jobs that hold no slot (superseded) of `entity`.
    fn drop_superseded(&mut self, entity: &EntityRef) {
        let stale: Vec<JobId> = self
            .siblings(entity)
            .filter(|r| !r.waiting && r.status != JobStatus::Running)
            .map(|r| r.id)
            .collect();
        for id in stale {
            self.remove(id);
        }
    }

    /// Sends a job in error back to pending (or drops it when superseded).
    fn retry_error(&mut self, id: JobId, now: i64) {
        let waiting = self.jobs.get(&id).is_some_and(|r| r.waiting);
        if !waiting {
            self.remove(id);
            return;
        }
        self.set_due(id, Some(now));
        if let Some(row) = self.jobs.get_mut(&id) {
            row.status = JobStatus::Pending;
            row.attempts = 0;
            row.updated = now;
        }
    }

    fn link(&self, key: &LinkKey) -> Option<Link> {
        self.links.get(key).map(|l| Link {
            entity: EntityRef::new(key.0.clone(), key.1, key.2.clone()),
            qbo_id: l.qbo_id.clone(),
            sync_token: l.sync_token.clone(),
            content_hash: l.content_hash.clone(),
            manual: l.manual,
            updated_at: from_ms(l.updated),
        })
    }

    fn check_free(&self, key: &LinkKey, qbo_id: &QboId) -> Result<(), QueueError> {
        match self.qbo_index.get(&(key.0.clone(), key.1, qbo_id.clone())) {
            Some(holder) if *holder != key.2 => Err(QueueError::LinkConflict {
                kind: key.1,
                qbo_id: qbo_id.clone(),
                linked_to: holder.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn put_link(&mut self, key: LinkKey, row: LinkRow) {
        if let Some(old) = self.links.get(&key) {
            self.qbo_index
                .remove(&(key.0.clone(), key.1, old.qbo_id.clone()));
        }
        self.qbo_index
            .insert((key.0.clone(), key.1, row.qbo_id.clone()), key.2.clone());
        self.links.insert(key, row);
    }

    fn remove_link(&mut self, key: &LinkKey) -> bool {
        match self.links.remove(key) {
            Some(old) => {
                self.qbo_index.remove(&(key.0.clone(), key.1, old.qbo_id));
                true
            }
            None => false,
        }
    }
}

fn key_of(entity: &EntityRef) -> LinkKey {
    (entity.tenant.clone(), entity.kind, entity.store_id.clone())
}

impl MemoryStore {
    /// An empty store.
    pub fn new(config: QueueConfig) -> Self {
        Self {
            state: Arc::new(Mutex::new(State::default())),
            config,
            wake: Wakeup::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the data is still
        // the last consistent state each method left behind.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> i64 {
        self.config.now_ms()
    }

    fn fail(
        &self,
        lease: &Lease,
        status: JobStatus,
        due: Option<i64>,
        failure: &JobFailure,
    ) -> Result<(), QueueError> {
        let now = self.now();
        let mut state = self.state();
        let id = state.held(lease)?;
        if let Some(row) = state.jobs.get_mut(&id) {
            row.last_error = Some((failure.code.clone(), failure.message.clone(), now));
        }
        state.settle(id, status, due, now);
        drop(state);
        self.wake.notify();
        Ok(())
    }
}

#[async_trait]
impl JobQueue for MemoryStore {
    async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError> {
        let now = self.now();
        let done = self.state().enqueue(job, now);
        self.wake.notify();
        Ok(done)
    }

    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        let now = self.now();
        let done: Vec<Enqueued> = {
            let mut state = self.state();
            jobs.into_iter()
                .map(|job| state.enqueue(job, now))
                .collect()
        };
        self.wake.notify();
        Ok(done)
    }

    async fn claim(
        &self,
        scope: &Scope,
        worker: &WorkerId,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, QueueError> {
        let (max, lease_ms) = claim_args(max, lease)?;
        let now = self.now();
        let until = now.saturating_add(lease_ms);
        let token = LeaseToken::generate();
        let mut state = self.state();
        let picked: Vec<JobId> = state
            .due
            .range(..=(now, JobId::from_uuid(uuid::Uuid::max())))
            .map(|(_, id)| *id)
            .filter(|id| {
                state.jobs.get(id).is_some_and(|row| {
                    scope.contains(&row.entity.tenant)
                        && !state.paused.contains_key(&row.entity.tenant)
                        && !state.other_running(&row.entity, row.id)
                })
            })
            .take(max)
            .collect();
        let mut claimed = Vec::with_capacity(picked.len());
        let mut spent_any = false;
        for id in picked {
            let attempts = state.jobs.get(&id).map_or(0, |r| r.attempts);
            if spent(&self.config, attempts.saturating_add(1)) {
                if let Some(row) = state.jobs.get_mut(&id) {
                    row.last_error = Some((None, no_result_message(attempts), now));
                }
                state.settle(id, JobStatus::Error, None, now);
                spent_any = true;
                continue;
            }
            state.set_due(id, Some(until));
            let Some(row) = state.jobs.get_mut(&id) else {
                continue;
            };
            row.status = JobStatus::Running;
            row.waiting = false;
            row.attempts = row.attempts.saturating_add(1);
            row.token = Some(token);
            row.worker = Some(worker.clone());
            row.updated = now;
            claimed.push(ClaimedJob {
                job: row.to_job(),
                lease: Lease {
                    id,
                    entity: row.entity.clone(),
                    token,
                    worker: worker.clone(),
                    attempt: row.attempts,
                    expires_at_ms: until,
                },
            });
        }
        drop(state);
        if spent_any {
            // A newer change of a spent job's entity may now run.
            self.wake.notify();
        }
        Ok(claimed)
    }

    async fn extend_lease(&self, lease: &Lease, by: Duration) -> Result<Lease, QueueError> {
        let now = self.now();
        let until = now.saturating_add(duration_ms(by));
        let mut state = self.state();
        let id = state.held(lease)?;
        state.set_due(id, Some(until));
        if let Some(row) = state.jobs.get_mut(&id) {
            row.updated = now;
        }
        Ok(Lease {
            expires_at_ms: until,
            ..lease.clone()
        })
    }

    async fn ack(&self, lease: &Lease) -> Result<(), QueueError> {
        let next_waits = self.state().ack(lease)?;
        if next_waits {
            self.wake.notify();
        }
        Ok(())
    }

    async fn ack_many(&self, leases: &[Lease]) -> Result<Vec<JobId>, QueueError> {
        let mut lost = Vec::new();
        let mut wake = false;
        {
            let mut state = self.state();
            // A lease listed twice is acked once, and not lost the second time.
            let mut acked: HashSet<(JobId, LeaseToken)> = HashSet::new();
            for lease in leases {
                if acked.contains(&(lease.id, lease.token)) {
                    continue;
                }
                match state.ack(lease) {
                    Ok(next_waits) => {
                        wake |= next_waits;
                        acked.insert((lease.id, lease.token));
                    }
                    Err(_) => lost.push(lease.id),
                }
            }
        }
        if wake {
            self.wake.notify();
        }
        Ok(lost)
    }

    async fn fail_transient(
        &self,
        lease: &Lease,
        failure: &JobFailure,
    ) -> Result<FailOutcome, QueueError> {
        match retry_at(&self.config, lease, failure, self.now()) {
            Some(at) => {
                self.fail(lease, JobStatus::Retry, Some(at), failure)?;
                Ok(FailOutcome::WillRetry { at: from_ms(at) })
            }
            None => {
                self.fail(lease, JobStatus::Error, None, failure)?;
                Ok(FailOutcome::GaveUp)
            }
        }
    }

    async fn fail_permanent(&self, lease: &Lease, failure: &JobFailure) -> Result<(), QueueError> {
        self.fail(lease, JobStatus::Error, None, failure)
    }

    async fn release(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError> {
        let now = self.now();
        let mut state = self.state();
        let id = state.held(lease)?;
        if let Some(row) = state.jobs.get_mut(&id) {
            row.attempts = row.attempts.saturating_sub(1);
        }
        state.settle(
            id,
            JobStatus::Pending,
            Some(now.saturating_add(duration_ms(delay))),
            now,
        );
        drop(state);
        self.wake.notify();
        Ok(())
    }

    fn subscribe(&self) -> WorkSignal {
        self.wake.subscribe(self.config.poll_interval)
    }

    async fn pause_tenant(&self, tenant: &TenantId, reason: &str) -> Result<(), QueueError> {
        let now = self.now();
        self.state()
            .paused
            .insert(tenant.clone(), (reason.to_owned(), now));
        Ok(())
    }

    async fn resume_tenant(&self, tenant: &TenantId) -> Result<bool, QueueError> {
        let was = self.state().paused.remove(tenant).is_some();
        self.wake.notify();
        Ok(was)
    }

    async fn paused_tenants(&self) -> Result<Vec<PausedTenant>, QueueError> {
        Ok(self
            .state()
            .paused
            .iter()
            .map(|(tenant, (reason, since))| PausedTenant {
                tenant: tenant.clone(),
                reason: reason.clone(),
                since: from_ms(*since),
            })
            .collect())
    }

    async fn get_job(&self, scope: &Scope, id: JobId) -> Result<Option<Job>, QueueError> {
        Ok(self.state().in_scope(scope, id).ok().map(Row::to_job))
    }

    async fn list_jobs(
        &self,
        filter: &JobFilter,
        page: &PageRequest,
    ) -> Result<Page<Job>, QueueError> {
        let limit = page.checked_limit()? as usize;
        let needle = filter.error_text.as_ref().map(|t| t.to_lowercase());
        let state = self.state();
        let start = page.after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut items: Vec<Job> = state
            .jobs
            .range((start, Bound::Unbounded))
            .map(|(_, row)| row)
            .filter(|row| {
                filter.scope.contains(&row.entity.tenant)
                    && (filter.statuses.is_empty() || filter.statuses.contains(&row.status))
                    && filter.kind.is_none_or(|k| k == row.entity.kind)
                    && needle.as_ref().is_none_or(|n| {
                        row.last_error
                            .as_ref()
                            .is_some_and(|(_, msg, _)| msg.to_lowercase().contains(n))
                    })
            })
            .take(limit + 1)
            .map(Row::to_job)
            .collect();
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| PageRequest {
                after: Some(last.id),
                limit: page.limit,
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn stats(&self, scope: &Scope) -> Result<QueueStats, QueueError> {
        let state = self.state();
        let mut stats = QueueStats::default();
        for row in state
            .jobs
            .values()
            .filter(|r| scope.contains(&r.entity.tenant))
        {
            *stats
                .counts
                .entry((row.status, row.entity.kind))
                .or_default() += 1;
            if row.status == JobStatus::Pending && row.waiting {
                let created = from_ms(row.created);
                if stats.oldest_pending.is_none_or(|t| created < t) {
                    stats.oldest_pending = Some(created);
                }
            }
        }
        Ok(stats)
    }

    async fn delete_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let mut state = self.state();
        if state.in_scope(scope, id)?.status == JobStatus::Running {
            return Err(QueueError::JobRunning(id));
        }
        state.remove(id);
        Ok(())
    }

    async fn delete_errors(&self, scope: &Scope) -> Result<u64, QueueError> {
        let mut state = self.state();
        let ids: Vec<JobId> = state
            .jobs
            .values()
            .filter(|r| scope.contains(&r.entity.tenant) && r.status == JobStatus::Error)
            .map(|r| r.id)
            .collect();
        for id in &ids {
            state.remove(*id);
        }
        Ok(ids.len() as u64)
    }

    async fn clear_tenant(&self, tenant: &TenantId) -> Result<u64, QueueError> {
        let mut state = self.state();
        let ids: Vec<JobId> = state
            .jobs
            .values()
            .filter(|r| r.entity.tenant == *tenant && r.status != JobStatus::Running)
            .map(|r| r.id)
            .collect();
        for id in &ids {
            state.remove(*id);
        }
        Ok(ids.len() as u64)
    }

    async fn retry_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let now = self.now();
        let mut state = self.state();
        if state.in_scope(scope, id)?.status != JobStatus::Error {
            return Err(QueueError::NotInError(id));
        }
        state.retry_error(id, now);
        drop(state);
        self.wake.notify();
        Ok(())
    }

    async fn retry_errors(&self, scope: &Scope) -> Result<u64, QueueError> {
        let now = self.now();
        let mut state = self.state();
        let ids: Vec<JobId> = state
            .jobs
            .values()
            .filter(|r| scope.contains(&r.entity.tenant) && r.status == JobStatus::Error)
            .map(|r| r.id)
            .collect();
        for id in &ids {
            state.retry_error(*id, now);
        }
        drop(state);
        self.wake.notify();
        Ok(ids.len() as u64)
    }

    async fn run_now(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let now = self.now();
        let mut state = self.state();
        let row = state.in_scope(scope, id)?;
        match (row.status, row.waiting) {
            (JobStatus::Running, _) => return Err(QueueError::JobRunning(id)),
            (JobStatus::Error, _) => state.retry_error(id, now),
            (_, false) => {
                state.remove(id);
            }
            (_, true) => {
                state.set_due(id, Some(now));
                if let Some(row) = state.jobs.get_mut(&id) {
                    row.updated = now;
                }
            }
        }
        drop(state);
        self.wake.notify();
        Ok(())
    }
}

#[async_trait]
impl LinkStore for MemoryStore {
    async fn get_link(&self, entity: &EntityRef) -> Result<Option<Link>, QueueError> {
        Ok(self.state().link(&key_of(entity)))
    }

    async fn find_by_qbo_id(
        &self,
        tenant: &TenantId,
        kind: EntityKind,
        qbo_id: &QboId,
    ) -> Result<Option<Link>, QueueError> {
        let state = self.state();
        Ok(state
            .qbo_index
            .get(&(tenant.clone(), kind, qbo_id.clone()))
            .and_then(|store_id| state.link(&(tenant.clone(), kind, store_id.clone()))))
    }

    async fn record_push(&self, entity: &EntityRef, pushed: &Pushed) -> Result<Link, QueueError> {
        let now = self.now();
        let key = key_of(entity);
        let mut state = self.state();
        state.check_free(&key, &pushed.qbo_id)?;
        let manual = state.links.get(&key).is_some_and(|l| l.manual);
        state.put_link(
            key.clone(),
            LinkRow {
                qbo_id: pushed.qbo_id.clone(),
                sync_token: pushed.sync_token.clone(),
                content_hash: pushed.content_hash.clone(),
                manual,
                updated: now,
            },
        );
        state.link(&key).ok_or(QueueError::CorruptRow {
            column: "link",
            reason: "link vanished while being written".into(),
        })
    }

    async fn link_manually(&self, entity: &EntityRef, qbo_id: &QboId) -> Result<Link, QueueError> {
        let now = self.now();
        let key = key_of(entity);
        let mut state = self.state();
        state.check_free(&key, qbo_id)?;
        state.put_link(
            key.clone(),
            LinkRow {
                qbo_id: qbo_id.clone(),
                sync_token: None,
                content_hash: None,
                manual: true,
                updated: now,
            },
        );
        state.link(&key).ok_or(QueueError::CorruptRow {
            column: "link",
            reason: "link vanished while being written".into(),
        })
    }

    async fn unlink(&self, entity: &EntityRef) -> Result<bool, QueueError> {
        Ok(self.state().remove_link(&key_of(entity)))
    }

    async fn list_links(
        &self,
        tenant: &TenantId,
        kind: Option<EntityKind>,
        after: Option<&LinkCursor>,
        limit: u32,
    ) -> Result<Vec<Link>, QueueError> {
        let state = self.state();
        let start = match after {
            Some(c) => Bound::Excluded((tenant.clone(), c.kind, c.store_id.clone())),
            None => Bound::Unbounded,
        };
        Ok(state
            .links
            .range((start, Bound::Unbounded))
            .map(|(key, _)| key)
            .filter(|key| key.0 == *tenant && kind.is_none_or(|k| k == key.1))
            .take(limit as usize)
            .filter_map(|key| state.link(key))
            .collect())
    }

    async fn import_links(
        &self,
        tenant: &TenantId,
        rows: Vec<LinkImportRow>,
    ) -> Result<u64, QueueError> {
        let now = self.now();
        let mut state = self.state();
        let relinked: HashSet<(EntityKind, &StoreId)> =
            rows.iter().map(|r| (r.kind, &r.store_id)).collect();
        let errors: Vec<LineError> = rows
            .iter()
            .filter_map(|row| {
                let holder =
                    state
                        .qbo_index
                        .get(&(tenant.clone(), row.kind, row.qbo_id.clone()))?;
                (*holder != row.store_id && !relinked.contains(&(row.kind, holder))).then(|| {
                    LineError {
                        line: row.line,
                        problem: LineProblem::ConflictsWithExisting {
                            linked_to: holder.clone(),
                        },
                    }
                })
            })
            .collect();
        if !errors.is_empty() {
            return Err(CsvError::Lines(errors).into());
        }
        for row in &rows {
            state.remove_link(&(tenant.clone(), row.kind, row.store_id.clone()));
        }
        let count = rows.len() as u64;
        for row in rows {
            state.put_link(
                (tenant.clone(), row.kind, row.store_id),
                LinkRow {
                    qbo_id: row.qbo_id,
                    sync_token: row.sync_token,
                    content_hash: row.content_hash,
                    manual: row.manual,
                    updated: now,
                },
            );
        }
        Ok(count)
    }
}

#[async_trait]
impl CursorStore for MemoryStore {
    async fn get_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
    ) -> Result<Option<Cursor>, QueueError> {
        Ok(self
            .state()
            .cursors
            .get(&(tenant.clone(), feed.clone()))
            .map(|(value, at)| Cursor {
                value: value.clone(),
                updated_at: from_ms(*at),
            }))
    }

    async fn set_cursor(
        &self,
        tenant: &TenantId,
        feed: &FeedName,
        value: &str,
    ) -> Result<(), QueueError> {
        let now = self.now();
        self.state()
            .cursors
            .insert((tenant.clone(), feed.clone()), (value.to_owned(), now));
        Ok(())
    }

    async fn delete_cursor(&self, tenant: &TenantId, feed: &FeedName) -> Result<bool, QueueError> {
        Ok(self
            .state()
            .cursors
            .remove(&(tenant.clone(), feed.clone()))
            .is_some())
    }
}

#[async_trait]
impl LeaseStore for MemoryStore {
    async fn try_acquire(
        &self,
        name: &LeaseName,
        holder: &WorkerId,
        ttl: Duration,
    ) -> Result<bool, QueueError> {
        let ttl = ttl_ms(ttl)?;
        let now = self.now();
        let mut state = self.state();
        let free = state
            .leases
            .get(name)
            .is_none_or(|(who, until)| who == holder || *until <= now);
        if free {
            state
                .leases
                .insert(name.clone(), (holder.clone(), now.saturating_add(ttl)));
        }
        Ok(free)
    }

    async fn release_lease(&self, name: &LeaseName, holder: &WorkerId) -> Result<bool, QueueError> {
        let mut state = self.state();
        let mine = state.leases.get(name).is_some_and(|(who, _)| who == holder);
        if mine {
            state.leases.remove(name);
        }
        Ok(mine)
    }
}
