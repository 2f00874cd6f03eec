//! Transaction lines (XSD `Line`) and the line details sales forms use.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::common::wire_enum;
use crate::entity::{LinkedTxn, ReferenceType};
use crate::ids::EntityId;

wire_enum! {
    /// The kind of a line (JSON `DetailType`, XSD `LineDetailTypeEnum`). It names the
    /// detail property the line carries, except `DescriptionOnly` whose detail is
    /// `DescriptionLineDetail`.
    pub enum LineDetailType {
        /// A payment line (deposits).
        PaymentLineDetail => "PaymentLineDetail",
        /// A discount line ([`DiscountLineDetail`]).
        DiscountLineDetail => "DiscountLineDetail",
        /// A tax line of a `TxnTaxDetail` ([`TaxLineDetail`]).
        TaxLineDetail => "TaxLineDetail",
        /// A product or service sold ([`SalesItemLineDetail`]).
        SalesItemLineDetail => "SalesItemLineDetail",
        /// An item line of a purchase.
        ItemBasedExpenseLineDetail => "ItemBasedExpenseLineDetail",
        /// An account line of a purchase.
        AccountBasedExpenseLineDetail => "AccountBasedExpenseLineDetail",
        /// A deposit line.
        DepositLineDetail => "DepositLineDetail",
        /// A purchase order line.
        PurchaseOrderItemLineDetail => "PurchaseOrderItemLineDetail",
        /// An item receipt line.
        ItemReceiptLineDetail => "ItemReceiptLineDetail",
        /// A journal entry line.
        JournalEntryLineDetail => "JournalEntryLineDetail",
        /// A group (bundle) of items ([`GroupLineDetail`]).
        GroupLineDetail => "GroupLineDetail",
        /// A text-only line ([`DescriptionLineDetail`]); Intuit's prose calls it
        /// "DescriptionOnlyLine", the wire value is `DescriptionOnly`.
        DescriptionOnly => "DescriptionOnly",
        /// A subtotal of the lines above it ([`SubTotalLineDetail`]).
        SubTotalLineDetail => "SubTotalLineDetail",
        /// A sales order line.
        SalesOrderItemLineDetail => "SalesOrderItemLineDetail",
        /// A tax deducted at source line (India).
        TdsLineDetail => "TDSLineDetail",
        /// A reimbursable expense line.
        ReimburseLineDetail => "ReimburseLineDetail",
        /// An inventory adjustment line.
        ItemAdjustmentLineDetail => "ItemAdjustmentLineDetail",
    }
}

/// A line of a transaction (XSD `Line`): sales form lines, payment lines (with `Amount`
/// and `LinkedTxn` only) and the tax lines of a [`crate::TxnTaxDetail`].
///
/// At most one detail property is set, the one named by `DetailType`.
///
/// ```
/// use qbo_api::{Line, LineDetail, ReferenceType, SalesItemLineDetail};
/// use rust_decimal::Decimal;
///
/// let line = Line::sales_item(
///     Decimal::new(2000, 2),
///     SalesItemLineDetail::new(ReferenceType::new("5")),
/// );
/// assert!(matches!(line.detail(), Some(LineDetail::SalesItem(d)) if d.item_ref.is_some()));
/// assert_eq!(
///     serde_json::to_string(&line).unwrap(),
///     r#"{"Amount":20.0,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"5"}}}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Line {
    /// The line's id within its transaction (send it back to update that line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EntityId>,
    /// The line's position, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_num: Option<u32>,
    /// The line's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The line's amount (max 15 digits in 10.5 format); for a sales item line with both
    /// `Qty` and `UnitPrice` it must equal their product rounded half-up to cents (else
    /// fault 6070).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Transactions this line links to (on payment lines: the invoices or credit memos
    /// paid).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_txn: Vec<LinkedTxn>,
    /// The kind of line, naming the detail property it carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<LineDetailType>,
    /// Detail of a `SalesItemLineDetail` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_item_line_detail: Option<SalesItemLineDetail>,
    /// Detail of a `GroupLineDetail` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_line_detail: Option<GroupLineDetail>,
    /// Detail of a `DescriptionOnly` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_line_detail: Option<DescriptionLineDetail>,
    /// Detail of a `DiscountLineDetail` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_line_detail: Option<DiscountLineDetail>,
    /// Detail of a `SubTotalLineDetail` line (QBO sends it empty: `{}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total_line_detail: Option<SubTotalLineDetail>,
    /// Detail of a `TaxLineDetail` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_line_detail: Option<TaxLineDetail>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// A borrowed view of whichever detail a [`Line`] carries (see [`Line::detail`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineDetail<'a> {
    /// A product or service sold.
    SalesItem(&'a SalesItemLineDetail),
    /// A group (bundle) of items.
    Group(&'a GroupLineDetail),
    /// A text-only line.
    Description(&'a DescriptionLineDetail),
    /// A discount.
    Discount(&'a DiscountLineDetail),
    /// A subtotal.
    SubTotal(&'a SubTotalLineDetail),
    /// A tax line.
    Tax(&'a TaxLineDetail),
}

impl Line {
    /// A product or service line: `DetailType` `SalesItemLineDetail` with this amount.
    pub fn sales_item(amount: Decimal, detail: SalesItemLineDetail) -> Self {
        Self {
            amount: Some(amount),
            detail_type: Some(LineDetailType::SalesItemLineDetail),
            sales_item_line_detail: Some(detail),
            ..Self::default()
        }
    }

    /// A text-only line: `DetailType` `DescriptionOnly`.
    pub fn description(text: impl Into<String>) -> Self {
        Self {
            description: Some(text.into()),
            detail_type: Some(LineDetailType::DescriptionOnly),
            ..Self::default()
        }
    }

    /// A discount line: `DetailType` `DiscountLineDetail`. With
    /// `PercentBased: true` QBO computes the amount from `DiscountPercent`; the company
    /// needs `Preferences.SalesFormsPrefs.AllowDiscount`.
    pub fn discount(amount: Decimal, detail: DiscountLineDetail) -> Self {
        Self {
            amount: Some(amount),
            detail_type: Some(LineDetailType::DiscountLineDetail),
            discount_line_detail: Some(detail),
            ..Self::default()
        }
    }

    /// A subtotal line: `DetailType` `SubTotalLineDetail` with an empty detail. QBO
    /// computes the amount; pass `None` unless echoing a read one.
    pub fn subtotal(amount: Option<Decimal>) -> Self {
        Self {
            amount,
            detail_type: Some(LineDetailType::SubTotalLineDetail),
            sub_total_line_detail: Some(SubTotalLineDetail::default()),
            ..Self::default()
        }
    }

    /// A group line: `DetailType` `GroupLineDetail` (a bundle item and its lines).
    pub fn group(detail: GroupLineDetail) -> Self {
        Self {
            detail_type: Some(LineDetailType::GroupLineDetail),
            group_line_detail: Some(detail),
            ..Self::default()
        }
    }

    /// A payment line: `Amount` applied to the linked transactions (e.g. one
    /// [`LinkedTxn`] of type `Invoice`).
    pub fn payment(amount: Decimal, linked: impl IntoIterator<Item = LinkedTxn>) -> Self {
        Self {
            amount: Some(amount),
            linked_txn: linked.into_iter().collect(),
            ..Self::default()
        }
    }

    /// The line's detail: the one `DetailType` names when present, else the first detail
    /// set; `None` when the line has none (payment lines, bare description lines).
    pub fn detail(&self) -> Option<LineDetail<'_>> {
        let named = match self.detail_type.as_ref() {
            Some(LineDetailType::SalesItemLineDetail) => self
                .sales_item_line_detail
                .as_ref()
                .map(LineDetail::SalesItem),
            Some(LineDetailType::GroupLineDetail) => {
                self.group_line_detail.as_ref().map(LineDetail::Group)
            }
            Some(LineDetailType::DescriptionOnly) => self
                .description_line_detail
                .as_ref()
                .map(LineDetail::Description),
            Some(LineDetailType::DiscountLineDetail) => {
                self.discount_line_detail.as_ref().map(LineDetail::Discount)
            }
            Some(LineDetailType::SubTotalLineDetail) => self
                .sub_total_line_detail
                .as_ref()
                .map(LineDetail::SubTotal),
            Some(LineDetailType::TaxLineDetail) => {
                self.tax_line_detail.as_ref().map(LineDetail::Tax)
            }
            _ => None,
        };
        named
            .or_else(|| {
                self.sales_item_line_detail
                    .as_ref()
                    .map(LineDetail::SalesItem)
            })
            .or_else(|| self.group_line_detail.as_ref().map(LineDetail::Group))
            .or_else(|| {
                self.description_line_detail
                    .as_ref()
                    .map(LineDetail::Description)
            })
            .or_else(|| self.discount_line_detail.as_ref().map(LineDetail::Discount))
            .or_else(|| {
                self.sub_total_line_detail
                    .as_ref()
                    .map(LineDetail::SubTotal)
            })
            .or_else(|| self.tax_line_detail.as_ref().map(LineDetail::Tax))
    }
}

/// The detail of a product or service line (XSD `SalesItemLineDetail`).
///
/// Shipping is a line whose `ItemRef` is `SHIPPING_ITEM_ID` (needs
/// `Preferences.SalesFormsPrefs.AllowShipping`). US companies use `TaxCodeRef` `TAX` or
/// `NON` (fault 6100 otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesItemLineDetail {
    /// The item sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ReferenceType>,
    /// The class of the line (class tracking per line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_ref: Option<ReferenceType>,
    /// The unit price (QBO keeps up to 7 decimals here).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// A percentage rate, for percent-based items.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate_percent: Option<Decimal>,
    /// The price level applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_level_ref: Option<ReferenceType>,
    /// The quantity.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty: Option<Decimal>,
    /// The income account of the item (read-only echo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_account_ref: Option<ReferenceType>,
    /// The inventory site (advanced inventory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_site_ref: Option<ReferenceType>,
    /// The line's tax code (US: `TAX` / `NON`; elsewhere a tax code id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_ref: Option<ReferenceType>,
    /// The tax classification of the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_classification_ref: Option<ReferenceType>,
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// The tax-inclusive amount of the line (non-US, `TaxInclusive` transactions).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_inclusive_amt: Option<Decimal>,
    /// A discount rate on the line.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_rate: Option<Decimal>,
    /// A discount amount on the line.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_amt: Option<Decimal>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl SalesItemLineDetail {
    /// A detail selling this item (quantity, price and tax code unset).
    pub fn new(item: ReferenceType) -> Self {
        Self {
            item_ref: Some(item),
            ..Self::default()
        }
    }
}

/// The detail of a group (bundle) line (XSD `GroupLineDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupLineDetail {
    /// The group item (required by the XSD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_item_ref: Option<ReferenceType>,
    /// How many groups.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Decimal>,
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// The lines of the group's components.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<Line>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The detail of a `DescriptionOnly` line (XSD `DescriptionLineDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescriptionLineDetail {
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// The line's tax code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The detail of a discount line (XSD `DiscountLineDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiscountLineDetail {
    /// A predefined discount (QuickBooks Desktop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_ref: Option<ReferenceType>,
    /// Whether the discount is a percentage (`DiscountPercent`) rather than the line `Amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_based: Option<bool>,
    /// The discount percentage: `8.5` means 8.5 %.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_percent: Option<Decimal>,
    /// The account the discount posts to (an income account such as
    /// `DiscountsRefundsGiven`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_account_ref: Option<ReferenceType>,
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// The class of the discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_ref: Option<ReferenceType>,
    /// The discount's tax code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl DiscountLineDetail {
    /// A percentage discount (`8.5` = 8.5 %) posted to this account.
    pub fn percent(percent: Decimal, account: ReferenceType) -> Self {
        Self {
            percent_based: Some(true),
            discount_percent: Some(percent),
            discount_account_ref: Some(account),
            ..Self::default()
        }
    }

    /// A fixed-amount discount (the line's `Amount`) posted to this account.
    pub fn amount(account: ReferenceType) -> Self {
        Self {
            percent_based: Some(false),
            discount_account_ref: Some(account),
            ..Self::default()
        }
    }
}

/// The detail of a subtotal line (XSD `SubTotalLineDetail`); QBO usually sends it empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubTotalLineDetail {
    /// An item of type `Subtotal` (QuickBooks Desktop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ReferenceType>,
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The detail of a tax line in a `TxnTaxDetail` (XSD `TaxLineDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxLineDetail {
    /// The tax rate applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<ReferenceType>,
    /// Whether the tax is a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_based: Option<bool>,
    /// The tax percentage (`8` = 8 %).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_percent: Option<Decimal>,
    /// The amount the tax applies to.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_amount_taxable: Option<Decimal>,
    /// The tax-inclusive amount.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub tax_inclusive_amount: Option<Decimal>,
    /// The difference between the computed and the overridden tax.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub override_delta_amount: Option<Decimal>,
    /// The date the service was performed.
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_date: Option<NaiveDate>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}
