//! The write pipeline shared by every entity: schema check (2010), create, sparse and
//! full update (SyncToken check, 5010), delete, void; the per-kind rules live in
//! `names.rs` and `sales.rs`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::{Company, Effect, Hidden, Record, names, sales, schema};
use crate::fault::Fault;
use crate::json::{self, Object};
use crate::kind::Kind;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteOp {
    Create,
    Update { sparse: bool },
    Delete,
    Void,
}

/// The circumstances of one write.
#[derive(Debug)]
pub(crate) struct WriteCtx<'a> {
    pub now: DateTime<Utc>,
    /// Entities created earlier in the same batch, which QBO's batch items cannot see.
    pub hidden: &'a Hidden,
    /// `include=allowduplicatedocnum`.
    pub allow_duplicate_doc_number: bool,
}

/// What a write did: the entity's id, and whether it is now deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    pub id: String,
    pub deleted: bool,
}

impl Written {
    fn stored(id: String) -> Self {
        Self { id, deleted: false }
    }
}

/// A candidate entity after its kind's rules: the JSON to store and its ledger effects.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    pub body: Object,
    pub effects: Vec<Effect>,
    /// QBO numbers the document (custom transaction numbers off, none sent).
    pub auto_doc_number: bool,
}

impl Prepared {
    pub(super) fn plain(body: Object) -> Self {
        Self {
            body,
            ..Self::default()
        }
    }
}

/// Keys only the server writes.
const SYSTEM: &[&str] = &["Id", "SyncToken", "MetaData", "domain", "status", "sparse"];

/// Read-only keys per kind: accepted in a request and ignored (notes §6, leniency).
fn read_only(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Customer => &[
            "FullyQualifiedName",
            "Level",
            "Balance",
            "BalanceWithJobs",
            "V4IDPseudonym",
        ],
        Kind::Item => &[
            "FullyQualifiedName",
            "Level",
            "AvgCost",
            "QtyOnPurchaseOrder",
            "QtyOnSalesOrder",
        ],
        Kind::Account => &[
            "FullyQualifiedName",
            "Classification",
            "CurrentBalance",
            "CurrentBalanceWithSubAccounts",
        ],
        Kind::Invoice | Kind::SalesReceipt | Kind::RefundReceipt => {
            &["TotalAmt", "Balance", "HomeBalance", "HomeTotalAmt"]
        }
        Kind::CreditMemo => &[
            "TotalAmt",
            "Balance",
            "HomeBalance",
            "HomeTotalAmt",
            "RemainingCredit",
        ],
        Kind::Payment => &["UnappliedAmt"],
        Kind::Vendor => &["Balance"],
        _ => &[],
    }
}

fn strip(kind: Kind, body: &mut Object) {
    let read_only = read_only(kind);
    let stripped = |key: &str| SYSTEM.contains(&key) || read_only.contains(&key);
    if body.keys().any(|key| stripped(key)) {
        body.retain(|key, _| !stripped(key));
    }
}

/// Merges `patch` into `base`: top-level keys are replaced whole (QBO's sparse update),
/// except for `deep` where objects merge key by key (Preferences groups).
fn merge(base: &mut Object, patch: Object, deep: bool) {
    for (key, value) in patch {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) if deep => merge(old, new, true),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Checks a string's length in characters (2050).
/// The required `Name` of a name-list entity: trimmed and written back, at most `max`
/// characters (2020 when missing or blank, 2050 when too long).
pub(super) fn required_name(body: &mut Object, max: usize) -> Result<String, Fault> {
    let name = json::text(body, "Name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Fault::required("Name"))?
        .to_owned();
    body.insert("Name".to_owned(), Value::String(name.clone()));
    check_len(body, "Name", max)?;
    Ok(name)
}

pub(super) fn check_len(body: &Object, key: &str, max: usize) -> Result<(), Fault> {
    check_len_at(body, key, key, max)
}

/// Whether a string of `body` could be longer than its limit in `limits`: a string has
/// at most as many characters as bytes, so when none has more bytes than its limit, no
/// length check can fail. One pass over the object instead of a lookup per limit.
fn may_be_too_long(body: &Object, limits: &[(&str, usize)]) -> bool {
    let floor = limits.iter().map(|(_, max)| *max).min().unwrap_or(0);
    body.iter().any(|(key, value)| match value {
        Value::String(text) if text.len() > floor => limits
            .iter()
            .any(|(name, max)| *name == key && text.len() > *max),
        _ => false,
    })
}

/// [`check_len`] for each `(key, max)` in order (the first too long one is the fault).
pub(super) fn check_lens(body: &Object, limits: &[(&str, usize)]) -> Result<(), Fault> {
    if !may_be_too_long(body, limits) {
        return Ok(());
    }
    for (key, max) in limits {
        check_len(body, key, *max)?;
    }
    Ok(())
}

pub(super) fn check_len_at(
    body: &Object,
    key: &str,
    element: &str,
    max: usize,
) -> Result<(), Fault> {
    if let Some(text) = body.get(key).and_then(Value::as_str) {
        check_text_len(text, element, max)?;
    }
    Ok(())
}

/// Checks a string's length in characters (2050); counting them only when it has more
/// bytes than the limit (a string has at most as many characters as bytes).
fn check_text_len(text: &str, element: &str, max: usize) -> Result<(), Fault> {
    if text.len() <= max {
        return Ok(());
    }
    let len = text.chars().count();
    if len > max {
        return Err(Fault::too_long(element, max, len));
    }
    Ok(())
}

/// Checks a string inside an object field, e.g. `BillAddr.Line1`.
pub(super) fn check_nested_len(
    body: &Object,
    outer: &str,
    key: &str,
    max: usize,
) -> Result<(), Fault> {
    let Some(text) = body
        .get(outer)
        .and_then(Value::as_object)
        .and_then(|inner| inner.get(key))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    if text.len() <= max {
        return Ok(());
    }
    check_text_len(text, &format!("{outer}.{key}"), max)
}

/// Address lines, city and postal code of the addresses of a body.
pub(super) fn check_addresses(body: &Object, keys: &[&str]) -> Result<(), Fault> {
    const LIMITS: &[(&str, usize)] = &[
        ("Line1", 500),
        ("Line2", 500),
        ("Line3", 500),
        ("Line4", 500),
        ("Line5", 500),
        ("City", 255),
        ("Country", 255),
        ("CountrySubDivisionCode", 255),
        ("PostalCode", 30),
    ];
    for outer in keys {
        let Some(address) = body.get(*outer).and_then(Value::as_object) else {
            continue;
        };
        if !may_be_too_long(address, LIMITS) {
            continue;
        }
        for (key, max) in LIMITS {
            check_nested_len(body, outer, key, *max)?;
        }
    }
    Ok(())
}

/// Refuses a name with any of `forbidden` (2040).
pub(super) fn check_chars(name: &str, element: &str, forbidden: &[char]) -> Result<(), Fault> {
    // The forbidden characters are ASCII: when so, a byte scan finds them.
    if forbidden.iter().all(char::is_ascii)
        && !name
            .bytes()
            .any(|b| forbidden.iter().any(|c| u32::from(b) == u32::from(*c)))
    {
        return Ok(());
    }
    if let Some(c) = name.chars().find(|c| forbidden.contains(c)) {
        let shown = match c {
            '\t' => "tab".to_owned(),
            '\n' | '\r' => "new line".to_owned(),
            c => format!("'{c}'"),
        };
        return Err(Fault::invalid_string(element, &shown));
    }
    Ok(())
}

/// The `Id` and `SyncToken` of an update, delete or void.
fn id_and_token(body: &Object) -> Result<(String, String), Fault> {
    let id = body
        .get("Id")
        .and_then(json::id_text)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Fault::required("Id"))?;
    let token = body
        .get("SyncToken")
        .and_then(json::id_text)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Fault::required("SyncToken"))?;
    Ok((id, token))
}

impl Company {
    /// Runs one write; the answer is then the stored entity (or, for a delete, its id
    /// with `status: "Deleted"`).
    pub(crate) fn write(
        &mut self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        op: WriteOp,
        body: Value,
    ) -> Result<Written, Fault> {
        let input = Self::check_input(kind, body)?;
        self.write_checked(ctx, kind, op, input)
    }

    /// The checks that need no company (JSON shape, the 2010 rule): run them before
    /// taking the company's lock.
    pub(crate) fn check_input(kind: Kind, body: Value) -> Result<Object, Fault> {
        let Value::Object(mut input) = body else {
            return Err(Fault::malformed(format!(
                "the request body must hold a {} object",
                kind.name()
            )));
        };
        schema::check_kind(kind, &mut input)?;
        Ok(input)
    }

    /// A write whose input passed [`Company::check_input`].
    pub(crate) fn write_checked(
        &mut self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        op: WriteOp,
        input: Object,
    ) -> Result<Written, Fault> {
        match op {
            WriteOp::Create => self.create(ctx, kind, input),
            WriteOp::Update { sparse } => self.update(ctx, kind, input, sparse),
            WriteOp::Delete => self.delete(ctx, kind, &input),
            WriteOp::Void => self.void(ctx, kind, &input),
        }
    }

    fn prepare(
        &self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        body: Object,
        old: Option<&Record>,
    ) -> Result<Prepared, Fault> {
        match kind {
            Kind::Customer => names::customer(self, ctx, body, old),
            Kind::Item => names::item(self, ctx, body, old),
            Kind::Account => names::account(self, ctx, body, old),
            Kind::PaymentMethod => names::payment_method(self, body, old),
            Kind::Vendor | Kind::Employee => names::person(self, kind, body, old),
            Kind::Invoice | Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt => {
                sales::sales_form(self, ctx, kind, body, old)
            }
            Kind::Payment => sales::payment(self, ctx, body, old),
            Kind::CompanyInfo | Kind::Preferences => Ok(Prepared::plain(body)),
            Kind::TaxCode | Kind::TaxRate => Err(Fault::unsupported(format!(
                "Operation Update is not supported for {}",
                kind.name()
            ))),
        }
    }

    fn create(
        &mut self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        mut input: Object,
    ) -> Result<Written, Fault> {
        if !kind.creatable() {
            return Err(Fault::unsupported(format!(
                "Operation Create is not supported for {}",
                kind.name()
            )));
        }
        strip(kind, &mut input);
        let prepared = self.prepare(ctx, kind, input, None)?;
        let id = self.next_id(kind);
        let mut body = prepared.body;
        if prepared.auto_doc_number {
            let doc = self.next_doc_number(kind);
            body.insert("DocNumber".to_owned(), Value::String(doc));
        }
        let mut record = Record::new(&id, body, ctx.now);
        names::finish(&self.realm, kind, &mut record);
        for effect in &prepared.effects {
            self.apply(effect, Decimal::ONE, &id, ctx.now);
        }
        record.effects = prepared.effects;
        self.replace(kind, &id, Some(record));
        Ok(Written::stored(id))
    }

    /// The live record for an update, delete or void, after the SyncToken check.
    fn current(&self, ctx: &WriteCtx<'_>, kind: Kind, body: &Object) -> Result<Record, Fault> {
        let (id, token) = id_and_token(body)?;
        if ctx.hidden.contains(&(kind, id.clone())) {
            return Err(Fault::not_found("Id"));
        }
        let record = self
            .get(kind, &id)
            .ok_or_else(|| Fault::not_found("Id"))?
            .clone();
        if token != record.version.to_string() {
            return Err(Fault::stale());
        }
        Ok(record)
    }

    fn update(
        &mut self,
        ctx: &WriteCtx<'_>,
        kind: Kind,
        mut input: Object,
        sparse: bool,
    ) -> Result<Written, Fault> {
        if !kind.updatable() {
            return Err(Fault::unsupported(format!(
                "Operation Update is not supported for {}",
                kind.name()
            )));
        }
        let old = self.current(ctx, kind, &input)?;
        let id = old.id().to_owned();
        strip(kind, &mut input);
        let candidate = if sparse {
            let mut base = old.body().clone();
            strip(kind, &mut base);
            merge(&mut base, input, kind == Kind::Preferences);
            base
        } else {
            input
        };
        let prepared = self.prepare(ctx, kind, candidate, Some(&old))?;
        if old.effects != prepared.effects {
            for effect in &old.effects {
                self.apply(effect, Decimal::NEGATIVE_ONE, &id, ctx.now);
            }
            for effect in &prepared.effects {
                self.apply(effect, Decimal::ONE, &id, ctx.now);
            }
        }
        // Applying the effects may have changed this very record (never in practice: a
        // transaction does not pay itself), so start from the stored one.
        let mut record = self.get(kind, &id).cloned().unwrap_or(old);
        let body = prepared.body;
        record.edit(|old| *old = body);
        record.effects = prepared.effects;
        record.bump(ctx.now);
        names::finish(&self.realm, kind, &mut record);
        self.replace(kind, &id, Some(record));
        Ok(Written::stored(id))
    }

    /// Refuses to delete or void a transaction that payments were applied to.
    fn check_no_payments(record: &Record, what: &str) -> Result<(), Fault> {
        let paid = record
            .body()
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .is_some_and(|links| {
                links.iter().any(|l| {
                    l.as_object()
                        .is_some_and(|o| json::text(o, "TxnType") == Some("Payment"))
                })
            });
        if paid {
            return Err(Fault::business(
                format!("This transaction has payments applied; {what} the payments first."),
                "LinkedTxn",
            ));
        }
        Ok(())
    }

    fn delete(&mut self, ctx: &WriteCtx<'_>, kind: Kind, input: &Object) -> Result<Written, Fault> {
        if !kind.is_transaction() {
            return Err(Fault::unsupported(format!(
                "Operation Delete is not supported for {}",
                kind.name()
            )));
        }
        let mut record = self.current(ctx, kind, input)?;
        Self::check_no_payments(&record, "delete")?;
        let id = record.id().to_owned();
        for effect in &record.effects {
            self.apply(effect, Decimal::NEGATIVE_ONE, &id, ctx.now);
        }
        record.effects.clear();
        record.deleted = true;
        record.bump(ctx.now);
        self.replace(kind, &id, Some(record));
        Ok(Written { id, deleted: true })
    }

    fn void(&mut self, ctx: &WriteCtx<'_>, kind: Kind, input: &Object) -> Result<Written, Fault> {
        if !kind.is_transaction() {
            return Err(Fault::unsupported(format!(
                "Operation Void is not supported for {}",
                kind.name()
            )));
        }
        let mut record = self.current(ctx, kind, input)?;
        let id = record.id().to_owned();
        if !record.voided {
            Self::check_no_payments(&record, "void")?;
            for effect in &record.effects {
                self.apply(effect, Decimal::NEGATIVE_ONE, &id, ctx.now);
            }
            record.effects.clear();
            record.edit(sales::zero_out);
            record.voided = true;
        }
        record.bump(ctx.now);
        self.replace(kind, &id, Some(record));
        Ok(Written::stored(id))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sparse_merge_replaces_top_level_and_deep_merges_preferences() {
        let mut base = match json!({"A": {"x": 1, "y": 2}, "B": 1}) {
            Value::Object(o) => o,
            _ => Object::new(),
        };
        let patch = match json!({"A": {"x": 5}}) {
            Value::Object(o) => o,
            _ => Object::new(),
        };
        let mut shallow = base.clone();
        merge(&mut shallow, patch.clone(), false);
        assert_eq!(Value::Object(shallow), json!({"A": {"x": 5}, "B": 1}));
        merge(&mut base, patch, true);
        assert_eq!(Value::Object(base), json!({"A": {"x": 5, "y": 2}, "B": 1}));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let body = match json!({"Name": "ééééé"}) {
            Value::Object(o) => o,
            _ => Object::new(),
        };
        assert!(check_len(&body, "Name", 5).is_ok());
        assert_eq!(
            check_len(&body, "Name", 4).map_err(|f| f.code()),
            Err("2050")
        );
    }
}
