//! The one error type of this crate, [`QboError`], and the pieces it carries.
//!
//! Every QBO answer that is not a success becomes a variant a caller can match on; each
//! variant keeps an [`ErrorContext`] with the HTTP status, Intuit's `intuit_tid` (quote
//! it to Intuit support), the request id and every fault entry QBO sent.

use std::fmt;
use std::time::Duration;

use crate::ids::{EntityId, RequestId};

/// A value given to the client that cannot be sent to QBO (an over-long request id,
/// a bad realm id, a batch of 31, a query field name with a quote...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {reason}")]
pub struct InvalidInput {
    /// What was wrong, e.g. `requestid`.
    pub what: &'static str,
    /// Why, naming the value.
    pub reason: String,
}

impl InvalidInput {
    /// Builds the error.
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        Self {
            what,
            reason: reason.into(),
        }
    }
}

/// One entry of a QBO fault (`Fault.Error[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultError {
    /// QBO's error code, e.g. `6240` (always a string on the wire).
    pub code: String,
    /// The short message, e.g. `Duplicate Name Exists Error`.
    pub message: String,
    /// The detail, which often holds the real reason.
    pub detail: Option<String>,
    /// The element (field) the error is about, when QBO names one.
    pub element: Option<String>,
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(element) = &self.element {
            write!(f, " (element {element})")?;
        }
        Ok(())
    }
}

/// Where an error happened: what a log line or an operator needs to trace it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorContext {
    /// The operation, e.g. `POST customer` or `batch item 3`.
    pub operation: String,
    /// The HTTP status, when an answer arrived (batch item faults carry the batch's 200).
    pub status: Option<u16>,
    /// Intuit's transaction id from the `intuit_tid` response header.
    pub intuit_tid: Option<String>,
    /// The `requestid` the write carried.
    pub request_id: Option<RequestId>,
    /// The fault `type` (`ValidationFault`, `SystemFault`, `AUTHENTICATION`...).
    pub fault_type: Option<String>,
    /// Every fault entry QBO sent (the variant's own entry is the first).
    pub errors: Vec<FaultError>,
}

impl fmt::Display for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.operation)?;
        if let Some(status) = self.status {
            write!(f, ", HTTP {status}")?;
        }
        if let Some(tid) = &self.intuit_tid {
            write!(f, ", intuit_tid {tid}")?;
        }
        if let Some(rid) = &self.request_id {
            write!(f, ", requestid {rid}")?;
        }
        Ok(())
    }
}

/// Why no access token could be had from the [`crate::TokenProvider`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The connection is gone (refresh token dead or revoked): an operator must connect
    /// the company again. Never retried.
    #[error("the QBO connection needs to be reconnected: {reason}")]
    ReconnectRequired {
        /// Why, in words for the operator.
        reason: String,
    },
    /// A token could not be had right now (token endpoint down, store unreachable).
    #[error("no access token available right now")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Everything that can go wrong talking to QBO.
///
/// Match on the variant to decide what to do; [`QboError::is_retryable`] says whether
/// the same call may simply be tried again later.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QboError {
    /// QBO refused the request's content (HTTP 400 / `ValidationFault`, business
    /// validation 6000, 6070, 2010, 2020, 6140...).
    #[error("QBO validation fault {error} ({context})")]
    Validation {
        /// The fault entry (code, message, detail, element).
        error: Box<FaultError>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// A name-list entity with that name exists already (6240). QBO names the existing
    /// entity's id in the detail (`... : Id=123`); it may be a vendor or employee.
    #[error("QBO duplicate name {error}, existing id {existing_id:?} ({context})")]
    DuplicateName {
        /// The id of the entity holding the name, parsed from the detail when present.
        existing_id: Option<EntityId>,
        /// The fault entry.
        error: Box<FaultError>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The SyncToken sent is not the current one (5010): re-read, re-apply, retry.
    #[error("QBO stale object {error} ({context})")]
    StaleObject {
        /// The fault entry.
        error: Box<FaultError>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The entity does not exist, was deleted, or a referenced name is inactive (610,
    /// HTTP 404).
    #[error("QBO object not found{} ({context})", opt(.error))]
    NotFound {
        /// The fault entry, when QBO sent one.
        error: Option<Box<FaultError>>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The realm's rate limit was reached (HTTP 429, fault 3001).
    #[error("QBO throttled the request, retry after {retry_after:?} ({context})")]
    Throttled {
        /// How long QBO asked to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The access token was refused (HTTP 401, 3200, 100) even after one refresh.
    #[error("QBO authentication failed{} ({context})", opt(.error))]
    Authentication {
        /// The fault entry, when QBO sent one.
        error: Option<Box<FaultError>>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The token is valid but may not do this (HTTP 403, 3100, 120: wrong scope or realm,
    /// user no longer admin).
    #[error("QBO authorization failed{} ({context})", opt(.error))]
    Authorization {
        /// The fault entry, when QBO sent one.
        error: Option<Box<FaultError>>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// QBO is briefly unable to answer (HTTP 500, 502, 503, 504 without a permanent
    /// fault).
    #[error("QBO service unavailable{} ({context})", opt(.error))]
    ServiceUnavailable {
        /// The fault entry, when QBO sent one.
        error: Option<Box<FaultError>>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// Any other QBO fault (a `SystemFault`, 500 "Unsupported Operation", 6190 company
    /// status, ...): permanent until something changes in QBO.
    #[error("QBO fault {error} ({context})")]
    Fault {
        /// The fault entry.
        error: Box<FaultError>,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The request did not get an answer (connect error, reset, timeout).
    #[error("transport error talking to QBO ({context})")]
    Transport {
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// An answer arrived but could not be read.
    #[error("could not decode QBO's answer: {message} ({context}); body starts: {snippet:?}")]
    Decode {
        /// What did not fit, with the JSON path when known.
        message: String,
        /// The first bytes of the body (at most 512, lossily decoded).
        snippet: String,
        /// Where it happened.
        context: Box<ErrorContext>,
    },
    /// The request could not be encoded (an amount over 15 significant digits...).
    #[error("could not encode the request for {operation}: {message}")]
    Encode {
        /// The operation.
        operation: String,
        /// Why.
        message: String,
    },
    /// No access token could be obtained.
    #[error("QBO access token unavailable for realm {realm}")]
    Token {
        /// The realm.
        realm: String,
        /// Why.
        #[source]
        source: TokenError,
    },
    /// Bad input to the client.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The batch request holding this operation failed as a whole.
    #[error("the batch request holding this operation failed: {source}")]
    Batch {
        /// The request's error, shared by all its operations.
        source: std::sync::Arc<QboError>,
    },
}

fn opt(error: &Option<Box<FaultError>>) -> String {
    error.as_ref().map(|e| format!(" {e}")).unwrap_or_default()
}

impl QboError {
    /// Whether the same call may be tried again later and succeed: throttling, QBO
    /// briefly unavailable, transport failures and a token that could not be had *right
    /// now*. Writes may be retried only with the same `requestid`.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Throttled { .. } | Self::ServiceUnavailable { .. } => true,
            Self::Transport { source, .. } => !source.is_builder(),
            Self::Token { source, .. } => matches!(source, TokenError::Unavailable(_)),
            Self::Batch { source } => source.is_retryable(),
            _ => false,
        }
    }

    /// How long QBO asked to wait, for a throttled call that said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            Self::Batch { source } => source.retry_after(),
            _ => None,
        }
    }

    /// The context of an error that reached QBO or the network.
    pub fn context(&self) -> Option<&ErrorContext> {
        match self {
            Self::Validation { context, .. }
            | Self::DuplicateName { context, .. }
            | Self::StaleObject { context, .. }
            | Self::NotFound { context, .. }
            | Self::Throttled { context, .. }
            | Self::Authentication { context, .. }
            | Self::Authorization { context, .. }
            | Self::ServiceUnavailable { context, .. }
            | Self::Fault { context, .. }
            | Self::Transport { context, .. }
            | Self::Decode { context, .. } => Some(context),
            Self::Batch { source } => source.context(),
            Self::Encode { .. } | Self::Token { .. } | Self::InvalidInput(_) => None,
        }
    }

    /// The main fault entry, when QBO sent one.
    pub fn fault(&self) -> Option<&FaultError> {
        match self {
            Self::Validation { error, .. }
            | Self::DuplicateName { error, .. }
            | Self::StaleObject { error, .. }
            | Self::Fault { error, .. } => Some(error),
            Self::NotFound { error, .. }
            | Self::Authentication { error, .. }
            | Self::Authorization { error, .. }
            | Self::ServiceUnavailable { error, .. } => error.as_deref(),
            Self::Batch { source } => source.fault(),
            _ => None,
        }
    }

    /// QBO's error code (`6240`, `5010`...), when a fault carried one.
    pub fn code(&self) -> Option<&str> {
        self.fault().map(|e| e.code.as_str())
    }

    /// Intuit's `intuit_tid` of the answer, when one arrived.
    pub fn intuit_tid(&self) -> Option<&str> {
        self.context().and_then(|c| c.intuit_tid.as_deref())
    }

    /// The HTTP status of the answer, when one arrived.
    pub fn status(&self) -> Option<u16> {
        self.context().and_then(|c| c.status)
    }
}
