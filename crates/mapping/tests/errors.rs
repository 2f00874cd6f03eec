#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Bad input gives a typed error naming the entity and the field, and the configuration is
//! checked.

mod common;

use mapping::config::{MappingConfig, OrderDocumentKind, ProductIdentity, TaxMode};
use mapping::ids::{
    CategoryId, CustomerId, EntityKind, EntityRef, PaymentMethodId, ProductId, TaxId,
};
use mapping::model::{Category, Discount, Order, OrderCustomer, Product};
use mapping::{
    DeleteOperation, Link, Links, MappingError, StoreRef, Transform, clash_name, deletion,
    map_payment, parents_first,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// The US golden configuration and the inputs of the US golden order.
fn us() -> (MappingConfig, Order, Links) {
    let input = common::read_json("golden/order_us.in.json");
    let order: Order = serde_json::from_value(input["order"].clone()).unwrap();
    let mut links = Links::new();
    common::add_links(&mut links, input.get("links"));
    (common::config("us.toml"), order, links)
}

fn product() -> Product {
    let input = common::read_json("golden/product_inventory.in.json");
    serde_json::from_value(input["product"].clone()).unwrap()
}

fn order_ref(id: &str) -> EntityRef {
    EntityRef::new(EntityKind::Order, id)
}

#[test]
fn a_product_without_a_name_names_the_field() {
    let config = common::config("us.toml");
    let links = Links::new().with(
        StoreRef::Category(CategoryId::new("12")),
        Link::new("22", None),
    );
    for name in ["", "   ", "\t\n"] {
        let mut p = product();
        p.name = name.to_owned();
        assert_eq!(
            p.map(&config, &links).unwrap_err(),
            MappingError::Missing {
                entity: EntityRef::new(EntityKind::Product, "301"),
                field: "name".to_owned()
            }
        );
    }
    // A product whose JSON lacks the name entirely reads as empty and fails the same way.
    let json = serde_json::json!({ "id": 9, "price": "1" });
    let p: Product = serde_json::from_value(json).unwrap();
    let err = p.map(&config, &Links::new()).unwrap_err();
    assert_eq!(err.to_string(), "product 9: name is missing or empty");
}

#[test]
fn an_empty_sku_under_sku_identity_names_the_field() {
    let mut config = common::config("us.toml");
    config.products.identity = ProductIdentity::Sku;
    let links = Links::new().with(
        StoreRef::Category(CategoryId::new("12")),
        Link::new("22", None),
    );
    assert!(product().map(&config, &links).is_ok());
    for sku in [None, Some(""), Some("  ")] {
        let mut p = product();
        p.sku = sku.map(str::to_owned);
        let err = p.map(&config, &links).unwrap_err();
        assert_eq!(err.field(), "sku", "{err}");
        assert!(matches!(err, MappingError::Missing { .. }));
    }
    let mut p = product();
    p.sku = Some("X".repeat(101));
    assert!(matches!(
        p.map(&config, &links),
        Err(MappingError::TooLong {
            len: 101,
            max: 100,
            ..
        })
    ));
}

#[test]
fn negative_prices_and_costs_are_refused() {
    let config = common::config("us.toml");
    let links = Links::new().with(
        StoreRef::Category(CategoryId::new("12")),
        Link::new("22", None),
    );
    let mut p = product();
    p.price = dec!(-0.01);
    assert_eq!(
        p.map(&config, &links).unwrap_err(),
        MappingError::Negative {
            entity: EntityRef::new(EntityKind::Product, "301"),
            field: "price".to_owned(),
            value: dec!(-0.01)
        }
    );
    let mut p = product();
    p.cost = Some(dec!(-1));
    assert_eq!(p.map(&config, &links).unwrap_err().field(), "cost");
    let mut p = product();
    p.stock = Some(dec!(-3));
    assert_eq!(p.map(&config, &links).unwrap_err().field(), "stock");

    let (config, mut order, links) = us();
    order.lines[1].unit_price = dec!(-4.50);
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(err.entity(), Some(&order_ref("1001")));
    assert_eq!(err.field(), "lines[1].unit_price");
    assert!(matches!(err, MappingError::Negative { .. }));
}

#[test]
fn a_zero_quantity_names_the_line() {
    let (config, mut order, links) = us();
    order.lines[2].quantity = Decimal::ZERO;
    assert_eq!(
        order.map(&config, &links).unwrap_err(),
        MappingError::ZeroQuantity {
            entity: order_ref("1001"),
            field: "lines[2].quantity".to_owned()
        }
    );
    order.lines[2].quantity = dec!(-1);
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "lines[2].quantity"
    );
}

#[test]
fn unknown_taxes_are_named() {
    // A line naming a tax the order does not have.
    let (config, mut order, links) = us();
    order.lines[1].tax_ids = vec![TaxId::new("99")];
    let err = order.map(&config, &links).unwrap_err();
    assert!(
        matches!(&err, MappingError::UnknownTax { tax, .. } if tax == "99"),
        "{err}"
    );
    assert_eq!(err.field(), "lines[1].tax_ids");

    // An order tax without a [tax.map] entry (US mode with a map).
    let (config, mut order, links) = us();
    order.taxes[0].id = TaxId::new("7");
    order.lines[0].tax_ids = vec![TaxId::new("7")];
    order.lines[2].tax_ids = vec![TaxId::new("7")];
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(err.field(), "taxes[0].id", "{err}");

    // Per-line mode: a combination without a group, a line without tax and no exempt code.
    let (mut config, mut order, links) = us();
    config.tax.mode = TaxMode::PerLine;
    config.tax.map.get_mut(&TaxId::new("6")).unwrap().rate = Some("20".into());
    order.lines[0].tax_ids = vec![TaxId::new("6")];
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err,
        MappingError::Config {
            key: "tax.exempt_code".to_owned(),
            reason: "order 1001: lines[1].tax_ids: a line without tax needs an exempt tax code"
                .to_owned()
        }
    );
    config.tax.exempt_code = Some("14".into());
    assert!(order.map(&config, &links).is_ok());
    order.taxes.push(mapping::model::OrderTax {
        id: TaxId::new("8"),
        name: None,
        rate: None,
        amount: Decimal::ZERO,
        included_in_price: false,
    });
    order.lines[0].tax_ids = vec![TaxId::new("8"), TaxId::new("6")];
    let err = order.map(&config, &links).unwrap_err();
    assert!(
        matches!(&err, MappingError::UnknownTax { tax, .. } if tax == "6+8"),
        "{err}"
    );
    assert_eq!(err.field(), "lines[0].tax_ids");
}

#[test]
fn unknown_payment_methods_are_named() {
    let (config, mut order, mut links) = us();
    order.payment.as_mut().unwrap().method = PaymentMethodId::new("crypto");
    links.insert(order.store_ref(), Link::new("130", None));
    let err = map_payment(&order, &config, &links).unwrap_err();
    assert_eq!(
        err,
        MappingError::UnknownPaymentMethod {
            entity: EntityRef::new(EntityKind::Payment, "1001"),
            field: "payment.method".to_owned(),
            method: PaymentMethodId::new("crypto"),
        }
    );
    // The same on a sales receipt.
    let (mut config, mut order, links) = us();
    config.order.document = OrderDocumentKind::SalesReceipt;
    order.payment.as_mut().unwrap().method = PaymentMethodId::new("crypto");
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "payment.method"
    );
}

#[test]
fn currencies_the_company_does_not_use_are_refused() {
    let (mut config, mut order, links) = us();
    order.currency = "EUR".to_owned();
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err.to_string(),
        "order 1001: currency: the QBO company does not use currency EUR"
    );
    assert!(matches!(
        map_payment(&order, &config, &links),
        Err(MappingError::UnsupportedCurrency { .. })
    ));
    config.currency.multicurrency = true;
    config.currency.accepted = vec!["EUR".to_owned()];
    let mapped = order.map(&config, &links).unwrap();
    let json = mapped.document.to_json().unwrap();
    assert_eq!(json["CurrencyRef"]["value"], "EUR");
}

#[test]
fn totals_beyond_the_tolerance_name_both_totals() {
    let (config, mut order, links) = us();
    order.total = dec!(54.70);
    assert_eq!(
        order.map(&config, &links).unwrap_err(),
        MappingError::TotalMismatch {
            entity: order_ref("1001"),
            expected: dec!(54.70),
            computed: dec!(54.56),
            difference: dec!(0.14),
            tolerance: dec!(0.05),
        }
    );
    // Within the tolerance, the adjustment line carries the difference.
    order.total = dec!(54.51);
    let mapped = order.map(&config, &links).unwrap();
    assert_eq!(mapped.totals.adjustment, dec!(-0.05));
    let last = mapped.document.lines().last().unwrap();
    assert_eq!(last.amount, Some(dec!(-0.05)));
    // Without an adjustment item, it fails naming the difference.
    let mut config = config;
    config.rounding.adjustment = None;
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err.to_string(),
        "order 1001: total: the store total is 54.51 but the QBO document would total 54.56 (difference -0.05) and no adjustment item is configured ([rounding.adjustment])"
    );
}

#[test]
fn money_beyond_qbo_precision_is_an_error() {
    let (config, mut order, links) = us();
    order.lines[1].unit_price = dec!(1.2345678901234567);
    let err = order.map(&config, &links).unwrap_err();
    assert!(
        matches!(err, MappingError::Precision { digits: 17, .. }),
        "{err}"
    );
    assert_eq!(err.field(), "lines[1].unit_price");
    let (config, mut order, links) = us();
    order.lines[1].quantity = dec!(99999999999);
    order.lines[1].unit_price = dec!(99999.99);
    let err = order.map(&config, &links).unwrap_err();
    assert!(matches!(err, MappingError::Precision { .. }), "{err}");
    assert_eq!(err.field(), "lines[1]");
    // Fractions of a cent in a money amount.
    let (config, mut order, links) = us();
    order.shipping[0].amount = dec!(7.955);
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "shipping[0].amount"
    );
}

#[test]
fn discounts_larger_than_their_base_are_refused() {
    let (config, mut order, links) = us();
    order.lines[1].discount = Some(Discount::Fixed(dec!(4.51)));
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err,
        MappingError::DiscountTooLarge {
            entity: order_ref("1001"),
            field: "lines[1].discount".to_owned(),
            discount: dec!(4.51),
            base: dec!(4.50),
        }
    );
    let (config, mut order, links) = us();
    order.lines[0].discount = Some(Discount::Percent(dec!(101)));
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "lines[0].discount"
    );
    let (config, mut order, links) = us();
    order.discounts[0].discount = Discount::Fixed(dec!(100));
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "discounts[0]"
    );
}

#[test]
fn marketplace_parents_are_never_mapped() {
    let (config, mut order, links) = us();
    order.is_marketplace_parent = true;
    assert!(order.dependencies(&config).is_empty());
    assert_eq!(
        order.map(&config, &links).unwrap_err(),
        MappingError::MarketplaceParent {
            entity: order_ref("1001")
        }
    );
    let links = links.with(order.store_ref(), Link::new("130", None));
    assert!(matches!(
        map_payment(&order, &config, &links),
        Err(MappingError::MarketplaceParent { .. })
    ));
}

#[test]
fn sales_receipts_need_paid_orders_and_payments_need_the_invoice() {
    let (mut config, mut order, links) = us();
    order.paid = false;
    assert_eq!(
        map_payment(&order, &config, &links).unwrap(),
        None,
        "unpaid: no payment"
    );
    config.order.document = OrderDocumentKind::SalesReceipt;
    assert_eq!(
        order.map(&config, &links).unwrap_err(),
        MappingError::NotPaid {
            entity: order_ref("1001")
        }
    );
    let (config, order, links) = us();
    let err = map_payment(&order, &config, &links).unwrap_err();
    assert_eq!(
        err.to_string(),
        "payment 1001: id: order 1001 has no QBO link yet; sync it first"
    );
}

#[test]
fn missing_links_name_the_dependency() {
    let (config, order, _) = us();
    let links = Links::new().with(
        StoreRef::Customer(CustomerId::new("42")),
        Link::new("58", None),
    );
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err,
        MappingError::MissingLink {
            entity: order_ref("1001"),
            field: "lines[0].product".to_owned(),
            dependency: StoreRef::Product(ProductId::new("301")),
        }
    );
    let err = order.map(&config, &Links::new()).unwrap_err();
    assert_eq!(err.field(), "customer");
    let category = Category {
        id: CategoryId::new("5"),
        name: "Shirts".to_owned(),
        parent: Some(CategoryId::new("1")),
        active: true,
    };
    assert_eq!(
        category.map(&config, &Links::new()).unwrap_err().field(),
        "parent"
    );
}

#[test]
fn overlong_document_numbers_and_bad_countries_are_named() {
    let (config, mut order, links) = us();
    order.number = Some("1234567890123456789".to_owned());
    let json = order
        .map(&config, &links)
        .unwrap()
        .document
        .to_json()
        .unwrap();
    assert_eq!(
        json["DocNumber"], "W-1234567890123456789",
        "21 characters fit"
    );
    order.number = Some("12345678901234567890".to_owned());
    let err = order.map(&config, &links).unwrap_err();
    assert_eq!(
        err.to_string(),
        "order 1001: number has 22 characters; QBO takes at most 21"
    );
    let (config, mut order, links) = us();
    order.shipping_address.as_mut().unwrap().country = Some("XQ".to_owned());
    assert_eq!(
        order.map(&config, &links).unwrap_err().field(),
        "shipping_address.country"
    );
}

#[test]
fn customers_need_some_name() {
    let config = common::config("us.toml");
    let customer: mapping::model::Customer = serde_json::from_value(
        serde_json::json!({ "id": 5, "first_name": " : ", "email": "not-an-email" }),
    )
    .unwrap();
    // The colon becomes '-', which is a name; an invalid e-mail is left out.
    let mapped = customer.map(&config, &Links::new()).unwrap();
    assert_eq!(mapped.entity.display_name.as_deref(), Some("-"));
    assert_eq!(mapped.entity.primary_email_addr, None);
    let nobody: mapping::model::Customer =
        serde_json::from_value(serde_json::json!({ "id": 6, "first_name": "\t", "email": "nope" }))
            .unwrap();
    assert_eq!(
        nobody.map(&config, &Links::new()).unwrap_err().field(),
        "first_name/last_name/company/email"
    );
    let intl = common::config("intl.toml");
    assert_eq!(
        customer.map(&intl, &Links::new()).unwrap_err().field(),
        "email"
    );
}

#[test]
fn category_trees_are_checked() {
    let cat = |id: &str, parent: Option<&str>| Category {
        id: CategoryId::new(id),
        name: format!("C{id}"),
        parent: parent.map(CategoryId::new),
        active: true,
    };
    let tree = [
        cat("3", Some("2")),
        cat("2", Some("1")),
        cat("1", None),
        cat("4", Some("1")),
    ];
    let ordered: Vec<&str> = parents_first(&tree)
        .unwrap()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ordered, ["1", "2", "4", "3"]);
    let cycle = [cat("1", Some("2")), cat("2", Some("1"))];
    assert!(
        parents_first(&cycle)
            .unwrap_err()
            .to_string()
            .contains("cycle")
    );
    let orphan = [cat("1", Some("9"))];
    assert_eq!(parents_first(&orphan).unwrap_err().field(), "parent");
    let deep = [
        cat("1", None),
        cat("2", Some("1")),
        cat("3", Some("2")),
        cat("4", Some("3")),
        cat("5", Some("4")),
    ];
    let err = parents_first(&deep).unwrap_err();
    assert_eq!(err.entity().unwrap().id, "5");
    assert!(parents_first(&deep[..4]).is_ok());
    let own = cat("7", Some("7"));
    let links = Links::new().with(
        StoreRef::Category(CategoryId::new("7")),
        Link::new("1", None),
    );
    assert_eq!(
        own.map(&common::config("us.toml"), &links)
            .unwrap_err()
            .field(),
        "parent"
    );
}

#[test]
fn configurations_are_validated() {
    let mut config = MappingConfig::new("79", "USD");
    assert_eq!(config.validate().unwrap_err().field(), "accounts.cogs");
    config.accounts.cogs = Some("80".into());
    assert_eq!(
        config.validate().unwrap_err().field(),
        "accounts.inventory_asset"
    );
    config.accounts.inventory_asset = Some("81".into());
    config.validate().unwrap();
    config.tax.mode = TaxMode::PerLine;
    config.tax.map.insert(
        TaxId::new("1"),
        mapping::config::TaxMapping {
            code: "5".into(),
            rate: None,
        },
    );
    assert_eq!(config.validate().unwrap_err().field(), "tax.map.1.rate");
    config.tax.mode = TaxMode::Us;
    config.tax.groups.insert("2+1".to_owned(), "9".into());
    assert_eq!(config.validate().unwrap_err().field(), "tax.groups.2+1");
    config.tax.groups.clear();
    config.currency.accepted = vec!["EUR".to_owned()];
    assert_eq!(config.validate().unwrap_err().field(), "currency.accepted");
    config.currency.accepted.clear();
    config.currency.home = "US".to_owned();
    assert_eq!(config.validate().unwrap_err().field(), "currency.home");
    config.currency.home = "USD".to_owned();
    config.rounding.unit_price_decimals = 11;
    assert_eq!(
        config.validate().unwrap_err().field(),
        "rounding.unit_price_decimals"
    );
    config.rounding.unit_price_decimals = 7;
    config.rounding.tolerance = dec!(-0.01);
    assert_eq!(config.validate().unwrap_err().field(), "rounding.tolerance");
}

#[test]
fn clash_names_fit_the_limit_and_keep_the_suffix() {
    let names = mapping::config::NameConfig::default();
    let entity = EntityRef::new(EntityKind::Product, "301");
    let long = "x".repeat(100);
    let renamed = clash_name(&long, &entity, 1, &names, 100).unwrap();
    assert_eq!(renamed.chars().count(), 100);
    assert!(renamed.ends_with(" (301)"));
    let guest = EntityRef::new(EntityKind::Customer, "guest:a@b.co");
    assert_eq!(
        clash_name("Web", &guest, 2, &names, 500).unwrap(),
        "Web (guest-a@b.co)"
    );
    let mut numbered = names;
    numbered.rename_suffix = " #{n}".to_owned();
    assert_eq!(
        clash_name("Ann", &entity, 3, &numbered, 100).unwrap(),
        "Ann #3"
    );
    numbered.rename_suffix = ": copy".to_owned();
    assert_eq!(
        clash_name("Ann", &entity, 1, &numbered, 100)
            .unwrap_err()
            .field(),
        "names.rename_suffix"
    );
}

#[test]
fn deletes_deactivate_names_and_void_or_delete_documents() {
    let (mut config, order, links) = us();
    let links = links
        .with(order.store_ref(), Link::new("130", Some("2".into())))
        .with(
            StoreRef::Payment(order.id.clone()),
            Link::new("140", Some("0".into())),
        );
    let actions = deletion(&order.store_ref(), &config, &links);
    let summary: Vec<(&str, &str, DeleteOperation)> = actions
        .iter()
        .map(|a| (a.entity, a.id.as_str(), a.operation))
        .collect();
    assert_eq!(
        summary,
        [
            ("Payment", "140", DeleteOperation::Void),
            ("Invoice", "130", DeleteOperation::Void)
        ]
    );
    let body = serde_json::to_value(actions[1].body().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "Invoice": { "Id": "130", "SyncToken": "2" } })
    );
    config.order.on_delete = mapping::config::OrderDeletion::Delete;
    config.order.document = OrderDocumentKind::SalesReceipt;
    let actions = deletion(&order.store_ref(), &config, &links);
    assert_eq!(
        actions.last().map(|a| (a.entity, a.operation)),
        Some(("SalesReceipt", DeleteOperation::Delete))
    );

    let customer = StoreRef::Customer(CustomerId::new("42"));
    let actions = deletion(&customer, &config, &links);
    assert_eq!(actions.len(), 1);
    let body = serde_json::to_value(actions[0].body().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "Customer": { "Id": "58", "SyncToken": "3", "Active": false } })
    );
    let product = StoreRef::Product(ProductId::new("301"));
    let actions = deletion(&product, &config, &links);
    assert_eq!(actions[0].operation, DeleteOperation::Deactivate);
    assert_eq!(
        actions[0].body(),
        None,
        "items need their name: read, then deactivate"
    );
    assert!(deletion(&StoreRef::Product(ProductId::new("999")), &config, &links).is_empty());
    assert!(deletion(&StoreRef::Guest(mapping::GuestKey::Shared), &config, &links).is_empty());
}

#[test]
fn guests_without_a_valid_email_share_the_guest_customer() {
    let mut config = common::config("intl.toml");
    let mut order: Order =
        serde_json::from_value(common::read_json("golden/order_guest.in.json")["order"].clone())
            .unwrap();
    order.currency = "GBP".to_owned();
    assert_eq!(
        mapping::guest_key(&order, &config),
        Some(mapping::GuestKey::Email("cleo@example.net".to_owned()))
    );
    if let OrderCustomer::Guest(guest) = &mut order.customer {
        guest.email = Some("CLEO@Example.NET ".to_owned());
    }
    assert_eq!(
        mapping::guest_key(&order, &config),
        Some(mapping::GuestKey::Email("cleo@example.net".to_owned()))
    );
    if let OrderCustomer::Guest(guest) = &mut order.customer {
        guest.email = Some("cleo at example".to_owned());
    }
    assert_eq!(
        mapping::guest_key(&order, &config),
        Some(mapping::GuestKey::Shared)
    );
    config.guests.mode = mapping::config::GuestMode::Shared;
    order.customer = OrderCustomer::Registered(CustomerId::new("1"));
    assert_eq!(mapping::guest_key(&order, &config), None);
    assert_eq!(
        mapping::map_guest(&order, &config, &Links::new()).unwrap(),
        None
    );
}
