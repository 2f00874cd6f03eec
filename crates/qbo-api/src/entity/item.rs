//! The `Item` name-list entity: products, services, categories and bundles.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Unknown;
use crate::entity::common::wire_enum;
use crate::entity::{ModificationMetaData, NameList, ReferenceType};
use crate::ids::{EntityId, SyncToken};

wire_enum! {
    /// The kind of an item (JSON `Type`, XSD `ItemTypeEnum`). QBO Online uses
    /// `Inventory`, `NonInventory`, `Service`, `Category` and `Group`; the others come from
    /// QuickBooks Desktop.
    pub enum ItemType {
        /// An assembly (Desktop).
        Assembly => "Assembly",
        /// A category: a folder of items, without price or accounts (minorversion ≥ 4).
        Category => "Category",
        /// A fixed asset (Desktop).
        FixedAsset => "Fixed Asset",
        /// A group (bundle) of items.
        Group => "Group",
        /// An inventory product (quantity tracked).
        Inventory => "Inventory",
        /// A product whose quantity is not tracked.
        NonInventory => "NonInventory",
        /// An other charge (Desktop).
        OtherCharge => "Other Charge",
        /// A payment item (Desktop).
        Payment => "Payment",
        /// A service.
        Service => "Service",
        /// A subtotal item (Desktop).
        Subtotal => "Subtotal",
        /// A discount item (Desktop).
        Discount => "Discount",
        /// A tax item (Desktop).
        Tax => "Tax",
        /// A tax group item (Desktop).
        TaxGroup => "Tax Group",
        /// A bundle.
        Bundle => "Bundle",
    }
}

/// A product, service, category or bundle.
///
/// `Name` is required, at most 100 characters, unique; avoid `:` (the hierarchy separator
/// of `FullyQualifiedName`, at most 5 levels). An inventory item is created with
/// `Type: Inventory`, `TrackQtyOnHand: true` (cannot be turned off later), `QtyOnHand`,
/// `InvStartDate`, `IncomeAccountRef`, `ExpenseAccountRef` (a Cost of Goods Sold account)
/// and `AssetAccountRef`. A category is `{"Name", "Type": "Category"}` plus `SubItem` and
/// `ParentRef` below another category. Items are never deleted: see
/// [`NameList::deactivation`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
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
    /// The item's name (required; QBO max 100 characters, unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Stock keeping unit (QBO max 100 characters; minorversion ≥ 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Sales description (QBO max 4000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the item is active; inactive items cannot be used on new transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether the item sits below a parent (then `ParentRef` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<bool>,
    /// The parent item or category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ref: Option<ReferenceType>,
    /// The depth in the hierarchy, 0 at the top (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// The name with its parents, joined by `:` (read-only; at most 5 levels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    /// Whether sales of the item are taxable (US).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Whether `UnitPrice` includes tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_tax_included: Option<bool>,
    /// The sales price (QBO max 99999999999).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// The kind of item.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub item_type: Option<ItemType>,
    /// The income account of sales (required for Inventory, NonInventory and Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income_account_ref: Option<ReferenceType>,
    /// Purchase description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_desc: Option<String>,
    /// Whether `PurchaseCost` includes tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_tax_included: Option<bool>,
    /// The purchase cost (QBO max 99999999999).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_cost: Option<Decimal>,
    /// The expense account of purchases (for inventory: a Cost of Goods Sold account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expense_account_ref: Option<ReferenceType>,
    /// The inventory asset account (Inventory items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_account_ref: Option<ReferenceType>,
    /// The preferred vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pref_vendor_ref: Option<ReferenceType>,
    /// The average cost (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub avg_cost: Option<Decimal>,
    /// Whether the quantity on hand is tracked (Inventory; cannot be set back to false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_qty_on_hand: Option<bool>,
    /// The quantity on hand (Inventory; the opening quantity on create).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty_on_hand: Option<Decimal>,
    /// The quantity on open purchase orders (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty_on_purchase_order: Option<Decimal>,
    /// The quantity on open sales orders (read-only).
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty_on_sales_order: Option<Decimal>,
    /// The quantity at which to reorder.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reorder_point: Option<Decimal>,
    /// The sales tax code (non-US: the code applied to sales).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_tax_code_ref: Option<ReferenceType>,
    /// The purchase tax code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_tax_code_ref: Option<ReferenceType>,
    /// The date of the opening quantity (Inventory create; the adjustment date on update).
    #[serde(
        default,
        with = "crate::entity::qbo_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub inv_start_date: Option<NaiveDate>,
    /// Whether a group's items print on sales forms (Group items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_grouped_items: Option<bool>,
    /// The items of a group (Group items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_group_detail: Option<ItemGroupDetail>,
    /// The class of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_ref: Option<ReferenceType>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// The components of a group item (XSD `ItemGroupDetail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemGroupDetail {
    /// One line per component item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_group_line: Vec<ItemComponentLine>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

/// One component of a group item (XSD `ItemComponentLine`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemComponentLine {
    /// The component item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ReferenceType>,
    /// How many of it the group holds.
    #[serde(
        default,
        with = "crate::money::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty: Option<Decimal>,
    /// Properties QBO sent that this model does not know (kept for reading, never serialized).
    #[serde(flatten)]
    pub other: Unknown,
}

impl NameList for Item {
    /// `Id`, `SyncToken`, `Active: false`, and the `Name` and `Type` QBO's item update
    /// requires.
    fn deactivation(&self) -> Self {
        Self {
            id: self.id.clone(),
            sync_token: self.sync_token.clone(),
            name: self.name.clone(),
            item_type: self.item_type.clone(),
            active: Some(false),
            ..Self::default()
        }
    }
}
