//! Company-wide entities: `CompanyInfo` and `Preferences`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::{
    CustomField, EmailAddress, ModificationMetaData, NameValue, PhysicalAddress, ReferenceType,
    TelephoneNumber, WebSiteAddress,
};
use crate::ids::{EntityId, SyncToken};

/// The company's identity and settings (`GET /companyinfo/{realmId}`; a cheap read, good
/// as a connection test).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompanyInfo {
    /// The entity's id (the realm id).
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
    /// The entity status.
    #[serde(default, rename = "status", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The company's name (QBO max 1024 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The company's legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// The company's address (the tax origin under US Automated Sales Tax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_addr: Option<PhysicalAddress>,
    /// The address shown to customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_communication_addr: Option<PhysicalAddress>,
    /// The legal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_addr: Option<PhysicalAddress>,
    /// The company's e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_email_addr: Option<EmailAddress>,
    /// The e-mail address shown to customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_communication_email_addr: Option<EmailAddress>,
    /// The company's web site.
    #[serde(
        default,
        rename = "CompanyURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_url: Option<WebSiteAddress>,
    /// The main telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<TelephoneNumber>,
    /// Mobile telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<TelephoneNumber>,
    /// Fax number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<TelephoneNumber>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Web site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_addr: Option<WebSiteAddress>,
    /// When the company started using QBO.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_start_date: Option<NaiveDate>,
    /// The employer id (e.g. the US EIN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_id: Option<String>,
    /// The first month of the fiscal year, e.g. `January` (XSD `MonthEnum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_year_start_month: Option<String>,
    /// The country of the company's QBO edition, e.g. `US`, `GB`, `CA`, `AU`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The languages the company uses, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_languages: Option<String>,
    /// The company's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_time_zone: Option<String>,
    /// Whether names may hold multi-byte characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_byte_chars_supported: Option<bool>,
    /// Further settings and feature flags as name/value pairs (e.g. `NeoEnabled`,
    /// `OfferingSku`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_value: Vec<NameValue>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl CompanyInfo {
    /// The value of a `NameValue` flag, e.g. `company.name_value("NeoEnabled")`.
    pub fn name_value(&self, name: &str) -> Option<&str> {
        self.name_value
            .iter()
            .find(|nv| nv.name.as_deref() == Some(name))
            .and_then(|nv| nv.value.as_deref())
    }
}

/// The company's preferences (`GET /preferences`). Read once per connection and cache.
///
/// The preference groups a store sync needs, and those a real sandbox company answers
/// and a full update sends back (sales forms with their custom fields, e-mail messages,
/// vendors and purchases, other preferences), are typed; the others (`TimeTrackingPrefs`,
/// `ReportPrefs`, …) land in `other` and are not sent. Sending a read `Preferences` back
/// whole has failed with fault 2010 when it carried properties outside Intuit's schema;
/// prefer sparse updates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Preferences {
    /// The entity's id.
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
    /// The entity status.
    #[serde(default, rename = "status", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Accounting settings (XSD type `CompanyAccountingPrefs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_info_prefs: Option<AccountingInfoPrefs>,
    /// Product and service settings (inventory tracking, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_and_services_prefs: Option<ProductAndServicesPrefs>,
    /// Sales form settings (custom numbers, shipping, discounts, deposits, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_forms_prefs: Option<SalesFormsPrefs>,
    /// The messages of e-mailed sales forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_messages_prefs: Option<EmailMessagesPrefs>,
    /// Vendor and purchase settings (billable-expense tracking, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_and_purchases_prefs: Option<VendorAndPurchasesPrefs>,
    /// Sales tax settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_prefs: Option<TaxPrefs>,
    /// Currency settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_prefs: Option<CurrencyPrefs>,
    /// Further settings as name/value pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_prefs: Option<OtherPrefs>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Accounting settings (JSON `Preferences.AccountingInfoPrefs`, XSD type
/// `CompanyAccountingPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountingInfoPrefs {
    /// Whether accounts have numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_account_numbers: Option<bool>,
    /// The default accounts-receivable account.
    #[serde(
        default,
        rename = "DefaultARAccount",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_ar_account: Option<ReferenceType>,
    /// The default accounts-payable account.
    #[serde(
        default,
        rename = "DefaultAPAccount",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_ap_account: Option<ReferenceType>,
    /// Whether transactions require accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_accounts: Option<bool>,
    /// Whether departments (locations) are tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_departments: Option<bool>,
    /// What the company calls departments, e.g. `Location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_terminology: Option<String>,
    /// Whether classes are assigned per transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_tracking_per_txn: Option<bool>,
    /// Whether classes are assigned per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_tracking_per_txn_line: Option<bool>,
    /// Whether journal entries are numbered automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_journal_entry_number: Option<bool>,
    /// The first month of the fiscal year, e.g. `January`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_month_of_fiscal_year: Option<String>,
    /// The first month of the tax year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_year_month: Option<String>,
    /// The company's tax form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_form: Option<String>,
    /// The date the books are closed to (no change on or before it).
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub book_close_date: Option<NaiveDate>,
    /// What the company calls customers, e.g. `Customers`, `Clients`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_terminology: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Product and service settings (XSD `ProductAndServicesPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProductAndServicesPrefs {
    /// Whether items are sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_sales: Option<bool>,
    /// Whether items are bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_purchase: Option<bool>,
    /// Whether inventory and purchase orders are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_and_purchase_order: Option<bool>,
    /// Whether sales forms show quantity and rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_with_price_and_rate: Option<bool>,
    /// Whether quantity on hand is tracked (needed to create Inventory items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_on_hand: Option<bool>,
    /// The unit-of-measure feature level (XSD `UOMFeatureTypeEnum`).
    #[serde(default, rename = "UOM", skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
    /// Whether revenue recognition is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_recognition: Option<bool>,
    /// How often revenue is recognized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_recognition_frequency: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Sales form settings (XSD `SalesFormsPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesFormsPrefs {
    /// Whether progress invoicing is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_progress_invoicing: Option<bool>,
    /// The sales forms' custom field settings, e.g. `SalesFormsPrefs.UseSalesCustom1`
    /// (a `BooleanType` field) and `SalesFormsPrefs.SalesCustomName1` (its label).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_field: Vec<CustomFieldDefinition>,
    /// Whether users type document numbers; when false QBO numbers sales forms and a
    /// sync must not send `DocNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_txn_numbers: Option<bool>,
    /// Whether delayed charges are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_charges: Option<bool>,
    /// Copy recipient of sales e-mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_email_cc: Option<EmailAddress>,
    /// Blind-copy recipient of sales e-mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_email_bcc: Option<EmailAddress>,
    /// Whether the company gets a copy of sales e-mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_copy_to_company: Option<bool>,
    /// Whether sales forms take deposits (needed for `DepositToAccountRef` on invoices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_deposit: Option<bool>,
    /// Whether sales forms take discounts (needed for discount lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_discount: Option<bool>,
    /// The default discount account (an account id as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_discount_account: Option<String>,
    /// Whether estimates are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_estimates: Option<bool>,
    /// The default estimate message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_message: Option<String>,
    /// The e-invoicing status (XSD `ETransactionEnabledStatusEnum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_transaction_enabled_status: Option<String>,
    /// Whether e-mailed forms attach a PDF.
    #[serde(
        default,
        rename = "ETransactionAttachPDF",
        skip_serializing_if = "Option::is_none"
    )]
    pub e_transaction_attach_pdf: Option<bool>,
    /// Whether e-mailed forms can be paid online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_transaction_payment_enabled: Option<bool>,
    /// Whether Intuit online payments (IPN) are supported.
    #[serde(
        default,
        rename = "IPNSupportEnabled",
        skip_serializing_if = "Option::is_none"
    )]
    pub ipn_support_enabled: Option<bool>,
    /// The default invoice message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_message: Option<String>,
    /// Whether lines have a service date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_service_date: Option<bool>,
    /// Whether sales forms have shipping (needed for `SHIPPING_ITEM_ID` lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_shipping: Option<bool>,
    /// The default shipping account (an account id as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_shipping_account: Option<String>,
    /// The default item of new lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_item: Option<ReferenceType>,
    /// The default payment terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_terms: Option<ReferenceType>,
    /// The default delivery method, e.g. `Print`, `Email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_delivery_method: Option<String>,
    /// Whether credits are applied automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_apply_credit: Option<bool>,
    /// Whether payments are applied automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_apply_payments: Option<bool>,
    /// Whether lines of zero amount are printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_item_with_zero_amount: Option<bool>,
    /// The default shipping method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_ship_method_ref: Option<ReferenceType>,
    /// The default markup.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_markup: Option<Decimal>,
    /// Whether reimbursable expenses are tracked as income.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_reimbursable_expenses_as_income: Option<bool>,
    /// Whether sales orders are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_sales_orders: Option<bool>,
    /// Whether price levels are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_price_levels: Option<bool>,
    /// The default FOB.
    #[serde(
        default,
        rename = "DefaultFOB",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_fob: Option<String>,
    /// The default customer message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_customer_message: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// A group of custom field settings (XSD `CustomFieldDefinition`), as in
/// `SalesFormsPrefs.CustomField` and `VendorAndPurchasesPrefs.POCustomField`:
/// `{"CustomField": [{"Name": "SalesFormsPrefs.UseSalesCustom1", "Type": "BooleanType",
/// "BooleanValue": true}]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomFieldDefinition {
    /// The settings, each a custom field value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_field: Vec<CustomField>,
    /// The entity type the definition applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// The definition's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the field is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Whether the field is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The app that owns the definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The messages of e-mailed sales forms (XSD `EmailMessagesPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMessagesPrefs {
    /// Further messages as name/value pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_value: Vec<NameValue>,
    /// The message of e-mailed invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_message: Option<EmailMessage>,
    /// The message of e-mailed estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_message: Option<EmailMessage>,
    /// The message of e-mailed sales receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_receipt_message: Option<EmailMessage>,
    /// The message of e-mailed statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_message: Option<EmailMessage>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// One e-mail message (XSD `EmailMessage`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMessage {
    /// The subject line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Vendor and purchase settings (XSD `VendorAndPurchasesPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VendorAndPurchasesPrefs {
    /// Whether bills are on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_bills: Option<bool>,
    /// Whether expenses are tracked by customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_by_customer: Option<bool>,
    /// Whether expenses can be billed to customers (on in a real sandbox company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_expense_tracking: Option<bool>,
    /// The default payment terms of bills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_terms: Option<ReferenceType>,
    /// The default markup of billable expenses.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_markup: Option<Decimal>,
    /// The account of the markup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_markup_account: Option<ReferenceType>,
    /// Whether bills are paid automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_bill_payment: Option<bool>,
    /// Whether the taxable payments annual report (Australia) is on.
    #[serde(
        default,
        rename = "TPAREnabled",
        skip_serializing_if = "Option::is_none"
    )]
    pub tpar_enabled: Option<bool>,
    /// The purchase forms' custom field settings, e.g. `PurchasePrefs.UsePurchaseCustom1`.
    #[serde(
        default,
        rename = "POCustomField",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub po_custom_field: Vec<CustomFieldDefinition>,
    /// The default message to vendors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_to_vendors: Option<String>,
    /// Whether inventory is used on purchases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_inventory: Option<bool>,
    /// Whether inventory is kept in several locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_multi_location_inventory: Option<bool>,
    /// After how many days bills are due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_bills_are_due: Option<i64>,
    /// The account of purchase discounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_account_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Currency settings (XSD `CurrencyPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CurrencyPrefs {
    /// Whether multicurrency is on (then transactions need `CurrencyRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_currency_enabled: Option<bool>,
    /// The home currency, e.g. `{"value": "USD"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_currency: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Sales tax settings (XSD `TaxPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxPrefs {
    /// Whether the company charges sales tax (when false, `TxnTaxDetail` is ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using_sales_tax: Option<bool>,
    /// Whether US Automated Sales Tax is on (minorversion ≥ 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_tax_enabled: Option<bool>,
    /// Whether tax management is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_tax_management: Option<bool>,
    /// The default tax code (US: a tax group or rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_group_code_ref: Option<ReferenceType>,
    /// The default tax rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<ReferenceType>,
    /// How often sales tax is paid (XSD `PaySalesTaxEnum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_sales_tax: Option<String>,
    /// The tax code of non-taxable sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_taxable_sales_tax_code_ref: Option<ReferenceType>,
    /// The tax code of taxable sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable_sales_tax_code_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// Further settings as name/value pairs (XSD `OtherPrefs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OtherPrefs {
    /// The pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_value: Vec<NameValue>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}
