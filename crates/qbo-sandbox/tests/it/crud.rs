//! Create, read, sparse and full update, delete and void for every entity, with the
//! values QBO computes (totals, balances, stock, names of references).

use serde_json::json;

use crate::{Env, id, line, num};

#[tokio::test]
async fn customer_crud_sparse_and_full_update_and_deactivation() {
    let env = Env::start().await;
    let created = env
        .create(
            "Customer",
            json!({"GivenName": "Ann", "FamilyName": "Lee", "Notes": "first",
                   "PrimaryEmailAddr": {"Address": "ann@example.com"}}),
        )
        .await;
    assert_eq!(
        created["DisplayName"], "Ann Lee",
        "built from the name parts"
    );
    assert_eq!(created["FullyQualifiedName"], "Ann Lee");
    assert_eq!(created["SyncToken"], "0");
    assert_eq!(created["Active"], true);
    assert_eq!(created["domain"], "QBO");
    assert!(created["MetaData"]["CreateTime"].is_string());
    assert!(
        created["V4IDPseudonym"].is_string(),
        "QBO sends it on reads"
    );
    let cid = id(&created);
    assert_eq!(env.read("Customer", &cid).await, created);

    // Sparse: only Notes changes.
    let reply = env
        .post(
            "customer",
            &json!({"Id": cid, "SyncToken": "0", "sparse": true, "Notes": "second"}),
        )
        .await;
    let updated = reply.ok()["Customer"].clone();
    assert_eq!(updated["SyncToken"], "1");
    assert_eq!(updated["Notes"], "second");
    assert_eq!(updated["PrimaryEmailAddr"]["Address"], "ann@example.com");

    // Full update: what is not sent is cleared.
    let reply = env
        .post(
            "customer?operation=update",
            &json!({"Id": cid, "SyncToken": "1", "DisplayName": "Ann Lee"}),
        )
        .await;
    let full = reply.ok()["Customer"].clone();
    assert_eq!(full["SyncToken"], "2");
    assert!(full.get("Notes").is_none());
    assert!(full.get("PrimaryEmailAddr").is_none());

    // Customers are not deleted but made inactive.
    let reply = env
        .post(
            "customer?operation=delete",
            &json!({"Id": cid, "SyncToken": "2"}),
        )
        .await;
    reply.assert_fault(400, "500");
    let reply = env
        .post(
            "customer",
            &json!({"Id": cid, "SyncToken": "2", "sparse": true, "Active": false}),
        )
        .await;
    assert_eq!(reply.ok()["Customer"]["Active"], false);
    // An inactive customer cannot be used on a new transaction (610).
    let item = env.service_item("Consulting", 100.0).await;
    let reply = env
        .post(
            "invoice",
            &json!({"CustomerRef": {"value": cid}, "Line": [line(&id(&item), 1.0, 100.0, 100.0)]}),
        )
        .await;
    reply.assert_fault(400, "610");
}

#[tokio::test]
async fn sub_customers_get_their_hierarchy() {
    let env = Env::start().await;
    let parent = env.customer("Acme").await;
    let job = env
        .create(
            "Customer",
            json!({"DisplayName": "Roof", "ParentRef": {"value": id(&parent)}}),
        )
        .await;
    assert_eq!(job["FullyQualifiedName"], "Acme:Roof");
    assert_eq!(job["Job"], true);
    assert_eq!(job["Level"], 1);
    assert_eq!(job["ParentRef"]["name"], "Acme");
}

#[tokio::test]
async fn items_categories_services_and_inventory() {
    let env = Env::start().await;
    let garden = env
        .create("Item", json!({"Name": "Garden", "Type": "Category"}))
        .await;
    let ponds = env
        .create(
            "Item",
            json!({"Name": "Ponds", "Type": "Category", "SubItem": true,
                   "ParentRef": {"value": id(&garden)}}),
        )
        .await;
    assert_eq!(ponds["FullyQualifiedName"], "Garden:Ponds");
    assert_eq!(ponds["Level"], 1);

    let stock = env.inventory_item("Rock Fountain", 10).await;
    assert_eq!(stock["TrackQtyOnHand"], true);
    assert_eq!(num(&stock["QtyOnHand"]), 10.0);
    assert_eq!(stock["IncomeAccountRef"]["name"], "Sales of Product Income");

    // An item below a category.
    let income = env.account("Services").await;
    let pump = env
        .create(
            "Item",
            json!({"Name": "Pump install", "Type": "Service", "ParentRef": {"value": id(&ponds)},
                   "IncomeAccountRef": {"value": income}}),
        )
        .await;
    assert_eq!(pump["FullyQualifiedName"], "Garden:Ponds:Pump install");
    assert_eq!(pump["SubItem"], true);
    // Sellable items are leaves: nothing goes below a service.
    let reply = env
        .post(
            "item",
            &json!({"Name": "Filter", "Type": "Service", "ParentRef": {"value": id(&pump)},
                    "IncomeAccountRef": {"value": income}}),
        )
        .await;
    reply.assert_fault(400, "6000");

    // Inventory needs its accounts, of the right types.
    let reply = env
        .post(
            "item",
            &json!({"Name": "Bare", "Type": "Inventory", "TrackQtyOnHand": true, "QtyOnHand": 1,
                    "InvStartDate": "2026-01-01"}),
        )
        .await;
    reply.assert_fault(400, "2020");
    let checking = env.account("Checking").await;
    let cogs = env.account("Cost of Goods Sold").await;
    let asset = env.account("Inventory Asset").await;
    let reply = env
        .post(
            "item",
            &json!({"Name": "Wrong", "Type": "Inventory", "TrackQtyOnHand": true, "QtyOnHand": 1,
                    "InvStartDate": "2026-01-01", "IncomeAccountRef": {"value": checking},
                    "ExpenseAccountRef": {"value": cogs}, "AssetAccountRef": {"value": asset}}),
        )
        .await;
    reply.assert_fault(400, "6430");

    // Sparse update of an item, and an inventory item cannot become a service.
    let reply = env
        .post(
            "item",
            &json!({"Id": id(&stock), "SyncToken": "0", "sparse": true, "UnitPrice": 30}),
        )
        .await;
    assert_eq!(num(&reply.ok()["Item"]["UnitPrice"]), 30.0);
    let reply = env
        .post(
            "item",
            &json!({"Id": id(&stock), "SyncToken": "1", "sparse": true, "Type": "Service"}),
        )
        .await;
    reply.assert_fault(400, "6000");
}

#[tokio::test]
async fn invoices_compute_totals_move_stock_and_void_and_delete() {
    let env = Env::start().await;
    let customer = env.customer("Ann Example").await;
    let fountain = env.inventory_item("Rock Fountain", 10).await;
    let invoice = env
        .create(
            "Invoice",
            json!({
                "CustomerRef": {"value": id(&customer)},
                "Line": [
                    line(&id(&fountain), 4.0, 25.0, 100.0),
                    {"DetailType": "DescriptionOnly", "Description": "Gift wrap", "DescriptionLineDetail": {}},
                    {"DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": true, "DiscountPercent": 10}},
                ],
                "TotalAmt": 999,
                "TxnTaxDetail": {"TotalTax": 7.2},
            }),
        )
        .await;
    // 100 - 10% + 7.20 tax; the client's TotalAmt is ignored.
    assert_eq!(num(&invoice["TotalAmt"]), 97.2);
    assert_eq!(num(&invoice["Balance"]), 97.2);
    assert_eq!(invoice["DocNumber"], "1001", "QBO numbers documents");
    assert_eq!(invoice["CustomerRef"]["name"], "Ann Example");
    let lines = invoice["Line"].as_array().unwrap();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[2]["DetailType"], "SubTotalLineDetail");
    assert_eq!(num(&lines[2]["Amount"]), 100.0);
    assert_eq!(num(&lines[3]["Amount"]), 10.0);
    assert_eq!(
        lines[0]["SalesItemLineDetail"]["ItemRef"]["name"],
        "Rock Fountain"
    );
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        6.0
    );
    assert_eq!(
        num(&env.read("Customer", &id(&customer)).await["Balance"]),
        97.2
    );

    // Sparse update keeps the lines; changing lines recomputes and re-moves stock.
    let iid = id(&invoice);
    let reply = env
        .post(
            "invoice",
            &json!({"Id": iid, "SyncToken": "0", "sparse": true, "PrivateNote": "web order 42"}),
        )
        .await;
    let updated = reply.ok()["Invoice"].clone();
    assert_eq!(updated["PrivateNote"], "web order 42");
    assert_eq!(num(&updated["TotalAmt"]), 97.2);
    let reply = env
        .post(
            "invoice",
            &json!({"Id": iid, "SyncToken": "1", "sparse": true,
                    "Line": [line(&id(&fountain), 2.0, 25.0, 50.0)]}),
        )
        .await;
    // 50 plus the 7.20 tax the sparse update kept.
    assert_eq!(num(&reply.ok()["Invoice"]["TotalAmt"]), 57.2);
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        8.0
    );

    // Void: amounts zero, stock back, still readable.
    let reply = env
        .post(
            "invoice?operation=void",
            &json!({"Id": iid, "SyncToken": "2"}),
        )
        .await;
    let voided = reply.ok()["Invoice"].clone();
    assert_eq!(num(&voided["TotalAmt"]), 0.0);
    assert_eq!(voided["PrivateNote"], "Voided");
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        10.0
    );
    assert_eq!(
        num(&env.read("Customer", &id(&customer)).await["Balance"]),
        0.0
    );

    // Delete answers with the id and status; a read then gives 610.
    let reply = env
        .post(
            "invoice?operation=delete",
            &json!({"Id": iid, "SyncToken": "3"}),
        )
        .await;
    assert_eq!(
        reply.ok()["Invoice"],
        json!({"Id": iid, "status": "Deleted", "domain": "QBO"})
    );
    env.get(&format!("invoice/{iid}"))
        .await
        .assert_fault(400, "610");
}

#[tokio::test]
async fn sales_receipts_are_paid_at_once_and_refunds_put_stock_back() {
    let env = Env::start().await;
    let fountain = env.inventory_item("Rock Fountain", 5).await;
    let receipt = env
        .create(
            "SalesReceipt",
            json!({"Line": [line(&id(&fountain), 2.0, 25.0, 50.0)],
                   "PaymentMethodRef": {"value": "3"}}),
        )
        .await;
    assert_eq!(num(&receipt["TotalAmt"]), 50.0);
    assert_eq!(num(&receipt["Balance"]), 0.0);
    assert_eq!(receipt["DepositToAccountRef"]["name"], "Undeposited Funds");
    assert_eq!(receipt["PaymentMethodRef"]["name"], "Visa");
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        3.0
    );
    let sid = id(&receipt);
    let reply = env
        .post(
            "salesreceipt",
            &json!({"Id": sid, "SyncToken": "0", "sparse": true, "PaymentRefNum": "WEB-1"}),
        )
        .await;
    assert_eq!(reply.ok()["SalesReceipt"]["PaymentRefNum"], "WEB-1");

    // A refund needs the account refunded from, and puts stock back.
    let reply = env
        .post(
            "refundreceipt",
            &json!({"Line": [line(&id(&fountain), 1.0, 25.0, 25.0)]}),
        )
        .await;
    reply.assert_fault(400, "2020");
    assert_eq!(reply.element(), "DepositToAccountRef");
    let checking = env.account("Checking").await;
    let refund = env
        .create(
            "RefundReceipt",
            json!({"Line": [line(&id(&fountain), 1.0, 25.0, 25.0)],
                   "DepositToAccountRef": {"value": checking}}),
        )
        .await;
    assert_eq!(num(&refund["TotalAmt"]), 25.0);
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        4.0
    );
    let reply = env
        .post(
            "refundreceipt",
            &json!({"Id": id(&refund), "SyncToken": "0", "sparse": true, "PrivateNote": "returned"}),
        )
        .await;
    assert_eq!(reply.ok()["RefundReceipt"]["PrivateNote"], "returned");

    // Deleting the receipt puts its stock back too.
    let reply = env
        .post(
            "salesreceipt?operation=delete",
            &json!({"Id": sid, "SyncToken": "1"}),
        )
        .await;
    reply.ok();
    assert_eq!(
        num(&env.read("Item", &id(&fountain)).await["QtyOnHand"]),
        6.0
    );
}

#[tokio::test]
async fn payments_apply_to_invoices_and_credit_memos() {
    let env = Env::start().await;
    let customer = env.customer("Ann Example").await;
    let cid = id(&customer);
    let service = env.service_item("Consulting", 100.0).await;
    let invoice = env
        .create(
            "Invoice",
            json!({"CustomerRef": {"value": cid}, "Line": [line(&id(&service), 2.0, 100.0, 200.0)]}),
        )
        .await;
    let iid = id(&invoice);
    let memo = env
        .create(
            "CreditMemo",
            json!({"CustomerRef": {"value": cid}, "Line": [line(&id(&service), 1.0, 30.0, 30.0)]}),
        )
        .await;
    assert_eq!(num(&memo["RemainingCredit"]), 30.0);
    assert_eq!(num(&env.read("Customer", &cid).await["Balance"]), 170.0);
    let reply = env
        .post(
            "creditmemo",
            &json!({"Id": id(&memo), "SyncToken": "0", "sparse": true, "PrivateNote": "goodwill"}),
        )
        .await;
    assert_eq!(reply.ok()["CreditMemo"]["PrivateNote"], "goodwill");

    // 150 cash plus the 30 credit pay 180 of the invoice.
    let payment = env
        .create(
            "Payment",
            json!({
                "CustomerRef": {"value": cid},
                "TotalAmt": 160,
                "Line": [
                    {"Amount": 180, "LinkedTxn": [{"TxnId": iid, "TxnType": "Invoice"}]},
                    {"Amount": 30, "LinkedTxn": [{"TxnId": id(&memo), "TxnType": "CreditMemo"}]},
                ],
            }),
        )
        .await;
    assert_eq!(num(&payment["UnappliedAmt"]), 10.0);
    assert_eq!(payment["DepositToAccountRef"]["name"], "Undeposited Funds");
    let paid = env.read("Invoice", &iid).await;
    assert_eq!(num(&paid["Balance"]), 20.0);
    assert_eq!(
        paid["SyncToken"], "1",
        "applying a payment bumps the invoice"
    );
    assert_eq!(paid["LinkedTxn"][0]["TxnType"], "Payment");
    assert_eq!(
        num(&env.read("CreditMemo", &id(&memo)).await["RemainingCredit"]),
        0.0
    );
    assert_eq!(num(&env.read("Customer", &cid).await["Balance"]), 10.0);

    // A sparse update of the payment keeps its lines and what they applied.
    let reply = env
        .post(
            "payment",
            &json!({"Id": id(&payment), "SyncToken": "0", "sparse": true, "PaymentRefNum": "WEB-7"}),
        )
        .await;
    let updated = reply.ok()["Payment"].clone();
    assert_eq!(updated["PaymentRefNum"], "WEB-7");
    assert_eq!(updated["SyncToken"], "1");
    assert_eq!(env.read("Payment", &id(&payment)).await, updated);
    let still = env.read("Invoice", &iid).await;
    assert_eq!(num(&still["Balance"]), 20.0);
    assert_eq!(
        still["SyncToken"], "1",
        "unchanged applications do not bump it again"
    );

    // Overpaying an invoice is refused.
    let reply = env
        .post(
            "payment",
            &json!({"CustomerRef": {"value": cid}, "TotalAmt": 50,
                    "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": iid, "TxnType": "Invoice"}]}]}),
        )
        .await;
    reply.assert_fault(400, "6000");
    // An invoice with a payment applied cannot be deleted.
    let reply = env
        .post(
            "invoice?operation=delete",
            &json!({"Id": iid, "SyncToken": "1"}),
        )
        .await;
    reply.assert_fault(400, "6000");

    // Voiding the payment (QBO's update&include=void) restores the balances.
    let reply = env
        .post(
            "payment?operation=update&include=void",
            &json!({"Id": id(&payment), "SyncToken": "1", "sparse": true}),
        )
        .await;
    assert_eq!(num(&reply.ok()["Payment"]["TotalAmt"]), 0.0);
    let unpaid = env.read("Invoice", &iid).await;
    assert_eq!(num(&unpaid["Balance"]), 200.0);
    assert_eq!(unpaid["SyncToken"], "2");
    assert!(unpaid.get("LinkedTxn").is_none());
    assert_eq!(num(&env.read("Customer", &cid).await["Balance"]), 170.0);
}

#[tokio::test]
async fn accounts_payment_methods_and_the_read_only_lists() {
    let env = Env::start().await;
    let account = env
        .create(
            "Account",
            json!({"Name": "Web Sales", "AccountType": "Income"}),
        )
        .await;
    assert_eq!(account["Classification"], "Revenue");
    assert_eq!(account["AccountSubType"], "OtherPrimaryIncome");
    let sub = env
        .create(
            "Account",
            json!({"Name": "EU", "AccountType": "Income", "AccountSubType": "SalesOfProductIncome",
                   "SubAccount": true, "ParentRef": {"value": id(&account)}}),
        )
        .await;
    assert_eq!(sub["FullyQualifiedName"], "Web Sales:EU");
    let reply = env
        .post(
            "account",
            &json!({"Id": id(&account), "SyncToken": "0", "sparse": true, "Description": "shop"}),
        )
        .await;
    assert_eq!(reply.ok()["Account"]["Description"], "shop");
    env.post(
        "account",
        &json!({"Name": "Bad \"quote\"", "AccountType": "Income"}),
    )
    .await
    .assert_fault(400, "2040");
    env.post(
        "account",
        &json!({"Name": "Nope", "AccountType": "Income", "AccountSubType": "Checking"}),
    )
    .await
    .assert_fault(400, "6010");

    let method = env.create("PaymentMethod", json!({"Name": "PayPal"})).await;
    assert_eq!(method["Type"], "NON_CREDIT_CARD");
    let reply = env
        .post(
            "paymentmethod",
            &json!({"Id": id(&method), "SyncToken": "0", "sparse": true, "Type": "CREDIT_CARD"}),
        )
        .await;
    assert_eq!(reply.ok()["PaymentMethod"]["Type"], "CREDIT_CARD");
    env.post("paymentmethod", &json!({"Name": "x".repeat(32)}))
        .await
        .assert_fault(400, "2050");

    let tax = env.read("TaxCode", "TAX").await;
    assert_eq!(tax["Taxable"], true);
    let rate = env.read("TaxRate", "1").await;
    assert_eq!(num(&rate["RateValue"]), 8.0);
    env.post("taxcode", &json!({"Name": "New"}))
        .await
        .assert_fault(400, "500");
    env.post(
        "taxrate",
        &json!({"Id": "1", "SyncToken": "0", "sparse": true, "Name": "x"}),
    )
    .await
    .assert_fault(400, "500");
}

#[tokio::test]
async fn company_info_and_preferences_read_and_update() {
    let env = Env::start().await;
    let info = env.get(&format!("companyinfo/{}", env.realm)).await;
    let info = info.ok()["CompanyInfo"].clone();
    assert_eq!(info["Country"], "US");
    let reply = env
        .post(
            "companyinfo",
            &json!({"Id": id(&info), "SyncToken": "0", "sparse": true, "LegalName": "Shop LLC"}),
        )
        .await;
    assert_eq!(reply.ok()["CompanyInfo"]["LegalName"], "Shop LLC");

    let prefs = env.get("preferences").await.ok()["Preferences"].clone();
    assert_eq!(prefs["ProductAndServicesPrefs"]["QuantityOnHand"], true);
    assert_eq!(prefs["SalesFormsPrefs"]["AllowShipping"], false);
    // Shipping lines need AllowShipping.
    let customer = env.customer("Ann").await;
    let shipping = json!({"CustomerRef": {"value": id(&customer)}, "Line": [{
        "Amount": 5, "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "SHIPPING_ITEM_ID"}}}]});
    env.post("invoice", &shipping)
        .await
        .assert_fault(400, "2500");
    let reply = env
        .post(
            "preferences",
            &json!({"Id": id(&prefs), "SyncToken": "0", "sparse": true,
                    "SalesFormsPrefs": {"AllowShipping": true}}),
        )
        .await;
    let updated = reply.ok()["Preferences"].clone();
    assert_eq!(updated["SalesFormsPrefs"]["AllowShipping"], true);
    assert_eq!(
        updated["SalesFormsPrefs"]["AllowDiscount"], true,
        "groups merge"
    );
    let invoice = env.post("invoice", &shipping).await;
    assert_eq!(num(&invoice.ok()["Invoice"]["TotalAmt"]), 5.0);
}
