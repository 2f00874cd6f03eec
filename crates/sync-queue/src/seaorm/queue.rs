//! [`JobQueue`] on SeaORM.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::sea_query::{
    Asterisk, Cond, Expr, ExprTrait as _, Func, LikeExpr, Order, Query, SelectStatement,
};
use sea_orm::{AccessMode, ConnectionTrait, IsolationLevel, QueryResult, TransactionTrait, Value};
use uuid::Uuid;

use super::migration::{SyncJob, SyncTenantPause};
use super::rows::{self, get};
use super::statements::{
    ACK_MANY_CHUNK, ClaimStatements, ENQUEUE_MANY_CHUNK, JOB_COLUMNS, ack_many, enqueue_many,
    statements,
};
use super::{SeaOrmStore, retrying};
use crate::clock::{duration_ms, from_ms};
use crate::error::QueueError;
use crate::ids::{JobId, LeaseToken, TenantId, WorkerId};
use crate::job::{
    ClaimedJob, Enqueued, EntityRef, FailOutcome, Job, JobFailure, JobFilter, Lease, NewJob, Page,
    PageRequest, PausedTenant, QueueStats, Scope,
};
use crate::kind::{Action, JobStatus};
use crate::queue::{JobQueue, claim_args, no_result_message, retry_at, spent};
use crate::wake::WorkSignal;

/// `Cond` limiting to `scope`'s tenant.
fn scope_cond(scope: &Scope) -> Cond {
    let mut cond = Cond::all();
    if let Some(tenant) = scope.tenant() {
        cond = cond.add(Expr::col(SyncJob::Tenant).eq(tenant.as_str()));
    }
    cond
}

fn job_select() -> SelectStatement {
    let mut select = Query::select();
    select.from(SyncJob::Table);
    for column in JOB_COLUMNS {
        select.column(sea_orm::sea_query::Alias::new(column));
    }
    select
}

/// Folds changes of one entity into one, as enqueueing them one after another folds them
/// into the entity's waiting job (a delete wins; otherwise the newest change and payload).
/// Returns the distinct changes in first-seen order, and for each input the index of its
/// folded change and whether it was the entity's first.
fn fold(jobs: Vec<NewJob>) -> (Vec<NewJob>, Vec<(usize, bool)>) {
    let mut origin = Vec::with_capacity(jobs.len());
    let mut distinct = 0;
    {
        let mut index: HashMap<&EntityRef, usize> = HashMap::with_capacity(jobs.len());
        for job in &jobs {
            match index.entry(&job.entity) {
                Entry::Occupied(seen) => origin.push((*seen.get(), false)),
                Entry::Vacant(slot) => {
                    slot.insert(distinct);
                    origin.push((distinct, true));
                    distinct += 1;
                }
            }
        }
    }
    if distinct == jobs.len() {
        return (jobs, origin);
    }
    let mut folded: Vec<NewJob> = Vec::with_capacity(distinct);
    for (job, &(k, first)) in jobs.into_iter().zip(&origin) {
        if first {
            folded.push(job);
        } else if let Some(held) = folded.get_mut(k)
            && held.action != Action::Delete
        {
            held.action = job.action;
            held.payload = job.payload;
        }
    }
    (folded, origin)
}

/// `LIKE` pattern for "contains `text`", case-insensitive, with `!` as the escape.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl SeaOrmStore {
    async fn enqueue_on<C: ConnectionTrait>(
        &self,
        conn: &C,
        job: &NewJob,
        now: i64,
    ) -> Result<Enqueued, QueueError> {
        let id = JobId::generate();
        let values: Vec<Value> = vec![
            id.as_uuid().into(),
            job.entity.tenant.as_str().into(),
            job.entity.kind.as_str().into(),
            job.entity.store_id.as_str().into(),
            job.action.as_str().into(),
            job.payload.as_ref().map(|p| p.as_str().to_owned()).into(),
            now.into(),
            now.into(),
            now.into(),
        ];
        let row = conn
            .query_one_raw(self.raw(&statements(self.backend).enqueue, values))
            .await?
            .ok_or_else(|| QueueError::CorruptRow {
                column: "id",
                reason: "enqueue returned no row".into(),
            })?;
        let got: Uuid = get(&row, "id")?;
        Ok(Enqueued {
            id: JobId::from_uuid(got),
            coalesced: got != id.as_uuid(),
        })
    }

    /// Runs one bulk enqueue statement for distinct entities; returns, for each job, the
    /// id of the job that carries it (`ids[i]` when it was inserted).
    async fn enqueue_rows<C: ConnectionTrait>(
        &self,
        conn: &C,
        jobs: &[NewJob],
        ids: &[JobId],
        now: i64,
    ) -> Result<Vec<JobId>, QueueError> {
        let mut values: Vec<Value> = Vec::with_capacity(jobs.len() * 9);
        for (job, id) in jobs.iter().zip(ids) {
            values.extend([
                id.as_uuid().into(),
                job.entity.tenant.as_str().into(),
                job.entity.kind.as_str().into(),
                job.entity.store_id.as_str().into(),
                job.action.as_str().into(),
                job.payload.as_ref().map(|p| p.as_str().to_owned()).into(),
                now.into(),
                now.into(),
                now.into(),
            ]);
        }
        let sql = enqueue_many(self.backend, jobs.len());
        let found = conn.query_all_raw(self.raw(&sql, values)).await?;
        // Inserted rows carry the id they were given; only rows folded into a waiting
        // job are matched by their entity.
        let by_id: HashMap<Uuid, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_uuid(), i))
            .collect();
        let mut carried: Vec<Option<JobId>> = vec![None; jobs.len()];
        let mut by_entity: Option<HashMap<(&str, &str, &str), usize>> = None;
        for row in &found {
            let id: Uuid = get(row, "id")?;
            if let Some(&i) = by_id.get(&id) {
                carried[i] = Some(JobId::from_uuid(id));
                continue;
            }
            let index = by_entity.get_or_insert_with(|| {
                jobs.iter()
                    .enumerate()
                    .map(|(i, job)| {
                        let e = &job.entity;
                        ((e.tenant.as_str(), e.kind.as_str(), e.store_id.as_str()), i)
                    })
                    .collect()
            });
            let (tenant, kind, store_id): (String, String, String) = (
                get(row, "tenant")?,
                get(row, "kind")?,
                get(row, "store_id")?,
            );
            if let Some(&i) = index.get(&(tenant.as_str(), kind.as_str(), store_id.as_str())) {
                carried[i] = Some(JobId::from_uuid(id));
            }
        }
        jobs.iter()
            .zip(carried)
            .map(|(job, id)| {
                id.ok_or_else(|| QueueError::CorruptRow {
                    column: "id",
                    reason: format!("enqueue returned no row for {}", job.entity),
                })
            })
            .collect()
    }

    /// Runs the claim statement(s); returns the claimed rows as stored after the claim.
    async fn claim_rows(
        &self,
        scope: &Scope,
        max: usize,
        until: i64,
        token: LeaseToken,
        worker: &WorkerId,
        now: i64,
    ) -> Result<Vec<Job>, QueueError> {
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let mut head: Vec<Value> = vec![now.into()];
        if let Some(tenant) = scope.tenant() {
            head.push(tenant.as_str().into());
        }
        head.push(limit.into());
        let set: [Value; 4] = [
            until.into(),
            token.as_uuid().into(),
            worker.as_str().into(),
            now.into(),
        ];
        match &statements(self.backend).claim {
            ClaimStatements::Single { all, tenant } => {
                let sql = if scope.tenant().is_some() {
                    tenant
                } else {
                    all
                };
                head.extend(set);
                let found = self.db.query_all_raw(self.raw(sql, head)).await?;
                found.iter().map(rows::job).collect()
            }
            ClaimStatements::SelectThenUpdate {
                select_all,
                select_tenant,
                update_prefix,
            } => {
                let select = if scope.tenant().is_some() {
                    select_tenant
                } else {
                    select_all
                };
                let txn = self
                    .db
                    .begin_with_config(
                        Some(IsolationLevel::ReadCommitted),
                        Some(AccessMode::ReadWrite),
                    )
                    .await?;
                let found: Vec<QueryResult> = txn.query_all_raw(self.raw(select, head)).await?;
                if found.is_empty() {
                    txn.commit().await?;
                    return Ok(Vec::new());
                }
                let mut jobs = found.iter().map(rows::job).collect::<Result<Vec<_>, _>>()?;
                let mut sql = update_prefix.clone();
                let mut values: Vec<Value> = set.to_vec();
                for (i, job) in jobs.iter().enumerate() {
                    sql.push_str(if i == 0 { "?" } else { ", ?" });
                    values.push(job.id.as_uuid().into());
                }
                sql.push(')');
                txn.execute_raw(self.raw(&sql, values)).await?;
                txn.commit().await?;
                for job in &mut jobs {
                    job.status = JobStatus::Running;
                    job.attempts = job.attempts.saturating_add(1);
                    job.run_after = None;
                    job.superseded = false;
                    job.lease = Some(crate::job::LeaseInfo {
                        worker: worker.clone(),
                        expires_at: from_ms(until),
                    });
                    job.updated_at = from_ms(now);
                }
                Ok(jobs)
            }
        }
    }

    /// Puts jobs the claim just took under `token` beyond their attempt limit in error.
    async fn spend(&self, jobs: &[Job], token: LeaseToken) -> Result<(), QueueError> {
        let sql = &statements(self.backend).spend;
        for job in jobs {
            let leases = job.attempts.saturating_sub(1);
            let message = no_result_message(leases);
            let message = &message;
            retrying(true, move || async move {
                let now = self.now();
                let values: Vec<Value> = vec![
                    message.as_str().into(),
                    now.into(),
                    now.into(),
                    job.id.as_uuid().into(),
                    token.as_uuid().into(),
                ];
                self.db.execute_raw(self.raw(sql, values)).await?;
                Ok(())
            })
            .await?;
            tracing::warn!(job = %job.id, entity = %job.entity, leases, "job in error: no result after its last lease");
        }
        // A newer change of the entity may now run.
        self.wake.notify();
        Ok(())
    }

    /// Runs the fail statement; [`QueueError::LeaseLost`] when the lease was lost.
    async fn settle(
        &self,
        lease: &Lease,
        status: JobStatus,
        due: Option<i64>,
        failure: &JobFailure,
    ) -> Result<(), QueueError> {
        let sql = &statements(self.backend).fail;
        let affected = retrying(true, move || async move {
            let now = self.now();
            let values: Vec<Value> = vec![
                status.as_str().into(),
                due.into(),
                failure.code.clone().into(),
                failure.message.as_str().into(),
                now.into(),
                now.into(),
                lease.id.as_uuid().into(),
                lease.token.as_uuid().into(),
            ];
            Ok(self
                .db
                .execute_raw(self.raw(sql, values))
                .await?
                .rows_affected())
        })
        .await?;
        if affected == 0 {
            return Err(QueueError::LeaseLost(lease.id));
        }
        self.wake.notify();
        Ok(())
    }

    async fn state_where(&self, cond: Cond) -> Result<Option<(JobStatus, bool)>, QueueError> {
        let mut select = Query::select();
        select
            .from(SyncJob::Table)
            .column(SyncJob::Status)
            .column(SyncJob::Waiting)
            .cond_where(cond);
        match self.db.query_one(&select).await? {
            None => Ok(None),
            Some(row) => {
                let status: JobStatus = rows::parsed(&row, "status", |s| s.parse())?;
                let waiting: Option<i16> = get(&row, "waiting")?;
                Ok(Some((status, waiting.is_some())))
            }
        }
    }

    /// Status and slot of job `id` in `scope`, or `JobNotFound`.
    async fn job_state(&self, scope: &Scope, id: JobId) -> Result<(JobStatus, bool), QueueError> {
        self.state_where(scope_cond(scope).add(Expr::col(SyncJob::Id).eq(id.as_uuid())))
            .await?
            .ok_or(QueueError::JobNotFound(id))
    }

    /// Sends error jobs matching `cond` back to pending (superseded ones are deleted);
    /// returns how many were handled.
    async fn retry_errors_where(&self, cond: Cond) -> Result<u64, QueueError> {
        let now = self.now();
        let txn = self.db.begin().await?;
        let mut revive = Query::update();
        revive
            .table(SyncJob::Table)
            .value(SyncJob::Status, JobStatus::Pending.as_str())
            .value(SyncJob::Attempts, 0)
            .value(SyncJob::DueAt, now)
            .value(SyncJob::UpdatedAt, now)
            .cond_where(
                cond.clone()
                    .add(Expr::col(SyncJob::Status).eq(JobStatus::Error.as_str()))
                    .add(Expr::col(SyncJob::Waiting).eq(1)),
            );
        let revived = txn.execute(&revive).await?.rows_affected();
        let mut drop = Query::delete();
        drop.from_table(SyncJob::Table).cond_where(
            cond.add(Expr::col(SyncJob::Status).eq(JobStatus::Error.as_str()))
                .add(Expr::col(SyncJob::Waiting).is_null()),
        );
        let dropped = txn.execute(&drop).await?.rows_affected();
        txn.commit().await?;
        if revived > 0 {
            self.wake.notify();
        }
        Ok(revived + dropped)
    }
}

#[async_trait]
impl JobQueue for SeaOrmStore {
    async fn enqueue(&self, job: NewJob) -> Result<Enqueued, QueueError> {
        let done = retrying(false, || self.enqueue_on(&self.db, &job, self.now())).await?;
        self.wake.notify();
        Ok(done)
    }

    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>, QueueError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let (folded, origin) = fold(jobs);
        let ids: Vec<JobId> = folded.iter().map(|_| JobId::generate()).collect();
        let (folded, ids) = (&folded, &ids);
        let carried = retrying(false, move || async move {
            let now = self.now();
            if folded.len() <= ENQUEUE_MANY_CHUNK {
                return self.enqueue_rows(&self.db, folded, ids, now).await;
            }
            let txn = self.db.begin().await?;
            let mut carried = Vec::with_capacity(folded.len());
            for (jobs, ids) in folded
                .chunks(ENQUEUE_MANY_CHUNK)
                .zip(ids.chunks(ENQUEUE_MANY_CHUNK))
            {
                carried.extend(self.enqueue_rows(&txn, jobs, ids, now).await?);
            }
            txn.commit().await?;
            Ok(carried)
        })
        .await?;
        self.wake.notify();
        Ok(origin
            .into_iter()
            .map(|(k, first)| Enqueued {
                id: carried[k],
                coalesced: !first || carried[k] != ids[k],
            })
            .collect())
    }

    async fn claim(
        &self,
        scope: &Scope,
        worker: &WorkerId,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, QueueError> {
        let (max, lease_ms) = claim_args(max, lease)?;
        if max == 0 {
            return Ok(Vec::new());
        }
        let token = LeaseToken::generate();
        let (jobs, until) = retrying(false, move || async move {
            let now = self.now();
            let until = now.saturating_add(lease_ms);
            let jobs = self
                .claim_rows(scope, max, until, token, worker, now)
                .await?;
            Ok((jobs, until))
        })
        .await?;
        let (jobs, spent): (Vec<Job>, Vec<Job>) = jobs
            .into_iter()
            .partition(|job| !spent(&self.config, job.attempts));
        if !spent.is_empty() {
            self.spend(&spent, token).await?;
        }
        if !jobs.is_empty() {
            tracing::debug!(worker = %worker, claimed = jobs.len(), "claimed jobs");
        }
        Ok(jobs
            .into_iter()
            .map(|job| ClaimedJob {
                lease: Lease {
                    id: job.id,
                    entity: job.entity.clone(),
                    token,
                    worker: worker.clone(),
                    attempt: job.attempts,
                    expires_at_ms: until,
                },
                job,
            })
            .collect())
    }

    async fn extend_lease(&self, lease: &Lease, by: Duration) -> Result<Lease, QueueError> {
        let sql = &statements(self.backend).extend;
        let (affected, until) = retrying(false, move || async move {
            let now = self.now();
            let until = now.saturating_add(duration_ms(by));
            let values: Vec<Value> = vec![
                until.into(),
                now.into(),
                lease.id.as_uuid().into(),
                lease.token.as_uuid().into(),
            ];
            let affected = self
                .db
                .execute_raw(self.raw(sql, values))
                .await?
                .rows_affected();
            Ok((affected, until))
        })
        .await?;
        if affected == 0 {
            return Err(QueueError::LeaseLost(lease.id));
        }
        Ok(Lease {
            expires_at_ms: until,
            ..lease.clone()
        })
    }

    async fn ack(&self, lease: &Lease) -> Result<(), QueueError> {
        let sql = &statements(self.backend).ack;
        let deleted = retrying(false, move || async move {
            let values: Vec<Value> = vec![
                lease.entity.tenant.as_str().into(),
                lease.entity.kind.as_str().into(),
                lease.entity.store_id.as_str().into(),
                lease.id.as_uuid().into(),
                lease.token.as_uuid().into(),
            ];
            Ok(self.db.query_all_raw(self.raw(sql, values)).await?)
        })
        .await?;
        let mut held = false;
        let mut wake = false;
        for row in &deleted {
            let id: Uuid = get(row, "id")?;
            let token: Option<Uuid> = get(row, "lease_token")?;
            if id == lease.id.as_uuid() && token == Some(lease.token.as_uuid()) {
                held = true;
                wake = rows::flag(row, "next_waits")?;
            }
        }
        if wake {
            self.wake.notify();
        }
        if held {
            Ok(())
        } else {
            Err(QueueError::LeaseLost(lease.id))
        }
    }

    async fn ack_many(&self, leases: &[Lease]) -> Result<Vec<JobId>, QueueError> {
        let mut lost = Vec::new();
        let mut wake = false;
        for chunk in leases.chunks(ACK_MANY_CHUNK) {
            let mut entities: Vec<&EntityRef> = chunk.iter().map(|l| &l.entity).collect();
            entities.sort_unstable();
            entities.dedup();
            let sql = ack_many(self.backend, chunk.len(), entities.len());
            let sql = &sql;
            let entities = &entities;
            let deleted = retrying(false, move || async move {
                let mut values: Vec<Value> =
                    Vec::with_capacity(2 * chunk.len() + 3 * entities.len());
                for lease in chunk {
                    values.push(lease.id.as_uuid().into());
                    values.push(lease.token.as_uuid().into());
                }
                for entity in entities {
                    values.push(entity.tenant.as_str().into());
                    values.push(entity.kind.as_str().into());
                    values.push(entity.store_id.as_str().into());
                }
                Ok(self.db.query_all_raw(self.raw(sql, values)).await?)
            })
            .await?;
            let mut acked: HashSet<(Uuid, Uuid)> = HashSet::with_capacity(deleted.len());
            for row in &deleted {
                let id: Uuid = get(row, "id")?;
                let Some(token) = get::<Option<Uuid>>(row, "lease_token")? else {
                    continue;
                };
                acked.insert((id, token));
                wake |= rows::flag(row, "next_waits")?;
            }
            lost.extend(
                chunk
                    .iter()
                    .filter(|l| !acked.contains(&(l.id.as_uuid(), l.token.as_uuid())))
                    .map(|l| l.id),
            );
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
                self.settle(lease, JobStatus::Retry, Some(at), failure)
                    .await?;
                Ok(FailOutcome::WillRetry { at: from_ms(at) })
            }
            None => {
                self.settle(lease, JobStatus::Error, None, failure).await?;
                Ok(FailOutcome::GaveUp)
            }
        }
    }

    async fn fail_permanent(&self, lease: &Lease, failure: &JobFailure) -> Result<(), QueueError> {
        self.settle(lease, JobStatus::Error, None, failure).await
    }

    async fn release(&self, lease: &Lease, delay: Duration) -> Result<(), QueueError> {
        let sql = &statements(self.backend).release;
        let affected = retrying(true, move || async move {
            let now = self.now();
            let values: Vec<Value> = vec![
                now.saturating_add(duration_ms(delay)).into(),
                now.into(),
                lease.id.as_uuid().into(),
                lease.token.as_uuid().into(),
            ];
            Ok(self
                .db
                .execute_raw(self.raw(sql, values))
                .await?
                .rows_affected())
        })
        .await?;
        if affected == 0 {
            return Err(QueueError::LeaseLost(lease.id));
        }
        self.wake.notify();
        Ok(())
    }

    fn subscribe(&self) -> WorkSignal {
        self.wake.subscribe(self.config.poll_interval)
    }

    async fn pause_tenant(&self, tenant: &TenantId, reason: &str) -> Result<(), QueueError> {
        let now = self.now();
        let mut insert = Query::insert();
        insert
            .into_table(SyncTenantPause::Table)
            .columns([
                SyncTenantPause::Tenant,
                SyncTenantPause::Reason,
                SyncTenantPause::PausedAt,
            ])
            .values([tenant.as_str().into(), reason.into(), now.into()])
            .map_err(|e| QueueError::Database(sea_orm::DbErr::Custom(e.to_string())))?
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(SyncTenantPause::Tenant)
                    .update_columns([SyncTenantPause::Reason, SyncTenantPause::PausedAt])
                    .to_owned(),
            );
        self.db.execute(&insert).await?;
        tracing::info!(tenant = %tenant, reason, "tenant paused");
        Ok(())
    }

    async fn resume_tenant(&self, tenant: &TenantId) -> Result<bool, QueueError> {
        let mut delete = Query::delete();
        delete
            .from_table(SyncTenantPause::Table)
            .and_where(Expr::col(SyncTenantPause::Tenant).eq(tenant.as_str()));
        let was = self.db.execute(&delete).await?.rows_affected() > 0;
        if was {
            tracing::info!(tenant = %tenant, "tenant resumed");
            self.wake.notify();
        }
        Ok(was)
    }

    async fn paused_tenants(&self) -> Result<Vec<PausedTenant>, QueueError> {
        let mut select = Query::select();
        select
            .from(SyncTenantPause::Table)
            .columns([
                SyncTenantPause::Tenant,
                SyncTenantPause::Reason,
                SyncTenantPause::PausedAt,
            ])
            .order_by(SyncTenantPause::Tenant, Order::Asc);
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| {
                Ok(PausedTenant {
                    tenant: rows::parsed(row, "tenant", TenantId::new)?,
                    reason: get(row, "reason")?,
                    since: from_ms(get(row, "paused_at")?),
                })
            })
            .collect()
    }

    async fn get_job(&self, scope: &Scope, id: JobId) -> Result<Option<Job>, QueueError> {
        let mut select = job_select();
        select.cond_where(scope_cond(scope).add(Expr::col(SyncJob::Id).eq(id.as_uuid())));
        self.db
            .query_one(&select)
            .await?
            .as_ref()
            .map(rows::job)
            .transpose()
    }

    async fn list_jobs(
        &self,
        filter: &JobFilter,
        page: &PageRequest,
    ) -> Result<Page<Job>, QueueError> {
        let limit = page.checked_limit()?;
        let mut cond = scope_cond(&filter.scope);
        if !filter.statuses.is_empty() {
            cond = cond
                .add(Expr::col(SyncJob::Status).is_in(filter.statuses.iter().map(|s| s.as_str())));
        }
        if let Some(kind) = filter.kind {
            cond = cond.add(Expr::col(SyncJob::Kind).eq(kind.as_str()));
        }
        if let Some(text) = &filter.error_text {
            cond = cond.add(
                Expr::expr(Func::lower(Expr::col(SyncJob::LastErrorMessage)))
                    .like(LikeExpr::new(contains_pattern(text)).escape('!')),
            );
        }
        if let Some(after) = page.after {
            cond = cond.add(Expr::col(SyncJob::Id).gt(after.as_uuid()));
        }
        let mut select = job_select();
        select
            .cond_where(cond)
            .order_by(SyncJob::Id, Order::Asc)
            .limit(u64::from(limit) + 1);
        let mut items = self
            .db
            .query_all(&select)
            .await?
            .iter()
            .map(rows::job)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
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
        let mut counts = Query::select();
        counts
            .from(SyncJob::Table)
            .column(SyncJob::Status)
            .column(SyncJob::Kind)
            .expr_as(Func::count(Expr::col(Asterisk)), "n")
            .cond_where(scope_cond(scope))
            .group_by_col(SyncJob::Status)
            .group_by_col(SyncJob::Kind);
        let mut stats = QueueStats::default();
        for row in self.db.query_all(&counts).await? {
            let status: JobStatus = rows::parsed(&row, "status", |s| s.parse())?;
            let kind = rows::parsed(&row, "kind", |s| s.parse())?;
            let n: i64 = get(&row, "n")?;
            stats
                .counts
                .insert((status, kind), u64::try_from(n).unwrap_or_default());
        }
        let mut oldest = Query::select();
        oldest
            .from(SyncJob::Table)
            .expr_as(Func::min(Expr::col(SyncJob::CreatedAt)), "oldest")
            .cond_where(
                scope_cond(scope)
                    .add(Expr::col(SyncJob::Status).eq(JobStatus::Pending.as_str()))
                    .add(Expr::col(SyncJob::Waiting).eq(1)),
            );
        if let Some(row) = self.db.query_one(&oldest).await? {
            let at: Option<i64> = get(&row, "oldest")?;
            stats.oldest_pending = at.map(from_ms);
        }
        Ok(stats)
    }

    async fn delete_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let mut delete = Query::delete();
        delete.from_table(SyncJob::Table).cond_where(
            scope_cond(scope)
                .add(Expr::col(SyncJob::Id).eq(id.as_uuid()))
                .add(Expr::col(SyncJob::Status).ne(JobStatus::Running.as_str())),
        );
        if self.db.execute(&delete).await?.rows_affected() > 0 {
            return Ok(());
        }
        // Nothing deleted: say why.
        self.job_state(scope, id).await?;
        Err(QueueError::JobRunning(id))
    }

    async fn delete_errors(&self, scope: &Scope) -> Result<u64, QueueError> {
        let mut delete = Query::delete();
        delete.from_table(SyncJob::Table).cond_where(
            scope_cond(scope).add(Expr::col(SyncJob::Status).eq(JobStatus::Error.as_str())),
        );
        Ok(self.db.execute(&delete).await?.rows_affected())
    }

    async fn clear_tenant(&self, tenant: &TenantId) -> Result<u64, QueueError> {
        let mut delete = Query::delete();
        delete.from_table(SyncJob::Table).cond_where(
            Cond::all()
                .add(Expr::col(SyncJob::Tenant).eq(tenant.as_str()))
                .add(Expr::col(SyncJob::Status).ne(JobStatus::Running.as_str())),
        );
        let cleared = self.db.execute(&delete).await?.rows_affected();
        tracing::info!(tenant = %tenant, cleared, "tenant queue cleared");
        Ok(cleared)
    }

    async fn retry_job(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let handled = self
            .retry_errors_where(scope_cond(scope).add(Expr::col(SyncJob::Id).eq(id.as_uuid())))
            .await?;
        if handled > 0 {
            return Ok(());
        }
        self.job_state(scope, id).await?;
        Err(QueueError::NotInError(id))
    }

    async fn retry_errors(&self, scope: &Scope) -> Result<u64, QueueError> {
        self.retry_errors_where(scope_cond(scope)).await
    }

    async fn run_now(&self, scope: &Scope, id: JobId) -> Result<(), QueueError> {
        let now = self.now();
        let this = || scope_cond(scope).add(Expr::col(SyncJob::Id).eq(id.as_uuid()));
        let mut due = Query::update();
        due.table(SyncJob::Table)
            .value(SyncJob::DueAt, now)
            .value(SyncJob::UpdatedAt, now)
            .cond_where(
                this()
                    .add(
                        Expr::col(SyncJob::Status)
                            .is_in([JobStatus::Pending.as_str(), JobStatus::Retry.as_str()]),
                    )
                    .add(Expr::col(SyncJob::Waiting).eq(1)),
            );
        if self.db.execute(&due).await?.rows_affected() > 0 {
            self.wake.notify();
            return Ok(());
        }
        match self.job_state(scope, id).await? {
            (JobStatus::Running, _) => Err(QueueError::JobRunning(id)),
            (JobStatus::Error, _) => self.retry_job(scope, id).await,
            (_, false) => {
                // Superseded: the entity's newer job carries the change.
                let mut delete = Query::delete();
                delete.from_table(SyncJob::Table).cond_where(
                    this()
                        .add(Expr::col(SyncJob::Waiting).is_null())
                        .add(Expr::col(SyncJob::Status).ne(JobStatus::Running.as_str())),
                );
                self.db.execute(&delete).await?;
                Ok(())
            }
            // Became waiting between the two statements: make it due again.
            (_, true) => Box::pin(self.run_now(scope, id)).await,
        }
    }
}
