//! Small helpers over `serde_json` values: amounts as [`Decimal`], ids, references, and
//! the writer that turns an entity into the bytes stored and sent ([`write_object`]).
//!
//! Entities are JSON objects (so every property a client may send, and QBO keeps,
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

/// The bound on every amount, quantity and price read from a request, and on every total
/// computed from them: their magnitude stays below 10^15 (QBO's amounts have at most 15
/// digits, notes §8). With inputs below it, a transaction's sums stay far inside
/// `Decimal`'s range, and the running balances and stock of a company would need more than
/// 10^13 transactions to leave it.
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// Reads the amount (or quantity, or price) under `key`: `None` when absent or unset; a
/// fault naming `element` when it is not a number `Decimal` can hold (beyond its range,
/// say) or when its magnitude reaches [`MAX_AMOUNT`].
pub(crate) fn amount_at(
    object: &Object,
    key: &str,
    element: &str,
) -> Result<Option<Decimal>, crate::fault::Fault> {
    let Some(value) = object.get(key) else {
        return Ok(None);
    };
    let supplied = || value.to_string().trim_matches('"').to_owned();
    match decimal(value) {
        Ok(Some(amount)) if amount.abs() < MAX_AMOUNT => Ok(Some(amount)),
        Ok(None) => Ok(None),
        Ok(Some(_)) | Err(NotAnAmount) => {
            Err(crate::fault::Fault::out_of_range(element, &supplied()))
        }
    }
}

/// A total computed from request amounts, or a fault naming `element` when it left
/// `Decimal`'s range (`None`) or reaches [`MAX_AMOUNT`].
pub(crate) fn bounded(
    total: Option<Decimal>,
    element: &str,
) -> Result<Decimal, crate::fault::Fault> {
    match total {
        Some(total) if total.abs() < MAX_AMOUNT => Ok(total),
        Some(total) => Err(crate::fault::Fault::out_of_range(
            element,
            &total.to_string(),
        )),
        None => Err(crate::fault::Fault::out_of_range(
            element,
            "a total beyond any number",
        )),
    }
}

/// The sum of `values`, `None` when it leaves `Decimal`'s range.
pub(crate) fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |sum, v| sum.checked_add(v))
}

/// Rounds half away from zero to cents (QBO's rounding, notes §8).
pub(crate) fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Writes an amount as a JSON number (exact for up to 15 significant digits; beyond that
/// it is first rounded to 15, which no amount the sandbox computes reaches).
pub(crate) fn number(value: Decimal) -> Value {
    if value.is_zero() {
        // The common case (a new entity's balances), without the decimal → float trip.
        return Number::from_f64(0.0).map_or(Value::Null, Value::Number);
    }
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

/// A value written in place of (or in addition to) an object's own entry: see
/// [`write_object`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Extra<'a> {
    Str(&'a str),
    Bool(bool),
    /// An object of its own entries (sorted by key).
    Object(&'a [(&'a str, Extra<'a>)]),
}

/// Writes `object` out as compact JSON, exactly as `serde_json::to_writer` would, with
/// the entries of `extras` (sorted by key) in their place among its keys: an extra
/// replaces the object's own entry of the same key. The answers and stored versions of
/// every write go through here, so strings without anything to escape are copied as
/// they are.
pub(crate) fn write_object(out: &mut Vec<u8>, object: &Object, extras: &[(&str, Extra<'_>)]) {
    write_merged(out, object, extras);
}

/// `{"<key>":`, the start of an answer `{"<Entity>":{…},"time":"…"}`.
pub(crate) fn open_envelope(out: &mut Vec<u8>, key: &str) {
    out.push(b'{');
    write_str(out, key);
    out.push(b':');
}

/// `,"time":"<time>"}`, the end of an answer.
pub(crate) fn close_envelope(out: &mut Vec<u8>, time: &str) {
    out.extend_from_slice(b",\"time\":");
    write_str(out, time);
    out.push(b'}');
}

fn write_merged(out: &mut Vec<u8>, object: &Object, extras: &[(&str, Extra<'_>)]) {
    out.push(b'{');
    let mut first = true;
    let mut extras = extras.iter().peekable();
    let mut key = |out: &mut Vec<u8>, key: &str| {
        if !first {
            out.push(b',');
        }
        first = false;
        write_str(out, key);
        out.push(b':');
    };
    for (name, value) in object {
        while let Some((extra, with)) = extras.next_if(|(extra, _)| *extra < name.as_str()) {
            key(out, extra);
            write_extra(out, *with);
        }
        if let Some((extra, with)) = extras.next_if(|(extra, _)| *extra == name.as_str()) {
            key(out, extra);
            write_extra(out, *with);
            continue;
        }
        key(out, name);
        write_value(out, value);
    }
    for (extra, with) in extras {
        key(out, extra);
        write_extra(out, *with);
    }
    out.push(b'}');
}

fn write_extra(out: &mut Vec<u8>, extra: Extra<'_>) {
    match extra {
        Extra::Str(text) => write_str(out, text),
        Extra::Bool(flag) => out.extend_from_slice(if flag { b"true" } else { b"false" }),
        Extra::Object(entries) => write_merged(out, &Object::new(), entries),
    }
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(flag) => out.extend_from_slice(if *flag { b"true" } else { b"false" }),
        Value::Number(number) => {
            // Writing to a Vec cannot fail; numbers keep serde_json's own formatting.
            let _ = serde_json::to_writer(&mut *out, number);
        }
        Value::String(text) => write_str(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(object) => write_merged(out, object, &[]),
    }
}

/// Whether a string holds a control character, `"` or `\\` (what JSON escapes), looked
/// for eight bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `word` is below 0x20, `"` or `\\` (exact as a yes/no).
    let special = |word: u64| {
        let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
        (word.wrapping_sub(ONES * 0x20) & !word & HIGHS)
            | has_zero(word ^ (ONES * u64::from(b'"')))
            | has_zero(word ^ (ONES * u64::from(b'\\')))
            != 0
    };
    let load = |chunk: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        u64::from_le_bytes(word)
    };
    let len = bytes.len();
    if len < 8 {
        return bytes.iter().any(|&b| ESCAPED[usize::from(b)]);
    }
    let mut chunks = bytes.chunks_exact(8);
    if chunks.any(|chunk| special(load(chunk))) {
        return true;
    }
    // The last eight bytes (overlapping the last whole chunk) cover the rest.
    !len.is_multiple_of(8) && special(load(&bytes[len - 8..]))
}

/// The bytes a JSON string escapes.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A JSON string: copied as it is when nothing in it needs escaping, else escaped by
/// serde_json.
fn write_str(out: &mut Vec<u8>, text: &str) {
    if !needs_escape(text.as_bytes()) {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, text);
    }
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
    fn max_amount_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000u64));
    }

    #[test]
    fn amounts_beyond_the_bound_or_decimal_are_faults() {
        let object = |v: Value| {
            let mut o = Object::new();
            o.insert("Amount".to_owned(), v);
            o
        };
        for v in [
            Value::from(1e20),
            Value::from("79228162514264337593543950335"),
            Value::from("-1e28"),
            Value::from("1e29"),
            Value::from(u64::MAX),
            Value::from("1000000000000000"),
        ] {
            let fault = amount_at(&object(v.clone()), "Amount", "Line.Amount").expect_err("out");
            assert_eq!(fault.code(), "6000", "{v}");
        }
        assert_eq!(
            amount_at(&object(Value::from("9.99e14")), "Amount", "Line.Amount").ok(),
            Some(Some(Decimal::from(999_000_000_000_000u64)))
        );
        assert_eq!(amount_at(&Object::new(), "Amount", "A").ok(), Some(None));
        assert_eq!(checked_sum([Decimal::MAX, Decimal::ONE]), None);
        assert!(bounded(None, "TotalAmt").is_err());
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
        assert_eq!(number(dec!(0.00)).to_string(), "0.0");
        assert_eq!(number(-dec!(0.00)).to_string(), "0.0");
        assert_eq!(
            number(dec!(9999999999999.99)).to_string(),
            "9999999999999.99"
        );
        // More than 15 significant digits: rounded to 15, never null.
        assert!(number(dec!(1.2345678901234567)).is_number());
    }

    #[test]
    fn objects_are_written_as_serde_json_writes_them() {
        let value = json!({
            "b": "plain", "a": [1, -2, 3.5, 1e300, 0.1, true, false, null, {}, []],
            "esc": "quote \" back \\ nl \n tab \t bell \u{7} del \u{7f} é 😀 </>",
            "nested": {"z": {"y": "x"}, "": ""}, "Upper": 18446744073709551615u64, "i": -5
        });
        let object = value.as_object().cloned().unwrap_or_default();
        assert!(!object.is_empty());
        let expected = serde_json::to_vec(&value).expect("writes");
        let written = |object: &Object, extras: &[(&str, Extra<'_>)]| {
            let mut out = Vec::new();
            write_object(&mut out, object, extras);
            out
        };
        assert_eq!(written(&object, &[]), expected);
        // Extras take their place among the keys and replace entries of the same key.
        let extras = [
            ("Id", Extra::Str("7")),
            ("a", Extra::Bool(false)),
            (
                "c\"",
                Extra::Object(&[("k", Extra::Str("v")), ("l", Extra::Bool(true))]),
            ),
            ("zz", Extra::Str("last")),
        ];
        let mut merged = object.clone();
        merged.insert("Id".into(), json!("7"));
        merged.insert("a".into(), json!(false));
        merged.insert("c\"".into(), json!({"k": "v", "l": true}));
        merged.insert("zz".into(), json!("last"));
        let expected = serde_json::to_vec(&merged).expect("writes");
        assert_eq!(written(&object, &extras), expected);
        assert_eq!(written(&Object::new(), &[]), b"{}");
        // The answer envelope, as serde_json writes `{"Customer": {...}, "time": "..."}`.
        let mut out = Vec::new();
        open_envelope(&mut out, "Customer");
        write_object(&mut out, &object, &[]);
        close_envelope(&mut out, "2024-03-01T10:15:32.007-08:00");
        let expected = json!({"Customer": value, "time": "2024-03-01T10:15:32.007-08:00"});
        assert_eq!(out, serde_json::to_vec(&expected).expect("writes"));
    }

    #[test]
    fn escapes_are_found_wherever_they_are() {
        assert!(!needs_escape(b""));
        assert!(!needs_escape(
            "plain text, 8+ bytes long é 😀 \u{7f}".as_bytes()
        ));
        for special in [b'"', b'\\', 0, 0x1f, b'\n'] {
            for len in 1..20 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    assert!(needs_escape(&bytes), "{special} at {at} of {len}");
                }
            }
        }
        // Bytes next to the special ones are not special.
        for plain in [b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff] {
            assert!(!needs_escape(&[plain; 17]), "{plain}");
        }
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
