//! Requests that real QBO accepts from common clients and that the sandbox must answer the
//! same way (issue 16, item 8): a real sandbox company's Preferences and their full
//! update, `include=invoiceLink`, names unique across customers, vendors and employees.

use serde_json::{Value, json};

use crate::{Env, id, line};

#[tokio::test]
async fn a_fresh_company_has_the_preferences_of_a_real_sandbox_company() {
    let env = Env::start().await;
    let prefs = env.get("preferences").await;
    let prefs = &prefs.ok()["Preferences"];
    // E-mail messages of the four sales forms.
    for message in [
        "InvoiceMessage",
        "EstimateMessage",
        "SalesReceiptMessage",
        "StatementMessage",
    ] {
        let m = &prefs["EmailMessagesPrefs"][message];
        assert!(
            m["Subject"].as_str().is_some_and(|s| !s.is_empty()),
            "{message}"
        );
        assert!(
            m["Message"].as_str().is_some_and(|s| !s.is_empty()),
            "{message}"
        );
    }
    let sales = &prefs["SalesFormsPrefs"];
    assert!(sales["DefaultCustomerMessage"].is_string());
    assert_eq!(sales["AllowDeposit"], json!(true));
    assert_eq!(sales["AutoApplyPayments"], json!(true));
    assert_eq!(sales["ETransactionPaymentEnabled"], json!(false));
    assert!(sales["CustomField"][0]["CustomField"].is_array());
    let purchases = &prefs["VendorAndPurchasesPrefs"];
    assert_eq!(purchases["BillableExpenseTracking"], json!(true));
    assert_eq!(purchases["TrackingByCustomer"], json!(true));
    let other = prefs["OtherPrefs"]["NameValue"].as_array().expect("pairs");
    let names: Vec<&str> = other.iter().filter_map(|p| p["Name"].as_str()).collect();
    for name in [
        "SalesFormsPrefs.DefaultCustomerMessage",
        "DateFormatMnemonic",
        "NumberFormatMnemonic",
        "WarnDuplicateCheckNumber",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // Everything the sandbox answers passes its own 2010 check.
    qbo_api::schema::check_entity("Preferences", prefs).expect("XSD names only");
}

#[tokio::test]
async fn preferences_sections_take_full_updates() {
    let env = Env::start().await;
    let read = env.get("preferences").await;
    let mut prefs = read.ok()["Preferences"].clone();
    prefs["EmailMessagesPrefs"]["InvoiceMessage"] =
        json!({"Subject": "Your invoice", "Message": "Thanks!"});
    prefs["SalesFormsPrefs"]["AllowShipping"] = json!(true);
    prefs["SalesFormsPrefs"]["DefaultCustomerMessage"] = json!("Come again");
    prefs["VendorAndPurchasesPrefs"]["BillableExpenseTracking"] = json!(false);
    prefs["OtherPrefs"]["NameValue"] =
        json!([{"Name": "WarnDuplicateCheckNumber", "Value": "false"}]);
    // A full update: the whole entity, as read, without `sparse`.
    let updated = env.post("preferences?operation=update", &prefs).await;
    let updated = &updated.ok()["Preferences"];
    assert_eq!(updated["SyncToken"], json!("1"));
    let again = env.get("preferences").await;
    let again = &again.ok()["Preferences"];
    assert_eq!(
        again["EmailMessagesPrefs"]["InvoiceMessage"]["Subject"],
        json!("Your invoice")
    );
    assert_eq!(
        again["SalesFormsPrefs"]["DefaultCustomerMessage"],
        json!("Come again")
    );
    assert_eq!(
        again["VendorAndPurchasesPrefs"]["BillableExpenseTracking"],
        json!(false)
    );
    assert_eq!(
        again["OtherPrefs"]["NameValue"].as_array().map(Vec::len),
        Some(1)
    );
    // The change applies: shipping lines are now accepted.
    let customer = env.customer("Ann").await;
    let mut shipping = line("SHIPPING_ITEM_ID", 1.0, 5.0, 5.0);
    shipping["SalesItemLineDetail"]
        .as_object_mut()
        .unwrap()
        .remove("Qty");
    shipping["SalesItemLineDetail"]
        .as_object_mut()
        .unwrap()
        .remove("UnitPrice");
    let invoice = env
        .post(
            "invoice",
            &json!({"CustomerRef": {"value": id(&customer)}, "Line": [shipping]}),
        )
        .await;
    invoice.ok();
}

#[tokio::test]
async fn include_invoice_link_answers_an_https_link_when_online_payment_and_bill_email_allow() {
    let env = Env::start().await;
    let customer = env.customer("Ann").await;
    let item = env.service_item("Gravel", 10.0).await;
    let invoice = |online: bool, email: Option<&str>| {
        let mut body = json!({"CustomerRef": {"value": id(&customer)},
                              "Line": [line(&id(&item), 1.0, 10.0, 10.0)],
                              "AllowOnlineCreditCardPayment": online,
                              "AllowOnlineACHPayment": online});
        if let Some(email) = email {
            body["BillEmail"] = json!({"Address": email});
        }
        body
    };
    let payable = env
        .post(
            "invoice?include=invoiceLink",
            &invoice(true, Some("ann@example.com")),
        )
        .await;
    let payable = payable.ok()["Invoice"].clone();
    let link = payable["InvoiceLink"].as_str().expect("a link on create");
    assert!(link.starts_with("https://"), "{link}");
    // Reads and queries answer it when asked, and only then.
    let read = env
        .get(&format!("invoice/{}?include=invoiceLink", id(&payable)))
        .await;
    assert_eq!(read.ok()["Invoice"]["InvoiceLink"].as_str(), Some(link));
    let plain = env.get(&format!("invoice/{}", id(&payable))).await;
    assert!(plain.ok()["Invoice"].get("InvoiceLink").is_none());
    let queried = env
        .send(env.http.get(env.url("query")).query(&[
            (
                "query",
                format!("select * from Invoice where Id = '{}'", id(&payable)),
            ),
            ("include", "invoiceLink".to_owned()),
        ]))
        .await;
    assert_eq!(
        queried.ok()["QueryResponse"]["Invoice"][0]["InvoiceLink"].as_str(),
        Some(link)
    );
    // Without online payment, or without a BillEmail: no link.
    for body in [invoice(false, Some("ann@example.com")), invoice(true, None)] {
        let reply = env.post("invoice?include=invoiceLink", &body).await;
        assert!(reply.ok()["Invoice"].get("InvoiceLink").is_none(), "{body}");
    }
}

fn holder(reply: &crate::Reply) -> String {
    reply
        .detail()
        .rsplit("Id=")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn vendors_and_employees_are_name_lists_at_their_v3_paths() {
    let env = Env::start().await;
    let vendor = env
        .create(
            "Vendor",
            json!({"DisplayName": "Acme Supply", "CompanyName": "Acme"}),
        )
        .await;
    assert_eq!(vendor["Active"], json!(true));
    assert_eq!(vendor["SyncToken"], json!("0"));
    let employee = env
        .create(
            "Employee",
            json!({"GivenName": "Emma", "FamilyName": "Stone"}),
        )
        .await;
    assert_eq!(employee["DisplayName"], json!("Emma Stone"));
    assert_eq!(
        env.read("Vendor", &id(&vendor)).await["DisplayName"],
        json!("Acme Supply")
    );
    assert_eq!(
        env.read("Employee", &id(&employee)).await["GivenName"],
        json!("Emma")
    );
    let found = env
        .query("select * from Vendor where DisplayName like 'Acme%'")
        .await;
    assert_eq!(found.ok()["QueryResponse"]["Vendor"][0]["Id"], vendor["Id"]);
    let found = env.query("select count(*) from Employee").await;
    assert_eq!(found.ok()["QueryResponse"]["totalCount"], json!(1));
    let updated = env
        .post(
            "vendor",
            &json!({"Id": vendor["Id"], "SyncToken": "0", "sparse": true, "Active": false}),
        )
        .await;
    assert_eq!(updated.ok()["Vendor"]["Active"], json!(false));
    let updated = env
        .post(
            "employee",
            &json!({"Id": employee["Id"], "SyncToken": "0", "GivenName": "Emma", "FamilyName": "Stone", "DisplayName": "Emma S."}),
        )
        .await;
    assert_eq!(updated.ok()["Employee"]["DisplayName"], json!("Emma S."));
    // Name lists are not deleted.
    env.post(
        "vendor?operation=delete",
        &json!({"Id": vendor["Id"], "SyncToken": "1"}),
    )
    .await
    .assert_fault(400, "500");
    // Nameless ones are 6080; unknown properties 2010.
    env.post("vendor", &json!({"CompanyName": "x"}))
        .await
        .assert_fault(400, "6080");
    env.post("employee", &json!({"DisplayName": "E", "Nope": 1}))
        .await
        .assert_fault(400, "2010");
}

#[tokio::test]
async fn names_are_unique_across_customers_vendors_and_employees() {
    let env = Env::start().await;
    let customer = env.customer("Shared Name").await;
    let reply = env
        .post("vendor", &json!({"DisplayName": "shared name "}))
        .await;
    reply.assert_fault(400, "6240");
    assert_eq!(holder(&reply), id(&customer));
    let vendor = env
        .create("Vendor", json!({"DisplayName": "Vendor Name"}))
        .await;
    let reply = env
        .post("employee", &json!({"DisplayName": "Vendor Name"}))
        .await;
    reply.assert_fault(400, "6240");
    assert_eq!(holder(&reply), id(&vendor));
    let employee = env
        .create("Employee", json!({"DisplayName": "Staff Name"}))
        .await;
    let reply = env
        .post("customer", &json!({"DisplayName": "Staff Name"}))
        .await;
    reply.assert_fault(400, "6240");
    assert_eq!(reply.element(), "DisplayName");
    assert_eq!(holder(&reply), id(&employee));
    // Renaming into another list's name is refused too; keeping one's own name is not.
    let reply = env
        .post(
            "customer",
            &json!({"Id": customer["Id"], "SyncToken": "0", "sparse": true, "DisplayName": "Vendor Name"}),
        )
        .await;
    reply.assert_fault(400, "6240");
    // The customer with Id 1 and the vendor with Id 1 are different entities: updating
    // one under the other's name is still a duplicate.
    assert_eq!(id(&customer), id(&vendor));
    let own = env
        .post(
            "vendor",
            &json!({"Id": vendor["Id"], "SyncToken": "0", "sparse": true, "DisplayName": "Vendor Name", "CompanyName": "V"}),
        )
        .await;
    own.ok();
    // Items keep their own namespace.
    let item: Value = env.service_item("Shared Name", 1.0).await;
    assert!(item["Id"].is_string());
}
