//! No panic on any number or time from outside (issue 16, item 2): extreme amounts,
//! quantities and prices through every endpoint that computes with them, and extreme
//! clock advances and settings. A panic would cut the connection (the request fails) or
//! fail the test thread; every answer must instead be a success or a QBO-shaped fault.

use chrono::TimeDelta;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use qbo_sandbox::SandboxConfig;
use serde_json::{Value, json};

use crate::Env;

/// Numbers as clients might send them: plain, exponent forms, beyond `Decimal`'s range,
/// negative, as JSON numbers and as strings.
fn extreme() -> impl Strategy<Value = Value> {
    let raw: &[&str] = &[
        "1e20",
        "1e28",
        "7.9e28",
        "1e29",
        "-1e28",
        "1E+27",
        "1e-30",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "79228162514264337593543950336",
        "792281625142643375935439503350000",
        "18446744073709551615",
        "-9223372036854775808",
        "99999999999999999999999999999999999999999",
        "123456789012345.12345",
        "0.0000000000000000000000000001",
        "1e308",
        // Just below the bound, and halves of it: sums of them reach it.
        "999999999999999.99",
        "500000000000000",
        "-500000000000000",
        "-0",
        "0",
        "1",
        "2.5",
    ];
    prop_oneof![
        proptest::sample::select(raw).prop_map(|t| {
            serde_json::from_str::<Value>(t).unwrap_or_else(|_| Value::String(t.to_owned()))
        }),
        proptest::sample::select(raw).prop_map(|t| Value::String(t.to_owned())),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
    ]
}

fn check(status: u16, body: &Value) -> Result<(), TestCaseError> {
    if status == 200 {
        prop_assert!(body["time"].is_string(), "{body}");
        return Ok(());
    }
    prop_assert!((400..=499).contains(&status), "status {status}: {body}");
    let code = body["Fault"]["Error"][0]["code"].as_str().unwrap_or("");
    prop_assert!(!code.is_empty(), "no Error.code: {body}");
    Ok(())
}

async fn post(env: &Env, path: &str, body: &Value) -> Result<(u16, Value), TestCaseError> {
    let response = env
        .http
        .post(env.url(path))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| TestCaseError::fail(format!("no answer to {path} {body}: {e}")))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| TestCaseError::fail(format!("cut answer to {path} {body}: {e}")))?;
    let value = serde_json::from_slice(&bytes)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}) from {path}: {bytes:?}")))?;
    Ok((status, value))
}

#[test]
fn extreme_amounts_quantities_and_prices_never_panic_on_any_endpoint() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let env = runtime.block_on(Env::with(SandboxConfig::without_limits()));
    let (customer, item, stock, income) = runtime.block_on(async {
        let customer = crate::id(&env.customer("Extreme").await);
        let item = crate::id(&env.service_item("Plain", 10.0).await);
        let stock = crate::id(&env.inventory_item("Stocked", 5).await);
        let income = env.account("Services").await;
        (customer, item, stock, income)
    });
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let values = prop::collection::vec(extreme(), 8);
    let forms =
        proptest::sample::select(&["invoice", "salesreceipt", "creditmemo", "refundreceipt"][..]);
    let deposit = runtime.block_on(env.account("Checking"));
    runner
        .run(&(values, forms, any::<bool>()), |(v, form, inventory)| {
            runtime.block_on(async {
                let line_item = if inventory { &stock } else { &item };
                let lines = json!([
                    {"Amount": v[0], "DetailType": "SalesItemLineDetail",
                     "SalesItemLineDetail": {"ItemRef": {"value": line_item}, "Qty": v[1], "UnitPrice": v[2]}},
                    {"Amount": v[3], "DetailType": "SalesItemLineDetail",
                     "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": v[4]}},
                    {"Amount": v[5], "DetailType": "DiscountLineDetail",
                     "DiscountLineDetail": {"PercentBased": inventory, "DiscountPercent": v[6]}}
                ]);
                let sale = json!({
                    "CustomerRef": {"value": customer}, "Line": lines,
                    "TxnTaxDetail": {"TotalTax": v[7]},
                    "DepositToAccountRef": {"value": deposit}
                });
                let (status, body) = post(&env, form, &sale).await?;
                check(status, &body)?;
                // Pay whatever was created, with an extreme amount.
                if status == 200 && form == "invoice" {
                    let invoice = &body["Invoice"];
                    let payment = json!({
                        "CustomerRef": {"value": customer}, "TotalAmt": v[7],
                        "Line": [{"Amount": v[0], "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]
                    });
                    let (status, body) = post(&env, "payment", &payment).await?;
                    check(status, &body)?;
                    // A full update of the invoice with other extreme lines.
                    let mut update = sale.clone();
                    update["Id"] = invoice["Id"].clone();
                    update["SyncToken"] = json!("0");
                    update["Line"][0]["Amount"] = v[6].clone();
                    let (status, body) = post(&env, "invoice?operation=update", &update).await?;
                    check(status, &body)?;
                }
                let new_item = json!({
                    "Name": format!("X{}", v[0]).chars().take(90).collect::<String>(),
                    "Type": "Inventory", "TrackQtyOnHand": true, "QtyOnHand": v[1],
                    "InvStartDate": "2026-01-01", "UnitPrice": v[2], "PurchaseCost": v[3],
                    "IncomeAccountRef": {"value": income}, "ExpenseAccountRef": {"value": income},
                    "AssetAccountRef": {"value": income}
                });
                let (status, body) = post(&env, "item", &new_item).await?;
                check(status, &body)?;
                let batch = json!({"BatchItemRequest": [
                    {"bId": "1", "operation": "create", "SalesReceipt": sale},
                    {"bId": "2", "operation": "create", "Payment": {
                        "CustomerRef": {"value": customer}, "TotalAmt": v[5]}},
                    {"bId": "3", "Query": format!("select * from Invoice where TotalAmt > {}", v[2])}
                ]});
                let (status, body) = post(&env, "batch", &batch).await?;
                check(status, &body)?;
                let (status, body) = post(
                    &env,
                    "query",
                    &json!(format!("select * from Item where UnitPrice >= {}", v[4])),
                )
                .await?;
                // A JSON string body is not a statement: only "answered" matters here.
                prop_assert!(status < 500, "{status}: {body}");
                Ok(())
            })
        })
        .unwrap();
    // Still serving, and the company still answers queries.
    let alive = runtime.block_on(env.query("select * from Invoice"));
    assert_eq!(alive.status.as_u16(), 200, "{}", alive.body);
}

#[tokio::test]
async fn extreme_clock_advances_never_panic() {
    let env = Env::start().await;
    let before = env.sandbox.now();
    env.sandbox.advance_clock(TimeDelta::MAX);
    env.sandbox.advance_clock(TimeDelta::MAX);
    let far = env.sandbox.now();
    assert!(far > before);
    // Every request still gets an answer (the token has long expired: 401).
    let reply = env.get("preferences").await;
    assert_eq!(reply.status.as_u16(), 401, "{}", reply.body);
    env.sandbox.advance_clock(TimeDelta::MIN);
    env.sandbox.advance_clock(TimeDelta::MIN);
    env.sandbox.advance_clock(TimeDelta::MIN);
    assert!(env.sandbox.now() < before);
    let _ = env.sandbox.issue_tokens(&env.realm).expect("tokens");

    let url = format!("{}/_sandbox/clock/advance", env.sandbox.base_url());
    for seconds in [
        json!(i64::MAX),
        json!(i64::MIN),
        json!(9.2e18),
        json!(u64::MAX),
        json!(1e300),
    ] {
        for _ in 0..3 {
            let response = env
                .http
                .post(&url)
                .json(&json!({ "seconds": seconds }))
                .send()
                .await
                .expect("an answer");
            assert!(
                response.status().is_success() || response.status().as_u16() == 400,
                "{seconds}: {}",
                response.status()
            );
        }
    }
    let clock = env
        .http
        .get(format!("{}/_sandbox/clock", env.sandbox.base_url()))
        .send()
        .await
        .expect("an answer");
    assert!(clock.status().is_success());
}

#[tokio::test]
async fn extreme_settings_never_panic() {
    let env = Env::start().await;
    let url = format!("{}/_sandbox/settings", env.sandbox.base_url());
    let extreme_settings = [
        json!({"tokens": {"access_token_secs": i64::MAX, "refresh_token_secs": i64::MAX,
                          "refresh_token_hard_secs": i64::MAX, "rotation_window_secs": i64::MAX,
                          "replaced_grace_secs": i64::MAX, "code_secs": i64::MAX},
               "limits": {"window_ms": u64::MAX, "requests_per_window": u32::MAX,
                          "batches_per_window": u32::MAX, "max_in_flight": u32::MAX,
                          "retry_after_secs": u32::MAX},
               "chaos": {"latency": {"min_ms": 0, "max_ms": 0}}}),
        json!({"tokens": {"access_token_secs": i64::MIN, "refresh_token_secs": i64::MIN,
                          "refresh_token_hard_secs": i64::MIN, "rotation_window_secs": i64::MIN,
                          "replaced_grace_secs": i64::MIN, "code_secs": i64::MIN},
               "limits": {"window_ms": 0, "requests_per_window": 0, "max_in_flight": 0}}),
        json!({"tokens": {"access_token_secs": -1}, "limits": {"enabled": false}}),
    ];
    for settings in extreme_settings {
        let response = env
            .http
            .put(&url)
            .json(&settings)
            .send()
            .await
            .expect("an answer");
        assert!(response.status().is_success(), "{settings}");
        // The token endpoint, the authorize flow and the API all still answer.
        let tokens = env.sandbox.issue_tokens(&env.realm);
        if let Ok(tokens) = tokens {
            use secrecy::ExposeSecret as _;
            let refresh = env
                .http
                .post(format!(
                    "{}/oauth2/v1/tokens/bearer",
                    env.sandbox.base_url()
                ))
                .basic_auth(
                    qbo_sandbox::DEFAULT_CLIENT_ID,
                    Some(qbo_sandbox::DEFAULT_CLIENT_SECRET),
                )
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", tokens.refresh_token.expose_secret()),
                ])
                .send()
                .await
                .expect("the token endpoint answers");
            assert!(refresh.status().as_u16() < 500, "{}", refresh.status());
            for _ in 0..2 {
                let reply = env
                    .http
                    .get(env.url("preferences"))
                    .bearer_auth(tokens.access_token.expose_secret())
                    .send()
                    .await
                    .expect("the API answers");
                assert!(reply.status().as_u16() < 500, "{}", reply.status());
            }
        }
        env.sandbox.advance_clock(TimeDelta::days(400));
    }
}
