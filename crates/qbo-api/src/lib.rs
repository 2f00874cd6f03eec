//! # qbo-api
//!
//! A typed async client for the QuickBooks Online (QBO) Accounting API v3.
//!
//! - **Typed entities** ([`Customer`], [`Item`], [`Invoice`], [`SalesReceipt`],
//!   [`Payment`], ...) with the exact JSON names of Intuit's XSDs; money is
//!   [`rust_decimal::Decimal`], checked against QBO's 15 significant digits before it is
//!   sent ([`money`]); properties QBO sends that the model lacks are kept but never sent
//!   back ([`Unknown`]).
//! - **Operations**: create, read, sparse and full update, delete, void, deactivate,
//!   queries with escaping and paging ([`query`]), batch and change data capture
//!   ([`batch`]). Every write carries a [`RequestId`] that stays the same across
//!   retries, so QBO never applies a retried write twice.
//! - **Politeness**: a per-realm [`limit::RateLimiter`] (500 requests a minute, 10 in
//!   flight, 40 batches a minute by default) shared by all clones, and retries with
//!   backoff and jitter on 429, 5xx and transport errors, honouring `Retry-After`
//!   ([`retry::RetryPolicy`]).
//! - **Faults**: one [`QboError`] enum to match on, from every fault shape QBO sends
//!   (JSON in both casings, XML, HTML, empty), carrying `intuit_tid`.
//! - **Authentication** through a [`TokenProvider`]; on a 401 the client tells the
//!   provider and retries once.
//!
//! ```no_run
//! use std::sync::Arc;
//! use qbo_api::{Customer, Environment, QboClient, RealmId, StaticToken, query::Query};
//!
//! # async fn run() -> Result<(), qbo_api::QboError> {
//! let client = QboClient::builder(Arc::new(StaticToken::new("access-token".into())))
//!     .environment(Environment::Sandbox)
//!     .realm(RealmId::new("9130357766908452")?)
//!     .build()?;
//!
//! let created = client
//!     .create(&Customer { display_name: Some("Ann O'Neil".into()), ..Default::default() })
//!     .await?;
//! let found = client
//!     .query(&Query::<Customer>::new().eq("DisplayName", "Ann O'Neil"))
//!     .await?;
//! assert_eq!(found.items[0].id, created.id);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod auth;
pub mod batch;
mod client;
pub mod clock;
pub mod entity;
mod envelope;
pub mod error;
mod fault;
pub mod ids;
pub mod limit;
pub mod money;
pub mod query;
pub mod retry;
pub mod schema;
mod unknown;

#[cfg(test)]
mod decode_fuzz;

/// The README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use auth::{StaticToken, TokenProvider};
pub use client::{
    DEFAULT_BATCH_SIZE, Environment, INTUIT_TID, MAX_BATCH_SIZE, MINOR_VERSION, QboClient,
    QboClientBuilder, Write,
};
pub use entity::*;
pub use error::{ErrorContext, FaultError, InvalidInput, QboError, TokenError};
pub use ids::{EntityId, RealmId, RequestId, SyncToken};
pub use unknown::Unknown;
