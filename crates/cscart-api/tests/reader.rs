//! `StoreReader` against the stand-in: entities by id in the store model.
#![cfg(feature = "stand-in")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cscart_api::CscartClient;
use cscart_api::ids::{CategoryId, CustomerId, OrderId, ProductId};
use cscart_api::reader::{ReaderSettings, StoreReader};
use cscart_api::stand_in::{Address, NewOrder, NewProduct, NewUser, StandIn, StandInConfig};
use mapping::model::OrderCustomer;
use rust_decimal::Decimal;

async fn shop() -> (StandIn, StoreReader) {
    let shop = StandIn::start(StandInConfig::default()).await.unwrap();
    let client = CscartClient::builder(shop.base_url(), shop.email(), shop.api_key())
        .build()
        .unwrap();
    let reader = StoreReader::new(
        client,
        ReaderSettings {
            currency: "USD".to_owned(),
            track_by_default: true,
            multi_vendor: false,
            paid_statuses: None,
        },
    );
    (shop, reader)
}

fn address(city: &str) -> Address {
    Address {
        city: city.to_owned(),
        address: "1 Main St".to_owned(),
        zipcode: "02110".to_owned(),
        state: "MA".to_owned(),
        country: "US".to_owned(),
        ..Address::default()
    }
}

#[tokio::test]
async fn a_customer_takes_the_addresses_of_their_latest_order() {
    let (shop, reader) = shop().await;
    let product = shop.create_product(NewProduct {
        name: "Mug".to_owned(),
        price: Decimal::new(950, 2),
        amount: 10,
        ..NewProduct::default()
    });
    let ann = shop.create_user(NewUser {
        email: "ann@example.com".to_owned(),
        firstname: "Ann".to_owned(),
        lastname: "Lee".to_owned(),
        ..NewUser::default()
    });
    let id = CustomerId::new(ann.to_string());
    // No order yet: no address.
    let c = reader.customer(&id).await.unwrap().unwrap();
    assert_eq!(c.email.as_deref(), Some("ann@example.com"));
    assert!(c.billing_address.is_none());
    for city in ["Boston", "Cambridge"] {
        shop.place_order(NewOrder {
            user_id: ann,
            lines: vec![(product, 1)],
            address: Some(address(city)),
            ..NewOrder::default()
        });
        shop.advance(60);
    }
    let c = reader.customer(&id).await.unwrap().unwrap();
    assert_eq!(
        c.billing_address.unwrap().city.as_deref(),
        Some("Cambridge"),
        "the latest order's address"
    );
    shop.delete_user(ann);
    assert_eq!(reader.customer(&id).await.unwrap(), None);
}

#[tokio::test]
async fn products_categories_and_orders_by_id_and_gone_is_none() {
    let (shop, reader) = shop().await;
    let cat = shop.create_category("Kitchen", None);
    let product = shop.create_product(NewProduct {
        name: "Kettle".to_owned(),
        sku: "KT-1".to_owned(),
        price: Decimal::new(3_999, 2),
        amount: 5,
        tracking: None,
        categories: vec![cat],
        ..NewProduct::default()
    });
    let order = shop.place_order(NewOrder {
        lines: vec![(product, 2)],
        status: 'P',
        email: "guest@example.com".to_owned(),
        ..NewOrder::default()
    });

    let c = reader
        .category(&CategoryId::new(cat.to_string()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "Kitchen");
    let p = reader
        .product(&ProductId::new(product.to_string()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.sku.as_deref(), Some("KT-1"));
    assert!(p.track_stock, "unset tracking takes the store default");
    let o = reader
        .order(&OrderId::new(order.to_string()))
        .await
        .unwrap()
        .unwrap();
    assert!(o.paid, "P is paid by the store's statuses");
    assert!(matches!(o.customer, OrderCustomer::Guest(_)));
    assert_eq!(o.vendor, None, "a plain shop has no vendors");
    assert_eq!(o.lines.len(), 1);

    shop.delete_order(order);
    shop.delete_product(product);
    shop.delete_category(cat);
    assert_eq!(
        reader
            .order(&OrderId::new(order.to_string()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        reader
            .product(&ProductId::new(product.to_string()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        reader
            .category(&CategoryId::new(cat.to_string()))
            .await
            .unwrap(),
        None
    );
}
