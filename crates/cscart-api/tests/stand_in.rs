//! The CS-Cart stand-in: its quirks through `CscartClient`, and through bare reqwest where
//! the client would hide them.
#![cfg(feature = "stand-in")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cscart_api::client::ListQuery;
use cscart_api::ids::{CustomerId, OrderId, ProductId};
use cscart_api::model::paid_statuses;
use cscart_api::stand_in::{
    FaultKind, Faults, Generate, NewOrder, NewProduct, NewUser, SALES_TAX_ID, StandIn,
    StandInConfig, VAT_ID,
};
use cscart_api::{CscartClient, CscartError, convert};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::ExposeSecret;
use serde_json::Value;

async fn shop() -> StandIn {
    StandIn::start(StandInConfig::default()).await.unwrap()
}

fn client(shop: &StandIn) -> CscartClient {
    CscartClient::builder(shop.base_url(), shop.email(), shop.api_key())
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .max_attempts(2)
        .items_per_page(10)
        .build()
        .unwrap()
}

/// A raw authenticated GET: status, body as JSON (or `Value::Null` when it is not JSON) and
/// the raw text.
async fn raw(shop: &StandIn, path_and_query: &str) -> (u16, Value, String) {
    let response = reqwest::Client::new()
        .get(format!("{}api/{path_and_query}", shop.base_url()))
        .basic_auth(shop.email(), Some(shop.api_key().expose_secret()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, value, text)
}

fn small() -> Generate {
    Generate {
        categories: 8,
        products: 40,
        users: 15,
        orders: 30,
        vendors: 0,
    }
}

fn product(name: &str, price: Decimal, amount: i64) -> NewProduct {
    NewProduct {
        name: name.to_owned(),
        sku: format!("SKU-{name}"),
        price,
        amount,
        tracking: Some('B'),
        ..NewProduct::default()
    }
}

#[tokio::test]
async fn bad_credentials_are_401_with_the_basic_realm() {
    let shop = shop().await;
    let http = reqwest::Client::new();
    let url = format!("{}api/products", shop.base_url());
    for request in [
        http.get(&url),
        http.get(&url).basic_auth(shop.email(), Some("wrong")),
        http.get(&url)
            .basic_auth("ADMIN@example.com", Some("stand-in-key")),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"User email/API key\""
        );
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body["message"], "Unauthorized");
        assert_eq!(body["status"], 401);
    }
    let bad = CscartClient::builder(shop.base_url(), shop.email(), "nope".to_owned().into())
        .build()
        .unwrap();
    let err = bad.all_products(&ListQuery::new()).await.unwrap_err();
    assert!(matches!(err, CscartError::Unauthorized { .. }), "{err:?}");
    // A disabled admin account is refused too.
    shop.update_user(1, |u| u.status = 'D');
    let err = client(&shop)
        .product(&ProductId::new("1"))
        .await
        .unwrap_err();
    assert!(matches!(err, CscartError::Unauthorized { .. }), "{err:?}");
}

#[tokio::test]
async fn products_are_paged_with_total_items_as_a_string() {
    let shop = shop().await;
    shop.generate(&Generate {
        products: 25,
        categories: 3,
        ..Generate::default()
    });
    // The default page size is 10 and the echo says so.
    let (status, body, _) = raw(&shop, "products").await;
    assert_eq!(status, 200);
    assert_eq!(body["products"].as_array().unwrap().len(), 10);
    assert_eq!(body["params"]["total_items"], "25");
    assert_eq!(body["params"]["items_per_page"], 10);
    assert_eq!(body["params"]["page"], 1);
    let row = &body["products"][0];
    assert!(row["product_id"].is_string() && row["price"].is_string());
    assert!(
        row["category_ids"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_u64)
    );
    assert!(row["tax_ids"].is_string());
    // The last page is short; past the end is empty.
    let (_, body, _) = raw(&shop, "products?items_per_page=10&page=3").await;
    assert_eq!(body["products"].as_array().unwrap().len(), 5);
    assert_eq!(body["params"]["items_per_page"], "10");
    let (_, body, _) = raw(&shop, "products?items_per_page=10&page=4").await;
    assert_eq!(body["products"], Value::Array(Vec::new()));
    assert_eq!(body["params"]["total_items"], "25");
    // No cap; 0 is everything, with total_items an int.
    let (_, body, _) = raw(&shop, "products?items_per_page=1000").await;
    assert_eq!(body["products"].as_array().unwrap().len(), 25);
    let (_, body, _) = raw(&shop, "products?items_per_page=0").await;
    assert_eq!(body["products"].as_array().unwrap().len(), 25);
    assert_eq!(body["params"]["total_items"], 25);
    // The client reads them all, and every page decodes.
    let all = client(&shop).all_products(&ListQuery::new()).await.unwrap();
    assert_eq!(all.len(), 25);
    let mut ids: Vec<String> = all.iter().map(|p| p.product_id.to_string()).collect();
    ids.sort_by_key(|id| id.parse::<u64>().unwrap());
    let expected: Vec<String> = shop.product_ids().iter().map(u64::to_string).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn users_past_the_end_repeat_the_last_page_and_all_users_stops_by_total() {
    let shop = shop().await;
    shop.generate(&Generate {
        users: 23,
        ..Generate::default()
    });
    let (_, last, _) = raw(&shop, "users?user_type=C&items_per_page=10&page=3").await;
    let (_, past, _) = raw(&shop, "users?user_type=C&items_per_page=10&page=7").await;
    assert_eq!(last["users"].as_array().unwrap().len(), 3);
    assert_eq!(past["users"], last["users"]);
    assert_eq!(past["params"]["page"], 3);
    assert_eq!(past["params"]["total_items"], "23");
    let row = &last["users"][0];
    assert!(row.get("b_address").is_none() && row.get("s_city").is_none());
    assert!(row["user_id"].is_string());

    let before = shop.requests();
    let users = client(&shop)
        .all_users("C", &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(users.len(), 23);
    assert_eq!(shop.requests() - before, 3, "three pages, no fourth");
    // Unpaged: everything and no total.
    let (_, all, _) = raw(&shop, "users?user_type=C&items_per_page=0").await;
    assert_eq!(all["users"].as_array().unwrap().len(), 23);
    assert!(all["params"].get("total_items").is_none());
}

#[tokio::test]
async fn users_need_a_user_type_and_a_missing_user_is_an_empty_list() {
    let shop = shop().await;
    let (status, body, _) = raw(&shop, "users").await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Bad Request: user_type is required");
    assert_eq!(body["status"], 400);
    // The admin is user 1.
    let (_, admins, _) = raw(&shop, "users?user_type=A").await;
    assert_eq!(admins["users"][0]["user_id"], "1");
    assert_eq!(admins["users"][0]["is_root"], "Y");
    // GET /users/<missing> is 200 with an empty list; the client calls it NotFound.
    let (status, body, _) = raw(&shop, "users/999").await;
    assert_eq!(status, 200);
    assert_eq!(body["users"], Value::Array(Vec::new()));
    let err = client(&shop)
        .user(&CustomerId::new("999"))
        .await
        .unwrap_err();
    assert!(matches!(err, CscartError::NotFound { .. }), "{err:?}");
    // Older versions (4.13) answer without user_type.
    let old = StandIn::start(StandInConfig {
        require_user_type: false,
        ..StandInConfig::default()
    })
    .await
    .unwrap();
    let (status, body, _) = raw(&old, "users").await;
    assert_eq!(status, 200);
    assert_eq!(body["users"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn order_rows_have_no_updated_at_unless_get_orders_data() {
    let shop = shop().await;
    shop.generate(&small());
    let (_, rows, _) = raw(&shop, "orders?items_per_page=0").await;
    let rows = rows["orders"].as_array().unwrap().clone();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.get("updated_at").is_none(), "{row}");
        assert!(row.get("products").is_none());
        assert!(row["total"].is_string());
        assert_ne!(row["status"], "N", "incomplete orders are hidden");
    }
    let (_, full, _) = raw(&shop, "orders?items_per_page=0&get_orders_data=Y").await;
    let full = full["orders"].as_array().unwrap();
    assert_eq!(full.len(), rows.len());
    for order in full {
        assert!(order["updated_at"].is_string());
        assert!(order["products"].is_object());
        assert!(order["total"].is_number());
    }
    // Through the client, the full rows decode as orders.
    let page = client(&shop)
        .full_orders_page(&ListQuery::new(), 1, 5)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 5);
    assert!(page.items.iter().all(|o| o.updated_at.is_some()));
    // Incomplete orders appear when asked for.
    let incomplete = shop
        .order_ids()
        .into_iter()
        .filter(|id| shop.order(*id).unwrap().status == 'N')
        .count();
    let (_, with, _) = raw(&shop, "orders?items_per_page=0&include_incompleted=Y").await;
    assert_eq!(
        with["orders"].as_array().unwrap().len(),
        rows.len() + incomplete
    );
    let (_, only, _) = raw(&shop, "orders?items_per_page=0&status=N").await;
    assert_eq!(only["orders"].as_array().unwrap().len(), incomplete);
}

#[tokio::test]
async fn updated_at_from_and_to_are_inclusive_and_follow_status_changes() {
    let shop = shop().await;
    let p = shop.create_product(product("Mug", dec!(9.99), 100));
    let t0 = shop.now();
    let a = shop.place_order(NewOrder {
        lines: vec![(p, 1)],
        ..NewOrder::default()
    });
    shop.advance(10);
    let b = shop.place_order(NewOrder {
        lines: vec![(p, 2)],
        ..NewOrder::default()
    });
    shop.advance(10);
    let c = shop.place_order(NewOrder {
        lines: vec![(p, 3)],
        ..NewOrder::default()
    });
    let ids = |body: &Value| -> Vec<String> {
        body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["order_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, body, _) = raw(
        &shop,
        &format!(
            "orders?updated_at_from={}&updated_at_to={}&sort_by=order_id&sort_order=asc",
            t0 + 10,
            t0 + 20
        ),
    )
    .await;
    assert_eq!(ids(&body), vec![b.to_string(), c.to_string()]);
    // Default order: date desc.
    let (_, body, _) = raw(&shop, &format!("orders?updated_at_from={t0}")).await;
    assert_eq!(
        ids(&body),
        vec![c.to_string(), b.to_string(), a.to_string()]
    );
    // A status change bumps updated_at (and a repeat of the same status does not).
    shop.advance(100);
    assert!(shop.change_order_status(a, 'C'));
    assert_eq!(shop.order(a).unwrap().updated_at, t0 + 120);
    shop.advance(5);
    assert!(shop.change_order_status(a, 'C'));
    assert_eq!(shop.order(a).unwrap().updated_at, t0 + 120);
    let (_, body, _) = raw(&shop, &format!("orders?updated_at_from={}", t0 + 120)).await;
    assert_eq!(ids(&body), vec![a.to_string()]);
    // A full update bumps it too; the creation time stays.
    shop.update_order(b, |o| "Ring the bell".clone_into(&mut o.notes));
    let order = client(&shop)
        .order(&OrderId::new(b.to_string()))
        .await
        .unwrap();
    assert_eq!(order.updated_at.unwrap().timestamp(), t0 + 125);
    assert_eq!(order.timestamp.unwrap().timestamp(), t0 + 10);
    assert_eq!(order.notes.as_deref(), Some("Ring the bell"));
}

#[tokio::test]
async fn stock_moves_do_not_bump_updated_timestamp_but_product_updates_do() {
    let shop = shop().await;
    let id = shop.create_product(product("Lamp", dec!(20.00), 10));
    let created = shop.now();
    shop.advance(3600);
    assert!(shop.set_stock(id, 7));
    shop.place_order(NewOrder {
        lines: vec![(id, 2)],
        status: 'P',
        ..NewOrder::default()
    });
    let c = client(&shop);
    let p = c.product(&ProductId::new(id.to_string())).await.unwrap();
    assert_eq!(p.amount, Some(dec!(5)));
    assert_eq!(p.updated_timestamp.unwrap().timestamp(), created);
    // Sorted by updated_timestamp desc (the default order for it), it is not on top.
    let other = shop.create_product(product("Vase", dec!(5.00), 1));
    let page = c
        .products_page(
            &ListQuery::new().param("sort_by", "updated_timestamp"),
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.items[0].product_id.to_string(), other.to_string());
    shop.advance(60);
    assert!(shop.update_product(id, |p| p.price = dec!(18.5)));
    let p = c.product(&ProductId::new(id.to_string())).await.unwrap();
    assert_eq!(p.updated_timestamp.unwrap().timestamp(), shop.now());
    assert_eq!(p.price, Some(dec!(18.50)));
    let (_, body, _) = raw(&shop, &format!("products/{id}")).await;
    assert_eq!(body["price"], "18.50");
    // updated_in_hours is relative to the stand-in's clock.
    let (_, body, _) = raw(&shop, "products?updated_in_hours=1").await;
    let found: Vec<&str> = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_id"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), 2);
}

#[tokio::test]
async fn place_order_moves_stock_and_its_money_adds_up_exactly() {
    let shop = shop().await;
    let taxed = shop.create_product(NewProduct {
        tax_ids: vec![SALES_TAX_ID],
        ..product("Kettle", dec!(19.99), 10)
    });
    let vat = shop.create_product(NewProduct {
        tax_ids: vec![VAT_ID],
        ..product("Tea", dec!(12.00), 5)
    });
    let untracked = shop.create_product(NewProduct {
        tracking: Some('D'),
        ..product("Gift card", dec!(25.00), 0)
    });
    let user = shop.create_user(NewUser {
        email: "ann@example.com".to_owned(),
        firstname: "Ann".to_owned(),
        lastname: "Lee".to_owned(),
        ..NewUser::default()
    });
    let id = shop.place_order(NewOrder {
        user_id: user,
        lines: vec![(taxed, 2), (vat, 1), (untracked, 1), (taxed, 1)],
        status: 'P',
        shipping_cost: dec!(5.00),
        subtotal_discount: dec!(2.00),
        payment_id: 3,
        ..NewOrder::default()
    });
    assert_eq!(shop.product(taxed).unwrap().amount, 7);
    assert_eq!(shop.product(vat).unwrap().amount, 4);
    assert_eq!(shop.product(untracked).unwrap().amount, 0);

    let order = client(&shop)
        .order(&OrderId::new(id.to_string()))
        .await
        .unwrap();
    assert_eq!(
        order.products.len(),
        3,
        "the same product twice is one line"
    );
    for (_, line) in &order.products {
        assert_eq!(line.subtotal, Some(line.price * line.amount));
    }
    let subtotal: Decimal = order
        .products
        .iter()
        .map(|(_, l)| l.subtotal.unwrap())
        .sum();
    assert_eq!(order.subtotal, Some(subtotal));
    assert_eq!(subtotal, dec!(96.97)); // 3 × 19.99 + 12.00 + 25.00
    let sales = order
        .taxes
        .iter()
        .find(|(k, _)| k == "6")
        .unwrap()
        .1
        .clone();
    let vat_tax = order
        .taxes
        .iter()
        .find(|(k, _)| k == "7")
        .unwrap()
        .1
        .clone();
    // 6.25 % of 59.97 = 3.75, of shipping 5.00 = 0.31; 20 % included in 12.00 = 2.00.
    assert_eq!(sales.tax_subtotal, Some(dec!(4.06)));
    assert!(sales.applies_to_shipping() && !sales.price_includes_tax);
    assert_eq!(vat_tax.tax_subtotal, Some(dec!(2.00)));
    assert!(vat_tax.price_includes_tax && !vat_tax.applies_to_shipping());
    assert_eq!(order.payment_surcharge, Some(dec!(0.30)));
    assert_eq!(
        order.total,
        subtotal - order.subtotal_discount.unwrap()
            + order.shipping_cost.unwrap()
            + order.payment_surcharge.unwrap()
            + sales.tax_subtotal.unwrap()
    );
    assert_eq!(order.total, dec!(104.33));
    assert_eq!(order.billing().firstname.as_deref(), Some("Ann"));
    assert_eq!(
        order.payment_method.unwrap().name.as_deref(),
        Some("PayPal")
    );
    // Cancelling puts the stock back; reopening takes it again.
    shop.change_order_status(id, 'I');
    assert_eq!(shop.product(taxed).unwrap().amount, 10);
    shop.change_order_status(id, 'O');
    assert_eq!(shop.product(taxed).unwrap().amount, 7);
    // A deleted product's line says so.
    shop.delete_product(vat);
    let (_, body, _) = raw(&shop, &format!("orders/{id}")).await;
    let lines = body["products"].as_object().unwrap();
    let deleted: Vec<bool> = lines
        .values()
        .map(|l| l["deleted_product"].as_bool().unwrap())
        .collect();
    assert_eq!(deleted.iter().filter(|d| **d).count(), 1);
    let order = client(&shop)
        .order(&OrderId::new(id.to_string()))
        .await
        .unwrap();
    assert_eq!(
        order
            .products
            .iter()
            .filter(|(_, l)| l.deleted_product)
            .count(),
        1
    );
}

#[tokio::test]
async fn generate_is_deterministic_for_a_seed() {
    let spec = Generate {
        categories: 12,
        products: 60,
        users: 20,
        orders: 40,
        vendors: 3,
    };
    let a = shop().await;
    let b = shop().await;
    let ids_a = a.generate(&spec);
    let ids_b = b.generate(&spec);
    assert_eq!(ids_a, ids_b);
    assert_eq!(ids_a.products.len(), 60);
    assert_eq!(ids_a.users.len(), 20);
    for path in [
        "products?items_per_page=0",
        "categories?items_per_page=0",
        "users?user_type=C&items_per_page=0",
        "orders?items_per_page=0&get_orders_data=Y&include_incompleted=Y",
        "vendors",
    ] {
        let (_, _, text_a) = raw(&a, path).await;
        let (_, _, text_b) = raw(&b, path).await;
        assert_eq!(text_a, text_b, "{path}");
    }
    // Another seed gives another shop.
    let c = StandIn::start(StandInConfig {
        seed: 2,
        ..StandInConfig::default()
    })
    .await
    .unwrap();
    c.generate(&spec);
    let (_, _, text_a) = raw(&a, "products?items_per_page=0").await;
    let (_, _, text_c) = raw(&c, "products?items_per_page=0").await;
    assert_ne!(text_a, text_c);
}

#[tokio::test]
async fn faults_fail_pages_hide_entities_and_corrupt_fields() {
    let shop = shop().await;
    shop.generate(&Generate {
        products: 30,
        ..Generate::default()
    });
    let c = client(&shop);
    let q = ListQuery::new();

    // A 500 page fails every attempt.
    shop.set_faults(Faults {
        fail_page: Some(("products".to_owned(), 2, FaultKind::Status500)),
        ..Faults::default()
    });
    assert!(c.products_page(&q, 1, 10).await.is_ok());
    let before = shop.requests();
    let err = c.products_page(&q, 2, 10).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(shop.requests() - before, 2, "retried, failed again");
    assert!(c.all_products(&q).await.is_err());

    // Not JSON, HTML, 403.
    for (kind, check) in [
        (
            FaultKind::NotJson,
            (|e: &CscartError| matches!(e, CscartError::Decode { .. })) as fn(&CscartError) -> bool,
        ),
        (FaultKind::Html, |e| matches!(e, CscartError::Html { .. })),
        (FaultKind::Forbidden403, |e| {
            matches!(e, CscartError::Forbidden { .. })
        }),
    ] {
        shop.set_faults(Faults {
            fail_page: Some(("products".to_owned(), 3, kind.clone())),
            ..Faults::default()
        });
        let err = c.products_page(&q, 3, 10).await.unwrap_err();
        assert!(check(&err), "{kind:?}: {err:?}");
    }
    let (status, _, text) = raw(&shop, "products?page=3").await;
    assert_eq!(
        (status, text.as_str()),
        (
            403,
            r#"{"message":"Forbidden: Access denied","status":403}"#
        )
    );

    // Only the first 5 products are visible; the others are not found.
    shop.set_faults(Faults {
        visible_limit: Some(("products".to_owned(), 5)),
        ..Faults::default()
    });
    let visible = c.all_products(&q).await.unwrap();
    assert_eq!(visible.len(), 5);
    let (_, body, _) = raw(&shop, "products").await;
    assert_eq!(body["params"]["total_items"], "5");
    let err = c.product(&ProductId::new("6")).await.unwrap_err();
    assert!(matches!(err, CscartError::NotFound { .. }), "{err:?}");

    // A corrupted field names the product and the field.
    shop.set_faults(Faults {
        corrupt: vec![(
            "products".to_owned(),
            4,
            "price".to_owned(),
            Value::from("abc"),
        )],
        ..Faults::default()
    });
    let err = c.product(&ProductId::new("4")).await.unwrap_err();
    match err {
        CscartError::Decode { id, path, .. } => {
            assert_eq!(id.as_deref(), Some("4"));
            assert_eq!(path, "price");
        }
        other => panic!("{other:?}"),
    }
    assert!(c.all_products(&q).await.is_err());

    // Cleared.
    shop.set_faults(Faults::default());
    assert_eq!(c.all_products(&q).await.unwrap().len(), 30);
}

#[tokio::test]
async fn multi_vendor_parent_orders_are_reachable_by_id_only() {
    let shop = shop().await;
    let ids = shop.generate(&Generate {
        categories: 5,
        products: 60,
        users: 10,
        orders: 60,
        vendors: 4,
    });
    assert_eq!(ids.vendors.len(), 4);
    let parents: Vec<u64> = ids
        .orders
        .iter()
        .copied()
        .filter(|id| shop.order(*id).unwrap().is_parent_order)
        .collect();
    assert!(!parents.is_empty(), "some orders were split");
    let c = client(&shop);
    let listed = c
        .all_orders(&ListQuery::new().param("include_incompleted", "Y"))
        .await
        .unwrap();
    assert!(listed.iter().all(|o| !o.is_parent_order));
    assert_eq!(listed.len(), ids.orders.len() - parents.len());
    for parent in parents {
        let order = c.order(&OrderId::new(parent.to_string())).await.unwrap();
        assert!(order.is_parent_order);
        assert_eq!(order.status.as_deref(), Some("T"));
        let children = shop.child_orders(parent);
        assert!(children.len() >= 2);
        let mut total = Decimal::ZERO;
        let mut lines = 0;
        for child in &children {
            let o = c.order(&OrderId::new(child.to_string())).await.unwrap();
            assert_eq!(o.parent_order_id.unwrap().as_str(), parent.to_string());
            assert!(o.company_id.is_some());
            total += o.total;
            lines += o.products.len();
        }
        assert_eq!(order.total, total);
        assert_eq!(order.products.len(), lines);
        // A child's vendor owns its products.
        let listed_children = listed
            .iter()
            .filter(|o| o.parent_order_id.as_ref().map(|p| p.as_str()) == Some(&parent.to_string()))
            .count();
        assert_eq!(listed_children, children.len());
    }
    // Vendor scope: /vendors/<id>/products holds that vendor's products only.
    let vendor = ids.vendors[0];
    let (_, body, _) = raw(
        &shop,
        &format!("vendors/{vendor}/products?items_per_page=0"),
    )
    .await;
    let scoped = body["products"].as_array().unwrap();
    assert!(!scoped.is_empty());
    let vendor_text = vendor.to_string();
    assert!(
        scoped
            .iter()
            .all(|p| p["company_id"].as_str() == Some(vendor_text.as_str()))
    );
    let vendors = c.vendors().await.unwrap();
    assert_eq!(vendors.len(), 5, "the store and four vendors");
}

#[tokio::test]
async fn every_generated_entity_decodes_and_converts() {
    let shop = shop().await;
    shop.generate(&Generate {
        categories: 15,
        products: 120,
        users: 30,
        orders: 80,
        vendors: 0,
    });
    shop.generate(&Generate {
        products: 20,
        orders: 20,
        vendors: 2,
        ..Generate::default()
    });
    let c = client(&shop);
    let products = c.all_products(&ListQuery::new()).await.unwrap();
    assert_eq!(products.len(), shop.product_ids().len());
    for p in &products {
        convert::product(p, true).unwrap();
    }
    let categories = c.all_categories(&ListQuery::new()).await.unwrap();
    assert_eq!(categories.len(), shop.category_ids().len());
    for cat in &categories {
        convert::category(cat).unwrap();
    }
    let mut users = c.all_users("C", &ListQuery::new()).await.unwrap();
    users.extend(c.all_users("V", &ListQuery::new()).await.unwrap());
    users.extend(c.all_users("A", &ListQuery::new()).await.unwrap());
    assert_eq!(users.len(), shop.user_ids().len());
    for u in &users {
        convert::customer(u, None).unwrap();
    }
    let statuses = c.statuses().await.unwrap();
    assert_eq!(statuses.len(), 7);
    assert_eq!(
        paid_statuses(&statuses),
        vec!["P".to_owned(), "C".to_owned()]
    );
    let paid = paid_statuses(&statuses);
    for id in shop.order_ids() {
        let order = c.order(&OrderId::new(id.to_string())).await.unwrap();
        let stored = shop.order(id).unwrap();
        assert_eq!(order.total, stored.total);
        assert_eq!(
            order.total,
            order.subtotal.unwrap() - order.subtotal_discount.unwrap()
                + order.shipping_cost.unwrap()
                + order.payment_surcharge.unwrap()
                + stored.added_taxes(),
            "order {id}"
        );
        if !order.is_parent_order {
            let converted = convert::order(
                &order,
                &convert::OrderSettings {
                    paid_statuses: paid.clone(),
                    currency: "USD".to_owned(),
                    multi_vendor: false,
                },
            )
            .unwrap();
            assert_eq!(converted.total, order.total);
        }
    }
    for id in shop.user_ids().into_iter().take(5) {
        let user = c.user(&CustomerId::new(id.to_string())).await.unwrap();
        assert_eq!(user.user_id.as_str(), id.to_string());
    }
}

#[tokio::test]
async fn versions_methods_and_unknown_paths() {
    let shop = shop().await;
    let p = shop.create_product(product("Pen", dec!(1.50), 3));
    for prefix in ["", "2.0/", "2.1/"] {
        let (status, body, _) = raw(&shop, &format!("{prefix}products/{p}")).await;
        assert_eq!(status, 200, "{prefix}");
        assert_eq!(body["product_id"], p.to_string());
    }
    let pinned = CscartClient::builder(shop.base_url(), shop.email(), shop.api_key())
        .api_version("2.0")
        .build()
        .unwrap();
    assert_eq!(
        pinned
            .product(&ProductId::new(p.to_string()))
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Pen")
    );
    let (status, body, _) = raw(&shop, "products/999").await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], 404);
    let (status, _, _) = raw(&shop, "widgets").await;
    assert_eq!(status, 404);
    let response = reqwest::Client::new()
        .post(format!("{}api/products", shop.base_url()))
        .basic_auth(shop.email(), Some(shop.api_key().expose_secret()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let (status, body, _) = raw(&shop, "statuses/1").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "P");
    let (_, body, _) = raw(&shop, "statuses").await;
    assert_eq!(body["params"]["total_items"], 7);
    // Categories and their paths.
    let root = shop.create_category("Office", None);
    let child = shop.create_category("Paper", Some(root));
    let (_, body, _) = raw(&shop, &format!("categories/{child}")).await;
    assert_eq!(body["parent_id"], root.to_string());
    assert_eq!(body["id_path"], format!("{root}/{child}"));
    assert_eq!(body["level"], "2");
    assert!(shop.delete_category(root));
    assert!(shop.category(child).is_none());
    // After shutdown the server stops answering.
    shop.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let gone = reqwest::Client::new()
        .get(format!("{}api/products", shop.base_url()))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(gone.is_err());
}
