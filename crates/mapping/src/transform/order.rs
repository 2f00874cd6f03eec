//! Orders: an `Invoice` (paid later by a `Payment`) or a `SalesReceipt`, whose QBO total is
//! the store's order total to the cent.
//!
//! How the money is placed:
//!
//! 1. Every product line is `Qty × UnitPrice`, its `Amount` rounded half-up to cents, as QBO
//!    checks (fault 6070).
//! 2. Discounts (a line's own, then the order's, which apply to the lines after theirs) are
//!    either one discount line with their total (`discounts.mode = "line"`), or folded into
//!    the lines: the order discounts are shared over the lines in proportion to their amounts
//!    (largest remainder, so the shares add up exactly) and each line shows the unit price
//!    that gives its discounted amount.
//! 3. A tax the prices include is taken out of the lines (and shipping) it applies to, shared
//!    the same way, because a QBO line amount is net of tax; every tax then goes to the
//!    transaction's tax detail as the store charged it.
//! 4. Shipping is QBO's shipping line or a line of a configured item.
//! 5. What the store total differs from the sum of those parts is rounding when within
//!    `rounding.tolerance`: a line of the adjustment item carries it (or, without one, the
//!    order fails naming the difference); beyond the tolerance the order fails naming both
//!    totals.

use std::collections::BTreeSet;

use qbo_api::{
    AnyEntity, DiscountLineDetail, EmailAddress, Entity, EntityId, GlobalTaxCalculation, Invoice,
    Line, LineDetailType, ReferenceType, SalesItemLineDetail, SalesReceipt, TaxLineDetail,
    TxnTaxDetail,
};
use rust_decimal::Decimal;

use super::{Transform, address, hash_of, identity, money, non_negative, precise};
use crate::config::{
    DiscountConfig, MappingConfig, OrderDocumentKind, ShippingConfig, TaxMode, group_key,
};
use crate::error::MappingError;
use crate::hash::ContentHash;
use crate::ids::{EntityRef, TaxId};
use crate::links::{Links, StoreRef};
use crate::model::{Discount, Order, OrderCustomer};
use crate::money::{
    allocate, from_cents, line_amount, percent_of, round_half_up, to_cents, unit_price_for,
};
use crate::text::{self, Cleaner, limits};
use crate::transform::guest_key;

/// QBO's pseudo item of the shipping line.
pub const SHIPPING_ITEM_ID: &str = "SHIPPING_ITEM_ID";

/// The QBO document of an order.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderDocument {
    /// An invoice (`order.document = "invoice_and_payment"`).
    Invoice(Invoice),
    /// A sales receipt (`order.document = "sales_receipt"`).
    SalesReceipt(SalesReceipt),
}

impl OrderDocument {
    /// The QBO entity name: `Invoice` or `SalesReceipt`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Invoice(_) => Invoice::NAME,
            Self::SalesReceipt(_) => SalesReceipt::NAME,
        }
    }

    /// The document's lines.
    pub fn lines(&self) -> &[Line] {
        match self {
            Self::Invoice(d) => &d.line,
            Self::SalesReceipt(d) => &d.line,
        }
    }

    /// The document's tax detail.
    pub fn txn_tax_detail(&self) -> Option<&TxnTaxDetail> {
        match self {
            Self::Invoice(d) => d.txn_tax_detail.as_ref(),
            Self::SalesReceipt(d) => d.txn_tax_detail.as_ref(),
        }
    }

    /// The document as JSON, as the wire carries it.
    ///
    /// # Errors
    /// The serializer's error (an amount beyond QBO's precision).
    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Self::Invoice(d) => serde_json::to_value(d),
            Self::SalesReceipt(d) => serde_json::to_value(d),
        }
    }

    /// The document as an [`AnyEntity`] (for batch requests).
    pub fn into_any(self) -> AnyEntity {
        match self {
            Self::Invoice(d) => d.into_any(),
            Self::SalesReceipt(d) => d.into_any(),
        }
    }
}

/// How the document's total is made up (for logs and operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTotals {
    /// The store's order total, which the QBO document's total equals.
    pub expected: Decimal,
    /// The product and shipping lines, net of tax (and of folded discounts).
    pub lines: Decimal,
    /// The discount line (zero when discounts are folded).
    pub discount: Decimal,
    /// The transaction's total tax.
    pub tax: Decimal,
    /// The adjustment line carrying the rounding difference (zero when none).
    pub adjustment: Decimal,
}

/// A mapped order.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedOrder {
    /// The QBO document.
    pub document: OrderDocument,
    /// Its content hash.
    pub hash: ContentHash,
    /// How its total is made up.
    pub totals: OrderTotals,
}

/// An amount being placed, in cents.
type Cents = i128;

/// Everything the order needs, checked, in cents.
struct Parts {
    /// Per product line: `Qty × UnitPrice` rounded, as QBO computes it.
    amounts: Vec<Cents>,
    /// Per product line: what the line shows once discounts are folded and included taxes
    /// are taken out.
    shown: Vec<Cents>,
    /// Per shipping charge: what it shows once included taxes are taken out.
    shipping: Vec<Cents>,
    /// The discount line.
    discount_line: Cents,
    /// Every tax, as charged.
    tax: Cents,
}

/// Context of one order's mapping.
struct Ctx<'a> {
    order: &'a Order,
    config: &'a MappingConfig,
    entity: EntityRef,
}

impl Ctx<'_> {
    fn overflow(&self, field: impl Into<String>) -> MappingError {
        MappingError::Overflow {
            entity: self.entity.clone(),
            field: field.into(),
        }
    }

    fn invalid(&self, field: impl Into<String>, reason: impl Into<String>) -> MappingError {
        MappingError::Invalid {
            entity: self.entity.clone(),
            field: field.into(),
            reason: reason.into(),
        }
    }

    fn cents(&self, field: &str, amount: Decimal) -> Result<Cents, MappingError> {
        to_cents(amount).ok_or_else(|| self.overflow(field))
    }

    fn amount(&self, field: &str, cents: Cents) -> Result<Decimal, MappingError> {
        let value = from_cents(cents).ok_or_else(|| self.overflow(field))?;
        precise(&self.entity, field, value)
    }

    /// A discount's amount on `base`.
    fn discount(
        &self,
        field: &str,
        discount: Discount,
        base: Decimal,
    ) -> Result<Decimal, MappingError> {
        let amount = match discount {
            Discount::Percent(rate) => {
                let rate = non_negative(&self.entity, field, rate)?;
                if rate > Decimal::ONE_HUNDRED {
                    return Err(self.invalid(field, format!("{rate} % is more than 100 %")));
                }
                percent_of(base, rate).ok_or_else(|| self.overflow(field))?
            }
            Discount::Fixed(amount) => money(&self.entity, field, amount)?,
        };
        if amount > base {
            return Err(MappingError::DiscountTooLarge {
                entity: self.entity.clone(),
                field: field.to_owned(),
                discount: amount,
                base,
            });
        }
        Ok(amount)
    }

    /// Checks the numbers and computes what each line shows.
    fn parts(&self) -> Result<Parts, MappingError> {
        let order = self.order;
        let mut tax_ids = BTreeSet::new();
        for (j, tax) in order.taxes.iter().enumerate() {
            if !tax_ids.insert(&tax.id) {
                return Err(self.invalid(
                    format!("taxes[{j}].id"),
                    format!("tax {} is given twice", tax.id),
                ));
            }
            money(&self.entity, &format!("taxes[{j}].amount"), tax.amount)?;
            if let Some(rate) = tax.rate {
                non_negative(&self.entity, &format!("taxes[{j}].rate"), rate)?;
            }
        }
        let known = |field: String, ids: &[TaxId]| -> Result<(), MappingError> {
            match ids.iter().find(|id| !tax_ids.contains(id)) {
                Some(id) => Err(MappingError::UnknownTax {
                    entity: self.entity.clone(),
                    field,
                    tax: id.to_string(),
                    reason: "the order has no such tax".to_owned(),
                }),
                None => Ok(()),
            }
        };

        // Product lines and their own discounts.
        let mut amounts = Vec::with_capacity(order.lines.len());
        let mut gross = Vec::with_capacity(order.lines.len());
        let mut line_discounts: Cents = 0;
        for (i, line) in order.lines.iter().enumerate() {
            let qty_field = format!("lines[{i}].quantity");
            if line.quantity.is_zero() {
                return Err(MappingError::ZeroQuantity {
                    entity: self.entity.clone(),
                    field: qty_field,
                });
            }
            let qty = non_negative(&self.entity, &qty_field, line.quantity)?;
            let price = non_negative(
                &self.entity,
                &format!("lines[{i}].unit_price"),
                line.unit_price,
            )?;
            let field = format!("lines[{i}]");
            let amount = line_amount(qty, price).ok_or_else(|| self.overflow(&field))?;
            let amount = precise(&self.entity, &field, amount)?;
            let discount = match line.discount {
                Some(d) => self.discount(&format!("lines[{i}].discount"), d, amount)?,
                None => Decimal::ZERO,
            };
            known(format!("lines[{i}].tax_ids"), &line.tax_ids)?;
            let amount = self.cents(&field, amount)?;
            let discount = self.cents(&field, discount)?;
            line_discounts = line_discounts
                .checked_add(discount)
                .ok_or_else(|| self.overflow(&field))?;
            amounts.push(amount);
            gross.push(amount - discount);
        }

        // Order discounts, on the lines after their own discounts.
        let base_cents = gross.iter().try_fold(0i128, |acc, g| acc.checked_add(*g));
        let base_cents = base_cents.ok_or_else(|| self.overflow("lines"))?;
        let base = from_cents(base_cents).ok_or_else(|| self.overflow("lines"))?;
        let mut order_discounts: Cents = 0;
        for (k, discount) in order.discounts.iter().enumerate() {
            let field = format!("discounts[{k}]");
            let amount = self.discount(&field, discount.discount, base)?;
            order_discounts = order_discounts
                .checked_add(self.cents(&field, amount)?)
                .ok_or_else(|| self.overflow(&field))?;
        }
        if order_discounts > base_cents {
            return Err(MappingError::DiscountTooLarge {
                entity: self.entity.clone(),
                field: "discounts".to_owned(),
                discount: from_cents(order_discounts).unwrap_or_default(),
                base,
            });
        }

        let (mut shown, discount_line, weights) = match self.config.discounts {
            DiscountConfig::Fold => {
                let shares =
                    allocate(order_discounts, &gross).ok_or_else(|| self.overflow("discounts"))?;
                let net: Vec<Cents> = gross.iter().zip(&shares).map(|(g, s)| g - s).collect();
                (net.clone(), 0, net)
            }
            DiscountConfig::Line { .. } => {
                let total = line_discounts
                    .checked_add(order_discounts)
                    .ok_or_else(|| self.overflow("discounts"))?;
                (amounts.clone(), total, gross.clone())
            }
        };

        let mut shipping = Vec::with_capacity(order.shipping.len());
        for (k, charge) in order.shipping.iter().enumerate() {
            let field = format!("shipping[{k}].amount");
            let amount = money(&self.entity, &field, charge.amount)?;
            known(format!("shipping[{k}].tax_ids"), &charge.tax_ids)?;
            shipping.push(self.cents(&field, amount)?);
        }
        let shipping_weights = shipping.clone();

        // Taxes included in prices come out of the lines and shipping they apply to.
        let mut tax: Cents = 0;
        for (j, order_tax) in order.taxes.iter().enumerate() {
            let field = format!("taxes[{j}].amount");
            let amount = self.cents(&field, order_tax.amount)?;
            tax = tax
                .checked_add(amount)
                .ok_or_else(|| self.overflow(&field))?;
            if !order_tax.included_in_price || amount == 0 {
                continue;
            }
            let on_lines: Vec<Cents> = order
                .lines
                .iter()
                .zip(&weights)
                .map(|(line, w)| {
                    if line.tax_ids.contains(&order_tax.id) {
                        *w
                    } else {
                        0
                    }
                })
                .collect();
            let on_shipping: Vec<Cents> = order
                .shipping
                .iter()
                .zip(&shipping_weights)
                .map(|(charge, w)| {
                    if charge.tax_ids.contains(&order_tax.id) {
                        *w
                    } else {
                        0
                    }
                })
                .collect();
            let all: Vec<Cents> = on_lines.iter().chain(&on_shipping).copied().collect();
            let base = all.iter().try_fold(0i128, |acc, w| acc.checked_add(*w));
            let base = base.ok_or_else(|| self.overflow(&field))?;
            if amount > base {
                return Err(self.invalid(
                    field,
                    format!(
                        "the included tax {} exceeds the {} of the lines and shipping that include it",
                        order_tax.amount,
                        from_cents(base).unwrap_or_default()
                    ),
                ));
            }
            let shares = allocate(amount, &all).ok_or_else(|| self.overflow(&field))?;
            let (line_shares, shipping_shares) = shares.split_at(on_lines.len());
            for (s, share) in shown.iter_mut().zip(line_shares) {
                *s -= share;
            }
            for (s, share) in shipping.iter_mut().zip(shipping_shares) {
                *s -= share;
            }
        }
        if let Some(i) = shown.iter().position(|s| *s < 0) {
            return Err(self.invalid(
                format!("lines[{i}].tax_ids"),
                "the taxes included in the line's price exceed its amount",
            ));
        }
        if let Some(k) = shipping.iter().position(|s| *s < 0) {
            return Err(self.invalid(
                format!("shipping[{k}].tax_ids"),
                "the taxes included in the shipping charge exceed it",
            ));
        }
        Ok(Parts {
            amounts,
            shown,
            shipping,
            discount_line,
            tax,
        })
    }

    /// The tax code of a line with these store taxes.
    fn line_tax_code(&self, field: &str, tax_ids: &[TaxId]) -> Result<ReferenceType, MappingError> {
        let code = match self.config.tax.mode {
            TaxMode::Us if tax_ids.is_empty() => self.config.tax.non_taxable_code.clone(),
            TaxMode::Us => self.config.tax.taxable_code.clone(),
            TaxMode::PerLine => tax_code_for(&self.entity, field, tax_ids, self.config)?,
        };
        Ok(ReferenceType::new(code))
    }

    /// The transaction's tax detail; `None` when the order has no tax.
    fn tax_detail(&self, total_tax: Decimal) -> Result<Option<TxnTaxDetail>, MappingError> {
        let order = self.order;
        if order.taxes.is_empty() {
            return Ok(None);
        }
        let mapping = |j: usize, id: &TaxId| {
            self.config
                .tax
                .map
                .get(id)
                .ok_or_else(|| MappingError::UnknownTax {
                    entity: self.entity.clone(),
                    field: format!("taxes[{j}].id"),
                    tax: id.to_string(),
                    reason: "it has no [tax.map] entry".to_owned(),
                })
        };
        let mut detail = TxnTaxDetail {
            total_tax: Some(total_tax),
            ..TxnTaxDetail::default()
        };
        match self.config.tax.mode {
            TaxMode::Us => {
                // With a tax map, the order's taxes name the transaction's one tax code.
                if !self.config.tax.map.is_empty() {
                    let mut codes = BTreeSet::new();
                    for (j, tax) in order.taxes.iter().enumerate() {
                        codes.insert(&mapping(j, &tax.id)?.code);
                    }
                    if codes.len() > 1 {
                        return Err(self.invalid(
                            "taxes",
                            "a US transaction takes one tax code; map these taxes to one QBO tax code or group",
                        ));
                    }
                    detail.txn_tax_code_ref =
                        codes.into_iter().next().cloned().map(ReferenceType::new);
                }
            }
            TaxMode::PerLine => {
                for (j, tax) in order.taxes.iter().enumerate() {
                    let rate_ref =
                        mapping(j, &tax.id)?
                            .rate
                            .clone()
                            .ok_or_else(|| MappingError::Config {
                                key: format!("tax.map.{}.rate", tax.id),
                                reason: "per-line tax needs the QBO tax rate of every store tax"
                                    .to_owned(),
                            })?;
                    let line = Line {
                        amount: Some(tax.amount),
                        detail_type: Some(LineDetailType::TaxLineDetail),
                        tax_line_detail: Some(TaxLineDetail {
                            tax_rate_ref: Some(ReferenceType::new(rate_ref)),
                            percent_based: tax.rate.map(|_| true),
                            tax_percent: tax.rate,
                            ..TaxLineDetail::default()
                        }),
                        ..Line::default()
                    };
                    detail.tax_line.push(line);
                }
            }
        }
        Ok(Some(detail))
    }
}

/// Per-line tax mode: the QBO tax code of something these store taxes apply to: the mapped
/// code of one tax, the configured group of several, the exempt code of none.
pub(crate) fn tax_code_for(
    entity: &EntityRef,
    field: &str,
    tax_ids: &[TaxId],
    config: &MappingConfig,
) -> Result<EntityId, MappingError> {
    let distinct: BTreeSet<&TaxId> = tax_ids.iter().collect();
    let mut ids = distinct.into_iter();
    match (ids.next(), ids.next()) {
        (None, _) => config
            .tax
            .exempt_code
            .clone()
            .ok_or_else(|| MappingError::Config {
                key: "tax.exempt_code".to_owned(),
                reason: format!("{entity}: {field}: a line without tax needs an exempt tax code"),
            }),
        (Some(id), None) => config
            .tax
            .map
            .get(id)
            .map(|m| m.code.clone())
            .ok_or_else(|| MappingError::UnknownTax {
                entity: entity.clone(),
                field: field.to_owned(),
                tax: id.to_string(),
                reason: "it has no [tax.map] entry".to_owned(),
            }),
        (Some(_), Some(_)) => {
            let key = group_key(tax_ids);
            config
                .tax
                .groups
                .get(&key)
                .cloned()
                .ok_or_else(|| MappingError::UnknownTax {
                    entity: entity.clone(),
                    field: field.to_owned(),
                    reason: "the combination has no [tax.groups] entry".to_owned(),
                    tax: key,
                })
        }
    }
}

/// The QBO line of a product: `Qty`, `UnitPrice`, and `Amount` by the 6070 rule.
fn sales_line(amount: Decimal, detail: SalesItemLineDetail, description: Option<String>) -> Line {
    let mut line = Line::sales_item(amount, detail);
    line.description = description;
    line
}

impl Transform for Order {
    type Output = MappedOrder;

    fn store_ref(&self) -> StoreRef {
        StoreRef::Order(self.id.clone())
    }

    /// The customer (or the guest customer), then every product once, in line order. A
    /// marketplace parent order has none: it is never mapped.
    fn dependencies(&self, config: &MappingConfig) -> Vec<StoreRef> {
        if self.is_marketplace_parent {
            return Vec::new();
        }
        let mut deps = Vec::with_capacity(self.lines.len() + 1);
        match &self.customer {
            OrderCustomer::Registered(id) => deps.push(StoreRef::Customer(id.clone())),
            OrderCustomer::Guest(_) => {
                if let Some(key) = guest_key(self, config) {
                    deps.push(StoreRef::Guest(key));
                }
            }
        }
        for line in &self.lines {
            let dep = StoreRef::Product(line.product.clone());
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
        deps
    }

    fn map(&self, config: &MappingConfig, links: &Links) -> Result<MappedOrder, MappingError> {
        let target = self.store_ref();
        let ctx = Ctx {
            order: self,
            config,
            entity: target.entity_ref(),
        };
        let entity = &ctx.entity;
        if self.is_marketplace_parent {
            return Err(MappingError::MarketplaceParent {
                entity: entity.clone(),
            });
        }
        if config.order.document == OrderDocumentKind::SalesReceipt && !self.paid {
            return Err(MappingError::NotPaid {
                entity: entity.clone(),
            });
        }
        if !config.accepts_currency(&self.currency) {
            return Err(MappingError::UnsupportedCurrency {
                entity: entity.clone(),
                field: "currency".to_owned(),
                currency: self.currency.clone(),
            });
        }
        if self.lines.is_empty() {
            return Err(MappingError::Missing {
                entity: entity.clone(),
                field: "lines".to_owned(),
            });
        }
        let clean = Cleaner {
            entity,
            overlong: config.names.overlong,
        };
        let customer_ref = match &self.customer {
            OrderCustomer::Registered(id) => {
                links.require(entity, "customer", StoreRef::Customer(id.clone()))?
            }
            OrderCustomer::Guest(_) => {
                let key = guest_key(self, config)
                    .ok_or_else(|| ctx.invalid("customer", "no guest customer"))?;
                links.require(entity, "customer", StoreRef::Guest(key))?
            }
        }
        .reference();

        let mut parts = ctx.parts()?;
        // Each product line's unit price. A line whose folded amount no unit price of at
        // most `unit_price_decimals` reproduces under the 6070 rule keeps the nearest price;
        // the cent(s) it then differs by flow into the difference below, so the adjustment
        // line carries them (or the order fails naming them), never a wrong line.
        let mut unit_prices = Vec::with_capacity(self.lines.len());
        // What the fallback prices moved the lines by, in cents (our rounding, not the
        // store's: it is never held against the tolerance).
        let mut fallback_shift: Cents = 0;
        for (i, line) in self.lines.iter().enumerate() {
            let field = format!("lines[{i}].unit_price");
            let (Some(&amount), Some(shown)) = (parts.amounts.get(i), parts.shown.get_mut(i))
            else {
                return Err(ctx.overflow(format!("lines[{i}]")));
            };
            if *shown == amount {
                unit_prices.push(line.unit_price);
                continue;
            }
            let max = config.rounding.unit_price_decimals;
            let shown_amount = ctx.amount(&format!("lines[{i}]"), *shown)?;
            let price = match unit_price_for(shown_amount, line.quantity, max) {
                Some(price) => price,
                None => {
                    let nearest = shown_amount
                        .checked_div(line.quantity)
                        .and_then(|p| round_half_up(p, max))
                        .ok_or_else(|| ctx.invalid(&field, "no unit price for a zero quantity"))?;
                    let amount =
                        line_amount(line.quantity, nearest).ok_or_else(|| ctx.overflow(&field))?;
                    let moved = ctx.cents(&field, amount)?;
                    fallback_shift = (*shown - moved)
                        .checked_add(fallback_shift)
                        .ok_or_else(|| ctx.overflow(&field))?;
                    *shown = moved;
                    nearest
                }
            };
            unit_prices.push(precise(entity, &field, price)?);
        }
        let total = money(entity, "total", self.total)?;
        let expected = ctx.cents("total", total)?;
        let sum = |values: &[Cents]| values.iter().try_fold(0i128, |acc, v| acc.checked_add(*v));
        let lines_total = sum(&parts.shown)
            .zip(sum(&parts.shipping))
            .and_then(|(l, s)| l.checked_add(s))
            .ok_or_else(|| ctx.overflow("lines"))?;
        let computed = lines_total
            .checked_sub(parts.discount_line)
            .and_then(|c| c.checked_add(parts.tax))
            .ok_or_else(|| ctx.overflow("total"))?;
        let difference = expected - computed;
        let tolerance = config.rounding.tolerance;
        let difference_amount = ctx.amount("total", difference)?;
        let store_difference = ctx.amount("total", difference - fallback_shift)?;
        if store_difference.abs() > tolerance {
            let store_computed = computed
                .checked_add(fallback_shift)
                .ok_or_else(|| ctx.overflow("total"))?;
            return Err(MappingError::TotalMismatch {
                entity: entity.clone(),
                expected: total,
                computed: ctx.amount("total", store_computed)?,
                difference: store_difference,
                tolerance,
            });
        }
        if difference != 0 && config.rounding.adjustment.is_none() {
            return Err(MappingError::RoundingDifference {
                entity: entity.clone(),
                expected: total,
                computed: ctx.amount("total", computed)?,
                difference: difference_amount,
            });
        }

        // Product lines.
        let mut lines = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let item = links
                .require(
                    entity,
                    format!("lines[{i}].product"),
                    StoreRef::Product(line.product.clone()),
                )?
                .reference();
            let (Some(&shown), Some(&unit_price)) = (parts.shown.get(i), unit_prices.get(i)) else {
                return Err(ctx.overflow(format!("lines[{i}]")));
            };
            let shown_amount = ctx.amount(&format!("lines[{i}]"), shown)?;
            let detail = SalesItemLineDetail {
                qty: Some(line.quantity),
                unit_price: Some(unit_price),
                tax_code_ref: Some(
                    ctx.line_tax_code(&format!("lines[{i}].tax_ids"), &line.tax_ids)?,
                ),
                ..SalesItemLineDetail::new(item)
            };
            let description = text::line(Some(line.name.as_str()), limits::DESCRIPTION)
                .or_else(|| text::line(line.sku.as_deref(), limits::DESCRIPTION));
            lines.push(sales_line(shown_amount, detail, description));
        }

        // The discount line.
        let discount_amount = ctx.amount("discounts", parts.discount_line)?;
        if let DiscountConfig::Line { account } = &config.discounts
            && parts.discount_line > 0
        {
            let mut names: Vec<String> = self
                .discounts
                .iter()
                .filter_map(|d| text::line(d.name.as_deref(), 200))
                .collect();
            if self.lines.iter().any(|l| l.discount.is_some()) {
                names.push("line discounts".to_owned());
            }
            let mut line = Line::discount(
                discount_amount,
                DiscountLineDetail::amount(ReferenceType::new(account.clone())),
            );
            line.description = Some(if names.is_empty() {
                "Discount".to_owned()
            } else {
                text::line(
                    Some(&format!("Discount: {}", names.join(", "))),
                    limits::DESCRIPTION,
                )
                .unwrap_or_else(|| "Discount".to_owned())
            });
            lines.push(line);
        }

        // Shipping.
        for (k, charge) in self.shipping.iter().enumerate() {
            let Some(&shown) = parts.shipping.get(k) else {
                return Err(ctx.overflow(format!("shipping[{k}]")));
            };
            if shown == 0 && charge.amount.is_zero() {
                continue;
            }
            let amount = ctx.amount(&format!("shipping[{k}].amount"), shown)?;
            let tax_code = ctx.line_tax_code(&format!("shipping[{k}].tax_ids"), &charge.tax_ids)?;
            let detail = match &config.shipping {
                ShippingConfig::ShippingLine => SalesItemLineDetail {
                    tax_code_ref: Some(tax_code),
                    ..SalesItemLineDetail::new(ReferenceType::new(SHIPPING_ITEM_ID))
                },
                ShippingConfig::Item { item } => SalesItemLineDetail {
                    qty: Some(Decimal::ONE),
                    unit_price: Some(amount),
                    tax_code_ref: Some(tax_code),
                    ..SalesItemLineDetail::new(ReferenceType::new(item.clone()))
                },
            };
            let description = text::line(charge.name.as_deref(), limits::DESCRIPTION)
                .or_else(|| Some("Shipping".to_owned()));
            lines.push(sales_line(amount, detail, description));
        }

        // The rounding adjustment.
        let mut adjustment = Decimal::ZERO;
        if let (true, Some(adjust)) = (difference != 0, &config.rounding.adjustment) {
            adjustment = difference_amount;
            let tax_code = match config.tax.mode {
                TaxMode::Us => config.tax.non_taxable_code.clone(),
                TaxMode::PerLine => adjust
                    .tax_code
                    .clone()
                    .or_else(|| config.tax.exempt_code.clone())
                    .ok_or_else(|| MappingError::Config {
                        key: "rounding.adjustment.tax_code".to_owned(),
                        reason: "per-line tax needs a tax code for the adjustment line (or tax.exempt_code)".to_owned(),
                    })?,
            };
            let detail = SalesItemLineDetail {
                qty: Some(Decimal::ONE),
                unit_price: Some(adjustment),
                tax_code_ref: Some(ReferenceType::new(tax_code)),
                ..SalesItemLineDetail::new(ReferenceType::new(adjust.item.clone()))
            };
            lines.push(sales_line(
                adjustment,
                detail,
                text::line(Some(&adjust.description), limits::DESCRIPTION),
            ));
        }

        let tax_amount = ctx.amount("taxes", parts.tax)?;
        let txn_tax_detail = ctx.tax_detail(tax_amount)?;
        let doc_number = if config.order.send_doc_number {
            let number = self.number.as_deref().unwrap_or(self.id.as_str());
            let text = format!("{}{}", config.order.doc_number_prefix, number);
            clean.exact_line("number", &text, limits::DOC_NUMBER)?
        } else {
            None
        };
        let guest_email = match &self.customer {
            OrderCustomer::Guest(guest) => guest.email.as_deref(),
            OrderCustomer::Registered(_) => None,
        };
        let bill_email = clean
            .email(
                "email",
                self.email.as_deref().or(guest_email),
                config.names.invalid_email,
            )?
            .map(EmailAddress::new);
        let bill_addr = address(&clean, "billing_address", self.billing_address.as_ref())?;
        let ship_addr = address(&clean, "shipping_address", self.shipping_address.as_ref())?;
        let currency_ref = config
            .currency
            .multicurrency
            .then(|| ReferenceType::new(self.currency.trim().to_ascii_uppercase()));
        let private_note = self.private_note();
        let global_tax_calculation =
            (config.tax.mode == TaxMode::PerLine).then_some(GlobalTaxCalculation::TaxExcluded);
        let (id, sync_token) = identity(links, &target);

        let document = match config.order.document {
            OrderDocumentKind::InvoiceAndPayment => OrderDocument::Invoice(Invoice {
                id,
                sync_token,
                doc_number,
                txn_date: Some(self.date),
                currency_ref,
                private_note,
                line: lines,
                txn_tax_detail,
                customer_ref: Some(customer_ref),
                bill_addr,
                ship_addr,
                global_tax_calculation,
                bill_email,
                ..Invoice::default()
            }),
            OrderDocumentKind::SalesReceipt => {
                let (payment_method_ref, payment_ref_num) = match &self.payment {
                    Some(payment) => (
                        Some(super::payment::payment_method(
                            &ctx.entity,
                            payment,
                            config,
                        )?),
                        text::line(payment.reference.as_deref(), limits::PAYMENT_REF),
                    ),
                    None => (None, None),
                };
                OrderDocument::SalesReceipt(SalesReceipt {
                    id,
                    sync_token,
                    doc_number,
                    txn_date: Some(self.date),
                    currency_ref,
                    private_note,
                    line: lines,
                    txn_tax_detail,
                    customer_ref: Some(customer_ref),
                    bill_addr,
                    ship_addr,
                    global_tax_calculation,
                    bill_email,
                    payment_method_ref,
                    payment_ref_num,
                    deposit_to_account_ref: config.accounts.deposit.clone().map(ReferenceType::new),
                    ..SalesReceipt::default()
                })
            }
        };
        let hash = match &document {
            OrderDocument::Invoice(d) => hash_of(entity, d)?,
            OrderDocument::SalesReceipt(d) => hash_of(entity, d)?,
        };
        Ok(MappedOrder {
            document,
            hash,
            totals: OrderTotals {
                expected: total,
                lines: ctx.amount("lines", lines_total)?,
                discount: discount_amount,
                tax: tax_amount,
                adjustment,
            },
        })
    }
}

impl Order {
    /// The document's private note: the store order number, the marketplace parent and
    /// vendor of a child order, and the order's notes.
    fn private_note(&self) -> Option<String> {
        let number = self.number.as_deref().unwrap_or(self.id.as_str());
        let mut note = format!("Store order {number}");
        match (&self.parent_order, &self.vendor) {
            (Some(parent), Some(vendor)) => {
                note.push_str(&format!("\nMarketplace order {parent}, vendor {vendor}"));
            }
            (Some(parent), None) => note.push_str(&format!("\nMarketplace order {parent}")),
            (None, Some(vendor)) => note.push_str(&format!("\nVendor {vendor}")),
            (None, None) => {}
        }
        if let Some(notes) = text::text(self.notes.as_deref(), limits::PRIVATE_NOTE) {
            note.push('\n');
            note.push_str(&notes);
        }
        text::text(Some(&note), limits::PRIVATE_NOTE)
    }
}
