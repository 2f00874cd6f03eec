//! Batch (mixed results in a 200, the 30-item limit, items blind to each other) and
//! change data capture.

use chrono::{SecondsFormat, TimeDelta};
use serde_json::{Value, json};

use crate::{Env, id, line};

fn item<'a>(reply: &'a Value, bid: &str) -> &'a Value {
    reply["BatchItemResponse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["bId"] == bid)
        .unwrap_or_else(|| panic!("no bId {bid} in {reply}"))
}

#[tokio::test]
async fn batch_answers_each_item_with_its_entity_page_or_fault() {
    let env = Env::start().await;
    let ann = env.customer("Ann").await;
    let body = json!({"BatchItemRequest": [
        {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Bob"}},
        {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Ann"}},
        {"bId": "3", "Query": "select * from Customer where DisplayName = 'Ann'"},
        {"bId": "4", "operation": "update", "Customer": {"Id": id(&ann), "SyncToken": "7", "sparse": true, "Notes": "x"}},
        {"bId": "5", "operation": "update", "Customer": {"Id": id(&ann), "SyncToken": "0", "sparse": true, "Notes": "y"}},
        {"bId": "6", "operation": "create", "Customer": {"DisplayName": "Cy", "Bogus": 1}},
    ]});
    let reply = env.post("batch?requestid=b-1", &body).await;
    let answer = reply.ok();
    assert_eq!(answer["BatchItemResponse"].as_array().unwrap().len(), 6);
    assert_eq!(item(answer, "1")["Customer"]["DisplayName"], "Bob");
    assert_eq!(item(answer, "2")["Fault"]["Error"][0]["code"], "6240");
    assert_eq!(item(answer, "2")["Fault"]["type"], "ValidationFault");
    assert_eq!(
        item(answer, "3")["QueryResponse"]["Customer"][0]["Id"],
        id(&ann)
    );
    assert_eq!(item(answer, "4")["Fault"]["Error"][0]["code"], "5010");
    assert_eq!(item(answer, "5")["Customer"]["Notes"], "y");
    assert_eq!(item(answer, "6")["Fault"]["Error"][0]["code"], "2010");
    assert_eq!(
        env.sandbox.entities(&env.realm, "Customer").unwrap().len(),
        2
    );
}

#[tokio::test]
async fn batch_items_cannot_see_each_other_and_size_is_limited() {
    let env = Env::start().await;
    let service = env.service_item("Consulting", 10.0).await;
    let body = json!({"BatchItemRequest": [
        {"bId": "a", "operation": "create", "Customer": {"DisplayName": "New"}},
    ]});
    let created = env.post("batch", &body).await;
    let new_id = created.ok()["BatchItemResponse"][0]["Customer"]["Id"].clone();
    // In one batch: a customer, then an invoice for it; the invoice cannot see it.
    let body = json!({"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Customer": {"DisplayName": "Later"}},
        {"bId": "i", "operation": "create", "Invoice": {"CustomerRef": {"value": "2"},
            "Line": [line(&id(&service), 1.0, 10.0, 10.0)]}},
        {"bId": "j", "operation": "create", "Invoice": {"CustomerRef": {"value": new_id},
            "Line": [line(&id(&service), 1.0, 10.0, 10.0)]}},
    ]});
    let reply = env.post("batch", &body).await;
    let answer = reply.ok();
    assert_eq!(item(answer, "c")["Customer"]["Id"], "2");
    assert_eq!(item(answer, "i")["Fault"]["Error"][0]["code"], "2500");
    assert!(item(answer, "j")["Invoice"]["Id"].is_string());

    // Void and delete through batch.
    let invoice = item(answer, "j")["Invoice"].clone();
    let body = json!({"BatchItemRequest": [
        {"bId": "v", "operation": "update", "optionsData": "void", "Invoice": {"Id": id(&invoice), "SyncToken": "0"}},
    ]});
    let reply = env.post("batch", &body).await;
    assert_eq!(item(reply.ok(), "v")["Invoice"]["PrivateNote"], "Voided");

    let items: Vec<Value> = (0..31)
        .map(|i| json!({"bId": i.to_string(), "operation": "create", "Customer": {"DisplayName": format!("C{i}")}}))
        .collect();
    env.post("batch", &json!({"BatchItemRequest": items}))
        .await
        .assert_fault(400, "1040");
}

#[tokio::test]
async fn cdc_reports_changes_and_deletions_since_a_time() {
    let env = Env::start().await;
    let before = env.customer("Old").await;
    let service = env.service_item("Consulting", 10.0).await;
    env.sandbox.advance_clock(TimeDelta::minutes(30));
    let since = env.sandbox.now().to_rfc3339_opts(SecondsFormat::Secs, true);
    env.sandbox.advance_clock(TimeDelta::seconds(5));
    let ann = env.customer("Ann").await;
    let invoice = env
        .create(
            "Invoice",
            json!({"CustomerRef": {"value": id(&ann)}, "Line": [line(&id(&service), 1.0, 10.0, 10.0)]}),
        )
        .await;
    env.post(
        "invoice?operation=delete",
        &json!({"Id": id(&invoice), "SyncToken": "0"}),
    )
    .await
    .ok();
    let reply = env
        .send(env.http.get(env.url("cdc")).query(&[
            ("entities", "Customer,Invoice,Item"),
            ("changedSince", since.as_str()),
        ]))
        .await;
    let body = reply.ok();
    let blocks = body["CDCResponse"][0]["QueryResponse"].as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    let customers = blocks[0]["Customer"].as_array().unwrap();
    assert_eq!(
        customers.len(),
        1,
        "only the customer changed since: {customers:?}"
    );
    assert_eq!(customers[0]["DisplayName"], "Ann");
    assert_ne!(customers[0]["Id"], before["Id"]);
    let invoices = blocks[1]["Invoice"].as_array().unwrap();
    assert_eq!(invoices[0]["status"], "Deleted");
    assert_eq!(invoices[0]["Id"], invoice["Id"]);
    assert_eq!(blocks[2], json!({}), "no item changed");

    // QBO looks back at most 30 days.
    let old = (env.sandbox.now() - TimeDelta::days(31)).to_rfc3339();
    let reply = env
        .send(
            env.http
                .get(env.url("cdc"))
                .query(&[("entities", "Customer"), ("changedSince", old.as_str())]),
        )
        .await;
    reply.assert_fault(400, "6000");
}
