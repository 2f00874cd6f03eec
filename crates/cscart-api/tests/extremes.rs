//! Extreme numbers from the store, through every entry point (entity and page decoding,
//! then conversion into the store model): a typed error or a value, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cscart_api::convert;
use cscart_api::decode;
use cscart_api::model::{Order, Product, User};
use serde_json::{Value, json};

/// Extreme numbers as JSON text: each is tried bare (a JSON number) and quoted (a string).
const EXTREMES: &[&str] = &[
    "1e20",
    "1e28",
    "-1e28",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "7.9228162514264337593543950335e28",
    "99999999999999999999999999999999999999",
    "1E+400",
    "1e-400",
    "-1E+400",
    "1e-28",
    "0.0000000000000000000000000001",
    "-1",
    "-0.000000000000000000000000001",
    "18446744073709551616",
    "-9223372036854775809",
    "1.5e",
    "1e99999999999999999999",
    "1e-99999999999999999999",
    "1e2147483648",
    "1e-2147483649",
    "9.99999999999999999999999999999999e27",
    "-0",
    "+1",
    "NaN",
    "Infinity",
];

fn order_with(path: &[&str], value: &str) -> String {
    let mut order = json!({
        "order_id": "1", "user_id": "3", "status": "P", "payment_id": "2",
        "total": "20.00", "subtotal": "20.00", "subtotal_discount": "1.00",
        "shipping_cost": "5.00", "payment_surcharge": "1.00",
        "timestamp": "1700000000", "updated_at": "1700000000",
        "products": {"7": {"item_id": "7", "product_id": "12", "price": "10.00",
            "amount": "2", "discount": "1.00"}},
        "taxes": {"6": {"rate_type": "P", "rate_value": "6.25", "price_includes_tax": "N",
            "tax_subtotal": "1.25", "applies": {"P": 1.25, "S": 0, "items": {"S": [], "P": {"7": true}}}}}
    });
    set(&mut order, path, value)
}

/// `doc` with the field at `path` replaced by the raw JSON `value`.
fn set(doc: &mut Value, path: &[&str], value: &str) -> String {
    let mut at = &mut *doc;
    for key in path {
        at = &mut at[*key];
    }
    *at = json!("@@VALUE@@");
    doc.to_string().replace("\"@@VALUE@@\"", value)
}

fn order_paths() -> Vec<Vec<&'static str>> {
    vec![
        vec!["total"],
        vec!["subtotal"],
        vec!["subtotal_discount"],
        vec!["shipping_cost"],
        vec!["payment_surcharge"],
        vec!["timestamp"],
        vec!["updated_at"],
        vec!["products", "7", "price"],
        vec!["products", "7", "amount"],
        vec!["products", "7", "discount"],
        vec!["taxes", "6", "rate_value"],
        vec!["taxes", "6", "tax_subtotal"],
    ]
}

fn settings() -> convert::OrderSettings {
    convert::OrderSettings {
        paid_statuses: vec!["P".to_owned()],
        currency: "USD".to_owned(),
        multi_vendor: false,
    }
}

fn forms(value: &str) -> [String; 2] {
    [value.to_owned(), format!("\"{value}\"")]
}

#[test]
fn extreme_order_numbers_never_panic() {
    for path in order_paths() {
        for extreme in EXTREMES {
            for value in forms(extreme) {
                let body = order_with(&path, &value);
                if let Ok(order) = decode::entity::<Order>(body.as_bytes(), "order", "order_id") {
                    // A value or a typed error naming the order; never a panic.
                    if let Err(e) = convert::order(&order, &settings()) {
                        assert!(e.to_string().contains("order 1"), "{path:?} {value}: {e}");
                    }
                }
                let page = format!(r#"{{"orders":[{body}],"params":{{"total_items":"1"}}}}"#);
                let _ = decode::page::<Order>(page.as_bytes(), "orders", "order", "order_id");
            }
        }
    }
}

/// Every pair of extreme line values (price × amount × discount) converts or fails cleanly.
#[test]
fn extreme_order_lines_never_panic() {
    for price in EXTREMES {
        for amount in EXTREMES {
            for discount in ["1.00", "1e28", "79228162514264337593543950335", "-5"] {
                let mut order: Value = serde_json::from_str(&order_with(&["total"], "1")).unwrap();
                let line = &mut order["products"]["7"];
                line["price"] = json!(price);
                line["amount"] = json!(amount);
                line["discount"] = json!(discount);
                let body = order.to_string();
                if let Ok(order) = decode::entity::<Order>(body.as_bytes(), "order", "order_id") {
                    let _ = convert::order(&order, &settings());
                }
            }
        }
    }
}

#[test]
fn extreme_product_and_user_numbers_never_panic() {
    for field in [
        "price",
        "amount",
        "list_price",
        "timestamp",
        "updated_timestamp",
    ] {
        for extreme in EXTREMES {
            for value in forms(extreme) {
                let mut p = json!({"product_id": "12", "product": "Mug", "price": "1.00",
                    "amount": "3", "timestamp": "1700000000"});
                let body = set(&mut p, &[field], &value);
                if let Ok(product) =
                    decode::entity::<Product>(body.as_bytes(), "product", "product_id")
                {
                    let _ = convert::product(&product, true);
                }
            }
        }
    }
    for field in ["timestamp", "last_login", "user_id"] {
        for extreme in EXTREMES {
            for value in forms(extreme) {
                let mut u = json!({"user_id": "5", "email": "a@example.com"});
                let body = set(&mut u, &[field], &value);
                if let Ok(user) = decode::entity::<User>(body.as_bytes(), "user", "user_id") {
                    let _ = convert::customer(&user, None);
                }
            }
        }
    }
}

/// The line discount (`discount` × quantity) and the undiscounted price (`price` +
/// `discount`) of an order line too large for a decimal is a conversion error naming the
/// line, not a panic.
#[test]
fn an_overflowing_line_is_a_conversion_error() {
    let mut order: Value = serde_json::from_str(&order_with(&["total"], "1")).unwrap();
    order["products"]["7"]["price"] = json!("79228162514264337593543950335");
    order["products"]["7"]["discount"] = json!("1");
    let o: Order = decode::entity(order.to_string().as_bytes(), "order", "order_id").unwrap();
    let e = convert::order(&o, &settings()).unwrap_err();
    assert!(e.to_string().contains("products.7"), "{e}");
    order["products"]["7"]["price"] = json!("1");
    order["products"]["7"]["discount"] = json!("1e28");
    order["products"]["7"]["amount"] = json!("100");
    let o: Order = decode::entity(order.to_string().as_bytes(), "order", "order_id").unwrap();
    let e = convert::order(&o, &settings()).unwrap_err();
    assert!(e.to_string().contains("products.7"), "{e}");
}
