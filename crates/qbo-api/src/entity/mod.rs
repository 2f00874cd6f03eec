//! Typed QBO entities, with the exact JSON names of Intuit's XSDs.
//!
//! Conventions every entity follows:
//! - every field is optional and omitted from the JSON when unset, so a value with only
//!   `Id`, `SyncToken` and the changed fields *is* a sparse update;
//! - money and quantities are [`rust_decimal::Decimal`], written through [`crate::money`];
//! - properties QBO sends that the model does not know land in `other` ([`crate::Unknown`])
//!   and are never sent back (QBO answers 2010 to unknown properties).

mod common;
mod company;
mod customer;
mod item;
mod line;
mod list;
mod payment;
mod sales;
mod tax;

pub use common::*;
pub use company::*;
pub use customer::*;
pub use item::*;
pub use line::*;
pub use list::*;
pub use payment::*;
pub use sales::*;
pub use tax::*;

use std::fmt;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::ids::{EntityId, SyncToken};

/// A QBO entity that has its own endpoint (`/v3/company/{realm}/{PATH}`).
pub trait Entity:
    Serialize + DeserializeOwned + Clone + fmt::Debug + Default + PartialEq + Send + Sync + 'static
{
    /// The entity's name in JSON envelopes and in queries, e.g. `Customer`.
    const NAME: &'static str;
    /// The entity's URL path segment, e.g. `customer`.
    const PATH: &'static str;

    /// The entity's `Id`, when it has one (read or created entities do).
    fn id(&self) -> Option<&EntityId>;
    /// The entity's `SyncToken`, when known.
    fn sync_token(&self) -> Option<&SyncToken>;
    /// Wraps the entity for batch requests and mixed results.
    fn into_any(self) -> AnyEntity;
    /// Takes the entity back out of an [`AnyEntity`] of the same kind.
    fn from_any(any: AnyEntity) -> Option<Self>;
}

/// A transaction QBO can delete (`?operation=delete`). Name-list entities cannot be
/// deleted; see [`NameList`].
pub trait Deletable: Entity {}

/// A transaction QBO can void.
pub trait Voidable: Entity {
    /// Payments are voided with `?operation=update&include=void`; other transactions with
    /// `?operation=void`.
    const VOID_BY_UPDATE: bool = false;
}

/// A name-list entity (customer, item, account, payment method): QBO never deletes them,
/// they are made inactive.
pub trait NameList: Entity {
    /// The sparse update that makes `self` inactive: `Id`, `SyncToken`, `Active: false`
    /// and whatever else QBO requires on an update of this kind.
    fn deactivation(&self) -> Self;
}

macro_rules! entities {
    ($($ty:ident => $path:literal),* $(,)?) => {
        /// Any entity of the typed model, tagged by its QBO name exactly as in batch
        /// requests and answers (`{"Customer": {...}}`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum AnyEntity {
            $(
                #[doc = concat!("A ", stringify!($ty), ".")]
                $ty(Box<$ty>),
            )*
        }

        impl AnyEntity {
            /// The entity's QBO name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$ty(_) => $ty::NAME,)*
                }
            }

            /// The entity's `Id`.
            pub fn id(&self) -> Option<&EntityId> {
                match self {
                    $(Self::$ty(e) => e.id(),)*
                }
            }

            /// The entity's `SyncToken`.
            pub fn sync_token(&self) -> Option<&SyncToken> {
                match self {
                    $(Self::$ty(e) => e.sync_token(),)*
                }
            }

            /// Reads the entity named `name` from its JSON text.
            pub(crate) fn from_json_named(name: &str, json: &str) -> Result<Self, String> {
                match name {
                    $(stringify!($ty) => serde_json::from_str::<$ty>(json)
                        .map(|e| Self::$ty(Box::new(e)))
                        .map_err(|e| format!("{name}: {e}")),)*
                    _ => Err(format!("unknown entity {name:?}")),
                }
            }

            /// Writes the entity's own object (without the name around it), with
            /// `"sparse": true` when asked.
            pub(crate) fn serialize_body<S: serde::Serializer>(&self, sparse: bool, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Self::$ty(e) => crate::client::WriteBody { sparse, entity: &**e }.serialize(serializer),)*
                }
            }

            /// Every QBO entity name the model knows, in a fixed order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($ty)),*];
        }

        $(
            impl Entity for $ty {
                const NAME: &'static str = stringify!($ty);
                const PATH: &'static str = $path;

                fn id(&self) -> Option<&EntityId> {
                    self.id.as_ref()
                }
                fn sync_token(&self) -> Option<&SyncToken> {
                    self.sync_token.as_ref()
                }
                fn into_any(self) -> AnyEntity {
                    AnyEntity::$ty(Box::new(self))
                }
                fn from_any(any: AnyEntity) -> Option<Self> {
                    match any {
                        AnyEntity::$ty(e) => Some(*e),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }

            impl From<$ty> for AnyEntity {
                fn from(e: $ty) -> Self {
                    AnyEntity::$ty(Box::new(e))
                }
            }
        )*
    };
}

entities! {
    Customer => "customer",
    Item => "item",
    Invoice => "invoice",
    SalesReceipt => "salesreceipt",
    Payment => "payment",
    CreditMemo => "creditmemo",
    RefundReceipt => "refundreceipt",
    Account => "account",
    PaymentMethod => "paymentmethod",
    TaxCode => "taxcode",
    TaxRate => "taxrate",
    CompanyInfo => "companyinfo",
    Preferences => "preferences",
}

impl Deletable for Invoice {}
impl Deletable for SalesReceipt {}
impl Deletable for Payment {}
impl Deletable for CreditMemo {}
impl Deletable for RefundReceipt {}

impl Voidable for Invoice {}
impl Voidable for SalesReceipt {}
impl Voidable for CreditMemo {}
impl Voidable for RefundReceipt {}
impl Voidable for Payment {
    const VOID_BY_UPDATE: bool = true;
}
