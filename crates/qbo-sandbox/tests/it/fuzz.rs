//! No panic on any request: random and truncated JSON bodies and random query strings
//! always get an answer, and every refusal is a QBO-shaped fault.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use qbo_sandbox::SandboxConfig;
use serde_json::Value;

use crate::Env;

const KEYS: &[&str] = &[
    "DisplayName",
    "Name",
    "Line",
    "Amount",
    "Id",
    "SyncToken",
    "sparse",
    "CustomerRef",
    "value",
    "Type",
    "SalesItemLineDetail",
    "Qty",
    "UnitPrice",
    "ItemRef",
    "DetailType",
    "TotalAmt",
    "BatchItemRequest",
    "bId",
    "operation",
    "Customer",
    "Query",
    "LinkedTxn",
    "TxnId",
    "TxnType",
    "ParentRef",
    "SubItem",
    "AccountType",
    "QtyOnHand",
    "Active",
    "DiscountLineDetail",
    "PercentBased",
    "DiscountPercent",
    "TxnTaxDetail",
    "TotalTax",
    "SalesFormsPrefs",
    "DocNumber",
];

const PATHS: &[&str] = &[
    "customer",
    "item",
    "invoice",
    "salesreceipt",
    "payment",
    "creditmemo",
    "refundreceipt",
    "account",
    "paymentmethod",
    "taxcode",
    "preferences",
    "companyinfo",
    "batch",
    "query",
    "customer?operation=update",
    "invoice?operation=delete",
    "invoice?operation=void",
    "payment?operation=update&include=void",
    "item?requestid=fuzz",
    "vendor",
    "employee",
    "bogus",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[A-Za-z]{1,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e12f64..1.0e12).prop_map(Value::from),
        "[ -~é:\t]{0,24}".prop_map(Value::String),
        proptest::sample::select(
            &["1", "0", "TAX", "SHIPPING_ITEM_ID", "Inventory", "Category"][..]
        )
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::vec((key(), json_value()), 0..8)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
}

/// A body and whether it must be refused.
fn body() -> impl Strategy<Value = (Vec<u8>, bool)> {
    prop_oneof![
        object().prop_map(|v| (v.to_string().into_bytes(), false)),
        (object(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let text = v.to_string().into_bytes();
            let at = cut.index(text.len());
            (text[..at].to_vec(), true)
        }),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|bytes| {
            let must_fail =
                serde_json::from_slice::<Value>(&bytes).map_or(true, |v| !v.is_object());
            (bytes, must_fail)
        }),
    ]
}

fn query_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        proptest::sample::select(
            &[
                "SELECT",
                "select",
                "*",
                "COUNT(*)",
                "FROM",
                "Customer",
                "item",
                "WHERE",
                "DisplayName",
                "Id",
                "=",
                "<",
                ">=",
                r"'a\'b'",
                "'x'",
                "IN",
                "NOT",
                "!=",
                ", Sku",
                "(",
                ")",
                ",",
                "AND",
                "OR",
                "LIKE",
                "'%x%'",
                "ORDERBY",
                "ORDER BY",
                "DESC",
                "MAXRESULTS",
                "STARTPOSITION",
                "10",
                "-3",
                "99999999999999999999",
                "true",
                "MetaData.CreateTime",
            ][..]
        )
        .prop_map(str::to_owned),
        "[ -~]{0,8}",
    ];
    prop_oneof![
        prop::collection::vec(word, 0..14).prop_map(|w| w.join(" ")),
        ".{0,60}",
    ]
}

fn check_fault(status: u16, body: &Value) -> Result<(), TestCaseError> {
    prop_assert!((400..=599).contains(&status), "status {status}: {body}");
    let fault = &body["Fault"];
    prop_assert!(fault["type"].is_string(), "no Fault.type: {body}");
    let code = fault["Error"][0]["code"].as_str().unwrap_or("");
    prop_assert!(!code.is_empty(), "no Error.code: {body}");
    prop_assert!(body["time"].is_string(), "no time: {body}");
    Ok(())
}

#[test]
fn random_and_truncated_bodies_and_queries_get_qbo_shaped_answers() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let env = runtime.block_on(Env::with(SandboxConfig::without_limits()));
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (proptest::sample::select(PATHS), body());
    runner
        .run(&strategy, |(path, (bytes, must_fail))| {
            let reply = runtime.block_on(async {
                let response = env
                    .http
                    .post(env.url(path))
                    .bearer_auth(&env.token)
                    .header("content-type", "application/json")
                    .body(bytes.clone())
                    .send()
                    .await
                    .expect("the sandbox answers");
                let status = response.status().as_u16();
                let text = response.bytes().await.expect("a whole body");
                (status, text)
            });
            let (status, text) = reply;
            let body: Value = serde_json::from_slice(&text)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {text:?}")))?;
            if status == 200 && !must_fail {
                let object = body.as_object().expect("an object");
                prop_assert!(object.contains_key("time"));
                prop_assert!(object.len() == 2, "one entity and time: {body}");
                return Ok(());
            }
            check_fault(status, &body)
        })
        .unwrap();

    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(query_text(), any::<bool>()), |(sql, by_get)| {
            let (status, text) = runtime.block_on(async {
                let request = if by_get {
                    env.http
                        .get(env.url("query"))
                        .query(&[("query", sql.as_str())])
                } else {
                    env.http
                        .post(env.url("query"))
                        .header("content-type", "application/text")
                        .body(sql.clone())
                };
                let response = request
                    .bearer_auth(&env.token)
                    .send()
                    .await
                    .expect("the sandbox answers");
                let status = response.status().as_u16();
                (status, response.bytes().await.expect("a whole body"))
            });
            let body: Value = serde_json::from_slice(&text)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {text:?}")))?;
            if status == 200 {
                prop_assert!(body["QueryResponse"].is_object(), "{body}");
                return Ok(());
            }
            check_fault(status, &body)?;
            prop_assert_eq!(body["Fault"]["Error"][0]["code"].as_str(), Some("4000"));
            Ok(())
        })
        .unwrap();
    // Still serving.
    let alive = runtime.block_on(env.get("preferences"));
    assert_eq!(alive.status.as_u16(), 200);
}
