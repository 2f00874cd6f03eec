//! Identifier newtypes.
//!
//! String ids are checked when built: never empty, never longer than their column, no
//! control characters and no leading or trailing whitespace (so that every database
//! compares them the same way). [`JobId`] is a UUID v7, so ids sort by creation time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::QueueError;

/// Checks a string id: non-empty, at most `max` characters, no control characters, no
/// surrounding whitespace.
fn check(what: &'static str, value: &str, max: usize) -> Result<(), QueueError> {
    if value.is_empty() {
        return Err(QueueError::EmptyId { what });
    }
    let len = value.chars().count();
    if len > max {
        return Err(QueueError::InvalidId {
            what,
            reason: format!("{len} characters, at most {max} allowed"),
        });
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(QueueError::InvalidId {
            what,
            reason: format!("{value:?} holds the control character {c:?}"),
        });
    }
    if value.trim() != value {
        return Err(QueueError::InvalidId {
            what,
            reason: format!("{value:?} has leading or trailing whitespace"),
        });
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest value accepted, in characters.
            pub const MAX_LEN: usize = $max;

            /// Checks and wraps a value.
            ///
            /// # Errors
            #[doc = concat!("[`QueueError::EmptyId`] naming the ", $what, " when empty;")]
            /// [`QueueError::InvalidId`] when too long, holding a control character or
            /// surrounded by whitespace.
            pub fn new(value: impl Into<String>) -> Result<Self, QueueError> {
                let value = value.into();
                check($what, &value, Self::MAX_LEN)?;
                Ok(Self(value))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The owned string inside.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = QueueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = QueueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = QueueError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A tenant: a shop, or a marketplace vendor with its own QBO connection. Every queue,
    /// link and cursor belongs to exactly one tenant.
    TenantId,
    "tenant id",
    128
);

string_id!(
    /// The id of an entity in the store (a CS-Cart `user_id`, `product_id`, ...).
    StoreId,
    "store id",
    128
);

string_id!(
    /// The id of an entity in QBO (`Id`): usually digits.
    QboId,
    "QBO id",
    64
);

string_id!(
    /// A QBO `SyncToken`: the version QBO checks on update.
    SyncToken,
    "sync token",
    32
);

string_id!(
    /// A hash of the content last pushed to QBO, to skip pushes that would change nothing.
    ContentHash,
    "content hash",
    128
);

string_id!(
    /// The name of one store feed a tenant polls (e.g. `orders`), for the cursor store.
    FeedName,
    "feed name",
    128
);

string_id!(
    /// The name of a worker, shown to operators beside the jobs it holds (e.g.
    /// `host-a/1234/3`).
    WorkerId,
    "worker id",
    128
);

string_id!(
    /// The name of a singleton lease (see [`LeaseStore`](crate::LeaseStore)), e.g.
    /// `poll:shop:cscart.orders`.
    LeaseName,
    "lease name",
    128
);

/// The id of a job: a UUID v7, so ids sort by creation time (keyset paging relies on it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(Uuid);

impl JobId {
    /// A fresh id (UUID v7, time-ordered).
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID (as read back from storage or an admin request).
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID inside.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Debug for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JobId({})", self.0)
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for JobId {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(Self)
            .map_err(|e| QueueError::InvalidId {
                what: "job id",
                reason: format!("{s:?} is not a UUID: {e}"),
            })
    }
}

/// The secret of one claim: a job's lease is held by whoever presents its token. Each
/// claim draws a fresh token, so a worker whose lease expired cannot act on the job even if
/// it claims it again later.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseToken(Uuid);

impl LeaseToken {
    /// A fresh token.
    pub(crate) fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// The UUID inside.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Debug for LeaseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LeaseToken({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ids_are_checked_and_name_themselves() {
        assert!(matches!(
            StoreId::new(""),
            Err(QueueError::EmptyId { what: "store id" })
        ));
        assert!(matches!(
            TenantId::new(" shop"),
            Err(QueueError::InvalidId {
                what: "tenant id",
                ..
            })
        ));
        assert!(matches!(
            QboId::new("12\n3"),
            Err(QueueError::InvalidId { what: "QBO id", .. })
        ));
        assert!(QboId::new("1".repeat(64)).is_ok());
        assert!(matches!(
            QboId::new("1".repeat(65)),
            Err(QueueError::InvalidId { what: "QBO id", .. })
        ));
        let id = StoreId::new("product-42").unwrap();
        assert_eq!(id.as_str(), "product-42");
        assert_eq!(id.to_string(), "product-42");
        assert_eq!(format!("{id:?}"), "StoreId(\"product-42\")");
        assert_eq!("product-42".parse::<StoreId>().unwrap(), id);
    }

    #[test]
    fn string_ids_check_on_deserialize() {
        let id: TenantId = serde_json::from_str("\"vendor-7\"").unwrap();
        assert_eq!(id.as_str(), "vendor-7");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"vendor-7\"");
        let err = serde_json::from_str::<TenantId>("\"\"").unwrap_err();
        assert!(err.to_string().contains("empty tenant id"), "{err}");
    }

    #[test]
    fn job_ids_are_time_ordered_uuid_v7() {
        let a = JobId::generate();
        let b = JobId::generate();
        assert!(a < b);
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_eq!(a.to_string().parse::<JobId>().unwrap(), a);
        assert!(matches!(
            "nope".parse::<JobId>(),
            Err(QueueError::InvalidId { what: "job id", .. })
        ));
    }
}
