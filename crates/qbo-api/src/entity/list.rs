//! Name-list entities of the chart of accounts and payments: `Account`, `PaymentMethod`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::common::wire_enum;
use crate::entity::{ModificationMetaData, NameList, ReferenceType};
use crate::ids::{EntityId, SyncToken};

wire_enum! {
    /// The type of an account (JSON `AccountType`, XSD `AccountTypeEnum`), spelled with
    /// spaces on the wire.
    pub enum AccountType {
        /// `Bank`.
        Bank => "Bank",
        /// `Accounts Receivable`.
        AccountsReceivable => "Accounts Receivable",
        /// `Other Current Asset` (e.g. the Inventory asset, Undeposited Funds).
        OtherCurrentAsset => "Other Current Asset",
        /// `Fixed Asset`.
        FixedAsset => "Fixed Asset",
        /// `Other Asset`.
        OtherAsset => "Other Asset",
        /// `Accounts Payable`.
        AccountsPayable => "Accounts Payable",
        /// `Credit Card`.
        CreditCard => "Credit Card",
        /// `Other Current Liability`.
        OtherCurrentLiability => "Other Current Liability",
        /// `Long Term Liability`.
        LongTermLiability => "Long Term Liability",
        /// `Equity`.
        Equity => "Equity",
        /// `Income` (e.g. Sales of Product Income, Discounts/Refunds Given).
        Income => "Income",
        /// `Cost of Goods Sold`.
        CostOfGoodsSold => "Cost of Goods Sold",
        /// `Expense`.
        Expense => "Expense",
        /// `Other Income`.
        OtherIncome => "Other Income",
        /// `Other Expense`.
        OtherExpense => "Other Expense",
        /// `Non-Posting` (e.g. estimates, purchase orders).
        NonPosting => "Non-Posting",
    }
}

wire_enum! {
    /// The classification of an account (XSD `AccountClassificationEnum`), derived by QBO
    /// from its type.
    pub enum AccountClassification {
        /// An asset.
        Asset => "Asset",
        /// Equity.
        Equity => "Equity",
        /// An expense.
        Expense => "Expense",
        /// A liability.
        Liability => "Liability",
        /// Revenue.
        Revenue => "Revenue",
    }
}

/// An account of the chart of accounts.
///
/// `Name` is required, at most 100 characters, without `"` or `:`; `AccountType` and
/// `AccountSubType` must form a valid pair (fault 6010 otherwise), e.g. `Other Current
/// Asset` / `Inventory`, `Income` / `SalesOfProductIncome`, `Cost of Goods Sold` /
/// `SuppliesMaterialsCogs`. Accounts are never deleted: see [`NameList::deactivation`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
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
    /// The account's name (required; QBO max 100 characters, no `"` or `:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the account sits below a parent (then `ParentRef` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_account: Option<bool>,
    /// The parent account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ref: Option<ReferenceType>,
    /// Description (QBO max 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The name with its parents, joined by `:` (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    /// Whether the account is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Asset, Equity, Expense, Liability or Revenue (read-only, from the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<AccountClassification>,
    /// The account's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// The account's detail type, e.g. `Inventory`, `SalesOfProductIncome`,
    /// `UndepositedFunds` (XSD `AccountSubTypeEnum`, kept as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_sub_type: Option<String>,
    /// The account number (no `:`; US max 7 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acct_num: Option<String>,
    /// The opening balance (create only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub opening_balance: Option<Decimal>,
    /// The date of the opening balance (create only).
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub opening_balance_date: Option<NaiveDate>,
    /// The balance (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_balance: Option<Decimal>,
    /// The balance including sub-accounts (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_balance_with_sub_accounts: Option<Decimal>,
    /// The account's currency (multicurrency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_ref: Option<ReferenceType>,
    /// Whether this is a tax account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_account: Option<bool>,
    /// The account's default tax code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl NameList for Account {
    /// `Id`, `SyncToken`, `Active: false` and the `Name` QBO's account update requires.
    fn deactivation(&self) -> Self {
        Self {
            id: self.id.clone(),
            sync_token: self.sync_token.clone(),
            name: self.name.clone(),
            active: Some(false),
            ..Self::default()
        }
    }
}

wire_enum! {
    /// The kind of a payment method (JSON `Type`); QBO accepts only these two.
    pub enum PaymentMethodType {
        /// A credit card.
        CreditCard => "CREDIT_CARD",
        /// Anything else (cash, cheque, transfer…).
        NonCreditCard => "NON_CREDIT_CARD",
    }
}

/// A payment method, e.g. `Visa` or `Cash`.
///
/// `Name` is required, at most 31 characters. Payment methods are never deleted: see
/// [`NameList::deactivation`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentMethod {
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
    /// The method's name (required; QBO max 31 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the method is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Credit card or not.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub method_type: Option<PaymentMethodType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl NameList for PaymentMethod {
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
