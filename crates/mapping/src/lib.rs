//! # mapping
//!
//! The store model and pure, exact transforms from it into [`qbo_api`] entities.
//!
//! - [`model`]: customers, categories, products and orders as any store has them (CS-Cart
//!   converts into it, a webhook sends it as JSON); money and quantities are
//!   [`rust_decimal::Decimal`], ids are newtypes ([`ids`]).
//! - [`config::MappingConfig`]: accounts, document kind, payment methods, tax model and tax
//!   map, shipping, discounts, product identity and item types, stock policy, names, guests,
//!   rounding (serde; the daemon reads it from TOML).
//! - [`Transform`]: each store entity names its dependencies, then maps with the resolved
//!   [`Links`] to a QBO entity and its [`ContentHash`]. Orders become an invoice (plus
//!   [`map_payment`]) or a sales receipt whose total is the store's total to the cent, every
//!   line satisfying QBO's `Amount = Qty × UnitPrice` rule (fault 6070). [`deletion`] says
//!   what a store delete does in QBO.
//! - Texts are cleaned to QBO's rules ([`text`]); bad input is a [`MappingError`] naming the
//!   entity and the field, never a panic.
//!
//! No I/O happens here: every function is a pure function of its arguments.
//!
//! ```
//! use mapping::config::MappingConfig;
//! use mapping::model::Category;
//! use mapping::{Links, Transform};
//!
//! let config = MappingConfig::new("79", "USD");
//! let shirts = Category { id: "7".into(), name: "Shirts: summer".into(), parent: None, active: true };
//! assert!(shirts.dependencies(&config).is_empty());
//! let mapped = shirts.map(&config, &Links::new()).unwrap();
//! assert_eq!(
//!     serde_json::to_string(&mapped.entity).unwrap(),
//!     r#"{"Name":"Shirts- summer","Active":true,"Type":"Category"}"#
//! );
//! ```

#![forbid(unsafe_code)]

pub mod config;
mod country;
pub mod error;
pub mod hash;
pub mod ids;
pub mod links;
pub mod model;
pub mod money;
pub mod text;
pub mod transform;

/// The README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use config::MappingConfig;
pub use error::MappingError;
pub use hash::ContentHash;
pub use links::{GuestKey, Link, Links, StoreRef};
pub use transform::{
    DeleteAction, DeleteOperation, Mapped, MappedOrder, OrderDocument, OrderTotals, Transform,
    clash_name, deletion, guest_key, map_guest, map_payment, parents_first, payment_dependencies,
};
