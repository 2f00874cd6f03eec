//! Store-side identifiers: one newtype per kind, so a product id can never be passed where a
//! customer id is expected.
//!
//! Stores number their entities in many ways (CS-Cart sends integers, sometimes as JSON
//! strings; a webhook may send any text), so every id holds text and reads from a JSON string
//! or integer alike.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

/// Reads an id from a JSON string or an integer.
fn string_or_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct Visitor;
    impl de::Visitor<'_> for Visitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an id (a string or an integer)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    deserializer.deserialize_any(Visitor)
}

macro_rules! store_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a store's id.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                string_or_integer(deserializer).map(Self)
            }
        }
    };
}

store_id!(
    /// A store customer (a registered user).
    CustomerId
);
store_id!(
    /// A store product category.
    CategoryId
);
store_id!(
    /// A store product.
    ProductId
);
store_id!(
    /// A store order.
    OrderId
);
store_id!(
    /// A store tax (a rate or rule the store applied to an order).
    TaxId
);
store_id!(
    /// A store payment method.
    PaymentMethodId
);
store_id!(
    /// A marketplace vendor (a CS-Cart Multi-Vendor company, for example).
    VendorId
);

/// The kinds of store entity that reach QBO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A customer, registered or guest (QBO `Customer`).
    Customer,
    /// A product category (QBO `Item` of type `Category`).
    Category,
    /// A product (QBO `Item`).
    Product,
    /// An order (QBO `Invoice` or `SalesReceipt`).
    Order,
    /// The payment of an order (QBO `Payment`).
    Payment,
}

impl EntityKind {
    /// The kind in lower case, as errors and link stores write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Category => "category",
            Self::Product => "product",
            Self::Order => "order",
            Self::Payment => "payment",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A store entity named by kind and id, as errors report it: `order 1001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// The entity's kind.
    pub kind: EntityKind,
    /// The entity's store id (for guest customers, the guest key, e.g. `guest:shared`).
    pub id: String,
}

impl EntityRef {
    /// Names a store entity.
    pub fn new(kind: EntityKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_read_from_strings_and_integers() {
        let id: ProductId = serde_json::from_str("42").unwrap();
        assert_eq!(id.as_str(), "42");
        let id: ProductId = serde_json::from_str("\"A-7\"").unwrap();
        assert_eq!(id, ProductId::new("A-7"));
        assert!(serde_json::from_str::<ProductId>("1.5").is_err());
        assert_eq!(serde_json::to_string(&OrderId::new("9")).unwrap(), "\"9\"");
        assert_eq!(
            EntityRef::new(EntityKind::Order, "1001").to_string(),
            "order 1001"
        );
    }
}
