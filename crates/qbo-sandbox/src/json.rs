//! Small helpers over `serde_json` values: amounts as [`Decimal`], ids, references.
//!
//! Entities are kept as JSON objects (so every property a client may send, and QBO keeps,
//! survives); amounts are read into `Decimal` for every computation and written back as
//! JSON numbers through `qbo_api::money::to_wire`, which refuses more than 15 significant
//! digits instead of rounding.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Number, Value};

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// A value that should be an amount but is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotAnAmount;

/// Reads an amount: a JSON number, a numeric string, or `""`/`null` (unset; QBO's lenient
/// clients send empty strings for unset amounts).
pub(crate) fn decimal(value: &Value) -> Result<Option<Decimal>, NotAnAmount> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => parse_decimal(&n.to_string()).map(Some),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_decimal(s.trim()).map(Some),
        _ => Err(NotAnAmount),
    }
}

fn parse_decimal(text: &str) -> Result<Decimal, NotAnAmount> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| NotAnAmount)
}

/// The amount under `key`, `None` when absent, unset or not an amount.
pub(crate) fn decimal_at(object: &Object, key: &str) -> Option<Decimal> {
    object.get(key).and_then(|v| decimal(v).ok().flatten())
}

/// Rounds half away from zero to cents (QBO's rounding, notes §8).
pub(crate) fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Writes an amount as a JSON number (exact for up to 15 significant digits; beyond that
/// it is first rounded to 15, which no amount the sandbox computes reaches).
pub(crate) fn number(value: Decimal) -> Value {
    let wire = qbo_api::money::to_wire(&value).or_else(|_| {
        let digits = qbo_api::money::significant_digits(&value);
        let excess = digits.saturating_sub(qbo_api::money::MAX_SIGNIFICANT_DIGITS);
        let scale = value.scale().saturating_sub(excess);
        qbo_api::money::to_wire(&value.round_dp(scale))
    });
    wire.ok()
        .and_then(Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// An id-like value: a JSON string, or a whole number (QBO's lenient readers take both).
pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| format!("{f:.0}")),
        _ => None,
    }
}

/// The `value` of the reference under `key` (`{"value": "42", "name": ...}`).
pub(crate) fn ref_id(object: &Object, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_object)
        .and_then(|r| r.get("value"))
        .and_then(id_text)
        .filter(|s| !s.is_empty())
}

/// The string under `key`, unless absent, null or empty.
pub(crate) fn text<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The boolean under `key` (a JSON boolean or the strings `true`/`false`).
pub(crate) fn flag(object: &Object, key: &str) -> Option<bool> {
    match object.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A reference value `{"value": id, "name": name}`.
pub(crate) fn reference(id: &str, name: Option<&str>) -> Value {
    let mut r = Object::new();
    r.insert("value".to_owned(), Value::String(id.to_owned()));
    if let Some(name) = name {
        r.insert("name".to_owned(), Value::String(name.to_owned()));
    }
    Value::Object(r)
}

/// Finds `key` in `object` ignoring ASCII case (query field names are case-insensitive).
pub(crate) fn get_ignore_case<'a>(object: &'a Object, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use serde_json::json;

    use super::*;

    #[test]
    fn amounts_read_exactly_from_numbers_and_strings() {
        assert_eq!(decimal(&json!(1861.075)), Ok(Some(dec!(1861.075))));
        assert_eq!(decimal(&json!("12.50")), Ok(Some(dec!(12.50))));
        assert_eq!(decimal(&json!("")), Ok(None));
        assert_eq!(decimal(&json!(null)), Ok(None));
        assert_eq!(decimal(&json!(7)), Ok(Some(dec!(7))));
        assert_eq!(decimal(&json!({"a": 1})), Err(NotAnAmount));
        assert_eq!(decimal(&json!("abc")), Err(NotAnAmount));
        assert_eq!(decimal(&json!(1e300)), Err(NotAnAmount));
    }

    #[test]
    fn cents_round_half_up() {
        assert_eq!(cents(dec!(1861.075)), dec!(1861.08));
        assert_eq!(cents(dec!(1.005)), dec!(1.01));
        assert_eq!(cents(dec!(-1.005)), dec!(-1.01));
        assert_eq!(cents(dec!(2.004)), dec!(2.00));
    }

    #[test]
    fn numbers_are_written_exactly() {
        assert_eq!(number(dec!(109.70)).to_string(), "109.7");
        assert_eq!(number(dec!(0)).to_string(), "0.0");
        assert_eq!(
            number(dec!(9999999999999.99)).to_string(),
            "9999999999999.99"
        );
        // More than 15 significant digits: rounded to 15, never null.
        assert!(number(dec!(1.2345678901234567)).is_number());
    }

    #[test]
    fn ids_come_from_strings_and_whole_numbers() {
        assert_eq!(id_text(&json!("42")), Some("42".to_owned()));
        assert_eq!(id_text(&json!(42)), Some("42".to_owned()));
        assert_eq!(id_text(&json!(4.0)), Some("4".to_owned()));
        assert_eq!(id_text(&json!(4.5)), None);
        assert_eq!(id_text(&json!(true)), None);
    }
}
