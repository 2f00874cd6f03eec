//! Conversion of CS-Cart entities into the `mapping` store model.
//!
//! Pure functions: the caller fetches what they need (a customer's latest order for its
//! addresses, the paid statuses from [`crate::model::paid_statuses`] or the tenant's
//! configuration, the store's default for stock tracking and its currency).

use mapping::ids::{EntityKind, EntityRef};
use mapping::model as m;
use rust_decimal::Decimal;

use crate::error::CscartError;
use crate::ids::TaxId;
use crate::model::{Category, Order, OrderAddress, Product, Tracking, User};

fn convert_error(
    kind: EntityKind,
    id: &str,
    field: impl Into<String>,
    reason: &str,
) -> CscartError {
    CscartError::Convert {
        entity: EntityRef::new(kind, id),
        field: field.into(),
        reason: reason.to_owned(),
    }
}

fn non_blank(value: Option<&String>) -> Option<String> {
    value
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Removes HTML tags and collapses whitespace (descriptions are HTML in CS-Cart).
fn plain_text(html: Option<&String>) -> Option<String> {
    let html = html?;
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn address(a: &OrderAddress) -> Option<m::Address> {
    let addr = m::Address {
        line1: non_blank(a.address.as_ref()),
        line2: non_blank(a.address_2.as_ref()),
        city: non_blank(a.city.as_ref()),
        region: non_blank(a.state.as_ref()),
        postal_code: non_blank(a.zipcode.as_ref()),
        country: non_blank(a.country.as_ref()),
    };
    (addr != m::Address::default()).then_some(addr)
}

/// A user as a store customer; the addresses come from `latest_order` (the users API has
/// none). A user without an e-mail is an error.
pub fn customer(user: &User, latest_order: Option<&Order>) -> Result<m::Customer, CscartError> {
    let id = user.user_id.as_str();
    let email = non_blank(user.email.as_ref())
        .ok_or_else(|| convert_error(EntityKind::Customer, id, "email", "missing"))?;
    Ok(m::Customer {
        id: user.user_id.clone(),
        first_name: non_blank(user.firstname.as_ref()),
        last_name: non_blank(user.lastname.as_ref()),
        company: non_blank(user.company.as_ref()),
        email: Some(email),
        phone: non_blank(user.phone.as_ref()),
        billing_address: latest_order.and_then(|o| address(&o.billing())),
        shipping_address: latest_order.and_then(|o| address(&o.shipping())),
        active: user.status.as_deref() != Some("D"),
    })
}

/// A category with its parent (active unless disabled, `D`); a category without a name is
/// an error.
pub fn category(cat: &Category) -> Result<m::Category, CscartError> {
    let id = cat.category_id.as_str();
    let name = non_blank(cat.name.as_ref())
        .ok_or_else(|| convert_error(EntityKind::Category, id, "category", "missing name"))?;
    Ok(m::Category {
        id: cat.category_id.clone(),
        name,
        parent: cat.parent_id.clone(),
        active: cat.status.as_deref() != Some("D"),
    })
}

/// A product; `track_by_default` is the store's setting used when the product's `tracking`
/// is unset. Active unless disabled (`D`; hidden `H` is still sold). A product without a
/// name or a price is an error.
pub fn product(p: &Product, track_by_default: bool) -> Result<m::Product, CscartError> {
    let id = p.product_id.as_str();
    let name = non_blank(p.name.as_ref())
        .ok_or_else(|| convert_error(EntityKind::Product, id, "product", "missing name"))?;
    let price = p
        .price
        .ok_or_else(|| convert_error(EntityKind::Product, id, "price", "missing"))?;
    let mut categories = Vec::new();
    for c in p.main_category.iter().chain(p.category_ids.iter()) {
        if !categories.contains(c) {
            categories.push(c.clone());
        }
    }
    Ok(m::Product {
        id: p.product_id.clone(),
        sku: non_blank(p.product_code.as_ref()),
        name,
        short_description: plain_text(p.short_description.as_ref()),
        description: plain_text(p.full_description.as_ref()),
        price,
        cost: None,
        stock: p.amount,
        track_stock: match p.tracking {
            Tracking::Track => true,
            Tracking::DoNotTrack => false,
            Tracking::StoreDefault => track_by_default,
        },
        active: p.status.as_deref() != Some("D"),
        categories,
        taxable: !p.tax_ids.is_empty(),
        tax_ids: p.tax_ids.clone(),
        created_on: p.timestamp.map(|t| t.date_naive()),
    })
}

/// What converting an order needs to know about the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSettings {
    /// The status letters that count as paid ([`crate::model::paid_statuses`], or the
    /// tenant's own choice).
    pub paid_statuses: Vec<String>,
    /// The store's primary currency code.
    pub currency: String,
    /// Whether the store is CS-Cart Multi-Vendor: only there is an order's `company_id` its
    /// vendor (elsewhere it is the storefront, the same on every order).
    pub multi_vendor: bool,
}

/// A full order, with what the store's `settings` say (paid statuses, currency, whether
/// it is Multi-Vendor).
///
/// Item discounts become fixed line discounts (`discount` × quantity, on the undiscounted
/// unit price); `subtotal_discount` an order discount; `shipping_cost` (named after the
/// `shipping` methods chosen) and a `payment_surcharge` shipping charges; taxes apply to
/// the lines and shipping their `applies` names (to every line when it is absent).
pub fn order(o: &Order, settings: &OrderSettings) -> Result<m::Order, CscartError> {
    let paid_statuses = &settings.paid_statuses;
    let currency = settings.currency.as_str();
    let id = o.order_id.as_str();
    let err = |field: String, reason: &str| convert_error(EntityKind::Order, id, field, reason);
    let date = o
        .timestamp
        .ok_or_else(|| err("timestamp".to_owned(), "missing"))?
        .date_naive();
    let taxes_on = |item_key: &str| -> Vec<TaxId> {
        o.taxes
            .iter()
            .filter(|(_, t)| t.applies_to_item(item_key))
            .map(|(k, _)| TaxId::new(k.as_str()))
            .collect()
    };
    let shipping_taxes: Vec<TaxId> = o
        .taxes
        .iter()
        .filter(|(_, t)| t.applies_to_shipping())
        .map(|(k, _)| TaxId::new(k.as_str()))
        .collect();
    let mut lines = Vec::with_capacity(o.products.len());
    for (key, item) in &o.products {
        if item.deleted_product {
            return Err(err(
                format!("products.{key}.product_id"),
                "the product was deleted from the store",
            ));
        }
        if item.amount <= Decimal::ZERO {
            return Err(err(
                format!("products.{key}.amount"),
                "quantity is not positive",
            ));
        }
        let per_unit = item.discount.filter(|d| *d > Decimal::ZERO);
        // Store numbers can be anything a decimal holds: checked, an error naming the line.
        let unit_price = item
            .price
            .checked_add(per_unit.unwrap_or_default())
            .ok_or_else(|| {
                err(
                    format!("products.{key}.price"),
                    "price plus discount is too large",
                )
            })?;
        let discount = match per_unit {
            Some(d) => Some(m::Discount::Fixed(d.checked_mul(item.amount).ok_or_else(
                || {
                    err(
                        format!("products.{key}.discount"),
                        "discount times quantity is too large",
                    )
                },
            )?)),
            None => None,
        };
        lines.push(m::OrderLine {
            product: item.product_id.clone(),
            sku: non_blank(item.product_code.as_ref()),
            name: non_blank(item.name.as_ref()).unwrap_or_default(),
            quantity: item.amount,
            unit_price,
            discount,
            tax_ids: taxes_on(key),
        });
    }
    let mut shipping = Vec::new();
    if let Some(cost) = o.shipping_cost.filter(|c| !c.is_zero()) {
        let names: Vec<String> = o
            .shipping
            .iter()
            .filter_map(|s| non_blank(s.name.as_ref()))
            .collect();
        shipping.push(m::ShippingCharge {
            name: (!names.is_empty()).then(|| names.join(", ")),
            amount: cost,
            tax_ids: shipping_taxes,
        });
    }
    if let Some(fee) = o.payment_surcharge.filter(|c| !c.is_zero()) {
        shipping.push(m::ShippingCharge {
            name: Some("Payment surcharge".to_owned()),
            amount: fee,
            tax_ids: Vec::new(),
        });
    }
    let discounts = o
        .subtotal_discount
        .filter(|d| !d.is_zero())
        .map(|d| m::OrderDiscount {
            name: None,
            discount: m::Discount::Fixed(d),
        })
        .into_iter()
        .collect();
    let mut taxes = Vec::with_capacity(o.taxes.len());
    for (key, tax) in &o.taxes {
        taxes.push(m::OrderTax {
            id: TaxId::new(key.as_str()),
            name: non_blank(tax.description.as_ref()),
            rate: if tax.rate_type.as_deref() == Some("P") {
                tax.rate_value
            } else {
                None
            },
            amount: tax.tax_subtotal.unwrap_or_default(),
            included_in_price: tax.price_includes_tax,
        });
    }
    let customer = match &o.user_id {
        Some(user) => m::OrderCustomer::Registered(user.clone()),
        None => m::OrderCustomer::Guest(m::Guest {
            first_name: non_blank(o.firstname.as_ref()),
            last_name: non_blank(o.lastname.as_ref()),
            company: non_blank(o.company.as_ref()),
            email: non_blank(o.email.as_ref()),
            phone: non_blank(o.phone.as_ref()),
        }),
    };
    let paid = o
        .status
        .as_ref()
        .is_some_and(|s| paid_statuses.iter().any(|p| p == s));
    let payment = match (&o.payment_id, paid) {
        (Some(method), true) => Some(m::OrderPayment {
            method: method.clone(),
            amount: o.total,
            reference: None,
            date: None,
        }),
        _ => None,
    };
    Ok(m::Order {
        id: o.order_id.clone(),
        number: None,
        customer,
        date,
        currency: currency.to_owned(),
        email: non_blank(o.email.as_ref()),
        billing_address: address(&o.billing()),
        shipping_address: address(&o.shipping()),
        lines,
        shipping,
        discounts,
        taxes,
        total: o.total,
        payment,
        status: o.status.clone(),
        paid,
        vendor: o.company_id.clone().filter(|_| settings.multi_vendor),
        is_marketplace_parent: o.is_parent_order,
        parent_order: o.parent_order_id.clone(),
        notes: non_blank(o.notes.as_ref()),
    })
}
