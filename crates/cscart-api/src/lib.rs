//! Typed async client for the CS-Cart REST API, reading what CS-Cart really sends.
//!
//! - [`model`]: products, categories, users, orders (list rows and full orders) and order
//!   statuses, decoded tolerantly: numbers as strings or numbers, `[]` for an empty object,
//!   `null` names, maps keyed by id, unix seconds in strings, unknown fields ignored, money
//!   as exact [`rust_decimal::Decimal`] (never through a float).
//! - [`decode`]: whole bodies and list [`decode::Page`]s, with errors naming the entity, its
//!   id and the field.
//! - [`client`]: [`client::CscartClient`], HTTP Basic auth with the admin e-mail and API key,
//!   bounded retries for reads, a per-store concurrency limit and paging by `total_items`.
//! - [`convert`]: customers, categories, products and orders into the `mapping` store model.
//! - [`reader`]: [`reader::StoreReader`], one entity by id straight into the store model
//!   (a customer with their latest order's addresses; gone → `None`).
//! - [`feed`]: [`feed::ChangeFeed`], every change in the store over cursors the caller
//!   keeps, deletes confirmed.
//! - `stand_in` (feature `stand-in`): an in-process CS-Cart serving generated data with
//!   CS-Cart's quirks, for tests, demos and benchmarks.
//! - [`error`]: the one error type, [`error::CscartError`].
//!
//! The facts about CS-Cart this crate relies on, each with its source in CS-Cart's code, are
//! in the project's CS-Cart API notes.

pub mod client;
pub mod convert;
mod de;
pub mod decode;
pub mod error;
pub mod feed;
pub mod ids;
pub mod model;
pub mod reader;

pub use client::{CscartClient, CscartClientBuilder};
pub use error::CscartError;
#[cfg(feature = "stand-in")]
pub mod stand_in;
