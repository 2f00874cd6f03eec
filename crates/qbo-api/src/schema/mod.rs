//! The committed table of QBO element names, generated from Intuit's XSDs by
//! `cargo xtask schema`, and a checker that walks JSON against it.
//!
//! Only this committed table is read at run and test time: a clone without the XSDs
//! builds and passes.
//!
//! JSON keys are the XSD element names, and XSD attributes (`domain`, `status`,
//! `sparse` on every entity; `name`, `type` on [`ReferenceType`](complex_type)) are
//! ordinary keys too. A simple-content type carries its text under the key `value`:
//! `"CustomerRef": {"value": "42", "name": "Acme"}`.
//!
//! [`check_entity`] and [`check_type`] catch misspelt or invented keys before a request
//! is sent (QBO ignores unknown keys silently, so a typo loses data without an error).
//! They check key names only, not value types, cardinality or required fields.

use std::fmt;

mod table;

pub use table::{ENTITIES, TYPES};

/// One field (XSD element or attribute) of a complex type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The JSON/XML name, e.g. `DisplayName`; `value` for the text of simple content.
    pub name: &'static str,
    /// The XSD type name without prefix, e.g. `string`, `PhysicalAddress`. Look it up
    /// with [`complex_type`]: builtin and simple (enumeration) types are not in the
    /// table.
    pub ty: &'static str,
    /// Whether the element may repeat (a JSON array).
    pub many: bool,
}

/// A complex type with every field, inherited ones included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplexType {
    /// The XSD type name, e.g. `Customer`.
    pub name: &'static str,
    /// Whether the type has an `xs:any` wildcard (`IntuitAnyType`, the `...Ex`
    /// extension elements): keys that are not fields are allowed and not checked.
    pub any: bool,
    /// Every field, the base types' first.
    pub fields: &'static [Field],
}

impl ComplexType {
    /// The field named `name` (a JSON key), if the type has one.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// The complex type named `name` (an XSD type name such as `Customer`,
/// `ReferenceType` or `SalesItemLineDetail`), or `None` for builtin, simple and unknown
/// types.
#[must_use]
pub fn complex_type(name: &str) -> Option<&'static ComplexType> {
    let index = TYPES.binary_search_by(|ty| ty.name.cmp(name)).ok()?;
    TYPES.get(index)
}

/// The type of the entity (global element) named `entity`, such as `Customer` or
/// `Invoice`, looked up through [`ENTITIES`].
#[must_use]
pub fn entity_type(entity: &str) -> Option<&'static ComplexType> {
    let index = ENTITIES
        .binary_search_by(|(name, _)| (*name).cmp(entity))
        .ok()?;
    let (_, ty) = ENTITIES.get(index)?;
    complex_type(ty)
}

/// A JSON key that the schema does not declare, found by [`check_entity`] or
/// [`check_type`].
///
/// When the entity or type name given to the checker is itself unknown, [`key`] is that
/// name, [`path`] is empty and [`ty`] is [`Violation::UNKNOWN_ENTITY`] or
/// [`Violation::UNKNOWN_TYPE`].
///
/// [`key`]: Violation::key
/// [`path`]: Violation::path
/// [`ty`]: Violation::ty
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where the object holding the key is, e.g. `Invoice.Line[0].SalesItemLineDetail`.
    pub path: String,
    /// The undeclared key, e.g. `Qtyy`.
    pub key: String,
    /// The complex type of the object, e.g. `SalesItemLineDetail`.
    pub ty: &'static str,
}

impl Violation {
    /// [`Violation::ty`] when the entity name given to [`check_entity`] is unknown.
    pub const UNKNOWN_ENTITY: &'static str = "<unknown entity>";
    /// [`Violation::ty`] when the type name given to [`check_type`] is unknown.
    pub const UNKNOWN_TYPE: &'static str = "<unknown type>";

    fn unknown(name: &str, ty: &'static str) -> Self {
        Violation {
            path: String::new(),
            key: name.to_owned(),
            ty,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Self::UNKNOWN_ENTITY => write!(
                f,
                "`{}` is not an entity (global element) of the QBO schema",
                self.key
            ),
            Self::UNKNOWN_TYPE => {
                write!(f, "`{}` is not a complex type of the QBO schema", self.key)
            }
            ty => write!(
                f,
                "{}: key `{}` is not an element of {ty}",
                self.path, self.key
            ),
        }
    }
}

impl std::error::Error for Violation {}

/// Checks that every key of `json`, recursively, is declared for the entity `entity`
/// (a global element name such as `Invoice`).
///
/// Objects under a field whose type is a complex type are checked against that type;
/// arrays are checked element by element (paths like `Invoice.Line[2]`); values of
/// builtin and simple types are not descended. `sparse` is allowed at the top level.
/// A top-level array is checked element by element.
///
/// # Errors
///
/// Every undeclared key, in traversal order; or a single [`Violation::UNKNOWN_ENTITY`]
/// violation when `entity` is not an entity of the schema.
pub fn check_entity(entity: &str, json: &serde_json::Value) -> Result<(), Vec<Violation>> {
    let Some(ty) = entity_type(entity) else {
        return Err(vec![Violation::unknown(entity, Violation::UNKNOWN_ENTITY)]);
    };
    finish(|out| walk(ty, entity, json, true, out))
}

/// Checks that every key of `json`, recursively, is declared for the complex type `ty`
/// (an XSD type name such as `SalesItemLineDetail`). Paths start with the type name.
///
/// See [`check_entity`] for what is checked.
///
/// # Errors
///
/// Every undeclared key, in traversal order; or a single [`Violation::UNKNOWN_TYPE`]
/// violation when `ty` is not a complex type of the schema.
pub fn check_type(ty: &str, json: &serde_json::Value) -> Result<(), Vec<Violation>> {
    let Some(complex) = complex_type(ty) else {
        return Err(vec![Violation::unknown(ty, Violation::UNKNOWN_TYPE)]);
    };
    finish(|out| walk(complex, ty, json, false, out))
}

/// Runs a walk and turns its violations into a result.
fn finish(walk: impl FnOnce(&mut Vec<Violation>)) -> Result<(), Vec<Violation>> {
    let mut violations = Vec::new();
    walk(&mut violations);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

/// Checks `value`, found at `path`, against `ty`: an object key by key, an array element
/// by element; other values have no keys.
fn walk(
    ty: &'static ComplexType,
    path: &str,
    value: &serde_json::Value,
    allow_sparse: bool,
    out: &mut Vec<Violation>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match ty.field(key) {
                    Some(field) => {
                        if let Some(child_ty) = complex_type(field.ty) {
                            walk(child_ty, &format!("{path}.{key}"), child, false, out);
                        }
                    }
                    None if ty.any || (allow_sparse && key == "sparse") => {}
                    None => out.push(Violation {
                        path: path.to_owned(),
                        key: key.clone(),
                        ty: ty.name,
                    }),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(ty, &format!("{path}[{index}]"), item, allow_sparse, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field_names(ty: &ComplexType) -> Vec<&'static str> {
        ty.fields.iter().map(|f| f.name).collect()
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(TYPES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TYPES.len() > 150, "only {} types", TYPES.len());
    }

    #[test]
    fn every_entity_has_a_complex_type() {
        for (entity, ty) in ENTITIES {
            assert!(complex_type(ty).is_some(), "{entity}: no type {ty}");
        }
        assert_eq!(entity_type("Customer").map(|t| t.name), Some("Customer"));
        assert_eq!(entity_type("Item").map(|t| t.name), Some("Item"));
        assert!(entity_type("IntuitObject").is_none(), "abstract element");
    }

    #[test]
    fn field_names_are_unique_within_a_type() {
        for ty in TYPES {
            let mut names = field_names(ty);
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate field in {}", ty.name);
        }
    }

    #[test]
    fn customer_has_own_and_inherited_fields_base_first() {
        let customer = complex_type("Customer").expect("Customer");
        let names = field_names(customer);
        let pos = |name: &str| names.iter().position(|n| *n == name);
        let display = pos("DisplayName").expect("DisplayName");
        for inherited in ["Id", "SyncToken", "MetaData", "domain", "sparse"] {
            let at = pos(inherited).unwrap_or_else(|| panic!("Customer.{inherited}"));
            assert!(at < display, "{inherited} should come before DisplayName");
        }
        assert_eq!(
            customer.field("MetaData").map(|f| f.ty),
            Some("ModificationMetaData")
        );
        assert_eq!(
            customer.field("DisplayName"),
            Some(&Field {
                name: "DisplayName",
                ty: "string",
                many: false
            })
        );
        assert!(customer.field("OtherAddr").is_some_and(|f| f.many));
    }

    #[test]
    fn reference_type_has_value_name_and_type() {
        let reference = complex_type("ReferenceType").expect("ReferenceType");
        assert_eq!(field_names(reference), ["value", "name", "type"]);
        assert!(complex_type("string").is_none());
        assert!(complex_type("Nope").is_none());
    }

    #[test]
    fn substitution_group_refs_expand_to_entities() {
        let query = complex_type("QueryResponse").expect("QueryResponse");
        assert!(query.field("Customer").is_some_and(|f| f.many));
        assert!(query.field("Invoice").is_some_and(|f| f.ty == "Invoice"));
        assert!(query.field("IntuitObject").is_none());
    }

    fn invoice() -> serde_json::Value {
        json!({
            "Id": "130",
            "SyncToken": "0",
            "sparse": false,
            "domain": "QBO",
            "MetaData": {
                "CreateTime": "2024-01-01T10:00:00-08:00",
                "LastUpdatedTime": "2024-01-01T10:00:00-08:00"
            },
            "CustomField": [{ "DefinitionId": "1", "Name": "Crew #", "Type": "StringType", "StringValue": "102" }],
            "DocNumber": "1037",
            "TxnDate": "2024-01-01",
            "CurrencyRef": { "value": "USD", "name": "United States Dollar" },
            "LinkedTxn": [{ "TxnId": "100", "TxnType": "Estimate" }],
            "Line": [
                {
                    "Id": "1",
                    "LineNum": 1,
                    "Description": "Rock Fountain",
                    "Amount": 275.0,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": { "value": "5", "name": "Rock Fountain" },
                        "UnitPrice": 275,
                        "Qty": 1,
                        "TaxCodeRef": { "value": "TAX" }
                    }
                },
                {
                    "Amount": 275.0,
                    "DetailType": "SubTotalLineDetail",
                    "SubTotalLineDetail": {}
                }
            ],
            "TxnTaxDetail": {
                "TxnTaxCodeRef": { "value": "2" },
                "TotalTax": 26.82,
                "TaxLine": [{
                    "Amount": 26.82,
                    "DetailType": "TaxLineDetail",
                    "TaxLineDetail": {
                        "TaxRateRef": { "value": "3" },
                        "PercentBased": true,
                        "TaxPercent": 8,
                        "NetAmountTaxable": 335.25
                    }
                }]
            },
            "CustomerRef": { "value": "24", "name": "Sonnenschein Family Store" },
            "CustomerMemo": { "value": "Thank you for your business" },
            "BillAddr": { "Id": "95", "Line1": "Russ Sonnenschein", "City": "Middlefield", "CountrySubDivisionCode": "CA", "PostalCode": "94303" },
            "BillEmail": { "Address": "Familiystore@intuit.com" },
            "DueDate": "2024-01-31",
            "TotalAmt": 362.07,
            "Balance": 362.07,
            "InvoiceEx": { "any": [{ "name": "{http://schema.intuit.com/finance/v3}NameValue" }] }
        })
    }

    #[test]
    fn a_correct_nested_invoice_passes() {
        assert_eq!(check_entity("Invoice", &invoice()), Ok(()));
        assert_eq!(check_type("Invoice", &invoice()), Ok(()));
    }

    #[test]
    fn a_misspelt_top_level_key_is_reported() {
        let mut json = invoice();
        json["CustomerReff"] = json!({ "value": "24" });
        let violations = check_entity("Invoice", &json).expect_err("CustomerReff");
        assert_eq!(
            violations,
            [Violation {
                path: "Invoice".to_owned(),
                key: "CustomerReff".to_owned(),
                ty: "Invoice",
            }]
        );
        assert_eq!(
            violations[0].to_string(),
            "Invoice: key `CustomerReff` is not an element of Invoice"
        );
    }

    #[test]
    fn a_misspelt_key_in_a_line_detail_is_reported_with_its_path() {
        let mut json = invoice();
        json["Line"][0]["SalesItemLineDetail"]["Qtyy"] = json!(2);
        let violations = check_entity("Invoice", &json).expect_err("Qtyy");
        assert_eq!(
            violations,
            [Violation {
                path: "Invoice.Line[0].SalesItemLineDetail".to_owned(),
                key: "Qtyy".to_owned(),
                ty: "SalesItemLineDetail",
            }]
        );
        assert_eq!(
            violations[0].to_string(),
            "Invoice.Line[0].SalesItemLineDetail: key `Qtyy` is not an element of SalesItemLineDetail"
        );
    }

    #[test]
    fn reference_types_are_checked() {
        let mut json = invoice();
        json["CustomerRef"]["Name"] = json!("capitalised by mistake");
        let violations = check_entity("Invoice", &json).expect_err("Name");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].path, "Invoice.CustomerRef");
        assert_eq!(violations[0].ty, "ReferenceType");
    }

    #[test]
    fn arrays_are_checked_element_by_element() {
        let mut json = invoice();
        json["Line"][1]["Amout"] = json!(1);
        json["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"]["TaxPercnt"] = json!(8);
        let violations = check_entity("Invoice", &json).expect_err("two typos");
        let found: Vec<(&str, &str, &str)> = violations
            .iter()
            .map(|v| (v.path.as_str(), v.key.as_str(), v.ty))
            .collect();
        assert_eq!(found.len(), 2, "{violations:?}");
        assert!(found.contains(&("Invoice.Line[1]", "Amout", "Line")));
        assert!(found.contains(&(
            "Invoice.TxnTaxDetail.TaxLine[0].TaxLineDetail",
            "TaxPercnt",
            "TaxLineDetail"
        )));
        // A top-level array is checked element by element as well.
        let lines = json!([{ "Amount": 1 }, { "Amont": 1 }]);
        let violations = check_type("Line", &lines).expect_err("Amont");
        assert_eq!(violations[0].path, "Line[1]");
    }

    #[test]
    fn unknown_entity_and_type_names_fail() {
        let violations = check_entity("Invoyce", &json!({})).expect_err("unknown entity");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].ty, Violation::UNKNOWN_ENTITY);
        assert_eq!(violations[0].key, "Invoyce");
        assert_eq!(
            violations[0].to_string(),
            "`Invoyce` is not an entity (global element) of the QBO schema"
        );
        let violations = check_type("string", &json!("x")).expect_err("builtin");
        assert_eq!(violations[0].ty, Violation::UNKNOWN_TYPE);
        assert_eq!(
            violations[0].to_string(),
            "`string` is not a complex type of the QBO schema"
        );
    }

    #[test]
    fn sparse_is_allowed_on_entities_and_scalars_are_not_descended() {
        let update = json!({ "Id": "1", "SyncToken": "2", "sparse": true, "DisplayName": "Acme" });
        assert_eq!(check_entity("Customer", &update), Ok(()));
        // `DisplayName` is a string: an object there has keys, but they are not checked.
        let odd = json!({ "DisplayName": { "anything": 1 } });
        assert_eq!(check_entity("Customer", &odd), Ok(()));
        // `sparse` is only an attribute of entities, not of their parts.
        let violations = check_type("ReferenceType", &json!({ "value": "1", "sparse": true }))
            .expect_err("sparse on a reference");
        assert_eq!(violations[0].key, "sparse");
    }
}
