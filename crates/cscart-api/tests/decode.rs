//! Decoding of CS-Cart-shaped payloads (fixtures written from the CS-Cart API notes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::DateTime;
use cscart_api::decode::{self, Page};
use cscart_api::error::CscartError;
use cscart_api::ids::{
    CategoryId, CustomerId, OrderId, PaymentMethodId, ProductId, TaxId, VendorId,
};
use cscart_api::model::{
    Category, Order, OrderSummary, Product, Status, Tracking, User, paid_statuses,
};
use rust_decimal_macros::dec;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

#[test]
fn products_page_tolerates_strings_numbers_nulls_and_unknown_fields() {
    let page: Page<Product> = decode::page(
        &fixture("products_page.json"),
        "products",
        "product",
        "product_id",
    )
    .unwrap();
    assert_eq!(page.total_items, Some(4));
    assert_eq!(page.page, Some(1));
    assert_eq!(page.items_per_page, Some(10));
    let [a, b, c, d] = page.items.as_slice() else {
        panic!("4 products expected")
    };
    assert_eq!(a.product_id, ProductId::new("12"));
    assert_eq!(a.name.as_deref(), Some("Blue T-shirt"));
    assert_eq!(a.price, Some(dec!(19.99)));
    assert_eq!(a.list_price, Some(dec!(25.00)));
    assert_eq!(a.amount, Some(dec!(7)));
    assert_eq!(a.tracking, Tracking::Track);
    assert_eq!(a.company_id, Some(VendorId::new("1")));
    assert_eq!(a.main_category, Some(CategoryId::new("166")));
    assert_eq!(
        a.category_ids,
        vec![CategoryId::new("166"), CategoryId::new("167")]
    );
    assert_eq!(a.tax_ids, vec![TaxId::new("6"), TaxId::new("7")]);
    assert_eq!(a.short_description, None);
    assert_eq!(a.timestamp, DateTime::from_timestamp(1_700_000_000, 0));
    assert_eq!(
        a.updated_timestamp,
        DateTime::from_timestamp(1_700_003_600, 0)
    );

    assert_eq!(b.product_id, ProductId::new("13"));
    assert_eq!(b.name, None);
    assert_eq!(b.product_code, None);
    // A JSON number is read from its text: 5.1 stays 5.1 exactly.
    assert_eq!(b.price, Some(dec!(5.1)));
    assert_eq!(b.price.unwrap().to_string(), "5.1");
    assert_eq!(b.tracking, Tracking::StoreDefault);
    assert_eq!(b.company_id, None);
    assert_eq!(b.main_category, None);
    assert!(b.category_ids.is_empty() && b.tax_ids.is_empty());
    assert_eq!(b.timestamp, DateTime::from_timestamp(1_700_000_001, 0));
    assert_eq!(b.updated_timestamp, None);

    assert_eq!(c.price.unwrap().to_string(), "0.10");
    assert_eq!(c.tracking, Tracking::Track, "legacy O is B");
    assert_eq!(d.price, Some(dec!(100)));
    assert_eq!(d.tracking, Tracking::DoNotTrack);
}

#[test]
fn categories_page_reads_parents_and_null_names() {
    let page: Page<Category> = decode::page(
        &fixture("categories_page.json"),
        "categories",
        "category",
        "category_id",
    )
    .unwrap();
    assert_eq!(page.total_items, Some(2));
    let top = &page.items[0];
    assert_eq!(top.name.as_deref(), Some("Apparel"));
    assert_eq!(top.parent_id, None);
    assert_eq!(top.level, Some(1));
    assert_eq!(top.product_count, Some(3));
    let child = &page.items[1];
    assert_eq!(child.parent_id, Some(CategoryId::new("166")));
    assert_eq!(child.id_path.as_deref(), Some("166/167"));
    assert_eq!(child.name, None);
    assert_eq!(child.status.as_deref(), Some("H"));
    assert_eq!(child.company_id, Some(VendorId::new("1")));
}

#[test]
fn users_page_reads_users_without_addresses() {
    let page: Page<User> =
        decode::page(&fixture("users_page.json"), "users", "user", "user_id").unwrap();
    let ann = &page.items[0];
    assert_eq!(ann.user_id, CustomerId::new("3"));
    assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
    assert_eq!(ann.company, None);
    assert_eq!(ann.company_name.as_deref(), Some("Simtech"));
    assert_eq!(ann.last_login, DateTime::from_timestamp(1_700_000_000, 0));
    let bob = &page.items[1];
    assert_eq!(bob.user_id, CustomerId::new("4"));
    assert_eq!((bob.firstname.as_ref(), bob.email.as_ref()), (None, None));
    assert_eq!(bob.status.as_deref(), Some("D"));
    assert_eq!(bob.last_login, None);
}

#[test]
fn orders_page_reads_list_rows() {
    let page: Page<OrderSummary> =
        decode::page(&fixture("orders_page.json"), "orders", "order", "order_id").unwrap();
    assert_eq!(page.total_items, Some(2));
    let a = &page.items[0];
    assert_eq!(a.order_id, OrderId::new("101"));
    assert_eq!(a.parent_order_id, Some(OrderId::new("100")));
    assert!(!a.is_parent_order);
    assert_eq!(a.total, Some(dec!(43.98)));
    let b = &page.items[1];
    assert_eq!(b.user_id, None, "user 0 is a guest");
    assert_eq!(b.total.unwrap().to_string(), "12.5");
    assert_eq!(b.timestamp, DateTime::from_timestamp(1_700_000_100, 0));
}

#[test]
fn full_order_reads_keyed_products_taxes_payment_and_addresses() {
    let order: Order = decode::entity(&fixture("order.json"), "order", "order_id").unwrap();
    assert_eq!(order.order_id, OrderId::new("101"));
    assert_eq!(order.total, dec!(43.98));
    assert_eq!(order.subtotal_discount, Some(dec!(2.00)));
    assert_eq!(order.shipping_cost, Some(dec!(5.00)));
    assert_eq!(order.updated_at, DateTime::from_timestamp(1_700_007_200, 0));
    assert_eq!(order.payment_id, Some(PaymentMethodId::new("2")));
    let pm = order.payment_method.as_ref().unwrap();
    assert_eq!(pm.name.as_deref(), Some("Credit card"));
    assert_eq!(pm.processor, None);

    assert_eq!(order.products.len(), 2);
    let (key, line) = &order.products[0];
    assert_eq!(key, "2876592121");
    assert_eq!(line.product_id, ProductId::new("12"));
    assert_eq!((line.price, line.amount), (dec!(19.99), dec!(2)));
    assert_eq!(line.subtotal, Some(dec!(39.98)));
    assert!(!line.deleted_product);
    let (_, gone) = &order.products[1];
    assert_eq!(gone.item_id.as_str(), "1911");
    assert!(gone.deleted_product);
    assert_eq!(gone.product_code, None);
    assert_eq!(gone.price.to_string(), "0.1");

    assert_eq!(order.tax_ids(), vec![TaxId::new("6")]);
    let (_, tax) = &order.taxes[0];
    assert_eq!(tax.rate_value.unwrap().to_string(), "6.250");
    assert_eq!(tax.tax_subtotal, Some(dec!(0.61)));
    assert!(!tax.price_includes_tax);
    assert_eq!(tax.description.as_deref(), Some("MA sales tax"));

    let bill = order.billing();
    assert_eq!(bill.address.as_deref(), Some("1 Main St"));
    assert_eq!(bill.address_2, None);
    assert_eq!(bill.state.as_deref(), Some("MA"));
    let ship = order.shipping();
    assert_eq!(ship.city.as_deref(), Some("Cambridge"));
    assert_eq!(ship.address_2.as_deref(), Some("Apt 4"));
    assert_eq!(ship.phone.as_deref(), Some("+1 555 0100"));
}

#[test]
fn empty_maps_arrive_as_arrays() {
    let order: Order = decode::entity(&fixture("order_minimal.json"), "order", "order_id").unwrap();
    assert!(order.products.is_empty());
    assert!(order.taxes.is_empty());
    assert_eq!(order.payment_method, None);
    assert_eq!(order.updated_at, None);
    assert_eq!(order.user_id, None);
    assert_eq!(order.billing().country, None);
}

#[test]
fn statuses_and_paid_rule() {
    let page: Page<Status> =
        decode::page(&fixture("statuses.json"), "statuses", "status", "status_id").unwrap();
    assert_eq!(page.total_items, Some(4));
    assert_eq!(page.items.len(), 4);
    assert!(page.items[0].payment_received());
    assert!(!page.items[2].payment_received());
    assert!(page.items[3].params.is_empty());
    assert_eq!(page.items[3].description.as_deref(), Some("Awaiting call"));
    assert_eq!(paid_statuses(&page.items), vec!["P", "C"]);
    let none_flagged: Vec<Status> = page.items[2..].to_vec();
    assert_eq!(paid_statuses(&none_flagged), vec!["P", "C"]);
    let only_c = vec![page.items[1].clone()];
    assert_eq!(paid_statuses(&only_c), vec!["C"]);
}

#[test]
fn a_bad_price_names_the_entity_id_and_field() {
    let body = br#"{"products":[{"product_id":"1","price":"1"},{"product_id":"77","price":"abc"}],"params":{"total_items":"2"}}"#;
    let err = decode::page::<Product>(body, "products", "product", "product_id").unwrap_err();
    match &err {
        CscartError::Decode { what, id, path, .. } => {
            assert_eq!(what, "product");
            assert_eq!(id.as_deref(), Some("77"));
            assert_eq!(path, "price");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("product 77"), "{err}");
}

#[test]
fn a_bad_order_line_names_the_order_and_the_line() {
    let body = br#"{"order_id":"5","total":"1.00","products":{"9":{"item_id":"9","product_id":"3","price":"x","amount":"1"}}}"#;
    let err = decode::entity::<Order>(body, "order", "order_id").unwrap_err();
    let CscartError::Decode { id, path, .. } = &err else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(id.as_deref(), Some("5"));
    assert!(path.starts_with("products"), "{path}");
}

#[test]
fn a_page_that_is_not_json_is_a_decode_error() {
    let err = decode::page::<Product>(b"<html>oops</html>", "products", "product", "product_id")
        .unwrap_err();
    assert!(matches!(err, CscartError::Decode { ref what, .. } if what == "products page"));
}

#[test]
fn missing_list_key_and_params_are_an_empty_page() {
    let page: Page<User> = decode::page(br#"{"users":[]}"#, "users", "user", "user_id").unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total_items, None);
}

#[test]
fn flags_and_money_edge_cases() {
    let body = br#"{"order_id":1,"total":"-0.005","is_parent_order":true,"taxes":{"7":{"price_includes_tax":"Y","rate_value":7}}}"#;
    let order: Order = decode::entity(body, "order", "order_id").unwrap();
    assert_eq!(order.total.to_string(), "-0.005");
    assert!(order.is_parent_order);
    assert!(order.taxes[0].1.price_includes_tax);
    assert_eq!(order.taxes[0].1.rate_value, Some(dec!(7)));
    let bad = br#"{"order_id":1,"total":null}"#;
    assert!(decode::entity::<Order>(bad, "order", "order_id").is_err());
    let big = br#"{"order_id":1,"total":12345678901234567.89}"#;
    let order: Order = decode::entity(big, "order", "order_id").unwrap();
    assert_eq!(order.total.to_string(), "12345678901234567.89");
}

#[test]
fn tax_applies_names_lines_and_shipping() {
    let order: Order = decode::entity(&fixture("order.json"), "order", "order_id").unwrap();
    let (_, tax) = &order.taxes[0];
    let applies = tax.applies.as_ref().unwrap();
    assert_eq!(applies.products, Some(dec!(0.61)));
    assert_eq!(applies.items.products, vec!["2876592121"]);
    assert!(applies.items.shipping.is_empty());
    assert!(tax.applies_to_item("2876592121"));
    assert!(!tax.applies_to_item("1911"));
    assert!(!tax.applies_to_shipping());
    let body = br#"{"order_id":1,"total":"1","taxes":{"3":{"applies":{"P":0,"S":"0.40","items":[]}},"4":{}}}"#;
    let order: Order = decode::entity(body, "order", "order_id").unwrap();
    assert!(order.taxes[0].1.applies_to_shipping());
    assert!(!order.taxes[0].1.applies_to_item("7"));
    assert!(
        order.taxes[1].1.applies_to_item("7"),
        "no applies: every line"
    );
    assert!(!order.taxes[1].1.applies_to_shipping());
}
