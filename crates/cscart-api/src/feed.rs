//! The change feed: every change in a CS-Cart store, found without any help from the store.
//!
//! CS-Cart has no feed of changes and no webhooks, so each entity kind is watched the way
//! the REST API allows (facts in the project's CS-Cart API notes):
//!
//! | feed | how | finds |
//! |---|---|---|
//! | [`FeedKind::Orders`] | `updated_at_from` (inclusive unix seconds), full orders | new orders, edits, status changes |
//! | [`FeedKind::Products`] | `sort_by=updated_timestamp` descending | new products, edits |
//! | [`FeedKind::ProductScan`] | full scan, content fingerprints | stock moved by orders, anything missed, deletes |
//! | [`FeedKind::OrderScan`] | full scan of the order list | status changes, deletes |
//! | [`FeedKind::Customers`] | full scan of users (`user_type=C`) | new, changed and deleted customers |
//! | [`FeedKind::Categories`] | full scan | new, changed and deleted categories |
//!
//! # Two phases
//! [`ChangeFeed::poll`] reads from a cursor the caller stored (an opaque string, kept in the
//! `sync-queue` cursor store by the daemon under [`FeedKind::cursor_name`]; an entity
//! kind's incremental feed and its scan share one) and returns the changes with the *next*
//! cursor.
//! The caller takes the changes (enqueues them) and only then stores the next cursor, so a
//! crash in between repeats changes and never loses one.
//!
//! # Guarantees
//! - **Nothing lost at the boundary second.** Time filters are inclusive and CS-Cart stamps
//!   whole seconds, so an incremental feed reads again from `overlap` seconds before its
//!   cursor and remembers a fingerprint of every entity it delivered in that window: an
//!   entity delivered before is skipped only if it is unchanged, so two edits within one
//!   second are both seen and a row committed late (its time earlier than one already seen)
//!   is still found.
//! - **No duplicate within one poll**: each entity appears at most once in a poll.
//! - **No invented delete.** Deletes come only from complete scans; an id missing from a
//!   scan is confirmed with a `GET` (404) before it is reported. A scan that failed part way
//!   or that lost more ids than [`FeedConfig::mass_delete_fraction`] allows reports no
//!   delete and says why ([`Deletes::Withheld`]).
//! - **Bad data does not stop a feed.** An entity that does not decode, or that decodes but
//!   cannot become a store-model entity (a user without e-mail, an order line for a deleted
//!   product), is reported in [`FeedPoll::problems`] with its id and field, and still
//!   reported as changed, so that the caller's worker records the failure; the other
//!   entities go on. A page that cannot
//!   be read stops an incremental feed from advancing its cursor (its changes come again on
//!   the next poll) and a scan from reporting deletes.
//! - 401 and 403 fail the whole poll: nothing is reported and the cursor stays.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::Utc;
use mapping::ids::{EntityKind, EntityRef};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tracing::{debug, warn};

use crate::client::{CscartClient, ListQuery, page_is_last};
use crate::error::CscartError;
use crate::ids::{CategoryId, CustomerId, OrderId, ProductId};
use crate::model::{Category, Order, OrderSummary, Product, User};

/// The feeds of one store; each has its own cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// Orders changed since the cursor (`updated_at_from`).
    Orders,
    /// Products changed since the cursor (by `updated_timestamp`).
    Products,
    /// A full scan of products: stock moved by orders (which does not bump
    /// `updated_timestamp`), anything the incremental feed missed, deletes.
    ProductScan,
    /// A full scan of the order list: status changes and deletes.
    OrderScan,
    /// A full scan of customers (users of the configured `user_type`).
    Customers,
    /// A full scan of categories.
    Categories,
}

impl FeedKind {
    /// Every feed, incremental ones first.
    pub const ALL: [FeedKind; 6] = [
        Self::Orders,
        Self::Products,
        Self::ProductScan,
        Self::OrderScan,
        Self::Customers,
        Self::Categories,
    ];

    /// The feed's name, under which its cursor is stored (`cscart.orders`...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Orders => "cscart.orders",
            Self::Products => "cscart.products",
            Self::ProductScan => "cscart.product-scan",
            Self::OrderScan => "cscart.order-scan",
            Self::Customers => "cscart.customers",
            Self::Categories => "cscart.categories",
        }
    }

    /// The name of the cursor the feed reads and writes: an entity kind's incremental feed
    /// and its scan share one (`cscart.orders` for [`Orders`](Self::Orders) and
    /// [`OrderScan`](Self::OrderScan)). Polls sharing a cursor must not run at the same
    /// time.
    pub fn cursor_name(self) -> &'static str {
        match self {
            Self::Orders | Self::OrderScan => "cscart.orders",
            Self::Products | Self::ProductScan => "cscart.products",
            Self::Customers => "cscart.customers",
            Self::Categories => "cscart.categories",
        }
    }

    /// The feed named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind of entity the feed reports.
    pub fn entity_kind(self) -> EntityKind {
        match self {
            Self::Orders | Self::OrderScan => EntityKind::Order,
            Self::Products | Self::ProductScan => EntityKind::Product,
            Self::Customers => EntityKind::Customer,
            Self::Categories => EntityKind::Category,
        }
    }

    /// Whether the feed is a full scan (and so finds deletes).
    pub fn is_scan(self) -> bool {
        !matches!(self, Self::Orders | Self::Products)
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do with an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// Create or update it downstream.
    Upsert,
    /// It was deleted in the store.
    Delete,
}

/// Why a change was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeCause {
    /// Its change time moved (incremental feeds), or an incremental feed saw it first.
    Changed,
    /// A scan found an id it had not seen before.
    New,
    /// A scan found different content.
    Content,
    /// A product scan found only its stock (or stock tracking) different.
    Stock,
    /// It does not decode: see the matching entry of [`FeedPoll::problems`].
    Unreadable,
    /// It vanished from a complete scan and the store confirmed it is gone.
    Deleted,
}

/// One change to one store entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Change {
    /// The entity.
    pub entity: EntityRef,
    /// What to do.
    pub action: ChangeAction,
    /// Why.
    pub cause: ChangeCause,
}

/// An entity (or a page) the feed could not read; the feed went on without it.
#[derive(Debug)]
pub struct FeedProblem {
    /// The entity, when its id could be read.
    pub entity: Option<EntityRef>,
    /// What went wrong, naming the field.
    pub error: CscartError,
}

impl fmt::Display for FeedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entity {
            Some(e) => write!(f, "{e}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// What a poll did about deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletes {
    /// An incremental feed: it cannot see deletes.
    NotChecked,
    /// A complete scan: `vanished` ids were missing, `confirmed` of them are gone (reported
    /// as deletes); the others were found again by id and kept.
    Checked {
        /// Ids missing from the scan.
        vanished: usize,
        /// Ids the store confirmed gone.
        confirmed: usize,
    },
    /// No delete was reported, for the reason given; the missing ids are kept and looked at
    /// again by the next scan.
    Withheld {
        /// Ids missing from the scan.
        vanished: usize,
        /// Why no delete was reported.
        reason: String,
    },
}

/// The result of one poll of one feed.
#[derive(Debug)]
pub struct FeedPoll {
    /// The feed polled.
    pub feed: FeedKind,
    /// The changes, each entity at most once.
    pub changes: Vec<Change>,
    /// Entities and pages that could not be read.
    pub problems: Vec<FeedProblem>,
    /// What was done about deletes.
    pub deletes: Deletes,
    /// The cursor to store once the changes are taken.
    pub cursor: String,
    /// Why the cursor did not advance, when it did not.
    pub cursor_held: Option<String>,
    /// Pages read.
    pub pages: u64,
    /// Entities read.
    pub seen: usize,
}

/// Settings of a [`ChangeFeed`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// How far before its cursor an incremental feed reads again, in seconds (default 300).
    /// It covers the boundary second and rows committed a little after their time.
    pub overlap_secs: i64,
    /// The `user_type` of the customers feed (default `C`).
    pub customer_user_type: String,
    /// The page size of every feed (default 100).
    pub items_per_page: u32,
    /// A scan that lost more than this fraction of the ids it knew reports no delete
    /// (default 0.25)...
    pub mass_delete_fraction: f64,
    /// ...when it also lost more than this many (default 10). A scan that finds no id at
    /// all while it knew some never reports deletes.
    pub mass_delete_min: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            overlap_secs: 300,
            customer_user_type: "C".to_owned(),
            items_per_page: 100,
            mass_delete_fraction: 0.25,
            mass_delete_min: 10,
        }
    }
}

/// Options of one poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollOptions {
    /// Report deletes even when the mass-delete guard trips (an operator confirmed the
    /// store really lost that many).
    pub allow_mass_delete: bool,
}

/// The change feed of one CS-Cart store.
#[derive(Debug, Clone)]
pub struct ChangeFeed {
    client: CscartClient,
    config: FeedConfig,
}

/// The position of one entity kind's feeds, shared by its incremental feed and its scan
/// (so that an entity the incremental feed delivered and the store then deleted is still
/// known to the scan that must report the delete).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    /// The cursor's name ([`FeedKind::cursor_name`]), so that a cursor is never read by
    /// another kind's feed.
    feed: String,
    /// The latest change time delivered by the incremental feed (unix seconds).
    #[serde(default)]
    since: i64,
    /// Every entity the incremental feed delivered within `overlap` of `since`: id →
    /// (time, fingerprint).
    #[serde(default)]
    recent: BTreeMap<String, (i64, u64)>,
    /// Every id known to exist, with its scan fingerprints (content, and stock for
    /// products); `(0, 0)`: delivered by the incremental feed, not scanned yet.
    #[serde(default)]
    known: HashMap<String, (u64, u64)>,
}

/// The fingerprints of an id the incremental feed delivered but no scan has seen.
const UNSCANNED: (u64, u64) = (0, 0);

/// A fingerprint of an entity's content: the first 8 bytes of the SHA-256 of its JSON.
/// Stable across builds and versions, unlike `std`'s hasher.
fn fingerprint<T: Serialize>(value: &T) -> u64 {
    let mut hasher = Sha256::new();
    // Serializing a model type to a Vec cannot fail (no maps with non-string keys); on the
    // impossible error the fingerprint is that of the partial output, still deterministic.
    let _ = serde_json::to_writer(&mut HashWriter(&mut hasher), value);
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether an error means the credentials or privileges are wrong for every request.
fn is_access_error(e: &CscartError) -> bool {
    matches!(
        e,
        CscartError::Unauthorized { .. } | CscartError::Forbidden { .. }
    )
}

/// The entity an error names, if it names one.
fn problem(kind: EntityKind, error: CscartError) -> FeedProblem {
    let entity = match &error {
        CscartError::Decode { id: Some(id), .. } => Some(EntityRef::new(kind, id.as_str())),
        CscartError::Convert { entity, .. } => Some(entity.clone()),
        _ => None,
    };
    FeedProblem { entity, error }
}

/// An entity a feed reads: its id, change time and fingerprints.
trait FeedEntity: DeserializeOwned + Serialize {
    const KEY: &'static str;
    const WHAT: &'static str;
    const ID_FIELD: &'static str;
    /// Whether the scan of this kind reads the same type, so that fingerprints taken by
    /// the incremental feed are the scan's.
    const SCANNED_AS_LISTED: bool = false;
    fn id(&self) -> &str;
    /// The change time, for incremental feeds.
    fn changed_at(&self) -> Option<i64> {
        None
    }
    /// (content, stock) fingerprints; stock is 0 where there is none.
    fn fingerprints(&self) -> (u64, u64) {
        (fingerprint(self), 0)
    }
    /// Whether the entity converts into the store model (the errors do not depend on the
    /// tenant's settings).
    fn check(&self) -> Result<(), CscartError> {
        Ok(())
    }
}

impl FeedEntity for Order {
    const KEY: &'static str = "orders";
    const WHAT: &'static str = "order";
    const ID_FIELD: &'static str = "order_id";
    fn id(&self) -> &str {
        self.order_id.as_str()
    }
    fn changed_at(&self) -> Option<i64> {
        self.updated_at.map(|t| t.timestamp())
    }
    fn check(&self) -> Result<(), CscartError> {
        crate::convert::order(
            self,
            &crate::convert::OrderSettings {
                paid_statuses: Vec::new(),
                currency: "USD".to_owned(),
                multi_vendor: false,
            },
        )
        .map(drop)
    }
}

impl FeedEntity for OrderSummary {
    const KEY: &'static str = "orders";
    const WHAT: &'static str = "order";
    const ID_FIELD: &'static str = "order_id";
    fn id(&self) -> &str {
        self.order_id.as_str()
    }
}

impl FeedEntity for Product {
    const KEY: &'static str = "products";
    const WHAT: &'static str = "product";
    const ID_FIELD: &'static str = "product_id";
    const SCANNED_AS_LISTED: bool = true;
    fn id(&self) -> &str {
        self.product_id.as_str()
    }
    fn changed_at(&self) -> Option<i64> {
        self.updated_timestamp.map(|t| t.timestamp())
    }
    fn check(&self) -> Result<(), CscartError> {
        crate::convert::product(self, true).map(drop)
    }
    fn fingerprints(&self) -> (u64, u64) {
        let mut rest = self.clone();
        rest.amount = None;
        rest.tracking = crate::model::Tracking::StoreDefault;
        (
            fingerprint(&rest),
            fingerprint(&(&self.amount, &self.tracking)),
        )
    }
}

impl FeedEntity for User {
    const KEY: &'static str = "users";
    const WHAT: &'static str = "user";
    const ID_FIELD: &'static str = "user_id";
    fn id(&self) -> &str {
        self.user_id.as_str()
    }
    fn check(&self) -> Result<(), CscartError> {
        crate::convert::customer(self, None).map(drop)
    }
}

impl FeedEntity for Category {
    const KEY: &'static str = "categories";
    const WHAT: &'static str = "category";
    const ID_FIELD: &'static str = "category_id";
    fn id(&self) -> &str {
        self.category_id.as_str()
    }
    fn check(&self) -> Result<(), CscartError> {
        crate::convert::category(self).map(drop)
    }
}

/// Collects the changes of one poll, each entity at most once.
struct Collector {
    kind: EntityKind,
    changes: Vec<Change>,
    reported: HashSet<String>,
    problems: Vec<FeedProblem>,
}

impl Collector {
    fn new(kind: EntityKind) -> Self {
        Self {
            kind,
            changes: Vec::new(),
            reported: HashSet::new(),
            problems: Vec::new(),
        }
    }

    fn report(&mut self, id: &str, action: ChangeAction, cause: ChangeCause) {
        if self.reported.insert(id.to_owned()) {
            self.changes.push(Change {
                entity: EntityRef::new(self.kind, id),
                action,
                cause,
            });
        }
    }

    /// Records an entity that decodes but cannot become a store-model entity; it is still
    /// reported as changed (by the caller), so that the failure shows downstream.
    fn invalid(&mut self, error: CscartError) {
        let p = problem(self.kind, error);
        warn!(problem = %p, "CS-Cart feed: an entity cannot be converted");
        self.problems.push(p);
    }

    /// Records an entity that does not decode; returns its id when the error names one.
    fn unreadable(&mut self, error: CscartError) -> Option<String> {
        let p = problem(self.kind, error);
        let id = p.entity.as_ref().map(|e| e.id.clone());
        if let Some(id) = &id {
            self.report(id, ChangeAction::Upsert, ChangeCause::Unreadable);
        }
        warn!(problem = %p, "CS-Cart feed: an entity cannot be read");
        self.problems.push(p);
        id
    }
}

impl ChangeFeed {
    /// A feed reading through `client`.
    pub fn new(client: CscartClient, config: FeedConfig) -> Self {
        Self { client, config }
    }

    /// The client.
    pub fn client(&self) -> &CscartClient {
        &self.client
    }

    /// The settings.
    pub fn config(&self) -> &FeedConfig {
        &self.config
    }

    /// A cursor for an incremental feed that starts at `since` (unix seconds) rather than
    /// at the beginning: changes from then on are reported (with the overlap before it).
    /// Scans have no time; for them this is the empty cursor.
    pub fn cursor_since(feed: FeedKind, since: i64) -> String {
        encode(&State {
            feed: feed.cursor_name().to_owned(),
            since: if feed.is_scan() { 0 } else { since },
            ..State::default()
        })
    }

    /// Polls `feed` from `cursor` (`None`: from the beginning, which reports every entity).
    pub async fn poll(
        &self,
        feed: FeedKind,
        cursor: Option<&str>,
    ) -> Result<FeedPoll, CscartError> {
        self.poll_with(feed, cursor, PollOptions::default()).await
    }

    /// [`poll`](Self::poll) with options.
    pub async fn poll_with(
        &self,
        feed: FeedKind,
        cursor: Option<&str>,
        options: PollOptions,
    ) -> Result<FeedPoll, CscartError> {
        let state = match cursor {
            None => State {
                feed: feed.cursor_name().to_owned(),
                ..State::default()
            },
            Some(text) => decode_cursor(feed, text)?,
        };
        debug!(%feed, "CS-Cart feed: polling");
        let q = ListQuery::new();
        match feed {
            FeedKind::Orders => {
                let q = q
                    .param("get_orders_data", "Y")
                    .param("sort_by", "order_id")
                    .param("sort_order", "asc");
                self.incremental::<Order>(feed, state, q, Filter::UpdatedAtFrom)
                    .await
            }
            FeedKind::Products => {
                let q = q
                    .param("sort_by", "updated_timestamp")
                    .param("sort_order", "desc");
                self.incremental::<Product>(feed, state, q, Filter::SortedDesc)
                    .await
            }
            FeedKind::ProductScan => {
                let q = q.param("sort_by", "timestamp").param("sort_order", "asc");
                self.scan::<Product>(feed, state, q, options).await
            }
            FeedKind::OrderScan => {
                let q = q.param("sort_by", "order_id").param("sort_order", "asc");
                self.scan::<OrderSummary>(feed, state, q, options).await
            }
            FeedKind::Customers => {
                let q = q
                    .param("user_type", self.config.customer_user_type.clone())
                    .param("sort_by", "id")
                    .param("sort_order", "asc");
                self.scan::<User>(feed, state, q, options).await
            }
            FeedKind::Categories => {
                let q = q.param("sort_by", "id").param("sort_order", "asc");
                self.scan::<Category>(feed, state, q, options).await
            }
        }
    }

    async fn incremental<T: FeedEntity>(
        &self,
        feed: FeedKind,
        state: State,
        query: ListQuery,
        filter: Filter,
    ) -> Result<FeedPoll, CscartError> {
        let overlap = self.config.overlap_secs.max(0);
        let from = state.since.saturating_sub(overlap).max(0);
        let query = match filter {
            Filter::UpdatedAtFrom => query.param("updated_at_from", from.to_string()),
            Filter::SortedDesc => query,
        };
        let per_page = self.config.items_per_page.max(1);
        let mut out = Collector::new(feed.entity_kind());
        let mut seen_now: BTreeMap<String, (i64, u64)> = BTreeMap::new();
        let mut known_now: Vec<(String, Option<(u64, u64)>)> = Vec::new();
        let mut first_total: Option<u64> = None;
        let mut last_total: Option<u64> = None;
        let mut unreadable = 0usize;
        let mut held: Option<String> = None;
        let mut ignored_filter = 0usize;
        let mut max_at = state.since;
        let mut page = 1u64;
        let mut pages = 0u64;
        let mut seen = 0usize;
        loop {
            let got = self
                .client
                .page_tolerant::<T>(T::KEY, &query, page, per_page, T::WHAT, T::ID_FIELD)
                .await;
            pages += 1;
            let (got, bad) = match got {
                Ok(ok) => ok,
                Err(e) if is_access_error(&e) => return Err(e),
                Err(e) => {
                    held = Some(format!("page {page} could not be read: {e}"));
                    out.problems.push(problem(feed.entity_kind(), e));
                    break;
                }
            };
            let n = got.items.len() + bad.len();
            seen += n;
            if got.total_items.is_some() {
                last_total = got.total_items;
            }
            match (first_total, got.total_items) {
                (None, t) => first_total = t,
                (Some(first), Some(now)) if now < first => {
                    held = Some(format!(
                        "the list shrank from {first} to {now} entities while it was read \
                         (entities deleted meanwhile may have hidden others)"
                    ));
                }
                _ => {}
            }
            unreadable += bad.len();
            for e in bad {
                out.unreadable(e);
            }
            let mut older_than_window = 0usize;
            let seen_before = seen_now.len();
            for item in &got.items {
                let id = item.id();
                let at = match item.changed_at() {
                    Some(at) => at,
                    None => {
                        // No change time: report it, and keep it at the cursor's time so
                        // that it is compared by fingerprint next time.
                        state.since
                    }
                };
                if at < from {
                    older_than_window += 1;
                    if matches!(filter, Filter::UpdatedAtFrom) {
                        ignored_filter += 1;
                    }
                    continue;
                }
                let fps = item.fingerprints();
                let fp = fps.0 ^ fps.1.rotate_left(1);
                if seen_now.contains_key(id) {
                    continue;
                }
                seen_now.insert(id.to_owned(), (at, fp));
                // Known to exist from now on, for the scan that will report its delete.
                known_now.push((id.to_owned(), T::SCANNED_AS_LISTED.then_some(fps)));
                max_at = max_at.max(at);
                if state.recent.get(id) != Some(&(at, fp)) {
                    out.report(id, ChangeAction::Upsert, ChangeCause::Changed);
                    if let Err(e) = item.check() {
                        out.invalid(e);
                    }
                }
            }
            // Newest first: once one entity is older than the window, so is every later one —
            // provided the store really sorted (an old version may ignore `sort_by`).
            let sorted_desc = got
                .items
                .windows(2)
                .all(|w| w[0].changed_at().unwrap_or(i64::MAX) >= w[1].changed_at().unwrap_or(0));
            let sorted_past_window =
                matches!(filter, Filter::SortedDesc) && older_than_window > 0 && sorted_desc;
            if sorted_past_window || page_is_last(page, per_page, n, got.total_items) {
                break;
            }
            if n > 0
                && seen_now.len() == seen_before
                && older_than_window == 0
                && !got.items.is_empty()
            {
                // A full page of nothing new: the store ignores `page` (or repeats a page
                // forever); reading on would never end.
                held = Some(format!(
                    "page {page} repeated entities already read; paging stopped"
                ));
                break;
            }
            page += 1;
        }
        if ignored_filter > 0 {
            warn!(
                %feed,
                ignored_filter,
                "CS-Cart returned orders older than updated_at_from: this store version may \
                 not support it (every order is read on each poll)"
            );
        }
        let mut state = state;
        // Whatever happens to the cursor, the ids delivered are known to exist from now on,
        // for the scan that will report their deletes.
        for (id, fps) in known_now {
            match fps {
                Some(fps) => {
                    state.known.insert(id, fps);
                }
                None => {
                    state.known.entry(id).or_insert(UNSCANNED);
                }
            }
        }
        if held.is_none()
            && matches!(filter, Filter::UpdatedAtFrom)
            && let Some(total) = last_total
            && ((seen_now.len() + ignored_filter + unreadable) as u64) < total
        {
            held = Some(format!(
                "{} entities were read where the list counted {total} (the list moved while                  it was read)",
                seen_now.len()
            ));
        }
        let cursor = if let Some(reason) = &held {
            warn!(%feed, %reason, "CS-Cart feed: cursor held");
            encode(&state)
        } else {
            state.recent.extend(seen_now);
            // A time in the future (a shop clock set wrong) must not carry the cursor past
            // every real change: it goes no further than a day ahead of this machine.
            let ceiling = Utc::now().timestamp().saturating_add(86_400);
            let max_at = max_at.min(ceiling.max(state.since));
            let keep_from = max_at.saturating_sub(overlap);
            state.recent.retain(|_, (at, _)| *at >= keep_from);
            state.since = max_at;
            encode(&state)
        };
        Ok(FeedPoll {
            feed,
            changes: out.changes,
            problems: out.problems,
            deletes: Deletes::NotChecked,
            cursor,
            cursor_held: held,
            pages,
            seen,
        })
    }

    async fn scan<T: FeedEntity>(
        &self,
        feed: FeedKind,
        mut state: State,
        query: ListQuery,
        options: PollOptions,
    ) -> Result<FeedPoll, CscartError> {
        let per_page = self.config.items_per_page.max(1);
        let kind = feed.entity_kind();
        let mut out = Collector::new(kind);
        // Ids move from the last scan's set into this one's as they are seen, so that the
        // two sets never hold the same id and what is left at the end vanished.
        let mut before = std::mem::take(&mut state.known);
        let known = before.len();
        let mut now: HashMap<String, (u64, u64)> = HashMap::with_capacity(known);
        let mut incomplete: Option<String> = None;
        let mut total: Option<u64> = None;
        let mut failures = 0u32;
        let mut page = 1u64;
        let mut pages = 0u64;
        let mut seen = 0usize;
        loop {
            let got = self
                .client
                .page_tolerant::<T>(T::KEY, &query, page, per_page, T::WHAT, T::ID_FIELD)
                .await;
            pages += 1;
            let (got, bad) = match got {
                Ok(ok) => ok,
                Err(e) if is_access_error(&e) => return Err(e),
                Err(e) => {
                    let reason = format!("the scan could not read page {page}: {e}");
                    out.problems.push(problem(kind, e));
                    if incomplete.is_none() {
                        incomplete = Some(reason);
                    }
                    // Go on with the next page when the size of the list is known (but not
                    // through a run of failures: the store is down).
                    failures += 1;
                    match total {
                        Some(t) if failures < 3 && page.saturating_mul(u64::from(per_page)) < t => {
                            page += 1;
                            continue;
                        }
                        _ => break,
                    }
                }
            };
            failures = 0;
            let n = got.items.len() + bad.len();
            seen += n;
            if total.is_none() {
                total = got.total_items;
            }
            let ids_before = now.len();
            for e in bad {
                if let Some(id) = out.unreadable(e) {
                    // Seen, so not vanished; its old fingerprints stay.
                    let old = before.remove(&id).unwrap_or(UNSCANNED);
                    now.entry(id).or_insert(old);
                }
            }
            for item in &got.items {
                let id = item.id();
                if now.contains_key(id) {
                    continue;
                }
                let fps = item.fingerprints();
                let cause = match before.remove(id).as_ref() {
                    None => Some(ChangeCause::New),
                    // Delivered by the incremental feed since the last scan: adopted.
                    Some(&UNSCANNED) => None,
                    Some(old) if old.0 != fps.0 => Some(ChangeCause::Content),
                    Some(old) if old.1 != fps.1 => Some(ChangeCause::Stock),
                    Some(_) => None,
                };
                if let Some(cause) = cause {
                    out.report(id, ChangeAction::Upsert, cause);
                    if let Err(e) = item.check() {
                        out.invalid(e);
                    }
                }
                now.insert(id.to_owned(), fps);
            }
            if page_is_last(page, per_page, n, got.total_items) {
                break;
            }
            if n > 0 && now.len() == ids_before {
                // A full page of nothing new: the store ignores `page` (or repeats a page
                // forever); reading on would never end, and the scan is not complete.
                incomplete.get_or_insert_with(|| {
                    format!("page {page} repeated entities already read; the scan stopped there")
                });
                break;
            }
            page += 1;
        }
        let vanished: Vec<(String, (u64, u64))> = before.into_iter().collect();
        let deletes = if vanished.is_empty() {
            match incomplete {
                Some(reason) => Deletes::Withheld {
                    vanished: 0,
                    reason,
                },
                None => Deletes::Checked {
                    vanished: 0,
                    confirmed: 0,
                },
            }
        } else if let Some(reason) = incomplete {
            Deletes::Withheld {
                vanished: vanished.len(),
                reason,
            }
        } else if let Some(reason) = self.mass_delete(known, now.len(), vanished.len())
            && !options.allow_mass_delete
        {
            Deletes::Withheld {
                vanished: vanished.len(),
                reason,
            }
        } else {
            let mut confirmed = 0usize;
            for (id, old) in &vanished {
                match self.gone(feed, id).await {
                    Ok(true) => {
                        confirmed += 1;
                        out.report(id, ChangeAction::Delete, ChangeCause::Deleted);
                        continue;
                    }
                    Ok(false) => {
                        debug!(%feed, %id, "missing from the scan but still in the store");
                    }
                    Err(e) if is_access_error(&e) => return Err(e),
                    Err(e) => out.problems.push(FeedProblem {
                        entity: Some(EntityRef::new(kind, id.as_str())),
                        error: e,
                    }),
                }
                // Not confirmed: keep it as it was.
                now.insert(id.clone(), *old);
            }
            Deletes::Checked {
                vanished: vanished.len(),
                confirmed,
            }
        };
        if let Deletes::Withheld {
            reason,
            vanished: n,
        } = &deletes
        {
            if *n > 0 {
                warn!(%feed, vanished = n, %reason, "CS-Cart feed: deletes withheld");
            }
            // Kept as they were, to be looked at again by the next scan.
            now.extend(vanished);
        }
        state.known = now;
        let cursor = encode(&state);
        Ok(FeedPoll {
            feed,
            changes: out.changes,
            problems: out.problems,
            deletes,
            cursor,
            cursor_held: None,
            pages,
            seen,
        })
    }

    /// Why a scan that lost `vanished` of `known` ids (finding `found`) should not report
    /// deletes, if it should not.
    fn mass_delete(&self, known: usize, found: usize, vanished: usize) -> Option<String> {
        if found == 0 && known > 0 {
            return Some(format!(
                "the scan found no entity at all where the last one found {known}; a revoked \
                 privilege or a changed API user looks like that"
            ));
        }
        let share = vanished as f64 / known.max(1) as f64;
        (vanished > self.config.mass_delete_min && share > self.config.mass_delete_fraction).then(
            || {
                format!(
                    "{vanished} of {known} known entities vanished at once ({:.0}% > {:.0}%); \
                     a revoked privilege or a narrowed API user looks like that. Poll with \
                     allow_mass_delete to confirm",
                    share * 100.0,
                    self.config.mass_delete_fraction * 100.0
                )
            },
        )
    }

    /// Whether the store confirms that `id` is gone (404, or an empty user list).
    async fn gone(&self, feed: FeedKind, id: &str) -> Result<bool, CscartError> {
        let result = match feed {
            FeedKind::Orders | FeedKind::OrderScan => {
                self.client.order(&OrderId::new(id)).await.map(drop)
            }
            FeedKind::Products | FeedKind::ProductScan => {
                self.client.product(&ProductId::new(id)).await.map(drop)
            }
            FeedKind::Customers => self.client.user(&CustomerId::new(id)).await.map(drop),
            FeedKind::Categories => self.client.category(&CategoryId::new(id)).await.map(drop),
        };
        match result {
            Ok(()) => Ok(false),
            Err(CscartError::NotFound { .. }) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// How an incremental feed limits its list to recent changes.
#[derive(Debug, Clone, Copy)]
enum Filter {
    /// The store filters (`updated_at_from`).
    UpdatedAtFrom,
    /// The list is sorted by change time, newest first; reading stops past the window.
    SortedDesc,
}

fn encode(cursor: &State) -> String {
    // A cursor is plain data (strings, integers, maps with string keys): serializing it to
    // a String cannot fail.
    serde_json::to_string(cursor).unwrap_or_default()
}

fn decode_cursor(feed: FeedKind, text: &str) -> Result<State, CscartError> {
    let invalid = |reason: String| CscartError::InvalidInput {
        what: "feed cursor",
        reason,
    };
    let state: State = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "the cursor of {feed} is not one this version wrote ({e}); delete it to start over"
        ))
    })?;
    if state.feed != feed.cursor_name() {
        return Err(invalid(format!(
            "the cursor given to {feed} belongs to another feed ({})",
            state.feed
        )));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn feed_names_round_trip() {
        for k in FeedKind::ALL {
            assert_eq!(FeedKind::from_name(k.name()), Some(k));
        }
        assert_eq!(FeedKind::from_name("cscart.nope"), None);
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_feed() {
        for k in FeedKind::ALL {
            let c = ChangeFeed::cursor_since(k, 1_700_000_000);
            assert!(decode_cursor(k, &c).is_ok(), "{k}");
            let other = FeedKind::ALL
                .into_iter()
                .find(|o| o.cursor_name() != k.cursor_name())
                .unwrap();
            let err = decode_cursor(other, &c).unwrap_err().to_string();
            assert!(err.contains("another feed"), "{err}");
        }
        let err = decode_cursor(FeedKind::Orders, "{garbage")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cscart.orders") && err.contains("start over"),
            "{err}"
        );
    }

    #[test]
    fn fingerprints_are_stable_and_content_sensitive() {
        let a: Product = serde_json::from_str(
            r#"{"product_id":"1","product":"Mug","price":"9.50","amount":"3","tracking":"B"}"#,
        )
        .unwrap();
        let mut b = a.clone();
        assert_eq!(a.fingerprints(), b.fingerprints());
        b.amount = Some(rust_decimal::Decimal::from(2));
        assert_eq!(a.fingerprints().0, b.fingerprints().0, "stock is apart");
        assert_ne!(a.fingerprints().1, b.fingerprints().1);
        b.price = Some(rust_decimal::Decimal::from(10));
        assert_ne!(a.fingerprints().0, b.fingerprints().0);
        // The same value on every build (the first 8 bytes of SHA-256 of `1`, a published
        // digest): the cursor outlives the binary.
        assert_eq!(fingerprint(&1u8), 0x6b86_b273_ff34_fce1);
        assert_ne!(fingerprint(&"x"), fingerprint(&"y"));
    }
}
