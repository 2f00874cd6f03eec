//! Conversion into the `mapping` store model, against golden JSON in `tests/golden/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cscart_api::convert;
use cscart_api::decode::{self, Page};
use cscart_api::error::CscartError;
use cscart_api::model::{Category, Order, Product, User};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Compares `value` with the golden file; `CSCART_BLESS=1` rewrites it instead.
fn golden<T: serde::Serialize>(name: &str, value: &T) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let got = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("CSCART_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(got, want, "golden {name} differs");
}

fn settings(currency: &str) -> convert::OrderSettings {
    convert::OrderSettings {
        paid_statuses: vec!["P".to_owned(), "C".to_owned()],
        currency: currency.to_owned(),
        multi_vendor: true,
    }
}

#[test]
fn paid_child_order_golden() {
    let order: Order =
        decode::entity(&read("fixtures/order_paid.json"), "order", "order_id").unwrap();
    let model = convert::order(&order, &settings("USD")).unwrap();
    golden("order_paid.json", &model);
}

#[test]
fn guest_open_order_golden() {
    let order: Order =
        decode::entity(&read("fixtures/order_minimal.json"), "order", "order_id").unwrap();
    let model = convert::order(&order, &settings("EUR")).unwrap();
    assert!(!model.paid && model.payment.is_none());
    golden("order_guest.json", &model);
}

#[test]
fn products_golden_with_store_default_tracking() {
    let page: Page<Product> = decode::page(
        &read("fixtures/products_page.json"),
        "products",
        "product",
        "product_id",
    )
    .unwrap();
    let converted: Vec<_> = page
        .items
        .iter()
        .map(|p| convert::product(p, true).map_err(|e| e.to_string()))
        .collect();
    golden("products.json", &converted);
}

#[test]
fn categories_golden() {
    let page: Page<Category> = decode::page(
        &read("fixtures/categories_page.json"),
        "categories",
        "category",
        "category_id",
    )
    .unwrap();
    let converted: Vec<_> = page
        .items
        .iter()
        .map(|c| convert::category(c).map_err(|e| e.to_string()))
        .collect();
    golden("categories.json", &converted);
}

#[test]
fn customers_take_addresses_from_their_latest_order() {
    let page: Page<User> = decode::page(
        &read("fixtures/users_page.json"),
        "users",
        "user",
        "user_id",
    )
    .unwrap();
    let order: Order =
        decode::entity(&read("fixtures/order_paid.json"), "order", "order_id").unwrap();
    let ann = convert::customer(&page.items[0], Some(&order)).unwrap();
    golden("customer.json", &ann);
    let err = convert::customer(&page.items[1], None).unwrap_err();
    assert!(
        matches!(&err, CscartError::Convert { field, .. } if field == "email"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "cannot convert customer 4: email: missing");
}

#[test]
fn an_order_line_for_a_deleted_product_is_an_error_naming_it() {
    let order: Order = decode::entity(&read("fixtures/order.json"), "order", "order_id").unwrap();
    let err = convert::order(&order, &settings("USD")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert order 101: products.1911.product_id: the product was deleted from the store"
    );
}

#[test]
fn taxes_go_to_the_lines_and_shipping_they_applied_to() {
    let body = br#"{"order_id":"9","timestamp":"1700000000","status":"C","user_id":"3","total":"32.60",
        "shipping_cost":"10.00","payment_id":"0",
        "products":{"a":{"item_id":"a","product_id":"1","price":"10.00","amount":"1"},
                    "b":{"item_id":"b","product_id":"2","price":"10.00","amount":"1","discount":"0.00"}},
        "taxes":{"5":{"rate_type":"P","rate_value":"10","tax_subtotal":"2.00","applies":{"P":"1.00","S":"1.00","items":{"P":{"a":true},"S":{"0":true}}}},
                 "6":{"rate_type":"F","rate_value":"0.60","tax_subtotal":"0.60","price_includes_tax":"N"}}}"#;
    let order: Order = decode::entity(body, "order", "order_id").unwrap();
    let model = convert::order(&order, &settings("USD")).unwrap();
    let line_taxes: Vec<Vec<&str>> = model
        .lines
        .iter()
        .map(|l| l.tax_ids.iter().map(|t| t.as_str()).collect())
        .collect();
    assert_eq!(line_taxes, vec![vec!["5", "6"], vec!["6"]]);
    assert_eq!(model.shipping[0].tax_ids.len(), 1);
    assert_eq!(model.shipping[0].tax_ids[0].as_str(), "5");
    assert_eq!(
        model.lines[1].discount, None,
        "a zero discount is no discount"
    );
    assert_eq!(model.taxes[1].rate, None, "a fixed tax has no percentage");
    assert!(model.paid);
    assert_eq!(model.payment, None, "payment id 0 is no method");
}

#[test]
fn a_plain_shops_storefront_is_not_a_vendor() {
    let order: Order =
        decode::entity(&read("fixtures/order_paid.json"), "order", "order_id").unwrap();
    assert!(order.company_id.is_some());
    let plain = convert::OrderSettings {
        multi_vendor: false,
        ..settings("USD")
    };
    assert_eq!(convert::order(&order, &plain).unwrap().vendor, None);
    assert!(
        convert::order(&order, &settings("USD"))
            .unwrap()
            .vendor
            .is_some()
    );
}
