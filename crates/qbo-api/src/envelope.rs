//! Response envelopes: `{"Customer": {...}, "time": ...}`, `{"QueryResponse": {...}}`,
//! with a `Fault` possibly in their place (QBO sends some faults with HTTP 200).
//!
//! They are read straight from the bytes, without an intermediate `serde_json::Value`;
//! on failure the body is read again with path tracking so the error names the field.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::client::{Answer, Call};
use crate::entity::Entity;
use crate::error::QboError;
use crate::fault::{self, FaultBody};

/// A type found under a fixed key of the envelope.
pub(crate) trait Keyed: DeserializeOwned {
    fn key() -> &'static str;
}

/// One entity under its own name.
#[derive(Debug)]
pub(crate) struct One<E>(pub E);

impl<'de, E: Entity> Deserialize<'de> for One<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        E::deserialize(d).map(One)
    }
}

impl<E: Entity> Keyed for One<E> {
    fn key() -> &'static str {
        E::NAME
    }
}

/// The top-level object: the keyed value, a fault, and anything else ignored.
#[derive(Debug)]
pub(crate) struct Envelope<K> {
    pub value: Option<K>,
    pub fault: Option<FaultBody>,
}

impl<'de, K: Keyed> Deserialize<'de> for Envelope<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(PhantomData<K>);
        impl<'de, K: Keyed> Visitor<'de> for V<K> {
            type Value = Envelope<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a JSON object holding {} or Fault", K::key())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut value = None;
                let mut fault = None;
                while let Some(key) = map.next_key::<KeyName<'de>>()? {
                    let key = key.as_str();
                    if key == K::key() {
                        if value.is_some() {
                            return Err(de::Error::duplicate_field(K::key()));
                        }
                        value = Some(map.next_value::<K>()?);
                    } else if key.eq_ignore_ascii_case("fault") {
                        fault = Some(map.next_value::<FaultBody>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Envelope { value, fault })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A map key, borrowed when the JSON allows it.
pub(crate) enum KeyName<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyName<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for KeyName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(KeyName::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyName::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(KeyName::Owned(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// Decodes a body, naming the failing JSON path on error.
pub(crate) fn decode_plain<T: DeserializeOwned>(
    answer: &Answer,
    call: &Call,
) -> Result<T, QboError> {
    match serde_json::from_slice::<T>(&answer.body) {
        Ok(v) => Ok(v),
        Err(first) => {
            // Read again with path tracking, only on the (rare) failure path.
            let mut de = serde_json::Deserializer::from_slice(&answer.body);
            let message = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
                    format!("at {}: {}", e.path(), e.inner())
                }
                _ => first.to_string(),
            };
            Err(QboError::Decode {
                message,
                snippet: fault::snippet(&answer.body),
                context: Box::new(answer.context(call)),
            })
        }
    }
}

/// Decodes an envelope.
pub(crate) fn decode<K: Keyed>(answer: &Answer, call: &Call) -> Result<Envelope<K>, QboError> {
    decode_plain::<Envelope<K>>(answer, call)
}
