//! The engine's error, and how each one ends a job: retried later, in error with the
//! reason, or the tenant paused until it reconnects.

use std::time::Duration;

use mapping::StoreRef;
use qbo_api::{QboError, TokenError};
use sync_queue::{JobFailure, QueueError};

use crate::source::SourceError;

/// What went wrong while pushing one entity.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store entity cannot become a valid QBO entity (names the entity and field).
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    /// QBO refused or could not answer.
    #[error("QBO: {0}")]
    Qbo(#[from] QboError),
    /// The store could not be read.
    #[error("store: {0}")]
    Source(#[from] SourceError),
    /// The queue, link or cursor store failed.
    #[error("queue store: {0}")]
    Queue(#[from] QueueError),
    /// The engine's own table failed.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A dependency could not be pushed.
    #[error("{dependency} (needed first): {source}")]
    Dependency {
        /// The dependency.
        dependency: StoreRef,
        /// Why it failed.
        #[source]
        source: Box<EngineError>,
    },
    /// A dependency is gone from the store and was never pushed.
    #[error("{dependency} is needed first but the store no longer has it")]
    DependencyGone {
        /// The dependency.
        dependency: StoreRef,
    },
    /// A dependency is not pushed yet and this source cannot load it (a snapshot store
    /// that has not sent it yet): tried again later.
    #[error("{dependency} is needed first and has not been received yet")]
    DependencyPending {
        /// The dependency.
        dependency: StoreRef,
    },
    /// A rule of the engine refuses the write, with what the operator can do.
    #[error("{reason}")]
    Refused {
        /// QBO's code when QBO's answer led to it.
        code: Option<String>,
        /// The reason and the fix, in words for the operator.
        reason: String,
    },
    /// Something changed under the write (another process): tried again later.
    #[error("{0}")]
    Conflict(String),
    /// QBO answered something the engine cannot use (a created entity without an `Id`).
    #[error("unexpected answer from QBO: {0}")]
    Unexpected(String),
}

/// How a failed job ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Try again after the queue's backoff (or QBO's `Retry-After`).
    Transient(JobFailure),
    /// In error with the reason until an operator retries it or the entity changes.
    Permanent(JobFailure),
    /// The QBO connection needs a reconnect: pause the tenant, give the job back.
    Reconnect(String),
}

impl EngineError {
    /// A refusal with a reason.
    pub fn refused(code: Option<&str>, reason: impl Into<String>) -> Self {
        Self::Refused {
            code: code.map(str::to_owned),
            reason: reason.into(),
        }
    }

    /// The innermost error (through dependencies).
    pub fn root(&self) -> &EngineError {
        match self {
            Self::Dependency { source, .. } => source.root(),
            other => other,
        }
    }

    /// Whether the connection to QBO must be made again by an operator.
    pub fn needs_reconnect(&self) -> bool {
        match self.root() {
            Self::Qbo(e) => matches!(
                qbo_root(e),
                QboError::Token {
                    source: TokenError::ReconnectRequired { .. },
                    ..
                } | QboError::Authentication { .. }
            ),
            _ => false,
        }
    }

    /// Whether trying the same job again later may succeed without anything changing.
    pub fn is_transient(&self) -> bool {
        match self.root() {
            // A stale SyncToken outside an update (which re-reads itself) means another
            // writer got there first: the next attempt reads again.
            Self::Qbo(e) => {
                e.is_retryable()
                    || matches!(
                        qbo_root(e),
                        QboError::Decode { .. } | QboError::StaleObject { .. }
                    )
            }
            Self::Source(e) => e.is_transient(),
            Self::Queue(_)
            | Self::Database(_)
            | Self::DependencyPending { .. }
            | Self::Conflict(_) => true,
            Self::Mapping(_)
            | Self::DependencyGone { .. }
            | Self::Refused { .. }
            | Self::Unexpected(_) => false,
            Self::Dependency { .. } => false,
        }
    }

    /// QBO's `Retry-After`, when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.root() {
            Self::Qbo(e) => e.retry_after(),
            Self::DependencyPending { .. } => Some(Duration::from_secs(5)),
            _ => None,
        }
    }

    /// A short code for the operator's list: QBO's fault code, or the kind of failure.
    pub fn code(&self) -> String {
        match self.root() {
            Self::Qbo(e) => e
                .code()
                .map(str::to_owned)
                .or_else(|| e.status().map(|s| format!("http-{s}")))
                .unwrap_or_else(|| "qbo".to_owned()),
            Self::Mapping(_) => "mapping".to_owned(),
            Self::Source(_) => "store".to_owned(),
            Self::Queue(_) | Self::Database(_) => "database".to_owned(),
            Self::DependencyGone { .. } => "dependency-gone".to_owned(),
            Self::DependencyPending { .. } => "dependency-pending".to_owned(),
            Self::Refused { code, .. } => code.clone().unwrap_or_else(|| "refused".to_owned()),
            Self::Unexpected(_) => "unexpected".to_owned(),
            Self::Conflict(_) => "conflict".to_owned(),
            Self::Dependency { .. } => "dependency".to_owned(),
        }
    }

    /// The operator's message: the error chain, QBO's fault element and `intuit_tid`.
    pub fn message(&self) -> String {
        let mut text = self.to_string();
        if let Self::Qbo(e) = self.root()
            && let Some(context) = e.context()
        {
            if let Some(fault) = e.fault()
                && let Some(element) = &fault.element
                && !text.contains(element.as_str())
            {
                text.push_str(&format!(" (field {element})"));
            }
            if let Some(tid) = &context.intuit_tid
                && !text.contains(tid.as_str())
            {
                text.push_str(&format!(" [intuit_tid {tid}]"));
            }
        }
        text
    }

    /// How the job ends.
    pub fn disposition(&self) -> Disposition {
        if self.needs_reconnect() {
            return Disposition::Reconnect(self.message());
        }
        let mut failure = JobFailure::new(self.message()).with_code(self.code());
        if self.is_transient() {
            if let Some(wait) = self.retry_after() {
                failure = failure.with_retry_after(wait);
            }
            Disposition::Transient(failure)
        } else {
            Disposition::Permanent(failure)
        }
    }
}

/// The error of a write itself, through the failure of the batch request it was in.
fn qbo_root(e: &QboError) -> &QboError {
    match e {
        QboError::Batch { source } => qbo_root(source),
        other => other,
    }
}

impl SourceError {
    /// Whether reading again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Cscart(e) => e.is_transient(),
            SourceError::Payload(_) => false,
            SourceError::NotAvailable => true,
        }
    }
}
