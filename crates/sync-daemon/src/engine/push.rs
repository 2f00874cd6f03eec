//! What the engine needs to know about each QBO entity it writes: the key it is found by
//! after a create whose answer was lost, whether an entity found under that key is the
//! same one, and the marker documents carry.

use chrono::{DateTime, Utc};
use qbo_api::query::Query;
use qbo_api::{
    Customer, Entity, Invoice, Item, NameList, Payment, QboClient, QboError, SalesReceipt,
};

use crate::notes::LookupKey;

/// An entity the engine creates and updates.
pub(crate) trait Pushable: Entity {
    /// The key a created entity is found by.
    fn lookup_key(&self) -> Option<LookupKey>;
    /// Whether `found` (found in QBO under this entity's key) is this same entity:
    /// a customer with the same e-mail, an item with the same SKU and type.
    fn same_as(&self, found: &Self) -> bool;
    /// When QBO created it.
    fn created(&self) -> Option<DateTime<Utc>>;
    /// Writes the engine's marker into the entity (documents: `PrivateNote`).
    fn mark(&mut self, _marker: &str) {}
    /// The engine's marker, when the entity carries one.
    fn has_mark(&self, _marker: &str) -> bool {
        false
    }
    /// Whether the entity is a name (customer, item) QBO keeps unique.
    const NAMED: bool;
}

fn created_of(meta: Option<&qbo_api::ModificationMetaData>) -> Option<DateTime<Utc>> {
    meta.and_then(|m| m.create_time)
        .map(|t| t.with_timezone(&Utc))
}

fn email(c: &Customer) -> Option<String> {
    c.primary_email_addr
        .as_ref()
        .and_then(|e| e.address.as_deref())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
}

impl Pushable for Customer {
    const NAMED: bool = true;

    fn lookup_key(&self) -> Option<LookupKey> {
        self.display_name.clone().map(LookupKey::DisplayName)
    }

    fn same_as(&self, found: &Self) -> bool {
        email(self) == email(found)
    }

    fn created(&self) -> Option<DateTime<Utc>> {
        created_of(self.meta_data.as_ref())
    }
}

impl Pushable for Item {
    const NAMED: bool = true;

    fn lookup_key(&self) -> Option<LookupKey> {
        self.name.clone().map(LookupKey::Name)
    }

    fn same_as(&self, found: &Self) -> bool {
        let sku = |i: &Item| {
            i.sku
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        self.item_type == found.item_type && sku(self) == sku(found)
    }

    fn created(&self) -> Option<DateTime<Utc>> {
        created_of(self.meta_data.as_ref())
    }
}

/// A customer or item: a name QBO makes inactive rather than deleting.
pub(crate) trait Named: Pushable + NameList {
    /// Whether QBO holds it inactive.
    fn is_inactive(&self) -> bool;
    /// The sparse update that makes it active again (the deactivation, turned around).
    fn activation(&self) -> Self;
}

macro_rules! named {
    ($ty:ty) => {
        impl Named for $ty {
            fn is_inactive(&self) -> bool {
                self.active == Some(false)
            }

            fn activation(&self) -> Self {
                let mut up = self.deactivation();
                up.active = Some(true);
                up
            }
        }
    };
}

named!(Customer);
named!(Item);

macro_rules! document {
    ($ty:ty) => {
        impl Pushable for $ty {
            const NAMED: bool = false;

            fn lookup_key(&self) -> Option<LookupKey> {
                if let Some(number) = &self.doc_number {
                    return Some(LookupKey::DocNumber {
                        entity: <$ty>::NAME.to_owned(),
                        number: number.clone(),
                    });
                }
                let marker = self
                    .private_note
                    .as_deref()
                    .and_then(|n| n.lines().find(|l| l.starts_with(MARKER_PREFIX)))?;
                Some(LookupKey::Document {
                    entity: <$ty>::NAME.to_owned(),
                    customer: self.customer_ref.as_ref()?.value.as_str().to_owned(),
                    date: self.txn_date?,
                    marker: marker.to_owned(),
                })
            }

            fn same_as(&self, _found: &Self) -> bool {
                false
            }

            fn created(&self) -> Option<DateTime<Utc>> {
                created_of(self.meta_data.as_ref())
            }

            fn mark(&mut self, marker: &str) {
                self.private_note = Some(with_marker(self.private_note.as_deref(), marker));
            }

            fn has_mark(&self, marker: &str) -> bool {
                self.private_note
                    .as_deref()
                    .is_some_and(|n| n.lines().any(|l| l == marker))
            }
        }
    };
}

document!(Invoice);
document!(SalesReceipt);
document!(Payment);

/// Every marker starts with this.
pub(crate) const MARKER_PREFIX: &str = "qbo-sync ";

/// QBO keeps at most 4,000 characters of `PrivateNote`.
const PRIVATE_NOTE_MAX: usize = 4000;

/// `note` with the marker as its last line (the note is shortened to make room).
fn with_marker(note: Option<&str>, marker: &str) -> String {
    match note.map(str::trim_end).filter(|n| !n.is_empty()) {
        None => marker.to_owned(),
        Some(note) => {
            let room = PRIVATE_NOTE_MAX.saturating_sub(marker.chars().count() + 1);
            let note: String = note.chars().take(room).collect();
            format!("{note}\n{marker}")
        }
    }
}

/// The marker of a store entity's document: `qbo-sync order 1001`.
pub(crate) fn marker(what: &str, store_id: &str) -> String {
    format!("{MARKER_PREFIX}{what} {store_id}")
}

/// The entities QBO holds under `key` (name lists: active or not).
pub(crate) async fn find<E: Pushable>(
    qbo: &QboClient,
    key: &LookupKey,
) -> Result<Vec<E>, QboError> {
    let query = match key {
        LookupKey::DisplayName(name) => Query::<E>::new().eq("DisplayName", name),
        LookupKey::Name(name) => Query::<E>::new().eq("Name", name),
        LookupKey::DocNumber { entity, number } => {
            if entity != E::NAME {
                return Ok(Vec::new());
            }
            Query::<E>::new().eq("DocNumber", number)
        }
        LookupKey::Document {
            entity,
            customer,
            date,
            ..
        } => {
            if entity != E::NAME {
                return Ok(Vec::new());
            }
            Query::<E>::new()
                .eq("CustomerRef", customer)
                .eq("TxnDate", *date)
        }
    };
    let query = if E::NAMED {
        query.in_list("Active", [true, false])
    } else {
        query
    };
    let page = qbo.query(&query.max_results(1000)).await?;
    Ok(match key {
        LookupKey::Document { marker, .. } => page
            .items
            .into_iter()
            .filter(|e| e.has_mark(marker))
            .collect(),
        _ => page.items,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_marker_is_the_last_line_and_is_found_again() {
        let mut invoice = Invoice {
            private_note: Some("Vendor 3".to_owned()),
            customer_ref: Some(qbo_api::ReferenceType::new("7")),
            txn_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
            ..Invoice::default()
        };
        let m = marker("order", "1001");
        invoice.mark(&m);
        assert_eq!(
            invoice.private_note.as_deref(),
            Some("Vendor 3\nqbo-sync order 1001")
        );
        assert!(invoice.has_mark(&m));
        assert!(!invoice.has_mark(&marker("order", "100")));
        match invoice.lookup_key().unwrap() {
            LookupKey::Document {
                customer, marker, ..
            } => {
                assert_eq!(customer, "7");
                assert_eq!(marker, m);
            }
            other => panic!("{other:?}"),
        }
        let long = "x".repeat(5000);
        assert!(with_marker(Some(&long), &m).chars().count() <= PRIVATE_NOTE_MAX);
    }

    #[test]
    fn customers_match_by_email_and_items_by_sku_and_type() {
        let c = |e: Option<&str>| Customer {
            primary_email_addr: e.map(|a| qbo_api::EmailAddress {
                address: Some(a.to_owned()),
                ..Default::default()
            }),
            ..Customer::default()
        };
        assert!(c(Some("Ann@Example.com")).same_as(&c(Some("ann@example.com "))));
        assert!(!c(Some("ann@example.com")).same_as(&c(Some("bob@example.com"))));
        assert!(!c(Some("ann@example.com")).same_as(&c(None)));
        let i = |sku: Option<&str>| Item {
            sku: sku.map(str::to_owned),
            item_type: Some(qbo_api::ItemType::Inventory),
            ..Item::default()
        };
        assert!(i(Some("A-1")).same_as(&i(Some("A-1"))));
        assert!(!i(Some("A-1")).same_as(&i(Some("A-2"))));
        assert!(!i(Some("A-1")).same_as(&i(None)));
    }
}
