//! Identifier newtypes: realm ids, entity ids, sync tokens and request ids.
//!
//! QBO sends ids and sync tokens as JSON strings, but some clients (and some
//! QBO answers) use numbers; every id here deserializes from either.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, de};

use crate::error::InvalidInput;

/// Deserializes a string-like value that may arrive as a JSON string or number.
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(format!("{v:.0}"))
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }
    deserializer.deserialize_any(V)
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value as this id (no validation: QBO decides what is valid).
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
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

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                string_or_number(deserializer).map(Self)
            }
        }
    };
}

string_id!(
    /// The id of a QBO entity (`Id`, and the `value` of a reference).
    ///
    /// Usually digits, but pseudo ids such as the US tax codes `TAX` and `NON`
    /// or `SHIPPING_ITEM_ID` are ids too.
    EntityId
);

string_id!(
    /// An entity's `SyncToken`: the version QBO checks on update and delete (5010 when stale).
    SyncToken
);

/// The id of a QBO company ("realm"), as delivered on the OAuth redirect.
///
/// It becomes a URL path segment, so only ASCII letters, digits, `-` and `_` are accepted.
///
/// ```
/// use qbo_api::RealmId;
/// let realm = RealmId::new("9130357766908452").unwrap();
/// assert_eq!(realm.as_str(), "9130357766908452");
/// assert!(RealmId::new("../etc").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RealmId(String);

impl RealmId {
    /// Checks and wraps a realm id.
    ///
    /// # Errors
    /// [`InvalidInput`] when the value is empty, longer than 64 characters or holds a
    /// character other than ASCII letters, digits, `-` and `_`.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidInput> {
        let value = value.into();
        if value.is_empty()
            || value.len() > 64
            || !value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InvalidInput::new(
                "realm id",
                format!("{value:?} is not a realm id (1 to 64 ASCII letters, digits, '-' or '_')"),
            ));
        }
        Ok(Self(value))
    }

    /// The realm id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RealmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RealmId({:?})", self.0)
    }
}

impl fmt::Display for RealmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RealmId {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for RealmId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = string_or_number(deserializer)?;
        Self::new(s).map_err(de::Error::custom)
    }
}

/// The `requestid` QBO uses to recognise a retried write: the same id for the same company
/// returns the first answer instead of writing twice.
///
/// At most [`RequestId::MAX_LEN`] characters of ASCII letters, digits, `-`, `_` and `.`.
/// Keep it stable for one logical write across every retry and restart.
///
/// ```
/// use qbo_api::RequestId;
/// let id = RequestId::new("job-0192-attempt-gen-1").unwrap();
/// assert_eq!(id.as_str(), "job-0192-attempt-gen-1");
/// assert!(RequestId::new("x".repeat(51)).is_err());
/// assert_eq!(RequestId::generate().as_str().len(), 36);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RequestId(String);

impl RequestId {
    /// The longest request id QBO accepts on a single (non-batch) write.
    pub const MAX_LEN: usize = 50;
    /// The longest request id QBO accepts on a batch request.
    pub const MAX_BATCH_LEN: usize = 36;

    /// Checks and wraps a caller-chosen request id.
    ///
    /// # Errors
    /// [`InvalidInput`] when empty, over 50 characters, or holding other characters than
    /// ASCII letters, digits, `-`, `_` and `.`.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidInput> {
        let value = value.into();
        if value.is_empty() || value.len() > Self::MAX_LEN {
            return Err(InvalidInput::new(
                "requestid",
                format!(
                    "{value:?} has {} characters; a requestid has 1 to {}",
                    value.len(),
                    Self::MAX_LEN
                ),
            ));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(InvalidInput::new(
                "requestid",
                format!("{value:?} holds {bad:?}; use ASCII letters, digits, '-', '_' or '.'"),
            ));
        }
        Ok(Self(value))
    }

    /// A fresh random request id (a UUID v4, 36 characters).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    /// The request id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({:?})", self.0)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RequestId {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_strings_and_numbers() {
        let id: EntityId = serde_json::from_str("\"42\"").unwrap();
        assert_eq!(id, "42");
        let id: EntityId = serde_json::from_str("42").unwrap();
        assert_eq!(id, "42");
        let token: SyncToken = serde_json::from_str("3").unwrap();
        assert_eq!(token.as_str(), "3");
        assert!(serde_json::from_str::<SyncToken>("1.5").is_err());
        assert!(serde_json::from_str::<SyncToken>("null").is_err());
    }

    #[test]
    fn realm_and_request_ids_are_checked() {
        assert!(RealmId::new("").is_err());
        assert!(RealmId::new("12 3").is_err());
        assert!(RealmId::new("123145").is_ok());
        assert!(RequestId::new("").is_err());
        assert!(RequestId::new("a b").is_err());
        assert!(RequestId::new("a".repeat(50)).is_ok());
        let a = RequestId::generate();
        let b = RequestId::generate();
        assert_ne!(a, b);
        assert!(RequestId::new(a.as_str()).is_ok());
    }
}
