//! Store-model amounts given as JSON numbers are read exactly, as their text says: no `f64`
//! on the way (a webhook sends the model as JSON, numbers as numbers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use mapping::model::{Discount, Order, Product};
use rust_decimal::Decimal;

/// Numbers an `f64` cannot hold exactly (or holds only approximately).
const AMOUNTS: &[&str] = &[
    "12345678901234567.89",
    "0.1",
    "0.30000000000000004",
    "79228162514264337593543950335",
    "-7922816251426433759354395033.5",
    "1.0000000000000000000000000001",
    "1e-28",
    "1.5E+3",
];

fn order_json(n: &str) -> String {
    format!(
        r#"{{"id": 1, "customer": {{"registered": 2}}, "date": "2024-05-02", "currency": "USD",
        "lines": [{{"product": 3, "name": "x", "quantity": {n}, "unit_price": {n},
            "discount": {{"fixed": {n}}}}},
            {{"product": 4, "name": "y", "quantity": 1, "unit_price": 1, "discount": {{"percent": {n}}}}}],
        "shipping": [{{"amount": {n}}}],
        "discounts": [{{"name": "A", "fixed": {n}}}, {{"percent": {n}}}],
        "taxes": [{{"id": 6, "rate": {n}, "amount": {n}}}],
        "total": {n},
        "payment": {{"method": 1, "amount": {n}}}}}"#
    )
}

fn exact(text: &str) -> Decimal {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .unwrap()
}

#[test]
fn order_amounts_given_as_json_numbers_are_exact() {
    for n in AMOUNTS {
        let want = exact(n);
        let order: Order =
            serde_json::from_str(&order_json(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
        let line = &order.lines[0];
        let got = [
            line.quantity,
            line.unit_price,
            match line.discount {
                Some(Discount::Fixed(d)) => d,
                ref other => panic!("{other:?}"),
            },
            match order.lines[1].discount {
                Some(Discount::Percent(d)) => d,
                ref other => panic!("{other:?}"),
            },
            order.shipping[0].amount,
            match order.discounts[0].discount {
                Discount::Fixed(d) => d,
                ref other => panic!("{other:?}"),
            },
            match order.discounts[1].discount {
                Discount::Percent(d) => d,
                ref other => panic!("{other:?}"),
            },
            order.taxes[0].rate.unwrap(),
            order.taxes[0].amount,
            order.total,
            order.payment.as_ref().unwrap().amount,
        ];
        for (i, g) in got.iter().enumerate() {
            assert_eq!(*g, want, "{n}: amount {i} read as {g}");
        }
        // The same amounts as strings read the same.
        let quoted = order_json(&format!("\"{n}\""));
        let from_strings: Order = serde_json::from_str(&quoted).unwrap();
        assert_eq!(from_strings, order, "{n}");
        // And the model round-trips through its own JSON.
        let again: Order = serde_json::from_str(&serde_json::to_string(&order).unwrap()).unwrap();
        assert_eq!(again, order, "{n}");
    }
}

#[test]
fn product_amounts_given_as_json_numbers_are_exact() {
    for n in AMOUNTS {
        let want = exact(n);
        let text =
            format!(r#"{{"id": 1, "name": "Mug", "price": {n}, "cost": {n}, "stock": {n}}}"#);
        let p: Product = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(p.price, want, "{n}");
        assert_eq!(p.cost, Some(want), "{n}");
        assert_eq!(p.stock, Some(want), "{n}");
    }
}

#[test]
fn amounts_a_decimal_cannot_hold_are_errors_naming_the_value_kind() {
    for n in [
        "79228162514264337593543950336",
        "0.12345678901234567890123456789",
        "\"0.00000000000000000000000000001\"",
        "1E+400",
        "1e29",
        "true",
        "\"12,50\"",
        "\"\"",
        "null",
        "[1]",
    ] {
        let text = format!(r#"{{"id": 1, "name": "Mug", "price": {n}}}"#);
        let e = serde_json::from_str::<Product>(&text).unwrap_err();
        assert!(
            e.to_string().contains("decimal") || e.to_string().contains("number"),
            "{n}: {e}"
        );
    }
}
