//! The crate's error type, [`QueueError`], and the CSV problems it can carry.

use std::fmt;

use crate::ids::{JobId, QboId, StoreId};
use crate::kind::EntityKind;

/// Everything that can go wrong in this crate.
///
/// Bad input (an unknown kind, an empty id, a payload that is not JSON, a CSV with a wrong
/// header) gets its own variant naming the offending value; storage failures keep their
/// source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// An entity kind that is not `customer`, `category`, `product` or `order`.
    #[error("unknown entity kind {0:?} (expected customer, category, product or order)")]
    UnknownKind(String),
    /// An action that is not `upsert` or `delete`.
    #[error("unknown action {0:?} (expected upsert or delete)")]
    UnknownAction(String),
    /// A job status that is not `pending`, `running`, `retry` or `error`.
    #[error("unknown job status {0:?} (expected pending, running, retry or error)")]
    UnknownStatus(String),
    /// An identifier that is empty.
    #[error("empty {what}")]
    EmptyId {
        /// Which identifier, e.g. `store id`.
        what: &'static str,
    },
    /// An identifier that is too long or holds characters it may not hold.
    #[error("invalid {what}: {reason}")]
    InvalidId {
        /// Which identifier, e.g. `tenant id`.
        what: &'static str,
        /// Why, naming the value.
        reason: String,
    },
    /// A job payload that is not JSON.
    #[error("job payload is not JSON: {0}")]
    PayloadNotJson(#[source] serde_json::Error),
    /// An argument outside its allowed range (a zero lease, a page of 0 rows...).
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// No job with this id in the caller's scope.
    #[error("no job {0} in this scope")]
    JobNotFound(JobId),
    /// The job is running under a lease; wait for its worker (or for the lease to expire).
    #[error("job {0} is running; it cannot be changed until its worker finishes")]
    JobRunning(JobId),
    /// The job is not in error, so there is nothing to retry.
    #[error("job {0} is not in error")]
    NotInError(JobId),
    /// The lease is no longer held: it expired and another worker claimed the job, or an
    /// operator removed the job. The caller must not report the job's outcome.
    #[error("lease on job {0} lost (expired and reclaimed, or the job was removed)")]
    LeaseLost(JobId),
    /// The QBO id is already linked to another store entity of this tenant and kind.
    #[error("QBO id {qbo_id} is already linked to {kind} {linked_to}")]
    LinkConflict {
        /// The entity kind.
        kind: EntityKind,
        /// The QBO id asked for.
        qbo_id: QboId,
        /// The store entity it is linked to.
        linked_to: StoreId,
    },
    /// A CSV file of links that cannot be imported; nothing was changed.
    #[error("{0}")]
    Csv(#[from] CsvError),
    /// A stored row that cannot be read back (written by something else, or corrupted).
    #[error("corrupt {column} in stored row: {reason}")]
    CorruptRow {
        /// The column.
        column: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Why a CSV import of links was refused. An import is all-or-nothing: with any of these,
/// no link was changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// The header row is not a links header.
    #[error("wrong CSV header: {0}")]
    Header(HeaderProblem),
    /// Some lines are bad; each is listed with its line number and why.
    #[error("{} bad line(s) in the CSV, nothing imported: {}", .0.len(), LineList(.0))]
    Lines(Vec<LineError>),
    /// The file could not be read or written.
    #[error("CSV input/output failed: {0}")]
    Io(#[source] csv::Error),
}

/// What is wrong with a CSV header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderProblem {
    /// The file has no header row at all.
    Missing,
    /// A column this format does not know.
    UnknownColumn(String),
    /// A required column is absent.
    MissingColumn(&'static str),
    /// A column appears twice.
    DuplicateColumn(String),
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::Missing => f.write_str("the file is empty (no header row)"),
            HeaderProblem::UnknownColumn(c) => write!(
                f,
                "unknown column {c:?} (columns: kind, store_id, qbo_id, sync_token, content_hash, manual, updated_at)"
            ),
            HeaderProblem::MissingColumn(c) => write!(f, "required column {c:?} is missing"),
            HeaderProblem::DuplicateColumn(c) => write!(f, "column {c:?} appears twice"),
        }
    }
}

/// One bad line of a CSV import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong with it.
    pub problem: LineProblem,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// What is wrong with one CSV line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineProblem {
    /// The line is not well-formed CSV or has the wrong number of fields.
    Malformed(String),
    /// The kind column holds an unknown kind.
    UnknownKind(String),
    /// A required field is empty.
    MissingField(&'static str),
    /// A field holds a value it may not hold.
    InvalidField {
        /// The column.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The same (kind, store id) appears on an earlier line.
    DuplicateStoreId {
        /// The earlier line.
        first_line: u64,
    },
    /// The same (kind, QBO id) appears on an earlier line for another store id.
    DuplicateQboId {
        /// The earlier line.
        first_line: u64,
    },
    /// The QBO id is already linked to another store entity that the file does not re-link.
    ConflictsWithExisting {
        /// The store entity that holds the QBO id now.
        linked_to: StoreId,
    },
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineProblem::Malformed(why) => write!(f, "malformed line: {why}"),
            LineProblem::UnknownKind(k) => write!(
                f,
                "unknown kind {k:?} (expected customer, category, product or order)"
            ),
            LineProblem::MissingField(field) => write!(f, "missing {field}"),
            LineProblem::InvalidField { field, reason } => write!(f, "invalid {field}: {reason}"),
            LineProblem::DuplicateStoreId { first_line } => {
                write!(
                    f,
                    "duplicate: the same kind and store id as line {first_line}"
                )
            }
            LineProblem::DuplicateQboId { first_line } => {
                write!(
                    f,
                    "duplicate: the same kind and QBO id as line {first_line}"
                )
            }
            LineProblem::ConflictsWithExisting { linked_to } => write!(
                f,
                "conflict: the QBO id is already linked to store id {linked_to}"
            ),
        }
    }
}

/// Displays at most ten line errors, then how many more.
struct LineList<'a>(&'a [LineError]);

impl fmt::Display for LineList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().take(10).enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() > 10 {
            write!(f, "; and {} more", self.0.len() - 10)?;
        }
        Ok(())
    }
}

impl QueueError {
    /// The bad lines, when this is a refused CSV import with line errors.
    pub fn csv_lines(&self) -> Option<&[LineError]> {
        match self {
            QueueError::Csv(CsvError::Lines(lines)) => Some(lines),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lists_are_bounded() {
        let lines: Vec<LineError> = (2..30)
            .map(|line| LineError {
                line,
                problem: LineProblem::MissingField("qbo_id"),
            })
            .collect();
        let text = CsvError::Lines(lines).to_string();
        assert!(text.starts_with("28 bad line(s)"), "{text}");
        assert!(text.contains("line 2: missing qbo_id"), "{text}");
        assert!(text.ends_with("and 18 more"), "{text}");
    }
}
