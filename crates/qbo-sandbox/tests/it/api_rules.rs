//! QBO's rules over HTTP: 5010, 6240 with the Id, 6070, required fields, unknown
//! properties, forbidden characters and lengths, duplicate document numbers, and the
//! fault shapes and headers of every answer.

use serde_json::json;

use crate::{Env, id, line, num};

#[tokio::test]
async fn a_stale_sync_token_is_5010() {
    let env = Env::start().await;
    let customer = env.customer("Ann").await;
    let cid = id(&customer);
    env.post(
        "customer",
        &json!({"Id": cid, "SyncToken": "0", "sparse": true, "Notes": "a"}),
    )
    .await
    .ok();
    let stale = env
        .post(
            "customer",
            &json!({"Id": cid, "SyncToken": "0", "sparse": true, "Notes": "b"}),
        )
        .await;
    stale.assert_fault(400, "5010");
    assert_eq!(stale.body["Fault"]["type"], "ValidationFault");
    assert!(stale.detail().starts_with("Stale Object Error"));
    // SyncToken may be a JSON number (lenient clients).
    env.post(
        "customer",
        &json!({"Id": cid, "SyncToken": 1, "sparse": true, "Notes": "c"}),
    )
    .await
    .ok();
    // Missing SyncToken on an update is a required-parameter fault.
    env.post(
        "customer",
        &json!({"Id": cid, "sparse": true, "Notes": "d"}),
    )
    .await
    .assert_fault(400, "2020");
    assert_eq!(env.read("Customer", &cid).await["Notes"], "c");
}

#[tokio::test]
async fn a_duplicate_name_is_6240_with_the_holders_id() {
    let env = Env::start().await;
    let first = env.customer("Ann Example").await;
    let reply = env
        .post("customer", &json!({"DisplayName": "  ann example "}))
        .await;
    reply.assert_fault(400, "6240");
    assert_eq!(reply.element(), "DisplayName");
    assert_eq!(
        reply.detail(),
        format!("The name supplied already exists. : Id={}", id(&first))
    );
    // Inactive customers still hold their name.
    env.post(
        "customer",
        &json!({"Id": id(&first), "SyncToken": "0", "sparse": true, "Active": false}),
    )
    .await
    .ok();
    env.post("customer", &json!({"DisplayName": "Ann Example"}))
        .await
        .assert_fault(400, "6240");
    // Renaming frees the old name.
    env.post(
        "customer",
        &json!({"Id": id(&first), "SyncToken": "1", "sparse": true, "DisplayName": "Ann B"}),
    )
    .await
    .ok();
    env.customer("Ann Example").await;

    // Items too.
    let item = env.service_item("Consulting", 10.0).await;
    let income = env.account("Services").await;
    let reply = env
        .post(
            "item",
            &json!({"Name": "consulting", "Type": "Service", "IncomeAccountRef": {"value": income}}),
        )
        .await;
    reply.assert_fault(400, "6240");
    assert!(reply.detail().ends_with(&format!("Id={}", id(&item))));
}

#[tokio::test]
async fn amount_must_equal_qty_times_unit_price_rounded_half_up() {
    let env = Env::start().await;
    let customer = env.customer("Ann").await;
    let item = env.service_item("Gravel", 14.5).await;
    let invoice = |amount: f64| {
        json!({"CustomerRef": {"value": id(&customer)},
               "Line": [line(&id(&item), 128.35, 14.50, amount)]})
    };
    let reply = env.post("invoice", &invoice(1861.07)).await;
    reply.assert_fault(400, "6070");
    assert_eq!(
        reply.detail(),
        "Amount is not equal to UnitPrice * Qty. Supplied value:1861.07"
    );
    // 128.35 × 14.50 = 1861.075 → 1861.08 (half up).
    let ok = env.post("invoice", &invoice(1861.08)).await;
    assert_eq!(num(&ok.ok()["Invoice"]["TotalAmt"]), 1861.08);
}

#[tokio::test]
async fn zero_qty_and_zero_unit_price_beside_an_amount_keep_the_amount() {
    // Clients send the defaults `Qty: 0` and `UnitPrice: 0` with an Amount-only line:
    // QBO keeps the Amount and does not answer 6070 (issue 16, item 8).
    let env = Env::start().await;
    let customer = env.customer("Ann").await;
    let item = env.service_item("Gravel", 14.5).await;
    for form in ["Invoice", "SalesReceipt"] {
        let reply = env
            .post(
                &form.to_lowercase(),
                &json!({"CustomerRef": {"value": id(&customer)},
                        "Line": [line(&id(&item), 0.0, 0.0, 42.5)]}),
            )
            .await;
        let created = &reply.ok()[form];
        assert_eq!(num(&created["Line"][0]["Amount"]), 42.5);
        assert_eq!(num(&created["TotalAmt"]), 42.5);
    }
    // Only both zero: a zero quantity with a price still has to add up.
    let reply = env
        .post(
            "invoice",
            &json!({"CustomerRef": {"value": id(&customer)},
                    "Line": [line(&id(&item), 0.0, 14.5, 42.5)]}),
        )
        .await;
    reply.assert_fault(400, "6070");
}

#[tokio::test]
async fn missing_required_fields_are_2020_and_nameless_customers_6080() {
    let env = Env::start().await;
    let item = env.service_item("Consulting", 10.0).await;
    let reply = env
        .post(
            "invoice",
            &json!({"Line": [line(&id(&item), 1.0, 10.0, 10.0)]}),
        )
        .await;
    reply.assert_fault(400, "2020");
    assert_eq!(reply.element(), "CustomerRef");
    let customer = env.customer("Ann").await;
    let reply = env
        .post("invoice", &json!({"CustomerRef": {"value": id(&customer)}}))
        .await;
    reply.assert_fault(400, "2020");
    assert_eq!(reply.element(), "Line");
    env.post("item", &json!({"Type": "Service"}))
        .await
        .assert_fault(400, "2020");
    env.post("payment", &json!({"CustomerRef": {"value": id(&customer)}}))
        .await
        .assert_fault(400, "2020");
    env.post("customer", &json!({"Notes": "no name"}))
        .await
        .assert_fault(400, "6080");
    // A reference to nothing is 2500.
    env.post(
        "invoice",
        &json!({"CustomerRef": {"value": "999"}, "Line": [line(&id(&item), 1.0, 10.0, 10.0)]}),
    )
    .await
    .assert_fault(400, "2500");
}

#[tokio::test]
async fn unknown_properties_and_wrong_types_are_2010() {
    let env = Env::start().await;
    let reply = env
        .post(
            "item",
            &json!({"Name": "x", "Type": "Service", "PurchaseTaxInclusive": true}),
        )
        .await;
    reply.assert_fault(400, "2010");
    assert_eq!(
        reply.body["Fault"]["Error"][0]["Message"],
        "Request has invalid or unsupported property"
    );
    assert!(
        reply
            .detail()
            .contains("Unrecognized field \"PurchaseTaxInclusive\"")
    );
    // A misspelt key deep inside is found too.
    let reply = env
        .post(
            "customer",
            &json!({"DisplayName": "Ann", "BillAddr": {"Line1": "x", "Cty": "y"}}),
        )
        .await;
    reply.assert_fault(400, "2010");
    assert_eq!(reply.element(), "Customer.BillAddr");
    // A read entity sent back whole works: read-only properties are ignored, not refused.
    let customer = env.customer("Ann").await;
    let mut read_back = customer.clone();
    read_back["Balance"] = json!(12345);
    read_back["Notes"] = json!("changed");
    let reply = env.post("customer", &read_back).await;
    let saved = reply.ok()["Customer"].clone();
    assert_eq!(num(&saved["Balance"]), 0.0);
    assert_eq!(saved["Notes"], "changed");
    assert_eq!(saved["V4IDPseudonym"], customer["V4IDPseudonym"]);
    // A wrong JSON type.
    env.post("customer", &json!({"DisplayName": ["a"]}))
        .await
        .assert_fault(400, "2010");
    // Not JSON at all.
    let reply = env
        .send(
            env.http
                .post(env.url("customer"))
                .header("content-type", "application/json")
                .body("{\"DisplayName\": "),
        )
        .await;
    reply.assert_fault(400, "2010");
}

#[tokio::test]
async fn forbidden_characters_lengths_and_duplicate_doc_numbers() {
    let env = Env::start().await;
    env.post("customer", &json!({"DisplayName": "Acme: West"}))
        .await
        .assert_fault(400, "2040");
    env.post("customer", &json!({"DisplayName": "Tab\there"}))
        .await
        .assert_fault(400, "2040");
    let reply = env
        .post("customer", &json!({"DisplayName": "x".repeat(501)}))
        .await;
    reply.assert_fault(400, "2050");
    assert!(reply.detail().contains("Max:500"));
    env.post(
        "customer",
        &json!({"DisplayName": "Ann", "Title": "x".repeat(17)}),
    )
    .await
    .assert_fault(400, "2050");
    env.customer(&"é".repeat(500)).await;

    let customer = env.customer("Bob").await;
    let item = env.service_item("Consulting", 10.0).await;
    let invoice = json!({"CustomerRef": {"value": id(&customer)}, "DocNumber": "WEB-1",
                         "Line": [line(&id(&item), 1.0, 10.0, 10.0)]});
    env.post("invoice", &invoice).await.ok();
    let reply = env.post("invoice", &invoice).await;
    reply.assert_fault(400, "6140");
    env.post("invoice?include=allowduplicatedocnum", &invoice)
        .await
        .ok();
    let mut long = invoice.clone();
    long["DocNumber"] = json!("x".repeat(22));
    env.post("invoice", &long).await.assert_fault(400, "2050");
    // US line tax codes are TAX or NON.
    let mut taxed = invoice.clone();
    taxed["DocNumber"] = json!("WEB-2");
    taxed["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] = json!({"value": "7"});
    env.post("invoice", &taxed).await.assert_fault(400, "6100");
}

#[tokio::test]
async fn every_answer_carries_intuit_tid_and_unknown_routes_are_faults() {
    let env = Env::start().await;
    let ok = env.get("preferences").await;
    let bad = env.get("bill/1").await;
    bad.assert_fault(400, "500");
    let missing = env.get("customer/999").await;
    missing.assert_fault(400, "610");
    let tids: Vec<String> = [ok.tid, bad.tid, missing.tid]
        .into_iter()
        .map(|t| t.expect("intuit_tid"))
        .collect();
    assert!(tids.iter().all(|t| t.starts_with("1-")));
    assert_ne!(tids[0], tids[1]);
    let outside = env
        .send(
            env.http
                .get(format!("{}/nothing/here", env.sandbox.base_url())),
        )
        .await;
    assert_eq!(outside.status.as_u16(), 404);
    assert!(outside.tid.is_some());
    assert_eq!(outside.code(), "500");
}

#[tokio::test]
async fn account_numbers_are_limited_by_the_company_country() {
    // Intuit's Account reference: AcctNum at most 7 characters in US, UK and IN
    // companies, 20 in AU and CA ones (the XSD's "max=7" is for QuickBooks desktop).
    let env = Env::start().await;
    let account = |name: &str, number: &str| json!({"Name": name, "AccountType": "Expense", "AcctNum": number});
    env.post("account", &account("Seven", "1234567")).await.ok();
    let reply = env.post("account", &account("Eight", "12345678")).await;
    reply.assert_fault(400, "2050");
    assert_eq!(reply.element(), "AcctNum");

    let info = env.get(&format!("companyinfo/{}", env.realm)).await;
    let info = &info.ok()["CompanyInfo"];
    env.post(
        "companyinfo",
        &json!({"Id": info["Id"], "SyncToken": info["SyncToken"], "sparse": true, "Country": "CA"}),
    )
    .await
    .ok();
    env.post("account", &account("Twenty", "12345678901234567890"))
        .await
        .ok();
    env.post("account", &account("TwentyOne", "123456789012345678901"))
        .await
        .assert_fault(400, "2050");
}
