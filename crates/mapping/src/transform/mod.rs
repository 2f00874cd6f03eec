//! The transforms: pure functions of (store entity, configuration, resolved links) → QBO
//! entity, one module per kind.
//!
//! Each store entity implements [`Transform`]: it names its dependencies first (an order needs
//! its customer and products, a product its category, a category its parent), the engine links
//! those, then calls [`Transform::map`] with the links. The entity's own link, when present,
//! turns the result into an update (`Id` and `SyncToken` set).

mod category;
mod customer;
mod delete;
mod order;
mod payment;
mod product;

pub use category::{MAX_CATEGORY_DEPTH, parents_first};
pub use customer::{guest_key, map_guest};
pub use delete::{DeleteAction, DeleteOperation, deletion};
pub use order::{MappedOrder, OrderDocument, OrderTotals};
pub use payment::{map_payment, payment_dependencies};

use qbo_api::{Entity, EntityId, PhysicalAddress, SyncToken};
use rust_decimal::Decimal;

use crate::config::{MappingConfig, NameConfig};
use crate::error::MappingError;
use crate::hash::ContentHash;
use crate::ids::EntityRef;
use crate::links::{Links, StoreRef};
use crate::model::Address;
use crate::text::{self, Cleaner, limits};

/// A mapped QBO entity and its content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<T> {
    /// The entity to send: a create when it has no `Id`, else a (sparse) update.
    pub entity: T,
    /// The hash of what QBO would see (see [`ContentHash`]); equal hashes mean nothing to
    /// push.
    pub hash: ContentHash,
}

/// A store entity that maps to a QBO entity.
pub trait Transform {
    /// What it maps to.
    type Output;

    /// The entity's own reference, under which the engine keeps its link.
    fn store_ref(&self) -> StoreRef;

    /// The store entities that must be linked before this one can be mapped, in the order
    /// to link them. Each is a direct dependency: the engine asks each of them for its own.
    fn dependencies(&self, config: &MappingConfig) -> Vec<StoreRef>;

    /// Maps the entity.
    ///
    /// # Errors
    /// [`MappingError`] naming the entity and the field when the store data cannot become a
    /// valid QBO entity, or a dependency has no link in `links`.
    fn map(&self, config: &MappingConfig, links: &Links) -> Result<Self::Output, MappingError>;
}

/// `Id` and `SyncToken` of the entity's own link, when it has one.
pub(crate) fn identity(links: &Links, target: &StoreRef) -> (Option<EntityId>, Option<SyncToken>) {
    match links.get(target) {
        Some(link) => (Some(link.id.clone()), link.sync_token.clone()),
        None => (None, None),
    }
}

/// Hashes a mapped entity.
pub(crate) fn hash_of<E: Entity>(
    entity: &EntityRef,
    value: &E,
) -> Result<ContentHash, MappingError> {
    ContentHash::of(value).map_err(|e| MappingError::Invalid {
        entity: entity.clone(),
        field: "(mapped entity)".to_owned(),
        reason: e.to_string(),
    })
}

/// Checks an amount or quantity against QBO's 15 significant digits.
pub(crate) fn precise(
    entity: &EntityRef,
    field: &str,
    value: Decimal,
) -> Result<Decimal, MappingError> {
    let digits = qbo_api::money::significant_digits(&value);
    if digits > qbo_api::money::MAX_SIGNIFICANT_DIGITS {
        return Err(MappingError::Precision {
            entity: entity.clone(),
            field: field.to_owned(),
            value,
            digits,
        });
    }
    Ok(value)
}

/// Checks that an amount is not negative and fits QBO's precision.
pub(crate) fn non_negative(
    entity: &EntityRef,
    field: &str,
    value: Decimal,
) -> Result<Decimal, MappingError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(MappingError::Negative {
            entity: entity.clone(),
            field: field.to_owned(),
            value,
        });
    }
    precise(entity, field, value)
}

/// Checks a money amount: not negative, at most two decimals, within QBO's precision.
pub(crate) fn money(
    entity: &EntityRef,
    field: &str,
    value: Decimal,
) -> Result<Decimal, MappingError> {
    let value = non_negative(entity, field, value)?;
    if value.normalize().scale() > crate::money::CENTS {
        return Err(MappingError::Invalid {
            entity: entity.clone(),
            field: field.to_owned(),
            reason: format!("{value} has more than two decimals"),
        });
    }
    Ok(value)
}

/// Maps an address; `None` when nothing is left of it.
pub(crate) fn address(
    clean: &Cleaner<'_>,
    field: &str,
    address: Option<&Address>,
) -> Result<Option<PhysicalAddress>, MappingError> {
    let Some(a) = address else { return Ok(None) };
    let mapped = PhysicalAddress {
        line1: text::line(a.line1.as_deref(), limits::ADDRESS_LINE),
        line2: text::line(a.line2.as_deref(), limits::ADDRESS_LINE),
        city: text::line(a.city.as_deref(), limits::ADDRESS_PART),
        country_sub_division_code: text::line(a.region.as_deref(), limits::ADDRESS_PART),
        postal_code: text::line(a.postal_code.as_deref(), limits::POSTAL_CODE),
        country: clean.country(&format!("{field}.country"), a.country.as_deref())?,
        ..PhysicalAddress::default()
    };
    Ok((mapped != PhysicalAddress::default()).then_some(mapped))
}

/// The name of an entity renamed after a clash: the name, shortened so that the suffix
/// fits in `max` characters, plus `names.rename_suffix` with `{id}` replaced by the store id
/// and `{n}` by the attempt.
///
/// ```
/// use mapping::config::NameConfig;
/// use mapping::ids::{EntityKind, EntityRef};
/// let names = NameConfig::default(); // suffix " ({id})"
/// let entity = EntityRef::new(EntityKind::Customer, "42");
/// assert_eq!(
///     mapping::transform::clash_name("Ann Example", &entity, 1, &names, 500).unwrap(),
///     "Ann Example (42)"
/// );
/// ```
///
/// # Errors
/// [`MappingError::Config`] when the suffix leaves no room for the name or holds characters
/// QBO refuses in names.
pub fn clash_name(
    name: &str,
    entity: &EntityRef,
    attempt: u32,
    names: &NameConfig,
    max: usize,
) -> Result<String, MappingError> {
    let template = &names.rename_suffix;
    let bad_suffix = |reason: &str| MappingError::Config {
        key: "names.rename_suffix".to_owned(),
        reason: format!("{reason} ({template:?})"),
    };
    if template.trim().is_empty() {
        return Err(bad_suffix("the suffix is empty"));
    }
    if template
        .chars()
        .any(|c| text::FORBIDDEN_IN_NAMES.contains(&c) || c.is_control())
    {
        return Err(bad_suffix(
            "the suffix holds a character QBO refuses in names",
        ));
    }
    // Store ids are free text (guest keys hold a colon): clean them as names.
    let id: String = entity
        .id
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == ':' { '-' } else { c })
        .collect();
    let suffix = template
        .replace("{id}", &id)
        .replace("{n}", &attempt.to_string());
    let suffix_len = suffix.chars().count();
    let room = max.saturating_sub(suffix_len);
    if room == 0 {
        return Err(bad_suffix("the suffix leaves no room for the name"));
    }
    let base: String = name.chars().take(room).collect();
    let base = base.trim_end();
    if base.is_empty() {
        return Err(bad_suffix("nothing is left of the name"));
    }
    let renamed = format!("{base}{suffix}");
    Ok(renamed.trim_end().to_owned())
}
