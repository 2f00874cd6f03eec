//! The `Customer` name-list entity (XSD `Customer`, which extends `NameBase`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::{
    EmailAddress, ModificationMetaData, NameList, PhysicalAddress, ReferenceType, TelephoneNumber,
    WebSiteAddress,
};
use crate::ids::{EntityId, SyncToken};

/// A customer (or a job / sub-customer when `Job` is true).
///
/// `DisplayName` (max 500 characters) must be unique across customers, vendors and
/// employees (fault 6240 otherwise); when absent QBO builds it from `Title`, `GivenName`,
/// `MiddleName`, `FamilyName` and `Suffix`, one of which is then required (fault 6080).
/// Names must not contain `:` (the hierarchy separator), tabs or new lines. Customers are
/// never deleted: see [`NameList::deactivation`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Customer {
    /// The entity's id, assigned by QBO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The version QBO checks on update (fault 5010 when stale).
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
    /// Whether the customer is an organization rather than a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<bool>,
    /// Title, e.g. `Mrs.` (QBO max 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Given name (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Suffix, e.g. `Jr.` (QBO max 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// The name with its parents, joined by `:` (read-only; at most 5 levels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    /// Company name (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The unique display name (QBO max 500 characters, unique across customers, vendors
    /// and employees; cannot be removed by a sparse update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The name printed on cheques (QBO max 110 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_on_check_name: Option<String>,
    /// Whether the customer is active; inactive customers cannot be used on new
    /// transactions (fault 610).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Main telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<TelephoneNumber>,
    /// Alternate telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_phone: Option<TelephoneNumber>,
    /// Mobile telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<TelephoneNumber>,
    /// Fax number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<TelephoneNumber>,
    /// Main e-mail address (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email_addr: Option<EmailAddress>,
    /// Web site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_addr: Option<WebSiteAddress>,
    /// The default tax code of the customer's sales (ignored under US Automated Sales Tax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tax_code_ref: Option<ReferenceType>,
    /// Whether the customer's sales are taxable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Billing address (the default of new sales forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_addr: Option<PhysicalAddress>,
    /// Shipping address (the default of new sales forms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_addr: Option<PhysicalAddress>,
    /// Name of the contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// Free-form notes (QBO max 2000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Whether this is a job or sub-customer (then `ParentRef` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<bool>,
    /// Whether a job is billed through its parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_with_parent: Option<bool>,
    /// The top customer of the hierarchy (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_customer_ref: Option<ReferenceType>,
    /// The parent customer of a job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ref: Option<ReferenceType>,
    /// The depth in the hierarchy, 0 for a top-level customer (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// The customer type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type_ref: Option<ReferenceType>,
    /// Default payment terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_term_ref: Option<ReferenceType>,
    /// Default payment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_ref: Option<ReferenceType>,
    /// Open balance (read-only, in the customer's currency).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub balance: Option<Decimal>,
    /// The date of the opening balance (create only).
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub open_balance_date: Option<NaiveDate>,
    /// Open balance including sub-customers (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub balance_with_jobs: Option<Decimal>,
    /// The customer's account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acct_num: Option<String>,
    /// The customer's currency (multicurrency only; cannot change once set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_ref: Option<ReferenceType>,
    /// Preferred delivery of forms: `Print`, `Email` or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_delivery_method: Option<String>,
    /// Resale number, for tax-exempt customers (QBO max 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resale_num: Option<String>,
    /// The accounts-receivable account of the customer's sales.
    #[serde(
        default,
        rename = "ARAccountRef",
        skip_serializing_if = "Option::is_none"
    )]
    pub ar_account_ref: Option<ReferenceType>,
    /// Tax id of the customer (e.g. a VAT number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_tax_identifier: Option<String>,
    /// The reason for a tax exemption (US), as the numeric code QBO lists (read from a
    /// JSON string or number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exemption_reason_id: Option<EntityId>,
    /// Whether the customer is a project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_project: Option<bool>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl NameList for Customer {
    /// `Id`, `SyncToken` and `Active: false`.
    fn deactivation(&self) -> Self {
        Self {
            id: self.id.clone(),
            sync_token: self.sync_token.clone(),
            active: Some(false),
            ..Self::default()
        }
    }
}
