#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Typed entity models: decoding realistic QBO answers, writing only what QBO accepts.

use chrono::{DateTime, NaiveDate};
use qbo_api::{
    Account, AccountType, Customer, Entity, Invoice, Item, ItemType, Line, LineDetail,
    LineDetailType, NameList, Payment, PaymentMethod, PaymentMethodType, Preferences,
    ReferenceType, SalesItemLineDetail, TaxCode,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Reads a fixture file as JSON.
fn read_fixture(file: &str) -> Value {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Reads a fixture and takes the entity out of its response envelope (`{"Customer": {...}}`).
fn fixture(file: &str, entity: &str) -> Value {
    let mut body = read_fixture(file);
    body.get_mut(entity)
        .unwrap_or_else(|| panic!("{file} has no {entity}"))
        .take()
}

fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn customer_read_response_decodes() {
    let c: Customer = decode(fixture("customer_read.json", "Customer"));
    assert_eq!(c.id.as_ref().unwrap(), "58");
    assert_eq!(c.sync_token.as_ref().unwrap().as_str(), "3");
    assert_eq!(c.domain.as_deref(), Some("QBO"));
    assert_eq!(c.display_name.as_deref(), Some("Ann Example"));
    assert_eq!(c.given_name.as_deref(), Some("Ann"));
    assert_eq!(c.title.as_deref(), Some("Ms."));
    assert_eq!(c.active, Some(true));
    assert_eq!(c.taxable, Some(true));
    assert_eq!(c.balance, Some(dec!(239)));
    assert_eq!(
        c.primary_email_addr.as_ref().unwrap().address.as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        c.primary_phone
            .as_ref()
            .unwrap()
            .free_form_number
            .as_deref(),
        Some("(650) 555-0143")
    );
    assert_eq!(
        c.web_addr.as_ref().unwrap().uri.as_deref(),
        Some("https://example.com")
    );
    let bill = c.bill_addr.as_ref().unwrap();
    assert_eq!(bill.country_sub_division_code.as_deref(), Some("CA"));
    assert_eq!(bill.long.as_deref(), Some("-122.1178261"));
    assert_eq!(c.currency_ref.as_ref().unwrap().value, "USD");
    assert_eq!(
        c.currency_ref.as_ref().unwrap().name.as_deref(),
        Some("United States Dollar")
    );
    assert_eq!(c.default_tax_code_ref.as_ref().unwrap().value, "2");
    let meta = c.meta_data.as_ref().unwrap();
    assert_eq!(
        meta.last_updated_time,
        Some(DateTime::parse_from_rfc3339("2024-05-20T16:02:11-07:00").unwrap())
    );
    // Properties outside the model are kept for reading…
    assert_eq!(
        c.other.get("V4IDPseudonym").and_then(Value::as_str),
        Some("002098d1f8c5b1a4d2402c9b1c2a3c2e0b6a41")
    );
    assert_eq!(c.other.get("sparse"), Some(&json!(false)));
    // …and never written back.
    let out = serde_json::to_value(&c).unwrap();
    assert!(out.get("V4IDPseudonym").is_none());
    assert!(out.get("ClientEntityId").is_none());
    assert!(out.get("sparse").is_none());
    assert_eq!(out["DisplayName"], "Ann Example");
    assert_eq!(out["WebAddr"], json!({"URI": "https://example.com"}));
}

#[test]
fn invoice_with_every_sales_line_kind_decodes() {
    let inv: Invoice = decode(fixture("invoice_read.json", "Invoice"));
    assert_eq!(
        inv.sync_token.as_ref().unwrap().as_str(),
        "2",
        "numeric SyncToken"
    );
    assert_eq!(inv.doc_number.as_deref(), Some("1037"));
    assert_eq!(inv.txn_date, Some(date(2024, 4, 12)));
    assert_eq!(inv.due_date, Some(date(2024, 5, 12)));
    assert_eq!(inv.ship_date, Some(date(2024, 4, 11)));
    assert_eq!(inv.total_amt, Some(dec!(109.70)));
    assert_eq!(inv.balance, Some(Decimal::ZERO));
    assert_eq!(inv.customer_ref.as_ref().unwrap().value, "58");
    assert_eq!(
        inv.customer_memo.as_ref().unwrap().value.as_deref(),
        Some("Thank you for your business!")
    );
    assert_eq!(inv.print_status, Some(qbo_api::PrintStatus::NeedToPrint));
    assert_eq!(inv.email_status, Some(qbo_api::EmailStatus::NotSet));
    assert_eq!(inv.allow_online_ach_payment, Some(false));
    assert_eq!(
        inv.custom_field[0].string_value.as_deref(),
        Some("WEB-10042")
    );
    assert_eq!(inv.linked_txn[0].txn_type.as_deref(), Some("Payment"));
    assert!(inv.other.get("DeliveryInfo").is_some());
    assert_eq!(inv.line.len(), 5);

    match inv.line[0].detail() {
        Some(LineDetail::SalesItem(d)) => {
            assert_eq!(d.item_ref.as_ref().unwrap().value, "5");
            assert_eq!(d.qty, Some(dec!(4)));
            assert_eq!(d.unit_price, Some(dec!(25)));
            assert_eq!(d.tax_code_ref.as_ref().unwrap().value, "TAX");
            assert_eq!(d.service_date, Some(date(2024, 4, 10)));
        }
        other => panic!("line 1: {other:?}"),
    }
    assert_eq!(inv.line[0].amount, Some(dec!(100)));
    assert_eq!(inv.line[0].line_num, Some(1));

    assert_eq!(
        inv.line[1].detail_type,
        Some(LineDetailType::DescriptionOnly)
    );
    assert!(matches!(
        inv.line[1].detail(),
        Some(LineDetail::Description(_))
    ));
    assert_eq!(
        inv.line[1].description.as_deref(),
        Some("Gift wrapping requested")
    );

    match inv.line[2].detail() {
        Some(LineDetail::SalesItem(d)) => {
            assert_eq!(d.item_ref.as_ref().unwrap().value, "SHIPPING_ITEM_ID");
        }
        other => panic!("line 3: {other:?}"),
    }
    assert!(matches!(
        inv.line[3].detail(),
        Some(LineDetail::SubTotal(_))
    ));
    assert_eq!(inv.line[3].amount, Some(dec!(112.5)));
    match inv.line[4].detail() {
        Some(LineDetail::Discount(d)) => {
            assert_eq!(d.percent_based, Some(true));
            assert_eq!(d.discount_percent, Some(dec!(10)));
            assert_eq!(d.discount_account_ref.as_ref().unwrap().value, "86");
        }
        other => panic!("line 5: {other:?}"),
    }

    let tax = inv.txn_tax_detail.as_ref().unwrap();
    assert_eq!(tax.total_tax, Some(dec!(7.2)));
    assert_eq!(tax.txn_tax_code_ref.as_ref().unwrap().value, "2");
    match tax.tax_line[0].detail() {
        Some(LineDetail::Tax(d)) => {
            assert_eq!(d.tax_percent, Some(dec!(8)));
            assert_eq!(d.net_amount_taxable, Some(dec!(90)));
            assert_eq!(d.tax_rate_ref.as_ref().unwrap().value, "3");
        }
        other => panic!("tax line: {other:?}"),
    }

    // Decoding and re-encoding keeps every typed value.
    let again: Invoice = decode(serde_json::to_value(&inv).unwrap());
    assert_eq!(again.line, {
        let mut lines = inv.line.clone();
        lines.iter_mut().for_each(|l| l.other = Default::default());
        lines
    });
    assert!(again.other.is_empty());
}

#[test]
fn pseudo_tax_codes_without_sync_token_decode() {
    let mut body = read_fixture("taxcode_query.json");
    let codes: Vec<TaxCode> = decode(body["QueryResponse"]["TaxCode"].take());
    assert_eq!(codes.len(), 3);
    let tax = &codes[0];
    assert_eq!(tax.id.as_ref().unwrap(), "TAX");
    assert_eq!(tax.name.as_deref(), Some("TAX"));
    assert_eq!(tax.taxable, Some(true));
    assert!(tax.sync_token.is_none());
    assert!(tax.sync_token().is_none());
    // Empty time stamps read as unset.
    assert_eq!(tax.meta_data.as_ref().unwrap().create_time, None);
    assert_eq!(codes[1].id.as_ref().unwrap(), "NON");
    assert_eq!(codes[1].taxable, Some(false));

    let ca = &codes[2];
    assert_eq!(ca.sync_token.as_ref().unwrap().as_str(), "0");
    assert_eq!(ca.tax_group, Some(true));
    assert_eq!(
        ca.tax_code_config_type,
        Some(qbo_api::TaxCodeConfigType::UserDefined)
    );
    let rates = ca.sales_tax_rate_list.as_ref().unwrap();
    assert_eq!(
        rates.tax_rate_detail[0]
            .tax_rate_ref
            .as_ref()
            .unwrap()
            .value,
        "3"
    );
    assert_eq!(
        rates.tax_rate_detail[0].tax_type_applicable,
        Some(qbo_api::TaxTypeApplicable::TaxOnAmount)
    );
    assert_eq!(rates.tax_rate_detail[0].tax_order, Some(0));
    assert!(
        ca.purchase_tax_rate_list
            .as_ref()
            .unwrap()
            .tax_rate_detail
            .is_empty()
    );
    // An empty rate list is omitted on the way out.
    let out = serde_json::to_value(ca).unwrap();
    assert_eq!(out["PurchaseTaxRateList"], json!({}));
}

#[test]
fn inventory_item_decodes() {
    let item: Item = decode(fixture("item_inventory.json", "Item"));
    assert_eq!(item.item_type, Some(ItemType::Inventory));
    assert_eq!(item.name.as_deref(), Some("Rock Fountain"));
    assert_eq!(item.sku.as_deref(), Some("RF-SMALL-01"));
    assert_eq!(item.unit_price, Some(dec!(275)));
    assert_eq!(item.purchase_cost, Some(dec!(125.5)));
    assert_eq!(item.qty_on_hand, Some(dec!(2)));
    assert_eq!(item.track_qty_on_hand, Some(true));
    assert_eq!(item.inv_start_date, Some(date(2024, 1, 1)));
    assert_eq!(item.income_account_ref.as_ref().unwrap().value, "79");
    assert_eq!(item.expense_account_ref.as_ref().unwrap().value, "80");
    assert_eq!(item.asset_account_ref.as_ref().unwrap().value, "81");
    assert_eq!(item.sub_item, Some(true));
    assert_eq!(item.parent_ref.as_ref().unwrap().value, "19");
    assert_eq!(item.level, Some(1));
    assert_eq!(
        item.fully_qualified_name.as_deref(),
        Some("Garden:Rock Fountain")
    );
    let out = serde_json::to_value(&item).unwrap();
    assert_eq!(out["Type"], "Inventory");
    assert_eq!(out["UnitPrice"], json!(275.0));
    assert_eq!(out["InvStartDate"], "2024-01-01");
}

#[test]
fn category_item_decodes() {
    let item: Item = decode(fixture("item_category.json", "Item"));
    assert_eq!(item.item_type, Some(ItemType::Category));
    assert_eq!(item.name.as_deref(), Some("Garden"));
    assert!(item.unit_price.is_none());
    assert!(item.income_account_ref.is_none());

    // Creating a sub-category.
    let sub = Item {
        name: Some("Fountains".into()),
        item_type: Some(ItemType::Category),
        sub_item: Some(true),
        parent_ref: Some(ReferenceType::new("19")),
        ..Item::default()
    };
    assert_eq!(
        serde_json::to_value(&sub).unwrap(),
        json!({"Name": "Fountains", "SubItem": true, "ParentRef": {"value": "19"}, "Type": "Category"})
    );
}

#[test]
fn payment_with_linked_txn_decodes() {
    let p: Payment = decode(fixture("payment_read.json", "Payment"));
    assert_eq!(p.total_amt, Some(dec!(109.7)));
    assert_eq!(p.unapplied_amt, Some(Decimal::ZERO));
    assert_eq!(p.customer_ref.as_ref().unwrap().value, "58");
    assert_eq!(p.payment_ref_num.as_deref(), Some("WEB-10042"));
    assert_eq!(p.process_payment, Some(false));
    assert_eq!(p.txn_date, Some(date(2024, 4, 13)));
    let line = &p.line[0];
    assert_eq!(line.amount, Some(dec!(109.7)));
    assert_eq!(line.linked_txn[0].txn_id.as_ref().unwrap(), "130");
    assert_eq!(line.linked_txn[0].txn_type.as_deref(), Some("Invoice"));
    assert!(line.detail().is_none());
    assert!(line.other.get("LineEx").is_some());

    // What a sync sends to apply a payment.
    let new = Payment {
        customer_ref: Some(ReferenceType::new("58")),
        total_amt: Some(dec!(109.70)),
        line: vec![Line::payment(
            dec!(109.70),
            [qbo_api::LinkedTxn::new("130", "Invoice")],
        )],
        ..Payment::default()
    };
    assert_eq!(
        serde_json::to_value(&new).unwrap(),
        json!({
            "Line": [{"Amount": 109.7, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}],
            "CustomerRef": {"value": "58"},
            "TotalAmt": 109.7
        })
    );
}

#[test]
fn preferences_decode() {
    let p: Preferences = decode(fixture("preferences_read.json", "Preferences"));
    let sales = p.sales_forms_prefs.as_ref().unwrap();
    assert_eq!(sales.custom_txn_numbers, Some(false));
    assert_eq!(sales.allow_shipping, Some(true));
    assert_eq!(sales.allow_discount, Some(true));
    assert_eq!(sales.allow_deposit, Some(true));
    assert_eq!(sales.allow_service_date, Some(true));
    assert_eq!(sales.default_shipping_account.as_deref(), Some("85"));
    assert_eq!(sales.e_transaction_attach_pdf, Some(false));
    assert_eq!(sales.ipn_support_enabled, Some(false));
    let tax = p.tax_prefs.as_ref().unwrap();
    assert_eq!(tax.using_sales_tax, Some(true));
    assert_eq!(tax.partner_tax_enabled, Some(true));
    assert_eq!(tax.tax_group_code_ref.as_ref().unwrap().value, "2");
    let cur = p.currency_prefs.as_ref().unwrap();
    assert_eq!(cur.multi_currency_enabled, Some(false));
    assert_eq!(cur.home_currency.as_ref().unwrap().value, "USD");
    let ps = p.product_and_services_prefs.as_ref().unwrap();
    assert_eq!(ps.quantity_on_hand, Some(true));
    assert_eq!(ps.for_sales, Some(true));
    let acc = p.accounting_info_prefs.as_ref().unwrap();
    assert_eq!(acc.track_departments, Some(true));
    assert_eq!(acc.class_tracking_per_txn, Some(false));
    assert_eq!(acc.customer_terminology.as_deref(), Some("Customers"));
    assert_eq!(acc.book_close_date, Some(date(2023, 12, 31)));
    assert_eq!(p.other_prefs.as_ref().unwrap().name_value.len(), 2);
    // The sales-form custom fields, e-mail messages and purchase preferences are typed,
    // so a full update through the model keeps them.
    assert_eq!(sales.auto_apply_payments, Some(true));
    assert_eq!(sales.email_copy_to_company, Some(false));
    assert_eq!(sales.custom_field.len(), 2);
    let crew = &sales.custom_field[1].custom_field[0];
    assert_eq!(
        crew.name.as_deref(),
        Some("SalesFormsPrefs.SalesCustomName1")
    );
    assert_eq!(crew.string_value.as_deref(), Some("Crew #"));
    let email = p.email_messages_prefs.as_ref().unwrap();
    let invoice = email.invoice_message.as_ref().unwrap();
    assert_eq!(
        invoice.subject.as_deref(),
        Some("Invoice from Example Goods")
    );
    assert!(
        invoice
            .message
            .as_deref()
            .unwrap()
            .starts_with("Your invoice")
    );
    for message in [
        &email.estimate_message,
        &email.sales_receipt_message,
        &email.statement_message,
    ] {
        assert!(message.as_ref().unwrap().subject.is_some());
    }
    let purchases = p.vendor_and_purchases_prefs.as_ref().unwrap();
    assert_eq!(purchases.billable_expense_tracking, Some(true));
    assert_eq!(purchases.tracking_by_customer, Some(true));
    assert_eq!(purchases.po_custom_field.len(), 2);
    assert!(p.other.get("EmailMessagesPrefs").is_none());
    // Untyped preference groups are readable, never sent.
    assert!(p.other.get("TimeTrackingPrefs").is_some());
    let out = serde_json::to_value(&p).unwrap();
    assert!(out.get("TimeTrackingPrefs").is_none());
    let sent = read_fixture("preferences_read.json")["Preferences"].clone();
    for section in [
        "EmailMessagesPrefs",
        "VendorAndPurchasesPrefs",
        "OtherPrefs",
    ] {
        assert_eq!(out[section], sent[section], "{section}");
    }
    assert_eq!(
        out["SalesFormsPrefs"]["CustomField"],
        sent["SalesFormsPrefs"]["CustomField"]
    );
    assert!(
        out["ProductAndServicesPrefs"]
            .get("RevenueRecognitionEnabled")
            .is_none()
    );
}

#[test]
fn company_info_decodes() {
    let c: qbo_api::CompanyInfo = decode(fixture("companyinfo_read.json", "CompanyInfo"));
    assert_eq!(c.company_name.as_deref(), Some("Example Goods"));
    assert_eq!(c.legal_name.as_deref(), Some("Example Goods LLC"));
    assert_eq!(c.country.as_deref(), Some("US"));
    assert_eq!(c.fiscal_year_start_month.as_deref(), Some("January"));
    assert_eq!(c.company_start_date, Some(date(2024, 1, 1)));
    assert_eq!(
        c.company_addr.as_ref().unwrap().postal_code.as_deref(),
        Some("94043")
    );
    assert_eq!(c.name_value("NeoEnabled"), Some("true"));
    assert_eq!(c.name_value("Missing"), None);
    assert_eq!(c.primary_phone, Some(Default::default()));
}

#[test]
fn account_decodes_with_spaced_type() {
    let a: Account = decode(fixture("account_read.json", "Account"));
    assert_eq!(a.account_type, Some(AccountType::OtherCurrentAsset));
    assert_eq!(a.account_sub_type.as_deref(), Some("Inventory"));
    assert_eq!(
        a.classification,
        Some(qbo_api::AccountClassification::Asset)
    );
    assert_eq!(a.current_balance, Some(dec!(251)));
    let out = serde_json::to_value(&a).unwrap();
    assert_eq!(out["AccountType"], "Other Current Asset");
    let cogs: Account = decode(json!({"AccountType": "Cost of Goods Sold"}));
    assert_eq!(cogs.account_type, Some(AccountType::CostOfGoodsSold));
    assert_eq!(AccountType::CostOfGoodsSold.as_str(), "Cost of Goods Sold");
}

#[test]
fn unknown_enum_values_decode_and_round_trip() {
    let item: Item = decode(json!({"Name": "Kit", "Type": "Kit Assembly"}));
    assert_eq!(item.item_type, Some(ItemType::Other("Kit Assembly".into())));
    assert_eq!(serde_json::to_value(&item).unwrap()["Type"], "Kit Assembly");
    assert_eq!(ItemType::from("Fixed Asset"), ItemType::FixedAsset);
    assert_eq!(ItemType::OtherCharge.to_string(), "Other Charge");

    let a: Account = decode(json!({"AccountType": "Crypto Wallet"}));
    assert_eq!(
        a.account_type,
        Some(AccountType::Other("Crypto Wallet".into()))
    );

    let line: Line = decode(json!({
        "Amount": 3,
        "DetailType": "FancyNewLineDetail",
        "FancyNewLineDetail": {"X": 1}
    }));
    assert_eq!(
        line.detail_type,
        Some(LineDetailType::Other("FancyNewLineDetail".into()))
    );
    assert!(line.detail().is_none());
    assert!(line.other.get("FancyNewLineDetail").is_some());

    let inv: Invoice =
        decode(json!({"GlobalTaxCalculation": "TaxInclusive", "EmailStatus": "Queued"}));
    assert_eq!(
        inv.global_tax_calculation,
        Some(qbo_api::GlobalTaxCalculation::TaxInclusive)
    );
    assert_eq!(
        inv.email_status,
        Some(qbo_api::EmailStatus::Other("Queued".into()))
    );

    let pm: PaymentMethod = decode(json!({"Name": "Visa", "Type": "CREDIT_CARD"}));
    assert_eq!(pm.method_type, Some(PaymentMethodType::CreditCard));
}

#[test]
fn unknown_properties_are_kept_at_every_level_and_never_sent() {
    let inv: Invoice = decode(json!({
        "Id": "130",
        "NewTopLevelFlag": true,
        "CustomerRef": {"value": "58", "extra": 1},
        "BillAddr": {"Line1": "12 Harbour Road", "Plus4": "1234"},
        "Line": [{
            "Amount": 10,
            "DetailType": "SalesItemLineDetail",
            "LineEx": {"any": []},
            "SalesItemLineDetail": {"ItemRef": {"value": "5"}, "MarkupInfo": {"Percent": 3}}
        }]
    }));
    assert_eq!(inv.other.get("NewTopLevelFlag"), Some(&json!(true)));
    assert_eq!(
        inv.customer_ref.as_ref().unwrap().other.get("extra"),
        Some(&json!(1))
    );
    assert!(inv.bill_addr.as_ref().unwrap().other.get("Plus4").is_some());
    assert!(inv.line[0].other.get("LineEx").is_some());
    let detail = inv.line[0].sales_item_line_detail.as_ref().unwrap();
    assert_eq!(detail.other.len(), 1);
    assert_eq!(
        serde_json::to_value(&inv).unwrap(),
        json!({
            "Id": "130",
            "Line": [{
                "Amount": 10.0,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "5"}}
            }],
            "CustomerRef": {"value": "58"},
            "BillAddr": {"Line1": "12 Harbour Road"}
        })
    );
}

#[test]
fn trailing_zero_amounts_and_numeric_ids_decode() {
    let line: Line = decode(json!({
        "Id": 7,
        "Amount": 100.00,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": 5}, "Qty": 2.0000, "UnitPrice": "50.00"}
    }));
    assert_eq!(line.id.as_ref().unwrap(), "7");
    assert_eq!(line.amount, Some(dec!(100)));
    let d = line.sales_item_line_detail.as_ref().unwrap();
    assert_eq!(d.item_ref.as_ref().unwrap().value, "5");
    assert_eq!(d.qty, Some(dec!(2)));
    assert_eq!(d.unit_price, Some(dec!(50)));
    // Written back as plain JSON numbers.
    let out = serde_json::to_value(&line).unwrap();
    assert_eq!(out["Amount"], json!(100.0));
    assert_eq!(out["SalesItemLineDetail"]["UnitPrice"], json!(50.0));

    let c: Customer = decode(json!({"Id": 58, "SyncToken": 12, "Balance": "0.00"}));
    assert_eq!(c.id.as_ref().unwrap(), "58");
    assert_eq!(c.sync_token.as_ref().unwrap().as_str(), "12");
    assert_eq!(c.balance, Some(Decimal::ZERO));
}

#[test]
fn empty_subtotal_line_detail_decodes() {
    let line: Line = decode(json!({
        "Amount": 112.50,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {}
    }));
    assert_eq!(line.sub_total_line_detail, Some(Default::default()));
    assert!(matches!(line.detail(), Some(LineDetail::SubTotal(_))));
    assert_eq!(
        serde_json::to_value(&line).unwrap(),
        json!({"Amount": 112.5, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    );
    assert_eq!(
        serde_json::to_value(Line::subtotal(None)).unwrap(),
        json!({"DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    );
}

#[test]
fn unset_options_are_omitted() {
    assert_eq!(serde_json::to_string(&Customer::default()).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&Invoice::default()).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&Item::default()).unwrap(), "{}");
    assert_eq!(
        serde_json::to_string(&Preferences::default()).unwrap(),
        "{}"
    );
    assert_eq!(
        serde_json::to_string(&qbo_api::CompanyInfo::default()).unwrap(),
        "{}"
    );
    let c = Customer {
        display_name: Some("Ann Example".into()),
        primary_email_addr: Some(qbo_api::EmailAddress::new("ann@example.com")),
        ..Customer::default()
    };
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"DisplayName": "Ann Example", "PrimaryEmailAddr": {"Address": "ann@example.com"}})
    );
    // A sparse update is just the set fields (the client adds "sparse": true).
    let update = Invoice {
        id: Some("130".into()),
        sync_token: Some("2".into()),
        private_note: Some("paid".into()),
        ..Invoice::default()
    };
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"Id": "130", "SyncToken": "2", "PrivateNote": "paid"})
    );
}

#[test]
fn deactivation_bodies_hold_only_what_qbo_needs() {
    let c: Customer = decode(fixture("customer_read.json", "Customer"));
    assert_eq!(
        serde_json::to_value(c.deactivation()).unwrap(),
        json!({"Id": "58", "SyncToken": "3", "Active": false})
    );
    let item: Item = decode(fixture("item_inventory.json", "Item"));
    assert_eq!(
        serde_json::to_value(item.deactivation()).unwrap(),
        json!({"Id": "5", "SyncToken": "2", "Name": "Rock Fountain", "Type": "Inventory", "Active": false})
    );
    let account: Account = decode(fixture("account_read.json", "Account"));
    assert_eq!(
        serde_json::to_value(account.deactivation()).unwrap(),
        json!({"Id": "81", "SyncToken": "0", "Name": "Inventory Asset", "Active": false})
    );
    let pm: PaymentMethod = decode(json!({
        "Name": "Visa", "Active": true, "Type": "CREDIT_CARD", "Id": "3", "SyncToken": "1",
        "domain": "QBO", "sparse": false
    }));
    assert_eq!(
        serde_json::to_value(pm.deactivation()).unwrap(),
        json!({"Id": "3", "SyncToken": "1", "Active": false})
    );
}

#[test]
fn line_constructors_and_detail_accessor() {
    let item = ReferenceType::new("5").with_name("Rock Fountain");
    let sale = Line::sales_item(dec!(20.00), SalesItemLineDetail::new(item.clone()));
    assert_eq!(sale.detail_type, Some(LineDetailType::SalesItemLineDetail));
    match sale.detail() {
        Some(LineDetail::SalesItem(d)) => assert_eq!(d.item_ref.as_ref(), Some(&item)),
        other => panic!("{other:?}"),
    }

    let text = Line::description("Thanks for shopping");
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        json!({"Description": "Thanks for shopping", "DetailType": "DescriptionOnly"})
    );
    assert!(text.detail().is_none());

    let discount = Line::discount(
        dec!(5),
        qbo_api::DiscountLineDetail::percent(dec!(8.5), ReferenceType::new("86")),
    );
    assert_eq!(
        serde_json::to_value(&discount).unwrap(),
        json!({
            "Amount": 5.0,
            "DetailType": "DiscountLineDetail",
            "DiscountLineDetail": {
                "PercentBased": true,
                "DiscountPercent": 8.5,
                "DiscountAccountRef": {"value": "86"}
            }
        })
    );
    assert!(matches!(discount.detail(), Some(LineDetail::Discount(_))));

    let group = Line::group(qbo_api::GroupLineDetail {
        group_item_ref: Some(ReferenceType::new("40")),
        quantity: Some(dec!(1)),
        line: vec![sale],
        ..Default::default()
    });
    match group.detail() {
        Some(LineDetail::Group(g)) => assert_eq!(g.line.len(), 1),
        other => panic!("{other:?}"),
    }

    // A detail that does not match DetailType is still found.
    let odd = Line {
        detail_type: Some(LineDetailType::TaxLineDetail),
        sales_item_line_detail: Some(SalesItemLineDetail::new(item)),
        ..Line::default()
    };
    assert!(matches!(odd.detail(), Some(LineDetail::SalesItem(_))));
}

#[test]
fn dates_are_lenient_but_never_panic() {
    let inv: Invoice = decode(json!({
        "TxnDate": "2024-04-12T23:30:00-07:00",
        "DueDate": "",
        "ShipDate": null
    }));
    assert_eq!(inv.txn_date, Some(date(2024, 4, 12)));
    assert_eq!(inv.due_date, None);
    assert_eq!(inv.ship_date, None);
    for bad in [
        json!("12/04/2024"),
        json!("2024-13-01"),
        json!("2024-04-1é"),
        json!(20240412),
    ] {
        let err = serde_json::from_value::<Invoice>(json!({ "TxnDate": bad.clone() }));
        assert!(err.is_err(), "{bad} was accepted");
    }
    let meta: qbo_api::ModificationMetaData = decode(
        json!({"CreateTime": "2024-04-12T13:45:55.123Z", "LastUpdatedTime": "2024-04-12T13:45:55"}),
    );
    assert!(meta.create_time.is_some());
    assert_eq!(
        meta.last_updated_time,
        Some(DateTime::parse_from_rfc3339("2024-04-12T13:45:55Z").unwrap())
    );
    assert!(
        serde_json::from_value::<qbo_api::ModificationMetaData>(json!({"CreateTime": "yesterday"}))
            .is_err()
    );
}

#[test]
fn populated_entities_round_trip() {
    for (name, json) in populated::all() {
        let back = populated::decode_as(name, &json);
        assert_eq!(back, json, "{name} does not survive a round trip");
        assert!(!contains_null(&json), "{name} serializes a null");
    }
}

#[test]
fn every_entity_serializes_only_schema_names() {
    let all = populated::all();
    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
    for expected in qbo_api::AnyEntity::NAMES {
        assert!(names.contains(expected), "no populated {expected}");
    }
    let mut failures = Vec::new();
    for (name, json) in &all {
        if let Err(violations) = qbo_api::schema::check_entity(name, json) {
            failures.extend(violations.iter().map(ToString::to_string));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

/// Fully populated values of every entity: every field set, nested types fully set too,
/// one line of each detail kind. Written as exhaustive struct literals (no
/// `..Default::default()`), so a field added to a model fails to compile here until it
/// is populated.
mod populated {
    use chrono::{DateTime, FixedOffset, NaiveDate};
    use qbo_api::*;
    use rust_decimal_macros::dec;
    use serde_json::Value;

    fn none() -> Unknown {
        Unknown::default()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 4, 12).unwrap()
    }

    fn time() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2024-04-12T13:45:55-07:00").unwrap()
    }

    pub fn reference(id: &str) -> ReferenceType {
        ReferenceType {
            value: id.into(),
            name: Some(format!("Name of {id}")),
            ref_type: Some("Account".into()),
            other: none(),
        }
    }

    pub fn address() -> PhysicalAddress {
        PhysicalAddress {
            id: Some("95".into()),
            line1: Some("12 Harbour Road".into()),
            line2: Some("Unit 4".into()),
            line3: Some("Building C".into()),
            line4: Some("c/o Reception".into()),
            line5: Some("Dock 2".into()),
            city: Some("Half Moon Bay".into()),
            country: Some("USA".into()),
            country_code: Some("US".into()),
            county: Some("San Mateo".into()),
            country_sub_division_code: Some("CA".into()),
            postal_code: Some("94213".into()),
            postal_code_suffix: Some("1234".into()),
            lat: Some("37.4530553".into()),
            long: Some("-122.1178261".into()),
            tag: Some("Billing".into()),
            note: Some("Ring twice".into()),
            other: none(),
        }
    }

    pub fn email() -> EmailAddress {
        EmailAddress {
            id: Some("1".into()),
            address: Some("ann@example.com".into()),
            default: Some(true),
            tag: Some("Business".into()),
            other: none(),
        }
    }

    pub fn phone() -> TelephoneNumber {
        TelephoneNumber {
            id: Some("1".into()),
            device_type: Some("LandLine".into()),
            country_code: Some("1".into()),
            area_code: Some("650".into()),
            exchange_code: Some("555".into()),
            extension: Some("12".into()),
            free_form_number: Some("(650) 555-0143".into()),
            default: Some(true),
            tag: Some("Business".into()),
            other: none(),
        }
    }

    pub fn web() -> WebSiteAddress {
        WebSiteAddress {
            id: Some("1".into()),
            uri: Some("https://example.com".into()),
            default: Some(true),
            tag: Some("Business".into()),
            other: none(),
        }
    }

    pub fn meta() -> ModificationMetaData {
        ModificationMetaData {
            created_by_ref: Some(reference("9130355377384256")),
            create_time: Some(time()),
            last_modified_by_ref: Some(reference("9130355377384256")),
            last_updated_time: Some(time()),
            last_changed_in_qb: Some(time()),
            synchronized: Some(true),
            other: none(),
        }
    }

    pub fn name_value() -> NameValue {
        NameValue {
            name: Some("NeoEnabled".into()),
            value: Some("true".into()),
            other: none(),
        }
    }

    pub fn custom_field() -> CustomField {
        CustomField {
            definition_id: Some("1".into()),
            name: Some("Order #".into()),
            field_type: Some(CustomFieldType::StringType),
            string_value: Some("WEB-10042".into()),
            boolean_value: Some(true),
            date_value: Some(day()),
            number_value: Some(dec!(42.5)),
            other: none(),
        }
    }

    pub fn linked_txn() -> LinkedTxn {
        LinkedTxn {
            txn_id: Some("130".into()),
            txn_type: Some("Invoice".into()),
            txn_line_id: Some("1".into()),
            other: none(),
        }
    }

    pub fn memo() -> MemoRef {
        MemoRef {
            value: Some("Thank you for your business!".into()),
            id: Some("1".into()),
            other: none(),
        }
    }

    fn line(detail_type: LineDetailType) -> Line {
        Line {
            id: Some("1".into()),
            line_num: Some(1),
            description: Some("Rock fountain, small".into()),
            amount: Some(dec!(100.00)),
            linked_txn: vec![linked_txn()],
            detail_type: Some(detail_type),
            sales_item_line_detail: None,
            group_line_detail: None,
            description_line_detail: None,
            discount_line_detail: None,
            sub_total_line_detail: None,
            tax_line_detail: None,
            other: none(),
        }
    }

    pub fn sales_item_line() -> Line {
        Line {
            sales_item_line_detail: Some(SalesItemLineDetail {
                item_ref: Some(reference("5")),
                class_ref: Some(reference("7")),
                unit_price: Some(dec!(25.1234567)),
                rate_percent: Some(dec!(10)),
                price_level_ref: Some(reference("2")),
                qty: Some(dec!(4)),
                item_account_ref: Some(reference("79")),
                inventory_site_ref: Some(reference("1")),
                tax_code_ref: Some(reference("TAX")),
                tax_classification_ref: Some(reference("EUC-99990201-V1-00020000")),
                service_date: Some(day()),
                tax_inclusive_amt: Some(dec!(108)),
                discount_rate: Some(dec!(5)),
                discount_amt: Some(dec!(5.00)),
                other: none(),
            }),
            ..line(LineDetailType::SalesItemLineDetail)
        }
    }

    pub fn group_line() -> Line {
        Line {
            group_line_detail: Some(GroupLineDetail {
                group_item_ref: Some(reference("40")),
                quantity: Some(dec!(2)),
                service_date: Some(day()),
                line: vec![sales_item_line()],
                other: none(),
            }),
            ..line(LineDetailType::GroupLineDetail)
        }
    }

    pub fn description_line() -> Line {
        Line {
            description_line_detail: Some(DescriptionLineDetail {
                service_date: Some(day()),
                tax_code_ref: Some(reference("NON")),
                other: none(),
            }),
            ..line(LineDetailType::DescriptionOnly)
        }
    }

    pub fn discount_line() -> Line {
        Line {
            discount_line_detail: Some(DiscountLineDetail {
                discount_ref: Some(reference("3")),
                percent_based: Some(true),
                discount_percent: Some(dec!(8.5)),
                discount_account_ref: Some(reference("86")),
                service_date: Some(day()),
                class_ref: Some(reference("7")),
                tax_code_ref: Some(reference("TAX")),
                other: none(),
            }),
            ..line(LineDetailType::DiscountLineDetail)
        }
    }

    pub fn subtotal_line() -> Line {
        Line {
            sub_total_line_detail: Some(SubTotalLineDetail {
                item_ref: Some(reference("41")),
                service_date: Some(day()),
                other: none(),
            }),
            ..line(LineDetailType::SubTotalLineDetail)
        }
    }

    pub fn tax_line() -> Line {
        Line {
            tax_line_detail: Some(TaxLineDetail {
                tax_rate_ref: Some(reference("3")),
                percent_based: Some(true),
                tax_percent: Some(dec!(8.25)),
                net_amount_taxable: Some(dec!(90.00)),
                tax_inclusive_amount: Some(dec!(97.43)),
                override_delta_amount: Some(dec!(0.01)),
                service_date: Some(day()),
                other: none(),
            }),
            ..line(LineDetailType::TaxLineDetail)
        }
    }

    /// One sales line of each kind a sales form holds.
    pub fn sales_lines() -> Vec<Line> {
        vec![
            sales_item_line(),
            group_line(),
            description_line(),
            discount_line(),
            subtotal_line(),
        ]
    }

    pub fn txn_tax_detail() -> TxnTaxDetail {
        TxnTaxDetail {
            default_tax_code_ref: Some(reference("2")),
            txn_tax_code_ref: Some(reference("2")),
            total_tax: Some(dec!(7.43)),
            tax_review_status: Some(TaxReviewStatus::AstTaxOverride),
            tax_line: vec![tax_line()],
            use_automated_sales_tax: Some(true),
            other: none(),
        }
    }

    pub fn customer() -> Customer {
        Customer {
            id: Some("58".into()),
            sync_token: Some("3".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            organization: Some(false),
            title: Some("Ms.".into()),
            given_name: Some("Ann".into()),
            middle_name: Some("B".into()),
            family_name: Some("Example".into()),
            suffix: Some("Jr.".into()),
            fully_qualified_name: Some("Ann Example".into()),
            company_name: Some("Example Goods".into()),
            display_name: Some("Ann Example".into()),
            print_on_check_name: Some("Example Goods".into()),
            active: Some(true),
            primary_phone: Some(phone()),
            alternate_phone: Some(phone()),
            mobile: Some(phone()),
            fax: Some(phone()),
            primary_email_addr: Some(email()),
            web_addr: Some(web()),
            default_tax_code_ref: Some(reference("2")),
            taxable: Some(true),
            bill_addr: Some(address()),
            ship_addr: Some(address()),
            contact_name: Some("Ann".into()),
            notes: Some("Prefers morning deliveries".into()),
            job: Some(true),
            bill_with_parent: Some(false),
            root_customer_ref: Some(reference("57")),
            parent_ref: Some(reference("57")),
            level: Some(1),
            customer_type_ref: Some(reference("4")),
            sales_term_ref: Some(reference("3")),
            payment_method_ref: Some(reference("1")),
            balance: Some(dec!(239.00)),
            open_balance_date: Some(day()),
            balance_with_jobs: Some(dec!(239.00)),
            acct_num: Some("C-0058".into()),
            currency_ref: Some(reference("USD")),
            preferred_delivery_method: Some("Email".into()),
            resale_num: Some("RS-1".into()),
            ar_account_ref: Some(reference("84")),
            primary_tax_identifier: Some("GB123456789".into()),
            tax_exemption_reason_id: Some("1".into()),
            is_project: Some(false),
            other: none(),
        }
    }

    pub fn item() -> Item {
        Item {
            id: Some("5".into()),
            sync_token: Some("2".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            name: Some("Rock Fountain".into()),
            sku: Some("RF-SMALL-01".into()),
            description: Some("Rock fountain, small".into()),
            active: Some(true),
            sub_item: Some(true),
            parent_ref: Some(reference("19")),
            level: Some(1),
            fully_qualified_name: Some("Garden:Rock Fountain".into()),
            taxable: Some(true),
            sales_tax_included: Some(false),
            unit_price: Some(dec!(275.00)),
            item_type: Some(ItemType::Inventory),
            income_account_ref: Some(reference("79")),
            purchase_desc: Some("Rock fountain, supplier code 2231".into()),
            purchase_tax_included: Some(false),
            purchase_cost: Some(dec!(125.50)),
            expense_account_ref: Some(reference("80")),
            asset_account_ref: Some(reference("81")),
            pref_vendor_ref: Some(reference("30")),
            avg_cost: Some(dec!(120.25)),
            track_qty_on_hand: Some(true),
            qty_on_hand: Some(dec!(2)),
            qty_on_purchase_order: Some(dec!(10)),
            qty_on_sales_order: Some(dec!(1)),
            reorder_point: Some(dec!(3)),
            sales_tax_code_ref: Some(reference("TAX")),
            purchase_tax_code_ref: Some(reference("NON")),
            inv_start_date: Some(day()),
            print_grouped_items: Some(true),
            item_group_detail: Some(ItemGroupDetail {
                item_group_line: vec![ItemComponentLine {
                    item_ref: Some(reference("6")),
                    qty: Some(dec!(2)),
                    other: none(),
                }],
                other: none(),
            }),
            class_ref: Some(reference("7")),
            other: none(),
        }
    }

    /// Fills the fields every sales transaction shares, then the given extra fields.
    macro_rules! sales_transaction {
        ($ty:ident { $($extra:tt)* }) => {
            $ty {
                id: Some("130".into()),
                sync_token: Some("2".into()),
                meta_data: Some(meta()),
                domain: Some("QBO".into()),
                status: Some("Deleted".into()),
                custom_field: vec![custom_field()],
                doc_number: Some("1037".into()),
                txn_date: Some(day()),
                department_ref: Some(reference("1")),
                currency_ref: Some(reference("USD")),
                exchange_rate: Some(dec!(1.0)),
                private_note: Some("Imported from web shop order WEB-10042".into()),
                txn_status: Some("Pending".into()),
                linked_txn: vec![linked_txn()],
                line: sales_lines(),
                txn_tax_detail: Some(txn_tax_detail()),
                txn_source: Some("WebShop".into()),
                project_ref: Some(reference("99")),
                auto_doc_number: Some(false),
                customer_ref: Some(reference("58")),
                customer_memo: Some(memo()),
                bill_addr: Some(address()),
                ship_addr: Some(address()),
                free_form_address: Some(false),
                ship_from_addr: Some(address()),
                class_ref: Some(reference("7")),
                sales_term_ref: Some(reference("3")),
                due_date: Some(day()),
                sales_rep_ref: Some(reference("12")),
                po_number: Some("PO-77".into()),
                fob: Some("Origin".into()),
                ship_method_ref: Some(reference("UPS")),
                ship_date: Some(day()),
                tracking_num: Some("1Z999AA10123456784".into()),
                global_tax_calculation: Some(GlobalTaxCalculation::TaxExcluded),
                total_amt: Some(dec!(109.70)),
                home_total_amt: Some(dec!(109.70)),
                apply_tax_after_discount: Some(true),
                template_ref: Some(reference("1")),
                print_status: Some(PrintStatus::NeedToPrint),
                email_status: Some(EmailStatus::NeedToSend),
                bill_email: Some(email()),
                bill_email_cc: Some(email()),
                bill_email_bcc: Some(email()),
                ar_account_ref: Some(reference("84")),
                balance: Some(dec!(0.00)),
                home_balance: Some(dec!(0)),
                payment_method_ref: Some(reference("1")),
                payment_ref_num: Some("WEB-10042".into()),
                payment_type: Some("CreditCard".into()),
                deposit_to_account_ref: Some(reference("4")),
                $($extra)*
                other: none(),
            }
        };
    }

    pub fn invoice() -> Invoice {
        sales_transaction!(Invoice {
            deposit: Some(dec!(10)),
            allow_ipn_payment: Some(false),
            allow_online_payment: Some(true),
            allow_online_credit_card_payment: Some(true),
            allow_online_ach_payment: Some(false),
            e_invoice_status: Some("Sent".into()),
            invoice_link: Some("https://connect.intuit.com/t/example".into()),
        })
    }

    pub fn sales_receipt() -> SalesReceipt {
        sales_transaction!(SalesReceipt {})
    }

    pub fn credit_memo() -> CreditMemo {
        sales_transaction!(CreditMemo {
            remaining_credit: Some(dec!(25.00)),
            invoice_ref: Some(reference("130")),
        })
    }

    pub fn refund_receipt() -> RefundReceipt {
        sales_transaction!(RefundReceipt {
            remaining_credit: Some(dec!(0)),
        })
    }

    pub fn payment() -> Payment {
        Payment {
            id: Some("131".into()),
            sync_token: Some("0".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            custom_field: vec![custom_field()],
            doc_number: Some("P-1".into()),
            txn_date: Some(day()),
            department_ref: Some(reference("1")),
            currency_ref: Some(reference("USD")),
            exchange_rate: Some(dec!(1)),
            private_note: Some("Web shop payment".into()),
            txn_status: Some("Paid".into()),
            linked_txn: vec![linked_txn()],
            line: vec![Line {
                amount: Some(dec!(109.70)),
                linked_txn: vec![linked_txn()],
                ..sales_item_line()
            }],
            txn_source: Some("WebShop".into()),
            project_ref: Some(reference("99")),
            customer_ref: Some(reference("58")),
            ar_account_ref: Some(reference("84")),
            deposit_to_account_ref: Some(reference("4")),
            payment_method_ref: Some(reference("1")),
            payment_ref_num: Some("WEB-10042".into()),
            payment_type: Some("CreditCard".into()),
            total_amt: Some(dec!(109.70)),
            unapplied_amt: Some(dec!(0)),
            process_payment: Some(false),
            other: none(),
        }
    }

    pub fn account() -> Account {
        Account {
            id: Some("81".into()),
            sync_token: Some("0".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            name: Some("Inventory Asset".into()),
            sub_account: Some(true),
            parent_ref: Some(reference("80")),
            description: Some("Goods on hand".into()),
            fully_qualified_name: Some("Assets:Inventory Asset".into()),
            active: Some(true),
            classification: Some(AccountClassification::Asset),
            account_type: Some(AccountType::OtherCurrentAsset),
            account_sub_type: Some("Inventory".into()),
            acct_num: Some("1300".into()),
            opening_balance: Some(dec!(0)),
            opening_balance_date: Some(day()),
            current_balance: Some(dec!(251.00)),
            current_balance_with_sub_accounts: Some(dec!(251.00)),
            currency_ref: Some(reference("USD")),
            tax_account: Some(false),
            tax_code_ref: Some(reference("NON")),
            other: none(),
        }
    }

    pub fn payment_method() -> PaymentMethod {
        PaymentMethod {
            id: Some("3".into()),
            sync_token: Some("1".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            name: Some("Visa".into()),
            active: Some(true),
            method_type: Some(PaymentMethodType::CreditCard),
            other: none(),
        }
    }

    fn rate_list() -> TaxRateList {
        TaxRateList {
            tax_rate_detail: vec![TaxRateDetail {
                tax_rate_ref: Some(reference("3")),
                tax_type_applicable: Some(TaxTypeApplicable::TaxOnAmount),
                tax_order: Some(0),
                tax_on_tax_order: Some(1),
                other: none(),
            }],
            originating_group_id: Some("2".into()),
            other: none(),
        }
    }

    pub fn tax_code() -> TaxCode {
        TaxCode {
            id: Some("2".into()),
            sync_token: Some("0".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            name: Some("California".into()),
            description: Some("California sales tax".into()),
            active: Some(true),
            hidden: Some(false),
            taxable: Some(true),
            tax_group: Some(true),
            sales_tax_rate_list: Some(rate_list()),
            purchase_tax_rate_list: Some(rate_list()),
            adjustment_tax_rate_list: Some(rate_list()),
            tax_code_config_type: Some(TaxCodeConfigType::UserDefined),
            other: none(),
        }
    }

    pub fn tax_rate() -> TaxRate {
        TaxRate {
            id: Some("3".into()),
            sync_token: Some("0".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            name: Some("California".into()),
            description: Some("State rate".into()),
            active: Some(true),
            rate_value: Some(dec!(7.25)),
            agency_ref: Some(reference("1")),
            tax_return_line_ref: Some(reference("5")),
            effective_tax_rate: vec![EffectiveTaxRate {
                rate_value: Some(dec!(7.25)),
                effective_date: Some(time()),
                end_date: Some(time()),
                other: none(),
            }],
            special_tax_type: Some(SpecialTaxType::Ordinary),
            display_type: Some(TaxRateDisplayType::ReadOnly),
            original_tax_rate: Some(reference("2")),
            other: none(),
        }
    }

    pub fn company_info() -> CompanyInfo {
        CompanyInfo {
            id: Some("1".into()),
            sync_token: Some("4".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            company_name: Some("Example Goods".into()),
            legal_name: Some("Example Goods LLC".into()),
            company_addr: Some(address()),
            customer_communication_addr: Some(address()),
            legal_addr: Some(address()),
            company_email_addr: Some(email()),
            customer_communication_email_addr: Some(email()),
            company_url: Some(web()),
            primary_phone: Some(phone()),
            mobile: Some(phone()),
            fax: Some(phone()),
            email: Some(email()),
            web_addr: Some(web()),
            company_start_date: Some(day()),
            employer_id: Some("12-3456789".into()),
            fiscal_year_start_month: Some("January".into()),
            country: Some("US".into()),
            supported_languages: Some("en".into()),
            default_time_zone: Some("America/Los_Angeles".into()),
            multi_byte_chars_supported: Some(false),
            name_value: vec![name_value()],
            other: none(),
        }
    }

    fn custom_field_definition() -> CustomFieldDefinition {
        CustomFieldDefinition {
            custom_field: vec![custom_field()],
            entity_type: Some("Invoice".into()),
            name: Some("Crew #".into()),
            hidden: Some(false),
            required: Some(false),
            app_id: Some("app-1".into()),
            other: none(),
        }
    }

    fn email_message(form: &str) -> EmailMessage {
        EmailMessage {
            subject: Some(format!("{form} from Example Goods")),
            message: Some(format!("Your {form} is attached.")),
            other: none(),
        }
    }

    pub fn preferences() -> Preferences {
        Preferences {
            id: Some("1".into()),
            sync_token: Some("6".into()),
            meta_data: Some(meta()),
            domain: Some("QBO".into()),
            status: Some("Deleted".into()),
            accounting_info_prefs: Some(AccountingInfoPrefs {
                use_account_numbers: Some(true),
                default_ar_account: Some(reference("84")),
                default_ap_account: Some(reference("33")),
                requires_accounts: Some(true),
                track_departments: Some(true),
                department_terminology: Some("Location".into()),
                class_tracking_per_txn: Some(false),
                class_tracking_per_txn_line: Some(true),
                auto_journal_entry_number: Some(true),
                first_month_of_fiscal_year: Some("January".into()),
                tax_year_month: Some("January".into()),
                tax_form: Some("6".into()),
                book_close_date: Some(day()),
                customer_terminology: Some("Customers".into()),
                other: none(),
            }),
            product_and_services_prefs: Some(ProductAndServicesPrefs {
                for_sales: Some(true),
                for_purchase: Some(true),
                inventory_and_purchase_order: Some(true),
                quantity_with_price_and_rate: Some(true),
                quantity_on_hand: Some(true),
                uom: Some("Disabled".into()),
                revenue_recognition: Some(false),
                revenue_recognition_frequency: Some("Monthly".into()),
                other: none(),
            }),
            sales_forms_prefs: Some(SalesFormsPrefs {
                using_progress_invoicing: Some(false),
                custom_field: vec![custom_field_definition()],
                custom_txn_numbers: Some(true),
                delayed_charges: Some(false),
                sales_email_cc: Some(email()),
                sales_email_bcc: Some(email()),
                email_copy_to_company: Some(false),
                allow_deposit: Some(true),
                allow_discount: Some(true),
                default_discount_account: Some("86".into()),
                allow_estimates: Some(true),
                estimate_message: Some("Estimate".into()),
                e_transaction_enabled_status: Some("NotApplicable".into()),
                e_transaction_attach_pdf: Some(false),
                e_transaction_payment_enabled: Some(false),
                ipn_support_enabled: Some(false),
                invoice_message: Some("Thanks".into()),
                allow_service_date: Some(true),
                allow_shipping: Some(true),
                default_shipping_account: Some("85".into()),
                default_item: Some(reference("5")),
                default_terms: Some(reference("3")),
                default_delivery_method: Some("Email".into()),
                auto_apply_credit: Some(true),
                auto_apply_payments: Some(true),
                print_item_with_zero_amount: Some(true),
                default_ship_method_ref: Some(reference("UPS")),
                default_markup: Some(dec!(12.5)),
                track_reimbursable_expenses_as_income: Some(false),
                using_sales_orders: Some(false),
                using_price_levels: Some(false),
                default_fob: Some("Origin".into()),
                default_customer_message: Some("Thank you for your business!".into()),
                other: none(),
            }),
            email_messages_prefs: Some(EmailMessagesPrefs {
                name_value: vec![name_value()],
                invoice_message: Some(email_message("Invoice")),
                estimate_message: Some(email_message("Estimate")),
                sales_receipt_message: Some(email_message("Sales Receipt")),
                statement_message: Some(email_message("Statement")),
                other: none(),
            }),
            vendor_and_purchases_prefs: Some(VendorAndPurchasesPrefs {
                enable_bills: Some(true),
                tracking_by_customer: Some(true),
                billable_expense_tracking: Some(true),
                default_terms: Some(reference("3")),
                default_markup: Some(dec!(10)),
                default_markup_account: Some(reference("12")),
                automatic_bill_payment: Some(false),
                tpar_enabled: Some(false),
                po_custom_field: vec![custom_field_definition()],
                msg_to_vendors: Some("Please ship promptly".into()),
                using_inventory: Some(true),
                using_multi_location_inventory: Some(false),
                days_bills_are_due: Some(30),
                discount_account_ref: Some(reference("86")),
                other: none(),
            }),
            tax_prefs: Some(TaxPrefs {
                using_sales_tax: Some(true),
                partner_tax_enabled: Some(true),
                hide_tax_management: Some(false),
                tax_group_code_ref: Some(reference("2")),
                tax_rate_ref: Some(reference("3")),
                pay_sales_tax: Some("Monthly".into()),
                non_taxable_sales_tax_code_ref: Some(reference("NON")),
                taxable_sales_tax_code_ref: Some(reference("TAX")),
                other: none(),
            }),
            currency_prefs: Some(CurrencyPrefs {
                multi_currency_enabled: Some(false),
                home_currency: Some(reference("USD")),
                other: none(),
            }),
            other_prefs: Some(OtherPrefs {
                name_value: vec![name_value()],
                other: none(),
            }),
            other: none(),
        }
    }

    /// Every entity, by its QBO name, serialized.
    pub fn all() -> Vec<(&'static str, Value)> {
        fn entry<E: Entity>(e: &E) -> (&'static str, Value) {
            (E::NAME, serde_json::to_value(e).unwrap())
        }
        vec![
            entry(&customer()),
            entry(&item()),
            entry(&invoice()),
            entry(&sales_receipt()),
            entry(&payment()),
            entry(&credit_memo()),
            entry(&refund_receipt()),
            entry(&account()),
            entry(&payment_method()),
            entry(&tax_code()),
            entry(&tax_rate()),
            entry(&company_info()),
            entry(&preferences()),
        ]
    }

    /// Decodes `json` as the entity named `name` and serializes it again.
    pub fn decode_as(name: &str, json: &Value) -> Value {
        fn again<E: Entity>(json: &Value) -> Value {
            let e: E = serde_json::from_value(json.clone()).unwrap();
            assert!(e.id().is_some());
            serde_json::to_value(&e).unwrap()
        }
        match name {
            "Customer" => again::<Customer>(json),
            "Item" => again::<Item>(json),
            "Invoice" => again::<Invoice>(json),
            "SalesReceipt" => again::<SalesReceipt>(json),
            "Payment" => again::<Payment>(json),
            "CreditMemo" => again::<CreditMemo>(json),
            "RefundReceipt" => again::<RefundReceipt>(json),
            "Account" => again::<Account>(json),
            "PaymentMethod" => again::<PaymentMethod>(json),
            "TaxCode" => again::<TaxCode>(json),
            "TaxRate" => again::<TaxRate>(json),
            "CompanyInfo" => again::<CompanyInfo>(json),
            "Preferences" => again::<Preferences>(json),
            other => panic!("no populated {other}"),
        }
    }
}
