//! Types shared by several entities: references, addresses, contact details, metadata,
//! linked transactions and transaction tax details, plus the serde helpers for QBO dates
//! and times.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::Line;
use crate::ids::EntityId;

/// Declares a string enumeration of the QBO wire format: one variant per known wire
/// value plus a last `#[serde(untagged)] Other(String)` variant, so that a value QBO adds
/// later still decodes (and is written back unchanged).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $wire:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $wire)]
                $variant,
            )*
            /// A value this model does not know, kept as sent.
            #[serde(untagged)]
            Other(String),
        }

        impl $name {
            /// The value exactly as QBO spells it on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(other) => other.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            /// Maps a wire value to its variant (`Other` when unknown).
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

/// A reference to another entity: `{"value": "<Id>", "name": "…", "type": "…"}`
/// (XSD `ReferenceType`).
///
/// ```
/// use qbo_api::ReferenceType;
/// let r = ReferenceType::new("42").with_name("Sales");
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"value":"42","name":"Sales"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReferenceType {
    /// The referenced entity's `Id` (or a pseudo id such as `TAX`, `NON`, `SHIPPING_ITEM_ID`).
    #[serde(rename = "value")]
    pub value: EntityId,
    /// The referenced entity's name, as QBO shows it (informative; QBO resolves by `value`).
    #[serde(default, rename = "name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The referenced entity's type, when QBO states it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ref_type: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl ReferenceType {
    /// A reference to the entity with this id.
    pub fn new(id: impl Into<EntityId>) -> Self {
        Self {
            value: id.into(),
            ..Self::default()
        }
    }

    /// The same reference with a `name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl From<EntityId> for ReferenceType {
    fn from(id: EntityId) -> Self {
        Self::new(id)
    }
}

/// A memo shown to the customer on a sales form: `{"value": "…"}` (XSD `MemoRef`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MemoRef {
    /// The memo text (QBO max 1000 characters on sales forms).
    #[serde(default, rename = "value", skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The id of a predefined customer message (QuickBooks Desktop only).
    #[serde(default, rename = "id", skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl MemoRef {
    /// A memo with this text.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            value: Some(text.into()),
            ..Self::default()
        }
    }
}

/// A postal address (XSD `PhysicalAddress`), e.g. `BillAddr`, `ShipAddr`, `CompanyAddr`.
///
/// `Country` may be an ISO 3166 alpha-3 code or a full country name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PhysicalAddress {
    /// The address's own id (assigned by QBO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// First address line (QBO max 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second address line (QBO max 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Third address line (QBO max 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line3: Option<String>,
    /// Fourth address line (QBO max 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line4: Option<String>,
    /// Fifth address line (QBO max 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line5: Option<String>,
    /// City (QBO max 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country name or code (QBO max 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// County.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// State or province code, e.g. `CA` (QBO max 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_sub_division_code: Option<String>,
    /// Postal code (QBO max 30 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Postal code suffix (e.g. the ZIP+4 part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code_suffix: Option<String>,
    /// Latitude, as text (set by QBO's geocoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<String>,
    /// Longitude, as text (set by QBO's geocoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long: Option<String>,
    /// A tag naming the address's purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A note about the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// An e-mail address (XSD `EmailAddress`), e.g. `PrimaryEmailAddr`, `BillEmail`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailAddress {
    /// The address's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The e-mail address (QBO max 100 characters; several separated by commas on `BillEmail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether this is the default address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// A tag naming the address's purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl EmailAddress {
    /// An e-mail address with only `Address` set.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: Some(address.into()),
            ..Self::default()
        }
    }
}

/// A telephone number (XSD `TelephoneNumber`), e.g. `PrimaryPhone`, `Mobile`, `Fax`.
///
/// QBO Online uses `FreeFormNumber` (max 21 characters); the split parts are QuickBooks
/// Desktop fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TelephoneNumber {
    /// The number's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// Device type, e.g. `LandLine`, `Mobile`, `Fax`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// Country calling code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Area code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    /// Exchange code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_code: Option<String>,
    /// Extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// The whole number as typed (max 21 characters per the XSD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_form_number: Option<String>,
    /// Whether this is the default number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// A tag naming the number's purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl TelephoneNumber {
    /// A telephone number with only `FreeFormNumber` set.
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            free_form_number: Some(number.into()),
            ..Self::default()
        }
    }
}

/// A web address (XSD `WebSiteAddress`), e.g. `WebAddr`, `CompanyURL`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebSiteAddress {
    /// The address's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The URI (QBO max 1000 characters).
    #[serde(default, rename = "URI", skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Whether this is the default address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    /// A tag naming the address's purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// When and by whom an entity was created and last changed (JSON `MetaData`, XSD
/// `ModificationMetaData`). Read-only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModificationMetaData {
    /// Who created the entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_ref: Option<ReferenceType>,
    /// When the entity was created.
    #[serde(
        default,
        with = "qbo_datetime::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<DateTime<FixedOffset>>,
    /// Who last changed the entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by_ref: Option<ReferenceType>,
    /// When the entity was last changed (what CDC's `changedSince` compares with).
    #[serde(
        default,
        with = "qbo_datetime::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated_time: Option<DateTime<FixedOffset>>,
    /// When the entity was last changed in QuickBooks Desktop.
    #[serde(
        default,
        rename = "LastChangedInQB",
        with = "qbo_datetime::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_changed_in_qb: Option<DateTime<FixedOffset>>,
    /// Whether the entity is synchronized with QuickBooks Desktop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronized: Option<bool>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// A name/value pair (XSD `NameValue`), e.g. in `CompanyInfo.NameValue` (feature flags)
/// and `Preferences.OtherPrefs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameValue {
    /// The name, e.g. `NeoEnabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value, always as text (e.g. `"true"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl NameValue {
    /// A name/value pair.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            value: Some(value.into()),
            ..Self::default()
        }
    }
}

wire_enum! {
    /// The data type of a custom field (XSD `CustomFieldTypeEnum`).
    pub enum CustomFieldType {
        /// A text value (`StringValue`).
        StringType => "StringType",
        /// A boolean value (`BooleanValue`).
        BooleanType => "BooleanType",
        /// A number (`NumberValue`).
        NumberType => "NumberType",
        /// A date (`DateValue`).
        DateType => "DateType",
    }
}

/// A custom field value on an entity (XSD `CustomField`); QBO sales forms use
/// `StringType` fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomField {
    /// The id of the custom field's definition (required on writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<EntityId>,
    /// The custom field's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The custom field's data type.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub field_type: Option<CustomFieldType>,
    /// The value of a `StringType` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    /// The value of a `BooleanType` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    /// The value of a `DateType` field.
    #[serde(
        default,
        with = "qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_value: Option<chrono::NaiveDate>,
    /// The value of a `NumberType` field.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub number_value: Option<Decimal>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// A link to another transaction (XSD `LinkedTxn`), e.g. the invoice a payment line pays:
/// `{"TxnId": "130", "TxnType": "Invoice"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LinkedTxn {
    /// The linked transaction's `Id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_id: Option<EntityId>,
    /// The linked transaction's type, e.g. `Invoice`, `CreditMemo`, `Payment`, `Estimate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_type: Option<String>,
    /// The linked line's `Id`, when the link is to one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_line_id: Option<EntityId>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl LinkedTxn {
    /// A link to the transaction with this id and type (e.g. `"Invoice"`).
    pub fn new(txn_id: impl Into<EntityId>, txn_type: impl Into<String>) -> Self {
        Self {
            txn_id: Some(txn_id.into()),
            txn_type: Some(txn_type.into()),
            ..Self::default()
        }
    }
}

wire_enum! {
    /// Why the tax of a transaction differs from what Automated Sales Tax computed
    /// (XSD `TaxReviewStatusEnum`).
    pub enum TaxReviewStatus {
        /// The company does not use Automated Sales Tax.
        NonAstTax => "NON_AST_TAX",
        /// The tax was overridden by the user.
        AstTaxOverride => "AST_TAX_OVERRIDE",
    }
}

/// A transaction's tax details (XSD `TxnTaxDetail`).
///
/// Ignored by QBO when `Preferences.TaxPrefs.UsingSalesTax` is false; under US Automated
/// Sales Tax `TxnTaxCodeRef` is replaced by the engine's choice. In non-US companies,
/// drop it from an update that changes a line `Amount`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TxnTaxDetail {
    /// The default tax code of the transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tax_code_ref: Option<ReferenceType>,
    /// The transaction-level tax code (US: a tax rate or tax group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_tax_code_ref: Option<ReferenceType>,
    /// The total tax of the transaction.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_tax: Option<Decimal>,
    /// Whether the tax was overridden against Automated Sales Tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_review_status: Option<TaxReviewStatus>,
    /// One line per tax rate applied (lines with a `TaxLineDetail`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_line: Vec<Line>,
    /// Whether Automated Sales Tax computed the tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_automated_sales_tax: Option<bool>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Serde helpers for QBO dates (`xs:date`, written `YYYY-MM-DD`), for
/// `#[serde(with = "…")]` on [`chrono::NaiveDate`] fields.
///
/// Decoding is lenient: a full date-time (`2024-03-01T10:00:00-08:00`) reads as its date
/// part as written (no time-zone conversion). An empty string reads as `None` with
/// `qbo_date::option`. Anything else is an error.
///
/// ```
/// use chrono::NaiveDate;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct T {
///     #[serde(with = "qbo_api::qbo_date::option", default)]
///     d: Option<NaiveDate>,
/// }
/// let t: T = serde_json::from_str(r#"{"d":"2024-03-01T23:30:00-08:00"}"#).unwrap();
/// assert_eq!(t.d, NaiveDate::from_ymd_opt(2024, 3, 1));
/// assert!(serde_json::from_str::<T>(r#"{"d":"01/03/2024"}"#).is_err());
/// ```
pub mod qbo_date {
    use std::fmt;

    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    use serde::{Deserializer, Serializer, de};

    /// The wire format of a QBO date.
    pub const FORMAT: &str = "%Y-%m-%d";

    /// Parses a QBO date, or a date-time by taking its date part. `Ok(None)` for an
    /// empty string.
    ///
    /// # Errors
    /// A message describing the text when it is neither a date nor a date-time.
    pub fn parse(text: &str) -> Result<Option<NaiveDate>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, FORMAT) {
            return Ok(Some(date));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Ok(Some(dt.date_naive()));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(Some(dt.date()));
            }
        }
        Err(format!(
            "{text:?} is not a date (YYYY-MM-DD) or a date-time"
        ))
    }

    struct DateVisitor;

    impl<'de> de::Visitor<'de> for DateVisitor {
        type Value = Option<NaiveDate>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date as YYYY-MM-DD")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            parse(v).map_err(E::custom)
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

    /// Writes a date as `YYYY-MM-DD`.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&date.format(FORMAT))
    }

    /// Reads a date (see the module documentation).
    ///
    /// # Errors
    /// A deserializer error for anything but a date or date-time string (an empty
    /// string or `null` included).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        match deserializer.deserialize_any(DateVisitor)? {
            Some(date) => Ok(date),
            None => Err(de::Error::invalid_value(de::Unexpected::Str(""), &"a date")),
        }
    }

    /// The same rules for `Option<NaiveDate>`: `null` and an empty string read as `None`.
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserializer, Serializer};

        /// Writes `Some` as `YYYY-MM-DD` and `None` as `null` (pair it with
        /// `skip_serializing_if = "Option::is_none"`).
        ///
        /// # Errors
        /// Only the serializer's own errors.
        pub fn serialize<S: Serializer>(
            date: &Option<NaiveDate>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => super::serialize(date, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads an optional date.
        ///
        /// # Errors
        /// A deserializer error for anything but a date, a date-time, an empty string or
        /// `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<NaiveDate>, D::Error> {
            deserializer.deserialize_any(super::DateVisitor)
        }
    }
}

/// Serde helpers for QBO date-times (`xs:dateTime`, e.g. `2024-03-01T10:00:00-08:00`), for
/// `#[serde(with = "qbo_datetime::option")]` on `Option<DateTime<FixedOffset>>` fields.
///
/// Decoding accepts RFC 3339; a date-time without an offset is read as UTC and a bare date
/// as midnight UTC. `null` and an empty string read as `None`; anything else is an error.
/// Values are written in RFC 3339.
pub mod qbo_datetime {
    use std::fmt;

    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
    use serde::{Deserializer, Serializer, de};

    /// Parses a QBO date-time. `Ok(None)` for an empty string.
    ///
    /// # Errors
    /// A message describing the text when it is not a date-time.
    pub fn parse(text: &str) -> Result<Option<DateTime<FixedOffset>>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Ok(Some(dt));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(Some(naive.and_utc().fixed_offset()));
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Some(date.and_time(NaiveTime::MIN).and_utc().fixed_offset()));
        }
        Err(format!("{text:?} is not a date-time (RFC 3339)"))
    }

    struct DateTimeVisitor;

    impl<'de> de::Visitor<'de> for DateTimeVisitor {
        type Value = Option<DateTime<FixedOffset>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date-time in RFC 3339")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            parse(v).map_err(E::custom)
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

    /// The same rules for `Option<DateTime<FixedOffset>>`.
    pub mod option {
        use chrono::{DateTime, FixedOffset, SecondsFormat};
        use serde::{Deserializer, Serializer};

        /// Writes `Some` in RFC 3339 and `None` as `null` (pair it with
        /// `skip_serializing_if = "Option::is_none"`).
        ///
        /// # Errors
        /// Only the serializer's own errors.
        pub fn serialize<S: Serializer>(
            value: &Option<DateTime<FixedOffset>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(dt) => {
                    serializer.serialize_str(&dt.to_rfc3339_opts(SecondsFormat::AutoSi, false))
                }
                None => serializer.serialize_none(),
            }
        }

        /// Reads an optional date-time.
        ///
        /// # Errors
        /// A deserializer error for anything but a date-time, an empty string or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
            deserializer.deserialize_any(super::DateTimeVisitor)
        }
    }

    /// Writes a date-time in RFC 3339.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(
        value: &DateTime<FixedOffset>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        option::serialize(&Some(*value), serializer)
    }

    /// Reads a date-time.
    ///
    /// # Errors
    /// A deserializer error for anything but a date-time string.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<FixedOffset>, D::Error> {
        match deserializer.deserialize_any(DateTimeVisitor)? {
            Some(dt) => Ok(dt),
            None => Err(de::Error::invalid_value(
                de::Unexpected::Str(""),
                &"a date-time",
            )),
        }
    }
}
