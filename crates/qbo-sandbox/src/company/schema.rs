//! The 2010 rule (notes §6): every key of a request entity must be an element of its XSD
//! type (looked up in `qbo_api::schema`, generated from Intuit's XSDs), and every value
//! must have a JSON type that type can take. The walk also applies the leniency QBO shows
//! to widely used clients: `null` and `""` for dates and amounts mean unset, numbers are
//! taken where strings are expected (`SyncToken: 2`).

use std::collections::HashMap;
use std::sync::OnceLock;

use qbo_api::schema::{self, ComplexType, Field};
use serde_json::Value;

use crate::fault::Fault;
use crate::json::Object;

/// Each complex type's fields by name (the table keeps them in a list).
type FieldIndex = HashMap<&'static str, HashMap<&'static str, &'static Field>>;

static FIELDS: OnceLock<FieldIndex> = OnceLock::new();

fn field(ty: &'static ComplexType, key: &str) -> Option<&'static Field> {
    FIELDS
        .get_or_init(|| {
            schema::TYPES
                .iter()
                .map(|t| (t.name, t.fields.iter().map(|f| (f.name, f)).collect()))
                .collect()
        })
        .get(ty.name)?
        .get(key)
        .copied()
}

/// Deepest nesting walked; deeper JSON is refused (QBO's types nest far less).
const MAX_DEPTH: usize = 32;

/// Checks (and normalises) the entity `name`'s request JSON.
pub(crate) fn check_entity(name: &str, body: &mut Object) -> Result<(), Fault> {
    let Some(ty) = schema::entity_type(name) else {
        return Err(Fault::unsupported(format!(
            "{name} is not an entity of the QBO schema"
        )));
    };
    walk_object(ty, name, body, true, 0)
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

fn wrong_type(java: &str, value: &Value, path: &str) -> Fault {
    Fault::unknown_property(
        format!(
            "Can not deserialize instance of {java} out of {} token",
            token(value)
        ),
        path,
    )
}

fn walk_object(
    ty: &'static ComplexType,
    path: &str,
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
        let Some(field) = field(ty, key) else {
            if ty.any {
                continue;
            }
            return Err(Fault::unknown_property(
                format!(
                    "Unrecognized field \"{key}\" (class com.intuit.schema.finance.v3.{}), not marked as ignorable",
                    ty.name
                ),
                path,
            ));
        };
        if !check_field(field, path, key, value, depth)? {
            unset.push(key.clone());
        }
    }
    for key in unset {
        object.remove(&key);
    }
    Ok(())
}

/// Checks one field's value; `Ok(false)` when the value means "unset" and is dropped.
/// Paths are only written out when needed (an error, or a nested object to walk).
fn check_field(
    field: &Field,
    parent: &str,
    key: &str,
    value: &mut Value,
    depth: usize,
) -> Result<bool, Fault> {
    if value.is_null() {
        return Ok(false);
    }
    if field.many {
        let Value::Array(items) = value else {
            return Err(wrong_type(
                "java.util.ArrayList",
                value,
                &format!("{parent}.{key}"),
            ));
        };
        for (i, item) in items.iter_mut().enumerate() {
            check_single(field.ty, &|| format!("{parent}.{key}[{i}]"), item, depth)?;
        }
        return Ok(true);
    }
    check_single(field.ty, &|| format!("{parent}.{key}"), value, depth)
}

fn check_single(
    ty: &str,
    path: &dyn Fn() -> String,
    value: &mut Value,
    depth: usize,
) -> Result<bool, Fault> {
    if let Some(complex) = schema::complex_type(ty) {
        return match value {
            Value::Object(object) => {
                walk_object(complex, &path(), object, false, depth + 1).map(|()| true)
            }
            Value::Null => Ok(false),
            other => Err(wrong_type(
                &format!("com.intuit.schema.finance.v3.{ty}"),
                other,
                &path(),
            )),
        };
    }
    match ty {
        "anyType" => Ok(true),
        "boolean" => match value {
            Value::Bool(_) => Ok(true),
            Value::String(s)
                if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
            {
                Ok(true)
            }
            Value::String(s) if s.is_empty() => Ok(false),
            other => Err(wrong_type("java.lang.Boolean", other, &path())),
        },
        "decimal" | "int" | "long" | "positiveInteger" => match value {
            Value::Number(_) => Ok(true),
            Value::String(s) if s.trim().is_empty() => Ok(false),
            Value::String(_) if crate::json::decimal(value).is_ok() => Ok(true),
            other => Err(wrong_type("java.math.BigDecimal", other, &path())),
        },
        "date" | "dateTime" => match value {
            Value::String(s) if s.is_empty() => Ok(false),
            Value::String(_) => Ok(true),
            other => Err(wrong_type("java.util.Date", other, &path())),
        },
        _ => match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(true),
            other => Err(wrong_type("java.lang.String", other, &path())),
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
    fn extension_elements_take_anything() {
        let mut body = object(json!({"InvoiceEx": {"any": [{"name": "x", "whatever": 1}]}}));
        check_entity("Invoice", &mut body).expect("IntuitAnyType");
    }
}
