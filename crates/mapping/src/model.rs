//! The store model: what any store (CS-Cart first, others through the webhook) converts its
//! data into before it is mapped to QBO.
//!
//! The model says what the store *has*, not what QBO wants: names are raw (they are cleaned
//! by the transforms), money and quantities are [`Decimal`] exactly as the store computed
//! them, and every id is a newtype from [`crate::ids`]. Amounts in JSON are strings
//! (`"19.99"`) or numbers (`19.99`, `1.5e3`), both read exactly from their JSON text, never
//! through an `f64` ([`crate::money::exact`]); optional fields may be left out; unknown
//! fields are refused, so a misspelt field is an error rather than a value silently lost.
//!
//! Read the model from JSON text (`serde_json::from_str`, `from_slice`, `from_reader`): a
//! `serde_json::Value` has already turned numbers into `f64`, and a model nested inside an
//! untagged, internally tagged or flattened container is refused for the same reason.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, CustomerId, OrderId, PaymentMethodId, ProductId, TaxId, VendorId};

fn yes() -> bool {
    true
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// First street line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Second street line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region code (`CA`, `ON`, `NSW`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Country: an ISO 3166 alpha-2 or alpha-3 code, or a country name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A registered store customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The store's id of the customer.
    pub id: CustomerId,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone number as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Billing address (stores without addresses on users take it from the last order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Whether the customer is active in the store (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

/// A product category; categories form a tree through `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The store's id of the category.
    pub id: CategoryId,
    /// The category's name.
    #[serde(default)]
    pub name: String,
    /// The parent category; `None` for a top category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<CategoryId>,
    /// Whether the category is active in the store (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// The store's id of the product.
    pub id: ProductId,
    /// Stock keeping unit (product code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The product's name.
    #[serde(default)]
    pub name: String,
    /// Short description, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    /// Full description, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sales price.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub price: Decimal,
    /// Purchase cost.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::money::exact::opt_decimal"
    )]
    pub cost: Option<Decimal>,
    /// Quantity in stock.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::money::exact::opt_decimal"
    )]
    pub stock: Option<Decimal>,
    /// Whether the store tracks the stock of this product.
    #[serde(default)]
    pub track_stock: bool,
    /// Whether the product is active (on sale) in the store (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// The product's categories, the main one first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryId>,
    /// Whether sales of the product are taxable.
    #[serde(default)]
    pub taxable: bool,
    /// The store taxes that apply to the product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<TaxId>,
    /// When the product was created (the date of an inventory item's opening quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<NaiveDate>,
}

/// A discount: a percentage of what it applies to, or a fixed amount.
///
/// In JSON: `{"percent": "10"}` (10 %) or `{"fixed": "5.00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// A percentage: `10` means 10 %.
    Percent(#[serde(deserialize_with = "crate::money::exact::decimal")] Decimal),
    /// A fixed amount of money.
    Fixed(#[serde(deserialize_with = "crate::money::exact::decimal")] Decimal),
}

/// Who placed an order.
///
/// In JSON: `{"registered": "42"}` or `{"guest": {"email": "…", …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderCustomer {
    /// A registered customer, synced on its own.
    Registered(CustomerId),
    /// A guest checkout: the contact details come with the order.
    Guest(Guest),
}

/// The contact details of a guest checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guest {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone number as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// One product line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// The product sold.
    pub product: ProductId,
    /// The product code at the time of the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The product name at the time of the order (the line's description).
    #[serde(default)]
    pub name: String,
    /// Quantity (more than zero; decimals allowed).
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub quantity: Decimal,
    /// Price of one unit before discounts.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub unit_price: Decimal,
    /// A discount on this line: a percentage of the line amount or a fixed amount for the
    /// whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// The order taxes (by [`OrderTax::id`]) that apply to this line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<TaxId>,
}

/// A shipping charge of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingCharge {
    /// The shipping method's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The amount charged.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub amount: Decimal,
    /// The order taxes (by [`OrderTax::id`]) that apply to shipping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<TaxId>,
}

/// An order-level discount (a coupon, a promotion), applied to the lines after their own
/// discounts; shipping is not discounted.
///
/// In JSON: `{"name": "SPRING5", "fixed": "5.00"}` or `{"percent": "10"}` (exactly one of
/// `percent` and `fixed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OrderDiscountJson")]
pub struct OrderDiscount {
    /// The discount's name or coupon code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How much.
    #[serde(flatten)]
    pub discount: Discount,
}

/// [`OrderDiscount`] as read: its discount spelt out field by field, so that its amount is
/// read exactly (serde's `flatten` would buffer it through an `f64`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderDiscountJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::money::exact::opt_decimal")]
    percent: Option<Decimal>,
    #[serde(default, deserialize_with = "crate::money::exact::opt_decimal")]
    fixed: Option<Decimal>,
}

impl TryFrom<OrderDiscountJson> for OrderDiscount {
    type Error = &'static str;
    fn try_from(json: OrderDiscountJson) -> Result<Self, Self::Error> {
        let discount = match (json.percent, json.fixed) {
            (Some(p), None) => Discount::Percent(p),
            (None, Some(f)) => Discount::Fixed(f),
            _ => return Err("an order discount has exactly one of `percent` and `fixed`"),
        };
        Ok(Self {
            name: json.name,
            discount,
        })
    }
}

/// A tax the store charged on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderTax {
    /// The store's id of the tax.
    pub id: TaxId,
    /// The tax's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rate in percent (`8.25` means 8.25 %), when it is a percentage.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::money::exact::opt_decimal"
    )]
    pub rate: Option<Decimal>,
    /// The tax amount the store charged on the whole order.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub amount: Decimal,
    /// Whether the prices of the lines it applies to already include it.
    #[serde(default)]
    pub included_in_price: bool,
}

/// The payment of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderPayment {
    /// The store's payment method.
    pub method: PaymentMethodId,
    /// The amount paid.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub amount: Decimal,
    /// A reference of the payment (transaction id, cheque number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When it was paid (the order date when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// An order.
///
/// `total` is what the customer was charged: the lines after their discounts, minus the
/// order discounts, plus shipping, plus the taxes not included in prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The store's id of the order.
    pub id: OrderId,
    /// The order number customers see (the id when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Who placed it.
    pub customer: OrderCustomer,
    /// The order date.
    pub date: NaiveDate,
    /// ISO 4217 currency code of every amount of the order.
    pub currency: String,
    /// E-mail address the order confirmation went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Shipping address (the tax destination under US automated sales tax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// The product lines.
    #[serde(default)]
    pub lines: Vec<OrderLine>,
    /// Shipping charges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipping: Vec<ShippingCharge>,
    /// Order-level discounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<OrderDiscount>,
    /// Taxes charged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<OrderTax>,
    /// The order total the customer was charged.
    #[serde(deserialize_with = "crate::money::exact::decimal")]
    pub total: Decimal,
    /// The payment, when the store recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<OrderPayment>,
    /// The store's status code (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether the store considers the order paid.
    #[serde(default)]
    pub paid: bool,
    /// The marketplace vendor that sells it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<VendorId>,
    /// Whether this is a marketplace parent order (split into vendor child orders).
    #[serde(default)]
    pub is_marketplace_parent: bool,
    /// The marketplace parent of a vendor's child order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_order: Option<OrderId>,
    /// Notes of the order (kept private in QBO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}
