//! [`MappingConfig`]: how store entities become QBO entities in one QBO company.
//!
//! Read it with serde from any format; the daemon reads TOML. Every key is described in the
//! crate README ("Configuration reference"). Unknown keys are refused, so a misspelt key is
//! an error rather than a silently ignored setting. Call [`MappingConfig::validate`] once
//! after reading.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use qbo_api::EntityId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::MappingError;
use crate::ids::{PaymentMethodId, TaxId};

/// The whole mapping configuration of one QBO company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingConfig {
    /// Default accounts of new items and documents.
    pub accounts: Accounts,
    /// The company's currencies.
    pub currency: CurrencyConfig,
    /// Sales tax.
    #[serde(default)]
    pub tax: TaxConfig,
    /// How orders become QBO documents.
    #[serde(default)]
    pub order: OrderConfig,
    /// Store payment method → QBO `PaymentMethod` id.
    #[serde(default)]
    pub payment_methods: BTreeMap<PaymentMethodId, EntityId>,
    /// How shipping charges appear on documents.
    #[serde(default)]
    pub shipping: ShippingConfig,
    /// How discounts appear on documents.
    #[serde(default)]
    pub discounts: DiscountConfig,
    /// How products become items.
    #[serde(default)]
    pub products: ProductConfig,
    /// Names: cleaning, clashes, customer display names.
    #[serde(default)]
    pub names: NameConfig,
    /// Guest checkouts.
    #[serde(default)]
    pub guests: GuestConfig,
    /// Rounding tolerance and the adjustment line.
    #[serde(default)]
    pub rounding: RoundingConfig,
}

/// Default QBO accounts (account ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    /// Income account of every product item (`IncomeAccountRef`), e.g. "Sales of Product
    /// Income".
    pub income: EntityId,
    /// Cost of Goods Sold account of inventory and non-inventory items
    /// (`ExpenseAccountRef`). Required when tracked products become inventory items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cogs: Option<EntityId>,
    /// Inventory asset account of inventory items (`AssetAccountRef`). Required when tracked
    /// products become inventory items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_asset: Option<EntityId>,
    /// Account that sales receipts and payments are deposited to (`DepositToAccountRef`);
    /// QBO uses Undeposited Funds when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<EntityId>,
}

/// The company's currencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyConfig {
    /// The home currency (ISO 4217, e.g. `USD`).
    pub home: String,
    /// Whether the company has multicurrency on; documents then carry `CurrencyRef`.
    #[serde(default)]
    pub multicurrency: bool,
    /// Further currencies the company uses (multicurrency only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
}

/// The tax model of the QBO company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    /// A US company: lines carry `TAX` or `NON`, the transaction carries the store's total
    /// tax (automated sales tax honours it).
    #[default]
    Us,
    /// A non-US company: every line carries a real tax code, the transaction carries one tax
    /// line per store tax with its rate.
    PerLine,
}

/// What one store tax is in QBO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxMapping {
    /// The QBO tax code: on lines (per-line mode) or as `TxnTaxCodeRef` (US mode).
    pub code: EntityId,
    /// The QBO tax rate of the tax's `TaxLine` (per-line mode; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<EntityId>,
}

/// Sales tax settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxConfig {
    /// US (`TAX`/`NON` lines) or per-line tax codes.
    #[serde(default)]
    pub mode: TaxMode,
    /// US: the code of taxable lines.
    #[serde(default = "default_taxable_code")]
    pub taxable_code: EntityId,
    /// US: the code of non-taxable lines.
    #[serde(default = "default_non_taxable_code")]
    pub non_taxable_code: EntityId,
    /// Per-line: the code of lines no store tax applies to (e.g. an exempt or zero-rated
    /// code). Orders with such lines fail without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_code: Option<EntityId>,
    /// Store tax id → QBO tax code and rate.
    #[serde(default)]
    pub map: BTreeMap<TaxId, TaxMapping>,
    /// Per-line: the code of a line that several store taxes apply to, keyed by the store
    /// tax ids joined with `+` in ascending order (`"1+2"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, EntityId>,
}

impl Default for TaxConfig {
    fn default() -> Self {
        Self {
            mode: TaxMode::default(),
            taxable_code: default_taxable_code(),
            non_taxable_code: default_non_taxable_code(),
            exempt_code: None,
            map: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }
}

fn default_taxable_code() -> EntityId {
    EntityId::new("TAX")
}

fn default_non_taxable_code() -> EntityId {
    EntityId::new("NON")
}

/// Which QBO document an order becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderDocumentKind {
    /// An invoice, and a payment applied to it once the order is paid.
    #[default]
    InvoiceAndPayment,
    /// A sales receipt (a sale paid at once); only for paid orders.
    SalesReceipt,
}

/// What deleting an order in the store does in QBO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderDeletion {
    /// Void the documents (they stay, with zero amounts).
    #[default]
    Void,
    /// Delete the documents.
    Delete,
}

/// How orders become documents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderConfig {
    /// Invoice plus payment, or sales receipt.
    #[serde(default)]
    pub document: OrderDocumentKind,
    /// Whether to send the order number as `DocNumber`: only when the company has custom
    /// transaction numbers on (`SalesFormsPrefs.CustomTxnNumbers`), else QBO numbers them.
    #[serde(default)]
    pub send_doc_number: bool,
    /// Text put before the order number in `DocNumber`.
    #[serde(default)]
    pub doc_number_prefix: String,
    /// What a store delete does to the documents.
    #[serde(default)]
    pub on_delete: OrderDeletion,
}

/// How shipping charges appear on documents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum ShippingConfig {
    /// QBO's own shipping line (`SHIPPING_ITEM_ID`; needs
    /// `SalesFormsPrefs.AllowShipping`).
    #[default]
    ShippingLine,
    /// A line selling a service item of the company.
    Item {
        /// The QBO item id of shipping.
        item: EntityId,
    },
}

/// How discounts appear on documents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountConfig {
    /// Folded into the lines: each line shows its price after its share of the discounts.
    #[default]
    Fold,
    /// One discount line with the total of the order's discounts (needs
    /// `SalesFormsPrefs.AllowDiscount`).
    Line {
        /// The account the discount posts to (e.g. "Discounts given").
        account: EntityId,
    },
}

/// How products are found in QBO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductIdentity {
    /// By the linked QBO id only (recommended).
    #[default]
    LinkedId,
    /// By SKU: every product needs one, and the engine looks unlinked products up by it.
    Sku,
}

/// The item type of products whose stock the store tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackedItemType {
    /// Inventory items (QBO tracks their quantity on hand).
    #[default]
    Inventory,
    /// Non-inventory items (for companies without inventory tracking).
    NonInventory,
}

/// The item type of products whose stock the store does not track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UntrackedItemType {
    /// Non-inventory items.
    #[default]
    NonInventory,
    /// Service items.
    Service,
}

/// How store stock reaches QBO inventory items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockPolicy {
    /// The store stock is the opening quantity when the item is created; afterwards only
    /// the synced invoices and receipts move QBO's stock, so nothing is written off twice.
    #[default]
    OpeningOnly,
    /// Every update sends the store stock as `QtyOnHand` (QBO books an adjustment). Only for
    /// companies that do not sync orders.
    Always,
}

/// How products become items.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    /// Linked id or SKU.
    #[serde(default)]
    pub identity: ProductIdentity,
    /// Item type of tracked products.
    #[serde(default)]
    pub tracked: TrackedItemType,
    /// Item type of untracked products.
    #[serde(default)]
    pub untracked: UntrackedItemType,
    /// Opening quantity only, or always.
    #[serde(default)]
    pub stock: StockPolicy,
    /// The date of the opening quantity of products without `created_on` (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_start_date: Option<NaiveDate>,
}

/// What the engine does when QBO refuses a name as a duplicate (fault 6240).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashPolicy {
    /// Link the store entity to the existing QBO entity of that name.
    #[default]
    Link,
    /// Create it under a new name: the name plus `names.rename_suffix`.
    Rename,
}

/// What to do with a name longer than QBO allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overlong {
    /// Shorten it to the limit.
    #[default]
    Truncate,
    /// Refuse the entity.
    Error,
}

/// Where a customer's `DisplayName` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisplayNameSource {
    /// "Given Family", else the company, else the e-mail address.
    #[default]
    Name,
    /// The company, else "Given Family", else the e-mail address.
    Company,
    /// The e-mail address, else "Given Family", else the company.
    Email,
}

/// What to do with a malformed e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidEmail {
    /// Leave it out of the QBO entity.
    #[default]
    Omit,
    /// Refuse the entity.
    Error,
}

/// Names: cleaning, clashes, customer display names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameConfig {
    /// Link or rename on a duplicate name.
    #[serde(default)]
    pub on_clash: ClashPolicy,
    /// The suffix of a renamed entity; `{id}` stands for the store id and `{n}` for the
    /// attempt (1, 2, …).
    #[serde(default = "default_rename_suffix")]
    pub rename_suffix: String,
    /// Shorten or refuse names longer than QBO allows.
    #[serde(default)]
    pub overlong: Overlong,
    /// Where customer display names come from.
    #[serde(default)]
    pub customer_display_name: DisplayNameSource,
    /// Omit or refuse malformed e-mail addresses.
    #[serde(default)]
    pub invalid_email: InvalidEmail,
}

fn default_rename_suffix() -> String {
    " ({id})".to_owned()
}

impl Default for NameConfig {
    fn default() -> Self {
        Self {
            on_clash: ClashPolicy::default(),
            rename_suffix: default_rename_suffix(),
            overlong: Overlong::default(),
            customer_display_name: DisplayNameSource::default(),
            invalid_email: InvalidEmail::default(),
        }
    }
}

/// Which QBO customer guest orders are booked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestMode {
    /// One customer for every guest order.
    #[default]
    Shared,
    /// One customer per e-mail address (guests without a valid one go to the shared
    /// customer).
    PerEmail,
}

/// Guest checkouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestConfig {
    /// Shared or per e-mail.
    #[serde(default)]
    pub mode: GuestMode,
    /// The display name of the shared guest customer.
    #[serde(default = "default_shared_name")]
    pub shared_name: String,
}

fn default_shared_name() -> String {
    "Online store guest".to_owned()
}

impl Default for GuestConfig {
    fn default() -> Self {
        Self {
            mode: GuestMode::default(),
            shared_name: default_shared_name(),
        }
    }
}

/// The line that carries a rounding difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentConfig {
    /// The QBO item id of the line (a service or non-inventory item, e.g. "Rounding").
    pub item: EntityId,
    /// Per-line tax mode: the line's tax code (default `tax.exempt_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<EntityId>,
    /// The line's description.
    #[serde(default = "default_adjustment_description")]
    pub description: String,
}

fn default_adjustment_description() -> String {
    "Rounding adjustment".to_owned()
}

/// Rounding tolerance and the adjustment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingConfig {
    /// The largest difference between the store total and the sum of its parts that is
    /// treated as rounding (more is an error naming both totals).
    #[serde(default = "default_tolerance")]
    pub tolerance: Decimal,
    /// The line that carries a difference within the tolerance; without it such an order
    /// fails naming the difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<AdjustmentConfig>,
    /// The most decimals of a unit price the mapping computes (folded discounts, prices
    /// without included tax), 2 to 10.
    #[serde(default = "default_unit_price_decimals")]
    pub unit_price_decimals: u32,
}

fn default_tolerance() -> Decimal {
    Decimal::new(5, 2)
}

fn default_unit_price_decimals() -> u32 {
    7
}

impl Default for RoundingConfig {
    fn default() -> Self {
        Self {
            tolerance: default_tolerance(),
            adjustment: None,
            unit_price_decimals: default_unit_price_decimals(),
        }
    }
}

impl MappingConfig {
    /// A configuration with these accounts, this home currency and every other setting at
    /// its default.
    pub fn new(income_account: impl Into<EntityId>, home_currency: impl Into<String>) -> Self {
        Self {
            accounts: Accounts {
                income: income_account.into(),
                cogs: None,
                inventory_asset: None,
                deposit: None,
            },
            currency: CurrencyConfig {
                home: home_currency.into(),
                multicurrency: false,
                accepted: Vec::new(),
            },
            tax: TaxConfig::default(),
            order: OrderConfig::default(),
            payment_methods: BTreeMap::new(),
            shipping: ShippingConfig::default(),
            discounts: DiscountConfig::default(),
            products: ProductConfig::default(),
            names: NameConfig::default(),
            guests: GuestConfig::default(),
            rounding: RoundingConfig::default(),
        }
    }

    /// Checks that the settings fit together.
    ///
    /// # Errors
    /// [`MappingError::Config`] naming the first key that is wrong: inventory items without
    /// `accounts.cogs` or `accounts.inventory_asset`, per-line tax entries without `rate`,
    /// a malformed currency code or group key, a negative tolerance, unit price decimals
    /// outside 2 to 10, an empty shared guest name.
    pub fn validate(&self) -> Result<(), MappingError> {
        let config = |key: &str, reason: &str| MappingError::Config {
            key: key.to_owned(),
            reason: reason.to_owned(),
        };
        if self.products.tracked == TrackedItemType::Inventory {
            if self.accounts.cogs.is_none() {
                return Err(config(
                    "accounts.cogs",
                    "inventory items need a Cost of Goods Sold account",
                ));
            }
            if self.accounts.inventory_asset.is_none() {
                return Err(config(
                    "accounts.inventory_asset",
                    "inventory items need an inventory asset account",
                ));
            }
        }
        if !is_currency_code(&self.currency.home) {
            return Err(config(
                "currency.home",
                "expected an ISO 4217 code of three letters",
            ));
        }
        if self.currency.accepted.iter().any(|c| !is_currency_code(c)) {
            return Err(config(
                "currency.accepted",
                "expected ISO 4217 codes of three letters",
            ));
        }
        if !self.currency.accepted.is_empty() && !self.currency.multicurrency {
            return Err(config(
                "currency.accepted",
                "further currencies need multicurrency = true",
            ));
        }
        if self.tax.mode == TaxMode::PerLine
            && let Some((id, _)) = self.tax.map.iter().find(|(_, m)| m.rate.is_none())
        {
            return Err(config(
                &format!("tax.map.{id}.rate"),
                "per-line tax needs the QBO tax rate of every store tax",
            ));
        }
        if let Some(key) = self
            .tax
            .groups
            .keys()
            .find(|key| canonical_group_key(key).as_deref() != Some(key.as_str()))
        {
            return Err(config(
                &format!("tax.groups.{key}"),
                "expected at least two store tax ids joined by '+' in ascending order",
            ));
        }
        if self.rounding.tolerance.is_sign_negative() {
            return Err(config("rounding.tolerance", "must not be negative"));
        }
        if !(2..=10).contains(&self.rounding.unit_price_decimals) {
            return Err(config("rounding.unit_price_decimals", "must be 2 to 10"));
        }
        if self.guests.shared_name.trim().is_empty() {
            return Err(config("guests.shared_name", "must not be empty"));
        }
        Ok(())
    }

    /// Whether the company takes documents in this currency (compared without regard to
    /// case).
    pub fn accepts_currency(&self, currency: &str) -> bool {
        let currency = currency.trim();
        currency.eq_ignore_ascii_case(&self.currency.home)
            || (self.currency.multicurrency
                && self
                    .currency
                    .accepted
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(currency)))
    }
}

/// Whether `code` looks like an ISO 4217 code: three ASCII letters.
fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The group key of a set of store tax ids: sorted, deduplicated, joined with `+`.
pub(crate) fn group_key<'a>(ids: impl IntoIterator<Item = &'a TaxId>) -> String {
    let mut ids: Vec<&str> = ids.into_iter().map(TaxId::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join("+")
}

/// The canonical form of a configured group key, or `None` when it is not one.
fn canonical_group_key(key: &str) -> Option<String> {
    let ids: Vec<TaxId> = key.split('+').map(TaxId::from).collect();
    if ids.len() < 2 || ids.iter().any(|id| id.as_str().is_empty()) {
        return None;
    }
    Some(group_key(&ids))
}
