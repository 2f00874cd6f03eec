//! Content hashes of mapped entities: the engine skips a push when the hash of the newly
//! mapped entity equals the hash stored with the link.
//!
//! The hash is SHA-256 over a canonical form of the entity's JSON as it goes to QBO:
//! object keys sorted, no insignificant white space, numbers as the wire writes them, and
//! without the fields that say *which* QBO entity and version it is (`Id`, `SyncToken`,
//! `sparse`), so it is the same before and after the entity exists in QBO. It is prefixed
//! with a version and the entity's QBO name, so equal JSON of two kinds hashes apart.

use std::fmt;

use qbo_api::Entity;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The version of the canonical form; changing the form changes it, so that every entity
/// is pushed once more rather than being wrongly skipped.
const FORM_VERSION: &str = "qbo-sync mapping content v1";

/// Top-level keys left out of the hash: identity and version, not content.
const IDENTITY_KEYS: &[&str] = &["Id", "SyncToken", "sparse"];

/// A SHA-256 content hash, written as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash of a QBO entity as the mapping emits it.
    ///
    /// # Errors
    /// The serializer's error when the entity cannot be written (an amount beyond QBO's
    /// precision; the transforms check amounts before they hash).
    pub fn of<E: Entity>(entity: &E) -> Result<Self, serde_json::Error> {
        Ok(Self::of_json(E::NAME, &serde_json::to_value(entity)?))
    }

    /// The hash of an entity's JSON (an object as the wire carries it) under its QBO name.
    pub fn of_json(entity_name: &str, json: &Value) -> Self {
        let mut text = String::new();
        text.push_str(FORM_VERSION);
        text.push('\n');
        text.push_str(entity_name);
        text.push('\n');
        match json {
            Value::Object(map) => {
                let content: serde_json::Map<String, Value> = map
                    .iter()
                    .filter(|(key, _)| !IDENTITY_KEYS.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                write_canonical(&Value::Object(content), &mut text);
            }
            other => write_canonical(other, &mut text),
        }
        Self(Sha256::digest(text.as_bytes()).into())
    }

    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a hash from its 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let text = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Self(bytes))
    }
}

/// Writes JSON with object keys sorted at every level, whatever order the map keeps.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(child) = map.get(key) {
                    write_canonical(child, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

impl Serialize for ContentHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::from_hex(&text)
            .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(&text), &"64 hex digits"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_identity_and_version_do_not_matter() {
        let a = json!({"Name": "A", "Type": "Category", "Id": "1", "SyncToken": "0"});
        let b =
            json!({"Type": "Category", "Name": "A", "Id": "2", "SyncToken": "7", "sparse": true});
        assert_eq!(
            ContentHash::of_json("Item", &a),
            ContentHash::of_json("Item", &b)
        );
        assert_ne!(
            ContentHash::of_json("Item", &a),
            ContentHash::of_json("Customer", &a)
        );
        let c = json!({"Name": "B", "Type": "Category"});
        assert_ne!(
            ContentHash::of_json("Item", &a),
            ContentHash::of_json("Item", &c)
        );
        // Nested identities count: a reference to another customer is content.
        let r1 = json!({"CustomerRef": {"value": "1"}});
        let r2 = json!({"CustomerRef": {"value": "2"}});
        assert_ne!(
            ContentHash::of_json("Invoice", &r1),
            ContentHash::of_json("Invoice", &r2)
        );
    }

    #[test]
    fn hex_round_trips() {
        let h = ContentHash::of_json("Item", &json!({"Name": "A"}));
        let text = h.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(ContentHash::from_hex(&text), Some(h));
        assert_eq!(
            serde_json::from_value::<ContentHash>(json!(text)).unwrap(),
            h
        );
        assert_eq!(ContentHash::from_hex("zz"), None);
        assert_eq!(ContentHash::from_hex(&"g".repeat(64)), None);
        assert_eq!(ContentHash::from_hex(&"+f".repeat(32)), None);
    }
}
