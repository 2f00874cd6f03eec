//! Links between store entities and QBO entities: what the engine resolved before calling a
//! transform, and the dependencies a transform asks for.

use std::collections::BTreeMap;
use std::fmt;

use qbo_api::{EntityId, ReferenceType, SyncToken};
use serde::{Deserialize, Serialize};

use crate::error::MappingError;
use crate::ids::{CategoryId, CustomerId, EntityKind, EntityRef, OrderId, ProductId};

/// The QBO customer a guest checkout is booked to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestKey {
    /// The one customer shared by every guest order (`guests.mode = "shared"`).
    Shared,
    /// One customer per e-mail address, lower-cased (`guests.mode = "per_email"`).
    Email(String),
}

impl GuestKey {
    /// The key as a store id in the link store (kind `customer`): `guest:shared` or
    /// `guest:<e-mail>`. Registered customers' ids never start with `guest:` in CS-Cart
    /// (they are numbers); other stores must keep that prefix free.
    pub fn store_id(&self) -> String {
        match self {
            Self::Shared => "guest:shared".to_owned(),
            Self::Email(email) => format!("guest:{email}"),
        }
    }
}

/// A store entity the engine links to a QBO entity: the entity itself, or one it depends on.
///
/// In JSON (test fixtures, link exports): `{"product": "12"}`, `{"guest": "shared"}`,
/// `{"guest": {"email": "ann@example.com"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreRef {
    /// A registered customer.
    Customer(CustomerId),
    /// The QBO customer of guest checkouts.
    Guest(GuestKey),
    /// A product category.
    Category(CategoryId),
    /// A product.
    Product(ProductId),
    /// An order's QBO document (invoice or sales receipt).
    Order(OrderId),
    /// An order's QBO payment (invoice mode).
    Payment(OrderId),
}

impl StoreRef {
    /// The entity kind and store id, as the link store keys them.
    pub fn entity_ref(&self) -> EntityRef {
        match self {
            Self::Customer(id) => EntityRef::new(EntityKind::Customer, id.as_str()),
            Self::Guest(key) => EntityRef::new(EntityKind::Customer, key.store_id()),
            Self::Category(id) => EntityRef::new(EntityKind::Category, id.as_str()),
            Self::Product(id) => EntityRef::new(EntityKind::Product, id.as_str()),
            Self::Order(id) => EntityRef::new(EntityKind::Order, id.as_str()),
            Self::Payment(id) => EntityRef::new(EntityKind::Payment, id.as_str()),
        }
    }
}

impl fmt::Display for StoreRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entity_ref().fmt(f)
    }
}

/// The QBO entity a store entity is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The QBO `Id`.
    pub id: EntityId,
    /// The QBO `SyncToken` last seen, needed to update the entity itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<SyncToken>,
}

impl Link {
    /// A link to the QBO entity with this id and sync token.
    pub fn new(id: impl Into<EntityId>, sync_token: Option<SyncToken>) -> Self {
        Self {
            id: id.into(),
            sync_token,
        }
    }

    /// A reference (`{"value": id}`) to the linked entity.
    pub fn reference(&self) -> ReferenceType {
        ReferenceType::new(self.id.clone())
    }
}

/// The links the engine resolved before calling a transform: the entity's own link (when it
/// exists in QBO already, the transform writes an update with its `Id` and `SyncToken`), the
/// links of its dependencies, and the renames chosen after name clashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    links: BTreeMap<StoreRef, Link>,
    renames: BTreeMap<StoreRef, u32>,
}

impl Links {
    /// No links: every entity is new and has no dependency linked.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a link.
    pub fn insert(&mut self, target: StoreRef, link: Link) -> Option<Link> {
        self.links.insert(target, link)
    }

    /// The same links plus one more (builder style).
    #[must_use]
    pub fn with(mut self, target: StoreRef, link: Link) -> Self {
        self.links.insert(target, link);
        self
    }

    /// The link of a store entity, if any.
    pub fn get(&self, target: &StoreRef) -> Option<&Link> {
        self.links.get(target)
    }

    /// Iterates over the links in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&StoreRef, &Link)> {
        self.links.iter()
    }

    /// Records that `target` is named with the clash suffix of attempt `attempt` (1, 2, …):
    /// QBO refused its plain name as a duplicate and `names.on_clash` is `rename`. The
    /// engine keeps the attempt with the link, so later updates keep the same name.
    pub fn set_rename(&mut self, target: StoreRef, attempt: u32) {
        self.renames.insert(target, attempt);
    }

    /// The same links plus a rename (builder style); see [`Links::set_rename`].
    #[must_use]
    pub fn with_rename(mut self, target: StoreRef, attempt: u32) -> Self {
        self.renames.insert(target, attempt);
        self
    }

    /// The clash-rename attempt of `target`, if it has one.
    pub fn rename_of(&self, target: &StoreRef) -> Option<u32> {
        self.renames.get(target).copied()
    }

    /// The link a field of `entity` needs, or [`MappingError::MissingLink`].
    pub(crate) fn require(
        &self,
        entity: &EntityRef,
        field: impl Into<String>,
        target: StoreRef,
    ) -> Result<&Link, MappingError> {
        match self.links.get(&target) {
            Some(link) => Ok(link),
            None => Err(MappingError::MissingLink {
                entity: entity.clone(),
                field: field.into(),
                dependency: target,
            }),
        }
    }
}

impl FromIterator<(StoreRef, Link)> for Links {
    fn from_iter<I: IntoIterator<Item = (StoreRef, Link)>>(iter: I) -> Self {
        Self {
            links: iter.into_iter().collect(),
            renames: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn store_refs_read_and_name_themselves() {
        let r: StoreRef = serde_json::from_str(r#"{"product": 12}"#).unwrap();
        assert_eq!(r, StoreRef::Product(ProductId::new("12")));
        let g: StoreRef = serde_json::from_str(r#"{"guest": "shared"}"#).unwrap();
        assert_eq!(g.to_string(), "customer guest:shared");
        let e: StoreRef = serde_json::from_str(r#"{"guest": {"email": "a@b.co"}}"#).unwrap();
        assert_eq!(e.entity_ref().id, "guest:a@b.co");
        assert_eq!(
            StoreRef::Payment(OrderId::new("7")).to_string(),
            "payment 7"
        );
    }

    #[test]
    fn a_missing_link_names_entity_field_and_dependency() {
        let links = Links::new().with(
            StoreRef::Customer(CustomerId::new("1")),
            Link::new("58", None),
        );
        let order = EntityRef::new(EntityKind::Order, "9");
        assert_eq!(
            links
                .require(&order, "customer", StoreRef::Customer(CustomerId::new("1")))
                .unwrap()
                .id,
            "58"
        );
        let err = links
            .require(
                &order,
                "lines[0].product",
                StoreRef::Product(ProductId::new("3")),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "order 9: lines[0].product: product 3 has no QBO link yet; sync it first"
        );
    }
}
