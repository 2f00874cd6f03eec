//! Each operation's method, path, query, headers and body.

use rust_decimal_macros::dec;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use qbo_api::{
    CompanyInfo, Customer, EntityId, Environment, Invoice, Item, ItemType, Payment, QboClient,
    QboError, RealmId, ReferenceType, RequestId, StaticToken, SyncToken,
};

use super::{api, client, param};

fn customer_json(id: &str, token: &str) -> Value {
    json!({"Customer": {"Id": id, "SyncToken": token, "DisplayName": "Ann Lee", "domain": "QBO",
        "V4IDPseudonym": "abc", "Balance": 0, "MetaData": {"CreateTime": "2026-01-02T03:04:05-08:00",
        "LastUpdatedTime": "2026-01-02T03:04:05-08:00"}}, "time": "2026-01-02T03:04:05.123-08:00"})
}

#[tokio::test]
async fn create_posts_json_with_minorversion_requestid_and_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(query_param("minorversion", "75"))
        .and(header("authorization", "Bearer tok"))
        .and(header("accept", "application/json"))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"DisplayName": "Ann Lee", "PrimaryEmailAddr": {"Address": "ann@example.com"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(customer_json("58", "0"))
                .insert_header("intuit_tid", "tid-1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let new = Customer {
        display_name: Some("Ann Lee".into()),
        primary_email_addr: Some(qbo_api::EmailAddress::new("ann@example.com")),
        ..Default::default()
    };
    let created = c.create(&new).await.unwrap();
    assert_eq!(created.id, Some(EntityId::new("58")));
    assert_eq!(created.sync_token, Some(SyncToken::new("0")));
    assert_eq!(created.other.get("V4IDPseudonym"), Some(&json!("abc")));
    let requests = server.received_requests().await.unwrap();
    let rid = param(&requests[0], "requestid").expect("a write carries a requestid");
    assert!(RequestId::new(rid).is_ok());
}

#[tokio::test]
async fn a_caller_request_id_is_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("item")))
        .and(query_param("requestid", "order-77-gen-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"Item": {"Id": "9", "SyncToken": "0", "Name": "Mug", "Type": "NonInventory"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let item = Item {
        name: Some("Mug".into()),
        item_type: Some(ItemType::NonInventory),
        unit_price: Some(dec!(12.50)),
        ..Default::default()
    };
    let created = client(&server)
        .create(&item)
        .request_id(RequestId::new("order-77-gen-2").unwrap())
        .await
        .unwrap();
    assert_eq!(created.item_type, Some(ItemType::NonInventory));
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        body,
        json!({"Name": "Mug", "Type": "NonInventory", "UnitPrice": 12.5})
    );
}

#[tokio::test]
async fn read_gets_by_id_without_requestid() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/58")))
        .and(query_param("minorversion", "75"))
        .and(query_param_is_missing("requestid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("58", "3")))
        .expect(1)
        .mount(&server)
        .await;
    let c: Customer = client(&server).read(&EntityId::new("58")).await.unwrap();
    assert_eq!(c.display_name.as_deref(), Some("Ann Lee"));
    assert_eq!(c.balance, Some(dec!(0)));
}

#[tokio::test]
async fn update_is_sparse_and_never_echoes_unknown_properties() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/58")))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("58", "3")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(query_param_is_missing("operation"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("58", "4")))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let mut current: Customer = c.read(&EntityId::new("58")).await.unwrap();
    assert!(!current.other.is_empty());
    current.notes = Some("VIP".into());
    let updated = c.update(&current).await.unwrap();
    assert_eq!(updated.sync_token, Some(SyncToken::new("4")));
    let post = &server.received_requests().await.unwrap()[1];
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body["sparse"], json!(true));
    assert_eq!(body["Id"], json!("58"));
    assert_eq!(body["SyncToken"], json!("3"));
    assert_eq!(body["Notes"], json!("VIP"));
    assert!(
        body.get("V4IDPseudonym").is_none(),
        "unknown property echoed: {body}"
    );
    assert!(param(post, "requestid").is_some());
}

#[tokio::test]
async fn full_update_says_operation_update_and_is_not_sparse() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(query_param("operation", "update"))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("58", "5")))
        .expect(1)
        .mount(&server)
        .await;
    let c = Customer {
        id: Some("58".into()),
        sync_token: Some("4".into()),
        display_name: Some("Ann Lee".into()),
        ..Default::default()
    };
    client(&server).full_update(&c).await.unwrap();
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        body,
        json!({"Id": "58", "SyncToken": "4", "DisplayName": "Ann Lee"})
    );
}

#[tokio::test]
async fn update_without_sync_token_is_refused_before_sending() {
    let server = MockServer::start().await;
    let c = Customer {
        id: Some("58".into()),
        ..Default::default()
    };
    let err = client(&server).update(&c).await.unwrap_err();
    assert!(
        matches!(err, QboError::InvalidInput(ref e) if e.reason.contains("SyncToken")),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_sends_id_and_sync_token_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .and(query_param("operation", "delete"))
        .and(body_json(json!({"Id": "130", "SyncToken": "2"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Invoice": {"status": "Deleted", "domain": "QBO", "Id": "130"}, "time": "2026-01-01T00:00:00Z"})))
        .expect(1)
        .mount(&server)
        .await;
    let inv = Invoice {
        id: Some("130".into()),
        sync_token: Some("2".into()),
        customer_ref: Some(ReferenceType::new("58")),
        ..Default::default()
    };
    let deleted = client(&server).delete(&inv).await.unwrap();
    assert_eq!(deleted.status.as_deref(), Some("Deleted"));
}

#[tokio::test]
async fn void_invoice_uses_operation_void() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("invoice")))
        .and(query_param("operation", "void"))
        .and(body_json(json!({"Id": "130", "SyncToken": "2"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Invoice": {"Id": "130", "SyncToken": "3", "TotalAmt": 0, "PrivateNote": "Voided"}})))
        .expect(1)
        .mount(&server)
        .await;
    let inv = Invoice {
        id: Some("130".into()),
        sync_token: Some("2".into()),
        ..Default::default()
    };
    let voided = client(&server).void(&inv).await.unwrap();
    assert_eq!(voided.total_amt, Some(dec!(0)));
}

#[tokio::test]
async fn void_payment_is_a_sparse_update_with_include_void() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("payment")))
        .and(query_param("operation", "update"))
        .and(query_param("include", "void"))
        .and(body_json(
            json!({"sparse": true, "Id": "77", "SyncToken": "1"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"Payment": {"Id": "77", "SyncToken": "2", "TotalAmt": 0}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let p = Payment {
        id: Some("77".into()),
        sync_token: Some("1".into()),
        ..Default::default()
    };
    client(&server).void(&p).await.unwrap();
}

#[tokio::test]
async fn deactivate_customer_sends_active_false_sparse() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .and(body_json(
            json!({"sparse": true, "Id": "58", "SyncToken": "4", "Active": false}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"Customer": {"Id": "58", "SyncToken": "5", "Active": false}}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = Customer {
        id: Some("58".into()),
        sync_token: Some("4".into()),
        display_name: Some("Ann".into()),
        ..Default::default()
    };
    let done = client(&server).deactivate(&c).await.unwrap();
    assert_eq!(done.active, Some(false));
}

#[tokio::test]
async fn company_info_and_preferences_paths() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api(&format!("companyinfo/{}", super::REALM))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"CompanyInfo": {"Id": "1", "SyncToken": "9", "CompanyName": "Shop", "Country": "US"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(api("preferences")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Preferences": {"Id": "1", "SalesFormsPrefs": {"CustomTxnNumbers": false, "AllowShipping": true}, "CurrencyPrefs": {"MultiCurrencyEnabled": false}}})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let info: CompanyInfo = c.company_info().await.unwrap();
    assert_eq!(info.company_name.as_deref(), Some("Shop"));
    let prefs = c.preferences().await.unwrap();
    let forms = prefs.sales_forms_prefs.unwrap();
    assert_eq!(forms.custom_txn_numbers, Some(false));
    assert_eq!(forms.allow_shipping, Some(true));
}

#[tokio::test]
async fn a_custom_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/qbo/v3/company/{}/customer/1", super::REALM)))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer_json("1", "0")))
        .expect(1)
        .mount(&server)
        .await;
    let c = QboClient::builder(std::sync::Arc::new(StaticToken::new("tok".into())))
        .environment(Environment::parse(&format!("{}/qbo", server.uri())).unwrap())
        .realm(RealmId::new(super::REALM).unwrap())
        .build()
        .unwrap();
    let _: Customer = c.read(&EntityId::new("1")).await.unwrap();
    assert_eq!(Environment::parse("sandbox").unwrap(), Environment::Sandbox);
    assert!(Environment::parse("ftp://x").is_err());
    assert!(
        Environment::Production
            .base_url()
            .as_str()
            .starts_with("https://quickbooks.api.intuit.com")
    );
}

#[tokio::test]
async fn an_amount_over_fifteen_digits_is_an_error_not_a_rounding() {
    let server = MockServer::start().await;
    let item = Item {
        name: Some("Gold".into()),
        unit_price: Some(dec!(1234567890.123456)),
        ..Default::default()
    };
    let err = client(&server).create(&item).await.unwrap_err();
    assert!(
        matches!(err, QboError::Encode { ref message, .. } if message.contains("16 significant digits")),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_fault_inside_a_200_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("customer")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Fault": {"Error": [{"Message": "Duplicate Name Exists Error", "Detail": "The name supplied already exists. : Id=991", "code": "6240", "element": "DisplayName"}], "type": "ValidationFault"}, "time": "t"})))
        .mount(&server)
        .await;
    let err = client(&server)
        .create(&Customer {
            display_name: Some("Ann".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    match err {
        QboError::DuplicateName {
            existing_id, error, ..
        } => {
            assert_eq!(existing_id, Some(EntityId::new("991")));
            assert_eq!(error.element.as_deref(), Some("DisplayName"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_answer_without_the_entity_is_a_decode_error_with_a_snippet() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("customer/1")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("{\"Item\":{\"Id\":\"1\"}}")
                .insert_header("intuit_tid", "tid-9"),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .read::<Customer>(&EntityId::new("1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, QboError::Decode { ref message, ref snippet, .. } if message.contains("no Customer") && snippet.contains("Item")),
        "{err}"
    );
    assert_eq!(err.intuit_tid(), Some("tid-9"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_wrongly_typed_field_names_its_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("invoice/1")))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"Invoice":{"Id":"1","Line":[{"Amount":"ten","DetailType":"SalesItemLineDetail"}]}}"#))
        .mount(&server)
        .await;
    let err = client(&server)
        .read::<Invoice>(&EntityId::new("1"))
        .await
        .unwrap_err();
    let QboError::Decode { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("Invoice.Line[0].Amount"), "{message}");
}
