//! How the stand-in writes its entities: CS-Cart's shapes and quirks (ids, prices and times
//! as strings, some order money as JSON numbers, `[]` for empty maps, maps keyed by id).

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;
use serde_json::value::RawValue;

use super::data::{
    CategoryData, CompanyData, OrderData, OrderLine, OrderTaxData, ProductData, Store, UserData,
    payment_method, shipping_method,
};

/// A value written as a JSON string through its `Display` (`"12"`, `"19.99"`).
pub(crate) struct S<T>(pub T);

impl<T: fmt::Display> Serialize for S<T> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.collect_str(&self.0)
    }
}

/// Money written as a JSON number the way PHP prints a float (`43.98`, `12.5`, `5.0`, `0`).
pub(crate) struct Num(pub Decimal);

pub(crate) fn php_float(d: Decimal) -> String {
    if d.is_zero() {
        return "0".to_owned();
    }
    let text = d.normalize().to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

impl Serialize for Num {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let raw = RawValue::from_string(php_float(self.0)).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// An empty PHP array: `[]`.
struct Empty;

impl Serialize for Empty {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.serialize_seq(Some(0))?.end()
    }
}

fn yn(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

/// CS-Cart's SEO name: lower-case ASCII words joined by `-`.
fn seo_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

const PRODUCT_CONSTANTS: [(&str, &str); 30] = [
    ("product_type", "P"),
    ("length", "0"),
    ("width", "0"),
    ("height", "0"),
    ("shipping_freight", "0.00"),
    ("low_avail_limit", "0"),
    ("usergroup_ids", "0"),
    ("is_edp", "N"),
    ("edp_shipping", "N"),
    ("unlimited_download", "N"),
    ("free_shipping", "N"),
    ("zero_price_action", "R"),
    ("is_pbp", "N"),
    ("is_op", "N"),
    ("is_oper", "N"),
    ("is_returnable", "Y"),
    ("return_period", "10"),
    ("avail_since", "0"),
    ("out_of_stock_actions", "N"),
    ("localization", ""),
    ("min_qty", "0"),
    ("max_qty", "0"),
    ("qty_step", "0"),
    ("list_qty_count", "0"),
    ("age_verification", "N"),
    ("age_limit", "0"),
    ("options_type", "P"),
    ("exceptions_type", "F"),
    ("details_layout", "default"),
    ("parent_product_id", "0"),
];

const SHIPPING_PARAMS: &str = "a:5:{s:16:\"min_items_in_box\";i:0;s:16:\"max_items_in_box\";i:0;s:10:\"box_length\";i:0;s:9:\"box_width\";i:0;s:10:\"box_height\";i:0;}";

/// A product row (list and `GET /products/<id>`).
pub(crate) struct ProductRow<'a> {
    pub p: &'a ProductData,
    pub store: &'a Store,
}

fn ids_csv(ids: &[u64]) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out
}

impl Serialize for ProductRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let p = self.p;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("product_id", &S(p.product_id))?;
        m.serialize_entry("product", &p.name)?;
        m.serialize_entry("product_code", &p.sku)?;
        m.serialize_entry("status", &S(p.status))?;
        m.serialize_entry("company_id", &S(p.company_id))?;
        m.serialize_entry("list_price", &S(p.list_price))?;
        m.serialize_entry("amount", &S(p.amount))?;
        m.serialize_entry("weight", &S(p.weight))?;
        m.serialize_entry("timestamp", &S(p.timestamp))?;
        m.serialize_entry("updated_timestamp", &S(p.updated_timestamp))?;
        m.serialize_entry("tracking", &p.tracking.map(S))?;
        m.serialize_entry("tax_ids", &ids_csv(&p.tax_ids))?;
        for (k, v) in PRODUCT_CONSTANTS {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("shipping_params", SHIPPING_PARAMS)?;
        m.serialize_entry("price", &S(p.price))?;
        m.serialize_entry("category_ids", &p.categories)?;
        m.serialize_entry("popularity", &S(p.popularity))?;
        m.serialize_entry("company_name", &self.store.company_name(p.company_id))?;
        m.serialize_entry("main_category", &p.categories.first().copied().unwrap_or(0))?;
        m.serialize_entry("short_description", &p.short_description)?;
        m.serialize_entry("full_description", &p.full_description)?;
        m.serialize_entry("seo_name", &seo_name(&p.name))?;
        let seo_path = p
            .categories
            .first()
            .and_then(|c| self.store.categories.get(c))
            .map(|c| c.id_path.as_str())
            .unwrap_or("");
        m.serialize_entry("seo_path", seo_path)?;
        m.end()
    }
}

/// A category row.
pub(crate) struct CategoryRow<'a>(pub &'a CategoryData);

const CATEGORY_CONSTANTS: [(&str, &str); 15] = [
    ("usergroup_ids", "0"),
    ("is_op", "N"),
    ("localization", ""),
    ("age_verification", "N"),
    ("age_limit", "0"),
    ("parent_age_verification", "N"),
    ("parent_age_limit", "0"),
    ("selected_views", ""),
    ("default_view", ""),
    ("product_details_view", ""),
    ("product_columns", "0"),
    ("is_trash", "N"),
    ("meta_keywords", ""),
    ("meta_description", ""),
    ("page_title", ""),
];

impl Serialize for CategoryRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("category_id", &S(c.category_id))?;
        m.serialize_entry("parent_id", &S(c.parent_id))?;
        m.serialize_entry("id_path", &c.id_path)?;
        m.serialize_entry("level", &S(c.level))?;
        m.serialize_entry("company_id", &S(c.company_id))?;
        m.serialize_entry("status", &S(c.status))?;
        m.serialize_entry("product_count", &S(c.product_count))?;
        m.serialize_entry("position", &S(c.position))?;
        m.serialize_entry("timestamp", &S(c.timestamp))?;
        for (k, v) in CATEGORY_CONSTANTS {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("category", &c.name)?;
        m.serialize_entry("description", &c.description)?;
        m.serialize_entry("age_warning_message", "")?;
        m.serialize_entry("seo_name", &seo_name(&c.name))?;
        m.serialize_entry("seo_path", &c.id_path)?;
        m.end()
    }
}

/// A user (list row and `GET /users/<id>`): no addresses.
pub(crate) struct UserRow<'a> {
    pub u: &'a UserData,
    pub store: &'a Store,
}

impl Serialize for UserRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let u = self.u;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("user_id", &S(u.user_id))?;
        m.serialize_entry("user_login", &u.login)?;
        m.serialize_entry("is_root", yn(u.is_root))?;
        m.serialize_entry("timestamp", &S(u.timestamp))?;
        m.serialize_entry("user_type", &S(u.user_type))?;
        m.serialize_entry("status", &S(u.status))?;
        m.serialize_entry("firstname", &u.firstname)?;
        m.serialize_entry("lastname", &u.lastname)?;
        m.serialize_entry("email", &u.email)?;
        m.serialize_entry("company", &u.company)?;
        m.serialize_entry("company_id", &S(u.company_id))?;
        m.serialize_entry("phone", &u.phone)?;
        m.serialize_entry("last_login", &S(u.last_login))?;
        m.serialize_entry("company_name", &self.store.company_name(u.company_id))?;
        m.end()
    }
}

/// A row of `GET /orders`: no `updated_at`, no lines, `total` as a string.
pub(crate) struct OrderRow<'a>(pub &'a OrderData);

impl Serialize for OrderRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("order_id", &S(o.order_id))?;
        m.serialize_entry("issuer_id", &Option::<&str>::None)?;
        m.serialize_entry("user_id", &S(o.user_id))?;
        m.serialize_entry("is_parent_order", yn(o.is_parent_order))?;
        m.serialize_entry("parent_order_id", &S(o.parent_order_id))?;
        m.serialize_entry("company_id", &S(o.company_id))?;
        m.serialize_entry("company", &o.company)?;
        m.serialize_entry("timestamp", &S(o.timestamp))?;
        m.serialize_entry("firstname", &o.firstname)?;
        m.serialize_entry("lastname", &o.lastname)?;
        m.serialize_entry("email", &o.email)?;
        m.serialize_entry("phone", &o.phone)?;
        m.serialize_entry("status", &S(o.status))?;
        m.serialize_entry("total", &S(o.total))?;
        m.serialize_entry("invoice_id", "")?;
        m.serialize_entry("credit_memo_id", "")?;
        m.serialize_entry("issuer_name", &Option::<&str>::None)?;
        m.end()
    }
}

/// A full order, `GET /orders/<id>` (and the rows of `get_orders_data=Y`).
pub(crate) struct FullOrder<'a> {
    pub o: &'a OrderData,
    pub store: &'a Store,
}

struct Lines<'a> {
    o: &'a OrderData,
    store: &'a Store,
}

impl Serialize for Lines<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        if self.o.lines.is_empty() {
            return Empty.serialize(s);
        }
        let mut m = s.serialize_map(Some(self.o.lines.len()))?;
        for line in &self.o.lines {
            m.serialize_entry(
                &S(line.item_id),
                &LineRow {
                    line,
                    order_id: self.o.order_id,
                    deleted: !self.store.products.contains_key(&line.product_id),
                },
            )?;
        }
        m.end()
    }
}

struct LineRow<'a> {
    line: &'a OrderLine,
    order_id: u64,
    deleted: bool,
}

struct Extra<'a>(&'a OrderLine);

impl Serialize for Extra<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let l = self.0;
        // Lines placed by old versions or the admin sometimes carry no extra data at all.
        if l.item_id.is_multiple_of(7) {
            return Empty.serialize(s);
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("product_options", &Empty)?;
        m.serialize_entry("unlimited_download", "N")?;
        m.serialize_entry("product", &l.name)?;
        m.serialize_entry("company_id", &S(l.company_id))?;
        m.serialize_entry("is_edp", "N")?;
        m.serialize_entry("edp_shipping", "N")?;
        m.serialize_entry("base_price", &Num(l.price + l.discount))?;
        m.serialize_entry("stored_price", "N")?;
        m.end()
    }
}

impl Serialize for LineRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let l = self.line;
        let base = l.price + l.discount;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("item_id", &S(l.item_id))?;
        m.serialize_entry("order_id", &S(self.order_id))?;
        m.serialize_entry("product_id", &S(l.product_id))?;
        m.serialize_entry("product_code", &l.product_code)?;
        m.serialize_entry("price", &S(l.price))?;
        m.serialize_entry("amount", &S(l.amount))?;
        m.serialize_entry("extra", &Extra(l))?;
        m.serialize_entry("product", &l.name)?;
        m.serialize_entry("discount", &Num(l.discount))?;
        m.serialize_entry("company_id", &S(l.company_id))?;
        m.serialize_entry("base_price", &Num(base))?;
        m.serialize_entry("original_price", &Num(base))?;
        m.serialize_entry("cart_id", &S(l.item_id))?;
        m.serialize_entry("tax_value", &Num(l.tax_value))?;
        m.serialize_entry("subtotal", &Num(l.subtotal))?;
        m.serialize_entry("display_subtotal", &Num(l.subtotal))?;
        m.serialize_entry("shipped_amount", &l.shipped_amount)?;
        m.serialize_entry("shipment_amount", &S(l.amount - l.shipped_amount))?;
        m.serialize_entry("is_accessible", &true)?;
        m.serialize_entry("deleted_product", &self.deleted)?;
        m.end()
    }
}

struct Taxes<'a> {
    o: &'a OrderData,
}

impl Serialize for Taxes<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        if self.o.taxes.is_empty() {
            return Empty.serialize(s);
        }
        let mut m = s.serialize_map(Some(self.o.taxes.len()))?;
        for t in &self.o.taxes {
            m.serialize_entry(
                &S(t.tax_id),
                &TaxRow {
                    t,
                    shipping_id: self.o.shipping_id,
                },
            )?;
        }
        m.end()
    }
}

struct TaxRow<'a> {
    t: &'a OrderTaxData,
    shipping_id: u64,
}

struct TaxItems<'a>(&'a TaxRow<'a>);

impl Serialize for TaxItems<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        struct OnProducts<'a>(&'a OrderTaxData);
        impl Serialize for OnProducts<'_> {
            fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
                if self.0.on_items.is_empty() {
                    return Empty.serialize(s);
                }
                let mut m = s.serialize_map(Some(self.0.on_items.len()))?;
                for (item, _) in &self.0.on_items {
                    m.serialize_entry(&S(item), &true)?;
                }
                m.end()
            }
        }
        struct OnShipping(bool, u64);
        impl Serialize for OnShipping {
            fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
                if !self.0 {
                    return Empty.serialize(s);
                }
                let mut inner = serde_json::Map::new();
                inner.insert(self.1.to_string(), Value::Bool(true));
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("0", &inner)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("S", &OnShipping(self.0.t.on_shipping, self.0.shipping_id))?;
        m.serialize_entry("P", &OnProducts(self.0.t))?;
        m.end()
    }
}

impl Serialize for TaxRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        struct Applies<'a>(&'a TaxRow<'a>);
        impl Serialize for Applies<'_> {
            fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("P", &Num(self.0.t.product_tax()))?;
                m.serialize_entry("S", &Num(self.0.t.shipping_tax))?;
                m.serialize_entry("items", &TaxItems(self.0))?;
                m.end()
            }
        }
        let t = self.t;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("rate_type", &S(t.rate_type))?;
        m.serialize_entry("rate_value", &S(t.rate_value))?;
        m.serialize_entry("price_includes_tax", yn(t.price_includes_tax))?;
        m.serialize_entry("regnumber", &t.regnumber)?;
        m.serialize_entry("priority", &t.priority)?;
        m.serialize_entry("tax_subtotal", &Num(t.tax_subtotal()))?;
        m.serialize_entry("description", &t.description)?;
        m.serialize_entry("applies", &Applies(self))?;
        m.end()
    }
}

struct Payment(u64);

impl Serialize for Payment {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let Some(p) = payment_method(self.0) else {
            return Empty.serialize(s);
        };
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("payment_id", &S(p.payment_id))?;
        m.serialize_entry("company_id", "0")?;
        m.serialize_entry("usergroup_ids", "0")?;
        m.serialize_entry("position", &S(p.payment_id * 10))?;
        m.serialize_entry("status", "A")?;
        m.serialize_entry("template", p.template)?;
        m.serialize_entry(
            "processor_id",
            if p.processor.is_some() { "34" } else { "0" },
        )?;
        m.serialize_entry("a_surcharge", &S(Decimal::new(p.surcharge_cents * 10, 3)))?;
        m.serialize_entry("p_surcharge", "0.000")?;
        m.serialize_entry("tax_ids", &Empty)?;
        m.serialize_entry("localization", "")?;
        m.serialize_entry("payment_category", "tab1")?;
        m.serialize_entry("payment", p.name)?;
        m.serialize_entry("description", p.description)?;
        m.serialize_entry("instructions", "")?;
        m.serialize_entry("surcharge_title", "")?;
        m.serialize_entry("lang_code", "en")?;
        m.serialize_entry("processor", &p.processor)?;
        m.serialize_entry("processor_type", &p.processor.map(|_| "P"))?;
        m.serialize_entry("image", &Empty)?;
        m.end()
    }
}

struct Shipping<'a>(&'a OrderData);

impl Serialize for Shipping<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let method = shipping_method(self.0.shipping_id);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("shipping_id", &S(method.shipping_id))?;
        m.serialize_entry("shipping", method.name)?;
        m.serialize_entry("delivery_time", method.delivery_time)?;
        m.serialize_entry("rate", &Num(self.0.shipping_cost))?;
        m.serialize_entry("group_key", &0)?;
        m.serialize_entry("need_shipment", &true)?;
        m.end()
    }
}

struct ProductGroups<'a> {
    o: &'a OrderData,
    store: &'a Store,
}

impl Serialize for ProductGroups<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        struct Group<'a>(&'a ProductGroups<'a>);
        impl Serialize for Group<'_> {
            fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
                let o = self.0.o;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("name", &self.0.store.company_name(o.company_id))?;
                m.serialize_entry("company_id", &o.company_id)?;
                m.serialize_entry("chosen_shippings", &[Shipping(o)])?;
                m.serialize_entry("shipping_no_required", &false)?;
                m.end()
            }
        }
        let mut seq = s.serialize_seq(Some(1))?;
        seq.serialize_element(&Group(self))?;
        seq.end()
    }
}

const ORDER_CONSTANTS: [(&str, &str); 13] = [
    ("details", ""),
    ("promotion_ids", ""),
    ("b_county", ""),
    ("s_county", ""),
    ("s_address_type", ""),
    ("fax", ""),
    ("url", ""),
    ("tax_exempt", "N"),
    ("lang_code", "en"),
    ("ip_address", "127.0.0.1"),
    ("repaid", "0"),
    ("validation_code", ""),
    ("localization_id", "0"),
];

impl Serialize for FullOrder<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let o = self.o;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("order_id", &S(o.order_id))?;
        m.serialize_entry("is_parent_order", yn(o.is_parent_order))?;
        m.serialize_entry("parent_order_id", &S(o.parent_order_id))?;
        m.serialize_entry("company_id", &S(o.company_id))?;
        m.serialize_entry("issuer_id", &Option::<&str>::None)?;
        m.serialize_entry("user_id", &S(o.user_id))?;
        m.serialize_entry("total", &Num(o.total))?;
        m.serialize_entry("subtotal", &Num(o.subtotal))?;
        m.serialize_entry("discount", &S(o.discount))?;
        m.serialize_entry("subtotal_discount", &S(o.subtotal_discount))?;
        m.serialize_entry("payment_surcharge", &S(o.payment_surcharge))?;
        m.serialize_entry("shipping_ids", &S(o.shipping_id))?;
        m.serialize_entry("shipping_cost", &S(o.shipping_cost))?;
        m.serialize_entry("timestamp", &S(o.timestamp))?;
        m.serialize_entry("status", &S(o.status))?;
        m.serialize_entry("notes", &o.notes)?;
        m.serialize_entry("promotions", &Empty)?;
        m.serialize_entry("firstname", &o.firstname)?;
        m.serialize_entry("lastname", &o.lastname)?;
        m.serialize_entry("company", &o.company)?;
        for (prefix, a) in [("b_", &o.billing), ("s_", &o.shipping_address)] {
            for (field, value) in [
                ("firstname", &a.firstname),
                ("lastname", &a.lastname),
                ("address", &a.address),
                ("address_2", &a.address_2),
                ("city", &a.city),
                ("state", &a.state),
                ("country", &a.country),
                ("zipcode", &a.zipcode),
                ("phone", &a.phone),
            ] {
                m.serialize_entry(&format!("{prefix}{field}"), value)?;
            }
        }
        m.serialize_entry("phone", &o.phone)?;
        m.serialize_entry("email", &o.email)?;
        m.serialize_entry("payment_id", &S(o.payment_id))?;
        for (k, v) in ORDER_CONSTANTS {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("profile_id", if o.user_id == 0 { "0" } else { "1" })?;
        m.serialize_entry("storefront_id", "1")?;
        m.serialize_entry("updated_at", &S(o.updated_at))?;
        m.serialize_entry("secondary_currency", "USD")?;
        m.serialize_entry("display_subtotal", &Num(o.subtotal))?;
        m.serialize_entry("display_shipping_cost", &Num(o.shipping_cost))?;
        let taxes: Decimal = o.taxes.iter().map(OrderTaxData::tax_subtotal).sum();
        m.serialize_entry("tax_subtotal", &Num(taxes))?;
        m.serialize_entry("need_shipping", &true)?;
        m.serialize_entry(
            "products",
            &Lines {
                o,
                store: self.store,
            },
        )?;
        m.serialize_entry("taxes", &Taxes { o })?;
        m.serialize_entry("payment_method", &Payment(o.payment_id))?;
        m.serialize_entry("shipping", &[Shipping(o)])?;
        m.serialize_entry(
            "product_groups",
            &ProductGroups {
                o,
                store: self.store,
            },
        )?;
        m.serialize_entry("payment_info", &Empty)?;
        m.serialize_entry("doc_ids", &Empty)?;
        m.serialize_entry("fields", &Empty)?;
        m.end()
    }
}

/// A company row (`/vendors`, `/stores`).
pub(crate) struct CompanyRow<'a>(pub &'a CompanyData);

impl Serialize for CompanyRow<'_> {
    fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("company_id", &S(c.company_id))?;
        m.serialize_entry("lang_code", "en")?;
        m.serialize_entry("status", &S(c.status))?;
        m.serialize_entry("company", &c.name)?;
        m.serialize_entry("address", &c.address.address)?;
        m.serialize_entry("city", &c.address.city)?;
        m.serialize_entry("state", &c.address.state)?;
        m.serialize_entry("country", &c.address.country)?;
        m.serialize_entry("zipcode", &c.address.zipcode)?;
        m.serialize_entry("email", &c.email)?;
        m.serialize_entry("phone", &c.phone)?;
        m.serialize_entry("url", "")?;
        m.serialize_entry("storefront", "")?;
        m.serialize_entry("timestamp", &S(c.timestamp))?;
        m.serialize_entry("request_user_id", "0")?;
        m.end()
    }
}

/// The core order statuses: `(status_id, letter, description, params)`.
pub(crate) fn statuses() -> Vec<Value> {
    let rows: [(u64, &str, &str, &str, &str, &str); 7] = [
        (1, "P", "Processed", "#97cf4d", "D", "Y"),
        (2, "C", "Complete", "#5bb75b", "D", "Y"),
        (3, "O", "Open", "#ff9522", "D", "N"),
        (4, "F", "Failed", "#ff5215", "I", "N"),
        (5, "D", "Declined", "#bd362f", "I", "N"),
        (6, "B", "Backordered", "#28abf6", "D", "N"),
        (7, "I", "Canceled", "#c2c2c2", "I", "N"),
    ];
    rows.iter()
        .map(|(id, letter, description, color, inventory, paid)| {
            serde_json::json!({
                "status_id": id.to_string(),
                "status": letter,
                "type": "O",
                "is_default": "Y",
                "position": "0",
                "description": description,
                "email_subj": "",
                "email_header": "",
                "lang_code": "en",
                "params": {
                    "color": color,
                    "notify": "Y",
                    "notify_department": "Y",
                    "inventory": inventory,
                    "payment_received": paid,
                    "remove_cc_info": "Y",
                    "repay": "N",
                    "appearance_type": "D",
                    "allow_return": if *letter == "C" { "Y" } else { "N" }
                }
            })
        })
        .collect()
}

/// Writes `row`, through a `Value` with `patches` applied when there are any.
pub(crate) fn write_row<T: Serialize>(
    out: &mut Vec<u8>,
    row: &T,
    patches: &[(&str, &Value)],
) -> Result<(), serde_json::Error> {
    if patches.is_empty() {
        return serde_json::to_writer(out, row);
    }
    let mut value = serde_json::to_value(row)?;
    for (field, replacement) in patches {
        patch(&mut value, field, (*replacement).clone());
    }
    serde_json::to_writer(out, &value)
}

/// Sets `field` (a `.`-separated path into objects) to `replacement`; a path that does not
/// lead to an object sets the whole text as a top-level key.
fn patch(value: &mut Value, field: &str, replacement: Value) {
    let (parent, last) = match field.rsplit_once('.') {
        Some((parent, last)) => (parent, last),
        None => ("", field),
    };
    let pointer: String = if parent.is_empty() {
        String::new()
    } else {
        parent
            .split('.')
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    };
    if let Some(Value::Object(obj)) = value.pointer_mut(&pointer) {
        obj.insert(last.to_owned(), replacement);
    } else if let Value::Object(obj) = value {
        obj.insert(field.to_owned(), replacement);
    }
}

/// Serializes anything to JSON bytes, with a CS-Cart-like error body if that fails.
pub(crate) fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| {
        serde_json::to_vec(&serde_json::json!({"message": e.to_string(), "status": 500}))
            .unwrap_or_default()
    })
}
