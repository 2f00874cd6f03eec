//! The engine: one tenant's jobs from the queue to QBO.
//!
//! For each job: load the store entity (the store, or the job's snapshot); link its
//! dependencies first (parents first; an order brings its customer, categories and
//! products); map it; skip it when the content hash is unchanged; write it (create,
//! sparse update, deactivate, void, delete) with a `requestid` fixed per job and write;
//! record the link, SyncToken and hash. Errors come back as [`EngineError`]s whose
//! [`disposition`](EngineError::disposition) says how the job ends.
//!
//! Recovery, in one place each: a stale SyncToken (5010) re-reads and retries once; a
//! duplicate name (6240) links the existing entity when it is the same (e-mail, SKU) or
//! renames by setting, at most [`MAX_RENAMES`] times; an inactive item in an order (610)
//! is reactivated for the write by setting; QBO's shipping line refused (2500) fails with
//! the setting to change. Exactly once: see [`crate::notes`].

mod locks;
mod push;
mod writer;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use mapping::config::{ClashPolicy, OrderDocumentKind, ProductIdentity};
use mapping::model as m;
use mapping::{
    ContentHash, DeleteOperation, Links, MappingConfig, OrderDocument, StoreRef, Transform,
};
use qbo_api::{
    Customer, Entity, EntityId, Invoice, Item, NameList, Payment, QboClient, QboError, RequestId,
    SalesReceipt, SyncToken,
};
use sha2::{Digest, Sha256};
use sync_queue::{
    Action, ClaimedJob, EntityKind, EntityRef, LeaseName, LeaseStore, LinkStore,
    Pushed as LinkPushed, QboId, StoreId, SyncStore, TenantId, WorkerId,
};

use crate::config::{InactiveItems, OnCancel, SyncConfig};
use crate::error::EngineError;
use crate::notes::{CreateIntent, LookupKey, NoteStore};
use crate::source::{Snapshot, SourceError, StoreEntity, StoreSource};

use locks::KeyedLocks;
use push::{Named, Pushable, find, marker};
use writer::Writer;
pub use writer::{LINGER, WriterStats};

/// How a push maps its entity from the links it has: the QBO entity and its content hash.
type MapFn<'a, E> = dyn Fn(&Links) -> Result<(E, ContentHash), EngineError> + Sync + 'a;

/// How long a name stays reserved for one order's reactivation (released at once after).
const REACTIVATION_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// Renames tried after duplicate names before the job fails.
pub const MAX_RENAMES: u32 = 3;

/// Deepest chain of dependencies followed (categories nest).
const MAX_DEPTH: u32 = 16;

/// An entity found in QBO counts as the lost create of an intent when QBO created it no
/// earlier than this before the intent (clocks differ).
const INTENT_CLOCK_SLACK: TimeDelta = TimeDelta::minutes(10);

/// What a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The entity was created in QBO.
    Created(String),
    /// The entity was updated in QBO.
    Updated(String),
    /// The entity is unchanged since its last push: no QBO call.
    Unchanged(String),
    /// Made inactive, voided or deleted in QBO.
    Removed(String),
    /// Nothing to do, and why.
    Skipped(String),
}

impl Outcome {
    /// The QBO id, when the job wrote or kept one.
    pub fn qbo_id(&self) -> Option<&str> {
        match self {
            Self::Created(id) | Self::Updated(id) | Self::Unchanged(id) | Self::Removed(id) => {
                Some(id)
            }
            Self::Skipped(_) => None,
        }
    }

    /// A word for logs and summaries.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Created(_) => "created",
            Self::Updated(_) => "updated",
            Self::Unchanged(_) => "unchanged",
            Self::Removed(_) => "removed",
            Self::Skipped(_) => "skipped",
        }
    }
}

/// What restoring a noted reactivation came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restore {
    /// Another holds the name's lease (an order's write is in its window).
    Busy,
    /// Nothing was noted any more.
    Nothing,
    /// The name is inactive again and the note gone.
    Done,
}

/// A tenant's settings that the engine applies.
#[derive(Debug, Clone)]
pub struct TenantRules {
    /// The mapping.
    pub mapping: MappingConfig,
    /// Triggers, cancellations, inactive items.
    pub sync: SyncConfig,
}

/// One tenant's engine. Cheap to share (`Arc`); every method takes `&self`.
pub struct Engine {
    tenant: TenantId,
    rules: TenantRules,
    qbo: QboClient,
    links: Arc<dyn LinkStore>,
    leases: Arc<dyn LeaseStore>,
    notes: Arc<dyn NoteStore>,
    source: Arc<dyn StoreSource>,
    locks: KeyedLocks,
    writer: Writer,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("tenant", &self.tenant)
            .field("realm", self.qbo.realm())
            .finish_non_exhaustive()
    }
}

/// What one job carries through its writes.
struct Ctx {
    /// The job's write key (its id): every `requestid` of the job derives from it.
    key: String,
    /// Entities the job's snapshot brought along, by (kind, store id).
    related: HashMap<(EntityKind, String), StoreEntity>,
    /// Bumped when the job writes the same thing again after changing something else
    /// (an item reactivated): QBO would replay the first answer to the same `requestid`.
    round: std::sync::atomic::AtomicU32,
}

impl Ctx {
    fn new(key: String) -> Self {
        Self {
            key,
            related: HashMap::new(),
            round: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// The `requestid` of one logical write: the same for the same body written the same
    /// way in this job (so a retry is never applied twice), another for any other body
    /// (QBO answers 600 to a `requestid` reused for another request).
    fn request_id<B: serde::Serialize>(
        &self,
        target: &StoreRef,
        op: &str,
        body: Option<&B>,
    ) -> RequestId {
        let digest = body
            .and_then(|b| serde_json::to_vec(b).ok())
            .map(|bytes| {
                Sha256::digest(&bytes)[..8]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            })
            .unwrap_or_default();
        request_id(
            &self.key,
            &format!(
                "{target}|{op}|{digest}|{}",
                self.round.load(std::sync::atomic::Ordering::Relaxed)
            ),
        )
    }
}

/// A `requestid` for one logical write: the job key and 12 hex digits of the write's
/// hash (at most 50 characters, as QBO allows). The key's attempt (after its `.`) goes
/// into the hash.
fn request_id(job_key: &str, write: &str) -> RequestId {
    let (job_key, attempt) = job_key.split_once('.').unwrap_or((job_key, ""));
    let digest = Sha256::digest(format!("{attempt}|{write}").as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let base: String = job_key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(36)
        .collect();
    RequestId::new(format!("{base}-{hex}")).unwrap_or_else(|_| RequestId::generate())
}

fn entity_ref(tenant: &TenantId, target: &StoreRef) -> Result<EntityRef, EngineError> {
    let r = target.entity_ref();
    let kind = match r.kind {
        mapping::ids::EntityKind::Customer => EntityKind::Customer,
        mapping::ids::EntityKind::Category => EntityKind::Category,
        mapping::ids::EntityKind::Product => EntityKind::Product,
        mapping::ids::EntityKind::Order => EntityKind::Order,
        mapping::ids::EntityKind::Payment => EntityKind::Payment,
    };
    let id =
        StoreId::new(r.id).map_err(|e| EngineError::refused(None, format!("{target}: {e}")))?;
    Ok(EntityRef::new(tenant.clone(), kind, id))
}

/// The `mapping` reference of a queued entity.
pub fn store_ref(kind: EntityKind, id: &str) -> StoreRef {
    use mapping::GuestKey;
    use mapping::ids::{CategoryId, CustomerId, OrderId, ProductId};
    match kind {
        EntityKind::Customer => match id.strip_prefix("guest:") {
            Some("shared") => StoreRef::Guest(GuestKey::Shared),
            Some(email) => StoreRef::Guest(GuestKey::Email(email.to_owned())),
            None => StoreRef::Customer(CustomerId::new(id)),
        },
        EntityKind::Category => StoreRef::Category(CategoryId::new(id)),
        EntityKind::Product => StoreRef::Product(ProductId::new(id)),
        EntityKind::Order => StoreRef::Order(OrderId::new(id)),
        EntityKind::Payment => StoreRef::Payment(OrderId::new(id)),
    }
}

fn to_mapping_link(link: &sync_queue::Link) -> mapping::Link {
    mapping::Link::new(
        EntityId::new(link.qbo_id.as_str()),
        link.sync_token.as_ref().map(|t| SyncToken::new(t.as_str())),
    )
}

fn hash_text(hash: &ContentHash) -> String {
    hash.to_string()
}

impl Engine {
    /// An engine for `tenant`: its QBO client, where links, leases (across processes)
    /// and notes are kept, and where store entities are read.
    pub fn new(
        tenant: TenantId,
        rules: TenantRules,
        qbo: QboClient,
        store: Arc<dyn SyncStore>,
        notes: Arc<dyn NoteStore>,
        source: Arc<dyn StoreSource>,
    ) -> Self {
        let links: Arc<dyn LinkStore> = store.clone();
        let leases: Arc<dyn LeaseStore> = store;
        Self {
            tenant,
            rules,
            qbo: qbo.clone(),
            links,
            leases,
            notes,
            source,
            locks: KeyedLocks::default(),
            writer: Writer::new(qbo, true),
        }
    }

    /// Whether creates and updates may share QBO batch requests (on by default; see
    /// [`WriterStats`]). Off, every write is a single call.
    #[must_use]
    pub fn batching(mut self, on: bool) -> Self {
        self.writer = Writer::new(self.qbo.clone(), on);
        self
    }

    /// How the engine's creates and updates went to QBO so far.
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }

    /// Makes inactive again every QBO name that an order's write made active in a process
    /// that died before making it inactive (its note is there and no one holds its lease).
    /// `serve` runs this every minute and `export` before it starts. Returns how many
    /// names were made inactive again.
    ///
    /// # Errors
    /// The first failure; names not reached stay noted for the next run.
    pub async fn finish_reactivations(&self) -> Result<usize, EngineError> {
        let mut done = 0;
        for (eref, _) in self.notes.reactivated(&self.tenant).await? {
            let _guard = self.locks.lock(lock_key(&eref)).await;
            if self.restore_locked(&eref).await? == Restore::Done {
                done += 1;
            }
        }
        Ok(done)
    }

    /// The name's state before a noted reactivation, with its in-process lock held: under
    /// its lease, the note read again, the name inactive again and the note gone.
    async fn restore_locked(&self, eref: &EntityRef) -> Result<Restore, EngineError> {
        let name = LeaseName::new(format!("name:{}", lock_key(eref)))?;
        let holder = WorkerId::new(format!("restore-{}", uuid::Uuid::new_v4().simple()))?;
        if !self
            .leases
            .try_acquire(&name, &holder, REACTIVATION_LEASE)
            .await?
        {
            return Ok(Restore::Busy);
        }
        let result = async {
            // Read under the lease: the process that noted it may have finished meanwhile.
            let Some(r) = self.notes.get(eref).await?.reactivated else {
                return Ok(Restore::Nothing);
            };
            let target = store_ref(eref.kind, eref.store_id.as_str());
            let id = EntityId::new(r.qbo_id.as_str());
            let key = format!("restore{}", holder.as_str());
            let rid = request_id(&key, "deactivate");
            let token = match r.entity.as_str() {
                Customer::NAME => self.deactivate_name::<Customer>(&id, |_| rid).await?,
                Item::NAME => self.deactivate_name::<Item>(&id, |_| rid).await?,
                other => {
                    return Err(EngineError::Unexpected(format!(
                        "a reactivation of a {other} is noted; only customers and items are"
                    )));
                }
            };
            if let Some(token) = token {
                tracing::info!(%target, qbo_id = r.qbo_id, "made inactive again after an order's write that did not finish");
                self.keep_token(&target, &id, token.as_ref()).await?;
            }
            self.notes.set_reactivated(eref, None).await?;
            Ok(Restore::Done)
        }
        .await;
        if let Err(e) = self.leases.release_lease(&name, &holder).await {
            tracing::warn!(error = %e, "could not give a name lease back; it runs out by itself");
        }
        result
    }

    /// Makes a customer or item inactive unless it is already, reading it first for its
    /// current SyncToken; `rid` gives the `requestid` from the deactivation's body. The
    /// new SyncToken when it was made inactive, `None` when it already was.
    async fn deactivate_name<E: Named>(
        &self,
        id: &EntityId,
        rid: impl FnOnce(&E) -> RequestId,
    ) -> Result<Option<Option<SyncToken>>, EngineError> {
        let current: E = self.qbo.read(id).await?;
        if current.is_inactive() {
            return Ok(None);
        }
        let request_id = rid(&current.deactivation());
        let done = self
            .qbo
            .deactivate(&current)
            .request_id(request_id)
            .send()
            .await?;
        Ok(Some(done.sync_token().cloned()))
    }

    /// Makes a name active for an order's write.
    async fn activate_name<E: Named>(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        op: &str,
        name: &E,
    ) -> Result<(), EngineError> {
        let up = name.activation();
        let rid = ctx.request_id(target, op, Some(&up));
        self.qbo.update(&up).request_id(rid).send().await?;
        Ok(())
    }

    /// The tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The QBO client.
    pub fn qbo(&self) -> &QboClient {
        &self.qbo
    }

    /// Runs one claimed job to its outcome (the caller acks or fails it).
    ///
    /// # Errors
    /// An [`EngineError`]; its [`disposition`](EngineError::disposition) says whether to
    /// retry, fail or pause the tenant.
    pub async fn run(&self, claimed: &ClaimedJob) -> Result<Outcome, EngineError> {
        let job = &claimed.job;
        // Each attempt writes under its own request ids: QBO answers a request id it has
        // seen with its first answer, a refusal included, and what was refused (an
        // inactive item, a taken name) may be fine by the next attempt. What an earlier
        // attempt may have created is found by its create intent instead (crate::notes).
        let mut ctx = Ctx::new(format!(
            "{}.{}",
            claimed.lease.write_key(),
            claimed.lease.attempt()
        ));
        let snapshot = match &job.payload {
            Some(payload) => Some(
                payload
                    .parse::<Snapshot>()
                    .map_err(|e| SourceError::Payload(e.to_string()))?,
            ),
            None => None,
        };
        if let Some(s) = &snapshot {
            if s.entity.kind() != job.entity.kind
                || s.entity.store_id() != job.entity.store_id.as_str()
            {
                return Err(SourceError::Payload(format!(
                    "the snapshot is of {} {}, the job of {} {}",
                    s.entity.kind(),
                    s.entity.store_id(),
                    job.entity.kind,
                    job.entity.store_id.as_str()
                ))
                .into());
            }
            for r in &s.related {
                ctx.related
                    .insert((r.kind(), r.store_id().to_owned()), r.clone());
            }
        }
        let target = store_ref(job.entity.kind, job.entity.store_id.as_str());
        let _guard = self.locks.lock(lock_key(&job.entity)).await;
        match job.action {
            Action::Delete => self.remove(&ctx, &target).await,
            Action::Upsert => {
                let entity = match snapshot {
                    Some(s) => Some(s.entity),
                    None => match self
                        .source
                        .load(job.entity.kind, &job.entity.store_id)
                        .await
                    {
                        Ok(e) => e,
                        Err(SourceError::NotAvailable) => {
                            return Err(SourceError::Payload(
                                "the job carries no snapshot and this store sends snapshots"
                                    .to_owned(),
                            )
                            .into());
                        }
                        Err(e) => return Err(e.into()),
                    },
                };
                let Some(entity) = entity else {
                    return Ok(Outcome::Skipped(format!(
                        "{target} is no longer in the store"
                    )));
                };
                self.upsert(&mut ctx, &entity, 0).await
            }
        }
    }

    /// Pushes a store entity (not a job's: an export or a test), with its dependencies.
    ///
    /// # Errors
    /// As [`Engine::run`].
    pub async fn push_entity(
        &self,
        entity: &StoreEntity,
        key: &str,
    ) -> Result<Outcome, EngineError> {
        let mut ctx = Ctx::new(key.to_owned());
        let eref = entity_ref(&self.tenant, &entity.store_ref())?;
        let _guard = self.locks.lock(lock_key(&eref)).await;
        self.upsert(&mut ctx, entity, 0).await
    }

    async fn upsert(
        &self,
        ctx: &mut Ctx,
        entity: &StoreEntity,
        depth: u32,
    ) -> Result<Outcome, EngineError> {
        let config = &self.rules.mapping;
        match entity {
            StoreEntity::Customer(c) => {
                let (links, _) = self.links_for(ctx, c, depth).await?;
                self.push_named(ctx, &c.store_ref(), links, &|l: &Links| {
                    let m = c.map(config, l)?;
                    Ok((m.entity, m.hash))
                })
                .await
            }
            StoreEntity::Category(c) => {
                let (links, _) = self.links_for(ctx, c, depth).await?;
                self.push_named(ctx, &c.store_ref(), links, &|l: &Links| {
                    let m = c.map(config, l)?;
                    Ok((m.entity, m.hash))
                })
                .await
            }
            StoreEntity::Product(p) => {
                let (mut links, own) = self.links_for(ctx, p, depth).await?;
                if own.is_none() && config.products.identity == ProductIdentity::Sku {
                    self.link_by_sku(p, &mut links).await?;
                }
                self.push_named(ctx, &p.store_ref(), links, &|l: &Links| {
                    let m = p.map(config, l)?;
                    Ok((m.entity, m.hash))
                })
                .await
            }
            StoreEntity::Order(o) => self.order(ctx, o, depth).await,
        }
    }

    /// The links a transform needs: its own (if any) and its dependencies', pushing the
    /// dependencies QBO does not have yet.
    async fn links_for<T: Transform>(
        &self,
        ctx: &mut Ctx,
        entity: &T,
        depth: u32,
    ) -> Result<(Links, Option<sync_queue::Link>), EngineError> {
        let mut links = Links::new();
        for dep in entity.dependencies(&self.rules.mapping) {
            if matches!(dep, StoreRef::Guest(_)) {
                // Mapped from the order itself: see `order`.
                continue;
            }
            let link = self.ensure_linked(ctx, &dep, depth + 1).await?;
            links.insert(dep, to_mapping_link(&link));
        }
        let own_ref = entity.store_ref();
        let own = self
            .links
            .get_link(&entity_ref(&self.tenant, &own_ref)?)
            .await?;
        if let Some(link) = &own {
            links.insert(own_ref, to_mapping_link(link));
        }
        Ok((links, own))
    }

    /// The link of a dependency, pushing it first when QBO does not have it.
    fn ensure_linked<'a>(
        &'a self,
        ctx: &'a mut Ctx,
        dep: &'a StoreRef,
        depth: u32,
    ) -> futures_util::future::BoxFuture<'a, Result<sync_queue::Link, EngineError>> {
        Box::pin(async move {
            let eref = entity_ref(&self.tenant, dep)?;
            if let Some(link) = self.links.get_link(&eref).await? {
                return Ok(link);
            }
            if depth > MAX_DEPTH {
                return Err(EngineError::refused(
                    None,
                    format!("{dep}: dependencies nest deeper than {MAX_DEPTH} levels"),
                ));
            }
            let wrap = |e: EngineError| EngineError::Dependency {
                dependency: dep.clone(),
                source: Box::new(e),
            };
            let _guard = self.locks.lock(lock_key(&eref)).await;
            if let Some(link) = self.links.get_link(&eref).await? {
                return Ok(link);
            }
            let related = ctx
                .related
                .get(&(eref.kind, eref.store_id.as_str().to_owned()))
                .cloned();
            let entity = match related {
                Some(e) => e,
                None => match self.source.load(eref.kind, &eref.store_id).await {
                    Ok(Some(e)) => e,
                    Ok(None) => {
                        return Err(EngineError::DependencyGone {
                            dependency: dep.clone(),
                        });
                    }
                    Err(SourceError::NotAvailable) => {
                        return Err(EngineError::DependencyPending {
                            dependency: dep.clone(),
                        });
                    }
                    Err(e) => return Err(wrap(e.into())),
                },
            };
            self.upsert(ctx, &entity, depth).await.map_err(wrap)?;
            self.links.get_link(&eref).await?.ok_or_else(|| {
                wrap(EngineError::Unexpected(format!(
                    "{dep} has no link after its push"
                )))
            })
        })
    }

    /// `products.identity = "sku"`: an unlinked product is linked to the QBO item with its
    /// SKU, when there is one.
    async fn link_by_sku(&self, p: &m::Product, links: &mut Links) -> Result<(), EngineError> {
        let Some(sku) = p.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(());
        };
        let query = qbo_api::query::Query::<Item>::new()
            .eq("Sku", sku)
            .in_list("Active", [true, false]);
        let page = self.qbo.query(&query).await?;
        if let Some(item) = page.items.into_iter().next()
            && let Some(id) = item.id.clone()
        {
            let target = p.store_ref();
            let link = self
                .record(&target, &id, item.sync_token.as_ref(), None)
                .await?;
            links.insert(target, to_mapping_link(&link));
        }
        Ok(())
    }

    /// Writes a link (and forgets a create intent).
    async fn record(
        &self,
        target: &StoreRef,
        id: &EntityId,
        token: Option<&SyncToken>,
        hash: Option<&ContentHash>,
    ) -> Result<sync_queue::Link, EngineError> {
        let eref = entity_ref(&self.tenant, target)?;
        let pushed = LinkPushed {
            qbo_id: QboId::new(id.as_str())?,
            sync_token: token
                .map(|t| sync_queue::SyncToken::new(t.as_str()))
                .transpose()?,
            content_hash: hash
                .map(|h| sync_queue::ContentHash::new(hash_text(h)))
                .transpose()?,
        };
        let link = self.links.record_push(&eref, &pushed).await?;
        self.notes.clear_intent(&eref).await?;
        Ok(link)
    }

    /// Creates or updates a customer or item, with the clash rules.
    async fn push_named<E: Pushable + NameList>(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        mut links: Links,
        map: &MapFn<'_, E>,
    ) -> Result<Outcome, EngineError> {
        let eref = entity_ref(&self.tenant, target)?;
        let note = self.notes.get(&eref).await?;
        if note.reactivated.is_some() {
            // Left active by an order's write in a process that died: inactive again
            // first (the state it had), then the entity's own push decides.
            if self.restore_locked(&eref).await? == Restore::Busy {
                return Err(EngineError::Conflict(format!(
                    "{target}: an order is being written with its QBO name made active; trying later"
                )));
            }
        }
        if let Some(attempt) = note.rename {
            links.set_rename(target.clone(), attempt);
        }
        let mut renames = note.rename.unwrap_or(0);
        let mut created = false;
        loop {
            let result = if links.get(target).is_some() {
                self.update(ctx, target, &links, map).await
            } else {
                match self
                    .create(ctx, target, &links, map, note.intent.as_ref())
                    .await
                {
                    Ok((outcome, link)) => {
                        if let Some(link) = link {
                            // Found in QBO (a lost create, or the same entity by name):
                            // update it to the store's content.
                            links.insert(target.clone(), to_mapping_link(&link));
                            continue;
                        }
                        created = true;
                        Ok(outcome)
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Err(EngineError::Qbo(QboError::DuplicateName {
                    existing_id,
                    error,
                    context,
                })) if E::NAMED => {
                    let (entity, _) = map(&links)?;
                    match self
                        .clash::<E>(target, &entity, existing_id.as_ref())
                        .await?
                    {
                        Some(link) if links.get(target).is_none() => {
                            links.insert(target.clone(), to_mapping_link(&link));
                        }
                        _ => {
                            let name = match entity.lookup_key() {
                                Some(LookupKey::DisplayName(n) | LookupKey::Name(n)) => n,
                                _ => String::new(),
                            };
                            if self.rules.mapping.names.on_clash != ClashPolicy::Rename {
                                return Err(EngineError::refused(
                                    Some("6240"),
                                    format!(
                                        "{target}: QBO already has a different {} named {name:?}{}; \
                                         link it by hand if it is the same, or set \
                                         mapping.names.on_clash = \"rename\"",
                                        E::NAME,
                                        existing_id
                                            .as_ref()
                                            .map(|id| format!(" (Id {id})"))
                                            .unwrap_or_default()
                                    ),
                                ));
                            }
                            if renames >= MAX_RENAMES {
                                return Err(EngineError::Qbo(QboError::DuplicateName {
                                    existing_id,
                                    error,
                                    context,
                                }));
                            }
                            renames += 1;
                            self.notes.set_rename(&eref, renames).await?;
                            links.set_rename(target.clone(), renames);
                        }
                    }
                }
                Ok(outcome) => {
                    return Ok(match outcome {
                        Outcome::Updated(id) if created => Outcome::Created(id),
                        other => other,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// After a duplicate name: the existing entity, linked, when it is the same one.
    async fn clash<E: Pushable>(
        &self,
        target: &StoreRef,
        entity: &E,
        existing: Option<&EntityId>,
    ) -> Result<Option<sync_queue::Link>, EngineError> {
        let found: Vec<E> = match existing {
            Some(id) => match self.qbo.read::<E>(id).await {
                Ok(e) => vec![e],
                // The name may belong to a vendor or employee: not ours to link.
                Err(QboError::NotFound { .. } | QboError::Validation { .. }) => Vec::new(),
                Err(e) => return Err(e.into()),
            },
            None => match entity.lookup_key() {
                Some(key) => find::<E>(&self.qbo, &key).await?,
                None => Vec::new(),
            },
        };
        for f in found {
            if entity.same_as(&f)
                && let Some(id) = f.id()
            {
                let eref = entity_ref(&self.tenant, target)?;
                let kind = eref.kind;
                // Never take an entity another store entity is linked to (the same one
                // may be: another process linked it meanwhile).
                if self
                    .links
                    .find_by_qbo_id(&self.tenant, kind, &QboId::new(id.as_str())?)
                    .await?
                    .is_some_and(|holder| holder.entity != eref)
                {
                    continue;
                }
                tracing::info!(%target, qbo_id = id.as_str(), "linked to the QBO {} of the same name", E::NAME);
                return Ok(Some(self.record(target, id, f.sync_token(), None).await?));
            }
        }
        Ok(None)
    }

    /// Creates the entity, unless QBO has it already (a lost create, found by the intent's
    /// key). Returns the link of what was found instead of creating.
    async fn create<E: Pushable>(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        links: &Links,
        map: &MapFn<'_, E>,
        intent: Option<&CreateIntent>,
    ) -> Result<(Outcome, Option<sync_queue::Link>), EngineError> {
        let (entity, hash) = map(links)?;
        let eref = entity_ref(&self.tenant, target)?;
        let key = entity.lookup_key();
        if let Some(intent) = intent {
            let mut keys = vec![intent.key.clone()];
            if let Some(k) = &key
                && *k != intent.key
            {
                keys.push(k.clone());
            }
            for k in keys {
                for found in find::<E>(&self.qbo, &k).await? {
                    let ours = found.created().is_none_or(|created| {
                        intent
                            .at
                            .is_none_or(|at| created >= at - INTENT_CLOCK_SLACK)
                    }) || entity.same_as(&found);
                    let Some(id) = found.id() else { continue };
                    let taken = self
                        .links
                        .find_by_qbo_id(&self.tenant, eref.kind, &QboId::new(id.as_str())?)
                        .await?
                        .is_some_and(|holder| holder.entity != eref);
                    if ours && !taken {
                        tracing::info!(%target, qbo_id = id.as_str(), "found the QBO {} of an earlier create; linking it", E::NAME);
                        let link = self.record(target, id, found.sync_token(), None).await?;
                        return Ok((Outcome::Updated(id.as_str().to_owned()), Some(link)));
                    }
                }
            }
        }
        let request_id = ctx.request_id(target, "create", Some(&entity));
        if let Some(key) = key {
            self.notes
                .put_intent(
                    &eref,
                    &CreateIntent {
                        key,
                        request_id: request_id.as_str().to_owned(),
                        at: Some(Utc::now()),
                    },
                )
                .await?;
        }
        match self.writer.create(&entity, request_id).await {
            Ok(created) => {
                let id = created.id().cloned().ok_or_else(|| {
                    EngineError::Unexpected(format!("{} created without an Id", E::NAME))
                })?;
                self.record(target, &id, created.sync_token(), Some(&hash))
                    .await?;
                Ok((Outcome::Updated(id.into_inner()), None))
            }
            Err(e) => {
                if matches!(
                    e,
                    QboError::Validation { .. }
                        | QboError::DuplicateName { .. }
                        | QboError::NotFound { .. }
                        | QboError::Encode { .. }
                        | QboError::InvalidInput(_)
                ) {
                    // QBO refused it: nothing was created.
                    self.notes.clear_intent(&eref).await?;
                }
                Err(e.into())
            }
        }
    }

    /// Updates a linked entity: no call when its hash is unchanged; a stale SyncToken is
    /// re-read and the update tried once more.
    async fn update<E: Pushable>(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        links: &Links,
        map: &MapFn<'_, E>,
    ) -> Result<Outcome, EngineError> {
        let eref = entity_ref(&self.tenant, target)?;
        let stored = self.links.get_link(&eref).await?;
        let (entity, hash) = map(links)?;
        let Some(link) = links.get(target).cloned() else {
            return Err(EngineError::Unexpected(format!(
                "{target} has no link to update"
            )));
        };
        if let Some(stored) = &stored
            && stored.content_hash.as_ref().map(|h| h.as_str()) == Some(hash_text(&hash).as_str())
            && stored.sync_token.is_some()
        {
            return Ok(Outcome::Unchanged(link.id.into_inner()));
        }
        let mut links = links.clone();
        let mut entity = entity;
        if link.sync_token.is_none() {
            // A manual link: QBO's current SyncToken first.
            let current: E = self.qbo.read(&link.id).await?;
            links.insert(
                target.clone(),
                mapping::Link::new(link.id.clone(), current.sync_token().cloned()),
            );
            entity = map(&links)?.0;
        }
        let first = self
            .writer
            .update(&entity, ctx.request_id(target, "update", Some(&entity)))
            .await;
        let updated = match first {
            Err(QboError::StaleObject { .. }) => {
                let current: E = self.qbo.read(&link.id).await?;
                links.insert(
                    target.clone(),
                    mapping::Link::new(link.id.clone(), current.sync_token().cloned()),
                );
                let (again, _) = map(&links)?;
                match self
                    .writer
                    .update(
                        &again,
                        ctx.request_id(target, "update-after-5010", Some(&again)),
                    )
                    .await
                {
                    Err(QboError::StaleObject { .. }) => {
                        return Err(EngineError::Conflict(format!(
                            "{target}: changed in QBO again while it was updated (5010 twice)"
                        )));
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        self.record(target, &link.id, updated.sync_token(), Some(&hash))
            .await?;
        Ok(Outcome::Updated(link.id.into_inner()))
    }

    /// Creates or updates a document (invoice, sales receipt, payment).
    async fn push_document<E: Pushable>(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        links: &Links,
        map: &MapFn<'_, E>,
    ) -> Result<Outcome, EngineError> {
        let eref = entity_ref(&self.tenant, target)?;
        // The link store, not the links the caller gathered, says whether the document
        // exists: an earlier write of this job (before a reactivation) may have made it.
        if let Some(link) = self.links.get_link(&eref).await? {
            let mut links = links.clone();
            links.insert(target.clone(), to_mapping_link(&link));
            return self.update(ctx, target, &links, map).await;
        }
        let note = self.notes.get(&eref).await?;
        let (outcome, found) = self
            .create(ctx, target, links, map, note.intent.as_ref())
            .await?;
        match found {
            Some(link) => {
                let mut links = links.clone();
                links.insert(target.clone(), to_mapping_link(&link));
                self.update(ctx, target, &links, map).await
            }
            None => Ok(match outcome {
                Outcome::Updated(id) => Outcome::Created(id),
                other => other,
            }),
        }
    }

    async fn order(&self, ctx: &mut Ctx, o: &m::Order, depth: u32) -> Result<Outcome, EngineError> {
        let sync = &self.rules.sync;
        let config = &self.rules.mapping;
        let target = o.store_ref();
        let eref = entity_ref(&self.tenant, &target)?;
        let own = self.links.get_link(&eref).await?;
        let status = o.status.as_deref().unwrap_or("");
        if o.is_marketplace_parent {
            return Ok(Outcome::Skipped(format!(
                "order {} is a marketplace parent order: its vendors' orders are synced",
                o.id
            )));
        }
        if sync.cancel_statuses.iter().any(|s| s == status) {
            return match (own, sync.on_cancel) {
                (Some(_), OnCancel::Void) => {
                    self.remove_with(ctx, &target, DeleteOperation::Void).await
                }
                (Some(link), OnCancel::Keep) => Ok(Outcome::Skipped(format!(
                    "order {} is cancelled (status {status}); its QBO document {} is kept \
                     (sync.on_cancel = \"keep\")",
                    o.id,
                    link.qbo_id.as_str()
                ))),
                (None, _) => Ok(Outcome::Skipped(format!(
                    "order {} is cancelled (status {status}) and was never pushed",
                    o.id
                ))),
            };
        }
        if own.is_none() && !sync.trigger_statuses.iter().any(|s| s == status) {
            return Ok(Outcome::Skipped(format!(
                "order {} is in status {status:?}; orders are pushed in status {}",
                o.id,
                sync.trigger_statuses.join(", ")
            )));
        }
        let (mut links, _) = self.links_for(ctx, o, depth).await?;
        // The guest customer is mapped from the order itself.
        if let Some(key) = mapping::guest_key(o, config) {
            let guest = StoreRef::Guest(key);
            let geref = entity_ref(&self.tenant, &guest)?;
            let link = match self.links.get_link(&geref).await? {
                Some(link) => link,
                None => {
                    let _guard = self.locks.lock(lock_key(&geref)).await;
                    if self.links.get_link(&geref).await?.is_none() {
                        let empty = Links::new();
                        self.push_named(ctx, &guest, empty, &|l: &Links| {
                            let mapped = mapping::map_guest(o, config, l)?.ok_or_else(|| {
                                EngineError::Unexpected("a guest order without a guest".into())
                            })?;
                            Ok((mapped.entity, mapped.hash))
                        })
                        .await
                        .map_err(|e| EngineError::Dependency {
                            dependency: guest.clone(),
                            source: Box::new(e),
                        })?;
                    }
                    self.links.get_link(&geref).await?.ok_or_else(|| {
                        EngineError::Unexpected(format!("{guest} has no link after its push"))
                    })?
                }
            };
            links.insert(guest, to_mapping_link(&link));
        }
        match self.write_order(ctx, o, &links).await {
            Err(EngineError::Qbo(e)) if is_inactive_ref(&e) => {
                self.write_order_reactivating(ctx, o, &links, &e).await
            }
            Err(EngineError::Qbo(e)) if is_shipping_refused(&e) => Err(EngineError::refused(
                Some("2500"),
                format!(
                    "order {}: QBO refuses the shipping line because shipping is off in the \
                     company ({e}); turn on shipping in QBO (Account and settings → Sales → \
                     Shipping), or set mapping.shipping.mode = \"item\" with a shipping \
                     service item",
                    o.id
                ),
            )),
            other => other,
        }
    }

    /// Writes an order's document and, in invoice mode, its payment.
    async fn write_order(
        &self,
        ctx: &Ctx,
        o: &m::Order,
        links: &Links,
    ) -> Result<Outcome, EngineError> {
        let config = &self.rules.mapping;
        let target = o.store_ref();
        let outcome = match config.order.document {
            OrderDocumentKind::InvoiceAndPayment => {
                self.push_order_document(ctx, o, links, "invoice", |d| match d {
                    OrderDocument::Invoice(doc) => Some(doc),
                    _ => None,
                })
                .await?
            }
            OrderDocumentKind::SalesReceipt => {
                self.push_order_document(ctx, o, links, "sales receipt", |d| match d {
                    OrderDocument::SalesReceipt(doc) => Some(doc),
                    _ => None,
                })
                .await?
            }
        };
        if config.order.document == OrderDocumentKind::InvoiceAndPayment && o.paid {
            let doc = self
                .links
                .get_link(&entity_ref(&self.tenant, &target)?)
                .await?;
            let pay_target = StoreRef::Payment(o.id.clone());
            let pay_ref = entity_ref(&self.tenant, &pay_target)?;
            let mut links = links.clone();
            if let Some(doc) = doc {
                links.insert(target.clone(), to_mapping_link(&doc));
            }
            if let Some(pay) = self.links.get_link(&pay_ref).await? {
                links.insert(pay_target.clone(), to_mapping_link(&pay));
            }
            let pay_mark = marker("payment", o.id.as_str());
            self.push_document::<Payment>(ctx, &pay_target, &links, &|l: &Links| {
                let mapped = mapping::map_payment(o, config, l)?.ok_or_else(|| {
                    EngineError::Unexpected(format!("order {} is paid but maps no payment", o.id))
                })?;
                let mut payment = mapped.entity;
                payment.mark(&pay_mark);
                Ok((payment, mapped.hash))
            })
            .await?;
        }
        Ok(outcome)
    }

    /// Pushes an order's document of the kind `pick` takes from the mapping, marked.
    async fn push_order_document<E: Pushable>(
        &self,
        ctx: &Ctx,
        o: &m::Order,
        links: &Links,
        what: &str,
        pick: fn(OrderDocument) -> Option<E>,
    ) -> Result<Outcome, EngineError> {
        let config = &self.rules.mapping;
        let mark = marker("order", o.id.as_str());
        self.push_document::<E>(ctx, &o.store_ref(), links, &|l: &Links| {
            let mapped = o.map(config, l)?;
            let mut doc = pick(mapped.document)
                .ok_or_else(|| EngineError::Unexpected(format!("the mapping made no {what}")))?;
            doc.mark(&mark);
            Ok((doc, mapped.hash))
        })
        .await
    }

    /// QBO refused an order for an inactive customer or item (610): by setting, make them
    /// active (holding their locks, so that no other job of this process deactivates them
    /// meanwhile), write the order, and make them inactive again.
    async fn write_order_reactivating(
        &self,
        ctx: &Ctx,
        o: &m::Order,
        links: &Links,
        refused: &QboError,
    ) -> Result<Outcome, EngineError> {
        // Hold the locks of every name the order uses before reading whether they are
        // active, so that no other job of this process changes them meanwhile.
        let mut keys: Vec<String> = self
            .order_names(o)
            .iter()
            .map(|r| entity_ref(&self.tenant, r).map(|e| lock_key(&e)))
            .collect::<Result<_, _>>()?;
        keys.sort();
        keys.dedup();
        let mut guards = Vec::with_capacity(keys.len());
        for key in &keys {
            guards.push(self.locks.lock(key.clone()).await);
        }
        // Across processes: the same names' leases in the database, so that two processes
        // never reactivate and deactivate one name under each other's writes.
        let holder = WorkerId::new(format!("reactivate-{}", ctx.key))?;
        let mut held = Vec::with_capacity(keys.len());
        let result = async {
            for key in &keys {
                let name = LeaseName::new(format!("name:{key}"))?;
                if !self
                    .leases
                    .try_acquire(&name, &holder, REACTIVATION_LEASE)
                    .await?
                {
                    return Err(EngineError::Conflict(format!(
                        "order {}: another process is writing an order with {key} reactivated",
                        o.id
                    )));
                }
                held.push(name);
            }
            self.reactivate_and_write(ctx, o, links, refused).await
        }
        .await;
        for name in &held {
            if let Err(e) = self.leases.release_lease(name, &holder).await {
                tracing::warn!(error = %e, "could not give a name lease back; it runs out by itself");
            }
        }
        drop(guards);
        result
    }

    /// The reactivation itself, with every lock held.
    async fn reactivate_and_write(
        &self,
        ctx: &Ctx,
        o: &m::Order,
        links: &Links,
        refused: &QboError,
    ) -> Result<Outcome, EngineError> {
        let target = o.store_ref();
        let inactive = self.inactive_refs(o, links).await?;
        if inactive.is_empty() || self.rules.sync.inactive_items == InactiveItems::Fail {
            let names: Vec<String> = inactive.iter().map(|(_, i)| i.describe()).collect();
            let element = refused
                .fault()
                .and_then(|f| f.element.clone())
                .unwrap_or_default();
            let reason = format!(
                "order {}: QBO refuses it because a name it uses ({element}) is inactive{}",
                o.id,
                if names.is_empty() {
                    String::new()
                } else {
                    format!(": {}", names.join(", "))
                }
            );
            if inactive.is_empty() {
                // Made active again meanwhile (by another process): try later.
                let checked: Vec<String> = self
                    .order_names(o)
                    .iter()
                    .filter_map(|r| links.get(r).map(|l| format!("{r} = {}", l.id.as_str())))
                    .collect();
                return Err(EngineError::Conflict(format!(
                    "{reason}, but every name it uses reads as active now ({})",
                    checked.join(", ")
                )));
            }
            return Err(EngineError::refused(
                Some("610"),
                format!(
                    "{reason}; make it active in QBO, or set sync.inactive_items = \"reactivate\""
                ),
            ));
        }
        // Noted before: a process that dies between the reactivation and the deactivation
        // leaves the note, and `finish_reactivations` makes the name inactive again.
        for (r, name) in &inactive {
            self.notes
                .set_reactivated(&entity_ref(&self.tenant, r)?, Some(&name.reactivation()))
                .await?;
        }
        for (_, name) in &inactive {
            let op = format!("reactivate-{}", name.key());
            match name {
                Inactive::Customer(c) => self.activate_name(ctx, &target, &op, &**c).await?,
                Inactive::Item(i) => self.activate_name(ctx, &target, &op, &**i).await?,
            }
        }
        ctx.round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let result = match self.write_order(ctx, o, links).await {
            Err(EngineError::Qbo(e)) if is_inactive_ref(&e) => Err(EngineError::Conflict(format!(
                "order {}: a name it uses was made inactive again during its write ({e})",
                o.id
            ))),
            other => other,
        };
        for (r, name) in &inactive {
            let op = format!("deactivate-{}", name.key());
            match name {
                Inactive::Customer(c) => {
                    let Some(id) = &c.id else { continue };
                    self.deactivate_name::<Customer>(id, |d| ctx.request_id(&target, &op, Some(d)))
                        .await?;
                }
                Inactive::Item(i) => {
                    let Some(id) = &i.id else { continue };
                    self.deactivate_name::<Item>(id, |d| ctx.request_id(&target, &op, Some(d)))
                        .await?;
                }
            }
            self.notes
                .set_reactivated(&entity_ref(&self.tenant, r)?, None)
                .await?;
        }
        result
    }

    /// The store entities whose QBO names an order uses: its customer and its products.
    fn order_names(&self, o: &m::Order) -> Vec<StoreRef> {
        let mut refs: Vec<StoreRef> = o
            .lines
            .iter()
            .map(|l| StoreRef::Product(l.product.clone()))
            .collect();
        match &o.customer {
            m::OrderCustomer::Registered(id) => refs.push(StoreRef::Customer(id.clone())),
            m::OrderCustomer::Guest(_) => {
                if let Some(key) = mapping::guest_key(o, &self.rules.mapping) {
                    refs.push(StoreRef::Guest(key));
                }
            }
        }
        refs
    }

    /// The inactive QBO names an order uses: its customer and its lines' items.
    async fn inactive_refs(
        &self,
        o: &m::Order,
        links: &Links,
    ) -> Result<Vec<(StoreRef, Inactive)>, EngineError> {
        let mut inactive = Vec::new();
        let customer = match &o.customer {
            m::OrderCustomer::Registered(id) => Some(StoreRef::Customer(id.clone())),
            m::OrderCustomer::Guest(_) => {
                mapping::guest_key(o, &self.rules.mapping).map(StoreRef::Guest)
            }
        };
        if let Some(customer) = customer
            && let Some(link) = links.get(&customer)
        {
            let c: Customer = self.qbo.read(&link.id).await?;
            if c.active == Some(false) {
                inactive.push((customer, Inactive::Customer(Box::new(c))));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for line in &o.lines {
            let product = StoreRef::Product(line.product.clone());
            let Some(link) = links.get(&product) else {
                continue;
            };
            if !seen.insert(link.id.clone()) {
                continue;
            }
            let item: Item = self.qbo.read(&link.id).await?;
            if item.active == Some(false) {
                inactive.push((product, Inactive::Item(Box::new(item))));
            }
        }
        Ok(inactive)
    }

    /// A store delete: customers and items made inactive, documents voided or deleted (by
    /// setting).
    async fn remove(&self, ctx: &Ctx, target: &StoreRef) -> Result<Outcome, EngineError> {
        let op = match target {
            StoreRef::Order(_) | StoreRef::Payment(_) => match self.rules.mapping.order.on_delete {
                mapping::config::OrderDeletion::Void => DeleteOperation::Void,
                mapping::config::OrderDeletion::Delete => DeleteOperation::Delete,
            },
            _ => DeleteOperation::Deactivate,
        };
        self.remove_with(ctx, target, op).await
    }

    async fn remove_with(
        &self,
        ctx: &Ctx,
        target: &StoreRef,
        op: DeleteOperation,
    ) -> Result<Outcome, EngineError> {
        let mut links = Links::new();
        let mut targets = vec![target.clone()];
        if let StoreRef::Order(id) = target {
            targets.insert(0, StoreRef::Payment(id.clone()));
        }
        for t in &targets {
            if let Some(link) = self.links.get_link(&entity_ref(&self.tenant, t)?).await? {
                links.insert(t.clone(), to_mapping_link(&link));
            }
        }
        let mut config = self.rules.mapping.clone();
        config.order.on_delete = match op {
            DeleteOperation::Delete => mapping::config::OrderDeletion::Delete,
            _ => mapping::config::OrderDeletion::Void,
        };
        let actions = mapping::deletion(target, &config, &links);
        if actions.is_empty() {
            return Ok(Outcome::Skipped(format!(
                "{target} was never pushed to QBO"
            )));
        }
        let mut last = String::new();
        for action in actions {
            let rid = |what: &str, body: &serde_json::Value| {
                ctx.request_id(&action.target, what, Some(body))
            };
            match (action.entity, action.operation) {
                (entity @ (Customer::NAME | Item::NAME), DeleteOperation::Deactivate) => {
                    let by_body = |body: serde_json::Value| rid("deactivate", &body);
                    let token = if entity == Customer::NAME {
                        self.deactivate_name::<Customer>(&action.id, |d| {
                            by_body(serde_json::to_value(d).unwrap_or_default())
                        })
                        .await?
                    } else {
                        self.deactivate_name::<Item>(&action.id, |d| {
                            by_body(serde_json::to_value(d).unwrap_or_default())
                        })
                        .await?
                    };
                    if let Some(token) = token {
                        self.keep_token(&action.target, &action.id, token.as_ref())
                            .await?;
                    }
                }
                (Invoice::NAME, op) => {
                    self.void_or_delete::<Invoice>(&action.target, &action.id, op, rid)
                        .await?;
                }
                (SalesReceipt::NAME, op) => {
                    self.void_or_delete::<SalesReceipt>(&action.target, &action.id, op, rid)
                        .await?;
                }
                (Payment::NAME, op) => {
                    self.void_or_delete::<Payment>(&action.target, &action.id, op, rid)
                        .await?;
                }
                (entity, op) => {
                    return Err(EngineError::Unexpected(format!(
                        "no way to {op:?} a {entity}"
                    )));
                }
            }
            last = action.id.into_inner();
        }
        Ok(Outcome::Removed(last))
    }

    /// Keeps a link's SyncToken current after a write that is not a push of content.
    async fn keep_token(
        &self,
        target: &StoreRef,
        id: &EntityId,
        token: Option<&SyncToken>,
    ) -> Result<(), EngineError> {
        let eref = entity_ref(&self.tenant, target)?;
        self.links
            .record_push(
                &eref,
                &LinkPushed {
                    qbo_id: QboId::new(id.as_str())?,
                    sync_token: token
                        .map(|t| sync_queue::SyncToken::new(t.as_str()))
                        .transpose()?,
                    // A removed entity is pushed again in full when it comes back.
                    content_hash: None,
                },
            )
            .await?;
        Ok(())
    }

    async fn void_or_delete<E>(
        &self,
        target: &StoreRef,
        id: &EntityId,
        op: DeleteOperation,
        rid: impl Fn(&str, &serde_json::Value) -> RequestId,
    ) -> Result<(), EngineError>
    where
        E: Pushable + qbo_api::Voidable + qbo_api::Deletable,
    {
        let current: E = match self.qbo.read(id).await {
            Ok(c) => c,
            Err(QboError::NotFound { .. }) => {
                // Deleted in QBO already.
                self.links
                    .unlink(&entity_ref(&self.tenant, target)?)
                    .await?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let body = serde_json::json!({
            "Id": id.as_str(),
            "SyncToken": current.sync_token().map(SyncToken::as_str),
        });
        let bare: E = serde_json::from_value(body.clone())
            .map_err(|e| EngineError::Unexpected(format!("{}: {e}", E::NAME)))?;
        match op {
            DeleteOperation::Delete => {
                self.qbo
                    .delete(&bare)
                    .request_id(rid("delete", &body))
                    .send()
                    .await?;
                self.links
                    .unlink(&entity_ref(&self.tenant, target)?)
                    .await?;
            }
            _ => {
                if is_voided(&current) {
                    return Ok(());
                }
                let done = self
                    .qbo
                    .void(&bare)
                    .request_id(rid("void", &body))
                    .send()
                    .await?;
                self.keep_token(target, id, done.sync_token()).await?;
            }
        }
        Ok(())
    }
}

/// Whether a document reads as voided (QBO notes "Voided" in its `PrivateNote`).
fn is_voided<E: Entity>(e: &E) -> bool {
    serde_json::to_value(e).ok().is_some_and(|v| {
        v.get("PrivateNote")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|n| n.starts_with("Voided"))
    })
}

fn is_inactive_ref(e: &QboError) -> bool {
    e.code() == Some("610")
        && e.fault()
            .and_then(|f| f.element.as_deref())
            .is_some_and(|el| el.contains("ItemRef") || el.contains("CustomerRef"))
}

/// A QBO name an order uses that is inactive.
enum Inactive {
    Customer(Box<Customer>),
    Item(Box<Item>),
}

impl Inactive {
    fn reactivation(&self) -> crate::notes::Reactivation {
        let (entity, id) = match self {
            Self::Customer(c) => (Customer::NAME, c.id.as_ref()),
            Self::Item(i) => (Item::NAME, i.id.as_ref()),
        };
        crate::notes::Reactivation {
            entity: entity.to_owned(),
            qbo_id: id.map(|i| i.as_str().to_owned()).unwrap_or_default(),
            at: Utc::now(),
        }
    }

    fn key(&self) -> String {
        let (what, id) = match self {
            Self::Customer(c) => ("customer", c.id.as_ref()),
            Self::Item(i) => ("item", i.id.as_ref()),
        };
        format!("{what}-{}", id.map(EntityId::as_str).unwrap_or(""))
    }

    fn describe(&self) -> String {
        let (what, name, id) = match self {
            Self::Customer(c) => ("customer", c.display_name.as_deref(), c.id.as_ref()),
            Self::Item(i) => ("item", i.name.as_deref(), i.id.as_ref()),
        };
        format!(
            "{what} {:?} (Id {})",
            name.unwrap_or(""),
            id.map(EntityId::as_str).unwrap_or("?")
        )
    }
}

fn is_shipping_refused(e: &QboError) -> bool {
    e.code() == Some("2500")
        && e.fault().is_some_and(|f| {
            let text = format!(
                "{} {} {}",
                f.message,
                f.detail.as_deref().unwrap_or(""),
                f.element.as_deref().unwrap_or("")
            );
            text.contains("SHIPPING")
        })
}

fn lock_key(e: &EntityRef) -> String {
    format!("{}/{}/{}", e.tenant.as_str(), e.kind, e.store_id.as_str())
}
