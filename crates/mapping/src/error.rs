//! [`MappingError`]: why a store entity cannot become a QBO entity.

use rust_decimal::Decimal;

use crate::ids::{EntityRef, PaymentMethodId};
use crate::links::StoreRef;

/// Why a store entity (or the configuration) cannot be mapped.
///
/// Every variant about an entity names it ([`EntityRef`]: kind and store id) and the field,
/// as a path into the store model (`lines[2].quantity`, `billing_address.country`), so an
/// operator can find and fix the store data. Mapping errors are permanent for the data they
/// were computed from: retrying without a change gives the same error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// A required value is absent, or nothing is left of it once cleaned.
    #[error("{entity}: {field} is missing or empty")]
    Missing {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
    },
    /// A text is longer than QBO allows, and the configuration says not to shorten it.
    #[error("{entity}: {field} has {len} characters; QBO takes at most {max}")]
    TooLong {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// Its length in characters, once cleaned.
        len: usize,
        /// QBO's limit.
        max: usize,
    },
    /// A value is malformed (an e-mail address, a country, a currency code, a date).
    #[error("{entity}: {field} is invalid: {reason}")]
    Invalid {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// An amount or quantity is below zero where it cannot be.
    #[error("{entity}: {field} is negative ({value})")]
    Negative {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The value.
        value: Decimal,
    },
    /// A quantity is zero.
    #[error("{entity}: {field} is zero; a line needs a quantity above zero")]
    ZeroQuantity {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
    },
    /// A discount is larger than what it applies to.
    #[error("{entity}: {field}: the discount {discount} exceeds the {base} it applies to")]
    DiscountTooLarge {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The discount amount.
        discount: Decimal,
        /// The amount it applies to.
        base: Decimal,
    },
    /// An amount has more significant digits than QBO keeps (15), so QBO would round it.
    #[error(
        "{entity}: {field}: {value} has {digits} significant digits; QBO keeps at most 15, so it would be rounded"
    )]
    Precision {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The value.
        value: Decimal,
        /// Its significant digits.
        digits: u32,
    },
    /// Amounts so large that the arithmetic on them cannot stay exact.
    #[error("{entity}: {field}: the amounts are too large to compute exactly")]
    Overflow {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
    },
    /// A store tax that the configuration does not map to a QBO tax code (or a line naming a
    /// tax the order does not have).
    #[error("{entity}: {field}: tax {tax} is unknown: {reason}")]
    UnknownTax {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The store tax id, or the `+`-joined ids of a combination.
        tax: String,
        /// Where it was looked for.
        reason: String,
    },
    /// A store payment method that the configuration does not map to a QBO payment method.
    #[error(
        "{entity}: {field}: payment method {method} is not mapped (add it to [payment_methods])"
    )]
    UnknownPaymentMethod {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The store's payment method.
        method: PaymentMethodId,
    },
    /// A currency the QBO company does not use.
    #[error("{entity}: {field}: the QBO company does not use currency {currency}")]
    UnsupportedCurrency {
        /// The entity.
        entity: EntityRef,
        /// The field.
        field: String,
        /// The currency, as the store sent it.
        currency: String,
    },
    /// The order's lines, discounts, shipping and taxes do not add up to its total, by more
    /// than the configured tolerance.
    #[error(
        "{entity}: total: the store total is {expected} but its parts add up to {computed} in QBO (difference {difference}, tolerance {tolerance})"
    )]
    TotalMismatch {
        /// The entity.
        entity: EntityRef,
        /// The store's order total.
        expected: Decimal,
        /// The total the QBO document would have without an adjustment.
        computed: Decimal,
        /// `expected - computed`.
        difference: Decimal,
        /// The configured tolerance.
        tolerance: Decimal,
    },
    /// A rounding difference within the tolerance, with no adjustment line configured to
    /// carry it.
    #[error(
        "{entity}: total: the store total is {expected} but the QBO document would total {computed} (difference {difference}) and no adjustment item is configured ([rounding.adjustment])"
    )]
    RoundingDifference {
        /// The entity.
        entity: EntityRef,
        /// The store's order total.
        expected: Decimal,
        /// The total the QBO document would have.
        computed: Decimal,
        /// `expected - computed`.
        difference: Decimal,
    },
    /// A dependency has no QBO link yet: the engine must sync it first.
    #[error("{entity}: {field}: {dependency} has no QBO link yet; sync it first")]
    MissingLink {
        /// The entity.
        entity: EntityRef,
        /// The field that refers to the dependency.
        field: String,
        /// The dependency.
        dependency: StoreRef,
    },
    /// A marketplace parent order: its vendors' child orders are synced instead, so the
    /// sale is not counted twice.
    #[error("{entity} is a marketplace parent order; its vendor child orders are synced instead")]
    MarketplaceParent {
        /// The entity.
        entity: EntityRef,
    },
    /// A sales receipt is asked for an order that is not paid.
    #[error("{entity}: paid: a sales receipt records a paid sale, but the order is not paid")]
    NotPaid {
        /// The entity.
        entity: EntityRef,
    },
    /// The configuration is inconsistent or lacks what an entity needs.
    #[error("configuration: {key}: {reason}")]
    Config {
        /// The configuration key, e.g. `accounts.cogs`.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

impl MappingError {
    /// The store entity the error is about (`None` for configuration errors).
    pub fn entity(&self) -> Option<&EntityRef> {
        match self {
            Self::Missing { entity, .. }
            | Self::TooLong { entity, .. }
            | Self::Invalid { entity, .. }
            | Self::Negative { entity, .. }
            | Self::ZeroQuantity { entity, .. }
            | Self::DiscountTooLarge { entity, .. }
            | Self::Precision { entity, .. }
            | Self::Overflow { entity, .. }
            | Self::UnknownTax { entity, .. }
            | Self::UnknownPaymentMethod { entity, .. }
            | Self::UnsupportedCurrency { entity, .. }
            | Self::TotalMismatch { entity, .. }
            | Self::RoundingDifference { entity, .. }
            | Self::MissingLink { entity, .. }
            | Self::MarketplaceParent { entity }
            | Self::NotPaid { entity } => Some(entity),
            Self::Config { .. } => None,
        }
    }

    /// The field the error is about: a path into the store model (`lines[0].unit_price`),
    /// `total` for totals, `paid` or `is_marketplace_parent` for whole-order refusals, or the
    /// configuration key.
    pub fn field(&self) -> &str {
        match self {
            Self::Missing { field, .. }
            | Self::TooLong { field, .. }
            | Self::Invalid { field, .. }
            | Self::Negative { field, .. }
            | Self::ZeroQuantity { field, .. }
            | Self::DiscountTooLarge { field, .. }
            | Self::Precision { field, .. }
            | Self::Overflow { field, .. }
            | Self::UnknownTax { field, .. }
            | Self::UnknownPaymentMethod { field, .. }
            | Self::UnsupportedCurrency { field, .. }
            | Self::MissingLink { field, .. } => field,
            Self::TotalMismatch { .. } | Self::RoundingDifference { .. } => "total",
            Self::MarketplaceParent { .. } => "is_marketplace_parent",
            Self::NotPaid { .. } => "paid",
            Self::Config { key, .. } => key,
        }
    }
}
