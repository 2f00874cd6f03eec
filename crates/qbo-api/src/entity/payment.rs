//! The `Payment` transaction: money received from a customer, applied to invoices.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::{CustomField, Line, LinkedTxn, ModificationMetaData, ReferenceType};
use crate::ids::{EntityId, SyncToken};

/// A customer payment.
///
/// Requires `TotalAmt` and `CustomerRef` (plus `CurrencyRef` with multicurrency). Each
/// line applies part of it to a transaction: `Line { Amount, LinkedTxn: [{TxnId,
/// TxnType: "Invoice"}] }` (see [`Line::payment`]); what is not applied becomes
/// `UnappliedAmt`. Applying a payment bumps the invoice's `SyncToken`. Voided with
/// `?operation=update&include=void`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment {
    /// The entity's id, assigned by QBO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The version QBO checks on update, void and delete (fault 5010 when stale).
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
    /// Custom field values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_field: Vec<CustomField>,
    /// The document number (QBO max 21 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// The payment date (`YYYY-MM-DD`; QBO uses today when absent).
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
    /// Home currency units per one unit of the payment currency.
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
    /// Transactions linked to the payment as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_txn: Vec<LinkedTxn>,
    /// The lines applying the payment: `Amount` and `LinkedTxn` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<Line>,
    /// The source of the transaction, when created by another product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn_source: Option<String>,
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_ref: Option<ReferenceType>,
    /// The paying customer (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<ReferenceType>,
    /// The accounts-receivable account (of type Accounts Receivable).
    #[serde(
        default,
        rename = "ARAccountRef",
        skip_serializing_if = "Option::is_none"
    )]
    pub ar_account_ref: Option<ReferenceType>,
    /// The account the money goes to (default Undeposited Funds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit_to_account_ref: Option<ReferenceType>,
    /// The payment method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_ref: Option<ReferenceType>,
    /// The payment's reference number, e.g. a cheque number (QBO max 21 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref_num: Option<String>,
    /// The payment type, e.g. `Cash`, `Check`, `CreditCard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// The amount received (required).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amt: Option<Decimal>,
    /// The amount not applied to any transaction (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unapplied_amt: Option<Decimal>,
    /// Whether the payment should be processed by the company's merchant account service
    /// (companies with credit card processing; leave unset for payments taken elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_payment: Option<bool>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}
