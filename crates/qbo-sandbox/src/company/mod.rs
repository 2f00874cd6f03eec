//! One QBO company (realm): its entities, the indexes QBO's rules need (unique names,
//! document numbers), the ledger effects of transactions (stock, payments applied,
//! customer balances) and the remembered answers of `requestid`s.
//!
//! Invariants, kept by routing every change through [`Company::replace`]:
//! - the name index holds exactly one entry per live name-list entity;
//! - a customer's `Balance` is the sum of the contributions of its live transactions
//!   (invoice balances, minus unused credit and unapplied payments);
//! - an entity's `SyncToken` in its JSON is its version, bumped by every change QBO
//!   would version (writes, payments applied to an invoice).

mod names;
mod sales;
mod schema;
mod seed;
mod write;

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::clock::{answer_time, meta_time};
use crate::fault::Fault;
use crate::hash;
use crate::json::{self, Extra, Object};
use crate::kind::Kind;

pub(crate) use write::{WriteCtx, WriteOp, Written};

/// An entity id as a sort key: numeric ids in numeric order, then the others (`TAX`, `NON`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum IdKey {
    Num(u64),
    Text(String),
}

impl IdKey {
    pub(crate) fn parse(id: &str) -> Self {
        match id.parse::<u64>() {
            Ok(n) if !id.starts_with('0') || id == "0" => Self::Num(n),
            _ => Self::Text(id.to_owned()),
        }
    }
}

/// A ledger effect of a transaction, kept so that an update, void or delete reverts
/// exactly what was applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// `QtyOnHand` of an inventory item moves by `qty`.
    Stock { item: String, qty: Decimal },
    /// A payment line applied `amount` to an invoice or a credit memo.
    Applied {
        kind: Kind,
        id: String,
        amount: Decimal,
    },
}

/// A stored entity.
///
/// Its JSON is kept as written out (a [`Wire`]), which is what answers send and what
/// takes the least memory; the object form that the rules and queries read
/// ([`Record::body`]) is parsed from it on first use and kept until the record changes.
/// A new version is built as an object ([`Record::edit`]) and written out once, with
/// its system fields (`Id`, `SyncToken`, `MetaData`, `domain`, `sparse`), when the
/// company stores it ([`Company::replace`]).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The entity's `Id`.
    id: String,
    /// The version as written out; `None` while a new version is being built (`parsed`
    /// then holds it, without fresh system fields).
    wire: Option<Wire>,
    /// The entity's JSON as an object, once parsed or while being built.
    parsed: OnceLock<Object>,
    pub version: u64,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// A deleted transaction (kept for CDC; reads give 610).
    pub deleted: bool,
    pub voided: bool,
    /// What this transaction applied to other entities.
    pub effects: Vec<Effect>,
}

/// A version as written out: the answer to the write that made it,
/// `{"<Entity>":<JSON>,"time":"<when>"}`, whose `text[start..end]` is the entity's JSON.
/// One buffer serves as the stored entity, the answer and the `requestid` memory.
#[derive(Debug, Clone)]
struct Wire {
    text: Bytes,
    kind: Kind,
    start: usize,
    end: usize,
}

impl Wire {
    fn json(&self) -> &[u8] {
        self.text.get(self.start..self.end).unwrap_or_default()
    }
}

/// Reads a stored JSON object back (it was written by [`Record::seal`], so it parses).
fn parse_object(json: &[u8]) -> Object {
    serde_json::from_slice(json).unwrap_or_default()
}

impl Record {
    /// A new entity (version 0) whose JSON is `body` plus the system fields.
    fn new(id: &str, body: Object, now: DateTime<Utc>) -> Self {
        Self {
            id: id.to_owned(),
            wire: None,
            parsed: OnceLock::from(body),
            version: 0,
            created: now,
            updated: now,
            deleted: false,
            voided: false,
            effects: Vec::new(),
        }
    }

    /// The entity's JSON as an object (while a new version is being built, without its
    /// new system fields: nothing reads those before it is stored).
    pub(crate) fn body(&self) -> &Object {
        self.parsed.get_or_init(|| {
            self.wire
                .as_ref()
                .map(|wire| parse_object(wire.json()))
                .unwrap_or_default()
        })
    }

    /// The entity's JSON as a value of its own (for answers built as values).
    pub(crate) fn value(&self) -> Value {
        match (&self.wire, self.parsed.get()) {
            (Some(_), Some(body)) => Value::Object(body.clone()),
            (Some(wire), None) => serde_json::from_slice(wire.json()).unwrap_or_default(),
            (None, _) => {
                let mut out = Vec::new();
                self.write(&mut out);
                serde_json::from_slice(&out).unwrap_or_default()
            }
        }
    }

    /// The answer `{"<Entity>": <its JSON>, "time": <now>}`: for the write that made
    /// this version, the very buffer it was stored as.
    pub(crate) fn answer(&self, kind: Kind, now: DateTime<Utc>) -> Bytes {
        if let Some(wire) = &self.wire
            && wire.kind == kind
            && self.updated == now
        {
            return wire.text.clone();
        }
        let time = answer_time(now);
        let mut out = Vec::with_capacity(
            self.wire.as_ref().map_or(1024, |w| w.end - w.start) + time.len() + 32,
        );
        json::open_envelope(&mut out, kind.name());
        match &self.wire {
            Some(wire) => out.extend_from_slice(wire.json()),
            None => self.write(&mut out),
        }
        json::close_envelope(&mut out, &time);
        Bytes::from(out)
    }

    /// Changes the entity's JSON: a new version to be written out when stored.
    pub(crate) fn edit<T>(&mut self, change: impl FnOnce(&mut Object) -> T) -> T {
        let mut body = match self.parsed.take() {
            Some(body) => body,
            None => self
                .wire
                .as_ref()
                .map(|wire| parse_object(wire.json()))
                .unwrap_or_default(),
        };
        let out = change(&mut body);
        self.parsed = OnceLock::from(body);
        self.wire = None;
        out
    }

    /// Writes the JSON of the object form, with the system fields, to `out`.
    fn write(&self, out: &mut Vec<u8>) {
        let id = self.id.as_str();
        let version = self.version.to_string();
        let updated = meta_time(self.updated);
        let created = if self.created == self.updated {
            updated.clone()
        } else {
            meta_time(self.created)
        };
        let meta = [
            ("CreateTime", Extra::Str(&created)),
            ("LastUpdatedTime", Extra::Str(&updated)),
        ];
        // Sorted by key, as `json::write_object` wants them.
        let system = [
            ("Id", Extra::Str(id)),
            ("MetaData", Extra::Object(&meta)),
            ("SyncToken", Extra::Str(&version)),
            ("domain", Extra::Str("QBO")),
            ("sparse", Extra::Bool(false)),
        ];
        json::write_object(out, self.body(), &system);
    }

    /// Writes a new version out, as the answer to the write that makes it (see [`Wire`]),
    /// and hands back the object form, which the record no longer keeps.
    #[must_use]
    fn seal(&mut self, kind: Kind) -> Option<Object> {
        if self.wire.as_ref().is_none_or(|wire| wire.kind != kind) {
            // Room for a typical entity, so that writing it seldom grows the buffer.
            let mut out = Vec::with_capacity(1024);
            json::open_envelope(&mut out, kind.name());
            let start = out.len();
            self.write(&mut out);
            let end = out.len();
            json::close_envelope(&mut out, &answer_time(self.updated));
            // Kept for as long as the version lives: in a block of its own size.
            self.wire = Some(Wire {
                text: Bytes::copy_from_slice(&out),
                kind,
                start,
                end,
            });
        }
        self.parsed.take()
    }

    /// A new version: `SyncToken` + 1 and `LastUpdatedTime` now.
    fn bump(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated = now;
        self.edit(|_| ());
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn active(&self) -> bool {
        json::flag(self.body(), "Active").unwrap_or(true)
    }

    /// What CDC reports for a deleted entity.
    pub(crate) fn tombstone(&self) -> Object {
        let mut out = Object::new();
        out.insert("Id".to_owned(), Value::String(self.id().to_owned()));
        out.insert("status".to_owned(), Value::String("Deleted".to_owned()));
        out.insert("domain".to_owned(), Value::String("QBO".to_owned()));
        let mut meta = Object::new();
        meta.insert(
            "LastUpdatedTime".to_owned(),
            Value::String(meta_time(self.updated)),
        );
        out.insert("MetaData".to_owned(), Value::Object(meta));
        out
    }
}

/// A remembered answer to a write that carried a `requestid`.
#[derive(Debug, Clone)]
pub(crate) struct Replay {
    pub fingerprint: u64,
    pub status: u16,
    pub body: Bytes,
}

/// One company.
#[derive(Debug)]
pub(crate) struct Company {
    pub realm: String,
    tables: Vec<BTreeMap<IdKey, Record>>,
    next_id: Vec<u64>,
    next_txn_id: u64,
    next_doc_number: u64,
    /// `(kind, lower-cased unique name)` → id, for live name-list entities.
    /// Unique names: `(name space, lower-case name)` → `(kind, id)` of the holder (see
    /// [`Kind::name_space`]).
    names: hash::Map<(Kind, String), (Kind, String)>,
    /// `(kind, DocNumber)` → id, for live transactions.
    doc_numbers: hash::Map<(Kind, String), String>,
    /// `requestid` → the first answer.
    pub replays: hash::Map<String, Replay>,
    /// Object forms of records written out since [`Company::take_released`]: freeing
    /// them is left to the caller, after it lets go of the company's lock.
    released: Vec<Object>,
}

impl Company {
    /// A fresh company like a new QBO one: chart of accounts, payment methods, tax codes,
    /// preferences with inventory tracking on.
    pub(crate) fn new(realm: &str, now: DateTime<Utc>) -> Self {
        let mut company = Self {
            realm: realm.to_owned(),
            tables: Kind::ALL.iter().map(|_| BTreeMap::new()).collect(),
            next_id: Kind::ALL.iter().map(|_| 1).collect(),
            next_txn_id: 1,
            next_doc_number: 1001,
            names: hash::Map::default(),
            doc_numbers: hash::Map::default(),
            replays: hash::Map::default(),
            released: Vec::new(),
        };
        seed::seed(&mut company, now);
        company.released.clear();
        company
    }

    fn table(&self, kind: Kind) -> &BTreeMap<IdKey, Record> {
        &self.tables[kind.index()]
    }

    /// Every record of a kind, deleted ones included, in id order.
    pub(crate) fn records(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.table(kind).values()
    }

    /// The live record `id` of `kind`.
    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<&Record> {
        self.table(kind)
            .get(&IdKey::parse(id))
            .filter(|r| !r.deleted)
    }

    fn get_any(&self, kind: Kind, id: &str) -> Option<&Record> {
        self.table(kind).get(&IdKey::parse(id))
    }

    /// A fresh id: transactions share one sequence, each name list has its own.
    fn next_id(&mut self, kind: Kind) -> String {
        let counter = if kind.is_transaction() {
            &mut self.next_txn_id
        } else {
            &mut self.next_id[kind.index()]
        };
        loop {
            let id = *counter;
            *counter += 1;
            let text = id.to_string();
            if !self.tables[kind.index()].contains_key(&IdKey::Num(id)) {
                return text;
            }
        }
    }

    /// Inserts a seed entity as version 0.
    fn insert_seed(&mut self, kind: Kind, id: Option<&str>, body: Object, now: DateTime<Utc>) {
        let id = match id {
            Some(id) => id.to_owned(),
            None => self.next_id(kind),
        };
        let record = Record::new(&id, body, now);
        self.replace(kind, &id, Some(record));
    }

    /// The unique-name key of a name-list entity's JSON.
    fn name_key(kind: Kind, body: &Object) -> Option<String> {
        let field = match kind {
            Kind::Customer | Kind::Vendor | Kind::Employee => "DisplayName",
            Kind::Account => "FullyQualifiedName",
            Kind::Item | Kind::PaymentMethod => "Name",
            _ => return None,
        };
        json::text(body, field).map(|n| n.trim().to_lowercase())
    }

    /// The id holding `name` in `kind`'s unique names.
    pub(crate) fn name_holder(&self, kind: Kind, name: &str) -> Option<&str> {
        self.name_holder_of(kind, name).map(|(_, id)| id)
    }

    /// The kind and id holding `name` in `kind`'s name space (a vendor may hold a name a
    /// customer asks for).
    pub(crate) fn name_holder_of(&self, kind: Kind, name: &str) -> Option<(Kind, &str)> {
        self.names
            .get(&(kind.name_space(), name.trim().to_lowercase()))
            .map(|(holder, id)| (*holder, id.as_str()))
    }

    /// The id holding `doc` as `DocNumber` among live `kind` transactions.
    pub(crate) fn doc_holder(&self, kind: Kind, doc: &str) -> Option<&str> {
        self.doc_numbers
            .get(&(kind, doc.to_owned()))
            .map(String::as_str)
    }

    fn next_doc_number(&mut self, kind: Kind) -> String {
        loop {
            let doc = self.next_doc_number.to_string();
            self.next_doc_number += 1;
            if self.doc_holder(kind, &doc).is_none() {
                return doc;
            }
        }
    }

    /// What a transaction adds to its customer's balance.
    fn contribution(kind: Kind, record: &Record) -> Option<(String, Decimal)> {
        if record.deleted {
            return None;
        }
        let body = record.body();
        let amount = match kind {
            Kind::Invoice => json::decimal_at(body, "Balance")?,
            Kind::CreditMemo => -json::decimal_at(body, "RemainingCredit")?,
            Kind::Payment => -json::decimal_at(body, "UnappliedAmt")?,
            _ => return None,
        };
        Some((json::ref_id(body, "CustomerRef")?, amount))
    }

    /// The one way records change: keeps the name and document-number indexes and the
    /// customers' balances in step.
    fn replace(&mut self, kind: Kind, id: &str, new: Option<Record>) -> Option<Record> {
        let key = IdKey::parse(id);
        // What the new version adds to the indexes, read before it is written out.
        let (name, doc, contribution) = match &new {
            Some(new) if !new.deleted => (
                Self::name_key(kind, new.body()),
                kind.is_transaction()
                    .then(|| json::text(new.body(), "DocNumber").map(str::to_owned))
                    .flatten(),
                Self::contribution(kind, new),
            ),
            _ => (None, None, None),
        };
        let old = match new {
            Some(mut record) => {
                self.released.extend(record.seal(kind));
                self.tables[kind.index()].insert(key, record)
            }
            None => self.tables[kind.index()].remove(&key),
        };
        if let Some(old) = &old {
            if !old.deleted {
                if let Some(name) = Self::name_key(kind, old.body()) {
                    let key = (kind.name_space(), name);
                    if self
                        .names
                        .get(&key)
                        .is_some_and(|(holder, hid)| *holder == kind && hid == id)
                    {
                        self.names.remove(&key);
                    }
                }
                if let Some(doc) = json::text(old.body(), "DocNumber") {
                    self.doc_numbers.remove(&(kind, doc.to_owned()));
                }
            }
            if let Some((customer, amount)) = Self::contribution(kind, old) {
                self.adjust_customer_balance(&customer, -amount);
            }
        }
        if let Some(name) = name {
            self.names
                .insert((kind.name_space(), name), (kind, id.to_owned()));
        }
        if let Some(doc) = doc {
            self.doc_numbers.insert((kind, doc), id.to_owned());
        }
        if let Some((customer, amount)) = contribution {
            self.adjust_customer_balance(&customer, amount);
        }
        old
    }

    /// Changes a record in place through [`Company::replace`].
    fn modify(&mut self, kind: Kind, id: &str, change: impl FnOnce(&mut Record)) {
        if let Some(mut record) = self.get_any(kind, id).cloned() {
            change(&mut record);
            self.replace(kind, id, Some(record));
        }
    }

    fn adjust_customer_balance(&mut self, customer: &str, delta: Decimal) {
        if delta.is_zero() {
            return;
        }
        if let Some(record) = self.tables[Kind::Customer.index()].get_mut(&IdKey::parse(customer)) {
            record.edit(|body| {
                let balance =
                    saturating_add(json::decimal_at(body, "Balance").unwrap_or_default(), delta);
                body.insert("Balance".to_owned(), json::number(balance));
                body.insert("BalanceWithJobs".to_owned(), json::number(balance));
            });
            let released = record.seal(Kind::Customer);
            self.released.extend(released);
        }
    }

    /// Applies (`sign` 1) or reverts (`sign` -1) one effect of transaction `by`.
    fn apply(&mut self, effect: &Effect, sign: Decimal, by: &str, now: DateTime<Utc>) {
        match effect {
            Effect::Stock { item, qty } => {
                self.modify(Kind::Item, item, |record| {
                    record.edit(|body| {
                        let on_hand = json::decimal_at(body, "QtyOnHand").unwrap_or_default();
                        let moved = saturating_add(on_hand, sign.saturating_mul(*qty));
                        body.insert("QtyOnHand".to_owned(), json::number(moved));
                    });
                });
            }
            Effect::Applied { kind, id, amount } => {
                let kind = *kind;
                self.modify(kind, id, |record| {
                    let field = if kind == Kind::CreditMemo {
                        "RemainingCredit"
                    } else {
                        "Balance"
                    };
                    record.edit(|body| {
                        let open = json::decimal_at(body, field).unwrap_or_default();
                        let open =
                            json::number(saturating_add(open, -sign.saturating_mul(*amount)));
                        body.insert(field.to_owned(), open.clone());
                        if kind == Kind::CreditMemo {
                            body.insert("Balance".to_owned(), open);
                        }
                        link_payment(body, by, sign.is_sign_positive());
                    });
                    // Applying a payment bumps the invoice's SyncToken (notes §6).
                    record.bump(now);
                });
            }
        }
    }

    /// How much `payment` has applied to `(kind, id)`.
    fn applied_by(&self, payment: Option<&Record>, kind: Kind, id: &str) -> Decimal {
        payment
            .map(|p| {
                p.effects
                    .iter()
                    .filter_map(|e| match e {
                        Effect::Applied {
                            kind: k,
                            id: i,
                            amount,
                        } if *k == kind && i == id => Some(*amount),
                        _ => None,
                    })
                    .fold(Decimal::ZERO, saturating_add)
            })
            .unwrap_or_default()
    }

    /// Resolves a reference for a new transaction or entity: unknown (or created earlier
    /// in the same batch) → 2500, deleted or inactive → 610.
    pub(crate) fn resolve(
        &self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        id: &str,
        element: &str,
    ) -> Result<&Record, Fault> {
        if ctx.hidden.contains(&(kind, id.to_owned())) {
            return Err(Fault::invalid_reference(element, id));
        }
        match self.get_any(kind, id) {
            None => Err(Fault::invalid_reference(element, id)),
            Some(r) if r.deleted || !r.active() => Err(Fault::not_found(element)),
            Some(r) => Ok(r),
        }
    }

    /// The single `CompanyInfo` or `Preferences` record.
    pub(crate) fn singleton(&self, kind: Kind) -> Option<&Record> {
        self.table(kind).values().next()
    }

    /// A preference flag, e.g. `("SalesFormsPrefs", "AllowShipping")`.
    pub(crate) fn preference(&self, group: &str, name: &str) -> bool {
        self.singleton(Kind::Preferences)
            .and_then(|p| p.body().get(group))
            .and_then(Value::as_object)
            .and_then(|g| json::flag(g, name))
            .unwrap_or(false)
    }

    /// The id of the seeded account with this subtype (defaults such as Undeposited Funds).
    pub(crate) fn account_by_subtype(&self, subtype: &str) -> Option<&Record> {
        self.records(Kind::Account).find(|r| {
            !r.deleted && r.active() && json::text(r.body(), "AccountSubType") == Some(subtype)
        })
    }

    /// Ids of the kinds that changed since `since`, for CDC.
    pub(crate) fn changed_since(&self, kind: Kind, since: DateTime<Utc>) -> Vec<&Record> {
        let mut changed: Vec<&Record> = self.records(kind).filter(|r| r.updated >= since).collect();
        changed.sort_by_key(|r| r.updated);
        changed
    }

    /// What a write answers: the stored entity, or for a delete `{"Id", "status":
    /// "Deleted", "domain"}`.
    pub(crate) fn answer(&self, kind: Kind, written: &Written) -> Object {
        match self.get(kind, &written.id) {
            Some(record) if !written.deleted => match record.value() {
                Value::Object(body) => body,
                _ => Object::new(),
            },
            _ => {
                let mut out = Object::new();
                out.insert("Id".to_owned(), Value::String(written.id.clone()));
                out.insert("status".to_owned(), Value::String("Deleted".to_owned()));
                out.insert("domain".to_owned(), Value::String("QBO".to_owned()));
                out
            }
        }
    }

    /// The object forms let go of since the last call (see `released`).
    pub(crate) fn take_released(&mut self) -> Vec<Object> {
        std::mem::take(&mut self.released)
    }

    /// Live entity count per kind (inspection).
    pub(crate) fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL
            .into_iter()
            .map(|k| (k, self.records(k).filter(|r| !r.deleted).count()))
            .collect()
    }

    /// Hides the `(kind, id)` of entities created in this batch from later items.
    pub(crate) fn hidden_key(kind: Kind, id: &str) -> (Kind, String) {
        (kind, id.to_owned())
    }
}

/// Adds or removes `{"TxnId": by, "TxnType": "Payment"}` in a transaction's `LinkedTxn`.
fn link_payment(body: &mut Object, by: &str, add: bool) {
    let mut links: Vec<Value> = body
        .remove("LinkedTxn")
        .and_then(|v| match v {
            Value::Array(a) => Some(a),
            _ => None,
        })
        .unwrap_or_default();
    let is_this = |v: &Value| {
        v.as_object().is_some_and(|o| {
            o.get("TxnId").and_then(json::id_text).as_deref() == Some(by)
                && json::text(o, "TxnType") == Some("Payment")
        })
    };
    links.retain(|v| !is_this(v));
    if add {
        let mut link = Object::new();
        link.insert("TxnId".to_owned(), Value::String(by.to_owned()));
        link.insert("TxnType".to_owned(), Value::String("Payment".to_owned()));
        links.push(Value::Object(link));
    }
    if !links.is_empty() {
        body.insert("LinkedTxn".to_owned(), Value::Array(links));
    }
}

/// The set of entities created earlier in a batch.
pub(crate) type Hidden = HashSet<(Kind, String)>;

/// `a + b` for the company's running figures (balances, stock, open amounts). Every
/// amount and quantity entering them is below [`json::MAX_AMOUNT`] (10^15), so leaving
/// `Decimal`'s range would take more than 10^13 transactions; should it happen anyway, the
/// figure stays at `Decimal`'s bound (and the event is logged) instead of a panic under
/// the company's lock.
fn saturating_add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or_else(|| {
        tracing::error!("a running balance or stock figure reached Decimal's range");
        if b.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_sort_numbers_numerically_then_text() {
        let mut keys = vec![
            IdKey::parse("10"),
            IdKey::parse("TAX"),
            IdKey::parse("9"),
            IdKey::parse("NON"),
            IdKey::parse("007"),
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                IdKey::Num(9),
                IdKey::Num(10),
                IdKey::Text("007".into()),
                IdKey::Text("NON".into()),
                IdKey::Text("TAX".into()),
            ]
        );
    }

    #[test]
    fn a_fresh_company_has_its_lists() {
        let company = Company::new("123", Utc::now());
        assert!(company.records(Kind::Account).count() >= 10);
        assert!(company.records(Kind::PaymentMethod).count() >= 5);
        assert!(company.get(Kind::TaxCode, "TAX").is_some());
        assert!(company.get(Kind::TaxCode, "NON").is_some());
        assert!(company.preference("ProductAndServicesPrefs", "QuantityOnHand"));
        assert!(company.singleton(Kind::CompanyInfo).is_some());
        assert!(company.account_by_subtype("UndepositedFunds").is_some());
        // Every seeded account is indexed by its name.
        assert!(
            company
                .name_holder(Kind::Account, "undeposited funds")
                .is_some()
        );
    }
}
