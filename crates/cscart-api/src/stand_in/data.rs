//! The stand-in's in-memory shop: entities keyed by numeric id and the shop activity that
//! changes them, with CS-Cart's timestamp rules.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::{Decimal, RoundingStrategy};

/// The id of the stand-in's sales tax: 6.25 %, added on top of prices, charged on shipping too.
pub const SALES_TAX_ID: u64 = 6;
/// The id of the stand-in's VAT: 20 %, included in prices, never charged on shipping.
pub const VAT_ID: u64 = 7;
/// The company every shop has: the storefront (plain CS-Cart) or the marketplace owner.
pub const STORE_COMPANY_ID: u64 = 1;

/// Rounds to cents (half away from zero) and keeps two decimal places (`12.50`).
pub(crate) fn money(value: Decimal) -> Decimal {
    let mut d = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

/// SplitMix64, for ids derived from other ids (`item_id`) and seeds.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A tax the shop knows.
#[derive(Debug, Clone)]
pub(crate) struct TaxRate {
    pub tax_id: u64,
    pub description: &'static str,
    pub rate_value: Decimal,
    pub price_includes_tax: bool,
    pub regnumber: &'static str,
    pub priority: u32,
}

/// The shop's taxes (both percentages).
pub(crate) fn tax_rates() -> [TaxRate; 2] {
    [
        TaxRate {
            tax_id: SALES_TAX_ID,
            description: "Sales tax",
            rate_value: Decimal::new(6250, 3),
            price_includes_tax: false,
            regnumber: "",
            priority: 0,
        },
        TaxRate {
            tax_id: VAT_ID,
            description: "VAT",
            rate_value: Decimal::new(20000, 3),
            price_includes_tax: true,
            regnumber: "GB 123 4567 89",
            priority: 1,
        },
    ]
}

fn tax_rate(id: u64) -> Option<TaxRate> {
    tax_rates().into_iter().find(|t| t.tax_id == id)
}

/// The tax on `base` at `rate` percent: added on top, or the part of `base` it already holds.
fn tax_on(base: Decimal, rate: Decimal, included: bool) -> Decimal {
    let hundred = Decimal::ONE_HUNDRED;
    if included {
        money(base - base * hundred / (hundred + rate))
    } else {
        money(base * rate / hundred)
    }
}

/// A shipping method: id, name, delivery time, tax ids charged on it.
pub(crate) struct ShippingMethod {
    pub shipping_id: u64,
    pub name: &'static str,
    pub delivery_time: &'static str,
    pub tax_ids: &'static [u64],
}

pub(crate) const SHIPPING_METHODS: [ShippingMethod; 3] = [
    ShippingMethod {
        shipping_id: 1,
        name: "Ground",
        delivery_time: "3-5 days",
        tax_ids: &[SALES_TAX_ID],
    },
    ShippingMethod {
        shipping_id: 2,
        name: "Express",
        delivery_time: "1-2 days",
        tax_ids: &[SALES_TAX_ID],
    },
    ShippingMethod {
        shipping_id: 3,
        name: "Pickup",
        delivery_time: "",
        tax_ids: &[],
    },
];

pub(crate) fn shipping_method(id: u64) -> &'static ShippingMethod {
    SHIPPING_METHODS
        .iter()
        .find(|m| m.shipping_id == id)
        .unwrap_or(&SHIPPING_METHODS[0])
}

/// A payment method: id, name, description, processor, template, fixed surcharge (cents).
pub(crate) struct PaymentMethod {
    pub payment_id: u64,
    pub name: &'static str,
    pub description: &'static str,
    pub processor: Option<&'static str>,
    pub template: &'static str,
    pub surcharge_cents: i64,
}

pub(crate) const PAYMENT_METHODS: [PaymentMethod; 3] = [
    PaymentMethod {
        payment_id: 1,
        name: "Check",
        description: "Pay by check",
        processor: None,
        template: "views/orders/components/payments/check.tpl",
        surcharge_cents: 0,
    },
    PaymentMethod {
        payment_id: 2,
        name: "Credit card",
        description: "Visa, MasterCard",
        processor: None,
        template: "views/orders/components/payments/cc.tpl",
        surcharge_cents: 0,
    },
    PaymentMethod {
        payment_id: 3,
        name: "PayPal",
        description: "Pay with your PayPal account",
        processor: Some("PayPal Express Checkout"),
        template: "views/orders/components/payments/paypal_express.tpl",
        surcharge_cents: 30,
    },
];

pub(crate) fn payment_method(id: u64) -> Option<&'static PaymentMethod> {
    PAYMENT_METHODS.iter().find(|m| m.payment_id == id)
}

/// A postal address and contact of an order or a user's profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// First name.
    pub firstname: String,
    /// Last name.
    pub lastname: String,
    /// Street address.
    pub address: String,
    /// Second address line.
    pub address_2: String,
    /// City.
    pub city: String,
    /// State code (`MA`), may be empty.
    pub state: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Postal code.
    pub zipcode: String,
    /// Phone.
    pub phone: String,
}

/// A category as the stand-in stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryData {
    /// `category_id`.
    pub category_id: u64,
    /// `category`: the name.
    pub name: String,
    /// `parent_id` (`0` for a root category).
    pub parent_id: u64,
    /// `id_path`: ancestors and self, `/`-separated.
    pub id_path: String,
    /// `level` (`1` for a root category).
    pub level: u32,
    /// `company_id`.
    pub company_id: u64,
    /// `status`: `A`, `H` or `D`.
    pub status: char,
    /// `position`.
    pub position: i64,
    /// `description` (HTML).
    pub description: String,
    /// `timestamp`: creation time (categories have no update time).
    pub timestamp: i64,
    /// `product_count`: products in it (kept by the stand-in).
    pub product_count: u64,
}

/// A product as the stand-in stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductData {
    /// `product_id`.
    pub product_id: u64,
    /// `product`: the name.
    pub name: String,
    /// `product_code`: the SKU.
    pub sku: String,
    /// `price`.
    pub price: Decimal,
    /// `list_price`.
    pub list_price: Decimal,
    /// `amount`: stock.
    pub amount: i64,
    /// `status`: `A`, `D` or `H`.
    pub status: char,
    /// `tracking`: `B` track, `D` don't, `None` the store default (sent as `null`; the
    /// stand-in's default is to track).
    pub tracking: Option<char>,
    /// `category_ids`; the first is `main_category`.
    pub categories: Vec<u64>,
    /// `company_id`.
    pub company_id: u64,
    /// `tax_ids`.
    pub tax_ids: Vec<u64>,
    /// `short_description` (HTML).
    pub short_description: String,
    /// `full_description` (HTML).
    pub full_description: String,
    /// `weight`.
    pub weight: Decimal,
    /// `popularity`.
    pub popularity: u64,
    /// `timestamp`: creation time.
    pub timestamp: i64,
    /// `updated_timestamp`: last update by the admin, the API or an import (not by stock
    /// moves from orders).
    pub updated_timestamp: i64,
}

impl ProductData {
    /// Whether stock moves for this product (`B`, or unset: the store default tracks).
    pub fn tracked(&self) -> bool {
        self.tracking != Some('D')
    }
}

/// A new product for [`crate::stand_in::StandIn::create_product`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewProduct {
    /// The name.
    pub name: String,
    /// The SKU (`product_code`).
    pub sku: String,
    /// The price (rounded to cents).
    pub price: Decimal,
    /// Stock.
    pub amount: i64,
    /// `Some('B')`, `Some('D')` or `None` (the store default).
    pub tracking: Option<char>,
    /// Category ids; the first is the main one.
    pub categories: Vec<u64>,
    /// The company (`0` none; [`STORE_COMPANY_ID`] the store).
    pub company_id: u64,
    /// Tax ids ([`SALES_TAX_ID`], [`VAT_ID`]; others are ignored by orders).
    pub tax_ids: Vec<u64>,
}

/// A user as the stand-in stores it. The API sends no addresses; `address` is the
/// profile's, used by [`crate::stand_in::StandIn::place_order`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserData {
    /// `user_id`.
    pub user_id: u64,
    /// `user_login`.
    pub login: String,
    /// `user_type`: `A` admin, `C` customer, `V` vendor admin.
    pub user_type: char,
    /// `status`: `A` or `D`.
    pub status: char,
    /// `is_root`.
    pub is_root: bool,
    /// `firstname`.
    pub firstname: String,
    /// `lastname`.
    pub lastname: String,
    /// `email`.
    pub email: String,
    /// `company`: the customer's own company name.
    pub company: String,
    /// `company_id`: the storefront or vendor the account belongs to.
    pub company_id: u64,
    /// `phone`.
    pub phone: String,
    /// `timestamp`: creation time (users have no update time).
    pub timestamp: i64,
    /// `last_login` (`0` never).
    pub last_login: i64,
    /// The profile's address (not sent by the API; orders copy it).
    pub address: Address,
}

/// A new user for [`crate::stand_in::StandIn::create_user`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// E-mail.
    pub email: String,
    /// First name.
    pub firstname: String,
    /// Last name.
    pub lastname: String,
    /// `user_type` (default `C`).
    pub user_type: char,
    /// `status` (default `A`).
    pub status: char,
    /// The customer's company name.
    pub company: String,
    /// The storefront or vendor (default `0`).
    pub company_id: u64,
    /// Phone.
    pub phone: String,
    /// The profile's address (orders copy it).
    pub address: Address,
}

impl Default for NewUser {
    fn default() -> Self {
        Self {
            email: String::new(),
            firstname: String::new(),
            lastname: String::new(),
            user_type: 'C',
            status: 'A',
            company: String::new(),
            company_id: 0,
            phone: String::new(),
            address: Address::default(),
        }
    }
}

/// A vendor (Multi-Vendor) or storefront: a CS-Cart company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyData {
    /// `company_id`.
    pub company_id: u64,
    /// `company`: the name.
    pub name: String,
    /// `status`: `A`, `P` pending, `D` disabled.
    pub status: char,
    /// `email`.
    pub email: String,
    /// `phone`.
    pub phone: String,
    /// The company's address.
    pub address: Address,
    /// `timestamp`: creation time.
    pub timestamp: i64,
}

/// One line of an order (an entry of its `products` map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// `item_id`: CS-Cart's cart id, the key of the `products` map.
    pub item_id: u64,
    /// `product_id`.
    pub product_id: u64,
    /// `product_code` at the time of the order.
    pub product_code: String,
    /// `product`: the name at the time of the order.
    pub name: String,
    /// `price`: the unit price charged (after `discount`).
    pub price: Decimal,
    /// `amount`: quantity.
    pub amount: i64,
    /// `discount` per unit (promotions), already taken off `price`.
    pub discount: Decimal,
    /// `company_id`.
    pub company_id: u64,
    /// `shipped_amount`.
    pub shipped_amount: i64,
    /// `subtotal`: `price × amount` (kept by [`OrderData::recompute_totals`]).
    pub subtotal: Decimal,
    /// `tax_value`: the taxes on this line (kept by [`OrderData::recompute_totals`]).
    pub tax_value: Decimal,
}

/// One tax of an order (an entry of its `taxes` map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTaxData {
    /// The tax id (the key).
    pub tax_id: u64,
    /// `description`.
    pub description: String,
    /// `rate_type`: `P` percent.
    pub rate_type: char,
    /// `rate_value`.
    pub rate_value: Decimal,
    /// `price_includes_tax`.
    pub price_includes_tax: bool,
    /// `regnumber`.
    pub regnumber: String,
    /// `priority`.
    pub priority: u32,
    /// The tax on each line it applies to, by `item_id` (`applies.items.P`).
    pub on_items: Vec<(u64, Decimal)>,
    /// Whether it applies to shipping (`applies.items.S`).
    pub on_shipping: bool,
    /// The tax on shipping (`applies.S`).
    pub shipping_tax: Decimal,
}

impl OrderTaxData {
    /// The tax on the lines (`applies.P`).
    pub fn product_tax(&self) -> Decimal {
        self.on_items.iter().map(|(_, t)| *t).sum()
    }

    /// `tax_subtotal`: lines and shipping.
    pub fn tax_subtotal(&self) -> Decimal {
        self.product_tax() + self.shipping_tax
    }
}

/// An order as the stand-in stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderData {
    /// `order_id`.
    pub order_id: u64,
    /// `parent_order_id` (`0` none).
    pub parent_order_id: u64,
    /// `is_parent_order`: a Multi-Vendor parent (status `T`), never in `GET /orders`.
    pub is_parent_order: bool,
    /// `company_id`.
    pub company_id: u64,
    /// `user_id` (`0` a guest).
    pub user_id: u64,
    /// `status` letter.
    pub status: char,
    /// `timestamp`: creation time.
    pub timestamp: i64,
    /// `updated_at`: set on create, full update and every status change.
    pub updated_at: i64,
    /// `firstname`.
    pub firstname: String,
    /// `lastname`.
    pub lastname: String,
    /// `company`.
    pub company: String,
    /// `email`.
    pub email: String,
    /// `phone`.
    pub phone: String,
    /// `notes`: the customer's notes.
    pub notes: String,
    /// `b_*`.
    pub billing: Address,
    /// `s_*`.
    pub shipping_address: Address,
    /// `payment_id`.
    pub payment_id: u64,
    /// `shipping_ids` (one method).
    pub shipping_id: u64,
    /// `products`, in order.
    pub lines: Vec<OrderLine>,
    /// `taxes`, in order.
    pub taxes: Vec<OrderTaxData>,
    /// `subtotal`: the lines' subtotals.
    pub subtotal: Decimal,
    /// `discount`: the lines' discounts (already in their prices).
    pub discount: Decimal,
    /// `subtotal_discount`: the order discount.
    pub subtotal_discount: Decimal,
    /// `shipping_cost`.
    pub shipping_cost: Decimal,
    /// `payment_surcharge`.
    pub payment_surcharge: Decimal,
    /// `total` = subtotal − subtotal_discount + shipping_cost + payment_surcharge + taxes not
    /// included in prices.
    pub total: Decimal,
}

impl OrderData {
    /// Recomputes line subtotals, taxes (at their stored rates, on the lines and shipping
    /// they apply to), `subtotal`, `discount` and `total` from prices and quantities. Call it
    /// inside [`crate::stand_in::StandIn::update_order`] after changing lines or money.
    pub fn recompute_totals(&mut self) {
        for line in &mut self.lines {
            line.price = money(line.price);
            line.discount = money(line.discount);
            line.subtotal = money(line.price * Decimal::from(line.amount));
            line.tax_value = Decimal::ZERO;
        }
        self.shipping_cost = money(self.shipping_cost);
        self.payment_surcharge = money(self.payment_surcharge);
        self.subtotal_discount = money(self.subtotal_discount);
        let mut added = Decimal::ZERO;
        for tax in &mut self.taxes {
            let applies: BTreeSet<u64> = tax.on_items.iter().map(|(id, _)| *id).collect();
            tax.on_items = self
                .lines
                .iter()
                .filter(|l| applies.contains(&l.item_id))
                .map(|l| {
                    (
                        l.item_id,
                        tax_on(l.subtotal, tax.rate_value, tax.price_includes_tax),
                    )
                })
                .collect();
            tax.shipping_tax = if tax.on_shipping {
                tax_on(self.shipping_cost, tax.rate_value, tax.price_includes_tax)
            } else {
                Decimal::ZERO
            };
            for (item, t) in &tax.on_items {
                if let Some(line) = self.lines.iter_mut().find(|l| l.item_id == *item) {
                    line.tax_value += *t;
                }
            }
            if !tax.price_includes_tax {
                added += tax.tax_subtotal();
            }
        }
        self.subtotal = self.lines.iter().map(|l| l.subtotal).sum();
        self.discount = money(
            self.lines
                .iter()
                .map(|l| l.discount * Decimal::from(l.amount))
                .sum(),
        );
        self.total = money(
            self.subtotal - self.subtotal_discount
                + self.shipping_cost
                + self.payment_surcharge
                + added,
        );
    }

    /// The taxes not included in prices (added to the total).
    pub fn added_taxes(&self) -> Decimal {
        self.taxes
            .iter()
            .filter(|t| !t.price_includes_tax)
            .map(OrderTaxData::tax_subtotal)
            .sum()
    }
}

/// A new order for [`crate::stand_in::StandIn::place_order`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The customer (`0` a guest).
    pub user_id: u64,
    /// `(product_id, quantity)`; the same product twice is one line; unknown products are
    /// left out.
    pub lines: Vec<(u64, i64)>,
    /// The status letter (default `O`, open).
    pub status: char,
    /// The company; `0` takes it from the products (and, in Multi-Vendor, splits an order
    /// with several vendors into a parent and one child per vendor).
    pub company_id: u64,
    /// Shipping cost (per vendor order when split).
    pub shipping_cost: Decimal,
    /// The order discount (on the first child when split).
    pub subtotal_discount: Decimal,
    /// Payment method: `1` check, `2` credit card (default, also for `0`), `3` PayPal (a
    /// fixed 0.30 surcharge).
    pub payment_id: u64,
    /// Shipping method: `1` ground (default, also for `0`), `2` express, `3` pickup; the
    /// sales tax is charged on shipping by 1 and 2.
    pub shipping_id: u64,
    /// The customer's notes.
    pub notes: String,
    /// The e-mail of a guest (a registered user's is taken from the user).
    pub email: String,
    /// Billing and shipping address and contact; `None` takes the user's profile.
    pub address: Option<Address>,
}

impl Default for NewOrder {
    fn default() -> Self {
        Self {
            user_id: 0,
            lines: Vec::new(),
            status: 'O',
            company_id: 0,
            shipping_cost: Decimal::ZERO,
            subtotal_discount: Decimal::ZERO,
            payment_id: 2,
            shipping_id: 1,
            notes: String::new(),
            email: String::new(),
            address: None,
        }
    }
}

/// Whether orders in `status` hold stock (`D`: decreased) or not (`I`): CS-Cart's
/// `params.inventory` of the status.
pub(crate) fn holds_stock(status: char) -> bool {
    !matches!(status, 'F' | 'D' | 'I' | 'N' | 'T')
}

/// CS-Cart's cart id of a product without options: a stable 10-digit-ish number.
fn cart_id(product_id: u64) -> u64 {
    (mix(product_id ^ 0x5eed_ca27) & 0x7fff_ffff) + 1_000_000_000
}

/// The whole shop.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub categories: BTreeMap<u64, CategoryData>,
    pub products: BTreeMap<u64, ProductData>,
    pub users: BTreeMap<u64, UserData>,
    pub orders: BTreeMap<u64, OrderData>,
    pub companies: BTreeMap<u64, CompanyData>,
    pub multi_vendor: bool,
    /// Bumped by every change (list caches key on it).
    pub version: u64,
    pub generations: u64,
    next_category: u64,
    next_product: u64,
    next_user: u64,
    next_order: u64,
    next_company: u64,
}

impl Store {
    /// A shop with its store company and its root administrator (the API user).
    pub fn new(admin_email: &str, now: i64) -> Self {
        let mut store = Self {
            next_category: 1,
            next_product: 1,
            next_user: 1,
            next_order: 1,
            next_company: 1,
            ..Self::default()
        };
        store.add_company(CompanyData {
            company_id: 0,
            name: "Simtech".to_owned(),
            status: 'A',
            email: "store@example.com".to_owned(),
            phone: "+1 555 0100".to_owned(),
            address: Address {
                address: "44 Main street".to_owned(),
                city: "Boston".to_owned(),
                state: "MA".to_owned(),
                country: "US".to_owned(),
                zipcode: "02134".to_owned(),
                ..Address::default()
            },
            timestamp: now - 1000 * 86_400,
        });
        store.add_user(
            NewUser {
                email: admin_email.to_owned(),
                firstname: "John".to_owned(),
                lastname: "Doe".to_owned(),
                user_type: 'A',
                ..NewUser::default()
            },
            now - 1000 * 86_400,
        );
        if let Some(admin) = store.users.get_mut(&1) {
            admin.is_root = true;
            admin.login = "admin".to_owned();
            admin.last_login = now;
        }
        store.version = 0;
        store
    }

    fn touch(&mut self) {
        self.version += 1;
    }

    pub fn add_company(&mut self, mut c: CompanyData) -> u64 {
        let id = self.next_company;
        self.next_company += 1;
        c.company_id = id;
        self.companies.insert(id, c);
        self.touch();
        id
    }

    pub fn company_name(&self, id: u64) -> Option<&str> {
        self.companies.get(&id).map(|c| c.name.as_str())
    }

    pub fn add_category(
        &mut self,
        name: &str,
        parent: Option<u64>,
        company_id: u64,
        now: i64,
    ) -> u64 {
        let id = self.next_category;
        self.next_category += 1;
        let parent = parent.and_then(|p| self.categories.get(&p));
        let (parent_id, id_path, level) = match parent {
            Some(p) => (
                p.category_id,
                format!("{}/{id}", p.id_path),
                p.level.saturating_add(1),
            ),
            None => (0, id.to_string(), 1),
        };
        let position = i64::try_from(self.categories.len())
            .unwrap_or(0)
            .saturating_mul(10);
        self.categories.insert(
            id,
            CategoryData {
                category_id: id,
                name: name.to_owned(),
                parent_id,
                id_path,
                level,
                company_id,
                status: 'A',
                position,
                description: String::new(),
                timestamp: now,
                product_count: 0,
            },
        );
        self.touch();
        id
    }

    pub fn rename_category(&mut self, id: u64, name: &str) -> bool {
        let Some(c) = self.categories.get_mut(&id) else {
            return false;
        };
        name.clone_into(&mut c.name);
        self.touch();
        true
    }

    /// Deletes a category and its subcategories, and takes them off products (whose
    /// `updated_timestamp` is left alone).
    pub fn delete_category(&mut self, id: u64) -> bool {
        let Some(cat) = self.categories.get(&id) else {
            return false;
        };
        let prefix = format!("{}/", cat.id_path);
        let doomed: BTreeSet<u64> = self
            .categories
            .values()
            .filter(|c| c.category_id == id || c.id_path.starts_with(&prefix))
            .map(|c| c.category_id)
            .collect();
        for c in &doomed {
            self.categories.remove(c);
        }
        for p in self.products.values_mut() {
            p.categories.retain(|c| !doomed.contains(c));
        }
        self.touch();
        true
    }

    fn count_categories(&mut self, categories: &[u64], up: bool) {
        for c in categories {
            if let Some(cat) = self.categories.get_mut(c) {
                cat.product_count = if up {
                    cat.product_count.saturating_add(1)
                } else {
                    cat.product_count.saturating_sub(1)
                };
            }
        }
    }

    pub fn add_product(&mut self, mut p: ProductData) -> u64 {
        let id = self.next_product;
        self.next_product += 1;
        p.product_id = id;
        p.price = money(p.price);
        p.list_price = money(p.list_price);
        dedup(&mut p.categories);
        self.count_categories(&p.categories.clone(), true);
        self.products.insert(id, p);
        self.touch();
        id
    }

    pub fn update_product(&mut self, id: u64, now: i64, f: impl FnOnce(&mut ProductData)) -> bool {
        let Some(p) = self.products.get_mut(&id) else {
            return false;
        };
        let before = p.categories.clone();
        f(p);
        p.product_id = id;
        p.price = money(p.price);
        p.list_price = money(p.list_price);
        dedup(&mut p.categories);
        p.updated_timestamp = now;
        let after = p.categories.clone();
        self.count_categories(&before, false);
        self.count_categories(&after, true);
        self.touch();
        true
    }

    /// `fn_update_product_amount`: stock only, no `updated_timestamp`.
    pub fn set_stock(&mut self, id: u64, amount: i64) -> bool {
        let Some(p) = self.products.get_mut(&id) else {
            return false;
        };
        p.amount = amount;
        self.touch();
        true
    }

    pub fn delete_product(&mut self, id: u64) -> bool {
        let Some(p) = self.products.remove(&id) else {
            return false;
        };
        self.count_categories(&p.categories, false);
        self.touch();
        true
    }

    pub fn add_user(&mut self, u: NewUser, now: i64) -> u64 {
        let id = self.next_user;
        self.next_user += 1;
        self.users.insert(
            id,
            UserData {
                user_id: id,
                login: format!("user_{id}"),
                user_type: u.user_type,
                status: u.status,
                is_root: false,
                firstname: u.firstname,
                lastname: u.lastname,
                email: u.email,
                company: u.company,
                company_id: u.company_id,
                phone: u.phone,
                timestamp: now,
                last_login: 0,
                address: u.address,
            },
        );
        self.touch();
        id
    }

    pub fn update_user(&mut self, id: u64, f: impl FnOnce(&mut UserData)) -> bool {
        let Some(u) = self.users.get_mut(&id) else {
            return false;
        };
        f(u);
        u.user_id = id;
        self.touch();
        true
    }

    pub fn delete_user(&mut self, id: u64) -> bool {
        let found = self.users.remove(&id).is_some();
        if found {
            self.touch();
        }
        found
    }

    fn move_stock(&mut self, lines: &[OrderLine], decrease: bool) {
        for line in lines {
            if let Some(p) = self.products.get_mut(&line.product_id)
                && p.tracked()
            {
                p.amount = if decrease {
                    p.amount - line.amount
                } else {
                    p.amount + line.amount
                };
            }
        }
    }

    /// Places an order as the checkout does; see [`NewOrder`]. `move_stock` is off for
    /// generated history (the generated stock is the current stock).
    #[allow(clippy::needless_pass_by_value)] // owned, as the public `place_order` takes it
    pub fn place_order(
        &mut self,
        o: NewOrder,
        timestamp: i64,
        updated_at: i64,
        move_stock: bool,
    ) -> u64 {
        // Lines: known products only, one line per product.
        let mut merged: Vec<(u64, i64)> = Vec::new();
        for (pid, qty) in &o.lines {
            if !self.products.contains_key(pid) || *qty <= 0 {
                continue;
            }
            match merged.iter_mut().find(|(p, _)| p == pid) {
                Some(entry) => entry.1 += qty,
                None => merged.push((*pid, *qty)),
            }
        }
        let company_of =
            |store: &Self, pid: u64| store.products.get(&pid).map_or(0, |p| p.company_id);
        let mut groups: Vec<(u64, Vec<(u64, i64)>)> = Vec::new();
        if o.company_id != 0 || !self.multi_vendor {
            let company = if o.company_id != 0 {
                o.company_id
            } else {
                merged
                    .first()
                    .map_or(STORE_COMPANY_ID, |(p, _)| company_of(self, *p))
            };
            groups.push((company, merged));
        } else {
            for (pid, qty) in merged {
                let company = company_of(self, pid);
                match groups.iter_mut().find(|(c, _)| *c == company) {
                    Some((_, lines)) => lines.push((pid, qty)),
                    None => groups.push((company, vec![(pid, qty)])),
                }
            }
            if groups.is_empty() {
                groups.push((0, Vec::new()));
            }
        }
        let contact = self.contact(&o);
        let parent_id = if groups.len() > 1 {
            let id = self.next_order;
            self.next_order += 1;
            Some(id)
        } else {
            None
        };
        let mut children = Vec::with_capacity(groups.len());
        for (index, (company, lines)) in groups.into_iter().enumerate() {
            let id = self.next_order;
            self.next_order += 1;
            let mut order = self.build_order(id, &o, &contact, company, &lines, index == 0);
            order.parent_order_id = parent_id.unwrap_or(0);
            order.timestamp = timestamp;
            order.updated_at = updated_at;
            if move_stock && holds_stock(order.status) {
                self.move_stock(&order.lines, true);
            }
            children.push(order);
        }
        let result = match parent_id {
            Some(pid) => {
                let parent = parent_of(pid, &children, timestamp, updated_at);
                self.orders.insert(pid, parent);
                pid
            }
            None => children.first().map_or(0, |c| c.order_id),
        };
        for c in children {
            self.orders.insert(c.order_id, c);
        }
        self.touch();
        result
    }

    /// Name, e-mail, phone and addresses of an order: the given address, else the user's.
    fn contact(&self, o: &NewOrder) -> (Address, String, String) {
        let user = self.users.get(&o.user_id);
        let address = match (&o.address, user) {
            (Some(a), _) => a.clone(),
            (None, Some(u)) => {
                let mut a = u.address.clone();
                if a.firstname.is_empty() {
                    a.firstname.clone_from(&u.firstname);
                    a.lastname.clone_from(&u.lastname);
                }
                if a.phone.is_empty() {
                    a.phone.clone_from(&u.phone);
                }
                a
            }
            (None, None) => Address {
                firstname: "Guest".to_owned(),
                ..Address::default()
            },
        };
        let email = match user {
            Some(u) if o.email.is_empty() => u.email.clone(),
            _ if o.email.is_empty() => "guest@example.com".to_owned(),
            _ => o.email.clone(),
        };
        let company = user.map(|u| u.company.clone()).unwrap_or_default();
        (address, email, company)
    }

    fn build_order(
        &self,
        id: u64,
        o: &NewOrder,
        contact: &(Address, String, String),
        company_id: u64,
        lines: &[(u64, i64)],
        first: bool,
    ) -> OrderData {
        let (address, email, company) = contact;
        let mut order_lines: Vec<OrderLine> = Vec::with_capacity(lines.len());
        let mut taxes: Vec<OrderTaxData> = Vec::new();
        for (pid, qty) in lines {
            let Some(p) = self.products.get(pid) else {
                continue;
            };
            let mut item_id = cart_id(*pid);
            while order_lines.iter().any(|l| l.item_id == item_id) {
                item_id += 1;
            }
            order_lines.push(OrderLine {
                item_id,
                product_id: *pid,
                product_code: p.sku.clone(),
                name: p.name.clone(),
                price: p.price,
                amount: *qty,
                discount: Decimal::ZERO,
                company_id: p.company_id,
                shipped_amount: 0,
                subtotal: Decimal::ZERO,
                tax_value: Decimal::ZERO,
            });
            for tax_id in &p.tax_ids {
                let Some(rate) = tax_rate(*tax_id) else {
                    continue;
                };
                let entry = match taxes.iter_mut().position(|t| t.tax_id == *tax_id) {
                    Some(i) => &mut taxes[i],
                    None => {
                        taxes.push(OrderTaxData {
                            tax_id: *tax_id,
                            description: rate.description.to_owned(),
                            rate_type: 'P',
                            rate_value: rate.rate_value,
                            price_includes_tax: rate.price_includes_tax,
                            regnumber: rate.regnumber.to_owned(),
                            priority: rate.priority,
                            on_items: Vec::new(),
                            on_shipping: false,
                            shipping_tax: Decimal::ZERO,
                        });
                        let last = taxes.len() - 1;
                        &mut taxes[last]
                    }
                };
                entry.on_items.push((item_id, Decimal::ZERO));
            }
        }
        let shipping = shipping_method(o.shipping_id);
        let shipping_cost = money(o.shipping_cost);
        if !shipping_cost.is_zero() {
            for t in &mut taxes {
                if shipping.tax_ids.contains(&t.tax_id) && !t.price_includes_tax {
                    t.on_shipping = true;
                }
            }
        }
        taxes.sort_by_key(|t| (t.priority, t.tax_id));
        let payment = payment_method(o.payment_id).unwrap_or(&PAYMENT_METHODS[1]);
        let mut order = OrderData {
            order_id: id,
            parent_order_id: 0,
            is_parent_order: false,
            company_id,
            user_id: if self.users.contains_key(&o.user_id) {
                o.user_id
            } else {
                0
            },
            status: o.status,
            timestamp: 0,
            updated_at: 0,
            firstname: address.firstname.clone(),
            lastname: address.lastname.clone(),
            company: company.clone(),
            email: email.clone(),
            phone: address.phone.clone(),
            notes: o.notes.clone(),
            billing: address.clone(),
            shipping_address: address.clone(),
            payment_id: payment.payment_id,
            shipping_id: shipping.shipping_id,
            lines: order_lines,
            taxes,
            subtotal: Decimal::ZERO,
            discount: Decimal::ZERO,
            subtotal_discount: if first {
                o.subtotal_discount
            } else {
                Decimal::ZERO
            },
            shipping_cost,
            payment_surcharge: if first {
                Decimal::new(payment.surcharge_cents, 2)
            } else {
                Decimal::ZERO
            },
            total: Decimal::ZERO,
        };
        order.recompute_totals();
        if order.subtotal_discount > order.subtotal {
            order.subtotal_discount = order.subtotal;
            order.recompute_totals();
        }
        order
    }

    /// A status change: stock moves when the status's inventory class changes, `updated_at`
    /// is bumped; the same status again changes nothing. A parent passes it to its children.
    pub fn change_order_status(&mut self, id: u64, status: char, now: i64) -> bool {
        let Some(order) = self.orders.get(&id) else {
            return false;
        };
        if order.is_parent_order {
            let children: Vec<u64> = self
                .orders
                .values()
                .filter(|c| c.parent_order_id == id)
                .map(|c| c.order_id)
                .collect();
            for c in children {
                self.change_order_status(c, status, now);
            }
            if let Some(parent) = self.orders.get_mut(&id) {
                parent.updated_at = now;
            }
            self.touch();
            return true;
        }
        let old = order.status;
        if old == status {
            return true;
        }
        let lines = order.lines.clone();
        match (holds_stock(old), holds_stock(status)) {
            (false, true) => self.move_stock(&lines, true),
            (true, false) => self.move_stock(&lines, false),
            _ => {}
        }
        if let Some(order) = self.orders.get_mut(&id) {
            order.status = status;
            order.updated_at = now;
        }
        self.touch();
        true
    }

    pub fn update_order(&mut self, id: u64, now: i64, f: impl FnOnce(&mut OrderData)) -> bool {
        let Some(order) = self.orders.get_mut(&id) else {
            return false;
        };
        f(order);
        order.order_id = id;
        order.updated_at = now;
        self.touch();
        true
    }

    /// Deletes an order (a parent with its children), putting back the stock it held.
    pub fn delete_order(&mut self, id: u64) -> bool {
        let Some(order) = self.orders.remove(&id) else {
            return false;
        };
        if order.is_parent_order {
            let children: Vec<u64> = self
                .orders
                .values()
                .filter(|c| c.parent_order_id == id)
                .map(|c| c.order_id)
                .collect();
            for c in children {
                self.delete_order(c);
            }
        } else if holds_stock(order.status) {
            self.move_stock(&order.lines, false);
        }
        self.touch();
        true
    }
}

fn dedup(ids: &mut Vec<u64>) {
    let mut seen = BTreeSet::new();
    ids.retain(|c| seen.insert(*c));
}

/// The Multi-Vendor parent of `children`: their lines, taxes and money added up, status `T`.
fn parent_of(id: u64, children: &[OrderData], timestamp: i64, updated_at: i64) -> OrderData {
    let first = &children[0];
    let mut parent = first.clone();
    parent.order_id = id;
    parent.parent_order_id = 0;
    parent.is_parent_order = true;
    parent.company_id = 0;
    parent.status = 'T';
    parent.timestamp = timestamp;
    parent.updated_at = updated_at;
    parent.lines = children.iter().flat_map(|c| c.lines.clone()).collect();
    parent.taxes = Vec::new();
    for c in children {
        for t in &c.taxes {
            match parent.taxes.iter_mut().find(|p| p.tax_id == t.tax_id) {
                Some(p) => {
                    p.on_items.extend(t.on_items.iter().copied());
                    p.shipping_tax += t.shipping_tax;
                    p.on_shipping |= t.on_shipping;
                }
                None => parent.taxes.push(t.clone()),
            }
        }
    }
    let sum = |f: fn(&OrderData) -> Decimal| children.iter().map(f).sum::<Decimal>();
    parent.subtotal = sum(|c| c.subtotal);
    parent.discount = sum(|c| c.discount);
    parent.subtotal_discount = sum(|c| c.subtotal_discount);
    parent.shipping_cost = sum(|c| c.shipping_cost);
    parent.payment_surcharge = sum(|c| c.payment_surcharge);
    parent.total = sum(|c| c.total);
    parent
}
