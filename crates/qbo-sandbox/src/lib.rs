//! # qbo-sandbox
//!
//! A stateful local QuickBooks Online: the subset of the Accounting API v3 and of Intuit's
//! OAuth 2.0 endpoints that qbo-sync uses, with QBO's rules and faults, so that tests,
//! demos and benchmarks never reach Intuit.
//!
//! - **OAuth** (at the paths `qbo_auth::Endpoints::under` expects): an
//!   authorize endpoint that consents at once, the token endpoint (authorization-code and
//!   refresh-token grants, client credentials by HTTP Basic) with expiring access tokens,
//!   refresh tokens that rotate after a configurable window, `invalid_grant` for dead or
//!   replaced ones, rolling and hard expiry fields; revoke.
//! - **The v3 API** at QBO's paths for Customer, Item (inventory, non-inventory,
//!   service, category), Invoice, SalesReceipt, Payment, CreditMemo, RefundReceipt,
//!   Account, PaymentMethod, TaxCode, TaxRate, CompanyInfo, Preferences, and minimally
//!   Vendor and Employee: create, read, sparse and full update, delete, void, queries,
//!   batch, change data capture and `include=invoiceLink`.
//! - **QBO's rules**: SyncToken checks (5010), unique names (6240 with the holder's Id;
//!   one namespace for customers, vendors and employees),
//!   required fields, lengths and forbidden characters, `Amount = Qty × UnitPrice`
//!   (6070), unknown properties (2010, against the XSD table of `qbo_api::schema`),
//!   totals, balances and stock computed by the server, `requestid` replay, per-realm rate
//!   limits (429), `intuit_tid` on every answer, faults in QBO's shapes.
//! - **Chaos** by setting (latency, 5xx, cut connections, failure after commit) and an
//!   **inspection API** under `/_sandbox` (entities, request log, counters, reset, clock).
//!
//! Every modeled behaviour, with the note it comes from, is listed in
//! `docs/qbo-sandbox.md` at the workspace root.
//!
//! ```no_run
//! use qbo_sandbox::{Sandbox, SandboxConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let tokens = sandbox.issue_tokens(&sandbox.realm_id())?;
//! // Point qbo-api at sandbox.base_url() with tokens.access_token, or run the OAuth flow
//! // with qbo_auth::Endpoints::under(&sandbox.base_url()).
//! sandbox.advance_clock(chrono::TimeDelta::minutes(61)); // the access token expires
//! sandbox.shutdown().await;
//! # let _ = tokens; Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod api;
pub mod clock;
mod company;
pub mod config;
mod error;
mod fault;
mod hash;
mod inspect;
mod json;
mod kind;
mod limits;
mod log;
mod oauth;
mod oauth_http;
mod query;
mod server;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AfterCommit, Chaos, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Latency, Limits, OAuthApp,
    RequestIdConflict, SandboxConfig, Settings, TokenPolicy,
};
pub use error::SandboxError;
pub use kind::Kind;
pub use log::{Counters, LoggedRequest};
pub use oauth_http::HARD_EXPIRY_HEADER;
pub use server::{IssuedTokens, Sandbox};

/// The README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
