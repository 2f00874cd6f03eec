//! Small closed vocabularies: entity kinds, actions and job statuses.
//!
//! Each is stored as its lower-case name, and parses back with a typed error naming the
//! unknown value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::QueueError;

/// The kind of store entity a job or a link is about.
///
/// Kinds order by their names (`category` < `customer` < `order` < `payment` < `product`), as the
/// databases sort the stored names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A store user, pushed as a QBO `Customer`.
    Customer,
    /// A product category, pushed as a QBO `Item` of type `Category`.
    Category,
    /// A product, pushed as a QBO `Item`.
    Product,
    /// An order, pushed as a QBO `Invoice` or `SalesReceipt` (with its payment).
    Order,
    /// The QBO `Payment` of an order pushed as an invoice: a link only (keyed by the order's
    /// store id), written by the engine when it pushes the order.
    Payment,
}

impl EntityKind {
    /// Every kind, in dependency order (an order needs its customer, categories and
    /// products first).
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Customer,
        EntityKind::Category,
        EntityKind::Product,
        EntityKind::Order,
        EntityKind::Payment,
    ];

    /// The stored name: `customer`, `category`, `product` or `order`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Customer => "customer",
            EntityKind::Category => "category",
            EntityKind::Product => "product",
            EntityKind::Order => "order",
            EntityKind::Payment => "payment",
        }
    }
}

impl Ord for EntityKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for EntityKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| QueueError::UnknownKind(s.to_owned()))
    }
}

/// What a job does to the entity in QBO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Create the entity in QBO, or update it when it is linked.
    Upsert,
    /// Remove it from QBO (make a name inactive; delete or void a transaction).
    Delete,
}

impl Action {
    /// The stored name: `upsert` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Upsert => "upsert",
            Action::Delete => "delete",
        }
    }

    /// The action a waiting job ends with when `newer` is enqueued on top of it: a delete
    /// wins, in either order (store ids are never reused, so a delete is final).
    pub fn coalesce(self, newer: Action) -> Action {
        if self == Action::Delete || newer == Action::Delete {
            Action::Delete
        } else {
            Action::Upsert
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "upsert" => Ok(Action::Upsert),
            "delete" => Ok(Action::Delete),
            _ => Err(QueueError::UnknownAction(s.to_owned())),
        }
    }
}

/// Where a job stands. A job that is done leaves the queue (it is deleted), so there is no
/// `done` status to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting to be claimed (from its run-after time on).
    Pending,
    /// Claimed by a worker under a lease.
    Running,
    /// Failed for a passing reason; waiting for its backoff to end.
    Retry,
    /// Failed for good (or out of attempts); waits for an operator or a newer change.
    Error,
}

impl JobStatus {
    /// Every status.
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Pending,
        JobStatus::Running,
        JobStatus::Retry,
        JobStatus::Error,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Retry => "retry",
            JobStatus::Error => "error",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| QueueError::UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_kinds_are_named() {
        for kind in EntityKind::ALL {
            assert_eq!(kind.as_str().parse::<EntityKind>().unwrap(), kind);
        }
        let err = "invoice".parse::<EntityKind>().unwrap_err();
        assert!(matches!(&err, QueueError::UnknownKind(k) if k == "invoice"));
        assert!(err.to_string().contains("\"invoice\""));
        assert!(matches!(
            "Customer".parse::<EntityKind>(),
            Err(QueueError::UnknownKind(_))
        ));
    }

    #[test]
    fn delete_wins_in_either_order() {
        assert_eq!(Action::Upsert.coalesce(Action::Delete), Action::Delete);
        assert_eq!(Action::Delete.coalesce(Action::Upsert), Action::Delete);
        assert_eq!(Action::Upsert.coalesce(Action::Upsert), Action::Upsert);
        assert!(matches!(
            "remove".parse::<Action>(),
            Err(QueueError::UnknownAction(_))
        ));
        for status in JobStatus::ALL {
            assert_eq!(status.as_str().parse::<JobStatus>().unwrap(), status);
        }
        assert!(matches!(
            "done".parse::<JobStatus>(),
            Err(QueueError::UnknownStatus(_))
        ));
    }
}
