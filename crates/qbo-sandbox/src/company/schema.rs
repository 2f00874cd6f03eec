//! The 2010 rule (notes §6): every key of a request entity must be an element of its XSD
//! type (looked up in `qbo_api::schema`, generated from Intuit's XSDs), and every value
//! must have a JSON type that type can take. The walk also applies the leniency QBO shows
//! to widely used clients: `null` and `""` for dates and amounts mean unset, numbers are
//! taken where strings are expected (`SyncToken: 2`).

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use qbo_api::schema::{self, ComplexType, Field};
use serde_json::Value;

use crate::fault::Fault;
use crate::json::Object;
use crate::kind::Kind;

/// What a field's value must be, worked out once from its XSD type name.
#[derive(Debug, Clone, Copy)]
enum ValueType {
    /// A complex type: the position of its [`Type`] in the index.
    Complex(usize),
    /// `anyType`: anything.
    Any,
    Boolean,
    /// `decimal`, `int`, `long`, `positiveInteger`.
    Number,
    /// `date`, `dateTime`.
    Date,
    /// Strings and simple (enumeration) types.
    Text,
}

/// One field of a complex type, with its value type resolved.
#[derive(Debug)]
struct Entry {
    field: &'static Field,
    value: ValueType,
}

/// A complex type with its fields by name.
#[derive(Debug)]
struct Type {
    ty: &'static ComplexType,
    fields: HashMap<&'static str, Entry, BuildHasherDefault<FxHasher>>,
}

/// The multiply-rotate hash of rustc (FxHash): the keys of the index are the schema's
/// own names, so a fast hash with no defence against chosen collisions is enough.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut rest = 0u64;
        for (i, byte) in chunks.remainder().iter().enumerate() {
            rest |= u64::from(*byte) << (8 * i);
        }
        self.add(rest);
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Every complex type of the table, in the table's (name) order.
static INDEX: OnceLock<Vec<Type>> = OnceLock::new();

fn type_position(name: &str) -> Option<usize> {
    schema::TYPES.binary_search_by(|t| t.name.cmp(name)).ok()
}

fn index() -> &'static [Type] {
    INDEX.get_or_init(|| {
        schema::TYPES
            .iter()
            .map(|ty| {
                let mut fields = HashMap::default();
                for field in ty.fields.iter().rev() {
                    let entry = Entry {
                        field,
                        value: match type_position(field.ty) {
                            Some(position) => ValueType::Complex(position),
                            None => match field.ty {
                                "anyType" => ValueType::Any,
                                "boolean" => ValueType::Boolean,
                                "decimal" | "int" | "long" | "positiveInteger" => ValueType::Number,
                                "date" | "dateTime" => ValueType::Date,
                                _ => ValueType::Text,
                            },
                        },
                    };
                    // In reverse, so that should a name be listed twice the first
                    // declaration counts, as with `ComplexType::field`.
                    fields.insert(field.name, entry);
                }
                Type { ty, fields }
            })
            .collect()
    })
}

impl Type {
    fn field(&self, key: &str) -> Option<&Entry> {
        self.fields.get(key)
    }
}

/// Where a value is, e.g. `Invoice.Line[0].SalesItemLineDetail`: written out only when a
/// fault names it.
#[derive(Debug, Clone, Copy)]
enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Item(&'a Path<'a>, &'a str, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Item(parent, key, i) => write!(f, "{parent}.{key}[{i}]"),
        }
    }
}

/// Deepest nesting walked; deeper JSON is refused (QBO's types nest far less).
const MAX_DEPTH: usize = 32;

/// The index position of each kind's entity type, in [`Kind::ALL`] order.
static KINDS: OnceLock<Vec<Option<usize>>> = OnceLock::new();

fn entity_position(name: &str) -> Option<usize> {
    schema::entity_type(name).and_then(|ty| type_position(ty.name))
}

/// Checks (and normalises) the request JSON of an entity of `kind`.
pub(crate) fn check_kind(kind: Kind, body: &mut Object) -> Result<(), Fault> {
    let position = KINDS
        .get_or_init(|| {
            Kind::ALL
                .iter()
                .map(|k| entity_position(k.name()))
                .collect()
        })
        .get(kind.index())
        .copied()
        .flatten();
    check_at(position, kind.name(), body)
}

/// Checks (and normalises) the entity `name`'s request JSON.
#[cfg(test)]
pub(crate) fn check_entity(name: &str, body: &mut Object) -> Result<(), Fault> {
    check_at(entity_position(name), name, body)
}

fn check_at(position: Option<usize>, name: &str, body: &mut Object) -> Result<(), Fault> {
    let types = index();
    match position.and_then(|p| types.get(p)) {
        Some(ty) => walk_object(types, ty, &Path::Root(name), body, true, 0),
        None => Err(Fault::unsupported(format!(
            "{name} is not an entity of the QBO schema"
        ))),
    }
}

fn token(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "START_OBJECT",
        Value::Array(_) => "START_ARRAY",
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(_) => "VALUE_TRUE",
        Value::Null => "VALUE_NULL",
    }
}

fn wrong_type(java: &str, value: &Value, path: &Path<'_>) -> Fault {
    Fault::unknown_property(
        format!(
            "Can not deserialize instance of {java} out of {} token",
            token(value)
        ),
        path.to_string(),
    )
}

fn walk_object(
    types: &[Type],
    ty: &Type,
    path: &Path<'_>,
    object: &mut Object,
    top: bool,
    depth: usize,
) -> Result<(), Fault> {
    if depth > MAX_DEPTH {
        return Err(Fault::malformed("the JSON nests too deeply"));
    }
    let mut unset: Vec<String> = Vec::new();
    for (key, value) in object.iter_mut() {
        if top && key == "sparse" {
            continue;
        }
        let Some(entry) = ty.field(key) else {
            if ty.ty.any {
                continue;
            }
            return Err(Fault::unknown_property(
                format!(
                    "Unrecognized field \"{key}\" (class com.intuit.schema.finance.v3.{}), not marked as ignorable",
                    ty.ty.name
                ),
                path.to_string(),
            ));
        };
        if !check_field(types, entry, path, key, value, depth)? {
            unset.push(key.clone());
        }
    }
    for key in unset {
        object.remove(&key);
    }
    Ok(())
}

/// Checks one field's value; `Ok(false)` when the value means "unset" and is dropped.
fn check_field(
    types: &[Type],
    entry: &Entry,
    parent: &Path<'_>,
    key: &str,
    value: &mut Value,
    depth: usize,
) -> Result<bool, Fault> {
    if value.is_null() {
        return Ok(false);
    }
    if entry.field.many {
        let Value::Array(items) = value else {
            return Err(wrong_type(
                "java.util.ArrayList",
                value,
                &Path::Key(parent, key),
            ));
        };
        for (i, item) in items.iter_mut().enumerate() {
            check_single(types, entry, &Path::Item(parent, key, i), item, depth)?;
        }
        return Ok(true);
    }
    check_single(types, entry, &Path::Key(parent, key), value, depth)
}

fn check_single(
    types: &[Type],
    entry: &Entry,
    path: &Path<'_>,
    value: &mut Value,
    depth: usize,
) -> Result<bool, Fault> {
    match entry.value {
        ValueType::Complex(position) => match value {
            Value::Object(object) => match types.get(position) {
                Some(complex) => {
                    walk_object(types, complex, path, object, false, depth + 1).map(|()| true)
                }
                None => Ok(true),
            },
            Value::Null => Ok(false),
            other => Err(wrong_type(
                &format!("com.intuit.schema.finance.v3.{}", entry.field.ty),
                other,
                path,
            )),
        },
        ValueType::Any => Ok(true),
        ValueType::Boolean => match value {
            Value::Bool(_) => Ok(true),
            Value::String(s)
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                Ok(true)
            }
            Value::String(s) if s.is_empty() => Ok(false),
            other => Err(wrong_type("java.lang.Boolean", other, path)),
        },
        ValueType::Number => match value {
            Value::Number(_) => Ok(true),
            Value::String(s) if s.trim().is_empty() => Ok(false),
            Value::String(_) if crate::json::decimal(value).is_ok() => Ok(true),
            other => Err(wrong_type("java.math.BigDecimal", other, path)),
        },
        ValueType::Date => match value {
            Value::String(s) if s.is_empty() => Ok(false),
            Value::String(_) => Ok(true),
            other => Err(wrong_type("java.util.Date", other, path)),
        },
        ValueType::Text => match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(true),
            other => Err(wrong_type("java.lang.String", other, path)),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Object {
        match value {
            Value::Object(o) => o,
            _ => Object::new(),
        }
    }

    #[test]
    fn unknown_keys_are_2010_naming_the_class() {
        let mut body = object(json!({"Name": "x", "PurchaseTaxInclusive": true}));
        let fault = check_entity("Item", &mut body).expect_err("2010");
        assert_eq!(fault.code(), "2010");
        assert!(
            fault.errors[0]
                .detail
                .contains("Unrecognized field \"PurchaseTaxInclusive\" (class com.intuit.schema.finance.v3.Item)"),
            "{fault:?}"
        );
    }

    #[test]
    fn nested_unknown_keys_and_wrong_types_are_2010() {
        let mut body = object(json!({"Line": [{"Amount": 1, "SalesItemLineDetail": {"Qtyy": 2}}]}));
        let fault = check_entity("Invoice", &mut body).expect_err("Qtyy");
        assert_eq!(
            fault.errors[0].element,
            "Invoice.Line[0].SalesItemLineDetail"
        );
        let mut body = object(json!({"DisplayName": {"a": 1}}));
        let fault = check_entity("Customer", &mut body).expect_err("object for a string");
        assert!(fault.errors[0].detail.contains("START_OBJECT"), "{fault:?}");
        let mut body = object(json!({"Line": {"Amount": 1}}));
        assert!(
            check_entity("Invoice", &mut body).is_err(),
            "Line must be an array"
        );
        let mut body = object(json!({"Active": 3}));
        assert!(check_entity("Customer", &mut body).is_err());
    }

    #[test]
    fn leniency_nulls_empty_amounts_and_numeric_tokens() {
        let mut body = object(json!({
            "Id": 5, "SyncToken": 2, "sparse": true, "Balance": "", "OpenBalanceDate": "",
            "Notes": null, "Taxable": "true", "DisplayName": "Ann"
        }));
        check_entity("Customer", &mut body).expect("lenient");
        assert!(!body.contains_key("Balance"));
        assert!(!body.contains_key("OpenBalanceDate"));
        assert!(!body.contains_key("Notes"));
        assert!(body.contains_key("Id"));
    }

    #[test]
    fn the_index_finds_every_field_of_every_type_and_nothing_else() {
        let types = index();
        assert_eq!(types.len(), schema::TYPES.len());
        for (ty, indexed) in schema::TYPES.iter().zip(types) {
            assert_eq!(ty.name, indexed.ty.name);
            for field in ty.fields {
                let entry = indexed.field(field.name).expect("indexed");
                assert_eq!(Some(entry.field), ty.field(field.name));
            }
            assert!(indexed.field("NoSuchField").is_none());
            assert!(indexed.field("").is_none());
        }
    }

    #[test]
    fn extension_elements_take_anything() {
        let mut body = object(json!({"InvoiceEx": {"any": [{"name": "x", "whatever": 1}]}}));
        check_entity("Invoice", &mut body).expect("IntuitAnyType");
    }
}
