//! Batch requests and change data capture.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use qbo_api::batch::{BatchOperation, BatchOutput};
use qbo_api::query::Query;
use qbo_api::{AnyEntity, Customer, Invoice, QboError, RequestId};

use super::{api, builder, client, param};

/// Answers each batch item: creates get an Id; a customer named "dup" gets a 6240.
struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let items = body["BatchItemRequest"].as_array().unwrap();
        // Answer in reverse order: results must still map back by bId.
        let answers: Vec<Value> = items
            .iter()
            .rev()
            .map(|item| {
                let bid = item["bId"].clone();
                if let Some(q) = item.get("Query") {
                    assert!(q.as_str().unwrap().starts_with("SELECT"));
                    return json!({"bId": bid, "QueryResponse": {"Customer": [{"Id": "1", "DisplayName": "A"}], "startPosition": 1, "maxResults": 1}});
                }
                let c = &item["Customer"];
                if c["DisplayName"] == "dup" {
                    return json!({"bId": bid, "Fault": {"Error": [{"Message": "Duplicate Name Exists Error", "Detail": "The name supplied already exists. : Id=7", "code": "6240", "element": "DisplayName"}], "type": "ValidationFault"}});
                }
                let mut out = c.clone();
                out["Id"] = json!(format!("id-{}", c["DisplayName"].as_str().unwrap()));
                out["SyncToken"] = json!("0");
                json!({"bId": bid, "Customer": out})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"BatchItemResponse": answers, "time": "t"}))
    }
}

fn customer(name: &str) -> Customer {
    Customer {
        display_name: Some(name.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn sixty_operations_go_out_as_three_requests_with_results_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("batch")))
        .and(query_param("minorversion", "75"))
        .respond_with(Echo)
        .expect(3)
        .mount(&server)
        .await;
    let ops: Vec<BatchOperation> = (0..60)
        .map(|i| {
            BatchOperation::create(customer(&if i == 31 {
                "dup".to_owned()
            } else {
                format!("c{i}")
            }))
        })
        .collect();
    let results = client(&server).batch(ops).await.unwrap();
    assert_eq!(results.len(), 60);
    for (i, r) in results.iter().enumerate() {
        if i == 31 {
            assert!(
                matches!(r, Err(QboError::DuplicateName { existing_id: Some(id), .. }) if id.as_str() == "7"),
                "{r:?}"
            );
            continue;
        }
        let Ok(BatchOutput::Entity(AnyEntity::Customer(c))) = r else {
            panic!("{i}: {r:?}")
        };
        assert_eq!(c.id.as_ref().unwrap().as_str(), format!("id-c{i}"));
    }
    let requests = server.received_requests().await.unwrap();
    let mut sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["BatchItemRequest"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [10, 25, 25]);
    let mut ids: Vec<String> = requests
        .iter()
        .map(|r| param(r, "requestid").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "one request id per request");
    assert!(ids.iter().all(|id| id.len() <= 36));
}

#[tokio::test]
async fn batch_items_carry_operation_sparse_void_and_queries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(api("batch")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"BatchItemResponse": [
            {"bId": "0", "Customer": {"Id": "1", "SyncToken": "3"}},
            {"bId": "1", "Invoice": {"Id": "9", "status": "Deleted"}},
            {"bId": "2", "Invoice": {"Id": "8", "SyncToken": "2"}},
            {"bId": "3", "QueryResponse": {"Customer": [{"Id": "1"}, {"Id": "2"}], "startPosition": 1, "maxResults": 2}}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let update = Customer {
        id: Some("1".into()),
        sync_token: Some("2".into()),
        notes: Some("n".into()),
        ..Default::default()
    };
    let del = Invoice {
        id: Some("9".into()),
        sync_token: Some("0".into()),
        ..Default::default()
    };
    let void = Invoice {
        id: Some("8".into()),
        sync_token: Some("1".into()),
        ..Default::default()
    };
    let ops = vec![
        BatchOperation::update(update),
        BatchOperation::Delete(del.into()),
        BatchOperation::Void(void.into()),
        BatchOperation::query(&Query::<Customer>::new()).unwrap(),
    ];
    let results = builder(&server)
        .batch_size(30)
        .build()
        .unwrap()
        .batch(ops)
        .request_id(RequestId::new("sync-2026-11-26").unwrap())
        .await
        .unwrap();
    let Ok(BatchOutput::Query(q)) = &results[3] else {
        panic!("{:?}", results[3])
    };
    assert_eq!(q.entities.len(), 2);
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        param(request, "requestid").as_deref(),
        Some("sync-2026-11-26")
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"BatchItemRequest": [
            {"bId": "0", "operation": "update", "Customer": {"sparse": true, "Id": "1", "SyncToken": "2", "Notes": "n"}},
            {"bId": "1", "operation": "delete", "Invoice": {"Id": "9", "SyncToken": "0"}},
            {"bId": "2", "operation": "update", "optionsData": "void", "Invoice": {"Id": "8", "SyncToken": "1"}},
            {"bId": "3", "Query": "SELECT * FROM Customer"}
        ]})
    );
}

#[tokio::test]
async fn batch_size_above_thirty_and_long_request_ids_are_refused() {
    let server = MockServer::start().await;
    assert!(matches!(
        builder(&server).batch_size(31).build(),
        Err(QboError::InvalidInput(_))
    ));
    assert!(matches!(
        builder(&server).batch_size(0).build(),
        Err(QboError::InvalidInput(_))
    ));
    let ops = (0..30)
        .map(|i| BatchOperation::create(customer(&i.to_string())))
        .collect();
    let err = client(&server)
        .batch(ops)
        .request_id(RequestId::new("x".repeat(35)).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, QboError::InvalidInput(ref e) if e.reason.contains("36")),
        "{err}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_request_fails_only_its_own_operations() {
    let server = MockServer::start().await;
    // The request holding customer "c0" fails for good; the other one succeeds.
    Mock::given(method("POST"))
        .and(path(api("batch")))
        .and(wiremock::matchers::body_string_contains("\"c0\""))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"Fault": {"Error": [{"Message": "Batch size exceeds allowed limit", "code": "1040"}], "type": "ValidationFault"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(api("batch")))
        .respond_with(Echo)
        .mount(&server)
        .await;
    let ops = (0..30)
        .map(|i| BatchOperation::create(customer(&format!("c{i}"))))
        .collect();
    let results = client(&server).batch(ops).await.unwrap();
    for (i, r) in results.iter().enumerate() {
        if i < 25 {
            assert!(
                matches!(r, Err(QboError::Batch { source }) if source.code() == Some("1040")),
                "{r:?}"
            );
        } else {
            assert!(r.is_ok(), "{r:?}");
        }
    }
}

#[tokio::test]
async fn change_data_capture_since_a_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("cdc")))
        .and(query_param("entities", "Customer,Item"))
        .and(query_param("changedSince", "2026-11-01T00:00:00+00:00"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"CDCResponse": [{"QueryResponse": [
            {"Customer": [{"Id": "1", "SyncToken": "4", "DisplayName": "A"}, {"domain": "QBO", "status": "Deleted", "Id": "2", "MetaData": {"LastUpdatedTime": "2026-11-02T01:02:03-08:00"}}], "startPosition": 1, "maxResults": 2},
            {"Item": [{"Id": "5", "Name": "Mug", "Type": "Inventory", "QtyOnHand": 3.0}], "startPosition": 1, "maxResults": 1}
        ]}], "time": "t"})))
        .expect(1)
        .mount(&server)
        .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let result = client(&server)
        .cdc(&["Customer", "Item"], since)
        .await
        .unwrap();
    assert_eq!(result.changes.len(), 3);
    assert!(!result.changes[0].deleted);
    assert!(result.changes[1].deleted);
    assert_eq!(result.changes[1].entity.id().unwrap().as_str(), "2");
    assert!(
        matches!(&result.changes[2].entity, AnyEntity::Item(i) if i.name.as_deref() == Some("Mug"))
    );
    assert!(!result.may_be_truncated);
    assert!(client(&server).cdc(&["Vendorz"], since).await.is_err());
}

#[tokio::test]
async fn an_unmodeled_entity_kind_in_a_cdc_answer_is_kept_as_raw_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(api("cdc")))
        .and(query_param("entities", "Customer,Vendor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"CDCResponse": [{"QueryResponse": [
            {"Customer": [{"Id": "1", "SyncToken": "4", "DisplayName": "A"}], "startPosition": 1, "maxResults": 1},
            {"Vendor": [
                {"Id": "7", "SyncToken": "0", "DisplayName": "Acme Supply", "Vendor1099": false},
                {"domain": "QBO", "status": "Deleted", "Id": "8"}
            ], "startPosition": 1, "maxResults": 2},
            {"Bill": [{"Id": "90", "TotalAmt": 12.5}]}
        ]}], "time": "t"})))
        .expect(1)
        .mount(&server)
        .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    // Vendor is an entity of Intuit's schema that the typed model does not cover.
    let result = client(&server)
        .cdc(&["Customer", "Vendor"], since)
        .await
        .unwrap();
    assert_eq!(result.changes.len(), 1);
    assert!(
        matches!(&result.changes[0].entity, AnyEntity::Customer(c) if c.display_name.as_deref() == Some("A"))
    );
    let raw: Vec<(&str, &str, bool)> = result
        .unmodeled
        .iter()
        .map(|u| (u.entity.as_str(), u.json["Id"].as_str().unwrap(), u.deleted))
        .collect();
    assert_eq!(
        raw,
        vec![
            ("Vendor", "7", false),
            ("Vendor", "8", true),
            ("Bill", "90", false)
        ]
    );
    assert_eq!(
        result.unmodeled[0].json["DisplayName"],
        json!("Acme Supply")
    );
    assert!(!result.may_be_truncated);
    // A name outside Intuit's schema is still refused before any request.
    assert!(client(&server).cdc(&["Vendorz"], since).await.is_err());
}
