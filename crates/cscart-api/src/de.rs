//! Tolerant readers for the shapes CS-Cart really sends.
//!
//! CS-Cart is PHP: most scalars arrive as strings (`"12"`, `"19.99"`), some money fields as
//! JSON numbers, an empty map as `[]`, names as `null`, maps keyed by id, times as unix
//! seconds in strings. These functions are used through `#[serde(deserialize_with)]`.
//! Money is read from the JSON text itself (through [`RawValue`]), never through a float.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A scalar as CS-Cart sends it: text, number (kept as its JSON text), bool or null.
enum Scalar {
    Null,
    Text(String),
    Bool(bool),
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    let raw = <Box<RawValue>>::deserialize(d)?;
    let text = raw.get().trim();
    if text == "null" {
        return Ok(Scalar::Null);
    }
    if text == "true" || text == "false" {
        return Ok(Scalar::Bool(text == "true"));
    }
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(de::Error::custom)?;
        return Ok(Scalar::Text(s));
    }
    if text.starts_with('[') || text.starts_with('{') {
        return Err(de::Error::custom(
            "expected a scalar, found an array or object",
        ));
    }
    Ok(Scalar::Text(text.to_owned()))
}

fn parse_decimal<E: de::Error>(text: &str) -> Result<Decimal, E> {
    let t = text.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| E::custom(format!("not a decimal number: {t:?}")))
}

/// Reads a decimal from a JSON string or number, exactly. Empty text and `null` are errors.
pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    match scalar(d)? {
        Scalar::Text(t) => parse_decimal(&t),
        Scalar::Null => Err(de::Error::custom("expected a decimal, found null")),
        Scalar::Bool(_) => Err(de::Error::custom("expected a decimal, found a bool")),
    }
}

/// Reads an optional decimal: `null` and `""` are `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match scalar(d)? {
        Scalar::Text(t) if t.trim().is_empty() => Ok(None),
        Scalar::Text(t) => parse_decimal(&t).map(Some),
        Scalar::Null => Ok(None),
        Scalar::Bool(_) => Err(de::Error::custom("expected a decimal, found a bool")),
    }
}

/// Reads an optional integer from a string or number: `null` and `""` are `None`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match scalar(d)? {
        Scalar::Text(t) if t.trim().is_empty() => Ok(None),
        Scalar::Text(t) => t
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("not an integer: {t:?}"))),
        Scalar::Null => Ok(None),
        Scalar::Bool(_) => Err(de::Error::custom("expected an integer, found a bool")),
    }
}

/// Reads optional text: `null` and `""` are `None`; a number is kept as its text.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match scalar(d)? {
        Scalar::Text(t) if t.is_empty() => Ok(None),
        Scalar::Text(t) => Ok(Some(t)),
        Scalar::Null => Ok(None),
        Scalar::Bool(b) => Ok(Some(b.to_string())),
    }
}

/// Reads a CS-Cart flag: `"Y"`/`"N"`, `true`/`false`, `"1"`/`"0"`, `1`/`0`; `null` and `""`
/// are `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match scalar(d)? {
        Scalar::Bool(b) => Ok(b),
        Scalar::Null => Ok(false),
        Scalar::Text(t) => match t.trim() {
            "Y" | "y" | "1" | "true" => Ok(true),
            "N" | "n" | "0" | "" | "false" => Ok(false),
            other => Err(de::Error::custom(format!("not a Y/N flag: {other:?}"))),
        },
    }
}

/// Reads unix seconds (a string or number) as a time; `null`, `""` and `0` are `None`.
pub(crate) fn opt_unix_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match opt_i64(d)? {
        None | Some(0) => Ok(None),
        Some(secs) => DateTime::from_timestamp(secs, 0)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("unix time out of range: {secs}"))),
    }
}

/// Reads an optional id newtype where CS-Cart writes "none" as `0`, `"0"`, `""` or `null`.
pub(crate) fn opt_id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    match opt_string(d)? {
        None => Ok(None),
        Some(t) if t.trim() == "0" => Ok(None),
        Some(t) => Ok(Some(T::from(t))),
    }
}

/// Reads a list of ids given as an array, a comma-separated string, `[]`, `""` or `null`.
pub(crate) fn id_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    let raw = <Box<RawValue>>::deserialize(d)?;
    let text = raw.get().trim();
    let parts: Vec<String> = if text.starts_with('[') {
        let items: Vec<Box<RawValue>> = serde_json::from_str(text).map_err(de::Error::custom)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let t = item.get().trim();
            if t.starts_with('"') {
                out.push(serde_json::from_str::<String>(t).map_err(de::Error::custom)?);
            } else {
                out.push(t.to_owned());
            }
        }
        out
    } else if text == "null" {
        Vec::new()
    } else if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(de::Error::custom)?;
        s.split(',').map(|p| p.trim().to_owned()).collect()
    } else {
        vec![text.to_owned()]
    };
    Ok(parts
        .into_iter()
        .filter(|p| !p.is_empty() && p != "0")
        .map(T::from)
        .collect())
}

/// Reads a map keyed by id (`{"12": {...}}`) into its entries in order; `[]`, `null` and an
/// array of values (keyed by position) are accepted too.
pub(crate) fn keyed<'de, D, T>(d: D) -> Result<Vec<(String, T)>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct KeyedVisitor<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for KeyedVisitor<T> {
        type Value = Vec<(String, T)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object keyed by id, or an array")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value::<T>()?;
                out.push((key, value));
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(value) = seq.next_element::<T>()? {
                out.push((out.len().to_string(), value));
            }
            Ok(out)
        }
    }
    d.deserialize_any(KeyedVisitor(PhantomData))
}

/// Reads the values of a list that CS-Cart sends as an array or as a map keyed by id
/// (`[]` and `null` are empty).
pub(crate) fn values<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(keyed::<D, T>(d)?.into_iter().map(|(_, v)| v).collect())
}

/// Reads an object that CS-Cart sends as `[]` (or `null`) when it is empty.
pub(crate) fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = <Box<RawValue>>::deserialize(d)?;
    let text = raw.get().trim();
    if text == "null" || text.starts_with('[') || text == "\"\"" {
        // An array in place of an object is PHP's empty map; anything in it is ignored.
        let _: IgnoredAny = serde_json::from_str(text).map_err(de::Error::custom)?;
        return Ok(None);
    }
    serde_json::from_str(text)
        .map(Some)
        .map_err(de::Error::custom)
}

/// Reads a map of text values (`params`), tolerating `[]` for empty and scalar values of
/// any JSON type.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    #[derive(Deserialize)]
    struct Text(#[serde(deserialize_with = "opt_string")] Option<String>);
    let raw = <Box<RawValue>>::deserialize(d)?;
    let text = raw.get().trim();
    if !text.starts_with('{') {
        return Ok(Vec::new());
    }
    let entries: Vec<(String, Box<RawValue>)> = {
        let mut de = serde_json::Deserializer::from_str(text);
        keyed(&mut de).map_err(de::Error::custom)?
    };
    Ok(entries
        .into_iter()
        .filter_map(|(k, v)| {
            serde_json::from_str::<Text>(v.get())
                .ok()
                .map(|t| (k, t.0.unwrap_or_default()))
        })
        .collect())
}

/// Reads only the keys of a map keyed by id (`[]` and `null` are empty).
pub(crate) fn keys<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(keyed::<D, IgnoredAny>(d)?
        .into_iter()
        .map(|(k, _)| k)
        .collect())
}
