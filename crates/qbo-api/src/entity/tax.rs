//! Tax codes and tax rates (read-only through their own endpoints).

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::common::wire_enum;
use crate::entity::{ModificationMetaData, ReferenceType};
use crate::ids::{EntityId, SyncToken};

wire_enum! {
    /// Who defined a tax code (JSON `TaxCodeConfigType`, XSD `GTMConfigTypeEnum`;
    /// minorversion ≥ 51).
    pub enum TaxCodeConfigType {
        /// Created by QBO.
        SystemGenerated => "SYSTEM_GENERATED",
        /// Created by a user.
        UserDefined => "USER_DEFINED",
        /// Defined by the tax rate authority.
        ScraDefined => "SCRA_DEFINED",
        /// Belongs to a hidden agency.
        HiddenAgency => "HIDDEN_AGENCY",
    }
}

/// A tax code: what a line or transaction refers to in `TaxCodeRef`.
///
/// US companies also see the pseudo codes `TAX` and `NON` (id and name `TAX` / `NON`,
/// no `SyncToken`). Read-only here; non-US or manual-tax companies create codes through
/// `POST /taxservice/taxcode`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxCode {
    /// The entity's id (digits, or `TAX` / `NON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The version (absent on the pseudo codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<SyncToken>,
    /// Creation and last-change times (read-only).
    #[serde(default, rename = "MetaData", skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<ModificationMetaData>,
    /// The data domain, `QBO` (read-only).
    #[serde(default, rename = "domain", skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The entity status; change data capture reports `Deleted`.
    #[serde(default, rename = "status", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The code's name (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the code is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether the code is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Whether the code makes a line taxable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Whether the code groups several rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_group: Option<bool>,
    /// The rates applied on sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_tax_rate_list: Option<TaxRateList>,
    /// The rates applied on purchases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_tax_rate_list: Option<TaxRateList>,
    /// The rates applied on adjustments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_tax_rate_list: Option<TaxRateList>,
    /// Who defined the code (minorversion ≥ 51).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_config_type: Option<TaxCodeConfigType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The rates of a tax code for one use (XSD `TaxRateList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxRateList {
    /// One entry per rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_rate_detail: Vec<TaxRateDetail>,
    /// The id of the tax group the list came from.
    #[serde(
        default,
        rename = "originatingGroupId",
        skip_serializing_if = "Option::is_none"
    )]
    pub originating_group_id: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

wire_enum! {
    /// What a rate applies to (XSD `TaxTypeApplicablityEnum`, sic).
    pub enum TaxTypeApplicable {
        /// The amount.
        TaxOnAmount => "TaxOnAmount",
        /// The amount plus other taxes.
        TaxOnAmountPlusTax => "TaxOnAmountPlusTax",
        /// Another tax.
        TaxOnTax => "TaxOnTax",
    }
}

/// One rate of a [`TaxRateList`] (XSD `TaxRateDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxRateDetail {
    /// The rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<ReferenceType>,
    /// What the rate applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_type_applicable: Option<TaxTypeApplicable>,
    /// The order in which the rate is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_order: Option<i32>,
    /// The order of the tax this rate applies on (`TaxOnTax`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_on_tax_order: Option<i32>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

wire_enum! {
    /// A special kind of tax rate (XSD `SpecialTaxTypeEnum`).
    pub enum SpecialTaxType {
        /// An ordinary rate (wire value `NONE`).
        Ordinary => "NONE",
        /// A zero rate.
        ZeroRate => "ZERO_RATE",
        /// A foreign tax.
        ForeignTax => "FOREIGN_TAX",
        /// A reverse charge.
        ReverseCharge => "REVERSE_CHARGE",
        /// An adjustment rate.
        AdjustmentRate => "ADJUSTMENT_RATE",
    }
}

wire_enum! {
    /// Where a tax rate is shown (XSD `TaxRateDisplayTypeEnum`).
    pub enum TaxRateDisplayType {
        /// Shown, not editable.
        ReadOnly => "ReadOnly",
        /// Hidden on transaction forms.
        HideInTransactionForms => "HideInTransactionForms",
        /// Hidden on printed forms.
        HideInPrintedForms => "HideInPrintedForms",
        /// Hidden everywhere.
        HideInAll => "HideInAll",
    }
}

/// A tax rate (read-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxRate {
    /// The entity's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<SyncToken>,
    /// Creation and last-change times (read-only).
    #[serde(default, rename = "MetaData", skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<ModificationMetaData>,
    /// The data domain, `QBO` (read-only).
    #[serde(default, rename = "domain", skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The entity status; change data capture reports `Deleted`.
    #[serde(default, rename = "status", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The rate's name (the XSD gives a maximum of 31 characters, for QuickBooks Desktop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the rate is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The rate in percent (`7.25` = 7.25 %).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_value: Option<Decimal>,
    /// The tax agency collecting the tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_ref: Option<ReferenceType>,
    /// The line of the tax return the rate reports on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_return_line_ref: Option<ReferenceType>,
    /// The rate's values over time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effective_tax_rate: Vec<EffectiveTaxRate>,
    /// A special kind of rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_tax_type: Option<SpecialTaxType>,
    /// Where the rate is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_type: Option<TaxRateDisplayType>,
    /// The rate this one was derived from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_tax_rate: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The value of a tax rate over a period (XSD `EffectiveTaxRate`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EffectiveTaxRate {
    /// The rate in percent.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_value: Option<Decimal>,
    /// When the rate starts to apply.
    #[serde(
        default,
        with = "crate::entity::qbo_datetime::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub effective_date: Option<DateTime<FixedOffset>>,
    /// When the rate stops applying.
    #[serde(
        default,
        with = "crate::entity::qbo_datetime::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<DateTime<FixedOffset>>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}
