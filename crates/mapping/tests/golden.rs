#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Golden tests: committed store entities (`tests/golden/<case>.in.json`) and the exact QBO
//! JSON each must produce (`<case>.out.json`), written by hand and compared exactly (every
//! key, every value, money as the JSON numbers QBO receives). Every entity is also held to
//! qbo-api's schema table.

mod common;

use mapping::model::{Category, Customer, Order, Product};
use mapping::{Links, Transform, map_guest, map_payment, parents_first, payment_dependencies};
use serde_json::{Map, Value, json};

/// The store entity's dependencies and the mapped entities, in the shape of the `.out.json`.
fn produce(input: &Value) -> Value {
    let config = common::config(input["config"].as_str().expect("config"));
    let mut links = Links::new();
    common::add_links(&mut links, input.get("links"));
    common::add_renames(&mut links, input.get("renames"));
    let mut dependencies = Map::new();
    let mut entities = Vec::new();
    let mut push = |name: &str, json: Value| {
        common::assert_schema(name, &json);
        entities.push(json!({ name: json }));
    };
    if let Some(value) = input.get("customer") {
        let customer: Customer = serde_json::from_value(value.clone()).unwrap();
        dependencies.insert(
            customer.store_ref().to_string(),
            json!(customer.dependencies(&config)),
        );
        let mapped = customer.map(&config, &links).unwrap();
        push("Customer", serde_json::to_value(&mapped.entity).unwrap());
    }
    if let Some(value) = input.get("categories") {
        let categories: Vec<Category> = serde_json::from_value(value.clone()).unwrap();
        for category in parents_first(&categories).unwrap() {
            dependencies.insert(
                category.store_ref().to_string(),
                json!(category.dependencies(&config)),
            );
            let mapped = category.map(&config, &links).unwrap();
            push("Item", serde_json::to_value(&mapped.entity).unwrap());
        }
    }
    if let Some(value) = input.get("product") {
        let product: Product = serde_json::from_value(value.clone()).unwrap();
        dependencies.insert(
            product.store_ref().to_string(),
            json!(product.dependencies(&config)),
        );
        let mapped = product.map(&config, &links).unwrap();
        push("Item", serde_json::to_value(&mapped.entity).unwrap());
    }
    if let Some(value) = input.get("order") {
        let order: Order = serde_json::from_value(value.clone()).unwrap();
        dependencies.insert(
            order.store_ref().to_string(),
            json!(order.dependencies(&config)),
        );
        if let Some(guest) = map_guest(&order, &config, &links).unwrap() {
            push("Customer", serde_json::to_value(&guest.entity).unwrap());
        }
        let mapped = order.map(&config, &links).unwrap();
        assert_eq!(
            mapped.totals.lines - mapped.totals.discount
                + mapped.totals.tax
                + mapped.totals.adjustment,
            mapped.totals.expected
        );
        push(mapped.document.name(), mapped.document.to_json().unwrap());
        if config.order.document == mapping::config::OrderDocumentKind::InvoiceAndPayment {
            dependencies.insert(
                format!("payment {}", order.id),
                json!(payment_dependencies(&order, &config)),
            );
        }
        common::add_links(&mut links, input.get("then_links"));
        if let Some(payment) = map_payment(&order, &config, &links).unwrap() {
            push("Payment", serde_json::to_value(&payment.entity).unwrap());
        }
    }
    json!({ "dependencies": dependencies, "entities": entities })
}

fn golden(case: &str) {
    let input = common::read_json(&format!("golden/{case}.in.json"));
    let expected = common::read_json(&format!("golden/{case}.out.json"));
    let actual = produce(&input);
    assert!(
        actual == expected,
        "{case}: the mapping differs from golden/{case}.out.json\n--- produced:\n{}\n--- expected:\n{}",
        serde_json::to_string_pretty(&actual).unwrap(),
        serde_json::to_string_pretty(&expected).unwrap(),
    );
}

#[test]
fn golden_customer() {
    golden("customer");
}

#[test]
fn golden_customer_renamed_after_a_clash() {
    golden("customer_renamed");
}

#[test]
fn golden_category_tree() {
    golden("category_tree");
}

#[test]
fn golden_inventory_product() {
    golden("product_inventory");
}

#[test]
fn golden_non_inventory_product_update() {
    golden("product_non_inventory");
}

#[test]
fn golden_us_order_with_tax_shipping_and_discount() {
    golden("order_us");
}

#[test]
fn golden_non_us_order_with_per_line_tax_codes() {
    golden("order_intl");
}

#[test]
fn golden_guest_order_with_rounding_adjustment() {
    golden("order_guest");
}

#[test]
fn golden_marketplace_child_order() {
    golden("order_marketplace_child");
}
