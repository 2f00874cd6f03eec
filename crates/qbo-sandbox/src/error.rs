//! The sandbox's error type.

use std::net::SocketAddr;

/// What can go wrong starting or driving a sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the sandbox server failed: {0}")]
    Serve(#[source] std::io::Error),
    /// A setting is invalid.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// No company has this realm id.
    #[error("no company with realm id {0:?}")]
    UnknownRealm(String),
    /// The sandbox does not model this entity.
    #[error("the sandbox does not model the entity {0:?}")]
    UnknownEntity(String),
}
