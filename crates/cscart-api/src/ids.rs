//! Identifiers: the `mapping` store ids are reused for the entities the store model knows;
//! the ids only CS-Cart has get their own newtypes here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

pub use mapping::ids::{
    CategoryId, CustomerId, OrderId, PaymentMethodId, ProductId, TaxId, VendorId,
};

macro_rules! cscart_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::de::opt_string(d)?
                    .map(Self)
                    .ok_or_else(|| serde::de::Error::custom("missing id"))
            }
        }
    };
}

cscart_id!(
    /// An order line (`item_id`, the key of an order's `products` map).
    ItemId
);
cscart_id!(
    /// An order status row (`status_id`, the path id of `/statuses/<id>`).
    StatusId
);
