//! qbo-api, written for the real QBO, works unchanged against the sandbox's base URL.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use futures_util::TryStreamExt;
use qbo_api::batch::{BatchOperation, BatchOutput};
use qbo_api::query::{Order, Query};
use qbo_api::retry::RetryPolicy;
use qbo_api::{
    AnyEntity, Customer, EmailAddress, Environment, Invoice, Item, ItemType, Line, QboClient,
    QboError, RealmId, ReferenceType, SalesItemLineDetail, StaticToken,
};
use rust_decimal_macros::dec;

use crate::Env;

/// A qbo-api client for the sandbox's default company, retrying quickly.
pub fn qbo_client(env: &Env) -> QboClient {
    QboClient::builder(Arc::new(StaticToken::new(env.token.clone().into())))
        .environment(Environment::parse(&env.sandbox.base_url()).unwrap())
        .realm(RealmId::new(&env.realm).unwrap())
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            deadline: Duration::from_secs(10),
        })
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qbo_api_creates_queries_updates_and_batches_unchanged() {
    let env = Env::start().await;
    let client = qbo_client(&env);

    let created = client
        .create(&Customer {
            display_name: Some("Ann O'Neil".into()),
            primary_email_addr: Some(EmailAddress::new("ann@example.com")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        created.other.get("V4IDPseudonym").is_some(),
        "kept for reading"
    );

    // Query with escaping, then a sparse update of what was found.
    let found = client
        .query(&Query::<Customer>::new().eq("DisplayName", "Ann O'Neil"))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, created.id);
    let patch = Customer {
        id: created.id.clone(),
        sync_token: created.sync_token.clone(),
        notes: Some("VIP".into()),
        ..Default::default()
    };
    let updated = client.update(&patch).await.unwrap();
    assert_eq!(updated.notes.as_deref(), Some("VIP"));
    assert_eq!(updated.primary_email_addr, created.primary_email_addr);
    assert_eq!(updated.sync_token.as_ref().map(|t| t.as_str()), Some("1"));

    // A stale update and a duplicate name come back as qbo-api's typed errors.
    let stale = client.update(&patch).await.unwrap_err();
    assert!(matches!(stale, QboError::StaleObject { .. }), "{stale:?}");
    let duplicate = client
        .create(&Customer {
            display_name: Some("Ann O'Neil".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    match duplicate {
        QboError::DuplicateName { existing_id, .. } => assert_eq!(existing_id, created.id),
        other => panic!("{other:?}"),
    }

    // Batch: 40 creates in two requests (sent at once), one of them a duplicate.
    let mut ops: Vec<BatchOperation> = (0..39)
        .map(|i| {
            BatchOperation::create(Customer {
                display_name: Some(format!("Batch {i:02}")),
                ..Default::default()
            })
        })
        .collect();
    ops.push(BatchOperation::create(Customer {
        display_name: Some("Ann O'Neil".into()),
        ..Default::default()
    }));
    ops.push(
        BatchOperation::query(&Query::<Customer>::new().eq("DisplayName", "Ann O'Neil")).unwrap(),
    );
    let results = client.batch(ops).await.unwrap();
    assert_eq!(results.len(), 41);
    assert!(results[..39].iter().all(Result::is_ok));
    assert!(
        matches!(results[39], Err(QboError::DuplicateName { .. })),
        "{:?}",
        results[39]
    );
    match &results[40] {
        Ok(BatchOutput::Query(page)) => assert_eq!(page.entities.len(), 1),
        other => panic!("{other:?}"),
    }

    // Paging streams and COUNT.
    let all: Vec<Customer> = client
        .query_stream(
            Query::<Customer>::new()
                .order_by("DisplayName", Order::Asc)
                .max_results(7),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 40);
    assert_eq!(client.count(&Query::<Customer>::new()).await.unwrap(), 40);

    // A sale: item, invoice, void, delete; then CDC sees it all.
    let since = env.sandbox.now() - TimeDelta::minutes(1);
    let item = client
        .create(&Item {
            name: Some("Consulting".into()),
            item_type: Some(ItemType::Service),
            unit_price: Some(dec!(95.5)),
            income_account_ref: Some(ReferenceType::new(env.account("Services").await)),
            ..Default::default()
        })
        .await
        .unwrap();
    let invoice = client
        .create(&Invoice {
            customer_ref: Some(ReferenceType::new(created.id.clone().unwrap())),
            line: vec![Line::sales_item(
                dec!(191.00),
                SalesItemLineDetail {
                    qty: Some(dec!(2)),
                    unit_price: Some(dec!(95.5)),
                    ..SalesItemLineDetail::new(ReferenceType::new(item.id.clone().unwrap()))
                },
            )],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(invoice.total_amt, Some(dec!(191)));
    assert_eq!(invoice.balance, Some(dec!(191)));
    let voided = client.void(&invoice).await.unwrap();
    assert_eq!(voided.total_amt, Some(dec!(0)));
    let deleted = client.delete(&voided).await.unwrap();
    assert_eq!(deleted.status.as_deref(), Some("Deleted"));
    let changes = client.cdc(&["Invoice", "Item"], since).await.unwrap();
    assert!(
        changes
            .changes
            .iter()
            .any(|c| c.deleted && matches!(&c.entity, AnyEntity::Invoice(_)))
    );
    assert!(
        changes
            .changes
            .iter()
            .any(|c| matches!(&c.entity, AnyEntity::Item(_)))
    );

    // Reads of company info and preferences, and deactivation.
    assert_eq!(
        client.company_info().await.unwrap().company_name.as_deref(),
        Some("Sandbox Company_US_1")
    );
    let prefs = client.preferences().await.unwrap();
    // The sections of a real sandbox company decode into qbo-api's typed model.
    let purchases = prefs.vendor_and_purchases_prefs.as_ref().unwrap();
    assert_eq!(purchases.billable_expense_tracking, Some(true));
    let email = prefs.email_messages_prefs.as_ref().unwrap();
    assert!(email.invoice_message.as_ref().unwrap().subject.is_some());
    assert!(
        !prefs
            .sales_forms_prefs
            .as_ref()
            .unwrap()
            .custom_field
            .is_empty()
    );
    assert!(prefs.other.get("EmailMessagesPrefs").is_none());
    let inactive = client.deactivate(&updated).await.unwrap();
    assert_eq!(inactive.active, Some(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qbo_api_full_updates_preferences_sections_and_reads_unmodeled_cdc_kinds() {
    let env = Env::start().await;
    let client = qbo_client(&env);

    // A full update through the typed model keeps (and changes) the sections a real
    // sandbox company has: they are typed, so they are sent back.
    let mut prefs = client.preferences().await.unwrap();
    prefs
        .email_messages_prefs
        .as_mut()
        .unwrap()
        .invoice_message
        .as_mut()
        .unwrap()
        .subject = Some("Your invoice from us".into());
    prefs
        .vendor_and_purchases_prefs
        .as_mut()
        .unwrap()
        .billable_expense_tracking = Some(false);
    let updated = client.full_update(&prefs).send().await.unwrap();
    assert_eq!(updated.sync_token.as_ref().unwrap().as_str(), "1");
    let again = client.preferences().await.unwrap();
    let email = again.email_messages_prefs.as_ref().unwrap();
    assert_eq!(
        email.invoice_message.as_ref().unwrap().subject.as_deref(),
        Some("Your invoice from us")
    );
    assert!(email.statement_message.is_some());
    assert_eq!(
        again
            .vendor_and_purchases_prefs
            .as_ref()
            .unwrap()
            .billable_expense_tracking,
        Some(false)
    );
    assert_eq!(
        again.sales_forms_prefs.as_ref().unwrap().custom_field,
        prefs.sales_forms_prefs.as_ref().unwrap().custom_field
    );
    assert_eq!(again.other_prefs, prefs.other_prefs);

    // CDC of a kind outside qbo-api's typed model: kept as raw JSON beside the typed ones.
    let since = env.sandbox.now() - TimeDelta::minutes(1);
    env.customer("Ann").await;
    env.create("Vendor", serde_json::json!({"DisplayName": "Acme Supply"}))
        .await;
    let changes = client.cdc(&["Customer", "Vendor"], since).await.unwrap();
    assert!(changes.changes.iter().any(
        |c| matches!(&c.entity, AnyEntity::Customer(c) if c.display_name.as_deref() == Some("Ann"))
    ));
    assert_eq!(changes.unmodeled.len(), 1);
    assert_eq!(changes.unmodeled[0].entity, "Vendor");
    assert_eq!(
        changes.unmodeled[0].json["DisplayName"],
        serde_json::json!("Acme Supply")
    );
}
