//! Money and quantities on the QBO wire.
//!
//! Inside qbo-sync every amount is a [`Decimal`]. QBO takes amounts as JSON numbers and
//! accepts at most [`MAX_SIGNIFICANT_DIGITS`] significant digits ("15 digits in 10.5
//! format"). Any decimal with at most 15 significant digits survives the trip through an
//! `f64` exactly (IEEE 754 binary64 carries 15 decimal digits both ways), so an amount is
//! checked first and only then written as a number; a larger amount is an error, never a
//! silent rounding.
//!
//! Reading is bounded the same way. An amount QBO sends as a JSON string is read exactly,
//! whatever its length. An amount sent as a JSON number is read through the `f64` that
//! `serde_json` makes of it and then printed in its shortest form: exact for every number
//! with at most [`MAX_SIGNIFICANT_DIGITS`] significant digits, in any spelling (`10.50`,
//! `1.05e1`, `1050E-2`), since no two such decimals share an `f64`. QBO keeps at most 15, so
//! its amounts always read exactly; a longer number (never sent by QBO) reads as the
//! shortest decimal of its nearest `f64` (`12345678901234567.89` reads as
//! `12345678901234568`). Out of `Decimal`'s range (±7.9e28) or not finite is an error.
//! Reading does not go through `serde_json`'s `RawValue`, because entities with these
//! fields are also decoded through buffered (tagged, flattened) containers.
//!
//! Use the modules with serde's `with` attribute:
//!
//! ```
//! use rust_decimal::Decimal;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Line {
//!     #[serde(with = "qbo_api::money", rename = "Amount")]
//!     amount: Decimal,
//!     #[serde(with = "qbo_api::money::option", rename = "Qty", default, skip_serializing_if = "Option::is_none")]
//!     qty: Option<Decimal>,
//! }
//!
//! let line = Line { amount: Decimal::new(1050, 2), qty: None };
//! assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"Amount":10.5}"#);
//! let back: Line = serde_json::from_str(r#"{"Amount":"10.50","Qty":2}"#).unwrap();
//! assert_eq!(back.amount, Decimal::new(105, 1));
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserializer, Serializer, de};

/// The most significant digits QBO keeps in an amount.
pub const MAX_SIGNIFICANT_DIGITS: u32 = 15;

/// An amount QBO cannot hold exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "amount {value} has {digits} significant digits; QBO keeps at most {MAX_SIGNIFICANT_DIGITS}, so it would be rounded"
)]
pub struct AmountError {
    /// The amount as given.
    pub value: Decimal,
    /// Its significant digits.
    pub digits: u32,
}

/// Counts the significant digits of a decimal (trailing zeros after the point do not count).
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(qbo_api::money::significant_digits(&Decimal::new(105000, 4)), 3); // 10.5000
/// assert_eq!(qbo_api::money::significant_digits(&Decimal::ZERO), 1);
/// ```
pub fn significant_digits(value: &Decimal) -> u32 {
    let mantissa = value.normalize().mantissa().unsigned_abs();
    if mantissa == 0 {
        1
    } else {
        mantissa.ilog10() + 1
    }
}

/// Checks an amount against QBO's precision and returns the `f64` that carries it exactly.
///
/// # Errors
/// [`AmountError`] when the amount has more than 15 significant digits.
pub fn to_wire(value: &Decimal) -> Result<f64, AmountError> {
    let digits = significant_digits(value);
    if digits > MAX_SIGNIFICANT_DIGITS {
        return Err(AmountError {
            value: *value,
            digits,
        });
    }
    // Parsing the decimal text is correctly rounded, so the f64 is the nearest one to the
    // decimal, and with at most 15 significant digits its shortest form is that decimal.
    f64::from_str(&value.normalize().to_string()).map_err(|_| AmountError {
        value: *value,
        digits,
    })
}

/// Serializes a decimal as a JSON number after the precision check.
///
/// # Errors
/// A serializer error naming the amount when it has more than 15 significant digits.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let wire = to_wire(value).map_err(serde::ser::Error::custom)?;
    serializer.serialize_f64(wire)
}

/// Deserializes a decimal from a JSON number or a numeric string.
///
/// # Errors
/// A deserializer error for anything else (an empty string included).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    match deserializer.deserialize_any(DecimalVisitor)? {
        Some(d) => Ok(d),
        None => Err(de::Error::invalid_value(
            de::Unexpected::Str(""),
            &"an amount",
        )),
    }
}

/// Parses decimal text as QBO or a store may write it, exactly.
fn parse_text<E: de::Error>(text: &str) -> Result<Option<Decimal>, E> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map(Some)
        .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &"a decimal amount"))
}

struct DecimalVisitor;

impl<'de> de::Visitor<'de> for DecimalVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount (number or numeric string)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        // Rust prints the shortest text that reads back as the same f64 and never uses
        // an exponent, so a JSON number like 10.50 becomes exactly 10.5.
        Decimal::from_str(&v.to_string())
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Float(v), &"an amount within ±7.9e28"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_text(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// The same rules for `Option<Decimal>`: `null` and an empty string read as `None`.
pub mod option {
    use super::*;

    /// Serializes `Some` as a checked JSON number and `None` as `null`
    /// (pair it with `skip_serializing_if = "Option::is_none"`).
    ///
    /// # Errors
    /// A serializer error naming the amount when it has more than 15 significant digits.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::serialize(v, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes a number, a numeric string, an empty string or `null`.
    ///
    /// # Errors
    /// A deserializer error for anything else.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct W {
        #[serde(with = "super")]
        a: Decimal,
        #[serde(with = "option", default, skip_serializing_if = "Option::is_none")]
        b: Option<Decimal>,
    }

    #[test]
    fn trailing_zeros_and_strings_decode_exactly() {
        let w: W = serde_json::from_str(r#"{"a":100.00,"b":"12.3400"}"#).unwrap();
        assert_eq!(w.a, Decimal::new(100, 0));
        assert_eq!(w.b, Some(Decimal::new(1234, 2)));
        let w: W = serde_json::from_str(r#"{"a":0.1,"b":""}"#).unwrap();
        assert_eq!(w.a, Decimal::new(1, 1));
        assert_eq!(w.b, None);
        let w: W = serde_json::from_str(r#"{"a":-5,"b":null}"#).unwrap();
        assert_eq!(w.a, Decimal::new(-5, 0));
        assert!(serde_json::from_str::<W>(r#"{"a":"abc"}"#).is_err());
        assert!(serde_json::from_str::<W>(r#"{"a":""}"#).is_err());
        assert!(serde_json::from_str::<W>(r#"{"a":1e300}"#).is_err());
    }

    #[test]
    fn sixteen_digits_are_refused() {
        let ok = W {
            a: Decimal::new(999_999_999_999_999, 2),
            b: None,
        };
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"a":9999999999999.99}"#
        );
        let too_many = W {
            a: Decimal::new(1_234_567_890_123_456, 2),
            b: None,
        };
        let err = serde_json::to_string(&too_many).unwrap_err().to_string();
        assert!(err.contains("16 significant digits"), "{err}");
    }

    #[test]
    fn beyond_fifteen_digits_a_json_number_reads_as_its_nearest_f64() {
        // The stated bound: a string is exact, a number beyond 15 digits is not.
        let w: W = serde_json::from_str(r#"{"a":12345678901234567.89,"b":"12345678901234567.89"}"#)
            .unwrap();
        assert_eq!(w.a, Decimal::new(12_345_678_901_234_568, 0));
        assert_eq!(w.b, Some(Decimal::new(1_234_567_890_123_456_789, 2)));
        // Out of range, as a number or a string: an error, never a panic.
        for text in [
            r#"{"a":79228162514264337593543950336}"#,
            r#"{"a":1e29}"#,
            r#"{"a":-1e29}"#,
            r#"{"a":"79228162514264337593543950336"}"#,
            r#"{"a":"1E+400"}"#,
            r#"{"a":1E+400}"#,
            r#"{"a":99999999999999999999999999999999999999999}"#,
        ] {
            assert!(serde_json::from_str::<W>(text).is_err(), "{text}");
        }
        // Within range, any length of string is read.
        let w: W = serde_json::from_str(r#"{"a":"79228162514264337593543950335"}"#).unwrap();
        assert_eq!(w.a, Decimal::MAX);
    }

    proptest! {
        /// Every JSON number of at most 15 significant digits reads exactly, in any
        /// spelling QBO (or any JSON writer) may use.
        #[test]
        fn every_fifteen_digit_json_number_reads_exactly(
            m in -999_999_999_999_999i64..=999_999_999_999_999i64,
            exp in -28i32..=13,
            zeros in 0usize..5,
            form in 0u8..3,
        ) {
            let scale = u32::try_from(-exp).unwrap_or(0);
            let mut want = Decimal::new(m, scale);
            if exp > 0 {
                want = want.checked_mul(Decimal::from(10i64.pow(exp.unsigned_abs()))).unwrap();
            }
            let text = match form {
                0 => format!("{want}{}", if want.scale() > 0 { "0".repeat(zeros) } else { String::new() }),
                1 => format!("{m}e{exp}"),
                _ => format!("{m}{}E{}", "0".repeat(zeros), exp - i32::try_from(zeros).unwrap()),
            };
            let back: W = serde_json::from_str(&format!(r#"{{"a":{text},"b":{text}}}"#)).unwrap();
            prop_assert_eq!(back.a, want, "{}", text);
            prop_assert_eq!(back.b, Some(want), "{}", text);
        }

        #[test]
        fn every_fifteen_digit_amount_round_trips(m in -999_999_999_999_999i64..=999_999_999_999_999i64, scale in 0u32..=15) {
            let value = Decimal::new(m, scale);
            let text = serde_json::to_string(&W { a: value, b: Some(value) }).unwrap();
            let back: W = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back.a, value);
            prop_assert_eq!(back.b, Some(value));
        }
    }
}
