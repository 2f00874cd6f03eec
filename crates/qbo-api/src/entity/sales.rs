//! Sales transactions: `Invoice`, `SalesReceipt`, `CreditMemo` and `RefundReceipt`.
//!
//! The four share the fields of the XSD's `Transaction` and `SalesTransaction` base
//! types. The JSON is flat, so they are plain fields, written once by a local macro
//! (a flattened shared struct would make the unknown-property capture ambiguous).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::common::wire_enum;
use crate::entity::{
    CustomField, EmailAddress, Line, LinkedTxn, MemoRef, ModificationMetaData, PhysicalAddress,
    ReferenceType, TxnTaxDetail,
};
use crate::ids::{EntityId, SyncToken};

wire_enum! {
    /// How line amounts relate to tax (JSON `GlobalTaxCalculation`,
    /// XSD `GlobalTaxCalculationEnum`); non-US companies only.
    pub enum GlobalTaxCalculation {
        /// Line amounts exclude tax.
        TaxExcluded => "TaxExcluded",
        /// Line amounts include tax.
        TaxInclusive => "TaxInclusive",
        /// No tax applies.
        NotApplicable => "NotApplicable",
    }
}

wire_enum! {
    /// Print state of a sales form (XSD `PrintStatusEnum`).
    pub enum PrintStatus {
        /// No print requested.
        NotSet => "NotSet",
        /// Queued for printing.
        NeedToPrint => "NeedToPrint",
        /// Printed.
        PrintComplete => "PrintComplete",
    }
}

wire_enum! {
    /// E-mail state of a sales form (XSD `EmailStatusEnum`). `NeedToSend` requires
    /// `BillEmail`.
    pub enum EmailStatus {
        /// No e-mail requested.
        NotSet => "NotSet",
        /// Queued for sending.
        NeedToSend => "NeedToSend",
        /// Sent.
        EmailSent => "EmailSent",
    }
}

/// Declares a sales transaction: the `Transaction` and `SalesTransaction` fields of the
/// XSD, then the entity's own fields, then `other`.
macro_rules! sales_transaction {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($extra:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            /// The entity's id, assigned by QBO.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub id: Option<EntityId>,
            /// The version QBO checks on update and delete (fault 5010 when stale).
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
            /// Custom field values (sales forms use `StringType` fields).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub custom_field: Vec<CustomField>,
            /// The document number (QBO max 21 characters). Send it only when
            /// `Preferences.SalesFormsPrefs.CustomTxnNumbers` is true; a duplicate gives
            /// fault 6140 unless `include=allowduplicatedocnum`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub doc_number: Option<String>,
            /// The transaction date (`YYYY-MM-DD`; QBO uses today when absent).
            #[serde(
                default,
                with = "crate::entity::qbo_date::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub txn_date: Option<NaiveDate>,
            /// The department (location).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub department_ref: Option<ReferenceType>,
            /// The currency (required when multicurrency is on).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub currency_ref: Option<ReferenceType>,
            /// Home currency units per one unit of the transaction currency.
            #[serde(
                default,
                with = "crate::money::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub exchange_rate: Option<Decimal>,
            /// A note not shown to the customer (QBO max 4000 characters).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub private_note: Option<String>,
            /// The transaction's status as QBO reports it.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub txn_status: Option<String>,
            /// Transactions linked to this one (e.g. the payments of an invoice).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub linked_txn: Vec<LinkedTxn>,
            /// The lines (required).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub line: Vec<Line>,
            /// Tax details (ignored when the company does not use sales tax).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub txn_tax_detail: Option<TxnTaxDetail>,
            /// The source of the transaction, when created by another product.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub txn_source: Option<String>,
            /// The project.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub project_ref: Option<ReferenceType>,
            /// Whether QBO numbers the document itself.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub auto_doc_number: Option<bool>,
            /// The customer.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub customer_ref: Option<ReferenceType>,
            /// A message shown to the customer (QBO max 1000 characters).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub customer_memo: Option<MemoRef>,
            /// Billing address (the customer's when absent).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_addr: Option<PhysicalAddress>,
            /// Shipping address (the customer's when absent); the tax destination under US
            /// Automated Sales Tax.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ship_addr: Option<PhysicalAddress>,
            /// Whether the addresses are free-form text.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub free_form_address: Option<bool>,
            /// The address goods ship from.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ship_from_addr: Option<PhysicalAddress>,
            /// The class (class tracking per transaction).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub class_ref: Option<ReferenceType>,
            /// The payment terms.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub sales_term_ref: Option<ReferenceType>,
            /// The due date (`YYYY-MM-DD`).
            #[serde(
                default,
                with = "crate::entity::qbo_date::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub due_date: Option<NaiveDate>,
            /// The sales representative.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub sales_rep_ref: Option<ReferenceType>,
            /// The customer's purchase order number.
            #[serde(default, rename = "PONumber", skip_serializing_if = "Option::is_none")]
            pub po_number: Option<String>,
            /// Free on board: where ownership of the goods passes.
            #[serde(default, rename = "FOB", skip_serializing_if = "Option::is_none")]
            pub fob: Option<String>,
            /// The shipping method.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ship_method_ref: Option<ReferenceType>,
            /// The shipping date (`YYYY-MM-DD`).
            #[serde(
                default,
                with = "crate::entity::qbo_date::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub ship_date: Option<NaiveDate>,
            /// The shipment's tracking number.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub tracking_num: Option<String>,
            /// Whether line amounts include tax (non-US).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub global_tax_calculation: Option<GlobalTaxCalculation>,
            /// The total (computed by QBO; a sent value is overwritten).
            #[serde(
                default,
                with = "crate::money::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub total_amt: Option<Decimal>,
            /// The total in the home currency (read-only).
            #[serde(
                default,
                with = "crate::money::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub home_total_amt: Option<Decimal>,
            /// Whether tax is computed after the discount.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub apply_tax_after_discount: Option<bool>,
            /// The form template.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub template_ref: Option<ReferenceType>,
            /// Print state.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub print_status: Option<PrintStatus>,
            /// E-mail state (`NeedToSend` requires `BillEmail`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub email_status: Option<EmailStatus>,
            /// The address the form is e-mailed to.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_email: Option<EmailAddress>,
            /// Copy recipients of the e-mail.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_email_cc: Option<EmailAddress>,
            /// Blind-copy recipients of the e-mail.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bill_email_bcc: Option<EmailAddress>,
            /// The accounts-receivable account.
            #[serde(default, rename = "ARAccountRef", skip_serializing_if = "Option::is_none")]
            pub ar_account_ref: Option<ReferenceType>,
            /// The amount still due (read-only).
            #[serde(
                default,
                with = "crate::money::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub balance: Option<Decimal>,
            /// The amount still due in the home currency (read-only).
            #[serde(
                default,
                with = "crate::money::option",
                skip_serializing_if = "Option::is_none"
            )]
            pub home_balance: Option<Decimal>,
            /// The payment method.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub payment_method_ref: Option<ReferenceType>,
            /// The payment's reference number, e.g. a cheque number (QBO max 21 characters).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub payment_ref_num: Option<String>,
            /// The payment type, e.g. `Cash`, `Check`, `CreditCard`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub payment_type: Option<String>,
            /// The account the money goes to (default Undeposited Funds); on invoices it
            /// needs `Preferences.SalesFormsPrefs.AllowDeposit`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub deposit_to_account_ref: Option<ReferenceType>,
            $($extra)*
            /// Properties QBO sent that this model does not know (kept for reading, never
            /// serialized).
            #[serde(flatten)]
            pub other: Unknown,
        }
    };
}

sales_transaction! {
    /// An invoice: a sale paid later.
    ///
    /// Requires `CustomerRef` and `Line`, and `CurrencyRef` when multicurrency is on.
    /// Applying a payment bumps its `SyncToken`, so re-read before updating.
    pub struct Invoice {
        /// The deposit taken on the invoice.
        #[serde(default, with = "crate::money::option", skip_serializing_if = "Option::is_none")]
        pub deposit: Option<Decimal>,
        /// Whether the invoice can be paid online through Intuit (IPN).
        #[serde(default, rename = "AllowIPNPayment", skip_serializing_if = "Option::is_none")]
        pub allow_ipn_payment: Option<bool>,
        /// Whether the invoice can be paid online.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allow_online_payment: Option<bool>,
        /// Whether the invoice can be paid online by credit card.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allow_online_credit_card_payment: Option<bool>,
        /// Whether the invoice can be paid online by bank transfer (ACH).
        #[serde(default, rename = "AllowOnlineACHPayment", skip_serializing_if = "Option::is_none")]
        pub allow_online_ach_payment: Option<bool>,
        /// The e-invoicing status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub e_invoice_status: Option<String>,
        /// The link customers pay the invoice through (read-only; ask with
        /// `include=invoiceLink`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub invoice_link: Option<String>,
    }
}

sales_transaction! {
    /// A sales receipt: a sale paid at once (the natural fit for a paid web-shop order).
    ///
    /// `DepositToAccountRef` is a Bank or Other Current Asset account (default Undeposited
    /// Funds).
    pub struct SalesReceipt {}
}

sales_transaction! {
    /// A credit memo: a credit given to a customer, applied to invoices through a
    /// `Payment` with a `LinkedTxn` of type `CreditMemo`.
    ///
    /// Requires `CustomerRef` and `Line`.
    pub struct CreditMemo {
        /// The credit not yet applied (read-only).
        #[serde(default, with = "crate::money::option", skip_serializing_if = "Option::is_none")]
        pub remaining_credit: Option<Decimal>,
        /// The invoice the credit memo relates to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub invoice_ref: Option<ReferenceType>,
    }
}

sales_transaction! {
    /// A refund receipt: money paid back to a customer.
    ///
    /// Requires `DepositToAccountRef` (the account refunded from) and `Line`.
    pub struct RefundReceipt {
        /// The credit not yet applied (read-only).
        #[serde(default, with = "crate::money::option", skip_serializing_if = "Option::is_none")]
        pub remaining_credit: Option<Decimal>,
    }
}
