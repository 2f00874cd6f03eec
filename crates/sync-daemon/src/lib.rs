//! # sync-daemon
//!
//! The `qbo-sync` daemon as a library: its configuration ([`config`]), the engine that
//! pushes one tenant's queued store changes into QBO ([`engine`]), where store entities
//! come from ([`source`]), what the engine remembers for exactly-once creates
//! ([`notes`]), and the runtime around them. The `qbo-sync` binary is a thin CLI over
//! this crate, so tests and integrators drive the same code without it.

#![forbid(unsafe_code)]

pub mod config;
pub mod engine;
pub mod error;
pub mod export;
pub mod notes;
pub mod playground;
pub mod poller;
pub mod runtime;
pub mod serve;
pub mod source;
pub mod worker;

pub use config::Config;
pub use engine::{Engine, Outcome, TenantRules};
pub use error::{Disposition, EngineError};
pub use source::{Snapshot, StoreEntity, StoreSource};
