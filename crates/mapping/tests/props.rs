#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests: random orders map to documents whose QBO total is the store total to the
//! cent with every line obeying the 6070 rule; random strings in every name field give valid
//! QBO text or an error naming the field; arbitrary store entities never make a transform
//! panic.

mod common;

use mapping::config::{
    AdjustmentConfig, DiscountConfig, GuestMode, MappingConfig, Overlong, ShippingConfig,
    TaxMapping, TaxMode,
};
use mapping::ids::{CategoryId, CustomerId, OrderId, PaymentMethodId, ProductId, TaxId};
use mapping::model::{
    Address, Category, Customer, Discount, Guest, Order, OrderCustomer, OrderDiscount, OrderLine,
    OrderPayment, OrderTax, Product, ShippingCharge,
};
use mapping::text::{is_valid_line, is_valid_name, limits};
use mapping::{
    Link, Links, MappingError, StoreRef, Transform, deletion, map_guest, map_payment,
    parents_first, payment_dependencies,
};
use proptest::prelude::*;
use qbo_api::LineDetail;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

const TAX_IDS: [&str; 3] = ["1", "2", "3"];

/// Rounds as QBO does, with rust_decimal's own arithmetic (independent of the crate's).
fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A configuration for the money properties.
fn money_config(per_line: bool, fold: bool, adjustment: bool) -> MappingConfig {
    let mut config = MappingConfig::new("79", "USD");
    config.accounts.cogs = Some("80".into());
    config.accounts.inventory_asset = Some("81".into());
    config
        .payment_methods
        .insert(PaymentMethodId::new("card"), "3".into());
    if per_line {
        config.tax.mode = TaxMode::PerLine;
        config.tax.exempt_code = Some("14".into());
        for (n, id) in TAX_IDS.iter().enumerate() {
            config.tax.map.insert(
                TaxId::new(*id),
                TaxMapping {
                    code: format!("1{n}").as_str().into(),
                    rate: Some(format!("2{n}").as_str().into()),
                },
            );
        }
        for group in ["1+2", "1+3", "2+3", "1+2+3"] {
            config
                .tax
                .groups
                .insert(group.to_owned(), format!("G{group}").as_str().into());
        }
        config.shipping = ShippingConfig::Item { item: "90".into() };
    }
    config.discounts = if fold {
        DiscountConfig::Fold
    } else {
        DiscountConfig::Line {
            account: "86".into(),
        }
    };
    if adjustment {
        config.rounding.adjustment = Some(AdjustmentConfig {
            item: "95".into(),
            tax_code: None,
            description: "Rounding".to_owned(),
        });
    }
    config.validate().unwrap();
    config
}

/// Links for every product and the customer of a generated order.
fn order_links(order: &Order) -> Links {
    let mut links = Links::new().with(
        StoreRef::Customer(CustomerId::new("c")),
        Link::new("58", None),
    );
    for line in &order.lines {
        links.insert(
            StoreRef::Product(line.product.clone()),
            Link::new(format!("i{}", line.product), None),
        );
    }
    links
}

/// A quantity: above zero, at most 1000, with up to 4 decimals.
fn quantity() -> impl Strategy<Value = Decimal> {
    (0u32..=4).prop_flat_map(|scale| {
        (1i64..=1000 * 10i64.pow(scale)).prop_map(move |m| Decimal::new(m, scale))
    })
}

/// A unit price: mostly cents, sometimes up to 4 decimals.
fn unit_price() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (0i64..=2_000_000).prop_map(|m| Decimal::new(m, 2)),
        1 => (0i64..=20_000_000, 3u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// Which of the three taxes apply (a bit mask).
fn tax_mask() -> impl Strategy<Value = u8> {
    prop_oneof![2 => Just(0u8), 3 => 0u8..8]
}

fn ids_of(mask: u8, present: usize) -> Vec<TaxId> {
    TAX_IDS
        .iter()
        .enumerate()
        .filter(|(n, _)| mask & (1 << n) != 0 && *n < present)
        .map(|(_, id)| TaxId::new(*id))
        .collect()
}

/// What a generated line's discount is: none, a percentage, or a fraction of the line as a
/// fixed amount (computed once the line amount is known).
#[derive(Debug, Clone, Copy)]
enum LineDiscountPlan {
    None,
    Percent(Decimal),
    FixedFraction(u32),
}

fn line_discount() -> impl Strategy<Value = LineDiscountPlan> {
    prop_oneof![
        3 => Just(LineDiscountPlan::None),
        1 => (0i64..=5000).prop_map(|m| LineDiscountPlan::Percent(Decimal::new(m, 2))),
        1 => (0u32..=50).prop_map(LineDiscountPlan::FixedFraction),
    ]
}

#[derive(Debug, Clone)]
struct Plan {
    lines: Vec<(Decimal, Decimal, LineDiscountPlan, u8)>,
    order_discounts: Vec<(bool, u32)>,
    shipping: Vec<(i64, u8)>,
    taxes: Vec<(bool, u32)>,
    delta: i64,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop::collection::vec(
            (quantity(), unit_price(), line_discount(), tax_mask()),
            1..=50,
        ),
        prop::collection::vec((any::<bool>(), 0u32..=25), 0..=2),
        prop::collection::vec((0i64..=5_000, tax_mask()), 0..=2),
        prop::collection::vec((any::<bool>(), 0u32..=25), 0..=3),
        prop_oneof![3 => Just(0i64), 1 => -5i64..=5],
    )
        .prop_map(|(lines, order_discounts, shipping, taxes, delta)| Plan {
            lines,
            order_discounts,
            shipping,
            taxes,
            delta,
        })
}

/// Builds the store order of a plan, with its total computed the way a store would (plus
/// `delta` cents of the store's own rounding).
fn build(plan: &Plan) -> Order {
    let present = plan.taxes.len();
    let mut lines = Vec::new();
    let mut sum = Decimal::ZERO;
    let mut carriers = [Decimal::ZERO; 3];
    for (n, (qty, price, discount, mask)) in plan.lines.iter().enumerate() {
        let amount = cents(qty * price);
        let (discount, value) = match *discount {
            LineDiscountPlan::None => (None, Decimal::ZERO),
            LineDiscountPlan::Percent(rate) => (
                Some(Discount::Percent(rate)),
                cents(amount * rate / Decimal::ONE_HUNDRED),
            ),
            LineDiscountPlan::FixedFraction(f) => {
                let fixed = cents(amount * Decimal::from(f) / Decimal::ONE_HUNDRED);
                (Some(Discount::Fixed(fixed)), fixed)
            }
        };
        let tax_ids = ids_of(*mask, present);
        for id in &tax_ids {
            let index: usize = id.as_str().parse::<usize>().unwrap() - 1;
            carriers[index] += amount;
        }
        sum += amount - value;
        lines.push(OrderLine {
            product: ProductId::new(format!("p{}", n % 7)),
            sku: None,
            name: format!("Product {n}"),
            quantity: *qty,
            unit_price: *price,
            discount,
            tax_ids,
        });
    }
    let base = sum;
    let mut discounts = Vec::new();
    for (k, (percent, value)) in plan.order_discounts.iter().enumerate() {
        let (discount, amount) = if *percent {
            let rate = Decimal::from(*value);
            (
                Discount::Percent(rate),
                cents(base * rate / Decimal::ONE_HUNDRED),
            )
        } else {
            let fixed = cents(base * Decimal::from(*value) / Decimal::ONE_HUNDRED);
            (Discount::Fixed(fixed), fixed)
        };
        sum -= amount;
        discounts.push(OrderDiscount {
            name: Some(format!("D{k}")),
            discount,
        });
    }
    let mut shipping = Vec::new();
    for (amount, mask) in &plan.shipping {
        let amount = Decimal::new(*amount, 2);
        let tax_ids = ids_of(*mask, present);
        for id in &tax_ids {
            let index: usize = id.as_str().parse::<usize>().unwrap() - 1;
            carriers[index] += amount;
        }
        sum += amount;
        shipping.push(ShippingCharge {
            name: Some("Ship".to_owned()),
            amount,
            tax_ids,
        });
    }
    let mut taxes = Vec::new();
    for (j, (included, rate)) in plan.taxes.iter().enumerate() {
        // An included tax of at most 5 % of what carries it: always less than its base.
        let share = if *included {
            Decimal::from(*rate) / Decimal::from(500)
        } else {
            Decimal::from(*rate) / Decimal::ONE_HUNDRED
        };
        let amount = (carriers[j] * share).round_dp_with_strategy(2, RoundingStrategy::ToZero);
        if !included {
            sum += amount;
        }
        taxes.push(OrderTax {
            id: TaxId::new(TAX_IDS[j]),
            name: None,
            rate: Some(Decimal::from(*rate)),
            amount,
            included_in_price: *included,
        });
    }
    let total = sum + Decimal::new(plan.delta, 2);
    Order {
        id: OrderId::new("1"),
        number: None,
        customer: OrderCustomer::Registered(CustomerId::new("c")),
        date: chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        currency: "USD".to_owned(),
        email: None,
        billing_address: None,
        shipping_address: None,
        lines,
        shipping,
        discounts,
        taxes,
        total,
        payment: Some(OrderPayment {
            method: PaymentMethodId::new("card"),
            amount: total.max(Decimal::ZERO),
            reference: None,
            date: None,
        }),
        status: None,
        paid: true,
        vendor: None,
        is_marketplace_parent: false,
        parent_order: None,
        notes: None,
    }
}

/// The total QBO computes for a document: sales lines, minus discount lines, plus the
/// transaction tax; checking every sales line against the 6070 rule on the way.
fn qbo_total(document: &mapping::OrderDocument) -> Result<Decimal, TestCaseError> {
    let mut total = Decimal::ZERO;
    for line in document.lines() {
        let amount = line.amount.expect("every line has an amount");
        prop_assert!(
            amount.scale() <= 2,
            "amount {amount} has more than two decimals"
        );
        match line.detail() {
            Some(LineDetail::SalesItem(detail)) => {
                if let (Some(qty), Some(price)) = (detail.qty, detail.unit_price) {
                    prop_assert_eq!(amount, cents(qty * price), "6070: {} × {}", qty, price);
                    prop_assert!(qty > Decimal::ZERO);
                }
                prop_assert!(
                    detail.tax_code_ref.is_some(),
                    "every sales line has a tax code"
                );
                total += amount;
            }
            Some(LineDetail::Discount(_)) => total -= amount,
            other => prop_assert!(false, "unexpected line {:?}", other),
        }
    }
    if let Some(detail) = document.txn_tax_detail() {
        let tax = detail.total_tax.unwrap_or_default();
        let lines: Decimal = detail.tax_line.iter().filter_map(|l| l.amount).sum();
        if !detail.tax_line.is_empty() {
            prop_assert_eq!(lines, tax, "tax lines add up to the total tax");
        }
        total += tax;
    }
    Ok(total)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_orders_total_to_the_cent(
        plan in plan(),
        per_line in any::<bool>(),
        fold in any::<bool>(),
        receipt in any::<bool>(),
    ) {
        let order = build(&plan);
        let mut config = money_config(per_line, fold, true);
        if receipt {
            config.order.document = mapping::config::OrderDocumentKind::SalesReceipt;
        }
        let links = order_links(&order);
        let mapped = match order.map(&config, &links) {
            Ok(mapped) => mapped,
            Err(MappingError::Invalid { field, .. }) if field.ends_with(".tax_ids") => {
                return Err(TestCaseError::reject("included taxes exceed a one-cent line"));
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        prop_assert_eq!(qbo_total(&mapped.document)?, order.total);
        // The adjustment carries the store's own difference, plus the cent(s) of any line
        // whose folded amount no 7-decimal unit price reproduces (then the nearest price is
        // kept and the line differs by at most a cent).
        let fallback = (mapped.totals.adjustment - Decimal::new(plan.delta, 2)).abs();
        prop_assert!(fallback <= Decimal::new(i64::try_from(plan.lines.len()).unwrap(), 2), "adjustment {} for delta {}", mapped.totals.adjustment, plan.delta);
        let json = mapped.document.to_json().unwrap();
        common::assert_schema(mapped.document.name(), &json);
        if !receipt && let Some(payment) = map_payment(&order, &config, &links.with(order.store_ref(), Link::new("130", None))).unwrap() {
            prop_assert_eq!(payment.entity.total_amt, Some(order.total));
            common::assert_schema("Payment", &serde_json::to_value(&payment.entity).unwrap());
        }
    }

    /// With unit prices cut to two decimals most folded lines have no exact price: each keeps
    /// the nearest one, every line still obeys 6070, and the adjustment line absorbs the
    /// cents so that the total is still exact.
    #[test]
    fn lines_without_an_exact_unit_price_keep_the_nearest_and_the_total(plan in plan()) {
        let order = build(&plan);
        let mut config = money_config(false, true, true);
        config.rounding.unit_price_decimals = 2;
        let links = order_links(&order);
        let mapped = match order.map(&config, &links) {
            Ok(mapped) => mapped,
            Err(MappingError::Invalid { field, .. }) if field.ends_with(".tax_ids") => {
                return Err(TestCaseError::reject("included taxes exceed a one-cent line"));
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        prop_assert_eq!(qbo_total(&mapped.document)?, order.total);
        // Product lines come first, in store order; a price the mapping computed (a folded
        // line) has at most the configured two decimals.
        for (store, line) in order.lines.iter().zip(mapped.document.lines()) {
            if let Some(LineDetail::SalesItem(d)) = line.detail()
                && let Some(price) = d.unit_price
                && price != store.unit_price
            {
                prop_assert!(price.normalize().scale() <= 2, "computed unit price {} has more than 2 decimals", price);
            }
        }
    }

    #[test]
    fn without_an_adjustment_item_a_difference_fails_naming_it(plan in plan()) {
        let order = build(&plan);
        let config = money_config(false, true, false);
        match order.map(&config, &order_links(&order)) {
            Ok(mapped) => {
                prop_assert_eq!(plan.delta, 0);
                prop_assert_eq!(qbo_total(&mapped.document)?, order.total);
            }
            Err(MappingError::RoundingDifference { difference, expected, computed, .. }) => {
                prop_assert_eq!(difference, Decimal::new(plan.delta, 2));
                prop_assert_eq!(expected - computed, difference);
            }
            Err(MappingError::Invalid { field, .. }) if field.ends_with(".tax_ids") => {
                return Err(TestCaseError::reject("included taxes exceed a one-cent line"));
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        }
    }

    #[test]
    fn beyond_the_tolerance_the_order_fails_naming_both_totals(plan in plan(), off in 6i64..10_000, up in any::<bool>()) {
        let mut order = build(&plan);
        let shift = Decimal::new(if up { off } else { -off }, 2);
        prop_assume!(order.total + shift >= Decimal::ZERO);
        order.total += shift;
        let config = money_config(true, false, true);
        match order.map(&config, &order_links(&order)) {
            Err(MappingError::TotalMismatch { expected, computed, difference, tolerance, entity }) => {
                prop_assert_eq!(expected, order.total);
                prop_assert_eq!(expected - computed, difference);
                prop_assert!(difference.abs() > tolerance);
                prop_assert_eq!(entity.to_string(), "order 1");
            }
            Err(MappingError::Invalid { field, .. }) if field.ends_with(".tax_ids") => {
                return Err(TestCaseError::reject("included taxes exceed a one-cent line"));
            }
            other => return Err(TestCaseError::fail(format!("expected a total mismatch, got {other:?}"))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Names.

/// Random text: any characters, text full of QBO's forbidden characters, and long text.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z :\t\n\r]{0,40}",
        prop::collection::vec(any::<char>(), 0..700).prop_map(String::from_iter),
        prop::collection::vec(
            prop_oneof![Just('x'), Just(' '), Just(':'), Just('\u{7}')],
            90..130
        )
        .prop_map(String::from_iter),
    ]
}

fn name_config(strict: bool) -> MappingConfig {
    let mut config = money_config(false, true, true);
    config.names.overlong = if strict {
        Overlong::Error
    } else {
        Overlong::Truncate
    };
    config.order.send_doc_number = true;
    config
}

/// The result is valid, or the error names the expected field.
fn check<T>(
    result: Result<T, MappingError>,
    fields: &[&str],
    valid: impl FnOnce(&T) -> bool,
) -> Result<(), TestCaseError> {
    match result {
        Ok(value) => prop_assert!(valid(&value), "invalid output"),
        Err(error) => prop_assert!(
            fields.contains(&error.field()),
            "error {} names {:?}, expected one of {:?}",
            error,
            error.field(),
            fields
        ),
    }
    Ok(())
}

fn opt_valid(value: Option<&String>, max: usize) -> bool {
    value.is_none_or(|v| is_valid_name(v, max))
}

fn opt_line(value: Option<&String>, max: usize) -> bool {
    value.is_none_or(|v| is_valid_line(v, max))
}

fn customer_valid(c: &qbo_api::Customer) -> bool {
    c.display_name
        .as_ref()
        .is_some_and(|d| is_valid_name(d, limits::DISPLAY_NAME))
        && opt_valid(c.given_name.as_ref(), limits::PERSON_NAME)
        && opt_valid(c.family_name.as_ref(), limits::PERSON_NAME)
        && opt_valid(c.company_name.as_ref(), limits::PERSON_NAME)
        && opt_line(
            c.primary_phone
                .as_ref()
                .and_then(|p| p.free_form_number.as_ref()),
            limits::PHONE,
        )
        && c.primary_email_addr
            .as_ref()
            .and_then(|e| e.address.as_deref())
            .is_none_or(mapping::text::is_valid_email)
        && [&c.bill_addr, &c.ship_addr].into_iter().flatten().all(|a| {
            opt_line(a.line1.as_ref(), limits::ADDRESS_LINE)
                && opt_line(a.line2.as_ref(), limits::ADDRESS_LINE)
                && opt_line(a.city.as_ref(), limits::ADDRESS_PART)
                && opt_line(a.country_sub_division_code.as_ref(), limits::ADDRESS_PART)
                && opt_line(a.postal_code.as_ref(), limits::POSTAL_CODE)
                && opt_line(a.country.as_ref(), limits::ADDRESS_PART)
        })
}

fn address(parts: [String; 5]) -> Address {
    let [line1, line2, city, region, postal_code] = parts;
    Address {
        line1: Some(line1),
        line2: Some(line2),
        city: Some(city),
        region: Some(region),
        postal_code: Some(postal_code),
        country: None,
    }
}

proptest! {
    #[test]
    fn customer_names_are_valid_or_named(
        first in text(), last in text(), company in text(), email in text(), phone in text(),
        lines in [text(), text(), text(), text(), text()],
        strict in any::<bool>(), rename in 0u32..3,
    ) {
        let customer = Customer {
            id: CustomerId::new("7"),
            first_name: Some(first),
            last_name: Some(last),
            company: Some(company),
            email: Some(email),
            phone: Some(phone),
            billing_address: Some(address(lines)),
            shipping_address: None,
            active: true,
        };
        let mut links = Links::new();
        if rename > 0 {
            links.set_rename(customer.store_ref(), rename);
        }
        let result = customer.map(&name_config(strict), &links).map(|m| m.entity);
        check(result, &["first_name", "last_name", "company", "phone", "first_name/last_name/company/email"], customer_valid)?;
    }

    #[test]
    fn category_and_product_names_are_valid_or_named(
        name in text(), sku in text(), description in text(), strict in any::<bool>(), rename in 0u32..3,
    ) {
        let config = name_config(strict);
        let mut links = Links::new();
        let category = Category { id: CategoryId::new("3"), name: name.clone(), parent: None, active: true };
        if rename > 0 {
            links.set_rename(category.store_ref(), rename);
        }
        let result = category.map(&config, &links).map(|m| m.entity);
        check(result, &["name"], |item| item.name.as_ref().is_some_and(|n| is_valid_name(n, limits::ITEM_NAME)))?;

        let product = Product {
            id: ProductId::new("9"),
            sku: Some(sku),
            name,
            short_description: None,
            description: Some(description),
            price: Decimal::ONE,
            cost: None,
            stock: None,
            track_stock: false,
            active: true,
            categories: Vec::new(),
            taxable: false,
            tax_ids: Vec::new(),
            created_on: None,
        };
        let result = product.map(&config, &Links::new()).map(|m| m.entity);
        check(result, &["name", "sku"], |item| {
            item.name.as_ref().is_some_and(|n| is_valid_name(n, limits::ITEM_NAME))
                && opt_line(item.sku.as_ref(), limits::SKU)
                && item.description.as_ref().is_none_or(|d| {
                    !d.is_empty() && d.chars().count() <= limits::DESCRIPTION
                        && !d.chars().any(|c| c.is_control() && c != '\n')
                })
        })?;
    }

    #[test]
    fn order_texts_are_valid_or_named(
        number in text(), line_name in text(), shipping_name in text(), discount_name in text(),
        reference in text(), first in text(), shared in text(), per_email in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let mut config = name_config(strict);
        config.discounts = DiscountConfig::Line { account: "86".into() };
        config.guests.shared_name = shared;
        config.guests.mode = if per_email { GuestMode::PerEmail } else { GuestMode::Shared };
        let mut order = build(&Plan {
            lines: vec![(Decimal::ONE, Decimal::TEN, LineDiscountPlan::None, 0)],
            order_discounts: vec![(true, 10)],
            shipping: vec![(500, 0)],
            taxes: Vec::new(),
            delta: 0,
        });
        order.number = Some(number);
        order.lines[0].name = line_name;
        order.shipping[0].name = Some(shipping_name);
        order.discounts[0].name = Some(discount_name);
        if let Some(payment) = &mut order.payment {
            payment.reference = Some(reference);
        }
        order.customer = OrderCustomer::Guest(Guest {
            first_name: Some(first),
            email: Some("guest@example.com".to_owned()),
            ..Guest::default()
        });
        let mut links = order_links(&order);
        for dep in order.dependencies(&config) {
            links.insert(dep, Link::new("1", None));
        }
        if config.validate().is_ok() {
            let guest = map_guest(&order, &config, &links).map(|g| g.map(|m| m.entity));
            check(guest, &["display_name", "first_name", "first_name/last_name/company/email"], |c| c.as_ref().is_some_and(customer_valid))?;
        }
        let result = order.map(&config, &links);
        check(result, &["number"], |mapped| {
            let mapping::OrderDocument::Invoice(invoice) = &mapped.document else { return false };
            opt_line(invoice.doc_number.as_ref(), limits::DOC_NUMBER)
                && invoice.private_note.as_ref().is_some_and(|n| n.chars().count() <= limits::PRIVATE_NOTE)
                && invoice.line.iter().all(|l| opt_line(l.description.as_ref(), limits::DESCRIPTION))
        })?;
    }
}

// ---------------------------------------------------------------------------------------
// Arbitrary input never panics.

/// Any decimal, from zero to ±7.9e28, any scale.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        Just(Decimal::ZERO),
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        extreme_decimal(),
    ]
}

/// The extreme values every entry point must survive: 1e20, 1e28, the largest decimal,
/// negative ones, the smallest fractions.
fn extreme_decimal() -> impl Strategy<Value = Decimal> {
    prop::sample::select(
        EXTREMES
            .iter()
            .map(|t| {
                Decimal::from_str_exact(t)
                    .or_else(|_| Decimal::from_scientific(t))
                    .unwrap()
            })
            .collect::<Vec<_>>(),
    )
}

/// Extreme numbers as text (all within a decimal's range).
const EXTREMES: &[&str] = &[
    "1e20",
    "1e28",
    "-1e28",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "7.9228162514264337593543950335",
    "0.0000000000000000000000000001",
    "-1",
    "-0.01",
    "99999999999999999999.99",
    "18446744073709551616",
];

/// A JSON number's text, any length and exponent (many beyond a decimal's range).
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?",
        prop::sample::select(EXTREMES).prop_map(str::to_owned),
        prop::sample::select(
            &[
                "1E+400",
                "-1E+400",
                "1e-400",
                "79228162514264337593543950336"
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

fn any_id() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{1,3}", any::<String>()]
}

fn any_ids() -> impl Strategy<Value = Vec<TaxId>> {
    prop::collection::vec(
        prop_oneof!["[1-4]", any::<String>()].prop_map(TaxId::new),
        0..3,
    )
}

fn any_discount() -> impl Strategy<Value = Discount> {
    prop_oneof![
        any_decimal().prop_map(Discount::Percent),
        any_decimal().prop_map(Discount::Fixed)
    ]
}

fn any_order() -> impl Strategy<Value = Order> {
    let line = (
        any_id(),
        text(),
        any_decimal(),
        any_decimal(),
        prop::option::of(any_discount()),
        any_ids(),
    )
        .prop_map(
            |(product, name, quantity, unit_price, discount, tax_ids)| OrderLine {
                product: ProductId::new(product),
                sku: None,
                name,
                quantity,
                unit_price,
                discount,
                tax_ids,
            },
        );
    let tax = (
        prop_oneof!["[1-4]", any::<String>()],
        any_decimal(),
        prop::option::of(any_decimal()),
        any::<bool>(),
    )
        .prop_map(|(id, amount, rate, included_in_price)| OrderTax {
            id: TaxId::new(id),
            name: None,
            rate,
            amount,
            included_in_price,
        });
    (
        (
            prop::collection::vec(line, 0..6),
            prop::collection::vec(tax, 0..3),
        ),
        prop::collection::vec((prop::option::of(text()), any_decimal(), any_ids()), 0..3),
        prop::collection::vec((prop::option::of(text()), any_discount()), 0..3),
        (
            any_decimal(),
            prop::option::of(any_decimal()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (prop::option::of(text()), text(), prop::option::of(text())),
    )
        .prop_map(
            |(
                (lines, taxes),
                shipping,
                discounts,
                (total, paid_amount, paid, parent, guest),
                (number, country, email),
            )| Order {
                id: OrderId::new("o"),
                number,
                customer: if guest {
                    OrderCustomer::Guest(Guest {
                        email: email.clone(),
                        ..Guest::default()
                    })
                } else {
                    OrderCustomer::Registered(CustomerId::new("c"))
                },
                date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                currency: if parent {
                    "usd".to_owned()
                } else {
                    "USD".to_owned()
                },
                email,
                billing_address: Some(Address {
                    country: Some(country),
                    ..Address::default()
                }),
                shipping_address: None,
                lines,
                shipping: shipping
                    .into_iter()
                    .map(|(name, amount, tax_ids)| ShippingCharge {
                        name,
                        amount,
                        tax_ids,
                    })
                    .collect(),
                discounts: discounts
                    .into_iter()
                    .map(|(name, discount)| OrderDiscount { name, discount })
                    .collect(),
                taxes,
                total,
                payment: paid_amount.map(|amount| OrderPayment {
                    method: PaymentMethodId::new("card"),
                    amount,
                    reference: None,
                    date: None,
                }),
                status: None,
                paid,
                vendor: None,
                is_marketplace_parent: parent && paid,
                parent_order: None,
                notes: None,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_orders_never_panic(order in any_order(), per_line in any::<bool>(), fold in any::<bool>(), adjustment in any::<bool>()) {
        let config = money_config(per_line, fold, adjustment);
        let mut links = Links::new();
        for dep in order.dependencies(&config) {
            links.insert(dep, Link::new("1", None));
        }
        // Whatever the outcome, a mapped document obeys QBO's rules.
        if let Ok(mapped) = order.map(&config, &links) {
            prop_assert_eq!(qbo_total(&mapped.document)?, order.total);
        }
        let _ = map_guest(&order, &config, &links);
        let _ = payment_dependencies(&order, &config);
        links.insert(order.store_ref(), Link::new("2", None));
        let _ = map_payment(&order, &config, &links);
        let _ = deletion(&order.store_ref(), &config, &links);
    }

    #[test]
    fn arbitrary_products_and_categories_never_panic(
        name in text(), sku in prop::option::of(text()), price in any_decimal(), cost in prop::option::of(any_decimal()),
        stock in prop::option::of(any_decimal()), track in any::<bool>(), tax_ids in any_ids(), parent in prop::option::of(any_id()),
        linked in any::<bool>(),
    ) {
        let config = money_config(track, false, false);
        let category = Category { id: CategoryId::new("1"), name: name.clone(), parent: parent.map(CategoryId::new), active: true };
        let product = Product {
            id: ProductId::new("p"),
            sku,
            name,
            short_description: None,
            description: None,
            price,
            cost,
            stock,
            track_stock: track,
            active: true,
            categories: category.parent.iter().cloned().collect(),
            taxable: !tax_ids.is_empty(),
            tax_ids,
            created_on: None,
        };
        let mut links = Links::new();
        if linked {
            for dep in product.dependencies(&config).into_iter().chain(category.dependencies(&config)) {
                links.insert(dep, Link::new("5", None));
            }
        }
        let _ = category.map(&config, &links);
        let _ = product.map(&config, &links);
        let _ = parents_first(std::slice::from_ref(&category));
    }

    /// Every amount of an order given as an arbitrary JSON number (or string), then mapped:
    /// a value or a typed error, never a panic.
    #[test]
    fn arbitrary_json_numbers_never_panic_reading_or_mapping(
        numbers in prop::collection::vec(number_text(), 12),
        quoted in prop::collection::vec(any::<bool>(), 12),
        per_line in any::<bool>(), fold in any::<bool>(), adjustment in any::<bool>(),
    ) {
        let n: Vec<String> = numbers
            .iter()
            .zip(&quoted)
            .map(|(t, q)| if *q { format!("\"{t}\"") } else { t.clone() })
            .collect();
        let text = format!(
            r#"{{"id": 1, "customer": {{"registered": 2}}, "date": "2024-05-02", "currency": "USD",
            "lines": [{{"product": 3, "name": "x", "quantity": {}, "unit_price": {}, "discount": {{"fixed": {}}}, "tax_ids": [1]}},
                {{"product": 4, "name": "y", "quantity": {}, "unit_price": {}, "discount": {{"percent": {}}}}}],
            "shipping": [{{"amount": {}}}],
            "discounts": [{{"fixed": {}}}],
            "taxes": [{{"id": 1, "rate": {}, "amount": {}, "included_in_price": true}}],
            "total": {},
            "payment": {{"method": "card", "amount": {}}}, "paid": true}}"#,
            n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11]
        );
        let product = format!(r#"{{"id": 1, "name": "Mug", "price": {}, "cost": {}, "stock": {}, "track_stock": true}}"#, n[0], n[1], n[2]);
        let config = money_config(per_line, fold, adjustment);
        if let Ok(order) = serde_json::from_str::<Order>(&text) {
            let mut links = Links::new();
            for dep in order.dependencies(&config) {
                links.insert(dep, Link::new("1", None));
            }
            if let Ok(mapped) = order.map(&config, &links) {
                prop_assert_eq!(qbo_total(&mapped.document)?, order.total);
            }
            links.insert(order.store_ref(), Link::new("2", None));
            let _ = map_payment(&order, &config, &links);
        }
        if let Ok(product) = serde_json::from_str::<Product>(&product) {
            let mut links = Links::new();
            for dep in product.dependencies(&config) {
                links.insert(dep, Link::new("5", None));
            }
            let _ = product.map(&config, &links);
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_model(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = serde_json::from_slice::<Order>(&bytes);
        let _ = serde_json::from_slice::<Product>(&bytes);
        let _ = serde_json::from_slice::<Customer>(&bytes);
        let _ = serde_json::from_slice::<Value>(&bytes).map(serde_json::from_value::<Order>);
    }
}
