//! Properties QBO sends that the typed entities do not know.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Properties of a QBO answer that the typed model has no field for (for example
/// `V4IDPseudonym` on Customer, a read-only id QBO sent before its schema listed it).
///
/// They are kept so that callers can read them, but they are **never sent back**:
/// QBO rejects a write holding a property it does not know (fault 2010), so this type
/// serializes as nothing. Every entity and nested object carries one, flattened, under
/// the field name `other`.
///
/// ```
/// use qbo_api::Customer;
/// let c: Customer = serde_json::from_str(r#"{"DisplayName":"Ann","V4IDPseudonym":"x1"}"#).unwrap();
/// assert_eq!(c.other.get("V4IDPseudonym").and_then(|v| v.as_str()), Some("x1"));
/// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"DisplayName":"Ann"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unknown(Map<String, Value>);

impl Unknown {
    /// An unknown property by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Whether there are no unknown properties.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many unknown properties there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the unknown properties.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// The properties as a JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl From<Map<String, Value>> for Unknown {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl Serialize for Unknown {
    /// Writes no properties at all (see the type's documentation).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for Unknown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Self)
    }
}
