//! CS-Cart's entities as the REST API sends them, read tolerantly (numbers as strings or
//! numbers, `[]` for empty maps, `null` names, unix seconds). Unused fields are ignored.
//!
//! The types also serialize, under their own field names, as plain JSON; fields that change
//! without the entity changing (a user's `last_login`, a category's `product_count`) are
//! left out, so that the serialized form is the entity's content (the change feed
//! fingerprints it).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::de;
use crate::ids::{
    CategoryId, CustomerId, ItemId, OrderId, PaymentMethodId, ProductId, StatusId, TaxId, VendorId,
};

/// Whether CS-Cart tracks a product's stock (`tracking`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracking {
    /// `B`: tracked (the legacy `O` was merged into it).
    Track,
    /// `D`: not tracked.
    DoNotTrack,
    /// Unset or any other value: the store default applies.
    StoreDefault,
}

impl Serialize for Tracking {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Track => s.serialize_str("B"),
            Self::DoNotTrack => s.serialize_str("D"),
            Self::StoreDefault => s.serialize_none(),
        }
    }
}

impl<'d> Deserialize<'d> for Tracking {
    fn deserialize<D: serde::Deserializer<'d>>(d: D) -> Result<Self, D::Error> {
        Ok(match de::opt_string(d)?.as_deref() {
            Some("B") | Some("O") => Self::Track,
            Some("D") => Self::DoNotTrack,
            _ => Self::StoreDefault,
        })
    }
}

/// A product row (list row or `GET /products/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Product {
    /// `product_id`.
    pub product_id: ProductId,
    /// `product`: the name (may be `null`).
    #[serde(default, rename = "product", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `product_code` (SKU).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub product_code: Option<String>,
    /// `price`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub price: Option<Decimal>,
    /// `list_price`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub list_price: Option<Decimal>,
    /// `amount`: quantity in stock.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub amount: Option<Decimal>,
    /// `status`: `A` active, `D` disabled, `H` hidden.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `tracking`.
    #[serde(default = "store_default")]
    pub tracking: Tracking,
    /// `company_id`: the vendor or store (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `main_category`.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub main_category: Option<CategoryId>,
    /// `category_ids`.
    #[serde(default, deserialize_with = "de::id_list")]
    pub category_ids: Vec<CategoryId>,
    /// `tax_ids` (a comma-separated column).
    #[serde(default, deserialize_with = "de::id_list")]
    pub tax_ids: Vec<TaxId>,
    /// `short_description` (HTML).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub short_description: Option<String>,
    /// `full_description` (HTML).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub full_description: Option<String>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
    /// `updated_timestamp`: last change (not bumped by stock moves from orders).
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub updated_timestamp: Option<DateTime<Utc>>,
}

fn store_default() -> Tracking {
    Tracking::StoreDefault
}

/// A category row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Category {
    /// `category_id`.
    pub category_id: CategoryId,
    /// `category`: the name (may be `null`).
    #[serde(default, rename = "category", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `parent_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub parent_id: Option<CategoryId>,
    /// `id_path`: ancestors and self, `/`-separated.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id_path: Option<String>,
    /// `level`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub level: Option<i64>,
    /// `company_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `status`: `A`, `D` or `H`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `position`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub position: Option<i64>,
    /// `product_count` (not serialized: it moves when products do).
    #[serde(default, skip_serializing, deserialize_with = "de::opt_i64")]
    pub product_count: Option<i64>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
}

/// A user (list row and `GET /users/<id>` share this shape; there are no addresses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// `user_id`.
    pub user_id: CustomerId,
    /// `user_login`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_login: Option<String>,
    /// `user_type`: `A` admin, `C` customer, `V` vendor, `P` affiliate.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub user_type: Option<String>,
    /// `status`: `A` active, `D` disabled.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `firstname`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub firstname: Option<String>,
    /// `lastname`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub lastname: Option<String>,
    /// `email`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `company`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub company: Option<String>,
    /// `company_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `company_name` (may be `null`).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub company_name: Option<String>,
    /// `phone`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
    /// `last_login` (not serialized: it moves without the user changing).
    #[serde(default, skip_serializing, deserialize_with = "de::opt_unix_time")]
    pub last_login: Option<DateTime<Utc>>,
}

/// A row of `GET /orders` (no `updated_at`, no lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderSummary {
    /// `order_id`.
    pub order_id: OrderId,
    /// `user_id` (`0` → a guest).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub user_id: Option<CustomerId>,
    /// `parent_order_id` of a marketplace child (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub parent_order_id: Option<OrderId>,
    /// `is_parent_order`.
    #[serde(default, deserialize_with = "de::flag")]
    pub is_parent_order: bool,
    /// `company_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `status` letter.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `total`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub total: Option<Decimal>,
    /// `email`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
}

/// One entry of an order's `products` map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderItem {
    /// `item_id`.
    pub item_id: ItemId,
    /// `product_id`.
    pub product_id: ProductId,
    /// `product_code`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub product_code: Option<String>,
    /// `product`: the name at the time of the order.
    #[serde(default, rename = "product", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `price`: unit price charged.
    #[serde(deserialize_with = "de::decimal")]
    pub price: Decimal,
    /// `amount`: quantity.
    #[serde(deserialize_with = "de::decimal")]
    pub amount: Decimal,
    /// `base_price`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub base_price: Option<Decimal>,
    /// `original_price`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub original_price: Option<Decimal>,
    /// `discount` per unit.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub discount: Option<Decimal>,
    /// `tax_value`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub tax_value: Option<Decimal>,
    /// `subtotal`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub subtotal: Option<Decimal>,
    /// `company_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `deleted_product`: the product no longer exists.
    #[serde(default, deserialize_with = "de::flag")]
    pub deleted_product: bool,
}

/// One entry of an order's `taxes` map (the key is the tax id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderTax {
    /// `rate_type`: `P` percent, `F` fixed.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub rate_type: Option<String>,
    /// `rate_value`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub rate_value: Option<Decimal>,
    /// `price_includes_tax`.
    #[serde(default, deserialize_with = "de::flag")]
    pub price_includes_tax: bool,
    /// `tax_subtotal`: the tax charged on the order.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub tax_subtotal: Option<Decimal>,
    /// `description`: the tax's name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub description: Option<String>,
    /// `regnumber`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub regnumber: Option<String>,
    /// `applies`: what the tax was charged on (`None` when CS-Cart did not say).
    #[serde(default, deserialize_with = "de::opt_object")]
    pub applies: Option<TaxApplies>,
}

impl OrderTax {
    /// Whether the tax was charged on the order line with this key (`item_id`); `true`
    /// when the order does not say.
    pub fn applies_to_item(&self, item_key: &str) -> bool {
        match &self.applies {
            None => true,
            Some(a) => a.items.products.iter().any(|k| k == item_key),
        }
    }

    /// Whether the tax was charged on shipping.
    pub fn applies_to_shipping(&self) -> bool {
        self.applies.as_ref().is_some_and(|a| {
            a.shipping.is_some_and(|s| !s.is_zero()) || !a.items.shipping.is_empty()
        })
    }
}

/// A tax's `applies`: `{"P": <on products>, "S": <on shipping>, "items": {"P": {...}, "S": [...]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaxApplies {
    /// `P`: the tax charged on products.
    #[serde(default, rename = "P", deserialize_with = "de::opt_decimal")]
    pub products: Option<Decimal>,
    /// `S`: the tax charged on shipping.
    #[serde(default, rename = "S", deserialize_with = "de::opt_decimal")]
    pub shipping: Option<Decimal>,
    /// `items`: which lines and shipping groups (`[]` → none).
    #[serde(default, deserialize_with = "opt_applies_items")]
    pub items: TaxAppliesItems,
}

/// The keys of `applies.items`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaxAppliesItems {
    /// `P`: the item keys of the lines taxed.
    #[serde(default, rename = "P", deserialize_with = "de::keys")]
    pub products: Vec<String>,
    /// `S`: the shipping groups taxed.
    #[serde(default, rename = "S", deserialize_with = "de::keys")]
    pub shipping: Vec<String>,
}

fn opt_applies_items<'d, D: serde::Deserializer<'d>>(d: D) -> Result<TaxAppliesItems, D::Error> {
    de::opt_object(d).map(Option::unwrap_or_default)
}

/// An order's `payment_method`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PaymentMethod {
    /// `payment_id`.
    pub payment_id: PaymentMethodId,
    /// `payment`: the method's name.
    #[serde(default, rename = "payment", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `description`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub description: Option<String>,
    /// `processor`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub processor: Option<String>,
}

/// One entry of an order's `shipping`: a shipping method chosen for (part of) the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderShipping {
    /// `shipping_id`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub shipping_id: Option<String>,
    /// `shipping`: the method's name.
    #[serde(default, rename = "shipping", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `rate`: what the method cost.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub rate: Option<Decimal>,
}

/// A company: a Multi-Vendor vendor (`GET /vendors`) or a storefront (`GET /stores`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Company {
    /// `company_id`.
    pub company_id: VendorId,
    /// `company`: the name.
    #[serde(default, rename = "company", deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// `status`: `A` active, `D` disabled, `P` pending, `N` new.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `email`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `storefront` (stores).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub storefront: Option<String>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
}

/// A postal address of an order (`b_*` or `s_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderAddress {
    /// `*_firstname`.
    pub firstname: Option<String>,
    /// `*_lastname`.
    pub lastname: Option<String>,
    /// `*_address`.
    pub address: Option<String>,
    /// `*_address_2`.
    pub address_2: Option<String>,
    /// `*_city`.
    pub city: Option<String>,
    /// `*_state` (code).
    pub state: Option<String>,
    /// `*_country` (ISO alpha-2).
    pub country: Option<String>,
    /// `*_zipcode`.
    pub zipcode: Option<String>,
    /// `*_phone`.
    pub phone: Option<String>,
}

/// A full order, `GET /orders/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// `order_id`.
    pub order_id: OrderId,
    /// `user_id` (`0` → a guest).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub user_id: Option<CustomerId>,
    /// `parent_order_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub parent_order_id: Option<OrderId>,
    /// `is_parent_order`.
    #[serde(default, deserialize_with = "de::flag")]
    pub is_parent_order: bool,
    /// `company_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub company_id: Option<VendorId>,
    /// `status` letter.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// `total`.
    #[serde(deserialize_with = "de::decimal")]
    pub total: Decimal,
    /// `subtotal`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub subtotal: Option<Decimal>,
    /// `discount`: the order's line discounts.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub discount: Option<Decimal>,
    /// `subtotal_discount`: the order-level discount.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub subtotal_discount: Option<Decimal>,
    /// `shipping_cost`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub shipping_cost: Option<Decimal>,
    /// `payment_surcharge`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub payment_surcharge: Option<Decimal>,
    /// `timestamp`: creation time.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub timestamp: Option<DateTime<Utc>>,
    /// `updated_at`: last change, bumped by every status change.
    #[serde(default, deserialize_with = "de::opt_unix_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// `firstname`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub firstname: Option<String>,
    /// `lastname`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub lastname: Option<String>,
    /// `company`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub company: Option<String>,
    /// `email`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// `phone`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub phone: Option<String>,
    /// `notes`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub notes: Option<String>,
    /// `secondary_currency`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub secondary_currency: Option<String>,
    /// `payment_id` (`0` → `None`).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub payment_id: Option<PaymentMethodId>,
    /// `payment_method` (`[]` → `None`).
    #[serde(default, deserialize_with = "de::opt_object")]
    pub payment_method: Option<PaymentMethod>,
    /// `products`, keyed by item id, in the order CS-Cart sent them.
    #[serde(default, deserialize_with = "de::keyed")]
    pub products: Vec<(String, OrderItem)>,
    /// `taxes`, keyed by tax id (`[]` when none).
    #[serde(default, deserialize_with = "de::keyed")]
    pub taxes: Vec<(String, OrderTax)>,
    /// `shipping`: the shipping methods chosen (`[]` when none).
    #[serde(default, deserialize_with = "de::values")]
    pub shipping: Vec<OrderShipping>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_firstname: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_lastname: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_address: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_address_2: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_city: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_state: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_zipcode: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    b_phone: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_firstname: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_lastname: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_address: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_address_2: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_city: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_state: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_country: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_zipcode: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    s_phone: Option<String>,
}

impl Order {
    /// The billing address (`b_*`).
    pub fn billing(&self) -> OrderAddress {
        OrderAddress {
            firstname: self.b_firstname.clone(),
            lastname: self.b_lastname.clone(),
            address: self.b_address.clone(),
            address_2: self.b_address_2.clone(),
            city: self.b_city.clone(),
            state: self.b_state.clone(),
            country: self.b_country.clone(),
            zipcode: self.b_zipcode.clone(),
            phone: self.b_phone.clone(),
        }
    }

    /// The shipping address (`s_*`).
    pub fn shipping(&self) -> OrderAddress {
        OrderAddress {
            firstname: self.s_firstname.clone(),
            lastname: self.s_lastname.clone(),
            address: self.s_address.clone(),
            address_2: self.s_address_2.clone(),
            city: self.s_city.clone(),
            state: self.s_state.clone(),
            country: self.s_country.clone(),
            zipcode: self.s_zipcode.clone(),
            phone: self.s_phone.clone(),
        }
    }

    /// The tax ids of `taxes`, in order.
    pub fn tax_ids(&self) -> Vec<TaxId> {
        self.taxes
            .iter()
            .map(|(k, _)| TaxId::new(k.as_str()))
            .collect()
    }
}

/// An order status (`GET /statuses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Status {
    /// `status_id`.
    pub status_id: StatusId,
    /// `status`: the letter orders carry.
    pub status: String,
    /// `type`: `O` for orders.
    #[serde(default, rename = "type", deserialize_with = "de::opt_string")]
    pub kind: Option<String>,
    /// `is_default`.
    #[serde(default, deserialize_with = "de::flag")]
    pub is_default: bool,
    /// `description`: the status's name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub description: Option<String>,
    /// `params` as text (`[]` → empty).
    #[serde(default, deserialize_with = "de::text_map")]
    pub params: Vec<(String, String)>,
}

impl Status {
    /// Whether `params.payment_received` is `Y`.
    pub fn payment_received(&self) -> bool {
        self.params
            .iter()
            .any(|(k, v)| k == "payment_received" && v == "Y")
    }
}

/// The statuses that count as paid: those flagged `payment_received`, else `P` and `C`.
pub fn paid_statuses(statuses: &[Status]) -> Vec<String> {
    let flagged: Vec<String> = statuses
        .iter()
        .filter(|s| s.payment_received())
        .map(|s| s.status.clone())
        .collect();
    if flagged.is_empty() {
        vec!["P".to_owned(), "C".to_owned()]
    } else {
        flagged
    }
}
